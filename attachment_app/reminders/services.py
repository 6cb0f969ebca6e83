"""Scheduling, cancelling, sweeping and sending reminders.

Exactly once: a reminder is claimed by a conditional UPDATE before anything is sent, and each
recipient's notification is unique per reminder, so the sweep running twice, two sweeps at once
and a send task delivered twice all end in one notification and one email per person. A task
that dies after its claim leaves the row ``claimed``; once the claim is stale a later sweep sends
it again, and the notifications and emails already made are not made twice.
"""

import datetime
import logging
from collections.abc import Callable, Iterable
from functools import partial

from django.apps import apps
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from . import rules
from .models import Notification, Reminder

logger = logging.getLogger(__name__)

#: A claim older than this is taken to be from a task that died: a later sweep retries it.
STALE_CLAIM = datetime.timedelta(minutes=settings.REMINDER_STALE_CLAIM_MINUTES)
#: A pending reminder enqueued longer ago than this is enqueued again (the message was lost).
REENQUEUE_AFTER = STALE_CLAIM
#: One PostgreSQL advisory lock id for the sweep, so only one runs at a time anywhere.
SWEEP_LOCK_ID = 0x5EED_0006
SWEEP_BATCH = 500


def _subject(subject: models.Model) -> dict:
    return {"subject_type": subject._meta.label_lower, "subject_id": subject.pk}


def reminder_schedule(
    *,
    rule: str,
    subject: models.Model,
    due_at: datetime.datetime,
    key: str = "",
    stage: int = 1,
) -> Reminder | None:
    """Create a reminder, or move it if this occurrence is already scheduled and not sent.

    Nothing is scheduled for a subject marked entered in error (None is returned).
    """
    if getattr(subject, "entered_in_error_at", None) is not None:
        return None
    where = {"rule": rule, "key": key, "stage": stage, **_subject(subject)}
    reminder, created = Reminder.objects.get_or_create(**where, defaults={"due_at": due_at})
    if not created and reminder.status == Reminder.Status.PENDING and reminder.due_at != due_at:
        Reminder.objects.filter(pk=reminder.pk, status=Reminder.Status.PENDING).update(
            due_at=due_at, enqueued_at=None
        )
        reminder.refresh_from_db()
    return reminder


def reminder_cancel(*, subject: models.Model, rules_: Iterable[str] | None = None) -> int:
    """Cancel a subject's reminders not yet sent (of these rules, or all); return how many."""
    reminders = Reminder.objects.filter(
        status__in=[Reminder.Status.PENDING, Reminder.Status.CLAIMED], **_subject(subject)
    )
    if rules_ is not None:
        reminders = reminders.filter(rule__in=list(rules_))
    return reminders.update(status=Reminder.Status.CANCELLED, cancelled_at=timezone.now())


# --- The sweep --------------------------------------------------------------------------------


def _due(now: datetime.datetime):
    """Due reminders to hand to the broker: pending ones, and claims whose task died. Either is
    left alone for a while after it was last enqueued, so a busy queue is not flooded."""
    pending = Q(status=Reminder.Status.PENDING, due_at__lte=now)
    stale = Q(status=Reminder.Status.CLAIMED, claimed_at__lt=now - STALE_CLAIM)
    not_just_enqueued = Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - REENQUEUE_AFTER)
    return Reminder.objects.filter((pending | stale) & not_just_enqueued).order_by("due_at", "pk")


def reminders_sweep(*, enqueue: Callable[[int], object] | None = None) -> int | None:
    """Enqueue one send task per due reminder, after commit. None if another sweep is running."""
    if enqueue is None:
        from .tasks import send_reminder

        enqueue = send_reminder.delay
    total = 0
    broker = {"up": True}
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [SWEEP_LOCK_ID])
            (locked,) = cursor.fetchone()
        if not locked:
            return None
        now = timezone.now()
        seen: set[int] = set()
        while True:
            # Each batch is marked enqueued, so the next query moves on; ``seen`` makes sure.
            ids = [
                pk for pk in _due(now).values_list("pk", flat=True)[:SWEEP_BATCH] if pk not in seen
            ]
            if not ids:
                break
            seen.update(ids)
            Reminder.objects.filter(pk__in=ids).update(enqueued_at=now)
            for reminder_id in ids:
                transaction.on_commit(partial(_enqueue, enqueue, reminder_id, broker))
            total += len(ids)
    return total


def _enqueue(enqueue: Callable[[int], object], reminder_id: int, broker: dict) -> None:
    """Hand one reminder to the broker; if it cannot take it, the next sweep tries again.

    After one failure the rest of this sweep's reminders are not tried (each try would wait for
    the broker's timeout); they are marked as not enqueued, for the next sweep.
    """
    if broker["up"]:
        try:
            enqueue(reminder_id)
            return
        except Exception as error:
            broker["up"] = False
            logger.warning(
                "The broker refused a reminder (%r); the next sweep will retry",
                error,
            )
    Reminder.objects.filter(pk=reminder_id, status=Reminder.Status.PENDING).update(enqueued_at=None)


