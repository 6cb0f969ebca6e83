"""Writes for step 3's clinical records: signposting, follow-ups and referrals. Each function
is one business action, in one transaction.

A referral's status changes only in :func:`referral_transition`, which locks the row, checks the
workflow table and the actor's right to the move, refuses a form posted against an older version
of the referral, and appends the event. The directory's writes are ``services_directory``.
"""

import datetime
from collections.abc import Iterable

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from attachment_app import permissions
from attachment_app.accounts.models import User
from attachment_app.accounts.scoping import check_may_record
from attachment_app.errors import StaleRecord
from conversations.models import Caregiver, Family
from conversations.services import check_recorded_date
from screening.models import Concern, ScreeningResult

from . import reminders, selectors, workflow
from .eligibility import eligibility_problems, family_circumstances
from .models import (
    FollowUp,
    Referral,
    ReferralDelivery,
    ReferralEvent,
    Service,
    ServiceLink,
    Signpost,
)
from .workflow import Status

#: A follow-up is planned for the coming months; one further ahead is a typing slip.
FOLLOW_UP_YEARS_AHEAD = 2


class StaleReferral(StaleRecord):
    """The referral changed after the form was opened; nothing was saved."""

    def __init__(self, referral: Referral, *, who: str):
        self.referral = referral
        super().__init__(
            f"{who} changed this referral while you were working on it, so your change was not "
            "saved. It now shows as \u201c{status}\u201d. What you typed is still below: check "
            "the referral and try again if it is still needed.".format(
                status=referral.get_status_display().lower()
            ),
            version=referral.version,
        )


# --- Signposting and follow-ups ---------------------------------------------------------------


@transaction.atomic
def signpost_record(
    *,
    actor: User,
    family: Family,
    given_on: datetime.date,
    service: Service | None = None,
    resource_name: str = "",
    resource_url: str = "",
    note: str = "",
) -> Signpost:
    """Record that the parent was given information about a service or resource."""
    check_may_record(actor, family.team_id)
    if service is None and not resource_name.strip():
        raise ValidationError({"service": "Choose a service or name the resource that was given."})
    if service is not None and not service.is_referable:
        raise ValidationError({"service": "This service is no longer running. Choose another."})
    check_recorded_date("given_on", "The date information was given", given_on)
    signpost = Signpost(
        family=family,
        service=service,
        resource_name=resource_name.strip(),
        resource_url=resource_url.strip(),
        given_on=given_on,
        note=note.strip(),
        recorded_by=actor,
    )
    signpost.full_clean()
    signpost.save()
    return signpost


@transaction.atomic
def follow_up_plan(*, actor: User, family: Family, due_on: datetime.date, purpose: str) -> FollowUp:
    """Plan a follow-up contact by the team, due on a date, for a purpose."""
    check_may_record(actor, family.team_id)
    today = timezone.localdate()
    if due_on < today:
        raise ValidationError({"due_on": "The due date must be today or in the future."})
    if due_on > today + relativedelta(years=FOLLOW_UP_YEARS_AHEAD):
        raise ValidationError(
            {"due_on": f"The due date must be within the next {FOLLOW_UP_YEARS_AHEAD} years."}
        )
    follow_up = FollowUp(family=family, due_on=due_on, purpose=purpose.strip(), planned_by=actor)
    follow_up.full_clean()
    follow_up.save()
    reminders.follow_up_planned(follow_up, timezone.localdate())
    return follow_up


@transaction.atomic
def follow_up_close(*, actor: User, follow_up: FollowUp, done: bool, note: str = "") -> FollowUp:
    """Mark a follow-up done, or cancel it with a reason."""
    follow_up = FollowUp.objects.select_for_update().select_related("family").get(pk=follow_up.pk)
    check_may_record(actor, follow_up.family.team_id)
    if follow_up.is_entered_in_error:
        raise ValidationError(
            {"follow_up": "This follow-up was marked as entered in error, so it is not closed."}
        )
    if not follow_up.is_open:
        raise ValidationError({"follow_up": "This follow-up has already been closed."})
    if not done and not note.strip():
        raise ValidationError({"note": "Say why the follow-up is cancelled."})
    now = timezone.now()
    if done:
        follow_up.done_at = now
    else:
        follow_up.cancelled_at = now
    follow_up.closed_by = actor
    follow_up.closing_note = note.strip()
    follow_up.save(update_fields=["done_at", "cancelled_at", "closed_by", "closing_note"])
    reminders.follow_up_closed(follow_up)
    return follow_up


