"""Sending a referral to its service, and the link the service replies through.

A referral that is ready to send leaves in one of two ways:

- **By email** (a service that takes referrals by email): ``referral_send_by_email`` records a
  pending ``ReferralDelivery`` and a new ``ServiceLink``, and hands the delivery to the worker
  after commit. ``delivery_send`` (the worker) claims it, makes the link's token, emails the
  service and, once the mail server has taken the email, moves the referral to "sent" through
  ``services.referral_transition``. A failure leaves the delivery pending for the retry or the
  next sweep (``deliveries_sweep``); the referral is never shown as sent before that.
- **Any other way** (a phone call, the service's online form, e-RS): ``referral_record_sent``
  records how it went and when, and only then is it "sent".

The email holds no personal or clinical data: the team's name, the service's, and the link.
The link's token is 256 random bits; only its SHA-256 is stored, so the database cannot open a
referral. Opening the link asks for a six-digit code emailed to the service's referral address
(``service_link_send_code``), stored as a keyed hash; five wrong codes lock the link until the
team issues a new one (``service_link_reissue``), which also revokes the old one.
"""

import datetime
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from attachment_app import permissions
from attachment_app.accounts.models import User
from attachment_app.accounts.scoping import check_may_record
from attachment_app.formatting import format_date
from conversations.services import check_recorded_date

from . import services, workflow
from .models import CODE_ATTEMPTS, Referral, ReferralDelivery, ServiceLink
from .sending import email_problem
from .workflow import Status

logger = logging.getLogger(__name__)

#: 32 random bytes: 256 bits, far past guessing.
TOKEN_BYTES = 32
#: A claim older than this is from a worker that died: the sweep hands the delivery on again.
STALE_CLAIM = datetime.timedelta(minutes=10)
#: A new code may be asked for once a minute, and a link sends at most this many codes.
CODE_INTERVAL = datetime.timedelta(minutes=1)
MOST_CODES = 10


