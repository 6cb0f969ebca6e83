"""The architecture document says what the code does: checked where a list can drift."""

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings


def _tracked_models() -> set[str]:
    """Models with a pghistory event table: each event model points at its model by pgh_obj."""
    tracked = set()
    for model in apps.get_models():
        field = next((f for f in model._meta.get_fields() if f.name == "pgh_obj"), None)
        if field is not None and field.related_model is not None:
            tracked.add(field.related_model.__name__)
    return tracked


def test_the_architecture_names_every_model_with_a_change_history_and_no_other():
    text = Path(settings.BASE_DIR, "docs", "architecture.md").read_text()
    sentence = re.search(r"Tracked models: (.*?)\(a test keeps", text, re.S)
    assert sentence, "docs/architecture.md lost its list of tracked models"
    named = set(re.findall(r"`(\w+)`", sentence.group(1)))
    assert named == _tracked_models()
