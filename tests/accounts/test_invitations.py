"""Inviting a person: the email and its link, accepting it, and links that are used, expired or
unknown."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from attachment_app.accounts.models import AccountEvent, Invitation, User
from tests.accounts.account_steps import (
    NEW_PASSWORD,
    Kind,
    invitation_token,
    invite,
    kinds_for,
    signed_in,
)
from tests.factories import TEST_PASSWORD


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
