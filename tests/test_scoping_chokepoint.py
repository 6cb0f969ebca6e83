"""Views reach team-owned records only through ``visible_to(user)`` (ADR 0002)."""

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings

from attachment_app.accounts.scoping import TeamScopedQuerySet

BASE_DIR = Path(settings.BASE_DIR)
APP_DIRS = ["attachment_app", "conversations", "screening", "referrals"]


def sensitive_models():
    """Every model whose default queryset is team-scoped."""
    return [
        model
        for model in apps.get_models()
        if isinstance(model._default_manager.all(), TeamScopedQuerySet)
    ]


def view_modules():
    for folder in APP_DIRS:
        for path in (BASE_DIR / folder).rglob("views*.py"):
            yield path
        for path in (BASE_DIR / folder).rglob("views/*.py"):
            yield path


def test_there_are_sensitive_models_to_guard():
    names = {model.__name__ for model in sensitive_models()}
    assert {"Family", "Baby", "Caregiver", "Contact", "Conversation"} <= names


def test_views_fetch_sensitive_models_only_through_visible_to():
    offences = []
    names = "|".join(model.__name__ for model in sensitive_models())
    unscoped = re.compile(rf"\b({names})\.objects\.(?!visible_to\()")
    direct_404 = re.compile(rf"get_object_or_404\(\s*({names})\s*,")
    for path in view_modules():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if unscoped.search(line) or direct_404.search(line):
                offences.append(f"{path.relative_to(BASE_DIR)}:{number}: {line.strip()}")
    assert offences == [], "\n".join(offences)


def test_the_check_catches_an_unscoped_fetch(tmp_path):
    # The guard itself must be able to fail.
    names = "|".join(model.__name__ for model in sensitive_models())
    unscoped = re.compile(rf"\b({names})\.objects\.(?!visible_to\()")
    assert unscoped.search("family = Family.objects.get(pk=pk)")
    assert not unscoped.search("family = Family.objects.visible_to(user).get(pk=pk)")