class LinkUnusable(Exception):
    """The link opens nothing: unknown, expired, revoked, locked, or its referral is closed."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _unknowable_hash() -> str:
    """A hash no token has been given for: a link waiting for the worker to email it."""
    return hashlib.sha256(secrets.token_bytes(TOKEN_BYTES)).hexdigest()


def _code_hash(link: ServiceLink, code: str) -> str:
    return salted_hmac("referrals.service-link-code", f"{link.pk}:{code}").hexdigest()


def link_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("service_link_open", args=[token])


# --- Staff: sending ---------------------------------------------------------------------------


def _issue_link(
    referral: Referral, *, actor: User, delivery: ReferralDelivery | None = None
) -> ServiceLink:
    now = timezone.now()
    ServiceLink.objects.filter(referral=referral, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=actor
    )
    return ServiceLink.objects.create(
        referral=referral,
        service=referral.service,
        delivery=delivery,
        token_hash=_unknowable_hash(),
        address=referral.service.email,
        issued_by=actor,
        issued_at=now,
        expires_at=now + datetime.timedelta(days=settings.SERVICE_LINK_DAYS),
    )


@transaction.atomic
def referral_send_by_email(
    *, actor: User, referral: Referral, expected_version: int | None
) -> ReferralDelivery:
    """Ask the worker to email the service; the referral is "sent" once the email has gone.
    Asked twice, it is one email."""
    referral = services.lock_referral(referral, expected_version, actor)
    pending = referral.deliveries.filter(status=ReferralDelivery.Status.PENDING).first()
    if pending is not None:
        return pending
    transition = workflow.find("send-by-email", referral.status)
    if transition is None:
        status = referral.get_status_display().lower()
        raise ValidationError(
            {"referral": f"A referral that is \u201c{status}\u201d cannot be sent."}
        )
    if not permissions.may_make_transition(actor, transition, is_author=False):
        raise PermissionDenied("Only the family's team can send its referrals.")
    problem = email_problem(referral.service)
    if problem:
        raise ValidationError({"referral": problem + " Record how it was sent instead."})
    delivery = ReferralDelivery.objects.create(
        referral=referral,
        method=ReferralDelivery.Method.EMAIL,
        to_address=referral.service.email,
        requested_by=actor,
    )
    _issue_link(referral, actor=actor, delivery=delivery)
    transaction.on_commit(partial(_enqueue, "referrals.send_referral_email", delivery.pk))
    return delivery


@transaction.atomic
def referral_record_sent(
    *,
    actor: User,
    referral: Referral,
    expected_version: int | None,
    method: str,
    sent_on: datetime.date | None,
    note: str = "",
) -> Referral:
    """Record that the referral went to the service another way, and when: only then is it
    sent. A referral email still waiting for the mail server is cancelled."""
    referral = services.lock_referral(referral, expected_version, actor)
    if method not in ReferralDelivery.Method.values or method == ReferralDelivery.Method.EMAIL:
        raise ValidationError({"method": "Select how the referral was sent."})
    if sent_on is None:
        raise ValidationError({"sent_on": "Enter the date it was sent."})
    check_recorded_date("sent_on", "The date it was sent", sent_on)
    if referral.status == Status.READY and sent_on < timezone.localdate(referral.status_changed_at):
        raise ValidationError(
            {"sent_on": "The date it was sent must be on or after the day it was ready to send."}
        )
    note = note.strip()
    pending = referral.deliveries.filter(status=ReferralDelivery.Status.PENDING)
    for waiting in pending:
        _cancel(waiting, "Recorded as sent another way")
    delivery = ReferralDelivery.objects.create(
        referral=referral,
        method=method,
        status=ReferralDelivery.Status.SENT,
        sent_on=sent_on,
        note=note[:300],
        requested_by=actor,
    )
    how = ReferralDelivery.Method(method).label
    return services.referral_transition(
        actor=actor,
        referral=referral,
        action="record-sent",
        note=f"{how} on {format_date(sent_on)}." + (f" {note}" if note else ""),
        expected_version=None,
        delivery=delivery,
    )


def _cancel(delivery: ReferralDelivery, why: str) -> None:
    now = timezone.now()
    ReferralDelivery.objects.filter(pk=delivery.pk, status=ReferralDelivery.Status.PENDING).update(
        status=ReferralDelivery.Status.CANCELLED, cancelled_at=now, last_error=why[:300]
    )
    ServiceLink.objects.filter(delivery=delivery, revoked_at__isnull=True, emailed_at=None).update(
        revoked_at=now
    )


@transaction.atomic
def service_link_reissue(*, actor: User, referral: Referral) -> ServiceLink:
    """A new link for the service (emailed by the worker); the old one stops working."""
    referral = services.lock_referral(referral, None, actor)
    if referral.status not in workflow.REPLY_STATUSES:
        raise ValidationError(
            {"referral": "A new link can be sent only while the service replies."}
        )
    problem = email_problem(referral.service)
    if problem:
        raise ValidationError({"referral": problem})
    link = _issue_link(referral, actor=actor)
    transaction.on_commit(partial(_enqueue, "referrals.send_service_link", link.pk))
    return link


@transaction.atomic
def service_link_revoke(*, actor: User, link: ServiceLink) -> ServiceLink:
    """Stop a link working at once."""
    link = (
        ServiceLink.objects.select_for_update().select_related("referral__family").get(pk=link.pk)
    )
    check_may_record(actor, link.referral.family.team_id)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.revoked_by = actor
        link.save(update_fields=["revoked_at", "revoked_by"])
    return link


# --- The worker -------------------------------------------------------------------------------


def _enqueue(task_name: str, pk: int) -> None:
    """Hand a delivery or a link email to the broker; if it is down, the next sweep does."""
    from celery import current_app

    try:
        current_app.send_task(task_name, args=[pk])
    except Exception as error:
        logger.warning("The broker refused %s (%r); the next sweep will retry", task_name, error)
        return
    if task_name == "referrals.send_referral_email":
        ReferralDelivery.objects.filter(pk=pk).update(enqueued_at=timezone.now())


def _claim(delivery_id: int, now: datetime.datetime) -> bool:
    claimable = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - STALE_CLAIM)
    return bool(
        ReferralDelivery.objects.filter(
            claimable, pk=delivery_id, status=ReferralDelivery.Status.PENDING
        ).update(claimed_at=now, attempts=F("attempts") + 1)
    )


def _send_link_email(link: ServiceLink, token: str, *, first: bool) -> None:
    referral = link.referral
    team = referral.family.team
    contact = ", ".join(part for part in (team.phone, team.email) if part)
    send_mail(
        subject=f"Referral to {link.service.name} from {team.name}",
        message=(
            f"{team.name} has "
            + ("sent" if first else "sent a new link to")
            + f" a referral to {link.service.name}.\n\n"
            f"Open it here: {link_url(token)}\n\n"
            "To open it you will be asked for a code, which we email to this address. "
            f"The link works until {format_date(timezone.localdate(link.expires_at))}, or until "
            "the referral is closed. From the same page you can acknowledge, accept or decline "
            "the referral and later record its outcome.\n\n"
            "This email holds no details about the family. Do not forward it."
            + (f"\n\nTo contact {team.name}: {contact}" if contact else "")
        ),
        from_email=None,
        recipient_list=[link.address],
    )


def delivery_send(delivery_id: int) -> str:
    """Email one referral to its service at most once, then mark it sent (the worker's task)."""
    now = timezone.now()
    if not _claim(delivery_id, now):
        return "not claimed"
    delivery = ReferralDelivery.objects.select_related(
        "referral__family__team", "referral__service", "requested_by"
    ).get(pk=delivery_id)
    referral = delivery.referral
    try:
        link = (
            ServiceLink.objects.select_related("referral__family__team", "service")
            .filter(delivery=delivery, revoked_at__isnull=True)
            .first()
        )
        if referral.status != Status.READY or link is None:
            _cancel(delivery, "The referral moved on before the email went")
            return "cancelled"
        token = secrets.token_urlsafe(TOKEN_BYTES)
        ServiceLink.objects.filter(pk=link.pk).update(token_hash=hash_token(token))
        _send_link_email(link, token, first=True)
        with transaction.atomic():
            handed = timezone.now()
            ReferralDelivery.objects.filter(pk=delivery.pk).update(
                status=ReferralDelivery.Status.SENT, handed_at=handed, last_error=""
            )
            ServiceLink.objects.filter(pk=link.pk).update(emailed_at=handed)
            delivery.refresh_from_db()
            services.referral_transition(
                actor=delivery.requested_by,
                referral=referral,
                action="send-by-email",
                note=f"Emailed to {delivery.to_address}.",
                expected_version=None,
                delivery=delivery,
            )
    except Exception as error:
        # Handed back for the retry; the referral still shows as ready to send.
        ReferralDelivery.objects.filter(
            pk=delivery_id, status=ReferralDelivery.Status.PENDING
        ).update(claimed_at=None, enqueued_at=None, last_error=type(error).__name__[:300])
        raise
    logger.info("Referral email handed to the mail server for delivery %s", delivery_id)
    return "sent"


def link_email_send(link_id: int) -> str:
    """Email a re-issued link (the worker's task) once it is emailed, retried on failure.

    The token is set by a conditional update, then the email goes out with no row locked; a
    retry after a failure makes a new token, so only the link in the email that went works.
    """
    token = secrets.token_urlsafe(TOKEN_BYTES)
    waiting = ServiceLink.objects.filter(pk=link_id, revoked_at__isnull=True, emailed_at=None)
    if not waiting.update(token_hash=hash_token(token)):
        return "not needed"
    link = ServiceLink.objects.select_related("referral__family__team", "service").get(pk=link_id)
    _send_link_email(link, token, first=False)
    ServiceLink.objects.filter(pk=link_id).update(emailed_at=timezone.now())
    return "sent"


def deliveries_sweep() -> int:
    """Hand the worker every referral email still waiting whose message may have been lost."""
    now = timezone.now()
    waiting = ReferralDelivery.objects.filter(status=ReferralDelivery.Status.PENDING).filter(
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - STALE_CLAIM),
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - STALE_CLAIM),
    )
    ids = list(waiting.values_list("pk", flat=True)[:500])
    for delivery_id in ids:
        _enqueue("referrals.send_referral_email", delivery_id)
    # A re-issued link whose email has not gone in a while (its task's message lost, or every
    # try failed); a newer one's task is still on its way.
    unsent_links = ServiceLink.objects.filter(
        revoked_at__isnull=True,
        emailed_at__isnull=True,
        delivery__isnull=True,
        issued_at__lt=now - STALE_CLAIM,
    ).values_list("pk", flat=True)[:500]
    for link_id in unsent_links:
        _enqueue("referrals.send_service_link", link_id)
    return len(ids)


