"""The access log: one row each time someone is shown a family's data. Rows can never change.

Change history (who changed what) is kept by django-pghistory's triggers on each tracked
model, which also catch bulk updates; its event tables refuse UPDATE and DELETE too
(``PGHISTORY_APPEND_ONLY``). The role the web and worker processes connect as may only insert
into and read these tables (``audit.roles``), so the application cannot erase them either.
"""

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models


class AccessLogQuerySet(models.QuerySet):
    def for_object(self, obj):
        """The accesses to one record."""
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))

    def for_family(self, family_id: int):
        """Every access that showed this family's data: its own pages, lists, searches, exports."""
        return self.filter(family_ids__contains=[family_id])


class AccessLog(models.Model):
    """Someone was shown (or exported) a record. Holds ids only, never the record's contents."""

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        EDIT = "edit", "Opened a form"
        LIST = "list", "Listed"
        SEARCH = "search", "Found in a search"
        EXPORT = "export", "Exported"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Staff accounts are deactivated, never deleted, so the log keeps pointing at a person.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accesses",
    )
    #: Someone outside the staff, when it was not a signed-in user: a service through its
    #: secure link ("service-link:42"). Never a name or an address.
    outside_party = models.CharField(max_length=60, blank=True, db_default="")
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.VIEW)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    #: The families whose data the response showed: the record's family, or every family a
    #: list, search or export named. What "who opened this record" reads.
    family_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    detail = models.CharField(
        max_length=200, blank=True, help_text="What was opened, in words without personal data."
    )

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-at"]),
            GinIndex(fields=["family_ids"], name="audit_access_family_ids_gin"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, outside_party="")
                | models.Q(user__isnull=True) & ~models.Q(outside_party=""),
                name="access_log_one_party",
            )
        ]
        triggers = [
            pgtrigger.Protect(
                name="access_log_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        who = self.user_id or self.outside_party
        return f"{who} {self.action} {self.object_type}:{self.object_id} at {self.at}"
