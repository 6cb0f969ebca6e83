"""How a referral reaches its service and how the service replies.

- ``ReferralDelivery``: one sending of a referral that is ready to send. By email it is handed
  to the worker, and the referral becomes "sent" only once the mail server has taken the
  email; any other way (a phone call, the service's online form, e-RS) is recorded by the
  person who sent it, with the date.
- ``ServiceLink``: the link in that email. It opens one referral for one service without an
  account, after a six-digit code sent to the service's referral address. Only hashes of the
  token and of the code are stored.
"""

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone

from attachment_app.accounts.scoping import TeamScopedQuerySet

from ..workflow import REPLY_STATUSES
from .directory import Service
from .family_records import Referral


class DeliveryQuerySet(TeamScopedQuerySet):
    team_field = "referral__family__team"


class ReferralDelivery(models.Model):
    """One sending of a referral to its service."""

    class Method(models.TextChoices):
        EMAIL = "email", "Emailed through this service"
        PHONE = "phone", "Phoned the service"
        ONLINE_FORM = "online_form", "Submitted on the service's online form"
        ERS = "ers", "Through the NHS e-Referral Service (e-RS)"
        INTERNAL = "internal", "Passed on within the trust"
        OTHER = "other", "Another way"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the mail server"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Not sent"

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="deliveries")
    method = models.CharField(max_length=20, choices=Method.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    #: The service's referral address at the time of sending (email only).
    to_address = models.EmailField(blank=True)
    #: The day it was sent, as recorded by the person who sent it (any way but email).
    sent_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    # The worker's bookkeeping for an email: claimed by one task at a time, retried on failure.
    claimed_at = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    handed_at = models.DateTimeField("Taken by the mail server", null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name_plural = "referral deliveries"
        indexes = [
            models.Index(
                fields=["requested_at"],
                name="delivery_pending",
                condition=models.Q(status="pending"),
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    method__in=["email", "phone", "online_form", "ers", "internal", "other"]
                ),
                name="delivery_method_known",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "sent", "cancelled"]),
                name="delivery_status_known",
            ),
            # An email goes to an address; any other way says on which day it went.
            models.CheckConstraint(
                condition=models.Q(method="email", sent_on__isnull=True) & ~models.Q(to_address="")
                | ~models.Q(method="email") & models.Q(sent_on__isnull=False, to_address=""),
                name="delivery_says_where_or_when",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent", method="email")
                | models.Q(handed_at__isnull=False),
                name="delivery_email_sent_when_handed",
            ),
            # At most one sending of a referral waits for the mail server at a time.
            models.UniqueConstraint(
                fields=["referral"],
                condition=models.Q(status="pending"),
                name="delivery_one_pending_per_referral",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} ({self.get_status_display().lower()})"


class ServiceLinkQuerySet(TeamScopedQuerySet):
    team_field = "referral__family__team"

    def live(self):
        """Links not revoked (they may still have expired or be locked)."""
        return self.filter(revoked_at__isnull=True)


#: Wrong codes allowed before a link locks until the team issues a new one.
CODE_ATTEMPTS = 5


class ServiceLink(models.Model):
    """A link that opens one referral for its service, after a code sent to the service."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="service_links")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    delivery = models.ForeignKey(
        ReferralDelivery, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: SHA-256 of the token in the link; the token itself is only ever in the email.
    token_hash = models.CharField(max_length=64, unique=True)
    #: The address the link and its codes go to: the service's referral address when issued.
    address = models.EmailField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    emailed_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: A keyed hash of the latest code emailed, when it stops working, and the wrong tries.
    code_hash = models.CharField(max_length=64, blank=True)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    codes_sent = models.PositiveSmallIntegerField(default=0)
    failed_codes = models.PositiveSmallIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)
    last_opened_at = models.DateTimeField(null=True, blank=True)

    objects = ServiceLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "pk"]
        constraints = [
            # One working link per referral: issuing a new one revokes the old.
            models.UniqueConstraint(
                fields=["referral"],
                condition=models.Q(revoked_at__isnull=True),
                name="service_link_one_live_per_referral",
            ),
            models.CheckConstraint(
                condition=models.Q(failed_codes__lte=CODE_ATTEMPTS),
                name="service_link_failed_codes_bounded",
            ),
        ]
        triggers = [
            # A link belongs to one referral and one service for ever.
            pgtrigger.Protect(
                name="service_link_binding_fixed",
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange("referral", "service", "issued_at"),
            )
        ]

    def __str__(self) -> str:
        return f"Link for referral {self.referral_id}"

    def why_unusable(self, now=None) -> str:
        """Why the link opens nothing now ("revoked", "expired", "closed", "locked"); blank
        when it works. The one rule for the service's pages and the workflow's moves."""
        if self.revoked_at is not None:
            return "revoked"
        if (now or timezone.now()) >= self.expires_at:
            return "expired"
        if self.referral.status not in REPLY_STATUSES:
            return "closed"
        if self.locked_at is not None:
            return "locked"
        return ""
