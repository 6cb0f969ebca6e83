"""The access log: one row each time someone opens a record. Rows can never change.

Change history (who changed what) is kept by django-pghistory's triggers on each tracked
model, which also catch bulk updates; its event tables refuse UPDATE and DELETE too
(``PGHISTORY_APPEND_ONLY``).
"""

import pgtrigger
from django.conf import settings
from django.db import models


class AccessLogQuerySet(models.QuerySet):
    def for_object(self, obj):
        """The accesses to one record."""
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


class AccessLog(models.Model):
    """Someone opened (or exported) a record. Holds ids only, never the record's contents."""

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        EXPORT = "export", "Exported"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Staff accounts are deactivated, never deleted, so the log keeps pointing at a person.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="accesses"
    )
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.VIEW)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    detail = models.CharField(
        max_length=200, blank=True, help_text="What was opened, in words without personal data."
    )

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"])]
        triggers = [
            pgtrigger.Protect(
                name="access_log_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.object_type}:{self.object_id} at {self.at}"
