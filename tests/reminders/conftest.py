"""Helpers to run the reminder sweep and send in-process, at a chosen time."""

import datetime

import pytest
import time_machine
from django.core import mail

from attachment_app.reminders import services, workdays
from attachment_app.reminders.models import Notification

L = workdays.LONDON


def at(*parts) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=L)


@pytest.fixture
def run_reminders(django_capture_on_commit_callbacks):
    """Sweep at a moment and send what it enqueues; return the new notifications."""

    def run(moment: datetime.datetime) -> list[Notification]:
        before = set(Notification.objects.values_list("pk", flat=True))
        sent_ids = []
        with time_machine.travel(moment, tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                services.reminders_sweep(enqueue=sent_ids.append)
            for reminder_id in sent_ids:
                services.reminder_send(reminder_id)
        return list(Notification.objects.exclude(pk__in=before).order_by("pk"))

    return run


@pytest.fixture
def outbox():
    mail.outbox.clear()
    return mail.outbox