# --- Sending ----------------------------------------------------------------------------------


def _claim(reminder_id: int, now: datetime.datetime) -> bool:
    claimable = Q(status=Reminder.Status.PENDING) | Q(
        status=Reminder.Status.CLAIMED, claimed_at__lt=now - STALE_CLAIM
    )
    return bool(
        Reminder.objects.filter(claimable, pk=reminder_id, due_at__lte=now).update(
            status=Reminder.Status.CLAIMED, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def _subject_entered_in_error(reminder: Reminder) -> bool:
    """Whether the reminder's subject was marked entered in error since it was scheduled: then
    it is cancelled whatever its rule says. The subject's model is found by its label, so this
    app imports none of the clinical apps."""
    try:
        model = apps.get_model(reminder.subject_type)
    except LookupError:
        return False
    if not any(field.name == "entered_in_error_at" for field in model._meta.concrete_fields):
        return False
    return model._default_manager.filter(
        pk=reminder.subject_id, entered_in_error_at__isnull=False
    ).exists()


def reminder_send(reminder_id: int) -> str:
    """Send one due reminder at most once: claim it, re-check its subject, notify, mark sent."""
    now = timezone.now()
    if not _claim(reminder_id, now):
        return "not claimed"
    reminder = Reminder.objects.get(pk=reminder_id)
    try:
        delivery = None if _subject_entered_in_error(reminder) else rules.check(reminder)
        if delivery is None:
            Reminder.objects.filter(pk=reminder.pk).update(
                status=Reminder.Status.CANCELLED, cancelled_at=now
            )
            return "cancelled"
        notifications = _notify(reminder, delivery)
        _email(notifications)
        with transaction.atomic():
            Reminder.objects.filter(pk=reminder.pk, status=Reminder.Status.CLAIMED).update(
                status=Reminder.Status.SENT, sent_at=timezone.now(), last_error=""
            )
            if delivery.next_stage_at is not None:
                Reminder.objects.get_or_create(
                    rule=reminder.rule,
                    subject_type=reminder.subject_type,
                    subject_id=reminder.subject_id,
                    key=reminder.key,
                    stage=reminder.stage + 1,
                    defaults={"due_at": delivery.next_stage_at},
                )
    except Exception as error:
        # Give it back for the retry (or a later sweep); what was already sent stays sent.
        Reminder.objects.filter(pk=reminder.pk, status=Reminder.Status.CLAIMED).update(
            status=Reminder.Status.PENDING,
            enqueued_at=None,
            last_error=f"{type(error).__name__}"[:300],
        )
        raise
    return "sent"


def _notify(reminder: Reminder, delivery: rules.Delivery) -> list[Notification]:
    notifications = []
    for user in delivery.recipients:
        try:
            with transaction.atomic():
                notification, _ = Notification.objects.get_or_create(
                    reminder=reminder,
                    recipient=user,
                    defaults={"title": delivery.title, "link": delivery.link},
                )
        except IntegrityError:
            notification = Notification.objects.get(reminder=reminder, recipient=user)
        notifications.append(notification)
    return notifications


def _email(notifications: list[Notification]) -> None:
    """One email per notification not yet emailed. It says only that something needs
    attention, and where: no names, no clinical details."""
    for notification in notifications:
        if notification.emailed_at is not None or not notification.recipient.email:
            continue
        link = settings.SITE_URL.rstrip("/") + notification.link
        send_mail(
            subject=f"{settings.SERVICE_NAME}: something needs your attention",
            message=(
                f"{notification.title}.\n\nSign in to see it: {link}\n\n"
                "This email holds no details about families. Do not reply to it."
            ),
            from_email=None,
            recipient_list=[notification.recipient.email],
        )
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        logger.info("Reminder email sent for notification %s", notification.pk)


def notifications_send(*, recipients: Iterable, title: str, link: str) -> list[Notification]:
    """Tell each of these people something outside any reminder: in the app and by email.

    Once per person, title and link: sent again (a task run twice), nobody is told twice.
    """
    notifications = []
    for user in recipients:
        notification, _ = Notification.objects.get_or_create(
            reminder=None, recipient=user, title=title[:200], link=link[:200]
        )
        notifications.append(notification)
    _email(notifications)
    return notifications


# --- Reading and marking -----------------------------------------------------------------------


def notification_mark_read(*, actor, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the actor's own notifications read (these ones, or all)."""
    notifications = Notification.objects.for_user(actor).unread()
    if notification_ids is not None:
        notifications = notifications.filter(pk__in=list(notification_ids))
    return notifications.update(read_at=timezone.now())