# --- Referrals --------------------------------------------------------------------------------

#: What the health visitor writes on a referral; everything else is the workflow's.
REFERRAL_FIELDS = (
    "urgency",
    "reason",
    "sharing_basis",
    "safeguarding_justification",
    "consent_given_by",
    "consent_method",
    "consent_given_on",
    "information_shared",
    "eligibility_override_reason",
)

#: What the parent's consent to share is recorded with; blank unless the basis is consent.
_CONSENT_BLANKS = {"consent_given_by": None, "consent_method": "", "consent_given_on": None}


def _clean_referral_fields(fields: dict) -> dict:
    unknown = set(fields) - set(REFERRAL_FIELDS)
    if unknown:
        raise TypeError(f"Not a referral field: {', '.join(sorted(unknown))}")
    return {
        name: value.strip() if isinstance(value, str) else value for name, value in fields.items()
    }


def sharing_problems(
    *,
    sharing_basis: str,
    safeguarding_justification: str = "",
    consent_method: str = "",
    consent_given_on: datetime.date | None = None,
    consent_given_by_missing: bool = False,
) -> dict[str, str]:
    """What the basis for sharing still needs, by field: consent says who gave it, how and
    when (a date not in the future); sharing without consent says why it is justified.

    ``_check_sharing`` refuses a referral with any of these; the form asks too, so that the
    health visitor sees them alongside every other mistake at once.
    """
    problems = {}
    if sharing_basis == Referral.SharingBasis.SAFEGUARDING and not safeguarding_justification:
        problems["safeguarding_justification"] = "Say why sharing without consent is justified."
    if sharing_basis != Referral.SharingBasis.CONSENT:
        return problems
    if consent_given_by_missing:
        problems["consent_given_by"] = "Select who gave consent to share."
    if not consent_method:
        problems["consent_method"] = "Select how consent to share was given."
    if consent_given_on is None:
        problems["consent_given_on"] = "Enter the date consent to share was given."
    else:
        try:
            check_recorded_date("consent_given_on", "The date consent was given", consent_given_on)
        except ValidationError as error:
            problems["consent_given_on"] = " ".join(error.message_dict["consent_given_on"])
    return problems


def _check_sharing(referral: Referral) -> None:
    """The basis for sharing is complete (see ``sharing_problems``) and names one of the
    family's own parents; what belongs to the other basis is dropped."""
    if referral.sharing_basis != Referral.SharingBasis.SAFEGUARDING:
        referral.safeguarding_justification = ""
    if referral.sharing_basis != Referral.SharingBasis.CONSENT:
        for name, blank in _CONSENT_BLANKS.items():
            setattr(referral, name, blank)
    consent = referral.sharing_basis == Referral.SharingBasis.CONSENT
    caregivers = Caregiver.objects.in_record().filter(family_id=referral.family_id)
    problems = sharing_problems(
        sharing_basis=referral.sharing_basis,
        safeguarding_justification=referral.safeguarding_justification,
        consent_method=referral.consent_method,
        consent_given_on=referral.consent_given_on,
        consent_given_by_missing=consent
        and referral.consent_given_by_id is None
        and caregivers.exists(),
    )
    if (
        consent
        and referral.consent_given_by_id is not None
        and not caregivers.filter(pk=referral.consent_given_by_id).exists()
    ):
        problems["consent_given_by"] = "Choose a parent or carer of this family."
    if problems:
        raise ValidationError(problems)


