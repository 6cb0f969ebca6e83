"""Step 2: instrument definitions, screening results, concerns, strengths and areas of need.

Definitions are data (``screening/definitions/*.json``, validated by the pure engine in
``screening/engine.py``). A result keeps the definition version that scored it and is never
edited: a correction is a new result that supersedes it.
"""

from functools import cached_property

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from attachment_app.formatting import format_date
from conversations.models import (
    ENTERED_IN_ERROR_COMPLETE,
    NOTE_LENGTH,
    Contact,
    EnteredInError,
    Family,
    RecordQuerySet,
)

from . import engine


class InstrumentDefinition(models.Model):
    """One version of one instrument's definition, as validated by the engine."""

    code = models.CharField(max_length=40)
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20)
    definition = models.JSONField()
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="instrument_code_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"

    @cached_property
    def parsed(self) -> engine.Definition:
        """This version as the engine reads it, parsed once for each row fetched.

        Kept on the row, not between requests: what a version scores never changes once it is
        stored, but a label that scores nothing may be added to it in place (see the definitions
        README), and the next request's row reads it.
        """
        return engine.load_definition(self.definition)


class ConcernCategory(models.Model):
    """A kind of concern; the list ships with the app and admins may add to it."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "concern categories"

    def __str__(self) -> str:
        return self.name


class ScreeningResultQuerySet(RecordQuerySet):
    def current(self):
        """Results that stand and that no standing correction has superseded: a correction
        entered in error gives the result it corrected back its place."""
        return self.in_record().filter(
            models.Q(superseded_by__isnull=True)
            | models.Q(superseded_by__entered_in_error_at__isnull=False)
        )


#: What the append-only trigger lets change on a result: its one mark as entered in error.
ENTERED_IN_ERROR_FIELDS = ["entered_in_error_at", "entered_in_error_by", "entered_in_error_reason"]


@pghistory.track()
class ScreeningResult(EnteredInError):
    """A completed instrument. Append-only: corrections supersede, never overwrite; the one
    change allowed is marking it entered in error, once."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="screening_results")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="screening_results")
    definition = models.ForeignKey(
        InstrumentDefinition, on_delete=models.PROTECT, related_name="results"
    )
    answers = models.JSONField(default=dict, blank=True)
    total = models.IntegerField(null=True, blank=True)
    scale_totals = models.JSONField(default=dict, blank=True)
    band = models.CharField(max_length=100, blank=True)
    positive = models.BooleanField(null=True)
    triggered_rules = ArrayField(models.CharField(max_length=80), default=list, blank=True)
    # The parent agreed to complete this questionnaire (to this assessment, for an observational
    # tool): asked for each result, whatever was decided about the relationship conversation.
    # Null only for results recorded before it was asked, when the conversation's consent stood in.
    parent_agreed = models.BooleanField(null=True)
    # Result-only instruments (observational tools): who rated, and their certification.
    rater = models.CharField(max_length=120, blank=True)
    certification = models.CharField(max_length=200, blank=True)
    summary = models.TextField(max_length=NOTE_LENGTH, blank=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    correction_reason = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScreeningResultQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["family", "-recorded_at"], name="result_family_recent")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(supersedes__isnull=True) | ~models.Q(correction_reason=""),
                name="result_correction_has_reason",
            ),
            # Never recorded against the parent's wishes: agreed, or recorded before it was asked.
            models.CheckConstraint(
                condition=~models.Q(parent_agreed=False), name="result_not_without_agreement"
            ),
            ENTERED_IN_ERROR_COMPLETE,
        ]
        triggers = [
            pgtrigger.Protect(name="screening_result_never_deleted", operation=pgtrigger.Delete),
            # Every change is refused but the first mark as entered in error.
            pgtrigger.Protect(
                name="screening_result_append_only",
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange(exclude=ENTERED_IN_ERROR_FIELDS),
            ),
            pgtrigger.Protect(
                name="screening_result_marked_once",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__entered_in_error_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.definition} on {format_date(self.recorded_at)}"


class ConcernQuerySet(RecordQuerySet):
    def open(self):
        """Concerns that stand and are not yet closed."""
        return self.in_record().filter(closed_at__isnull=True)

    def awaiting_acknowledgement(self):
        """Urgent concerns that stand and that nobody has acknowledged yet."""
        return self.in_record().filter(urgent=True, acknowledged_at__isnull=True)


@pghistory.track()
class Concern(EnteredInError):
    """Something about the family that needs attention. Urgent ones must be acknowledged."""

    class Severity(models.TextChoices):
        LOW = "low", "Low"
        MODERATE = "moderate", "Moderate"
        HIGH = "high", "High"

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="concerns")
    contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, related_name="concerns", null=True, blank=True
    )
    category = models.ForeignKey(ConcernCategory, on_delete=models.PROTECT, related_name="+")
    severity = models.CharField(max_length=20, choices=Severity.choices)
    urgent = models.BooleanField(default=False)
    note = models.TextField(max_length=NOTE_LENGTH, blank=True)
    source_result = models.ForeignKey(
        ScreeningResult,
        on_delete=models.PROTECT,
        related_name="concerns",
        null=True,
        blank=True,
    )
    source_rule = models.CharField(max_length=80, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action_taken = models.TextField(max_length=NOTE_LENGTH, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    close_reason = models.TextField(max_length=NOTE_LENGTH, blank=True)

    objects = ConcernQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-pk"]
        indexes = [
            models.Index(fields=["family", "closed_at"], name="concern_family_open"),
            models.Index(
                fields=["urgent", "acknowledged_at"],
                name="concern_urgent_unacknowledged",
                condition=models.Q(urgent=True, acknowledged_at__isnull=True),
            ),
        ]
        constraints = [
            # One urgent concern per safety rule per result, however often it is processed.
            models.UniqueConstraint(
                fields=["source_result", "source_rule"],
                condition=models.Q(source_result__isnull=False),
                name="concern_once_per_result_rule",
            ),
            models.CheckConstraint(
                condition=models.Q(severity__in=["low", "moderate", "high"]),
                name="concern_severity_known",
            ),
            models.CheckConstraint(
                condition=models.Q(acknowledged_at__isnull=True) | ~models.Q(action_taken=""),
                name="concern_acknowledged_with_action",
            ),
            # A closed concern says who closed it and why.
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True)
                | (models.Q(closed_by__isnull=False) & ~models.Q(close_reason="")),
                name="concern_closed_with_reason",
            ),
            # An urgent concern is acted on before it is closed, never closed instead.
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True)
                | models.Q(urgent=False)
                | models.Q(acknowledged_at__isnull=False),
                name="concern_urgent_acknowledged_before_closed",
            ),
            ENTERED_IN_ERROR_COMPLETE,
        ]

    def __str__(self) -> str:
        return f"{self.category} concern raised {format_date(self.raised_at)}"


