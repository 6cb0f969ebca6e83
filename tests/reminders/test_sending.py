"""Exactly once: however often the sweep and the send task run, one notification and one email
per person; failures leave the reminder for a later sweep. Emails carry no personal data."""

import datetime
import threading

import pytest
import time_machine
from django.core import mail
from django.db import close_old_connections, connection
from django.urls import reverse
from django.utils import timezone

from attachment_app.reminders import services
from attachment_app.reminders.models import Notification, Reminder
from referrals import services as referral_services
from tests.factories import BabyFactory, FamilyFactory
from tests.factories_referrals import ReferralFactory, ServiceFactory

from .conftest import at


@pytest.fixture
def due_reminder(team_a, hv, team_lead):
    """A referral submitted long ago: its review reminder is due now, for lead.a."""
    family = FamilyFactory(team=team_a, named_hv=hv, name="Okonkwo-Smith", postcode="LS1 4AP")
    BabyFactory(family=family)
    referral = ReferralFactory(family=family, service=ServiceFactory(), created_by=hv)
    with time_machine.travel(timezone.now() - datetime.timedelta(days=10), tick=False):
        referral_services.referral_transition(
            actor=hv, referral=referral, action="submit", expected_version=None
        )
    return Reminder.objects.get(rule="referral.review")


def sweep(capture, enqueue):
    with capture(execute=True):
        return services.reminders_sweep(enqueue=enqueue)


@pytest.mark.django_db
def test_sweep_twice_sends_once(due_reminder, django_capture_on_commit_callbacks, outbox):
    queued = []
    assert sweep(django_capture_on_commit_callbacks, queued.append) == 1
    # The second sweep sees it already enqueued (the worker has not run yet): nothing more.
    assert sweep(django_capture_on_commit_callbacks, queued.append) == 0
    for reminder_id in queued:
        services.reminder_send(reminder_id)
    assert Notification.objects.count() == 1
    assert len(outbox) == 1


@pytest.mark.django_db
def test_send_task_run_twice_sends_once(due_reminder, outbox):
    assert services.reminder_send(due_reminder.pk) == "sent"
    assert services.reminder_send(due_reminder.pk) == "not claimed"
    assert Notification.objects.count() == 1
    assert len(outbox) == 1
    due_reminder.refresh_from_db()
    assert due_reminder.status == Reminder.Status.SENT


@pytest.mark.django_db
def test_reminder_not_yet_due_is_neither_swept_nor_sent(due_reminder, outbox):
    Reminder.objects.filter(pk=due_reminder.pk).update(
        due_at=timezone.now() + datetime.timedelta(hours=1)
    )
    assert services.reminders_sweep(enqueue=lambda _id: None) == 0
    assert services.reminder_send(due_reminder.pk) == "not claimed"


@pytest.mark.django_db
def test_email_says_only_that_something_needs_attention(due_reminder, hv, outbox):
    services.reminder_send(due_reminder.pk)
    (email,) = outbox
    text = email.subject + email.body
    assert "Okonkwo-Smith" not in text
    assert "LS1" not in text
    assert "Low mood" not in text
    assert f"/referrals/{due_reminder.subject_id}/" in email.body
    assert email.to == ["lead.a@example.invalid"]


@pytest.mark.django_db
def test_a_task_that_fails_after_claiming_is_sent_once_by_a_later_sweep(
    due_reminder, monkeypatch, django_capture_on_commit_callbacks, outbox
):
    real_send = services.send_mail
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("SMTP went away")
        return real_send(*args, **kwargs)

    monkeypatch.setattr(services, "send_mail", flaky)
    with pytest.raises(ConnectionError):
        services.reminder_send(due_reminder.pk)
    due_reminder.refresh_from_db()
    assert due_reminder.status == Reminder.Status.PENDING
    assert due_reminder.last_error == "ConnectionError"
    queued = []
    sweep(django_capture_on_commit_callbacks, queued.append)
    assert queued == [due_reminder.pk]
    services.reminder_send(due_reminder.pk)
    assert Notification.objects.count() == 1
    assert len(outbox) == 1