def _check_concerns(family: Family, concerns: Iterable[Concern]) -> list[Concern]:
    concerns = list(concerns)
    if any(concern.family_id != family.pk for concern in concerns):
        raise ValidationError({"concerns": "Link only this family's concerns."})
    if any(concern.is_entered_in_error for concern in concerns):
        raise ValidationError(
            {"concerns": "A concern you chose was marked as entered in error: choose again."}
        )
    return concerns


def _check_shared_results(family: Family, results: Iterable[ScreeningResult]) -> list:
    """The results chosen to share are the family's own, and current (not corrected since)."""
    results = list(results)
    if any(result.family_id != family.pk for result in results):
        raise ValidationError({"shared_results": "Share only this family's screening results."})
    corrected = ScreeningResult.objects.filter(
        pk__in=[result.pk for result in results],
        superseded_by__isnull=False,
        superseded_by__entered_in_error_at__isnull=True,
    )
    if results and corrected.exists():
        raise ValidationError(
            {"shared_results": "A result you chose has been corrected since: choose again."}
        )
    if any(result.is_entered_in_error for result in results):
        raise ValidationError(
            {"shared_results": "A result you chose was marked as entered in error: choose again."}
        )
    return results


def _check_service(referral: Referral) -> None:
    """A referral names a running service that takes referrals, and the family fits it."""
    service = Service.objects.select_related("organization").get(pk=referral.service_id)
    if not service.is_referable:
        raise ValidationError(
            {"service": f"{service.name} is no longer running. Choose another service."}
        )
    if not service.accepts_referrals:
        raise ValidationError(
            {"service": f"{service.name} does not take referrals: signpost the family to it."}
        )
    problems = eligibility_problems(
        service, family_circumstances(referral.family, timezone.localdate())
    )
    if problems and not referral.eligibility_override_reason:
        raise ValidationError(
            {
                "eligibility_override_reason": " ".join(problems)
                + " Say why you are referring anyway, or choose another service."
            }
        )


def _append_event(
    referral: Referral,
    *,
    actor: User | None,
    link: ServiceLink | None = None,
    kind: str,
    from_status: str = "",
    note: str = "",
    concerns: list[Concern] | None = None,
) -> ReferralEvent:
    return ReferralEvent.objects.create(
        referral=referral,
        kind=kind,
        from_status=from_status,
        to_status=referral.status,
        actor=actor,
        service_link=link,
        at=timezone.now(),
        note=note,
        concern_ids=None if concerns is None else sorted(concern.pk for concern in concerns),
    )


@transaction.atomic
def referral_create(
    *,
    actor: User,
    family: Family,
    service: Service,
    concerns: Iterable[Concern] = (),
    shared_results: Iterable[ScreeningResult] = (),
    **fields,
) -> Referral:
    """Start a referral as a draft (its form page applies each submission once: ADR 0011)."""
    check_may_record(actor, family.team_id)
    referral = Referral(
        family=family,
        service=service,
        created_by=actor,
        **_clean_referral_fields(fields),
    )
    concerns = _check_concerns(family, concerns)
    shared_results = _check_shared_results(family, shared_results)
    _check_sharing(referral)
    _check_service(referral)
    referral.full_clean(exclude=["family", "service"])
    referral.save()
    referral.concerns.set(concerns)
    referral.shared_results.set(shared_results)
    _append_event(referral, actor=actor, kind=ReferralEvent.Kind.CREATED, concerns=concerns)
    return referral


def lock_referral(referral: Referral, expected_version: int | None, actor: User | None) -> Referral:
    """The referral locked for a change; a form posted against an older version is refused,
    saying who changed it (the service's own link has no person: it is "someone else")."""
    locked = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("family", "service")
        .get(pk=referral.pk)
    )
    if actor is not None:
        check_may_record(actor, locked.family.team_id)
    if expected_version is not None and locked.version != expected_version:
        last = locked.events.select_related("actor").order_by("-at", "-pk").first()
        who = "Someone else"
        if last is not None and last.actor is None:
            who = f"{locked.service.name} (through its secure link)"
        elif last is not None and last.actor is not None and actor is not None:
            if last.actor_id != actor.pk:
                who = last.actor.get_full_name() or last.actor.username
            else:
                who = "You (in another window)"
        raise StaleReferral(locked, who=who)
    return locked


