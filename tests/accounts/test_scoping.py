"""The one visibility rule: own team for clinical roles, nothing for anyone else."""

import pytest
from django.contrib.auth.models import AnonymousUser

from attachment_app.accounts.models import User
from attachment_app.accounts.scoping import team_scope


def visible_usernames(viewer):
    # Users carry a team, so they serve here as stand-ins for a team-owned record.
    return set(User.objects.filter(team_scope(viewer)).values_list("username", flat=True))


@pytest.mark.django_db
def test_hv_sees_only_own_team(hv, other_hv, team_lead, hv_b):
    assert visible_usernames(hv) == {"hv.a", "hv.a2", "lead.a"}


@pytest.mark.django_db
def test_team_lead_sees_only_own_team(hv, team_lead, hv_b, team_lead_b):
    assert visible_usernames(team_lead_b) == {"hv.b", "lead.b"}


@pytest.mark.django_db
def test_admin_sees_no_team_records(hv, hv_b, admin_user):
    assert visible_usernames(admin_user) == set()


@pytest.mark.django_db
def test_user_without_role_sees_nothing(hv, no_role_user):
    assert visible_usernames(no_role_user) == set()


@pytest.mark.django_db
def test_inactive_hv_sees_nothing(hv, other_hv):
    hv.is_active = False
    assert visible_usernames(hv) == set()


@pytest.mark.django_db
def test_anonymous_sees_nothing_without_a_query(hv, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert list(User.objects.filter(team_scope(AnonymousUser()))) == []


@pytest.mark.django_db
def test_clinical_role_without_team_is_refused_by_the_database(team_a):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        User.objects.create(username="lost", role="health_visitor", team=None)


@pytest.mark.django_db
def test_only_own_team_clinical_staff_may_record(hv, team_lead, hv_b, admin_user, no_role_user):
    from django.core.exceptions import PermissionDenied

    from attachment_app.accounts.scoping import check_may_record

    check_may_record(hv, hv.team_id)
    check_may_record(team_lead, hv.team_id)
    for outsider in (hv_b, admin_user, no_role_user):
        with pytest.raises(PermissionDenied):
            check_may_record(outsider, hv.team_id)
    hv.is_active = False
    with pytest.raises(PermissionDenied):
        check_may_record(hv)
