"""Reminders wait here, in the database, with their due time; never as countdowns in Redis.

A reminder names a rule and a subject (any record, by its model label and id) and a ``key`` that
says which occurrence of the rule it is for (the submission time of a referral, say). The
services that change a subject create, move or cancel its reminders in the same transaction; the
sweep sends the due ones. Whether a reminder is still needed, and who receives it, is decided by
its rule when it is sent, so a reminder whose subject moved on or moved team is never delivered
to the wrong people.
"""

from django.conf import settings
from django.db import models


class Reminder(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting until due"
        CLAIMED = "claimed", "Being sent"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "No longer needed"

    rule = models.CharField(max_length=60)
    subject_type = models.CharField(max_length=60)
    subject_id = models.BigIntegerField()
    key = models.CharField(max_length=80, default="", blank=True)
    stage = models.PositiveSmallIntegerField(default=1)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            # What the sweep reads: due reminders not yet sent, oldest first.
            models.Index(
                fields=["due_at"],
                name="reminder_due",
                condition=models.Q(status__in=["pending", "claimed"]),
            ),
            models.Index(fields=["subject_type", "subject_id"], name="reminder_subject"),
            # The dashboard's late responses: each sent referral's first response reminder and
            # its due time, read from the index alone.
            models.Index(
                fields=["rule", "subject_type", "stage", "subject_id"],
                include=["due_at"],
                name="reminder_rule_subject_due",
            ),
        ]
        constraints = [
            # Scheduling the same occurrence twice moves one row rather than adding another.
            models.UniqueConstraint(
                fields=["rule", "subject_type", "subject_id", "key", "stage"],
                name="reminder_once_per_occurrence",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "claimed", "sent", "cancelled"]),
                name="reminder_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} for {self.subject_type} {self.subject_id}, due {self.due_at:%Y-%m-%d}"


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        """A user's own notifications, and nobody else's."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """What a reminder told one person: in the app, and by an email without personal data."""

    reminder = models.ForeignKey(
        Reminder, on_delete=models.PROTECT, null=True, blank=True, related_name="notifications"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(max_length=200)
    link = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["recipient"],
                name="notification_unread",
                condition=models.Q(read_at__isnull=True),
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reminder", "recipient"], name="notification_once_per_recipient"
            )
        ]

    def __str__(self) -> str:
        return self.title
