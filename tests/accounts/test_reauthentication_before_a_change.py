"""Asking for the second factor again before an account change when the last one is over 15
minutes old, and replaying the change once it is given."""

import time

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.urls import reverse

from attachment_app.accounts import services
from attachment_app.accounts.models import AccountEvent, Invitation, Role, RoleRequest, Team, User
from tests.accounts.account_steps import Kind, Status, invite
from tests.signin import SecondFactorClient, mark_second_factor_passed, totp_code


@pytest.mark.django_db
def test_a_change_with_a_stale_second_factor_asks_for_it_again_and_saves_nothing(
    admin_user, django_capture_on_commit_callbacks
):
    admin = SecondFactorClient()
    admin.force_login(admin_user)
    mark_second_factor_passed(admin, admin_user, at=time.time() - 16 * 60)
    response = invite(admin, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"].split("?")[0] == reverse("mfa_reauthenticate")
    assert not User.objects.filter(username="amara.okafor").exists()
    assert not Invitation.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_fresh_code_at_the_confirm_page_replays_the_change(
    admin_user, django_capture_on_commit_callbacks
):
    admin = SecondFactorClient()
    admin.force_login(admin_user)
    mark_second_factor_passed(admin, admin_user, at=time.time() - 16 * 60)
    asked = invite(admin, django_capture_on_commit_callbacks)
    confirm = asked["Location"]
    assert admin.get(confirm).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        replayed = admin.post(confirm, {"code": totp_code()}, follow=True)
    assert replayed.status_code == 200
    person = User.objects.get(username="amara.okafor")
    assert replayed.redirect_chain[-1][0] == reverse("person_detail", args=[person.pk])
    assert Invitation.objects.filter(user=person, invited_by=admin_user).count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_wrong_code_at_the_confirm_page_saves_nothing(
    admin_user, django_capture_on_commit_callbacks
):
    admin = SecondFactorClient()
    admin.force_login(admin_user)
    mark_second_factor_passed(admin, admin_user, at=time.time() - 16 * 60)
    confirm = invite(admin, django_capture_on_commit_callbacks)["Location"]
    wrong = admin.post(confirm, {"code": "000000"})
    assert wrong.status_code == 200
    assert not User.objects.filter(username="amara.okafor").exists()
    assert AccountEvent.objects.filter(kind=Kind.SIGN_IN_FAILED, user=admin_user).exists()


@pytest.mark.django_db
def test_a_second_factor_14_minutes_old_is_fresh_enough(
    admin_user, django_capture_on_commit_callbacks
):
    admin = SecondFactorClient()
    admin.force_login(admin_user)
    mark_second_factor_passed(admin, admin_user, at=time.time() - 14 * 60)
    response = invite(admin, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert User.objects.filter(username="amara.okafor").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("person_deactivate", {"reason": "Left"}),
        ("person_reset_second_factor", {"reason": "Lost phone"}),
        ("person_request_role", {"role": Role.ADMIN}),
        ("team_create", {"name": "Team C"}),
    ],
)
def test_every_account_change_asks_for_a_stale_second_factor_again(admin_user, hv, name, data):
    admin = SecondFactorClient()
    admin.force_login(admin_user)
    mark_second_factor_passed(admin, admin_user, at=time.time() - 16 * 60)
    args = [] if name == "team_create" else [hv.pk]
    before = (AccountEvent.objects.count(), RoleRequest.objects.count())
    response = admin.post(reverse(name, args=args), data)
    assert response["Location"].split("?")[0] == reverse("mfa_reauthenticate")
    hv.refresh_from_db()
    assert hv.is_active
    assert Authenticator.objects.filter(user=hv).exists()
    assert (AccountEvent.objects.count(), RoleRequest.objects.count()) == before
    assert not Team.objects.filter(name="Team C").exists()


@pytest.mark.django_db
def test_a_team_leads_decision_with_a_stale_second_factor_asks_for_it_again(
    admin_user, team_lead, team_a, newcomer
):
    role_request = services.role_request_create(
        actor=admin_user, person=newcomer, role=Role.HEALTH_VISITOR, team=team_a
    )
    lead = SecondFactorClient()
    lead.force_login(team_lead)
    mark_second_factor_passed(lead, team_lead, at=time.time() - 16 * 60)
    response = lead.post(
        reverse("role_request_decide", args=[role_request.pk]), {"decision": "approve"}
    )
    assert response["Location"].split("?")[0] == reverse("mfa_reauthenticate")
    newcomer.refresh_from_db()
    assert newcomer.role == ""
    role_request.refresh_from_db()
    assert role_request.status == Status.PENDING
