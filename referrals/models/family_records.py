"""A family's step 3 records: signposting, referrals with their history, and follow-ups.

They belong to a family and so to its team: their querysets scope through ``family__team`` like
every other clinical record.
"""

from typing import Any

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from attachment_app.accounts.scoping import TeamScopedQuerySet
from attachment_app.formatting import format_date, format_datetime
from conversations.models import (
    ENTERED_IN_ERROR_COMPLETE,
    NOTE_LENGTH,
    Caregiver,
    Contact,
    EnteredInError,
    Family,
    FamilyOwnedQuerySet,
    RecordQuerySet,
)
from screening.models import Concern, ScreeningResult

from ..workflow import OPEN_STATUSES, Status
from .directory import Service


@pghistory.track()
class Signpost(EnteredInError):
    """Information about a service or resource given to the parent. No workflow."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="signposts")
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resource_name = models.CharField("Resource", max_length=200, blank=True)
    resource_url = models.URLField("Resource web address", blank=True)
    given_on = models.DateField()
    note = models.TextField(max_length=NOTE_LENGTH, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    # The one-time token these forms carried before every form page applied its submissions
    # once (ADR 0011). No longer written; kept, with the rows that have one, so the history
    # tables (append-only) keep the column they recorded.
    form_token = models.UUIDField(unique=True, null=True, blank=True, editable=False)

    objects = RecordQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on", "-pk"]
        indexes = [models.Index(fields=["family", "-given_on"], name="signpost_family_recent")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(service__isnull=False) | ~models.Q(resource_name=""),
                name="signpost_names_what_was_given",
            ),
            ENTERED_IN_ERROR_COMPLETE,
        ]

    def __str__(self) -> str:
        return f"Signposted {format_date(self.given_on)}"

    @property
    def what(self) -> str:
        return self.service.name if self.service_id else self.resource_name


class ReferralQuerySet(FamilyOwnedQuerySet):
    def open(self):
        """Referrals still in progress."""
        return self.filter(status__in=sorted(OPEN_STATUSES))

    def awaiting_review(self):
        """Submitted referrals waiting for a team lead, oldest first."""
        return self.filter(status=Status.SUBMITTED).order_by("submitted_at", "pk")

    def awaiting_retrospective_review(self):
        """Urgent referrals sent without review that no team lead has looked at yet."""
        return self.filter(
            needs_retrospective_review=True, retrospectively_reviewed_at__isnull=True
        ).order_by("sent_at", "pk")


# pghistory would name its model "ReferralEvent" and its accessor "events": the workflow has those.
@pghistory.track(
    model_name="ReferralSnapshot", obj_field=pghistory.ObjForeignKey(related_name="snapshots")
)
class Referral(models.Model):
    """A referral of a family to a service, moved through its workflow by ``referral_transition``.

    The status is a column with a check constraint; every change appends a ``ReferralEvent``.
    ``version`` goes up with every change, so a form posted against an older version is refused
    rather than silently overwriting what someone else did.
    """

    #: Set by ``selectors.with_return_changes``, not a column: what changed since its return.
    return_changes: Any

    class Urgency(models.TextChoices):
        ROUTINE = "routine", "Routine"
        URGENT = "urgent", "Urgent"

    class SharingBasis(models.TextChoices):
        CONSENT = "consent", "The parent consents to sharing"
        SAFEGUARDING = "safeguarding", "Safeguarding: sharing without consent"

    class ConsentMethod(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        PHONE = "phone", "By phone"
        IN_WRITING = "in_writing", "In writing"

    class DeclineReason(models.TextChoices):
        NOT_ELIGIBLE = "not_eligible", "Does not meet the service's criteria"
        NO_CAPACITY = "no_capacity", "No capacity"
        FAMILY_DECLINED = "family_declined", "The family declined"
        DUPLICATE = "duplicate", "Duplicate referral"
        OTHER = "other", "Another reason"

    class Outcome(models.TextChoices):
        COMPLETED = "completed", "Support completed"
        DID_NOT_ENGAGE = "did_not_engage", "The family did not engage"

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="referrals")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    reason = models.TextField("Reason for referral", max_length=NOTE_LENGTH, blank=True)
    concerns = models.ManyToManyField(Concern, blank=True, related_name="referrals")
    sharing_basis = models.CharField(max_length=20, choices=SharingBasis.choices, blank=True)
    safeguarding_justification = models.TextField(max_length=NOTE_LENGTH, blank=True)
    # How the parent's consent to share was obtained: who gave it, how and when.
    consent_given_by = models.ForeignKey(
        Caregiver,
        verbose_name="Who gave consent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    consent_method = models.CharField(
        "How consent was given", max_length=20, choices=ConsentMethod.choices, blank=True
    )
    consent_given_on = models.DateField("When consent was given", null=True, blank=True)
    information_shared = models.TextField(max_length=NOTE_LENGTH, blank=True)
    #: The screening results the health visitor chose to share: the letter shows these and no
    #: other result.
    shared_results = models.ManyToManyField(ScreeningResult, blank=True, related_name="+")
    eligibility_override_reason = models.TextField(max_length=NOTE_LENGTH, blank=True)
    needs_retrospective_review = models.BooleanField(default=False)
    retrospectively_reviewed_at = models.DateTimeField(null=True, blank=True)
    retrospectively_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # What the service said: when it expects to first contact the family, why it declined, and
    # how the support ended.
    expected_first_contact_on = models.DateField("Expected first contact", null=True, blank=True)
    decline_reason = models.CharField(max_length=20, choices=DeclineReason.choices, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    status_changed_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)
    # The one-time token these forms carried before every form page applied its submissions
    # once (ADR 0011). No longer written; kept, with the rows that have one, so the history
    # tables (append-only) keep the column they recorded.
    form_token = models.UUIDField(unique=True, null=True, blank=True, editable=False)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["family", "-created_at"], name="referral_family_recent"),
            models.Index(
                fields=["submitted_at"],
                name="referral_awaiting_review",
                condition=models.Q(status="submitted"),
            ),
            models.Index(
                fields=["sent_at"],
                name="referral_retrospective_review",
                condition=models.Q(
                    needs_retrospective_review=True, retrospectively_reviewed_at__isnull=True
                ),
            ),
            models.Index(fields=["status", "status_changed_at"], name="referral_status_age"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="referral_status_known"
            ),
            models.CheckConstraint(
                condition=models.Q(urgency__in=["routine", "urgent"]),
                name="referral_urgency_known",
            ),
            models.CheckConstraint(
                condition=models.Q(sharing_basis__in=["", "consent", "safeguarding"]),
                name="referral_sharing_basis_known",
            ),
            models.CheckConstraint(
                condition=models.Q(consent_method__in=["", "in_person", "phone", "in_writing"]),
                name="referral_consent_method_known",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    decline_reason__in=[
                        "",
                        "not_eligible",
                        "no_capacity",
                        "family_declined",
                        "duplicate",
                        "other",
                    ]
                ),
                name="referral_decline_reason_known",
            ),
            models.CheckConstraint(
                condition=models.Q(outcome__in=["", "completed", "did_not_engage"]),
                name="referral_outcome_known",
            ),
            # A declined referral says why, from the fixed list.
            models.CheckConstraint(
                condition=~models.Q(status="declined") | ~models.Q(decline_reason=""),
                name="referral_declined_with_reason",
            ),
            # A completed referral says how it ended.
            models.CheckConstraint(
                condition=~models.Q(status="completed") | ~models.Q(outcome=""),
                name="referral_completed_with_outcome",
            ),
            # Sharing without consent is lawful only with a recorded justification.
            models.CheckConstraint(
                condition=~models.Q(sharing_basis="safeguarding")
                | ~models.Q(safeguarding_justification=""),
                name="referral_safeguarding_justified",
            ),
            # Past the draft, a referral always says on what basis information was shared.
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "returned"])
                | ~models.Q(sharing_basis="")
                | models.Q(status="withdrawn", submitted_at__isnull=True, sent_at__isnull=True),
                name="referral_shared_with_basis",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral to {self.service} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_urgent(self) -> bool:
        return self.urgency == self.Urgency.URGENT


class ReferralEventQuerySet(TeamScopedQuerySet):
    team_field = "referral__family__team"


class ReferralEvent(models.Model):
    """One change to a referral: who, when, from and to which status, and why. Append-only."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        EDITED = "edited", "Edited"
        TRANSITION = "transition", "Status changed"
        REVIEWED = "reviewed", "Reviewed after sending"

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    #: Who made the change: a member of staff, or the service through its secure link.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    service_link = models.ForeignKey(
        "referrals.ServiceLink", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    note = models.TextField(max_length=NOTE_LENGTH, blank=True)
    #: The concerns linked after a creation or an edit (the link is not in the pghistory
    #: snapshots), so what changed after a return can be shown. None on other events.
    concern_ids = ArrayField(models.BigIntegerField(), null=True, blank=True)

    objects = ReferralEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["referral", "at"], name="referral_event_history")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(actor__isnull=False, service_link__isnull=True)
                | models.Q(actor__isnull=True, service_link__isnull=False),
                name="referral_event_one_actor",
            )
        ]
        triggers = [
            pgtrigger.Protect(
                name="referral_event_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {format_datetime(self.at)}"

    @property
    def by_service(self) -> bool:
        return self.service_link_id is not None


class FollowUpQuerySet(RecordQuerySet):
    def open(self):
        """Follow-ups that stand, neither done nor cancelled."""
        return self.in_record().filter(done_at__isnull=True, cancelled_at__isnull=True)


@pghistory.track()
class FollowUp(EnteredInError):
    """Further support from the team itself: a contact planned for a date, with its purpose."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="follow_ups")
    due_on = models.DateField("Due date")
    purpose = models.CharField(max_length=300)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    planned_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closing_note = models.CharField(max_length=300, blank=True)
    done_contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(
                fields=["family", "due_on"],
                name="follow_up_open",
                condition=models.Q(done_at__isnull=True, cancelled_at__isnull=True),
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(done_at__isnull=True) | models.Q(cancelled_at__isnull=True),
                name="follow_up_done_or_cancelled",
            ),
            models.CheckConstraint(
                condition=models.Q(cancelled_at__isnull=True) | ~models.Q(closing_note=""),
                name="follow_up_cancelled_with_reason",
            ),
            ENTERED_IN_ERROR_COMPLETE,
        ]

    def __str__(self) -> str:
        return f"Follow-up due {format_date(self.due_on)}"

    @property
    def is_open(self) -> bool:
        return self.done_at is None and self.cancelled_at is None