@transaction.atomic
def referral_update(
    *,
    actor: User,
    referral: Referral,
    expected_version: int | None,
    concerns: Iterable[Concern] | None = None,
    shared_results: Iterable[ScreeningResult] | None = None,
    service: Service | None = None,
    **fields,
) -> Referral:
    """Change what a draft or returned referral says."""
    referral = lock_referral(referral, expected_version, actor)
    if referral.status not in workflow.EDITABLE_STATUSES:
        raise ValidationError(
            {"referral": "Only a draft or a returned referral can be changed. Withdraw it instead."}
        )
    for name, value in _clean_referral_fields(fields).items():
        setattr(referral, name, value)
    if service is not None:
        referral.service = service
    _check_sharing(referral)
    _check_service(referral)
    referral.full_clean(exclude=["family", "service"])
    referral.version += 1
    referral.save()
    if concerns is not None:
        concerns = _check_concerns(referral.family, concerns)
        referral.concerns.set(concerns)
    else:
        concerns = list(referral.concerns.all())
    if shared_results is not None:
        referral.shared_results.set(_check_shared_results(referral.family, shared_results))
    _append_event(referral, actor=actor, kind=ReferralEvent.Kind.EDITED, concerns=concerns)
    return referral


def _check_ready_to_share(referral: Referral) -> None:
    """What must be on a referral before it leaves the health visitor."""
    problems = {}
    if not referral.reason:
        problems["reason"] = "Say why the family is being referred."
    if not referral.sharing_basis:
        problems["sharing_basis"] = (
            "Record the parent's consent to share, or the safeguarding reason to share without it."
        )
    if not referral.information_shared:
        problems["information_shared"] = "Say what information will be shared with the service."
    if problems:
        raise ValidationError(problems)
    _check_sharing(referral)
    _check_service(referral)


def _check_reply(
    transition: workflow.Transition,
    referral: Referral,
    *,
    by_service: bool,
    first_contact_on: datetime.date | None,
    decline_reason: str,
    outcome: str,
) -> None:
    """What the service's reply must say, by the move: a decline's reason from the fixed list,
    an outcome, and (from the service itself) when it expects to first contact the family."""
    if transition.asks == workflow.DECLINE_REASON:
        if decline_reason not in Referral.DeclineReason.values:
            raise ValidationError({"decline_reason": "Select why the service declined it."})
        referral.decline_reason = decline_reason
    elif transition.asks == workflow.OUTCOME:
        if outcome not in Referral.Outcome.values:
            raise ValidationError({"outcome": "Select the outcome."})
        referral.outcome = outcome
    elif transition.asks == workflow.FIRST_CONTACT:
        if first_contact_on is None and by_service:
            raise ValidationError(
                {"first_contact_on": "Enter when you expect to first contact the family."}
            )
        if first_contact_on is not None:
            today = timezone.localdate()
            earliest = today if by_service else today - datetime.timedelta(days=365)
            if not earliest <= first_contact_on <= today + datetime.timedelta(days=365):
                raise ValidationError(
                    {
                        "first_contact_on": "The expected first contact must be "
                        + ("today or later" if by_service else "within a year of today")
                        + ", and within the next year."
                    }
                )
        referral.expected_first_contact_on = first_contact_on


def _check_mover(
    transition: workflow.Transition,
    referral: Referral,
    *,
    actor: User | None,
    link: ServiceLink | None,
    delivery: ReferralDelivery | None,
) -> None:
    """Whether this person, or this service through its link, may make the move."""
    if link is not None:
        if not transition.by_service:
            raise PermissionDenied("The service cannot make that change.")
        if link.referral_id != referral.pk or link.service_id != referral.service_id:
            raise PermissionDenied("This link is for another referral.")
        if link.why_unusable():
            raise PermissionDenied("This link no longer works.")
        return
    if actor is None:
        raise TypeError("A move is made by a member of staff or by the service's link.")
    if transition.sending and (
        delivery is None or delivery.referral_id != referral.pk or delivery.status != "sent"
    ):
        # The status moves to "sent" only with the sending that made it so.
        raise ValidationError({"referral": "Send the referral from its sending page."})
    if transition.sending == workflow.BY_EMAIL:
        return  # asked when the email was requested; the worker finishes it
    if not permissions.may_make_transition(actor, transition, is_author=False):
        raise PermissionDenied("Only a team lead can do that.")
    if transition.separated and selectors.is_author(referral, actor):
        raise PermissionDenied(
            "You created or submitted this referral, so another team lead of your team reviews it."
        )