# --- The service's side -----------------------------------------------------------------------


def _check_usable(link: ServiceLink | None, now: datetime.datetime) -> ServiceLink:
    if link is None:
        raise LinkUnusable("unknown")
    reason = link.why_unusable(now)
    if reason:
        raise LinkUnusable(reason)
    return link


def _links():
    return ServiceLink.objects.select_related(
        "referral__family__team", "referral__service__organization", "service"
    )


def service_link_find(token: str) -> ServiceLink:
    """The link a token opens, if it still works; ``LinkUnusable`` otherwise."""
    return _check_usable(_links().filter(token_hash=hash_token(token)).first(), timezone.now())


def service_link_get(link_id: int) -> ServiceLink:
    """A link by id (from the service's own session), if it still works."""
    return _check_usable(_links().filter(pk=link_id).first(), timezone.now())


class CodeTooSoon(Exception):
    """A code was sent less than a minute ago."""


def service_link_send_code(*, link: ServiceLink) -> None:
    """Email a new six-digit code to the link's address; the previous code stops working."""
    with transaction.atomic():
        link = (
            ServiceLink.objects.select_for_update(of=("self",))
            .select_related("referral")
            .get(pk=link.pk)
        )
        now = timezone.now()
        _check_usable(link, now)
        if link.code_sent_at is not None and now - link.code_sent_at < CODE_INTERVAL:
            raise CodeTooSoon
        if link.codes_sent >= MOST_CODES:
            link.locked_at = now
            link.save(update_fields=["locked_at"])
            raise LinkUnusable("locked")
        code = f"{secrets.randbelow(10**6):06d}"
        link.code_hash = _code_hash(link, code)
        link.code_sent_at = now
        link.code_expires_at = now + datetime.timedelta(minutes=settings.SERVICE_LINK_CODE_MINUTES)
        link.codes_sent += 1
        link.save(update_fields=["code_hash", "code_sent_at", "code_expires_at", "codes_sent"])
    try:
        send_mail(
            subject="Your code to open the referral",
            message=(
                f"Your code is {code}\n\n"
                f"It works for {settings.SERVICE_LINK_CODE_MINUTES} minutes. If you did not ask "
                "for it, you can ignore this email: without the code the link opens nothing."
            ),
            from_email=None,
            recipient_list=[link.address],
        )
    except Exception:
        # Not sent: let the service ask again at once.
        ServiceLink.objects.filter(pk=link.pk).update(code_sent_at=None, code_hash="")
        raise


