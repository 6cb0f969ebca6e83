"""Administering accounts: invitations, deactivation, second-factor resets, role decisions, the
account history, and asking for the second factor again before a change."""

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from attachment_app.accounts import services
from attachment_app.accounts.models import (
    AccountEvent,
    Invitation,
    Role,
    RoleRequest,
    Team,
    User,
)
from tests.factories import TEST_PASSWORD, AdminFactory, FamilyFactory, UserFactory
from tests.signin import SecondFactorClient, mark_second_factor_passed, totp_code

Kind = AccountEvent.Kind
Status = RoleRequest.Status
NEW_PASSWORD = "Kettle-harbour-7731"
INVITE = {
    "first_name": "Amara",
    "last_name": "Okafor",
    "email": "amara.okafor@example.invalid",
    "username": "amara.okafor",
}
LINK = re.compile(r"https?://[^\s]+/invitation/([^/\s]+)/")


def signed_in(user) -> SecondFactorClient:
    browser = SecondFactorClient()
    browser.force_login(user)
    return browser


@pytest.fixture
def second_admin(db):
    return AdminFactory(username="admin.two")


@pytest.fixture
def newcomer(db):
    return UserFactory(username="new.person", role="", team=None)


def invite(admin_browser, capture, **changes):
    with capture(execute=True):
        response = admin_browser.post(reverse("person_invite"), {**INVITE, **changes})
    return response


def invitation_token(message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def kinds_for(user) -> set[str]:
    return set(AccountEvent.objects.filter(user=user).values_list("kind", flat=True))


# --- Invitations ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_inviting_a_person_sends_one_email_with_a_link_and_no_password(
    admin_user, django_capture_on_commit_callbacks
):
    response = invite(signed_in(admin_user), django_capture_on_commit_callbacks)
    person = User.objects.get(username="amara.okafor")
    assert response.status_code == 302
    assert response["Location"] == reverse("person_detail", args=[person.pk])
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["amara.okafor@example.invalid"]
    token = invitation_token(message)
    # No password anywhere: the account has none, and the email carries none.
    assert not person.has_usable_password()
    assert TEST_PASSWORD not in message.body
    assert person.password not in message.body
    assert (person.role, person.team) == ("", None)
    # Only a hash of the link's token is kept.
    invitation = Invitation.objects.get(user=person)
    assert token not in invitation.token_hash
    assert invitation.invited_by == admin_user
    assert AccountEvent.objects.filter(kind=Kind.INVITED, user=person, actor=admin_user).exists()


@pytest.mark.django_db
def test_accepting_an_invitation_sets_the_password_and_uses_the_link_up(
    admin_user, django_capture_on_commit_callbacks
):
    invite(signed_in(admin_user), django_capture_on_commit_callbacks)
    token = invitation_token(mail.outbox[0])
    url = reverse("invitation_accept", args=[token])
    browser = Client()
    assert browser.get(url).status_code == 200
    accepted = browser.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert accepted.status_code == 302
    person = User.objects.get(username="amara.okafor")
    assert person.check_password(NEW_PASSWORD)
    assert Invitation.objects.get(user=person).used_at is not None
    assert Kind.INVITATION_USED in kinds_for(person)
    # Signed in with the new password; the next step is setting up the second factor.
    assert browser.get(reverse("home"))["Location"] == reverse("second_factor_setup")

    again = Client().get(url)
    assert again.status_code == 410
    assert "This invitation has been used" in again.content.decode()
    reused = Client().post(url, {"password1": "Other-pass-4410x", "password2": "Other-pass-4410x"})
    assert "This invitation has been used" in reused.content.decode()
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_mismatched_passwords_leave_the_invitation_unused(
    admin_user, django_capture_on_commit_callbacks
):
    invite(signed_in(admin_user), django_capture_on_commit_callbacks)
    url = reverse("invitation_accept", args=[invitation_token(mail.outbox[0])])
    response = Client().post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})
    assert response.status_code == 200
    assert "The two passwords do not match" in response.content.decode()
    person = User.objects.get(username="amara.okafor")
    assert not person.has_usable_password()
    assert Invitation.objects.get(user=person).used_at is None


@pytest.mark.django_db
def test_an_invitation_expires_after_72_hours(admin_user, django_capture_on_commit_callbacks):
    assert timedelta(hours=72) == settings.INVITATION_VALID_FOR
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as traveller:
        invite(signed_in(admin_user), django_capture_on_commit_callbacks)
        url = reverse("invitation_accept", args=[invitation_token(mail.outbox[0])])
        person = User.objects.get(username="amara.okafor")
        traveller.shift(timedelta(hours=71, minutes=59))
        assert Client().get(url).status_code == 200
        assert Kind.INVITATION_EXPIRED not in kinds_for(person)
        traveller.shift(timedelta(minutes=2))
        expired = Client().get(url)
        assert expired.status_code == 410
        assert "This invitation has expired" in expired.content.decode()
        assert Kind.INVITATION_EXPIRED in kinds_for(person)
        late = Client().post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
        assert "This invitation has expired" in late.content.decode()
    person.refresh_from_db()
    assert not person.has_usable_password()
    assert Invitation.objects.get(user=person).used_at is None


