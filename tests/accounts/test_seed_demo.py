"""The demo data command can be run again and again."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from attachment_app.accounts.models import Role, Team, User


def snapshot():
    users = User.objects.order_by("username").values_list(
        "username", "role", "team__name", "password", "is_staff", "is_superuser"
    )
    teams = Team.objects.order_by("name").values_list("pk", "name", "area")
    return list(users), list(teams)


@pytest.mark.django_db
def test_seed_demo_twice_leaves_the_same_rows():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = snapshot()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert snapshot() == first


@pytest.mark.django_db
def test_seed_demo_creates_two_teams_and_every_role():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Team.objects.count() == 2
    per_team = {
        (team.name, role): team.members.filter(role=role).count()
        for team in Team.objects.all()
        for role in (Role.HEALTH_VISITOR, Role.TEAM_LEAD)
    }
    assert sorted(per_team.values()) == [1, 1, 1, 2]
    assert per_team[("Riverside Health Visiting Team", Role.HEALTH_VISITOR)] == 2
    assert per_team[("Hillcrest Health Visiting Team", Role.HEALTH_VISITOR)] == 1
    admin = User.objects.get(role=Role.ADMIN)
    assert admin.team is None
    assert not admin.is_superuser


@pytest.mark.django_db
def test_demo_accounts_sign_in_with_the_password_and_the_readme_secret():
    from django.test import Client

    from attachment_app.accounts.management.commands.seed_demo import (
        DEMO_PASSWORD,
        DEMO_TOTP_SECRET,
    )
    from tests.signin import totp_code

    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    assert f"Demo authenticator secret: `{DEMO_TOTP_SECRET}`" in readme
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    client = Client()
    first = client.post("/sign-in/", {"login": "hv.amara", "password": DEMO_PASSWORD})
    assert first["Location"] == reverse("mfa_authenticate")
    second = client.post(reverse("mfa_authenticate"), {"code": totp_code(DEMO_TOTP_SECRET)})
    assert second["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_demo_admin_has_no_flags_permissions_or_groups():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    for user in User.objects.all():
        assert not user.is_staff
        assert not user.is_superuser
        assert not user.user_permissions.exists()
        assert not user.groups.exists()


@pytest.mark.django_db
def test_seed_demo_refuses_production(monkeypatch):
    from django.core.management.base import CommandError

    monkeypatch.setattr(settings, "PRODUCTION", True)
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
