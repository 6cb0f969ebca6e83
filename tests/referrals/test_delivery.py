"""Sending a referral: by email through the worker (sent only once the mail server has taken
it, exactly once, retried on failure), or recorded by hand with the date. Hazard H-052."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from attachment_app.reminders.models import Reminder
from referrals import reminders, services, services_delivery
from referrals.models import ReferralDelivery, ServiceLink
from referrals.workflow import Status
from tests.factories_referrals import ServiceFactory

from .sending import make_ready, send_by_email, token_in

pytestmark = pytest.mark.django_db


class FailingBackend:
    """A mail server that refuses every message."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


@pytest.fixture
def ready(referral, hv, team_lead):
    return make_ready(referral, hv, team_lead)


def test_approval_makes_a_referral_ready_to_send_not_sent(ready):
    assert ready.status == Status.READY
    assert ready.sent_at is None
    assert not ReferralDelivery.objects.exists()


def test_asking_for_the_email_leaves_the_referral_ready_until_the_worker_has_sent_it(ready, hv):
    mail.outbox.clear()
    delivery = services_delivery.referral_send_by_email(
        actor=hv, referral=ready, expected_version=None
    )
    ready.refresh_from_db()
    assert (ready.status, delivery.status, mail.outbox) == (Status.READY, "pending", [])
    assert services_delivery.delivery_send(delivery.pk) == "sent"
    ready.refresh_from_db()
    delivery.refresh_from_db()
    assert ready.status == Status.SENT
    assert delivery.handed_at is not None
    assert ready.sent_at >= delivery.handed_at
    (email,) = mail.outbox
    assert email.to == [ready.service.email]
    event = ready.events.order_by("-pk").first()
    assert (event.from_status, event.to_status, event.actor) == (Status.READY, Status.SENT, hv)


def test_the_email_holds_no_personal_or_clinical_data(ready, hv, family):
    caregiver = family.caregivers.first()
    baby = family.babies.first()
    token = send_by_email(ready, hv)
    (email,) = mail.outbox
    text = email.subject + email.body
    for private in [
        family.name,
        family.postcode,
        family.address_line_1,
        ready.reason,
        ready.information_shared,
        baby.name,
        baby.nhs_number or "no NHS number",
        *([caregiver.name] if caregiver else []),
        *[concern.category.name for concern in ready.concerns.all()],
    ]:
        assert private not in text, private
    assert ready.family.team.name in text
    assert token in text


def test_a_mail_server_failure_is_retried_and_the_referral_is_not_shown_as_sent_before(ready, hv):
    delivery = services_delivery.referral_send_by_email(
        actor=hv, referral=ready, expected_version=None
    )
    with (
        override_settings(EMAIL_BACKEND="tests.referrals.test_delivery.FailingBackend"),
        pytest.raises(ConnectionRefusedError),
    ):
        services_delivery.delivery_send(delivery.pk)
    ready.refresh_from_db()
    delivery.refresh_from_db()
    assert ready.status == Status.READY
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        "pending",
        1,
        "ConnectionRefusedError",
    )
    assert delivery.claimed_at is None  # handed back for the retry
    mail.outbox.clear()
    assert services_delivery.delivery_send(delivery.pk) == "sent"
    ready.refresh_from_db()
    assert ready.status == Status.SENT
    assert len(mail.outbox) == 1


def test_the_sending_is_asked_and_run_twice_and_makes_one_email(ready, hv):
    mail.outbox.clear()
    first = services_delivery.referral_send_by_email(
        actor=hv, referral=ready, expected_version=None
    )
    again = services_delivery.referral_send_by_email(
        actor=hv, referral=ready, expected_version=None
    )
    assert first == again
    assert services_delivery.delivery_send(first.pk) == "sent"
    assert services_delivery.delivery_send(first.pk) == "not claimed"
    assert len(mail.outbox) == 1
    assert ReferralDelivery.objects.count() == 1
    assert ready.events.filter(to_status=Status.SENT).count() == 1


def test_a_claim_left_by_a_dead_worker_is_taken_again_only_when_stale(ready, hv):
    delivery = services_delivery.referral_send_by_email(
        actor=hv, referral=ready, expected_version=None
    )
    ReferralDelivery.objects.filter(pk=delivery.pk).update(claimed_at=timezone.now())
    assert services_delivery.delivery_send(delivery.pk) == "not claimed"
    ReferralDelivery.objects.filter(pk=delivery.pk).update(
        claimed_at=timezone.now() - datetime.timedelta(minutes=11)
    )
    assert services_delivery.delivery_send(delivery.pk) == "sent"


