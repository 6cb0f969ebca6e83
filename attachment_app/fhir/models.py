"""A team lead's bulk export of the team's records as FHIR Bulk Data files, kept for a day.

An export is asked for by one team lead, built in the worker, downloaded by that team lead and
nobody else, each file once, and deleted when its time is up (``bulk.bulk_exports_sweep``). The
files live here, in the database, so the web and worker processes share no disk; each is the
NDJSON of one resource type, gzip-compressed.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from attachment_app import permissions
from attachment_app.accounts.models import Team
from attachment_app.accounts.scoping import NOTHING, TeamScopedQuerySet


class BulkExportQuerySet(TeamScopedQuerySet):
    team_field = "team"

    def visible_to(self, user):
        """The exports this user asked for, while they may export their team's records; a
        team lead never sees another's, even in the same team."""
        if not permissions.may_bulk_export(user):
            return self.filter(NOTHING)
        return super().visible_to(user).filter(requested_by=user)


class BulkExport(models.Model):
    """One team lead's request for the team's families changed since a date, and its progress.

    "Changed since" is worked out when the export is built (``bulk.families_changed_since``):
    a family is in it when the family or any record of it was added or changed on or after the
    start of that day (London time), as its change history and its append-only records tell.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being built"
        DONE = "done", "Ready to download"
        FAILED = "failed", "Failed"

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    # Staff accounts are deactivated, never deleted: the export keeps naming who asked.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bulk_exports"
    )
    since = models.DateField("Changed since")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    families_total = models.PositiveIntegerField(null=True, blank=True)
    families_done = models.PositiveIntegerField(default=0)
    #: Every family whose records are in the files (for the access log of each download).
    family_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    #: What went wrong, in words without personal data.
    problem = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    #: When the sweep deleted the files, their time being up.
    purged_at = models.DateTimeField(null=True, blank=True)

    objects = BulkExportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="bulk_export_requester"),
            models.Index(
                fields=["expires_at"],
                name="bulk_export_to_purge",
                condition=models.Q(purged_at=None),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "done", "failed"]),
                name="bulk_export_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(families_total=None)
                | models.Q(families_done__lte=models.F("families_total")),
                name="bulk_export_done_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"Bulk export {self.pk} of {self.team_id}, changed since {self.since}"

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class BulkExportFileQuerySet(TeamScopedQuerySet):
    team_field = "export__team"

    def visible_to(self, user):
        """The files of the exports this user asked for (see ``BulkExportQuerySet``)."""
        if not permissions.may_bulk_export(user):
            return self.filter(NOTHING)
        return super().visible_to(user).filter(export__requested_by=user)


class BulkExportFile(models.Model):
    """One resource type's NDJSON file of an export, downloadable once."""

    #: The Bulk Data specification's media type for these files.
    CONTENT_TYPE = "application/fhir+ndjson"

    export = models.ForeignKey(BulkExport, on_delete=models.CASCADE, related_name="files")
    resource_type = models.CharField(max_length=64)
    #: Resources in the file: one a line.
    line_count = models.PositiveIntegerField()
    #: The file's size before compression, in bytes.
    size = models.PositiveBigIntegerField()
    #: The NDJSON, gzip-compressed; None once the file's time is up.
    content = models.BinaryField(null=True, editable=False)
    #: The families whose records gave a resource to this file.
    family_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)

    objects = BulkExportFileQuerySet.as_manager()

    class Meta:
        ordering = ["resource_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["export", "resource_type"], name="bulk_export_file_per_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource_type} file of bulk export {self.export_id}"

    @property
    def file_name(self) -> str:
        return f"export-{self.export_id}-{self.resource_type}.ndjson"