@pytest.mark.django_db
def test_an_unknown_invitation_link_is_a_404_and_writes_nothing(db):
    before = AccountEvent.objects.count()
    response = Client().get(reverse("invitation_accept", args=["not-a-real-token"]))
    assert response.status_code == 404
    assert "This invitation link does not work" in response.content.decode()
    assert AccountEvent.objects.count() == before


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


# --- Role decisions ---------------------------------------------------------------------------


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


# --- The account history ----------------------------------------------------------------------


@pytest.mark.django_db
def test_every_kind_of_account_event_is_written(
    admin_user, team_lead, team_a, django_capture_on_commit_callbacks
):
    admin = signed_in(admin_user)
    # Invited, then the invitation used.
    invite(admin, django_capture_on_commit_callbacks)
    person = User.objects.get(username="amara.okafor")
    url = reverse("invitation_accept", args=[invitation_token(mail.outbox[0])])
    theirs = Client()
    theirs.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    # The second factor set up with the app.
    secret = theirs.get(reverse("mfa_activate_totp")).context["form"].secret
    with django_capture_on_commit_callbacks(execute=True):
        enrolled = theirs.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert enrolled.status_code == 302
    # Role requested and refused, requested again and approved.
    first = services.role_request_create(
        actor=admin_user, person=person, role=Role.HEALTH_VISITOR, team=team_a
    )
    services.role_request_decide(actor=team_lead, request=first, approve=False, reason="Typo")
    second = services.role_request_create(
        actor=admin_user, person=person, role=Role.HEALTH_VISITOR, team=team_a
    )
    services.role_request_decide(actor=team_lead, request=second, approve=True)
    # Password changed, by the person.
    mark_second_factor_passed(theirs, person)
    changed = theirs.post(
        reverse("account_change_password"),
        {"oldpassword": NEW_PASSWORD, "password1": "Lantern-7712-x", "password2": "Lantern-7712-x"},
    )
    assert changed.status_code == 302
    # Signed in, a sign-in failed, and signing in locked.
    browser = Client()
    browser.post(reverse("account_login"), {"login": person.username, "password": "Lantern-7712-x"})
    browser.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    for _ in range(settings.SIGN_IN_FAILURES_PER_USERNAME_AND_ADDRESS):
        Client().post(reverse("account_login"), {"login": person.username, "password": "wrong"})
    Client().post(reverse("account_login"), {"login": person.username, "password": "wrong"})
    # Second factor reset, then deactivated.
    services.second_factor_reset(actor=admin_user, person=person, reason="Lost phone")
    services.person_deactivate(actor=admin_user, person=person, reason="Left")
    # An expired invitation opened (another person's).
    with time_machine.travel(datetime.now(UTC) - timedelta(days=4), tick=False):
        invite(
            admin,
            django_capture_on_commit_callbacks,
            email="late@example.invalid",
            username="late.person",
        )
    late = User.objects.get(username="late.person")
    Client().get(reverse("invitation_accept", args=[invitation_token(mail.outbox[-1])]))

    expected = {
        Kind.INVITED,
        Kind.INVITATION_USED,
        Kind.FACTOR_ENROLLED,
        Kind.ROLE_REQUESTED,
        Kind.ROLE_REFUSED,
        Kind.ROLE_APPROVED,
        Kind.PASSWORD_CHANGED,
        Kind.SIGN_IN_SUCCEEDED,
        Kind.SIGN_IN_FAILED,
        Kind.SIGN_IN_LOCKED,
        Kind.FACTOR_RESET,
        Kind.DEACTIVATED,
    }
    written = kinds_for(person) | set(
        AccountEvent.objects.filter(username=person.username).values_list("kind", flat=True)
    )
    assert expected - written == set()
    assert Kind.INVITATION_EXPIRED in kinds_for(late)
    # No password or code is kept in the history.
    details = " ".join(AccountEvent.objects.values_list("detail", flat=True))
    assert NEW_PASSWORD not in details
    assert "Lantern-7712-x" not in details
    assert secret not in details


@pytest.mark.django_db
def test_account_events_cannot_be_changed(hv):
    event = AccountEvent.objects.create(kind=Kind.SIGN_IN_FAILED, user=hv, username=hv.username)
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        AccountEvent.objects.filter(pk=event.pk).update(detail="nothing happened")
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        AccountEvent(pk=event.pk, kind=Kind.SIGN_IN_SUCCEEDED, user=hv, at=event.at).save()
    event.refresh_from_db()
    assert (event.kind, event.detail) == (Kind.SIGN_IN_FAILED, "")


@pytest.mark.django_db
def test_account_events_cannot_be_deleted(hv):
    event = AccountEvent.objects.create(kind=Kind.SIGN_IN_FAILED, user=hv, username=hv.username)
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        event.delete()
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        AccountEvent.objects.all().delete()
    assert AccountEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_the_database_refuses_an_unknown_event_kind(hv):
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountEvent.objects.create(kind="role_given_quietly", user=hv)


# --- The second factor again before a change --------------------------------------------------


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