def test_the_sweep_hands_on_waiting_emails_whose_message_was_lost(ready, hv, monkeypatch):
    sent = []
    monkeypatch.setattr(services_delivery, "_enqueue", lambda name, pk: sent.append((name, pk)))
    delivery = services_delivery.referral_send_by_email(
        actor=hv, referral=ready, expected_version=None
    )
    assert services_delivery.deliveries_sweep() == 1
    assert sent == [("referrals.send_referral_email", delivery.pk)]
    services_delivery.delivery_send(delivery.pk)
    assert services_delivery.deliveries_sweep() == 0


def test_a_referral_withdrawn_before_the_email_went_is_not_emailed(ready, hv):
    delivery = services_delivery.referral_send_by_email(
        actor=hv, referral=ready, expected_version=None
    )
    services.referral_transition(
        actor=hv, referral=ready, action="withdraw", note="Family moved.", expected_version=None
    )
    mail.outbox.clear()
    assert services_delivery.delivery_send(delivery.pk) == "cancelled"
    assert mail.outbox == []
    delivery.refresh_from_db()
    assert delivery.status == "cancelled"
    assert not ServiceLink.objects.filter(revoked_at__isnull=True).exists()


def test_a_service_not_taking_email_cannot_be_emailed(referral, hv, team_lead, family):
    referral.service = ServiceFactory(referral_method="phone", phone="0113 496 0999")
    referral.save()
    make_ready(referral, hv, team_lead)
    with pytest.raises(ValidationError, match="does not take referrals by email"):
        services_delivery.referral_send_by_email(actor=hv, referral=referral, expected_version=None)
    assert not ReferralDelivery.objects.exists()


def test_a_referral_sent_another_way_is_sent_only_when_recorded_with_its_date(ready, hv):
    today = timezone.localdate()
    for method, sent_on, field in [
        ("email", today, "method"),
        ("carrier pigeon", today, "method"),
        ("phone", None, "sent_on"),
        ("phone", today + datetime.timedelta(days=1), "sent_on"),
        ("phone", today - datetime.timedelta(days=3), "sent_on"),  # before it was ready
    ]:
        with pytest.raises(ValidationError) as refused:
            services_delivery.referral_record_sent(
                actor=hv, referral=ready, expected_version=None, method=method, sent_on=sent_on
            )
        assert field in refused.value.message_dict
    ready.refresh_from_db()
    assert ready.status == Status.READY
    referral = services_delivery.referral_record_sent(
        actor=hv,
        referral=ready,
        expected_version=None,
        method="phone",
        sent_on=today,
        note="Spoke to the duty worker.",
    )
    assert referral.status == Status.SENT
    event = referral.events.order_by("-pk").first()
    assert event.note.startswith("Phoned the service on ")
    assert "Spoke to the duty worker." in event.note
    delivery = ReferralDelivery.objects.get()
    assert (delivery.method, delivery.sent_on, delivery.status) == ("phone", today, "sent")


def test_recording_another_way_cancels_an_email_still_waiting(ready, hv):
    waiting = services_delivery.referral_send_by_email(
        actor=hv, referral=ready, expected_version=None
    )
    services_delivery.referral_record_sent(
        actor=hv, referral=ready, expected_version=None, method="ers", sent_on=timezone.localdate()
    )
    waiting.refresh_from_db()
    assert waiting.status == "cancelled"
    mail.outbox.clear()
    assert services_delivery.delivery_send(waiting.pk) == "not claimed"
    assert mail.outbox == []


def test_a_team_from_another_team_cannot_send_it(ready, hv_b, team_lead_b):
    from django.core.exceptions import PermissionDenied

    for outsider in (hv_b, team_lead_b):
        with pytest.raises(PermissionDenied):
            services_delivery.referral_send_by_email(
                actor=outsider, referral=ready, expected_version=None
            )
        with pytest.raises(PermissionDenied):
            services_delivery.referral_record_sent(
                actor=outsider,
                referral=ready,
                expected_version=None,
                method="phone",
                sent_on=timezone.localdate(),
            )
    assert not ReferralDelivery.objects.exists()


def _pending(referral, rule):
    return Reminder.objects.filter(
        subject_type="referrals.referral",
        subject_id=referral.pk,
        rule=rule,
        status=Reminder.Status.PENDING,
    )


def test_the_unacknowledged_reminder_starts_when_it_is_really_sent(ready, hv):
    assert _pending(ready, reminders.UNSENT).count() == 1
    assert not _pending(ready, reminders.RESPONSE).exists()
    send_by_email(ready, hv)
    assert not _pending(ready, reminders.UNSENT).exists()
    stages = _pending(ready, reminders.RESPONSE)
    assert stages.count() == 2
    assert {reminder.key for reminder in stages} == {ready.sent_at.isoformat()}


def test_an_email_link_points_at_the_site(ready, hv, settings):
    settings.SITE_URL = "https://starting-relationships.example.nhs.uk/"
    token = send_by_email(ready, hv)
    assert f"https://starting-relationships.example.nhs.uk/s/{token}/" in mail.outbox[0].body
    assert token_in(mail.outbox[0].body) == token
