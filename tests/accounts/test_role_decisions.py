"""Role requests and a team lead's decisions on them, and what the database refuses about roles."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from attachment_app.accounts import services
from attachment_app.accounts.models import AccountEvent, Role, RoleRequest, User
from tests.accounts.account_steps import Kind, Status, kinds_for, signed_in
from tests.factories import FamilyFactory


@pytest.mark.django_db
def test_a_team_leads_approval_gives_the_role_at_once(admin_user, team_lead, team_a, newcomer):
    family = FamilyFactory(team=team_a)
    theirs = signed_in(newcomer)
    assert theirs.get(reverse("family_detail", args=[family.pk])).status_code == 404
    signed_in(admin_user).post(
        reverse("person_request_role", args=[newcomer.pk]),
        {"role": Role.HEALTH_VISITOR, "team": team_a.pk},
    )
    role_request = RoleRequest.objects.get(user=newcomer)
    lead = signed_in(team_lead)
    listed = lead.get(reverse("role_request_list")).context["page"].object_list
    assert [r.pk for r in listed] == [role_request.pk]
    response = lead.post(
        reverse("role_request_decide", args=[role_request.pk]), {"decision": "approve"}
    )
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert (newcomer.role, newcomer.team) == (Role.HEALTH_VISITOR, team_a)
    role_request.refresh_from_db()
    assert (role_request.status, role_request.decided_by) == (Status.APPROVED, team_lead)
    event = AccountEvent.objects.get(kind=Kind.ROLE_APPROVED, user=newcomer)
    assert event.actor == team_lead
    assert theirs.get(reverse("family_detail", args=[family.pk])).status_code == 200


@pytest.mark.django_db
def test_refusing_a_role_needs_a_reason(admin_user, team_lead, team_a, newcomer):
    role_request = services.role_request_create(
        actor=admin_user, person=newcomer, role=Role.HEALTH_VISITOR, team=team_a
    )
    lead = signed_in(team_lead)
    url = reverse("role_request_decide", args=[role_request.pk])
    blank = lead.post(url, {"decision": "refuse", "reason": "   "})
    assert blank.status_code == 200
    assert "Enter the reason for refusing" in blank.content.decode()
    role_request.refresh_from_db()
    assert role_request.status == Status.PENDING
    assert Kind.ROLE_REFUSED not in kinds_for(newcomer)

    refused = lead.post(url, {"decision": "refuse", "reason": "Not in our team"})
    assert refused.status_code == 302
    role_request.refresh_from_db()
    newcomer.refresh_from_db()
    assert (role_request.status, role_request.reason) == (Status.REFUSED, "Not in our team")
    assert newcomer.role == ""
    event = AccountEvent.objects.get(kind=Kind.ROLE_REFUSED, user=newcomer)
    assert "Not in our team" in event.detail


@pytest.mark.django_db
def test_the_service_refuses_a_refusal_without_a_reason(admin_user, team_lead, team_a, newcomer):
    role_request = services.role_request_create(
        actor=admin_user, person=newcomer, role=Role.HEALTH_VISITOR, team=team_a
    )
    with pytest.raises(ValidationError):
        services.role_request_decide(actor=team_lead, request=role_request, approve=False)
    role_request.refresh_from_db()
    assert role_request.status == Status.PENDING


@pytest.mark.django_db
def test_one_waiting_request_per_person(admin_user, team_a, newcomer):
    services.role_request_create(
        actor=admin_user, person=newcomer, role=Role.HEALTH_VISITOR, team=team_a
    )
    response = signed_in(admin_user).post(
        reverse("person_request_role", args=[newcomer.pk]),
        {"role": Role.TEAM_LEAD, "team": team_a.pk},
    )
    assert response.status_code == 200
    assert "already has a request waiting" in response.content.decode()
    assert RoleRequest.objects.filter(user=newcomer).count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_decision_by_the_person_who_asked(admin_user, newcomer, team_a):
    role_request = RoleRequest.objects.create(
        user=newcomer, role=Role.HEALTH_VISITOR, team=team_a, requested_by=admin_user
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleRequest.objects.filter(pk=role_request.pk).update(
            decided_by=admin_user, status=Status.APPROVED
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleRequest.objects.create(
            user=newcomer,
            role=Role.HEALTH_VISITOR,
            team=team_a,
            requested_by=admin_user,
            decided_by=admin_user,
            status=Status.REFUSED,
        )
    role_request.refresh_from_db()
    assert role_request.decided_by is None


@pytest.mark.django_db
def test_the_database_refuses_a_clinical_role_without_a_team(admin_user, newcomer):
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleRequest.objects.create(
            user=newcomer, role=Role.HEALTH_VISITOR, team=None, requested_by=admin_user
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=newcomer.pk).update(role=Role.TEAM_LEAD, team=None)
