"""The demo command that brings reminders forward, and the sweep at scale."""

import datetime
import time

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from attachment_app.reminders import services
from attachment_app.reminders.models import Reminder


@pytest.mark.django_db
def test_bring_forward_makes_near_reminders_due_and_leaves_far_ones(settings):
    now = timezone.now()
    near = Reminder.objects.create(
        rule="r", subject_type="x.y", subject_id=1, due_at=now + datetime.timedelta(days=3)
    )
    far = Reminder.objects.create(
        rule="r", subject_type="x.y", subject_id=2, due_at=now + datetime.timedelta(days=30)
    )
    call_command("reminders_bring_forward", "--days", "7", stdout=open("/dev/null", "w"))  # noqa: SIM115
    near.refresh_from_db()
    far.refresh_from_db()
    assert near.due_at <= timezone.now()
    assert far.due_at > now + datetime.timedelta(days=29)


@pytest.mark.django_db
def test_bring_forward_is_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("reminders_bring_forward")


@pytest.mark.django_db
def test_sweep_of_100000_rows_with_1000_due_finds_exactly_the_due_ones_quickly():
    now = timezone.now()
    rows = [
        Reminder(
            rule="scale",
            subject_type="x.y",
            subject_id=n,
            due_at=now - datetime.timedelta(minutes=1)
            if n < 1000
            else now + datetime.timedelta(days=1 + n % 30),
        )
        for n in range(100_000)
    ]
    Reminder.objects.bulk_create(rows, batch_size=10_000)
    # The sweep's query uses the partial index on due reminders: ANALYZE as production would.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reminders_reminder")
    queued = []
    started = time.perf_counter()
    with connection.cursor():
        found = services.reminders_sweep(enqueue=queued.append)
    elapsed = time.perf_counter() - started
    print(f"sweep of 100,000 reminders, 1,000 due: {elapsed:.3f} s")
    assert found == 1000
    # Generous, so a busy CI machine does not fail it; measured at about 0.1 s here.
    assert elapsed < 3, elapsed