@pghistory.track()
class Observation(EnteredInError):
    """A strength of the family, or an area where they need support."""

    class Kind(models.TextChoices):
        STRENGTH = "strength", "Strength"
        NEED = "need", "Area of need"

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="observations")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="observations")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.TextField(max_length=NOTE_LENGTH)
    tags = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = RecordQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["strength", "need"]), name="observation_kind_known"
            ),
            ENTERED_IN_ERROR_COMPLETE,
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} recorded {format_date(self.recorded_at)}"


@pghistory.track()
class LocalItemText(models.Model):
    """An item's wording entered by an admin under the trust's own licence (EPDS).

    The repository never ships licensed wording: a definition marks such items
    ``text_supplied_locally`` and the text lives here, per definition version, with the licence
    it was entered under.
    """

    definition = models.ForeignKey(
        InstrumentDefinition, on_delete=models.PROTECT, related_name="local_item_texts"
    )
    item_id = models.CharField(max_length=40)
    text = models.TextField(max_length=1000)
    licence_reference = models.CharField(max_length=200)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField()

    class Meta:
        ordering = ["definition", "item_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "item_id"], name="local_item_text_once_per_item"
            ),
            models.CheckConstraint(
                condition=~models.Q(text="") & ~models.Q(licence_reference=""),
                name="local_item_text_with_licence",
            ),
        ]

    def __str__(self) -> str:
        return f"Local text for item {self.item_id} of {self.definition}"


@pghistory.track()
class LocalOptionText(models.Model):
    """An answer option's wording entered by an admin under the trust's own licence (EPDS).

    The shipped definition labels each option by its printed position ("Option A (as printed)")
    and carries its score; the wording the parent reads lives here, per definition version.
    """

    definition = models.ForeignKey(
        InstrumentDefinition, on_delete=models.PROTECT, related_name="local_option_texts"
    )
    item_id = models.CharField(max_length=40)
    option_value = models.CharField(max_length=40)
    text = models.CharField(max_length=300)
    licence_reference = models.CharField(max_length=200)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField()

    class Meta:
        ordering = ["definition", "item_id", "option_value"]
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "item_id", "option_value"],
                name="local_option_text_once_per_option",
            ),
            models.CheckConstraint(
                condition=~models.Q(text="") & ~models.Q(licence_reference=""),
                name="local_option_text_with_licence",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"Local text for item {self.item_id}, option {self.option_value} of {self.definition}"
        )