@dataclass(frozen=True)
class CodeCheck:
    """What entering a code did: opened the referral, or why not and how many tries remain."""

    opened: bool
    expired: bool = False
    locked: bool = False
    tries_left: int = 0


def service_link_check_code(*, link: ServiceLink, code: str) -> CodeCheck:
    """Check a code entered for a link. A wrong one counts; the fifth locks the link."""
    with transaction.atomic():
        link = (
            ServiceLink.objects.select_for_update(of=("self",))
            .select_related("referral")
            .get(pk=link.pk)
        )
        now = timezone.now()
        _check_usable(link, now)
        if not link.code_hash or link.code_expires_at is None or now >= link.code_expires_at:
            return CodeCheck(
                opened=False, expired=True, tries_left=CODE_ATTEMPTS - link.failed_codes
            )
        if hmac.compare_digest(_code_hash(link, code.strip()), link.code_hash):
            link.code_hash = ""  # each code opens once
            link.last_opened_at = now
            link.save(update_fields=["code_hash", "last_opened_at"])
            return CodeCheck(opened=True)
        link.failed_codes += 1
        if link.failed_codes >= CODE_ATTEMPTS:
            link.locked_at = now
            link.code_hash = ""
        link.save(update_fields=["failed_codes", "locked_at", "code_hash"])
        return CodeCheck(
            opened=False,
            locked=link.locked_at is not None,
            tries_left=CODE_ATTEMPTS - link.failed_codes,
        )
