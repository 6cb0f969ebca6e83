"""Withdrawing access: deactivating an account (its sessions end, its waiting role request goes)
and resetting a person's second factor."""

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import Client
from django.urls import reverse

from attachment_app.accounts import services
from attachment_app.accounts.models import AccountEvent, Role, RoleRequest, User
from tests.accounts.account_steps import Kind, Status, kinds_for, signed_in
from tests.factories import TEST_PASSWORD, FamilyFactory

# --- Deactivation -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_deactivating_ends_the_persons_session_at_its_next_request(admin_user, hv):
    theirs = signed_in(hv)
    assert theirs.get(reverse("home")).status_code == 200
    response = signed_in(admin_user).post(
        reverse("person_deactivate", args=[hv.pk]), {"reason": "Left the service"}
    )
    assert response.status_code == 302
    hv.refresh_from_db()
    assert not hv.is_active
    event = AccountEvent.objects.get(kind=Kind.DEACTIVATED, user=hv)
    assert (event.actor, event.detail) == (admin_user, "Left the service")
    next_request = theirs.get(reverse("home"))
    assert next_request.status_code == 302
    assert next_request["Location"].split("?")[0] == reverse("account_login")
    family = FamilyFactory(team=hv.team)
    assert theirs.get(reverse("family_detail", args=[family.pk])).status_code == 302
    # ... and they cannot sign in again.
    again = Client().post(
        reverse("account_login"), {"login": hv.username, "password": TEST_PASSWORD}
    )
    assert again["Location"] == reverse("account_inactive")


@pytest.mark.django_db
def test_a_deactivated_persons_session_ends_for_good(admin_user, hv):
    # "Every session of it ends at its next request, for good" (services.person_deactivate):
    # the old session must not come back to life if the account is ever made active again.
    theirs = signed_in(hv)
    assert theirs.get(reverse("home")).status_code == 200
    signed_in(admin_user).post(
        reverse("person_deactivate", args=[hv.pk]), {"reason": "Left the service"}
    )
    assert theirs.get(reverse("home")).status_code == 302
    User.objects.filter(pk=hv.pk).update(is_active=True)
    assert theirs.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_deactivation_needs_a_reason_and_an_admin_cannot_deactivate_themselves(admin_user, hv):
    admin = signed_in(admin_user)
    no_reason = admin.post(reverse("person_deactivate", args=[hv.pk]), {"reason": ""})
    assert no_reason.status_code == 200
    assert "Enter the reason" in no_reason.content.decode()
    own = admin.post(reverse("person_deactivate", args=[admin_user.pk]), {"reason": "Testing"})
    assert own.status_code == 200
    assert "You cannot deactivate your own account" in own.content.decode()
    assert User.objects.filter(pk__in=[hv.pk, admin_user.pk], is_active=False).count() == 0
    assert not AccountEvent.objects.filter(kind=Kind.DEACTIVATED).exists()


@pytest.mark.django_db
def test_deactivating_withdraws_the_waiting_request_so_it_can_no_longer_be_approved(
    admin_user, team_lead, team_a, newcomer
):
    role_request = services.role_request_create(
        actor=admin_user, person=newcomer, role=Role.HEALTH_VISITOR, team=team_a
    )
    signed_in(admin_user).post(
        reverse("person_deactivate", args=[newcomer.pk]), {"reason": "Did not start"}
    )
    lead = signed_in(team_lead)
    assert list(lead.get(reverse("role_request_list")).context["page"].object_list) == []
    response = lead.post(
        reverse("role_request_decide", args=[role_request.pk]), {"decision": "approve"}
    )
    assert response.status_code != 302
    role_request.refresh_from_db()
    newcomer.refresh_from_db()
    assert role_request.status == Status.WITHDRAWN
    assert (newcomer.role, newcomer.team) == ("", None)
    assert Kind.ROLE_APPROVED not in kinds_for(newcomer)


@pytest.mark.django_db
def test_approving_a_role_for_a_deactivated_person_is_refused_with_a_clear_message(
    admin_user, team_lead, team_a, newcomer
):
    role_request = services.role_request_create(
        actor=admin_user, person=newcomer, role=Role.HEALTH_VISITOR, team=team_a
    )
    # Deactivated some other way than the service (so the request is still waiting).
    User.objects.filter(pk=newcomer.pk).update(is_active=False)
    response = signed_in(team_lead).post(
        reverse("role_request_decide", args=[role_request.pk]), {"decision": "approve"}
    )
    assert response.status_code == 200
    assert "This account has been deactivated, so the role cannot be given" in (
        response.content.decode()
    )
    role_request.refresh_from_db()
    newcomer.refresh_from_db()
    assert role_request.status == Status.PENDING
    assert role_request.decided_by is None
    assert (newcomer.role, newcomer.team) == ("", None)
    assert Kind.ROLE_APPROVED not in kinds_for(newcomer)


@pytest.mark.django_db
def test_a_deactivated_person_cannot_be_given_a_role_request(admin_user, newcomer, team_a):
    newcomer.is_active = False
    newcomer.save()
    response = signed_in(admin_user).post(
        reverse("person_request_role", args=[newcomer.pk]),
        {"role": Role.HEALTH_VISITOR, "team": team_a.pk},
    )
    assert response.status_code == 200
    assert "This account is deactivated" in response.content.decode()
    assert not RoleRequest.objects.filter(user=newcomer).exists()


# --- Second factor reset ----------------------------------------------------------------------


@pytest.mark.django_db
def test_resetting_the_second_factor_removes_it_emails_the_person_and_asks_for_a_new_one(
    admin_user, hv, django_capture_on_commit_callbacks
):
    theirs = signed_in(hv)
    assert theirs.get(reverse("home")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(admin_user).post(
            reverse("person_reset_second_factor", args=[hv.pk]), {"reason": "Lost their phone"}
        )
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=hv).exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [hv.email]
    assert "second factor" in mail.outbox[0].body
    event = AccountEvent.objects.get(kind=Kind.FACTOR_RESET, user=hv)
    assert (event.actor, event.detail) == (admin_user, "Lost their phone")
    # The session they already had (perhaps on the lost phone) is ended: it cannot set up a
    # factor of its own. They sign in with the password again and must set one up first.
    assert theirs.get(reverse("home"))["Location"].startswith(reverse("account_login"))
    assert theirs.get(reverse("mfa_activate_totp"))["Location"].startswith(reverse("account_login"))
    again = Client()
    again.post(reverse("account_login"), {"login": hv.username, "password": TEST_PASSWORD})
    assert again.get(reverse("home"))["Location"] == reverse("second_factor_setup")
    assert again.get(reverse("second_factor_setup")).status_code == 200


@pytest.mark.django_db
def test_an_admin_cannot_reset_their_own_second_factor(admin_user):
    response = signed_in(admin_user).post(
        reverse("person_reset_second_factor", args=[admin_user.pk]), {"reason": "Testing"}
    )
    assert response.status_code == 200
    assert "ask another admin" in response.content.decode()
    assert Authenticator.objects.filter(user=admin_user).exists()
    assert not AccountEvent.objects.filter(kind=Kind.FACTOR_RESET).exists()
