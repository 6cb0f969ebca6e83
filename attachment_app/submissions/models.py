"""What makes a form page safe on a poor connection: submissions by key, and drafts.

A :class:`Submission` is written in the same transaction as the change a form made, under the
unique key the page was shown with; the same form sent again finds it and is answered with what
the first one made (ADR 0011). A :class:`Draft` is what one user has typed on one page of one
record and not yet saved: it is never a record, and is shown to nobody else.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Submission(models.Model):
    """One form submission that changed something, by the key its page was shown with."""

    key = models.UUIDField(unique=True)
    #: Who sent it: a user, or (for a service replying through its link) nobody signed in.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    #: Who sent it when nobody was signed in, e.g. "service-link:12".
    outside_party = models.CharField(max_length=60, blank=True, default="")
    #: The page's URL pattern name and path (ids only, never personal data).
    page = models.CharField(max_length=100)
    path = models.CharField(max_length=300)
    #: A hash of what was sent, to tell a repeat from changed answers sent with an old key.
    fingerprint = models.CharField(max_length=64)
    #: Where the first submission went next, and what it made, when it made one record.
    result_url = models.CharField(max_length=500, blank=True, default="")
    result_label = models.CharField(max_length=100, blank=True, default="")
    result_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="submission_created")]

    def __str__(self) -> str:
        return f"Submission {self.key} to {self.page}"


class Draft(models.Model):
    """What one user typed on one page of one record, kept until the page is saved."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts"
    )
    page = models.CharField(max_length=100)
    path = models.CharField(max_length=300)
    #: The form's fields as the browser sent them: {name: [values]}.
    data = models.JSONField()
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "path"], name="draft_one_per_user_and_page")
        ]
        indexes = [models.Index(fields=["saved_at"], name="draft_saved")]

    def __str__(self) -> str:
        return f"Draft of {self.page}"