@transaction.atomic
def referral_transition(
    *,
    actor: User | None = None,
    link: ServiceLink | None = None,
    referral: Referral,
    action: str,
    note: str = "",
    expected_version: int | None,
    first_contact_on: datetime.date | None = None,
    decline_reason: str = "",
    outcome: str = "",
    delivery: ReferralDelivery | None = None,
) -> Referral:
    """Move a referral along the workflow: the one place its status changes.

    The mover is a member of staff (``actor``) or the service through its secure link
    (``link``), never both. A move to "sent" comes with the ``delivery`` that sent it.
    """
    if (actor is None) == (link is None):
        raise TypeError("A move is made by a member of staff or by the service's link.")
    referral = lock_referral(referral, expected_version, actor)
    transition = workflow.find(action, referral.status)
    if transition is None:
        status = referral.get_status_display().lower()
        raise ValidationError(
            {"referral": f"A referral that is \u201c{status}\u201d cannot be changed that way."}
        )
    _check_mover(transition, referral, actor=actor, link=link, delivery=delivery)
    if transition.urgent_only and not referral.is_urgent:
        raise ValidationError(
            {"referral": "Only an urgent referral can be sent without a team lead's review."}
        )
    note = note.strip()
    if transition.note_required and not note:
        raise ValidationError({"note": f"Enter {transition.note_label.lower()}."})
    _check_reply(
        transition,
        referral,
        by_service=link is not None,
        first_contact_on=first_contact_on,
        decline_reason=decline_reason,
        outcome=outcome,
    )
    if transition.target in {Status.SUBMITTED, Status.READY} and transition.source in {
        Status.DRAFT,
        Status.RETURNED,
    }:
        _check_ready_to_share(referral)
    now = timezone.now()
    previous = referral.status
    referral.status = transition.target
    referral.status_changed_at = now
    if transition.target == Status.SUBMITTED:
        referral.submitted_at = now
    if transition.target == Status.READY:
        # Made ready without review: a team lead looks at it afterwards.
        referral.needs_retrospective_review = previous == Status.DRAFT
    if transition.target == Status.SENT:
        referral.sent_at = now
    referral.version += 1
    referral.save()
    event = _append_event(
        referral,
        actor=actor,
        link=link,
        kind=ReferralEvent.Kind.TRANSITION,
        from_status=previous,
        note=note,
    )
    reminders.referral_changed(referral, event)
    return referral


@transaction.atomic
def referral_mark_reviewed(
    *, actor: User, referral: Referral, note: str = "", expected_version: int | None
) -> Referral:
    """A team lead's review of an urgent referral that was sent without one."""
    referral = lock_referral(referral, expected_version, actor)
    if not permissions.may_review_referrals(actor):
        raise PermissionDenied("Only a team lead can review a referral.")
    if not permissions.may_review_after_sending(
        actor, is_author=selectors.is_author(referral, actor)
    ):
        raise PermissionDenied(
            "You created or sent this referral, so another team lead of your team reviews it."
        )
    if not referral.needs_retrospective_review or referral.retrospectively_reviewed_at:
        raise ValidationError({"referral": "This referral does not need a review after sending."})
    referral.retrospectively_reviewed_at = timezone.now()
    referral.retrospectively_reviewed_by = actor
    referral.version += 1
    referral.save()
    _append_event(
        referral,
        actor=actor,
        kind=ReferralEvent.Kind.REVIEWED,
        from_status=referral.status,
        note=note.strip(),
    )
    return referral
