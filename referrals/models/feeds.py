"""Open Referral UK feeds the directory is kept in step with, and each import's report.

A feed is registered by an admin and synced on its schedule by Celery beat; an import from a
file or a URL typed on the admin page, or from ``manage.py oruk_import``, is kept here too, so
every change to the directory from outside has its report.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models


class DirectoryFeed(models.Model):
    """An ORUK feed (its base URL) whose services are imported on a schedule."""

    class Schedule(models.TextChoices):
        DAILY = "daily", "Every day"
        WEEKLY = "weekly", "Every week"
        PAUSED = "paused", "Paused (only when run by hand)"

    name = models.CharField(max_length=120, unique=True)
    url = models.URLField(
        "Feed address",
        max_length=300,
        unique=True,
        help_text="The base address of the API, the part before /services.",
    )
    schedule = models.CharField(max_length=10, choices=Schedule.choices, default=Schedule.DAILY)
    notify = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="Who is told",
        blank=True,
        related_name="+",
        help_text="Admins told when a sync refuses records or retires services.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_run_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When a sync was last handed to the worker: the hourly sweep hands a due feed on once, not
    # again while that sync waits in the queue (unless its message looks lost).
    sync_enqueued_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def interval(self) -> timedelta | None:
        """How long between syncs; None when paused."""
        days = {self.Schedule.DAILY: 1, self.Schedule.WEEKLY: 7}.get(self.schedule)
        return timedelta(days=days) if days else None


class DirectoryImport(models.Model):
    """One import from a feed or a file: its report, and whether it was saved."""

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        CHECKED = "checked", "Checked, not saved"
        SAVED = "saved", "Saved"
        REFUSED = "refused", "Refused, nothing saved"
        FAILED = "failed", "The feed could not be read, nothing saved"

    feed = models.ForeignKey(
        DirectoryFeed, on_delete=models.CASCADE, null=True, blank=True, related_name="imports"
    )
    source = models.CharField(max_length=300)
    dry_run = models.BooleanField(default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    # An uploaded file waits here between its check and the admin's confirmation (then cleared).
    upload = models.BinaryField(null=True, blank=True, editable=False)
    # The report as plain data (referrals.oruk.report.Report.as_dict): counts, feed problems and a
    # line per service.
    report = models.JSONField(default=dict)
    # For a check an admin confirmed: the import that saved it, so it is confirmed only once.
    confirmed_as = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="checked_first",
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["feed", "-started_at"], name="directory_import_recent")]

    def __str__(self) -> str:
        return f"Import from {self.source} ({self.get_outcome_display()})"
