"""The demo data command can be run again and again."""

import pytest
from django.core.management import call_command

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
def test_demo_accounts_can_sign_in(client):
    from attachment_app.accounts.management.commands.seed_demo import DEMO_PASSWORD

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    response = client.post("/sign-in/", {"username": "hv.amara", "password": DEMO_PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db
def test_demo_admin_may_manage_concern_categories_but_nothing_clinical():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    admin = User.objects.get(role=Role.ADMIN)
    assert admin.has_perm("screening.add_concerncategory")
    assert admin.has_perm("accounts.change_team")
    assert not admin.has_perm("conversations.view_family")
    assert not admin.has_perm("screening.view_screeningresult")