@pytest.mark.django_db
def test_a_worker_killed_mid_task_leaves_a_stale_claim_that_a_later_sweep_retries(
    due_reminder, django_capture_on_commit_callbacks, outbox
):
    # A worker claimed it and died before sending (nothing ran its except clause).
    Reminder.objects.filter(pk=due_reminder.pk).update(
        status=Reminder.Status.CLAIMED, claimed_at=timezone.now(), attempts=1
    )
    queued = []
    assert sweep(django_capture_on_commit_callbacks, queued.append) == 0  # claim still fresh
    later = timezone.now() + services.STALE_CLAIM + datetime.timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        sweep(django_capture_on_commit_callbacks, queued.append)
        assert queued == [due_reminder.pk]
        assert services.reminder_send(due_reminder.pk) == "sent"
        assert services.reminder_send(due_reminder.pk) == "not claimed"
    assert Notification.objects.count() == 1
    assert len(outbox) == 1


@pytest.mark.django_db
def test_broker_down_leaves_reminders_for_the_next_sweep(
    due_reminder, django_capture_on_commit_callbacks
):
    def refuse(_id):
        raise ConnectionError("broker down")

    sweep(django_capture_on_commit_callbacks, refuse)
    due_reminder.refresh_from_db()
    assert due_reminder.status == Reminder.Status.PENDING
    assert due_reminder.enqueued_at is None
    queued = []
    sweep(django_capture_on_commit_callbacks, queued.append)
    assert queued == [due_reminder.pk]


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_enqueue_each_reminder_once(team_a, hv, team_lead):
    family = FamilyFactory(team=team_a, named_hv=hv)
    BabyFactory(family=family)
    for _ in range(30):
        referral = ReferralFactory(family=family, service=ServiceFactory(), created_by=hv)
        with time_machine.travel(at(2026, 1, 5, 10, 0), tick=False):
            referral_services.referral_transition(
                actor=hv, referral=referral, action="submit", expected_version=None
            )
    queued = []
    lock = threading.Lock()
    barrier = threading.Barrier(2)

    def enqueue(reminder_id):
        with lock:
            queued.append(reminder_id)

    def run():
        try:
            barrier.wait()
            services.reminders_sweep(enqueue=enqueue)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(queued) == sorted(Reminder.objects.values_list("pk", flat=True))
    assert len(queued) == 30


@pytest.mark.django_db
def test_sweep_refuses_to_run_while_another_holds_the_lock(due_reminder):
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    other = psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"], autocommit=False
    )
    try:
        other.execute("SELECT pg_advisory_xact_lock(%s)", [services.SWEEP_LOCK_ID])
        assert services.reminders_sweep(enqueue=lambda _id: None) is None
    finally:
        other.rollback()
        other.close()
    assert services.reminders_sweep(enqueue=lambda _id: None) == 1


# --- In-app notifications -------------------------------------------------------------------------


@pytest.mark.django_db
def test_user_sees_only_their_own_notifications_and_the_unread_count(
    client, due_reminder, team_lead, hv
):
    services.reminder_send(due_reminder.pk)
    client.force_login(hv)
    assert list(client.get(reverse("notification_list")).context["page"]) == []
    other = Notification.objects.get()
    client.post(reverse("notification_open", args=[other.pk]))
    other.refresh_from_db()
    assert other.read_at is None  # another user's notification is untouched

    client.force_login(team_lead)
    page = client.get(reverse("home")).content.decode()
    assert '1<span class="nhsuk-u-visually-hidden"> unread</span>' in page
    response = client.post(reverse("notification_open", args=[other.pk]))
    assert response["Location"] == f"/referrals/{due_reminder.subject_id}/"
    other.refresh_from_db()
    assert other.read_at is not None


def test_mail_backend_in_tests_is_locmem():
    from django.conf import settings

    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"
    assert mail.outbox is not None
