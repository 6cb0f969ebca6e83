"""The account history: every kind of event is written, with no password or code, and no event
can be changed or deleted."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import DatabaseError, IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from attachment_app.accounts import services
from attachment_app.accounts.models import AccountEvent, Role, User
from tests.accounts.account_steps import (
    NEW_PASSWORD,
    Kind,
    invitation_token,
    invite,
    kinds_for,
    signed_in,
)
from tests.signin import mark_second_factor_passed, totp_code


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
