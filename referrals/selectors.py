"""Reads for step 3's clinical pages: the family's referrals, the review queue, what is due.

Everything comes through ``visible_to(user)``, and each function runs a fixed number of queries
however many rows it returns (tests hold them to it).
"""

import datetime
from dataclasses import dataclass

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from attachment_app import permissions
from attachment_app.formatting import format_date
from attachment_app.pagination import shortlist
from conversations.entered_in_error import entries
from conversations.models import Baby, Caregiver, Family
from screening.models import Concern, ScreeningResult

from . import workflow
from .eligibility import FamilyCircumstances, circumstances
from .models import FollowUp, Referral, ReferralDelivery, ReferralEvent, ServiceLink, Signpost
from .selectors_directory import ConcernGroup, ServiceHistory, suggested_services
from .sending import email_problem

#: Where an urgent referral goes from a draft without review: ready to send (and, before
#: sending was a step of its own, straight to sent).
_WITHOUT_REVIEW = frozenset({workflow.Status.READY, workflow.Status.SENT})


def is_author(referral: Referral, user) -> bool:
    """Whether ``user`` created this referral, submitted it, or sent it without review: the
    people separation of duties keeps from reviewing it."""
    if referral.created_by_id == user.pk:
        return True
    prefetched = getattr(referral, "_prefetched_objects_cache", {}).get("events")
    if prefetched is not None:  # the referral page has its history already: no query
        return any(
            event.actor_id == user.pk
            and event.kind == ReferralEvent.Kind.TRANSITION
            and (
                event.to_status == workflow.Status.SUBMITTED
                or (
                    event.to_status in _WITHOUT_REVIEW
                    and event.from_status == workflow.Status.DRAFT
                )
            )
            for event in prefetched
        )
    authored = Q(to_status=workflow.Status.SUBMITTED) | Q(
        to_status__in=sorted(_WITHOUT_REVIEW), from_status=workflow.Status.DRAFT
    )
    return (
        ReferralEvent.objects.filter(referral=referral, actor_id=user.pk)
        .filter(authored, kind=ReferralEvent.Kind.TRANSITION)
        .exists()
    )


def referral_for_page(*, user, referral_id: int) -> Referral:
    """One referral the user may see, with what its page shows; DoesNotExist otherwise."""
    return (
        Referral.objects.visible_to(user)
        .select_related(
            "family",
            "service__organization",
            "created_by",
            "retrospectively_reviewed_by",
            "consent_given_by",
        )
        .prefetch_related(
            Prefetch("concerns", queryset=Concern.objects.select_related("category")),
            Prefetch("shared_results", queryset=_SHARED_RESULTS),
            Prefetch("events", queryset=ReferralEvent.objects.select_related("actor")),
            *_RETURN_CHANGES_PREFETCHES,
        )
        .get(pk=referral_id)
    )


@dataclass(frozen=True)
class SendingState:
    """Where a referral's sending stands, for its page: the email waiting for the mail server,
    the sendings so far, the service's live link, and why email is not offered (two queries)."""

    pending: ReferralDelivery | None
    deliveries: list[ReferralDelivery]
    link: ServiceLink | None
    email_problem: str
    can_reply: bool


def sending_state(referral: Referral) -> SendingState:
    deliveries = list(referral.deliveries.select_related("requested_by").order_by("requested_at"))
    pending = next((d for d in deliveries if d.status == ReferralDelivery.Status.PENDING), None)
    return SendingState(
        pending=pending,
        deliveries=deliveries,
        link=referral.service_links.live().first(),
        email_problem=email_problem(referral.service),
        can_reply=referral.status in workflow.REPLY_STATUSES,
    )


#: The results a referral shares, as its page lists them: the newest first.
_SHARED_RESULTS = ScreeningResult.objects.select_related("definition", "contact").order_by(
    "-contact__contact_date", "-recorded_at", "-pk"
)


def concern_label(concern: Concern) -> str:
    """A concern as the referral form and its history name it."""
    return f"{concern.category.name}, raised {format_date(concern.raised_at)}"


#: What ``changes_since_return`` reads, fetched with the referrals (a fixed number of queries).
_RETURN_CHANGES_PREFETCHES = (
    "snapshots",
    "family__caregivers",
    Prefetch(
        "family__concerns",
        queryset=Concern.objects.select_related("category"),
        to_attr="all_concerns",
    ),
)


def with_return_changes(referrals) -> list[Referral]:
    """The referrals, each with ``return_changes``: what changed since it was returned, or None
    (see ``changes_since_return``; the prefetches above needed)."""
    referrals = list(referrals)
    for referral in referrals:
        names = {concern.pk: concern_label(concern) for concern in referral.family.all_concerns}
        referral.return_changes = changes_since_return(referral, concern_names=names)
    return referrals


def latest_return(referral: Referral) -> ReferralEvent | None:
    """The event of the referral's latest return, with the team lead's comment (events
    prefetched with their actors)."""
    returns = [
        event
        for event in referral.events.all()
        if event.kind == ReferralEvent.Kind.TRANSITION
        and event.to_status == workflow.Status.RETURNED
    ]
    return returns[-1] if returns else None


def latest_return_comment(referral: Referral) -> str:
    """The team lead's comment when the referral was last returned (events prefetched)."""
    returned = latest_return(referral)
    return returned.note if returned else ""


@dataclass
class FieldChange:
    """One thing the referral says differently now than when it was returned."""

    label: str
    before: str
    after: str


@dataclass
class ReturnChanges:
    """What changed between the version a team lead returned and the version resubmitted."""

    returned: ReferralEvent
    changes: list[FieldChange]


#: The fields compared between the returned and the resubmitted version, with their labels.
#: The service is not among them: it cannot be changed on a referral's pages.
COMPARED_FIELDS = (
    ("reason", "Reason"),
    ("urgency", "Urgency"),
    ("sharing_basis", "Basis for sharing"),
    ("consent_given_by_id", "Who gave consent"),
    ("consent_method", "How consent was given"),
    ("consent_given_on", "When consent was given"),
    ("safeguarding_justification", "Why sharing without consent is justified"),
    ("information_shared", "Information shared"),
    ("eligibility_override_reason", "Why refer outside eligibility"),
)

_CHOICE_LABELS = {
    "urgency": dict(Referral.Urgency.choices),
    "sharing_basis": dict(Referral.SharingBasis.choices),
    "consent_method": dict(Referral.ConsentMethod.choices),
}


def _shown(name: str, value, caregivers: dict[int, str]) -> str:
    if value in (None, ""):
        return "Nothing"
    if name in _CHOICE_LABELS:
        return _CHOICE_LABELS[name].get(value, value)
    if name == "consent_given_by_id":
        return caregivers.get(value, "A parent or carer no longer recorded")
    if isinstance(value, datetime.date):
        return format_date(value)
    return str(value)


def changes_since_return(
    referral: Referral, *, concern_names: dict[int, str]
) -> ReturnChanges | None:
    """For a referral resubmitted after a return: what differs between the version returned and
    the version resubmitted, from its pghistory snapshots and (for the linked concerns) its
    events. None if it is not awaiting review after a return.

    Needs ``snapshots``, ``events`` (with actors) and ``family.caregivers`` prefetched;
    ``concern_names`` names the concerns that may have been linked.
    """
    if referral.status != workflow.Status.SUBMITTED:
        return None
    # pghistory makes the snapshot model, and so this accessor, at run time.
    all_snapshots = referral.snapshots.all()  # type: ignore[attr-defined]
    snapshots = sorted(all_snapshots, key=lambda snapshot: snapshot.pgh_id)
    returned_at = None
    for index, snapshot in enumerate(snapshots):
        if snapshot.status == workflow.Status.RETURNED and (
            index == 0 or snapshots[index - 1].status != workflow.Status.RETURNED
        ):
            returned_at = index
    if returned_at is None:
        return None
    resubmitted = next(
        (s for s in snapshots[returned_at:] if s.status == workflow.Status.SUBMITTED), None
    )
    returned = latest_return(referral)
    if resubmitted is None or returned is None:
        return None
    before = snapshots[returned_at]
    caregivers = {
        caregiver.pk: f"{caregiver.name} ({caregiver.get_relationship_display().lower()})"
        for caregiver in referral.family.caregivers.all()
    }
    changes = [
        FieldChange(
            label,
            _shown(name, getattr(before, name), caregivers),
            _shown(name, getattr(resubmitted, name), caregivers),
        )
        for name, label in COMPARED_FIELDS
        if getattr(before, name) != getattr(resubmitted, name)
    ]
    events = list(referral.events.all())
    position = next(i for i, event in enumerate(events) if event.pk == returned.pk)
    linked_then = [e.concern_ids for e in events[:position] if e.concern_ids is not None]
    linked_now = [e.concern_ids for e in events if e.concern_ids is not None]
    # Referrals made before the links were recorded on their events have nothing to compare.
    if linked_then and linked_now and linked_then[-1] != linked_now[-1]:

        def names(ids):
            return ", ".join(concern_names.get(pk, "A closed concern") for pk in ids) or "None"

        changes.append(FieldChange("Concerns", names(linked_then[-1]), names(linked_now[-1])))
    return ReturnChanges(returned=returned, changes=changes)


def family_caregivers(*, user, family: Family) -> QuerySet:
    """The family's parents and carers, who may give consent to share."""
    return Caregiver.objects.visible_to(user).in_record().filter(family=family).order_by("pk")


def family_open_concerns(*, user, family: Family, linked=()) -> QuerySet:
    """The family's open concerns (and any of ``linked``, open or not), newest first."""
    return (
        Concern.objects.visible_to(user)
        .filter(family=family)
        .filter(
            Q(closed_at__isnull=True, entered_in_error_at__isnull=True)
            | Q(pk__in=[concern.pk for concern in linked])
        )
        .select_related("category")
        .order_by("-raised_at", "-pk")
    )


def family_current_results(*, user, family: Family) -> QuerySet:
    """The family's current screening results (none corrected since), newest first: those a
    referral may share."""
    return (
        ScreeningResult.objects.visible_to(user)
        .filter(family=family)
        .current()
        .select_related("definition", "contact")
        .order_by("-contact__contact_date", "-recorded_at", "-pk")
    )


def result_label(result: ScreeningResult) -> str:
    """A result as the referral form offers it: instrument, date, total and band."""
    scored = [f"total {result.total}"] if result.total is not None else []
    scored += [result.band] if result.band else []
    return (
        f"{result.definition.name}, {format_date(result.contact.contact_date)}: "
        f"{', '.join(scored) or 'no total or band'}"
    )


def family_facts(*, user, family: Family, today: datetime.date) -> FamilyCircumstances:
    """What a service's eligibility is judged on: the babies' ages and the postcode district."""
    babies = Baby.objects.visible_to(user).filter(family=family).order_by("pk")
    return circumstances(family, babies, today)


@dataclass
class FamilySuggestions:
    concerns: list[Concern]
    facts: FamilyCircumstances
    groups: list[ConcernGroup]


def service_history(*, user, family: Family) -> dict[int, ServiceHistory]:
    """For each service, the family's referrals to it and when it was last signposted to
    (two queries)."""
    history: dict[int, ServiceHistory] = {}
    referrals = (
        Referral.objects.visible_to(user)
        .filter(family=family)
        .order_by("-created_at", "-pk")
        .values_list("service_id", "status", "created_at")
    )
    labels = dict(workflow.Status.choices)
    for service_id, status, created_at in referrals:
        history.setdefault(service_id, ServiceHistory()).referrals.append(
            (labels.get(status, status), created_at)
        )
    signposts = (
        Signpost.objects.visible_to(user)
        .in_record()
        .filter(family=family, service__isnull=False)
        .order_by("service_id", "-given_on")
        .distinct("service_id")
        .values_list("service_id", "given_on")
    )
    for service_id, given_on in signposts:
        history.setdefault(service_id, ServiceHistory()).signposted_on = given_on
    return history


def suggestions_for_family(*, user, family: Family, today: datetime.date) -> FamilySuggestions:
    """Services for the family's open concerns that take the family, grouped by concern (most
    pressing first), best match first; each marked with what was done with it already."""
    concerns = list(family_open_concerns(user=user, family=family))
    facts = family_facts(user=user, family=family, today=today)
    groups = suggested_services(concerns=concerns, facts=facts)
    if groups:
        history = service_history(user=user, family=family)
        for group in groups:
            for suggestion in group.suggestions:
                suggestion.history = history.get(suggestion.service.pk)
    return FamilySuggestions(concerns=concerns, facts=facts, groups=groups)


# --- The family page ---------------------------------------------------------------------------


def family_page_reader(*, user, family: Family) -> dict:
    """Signposting, referrals with their history, and follow-ups, for the family page; the
    signposts and follow-ups entered in error for the page's own section (same queries)."""
    referrals = (
        Referral.objects.visible_to(user)
        .filter(family=family)
        .select_related("service")
        .prefetch_related(
            Prefetch("events", queryset=ReferralEvent.objects.select_related("actor")),
        )
        .order_by("-created_at", "-pk")
    )
    every_signpost = list(
        Signpost.objects.visible_to(user)
        .filter(family=family)
        .select_related("service", "recorded_by", "entered_in_error_by")
        .order_by("-given_on", "-pk")
    )
    every_follow_up = list(
        FollowUp.objects.visible_to(user)
        .filter(family=family)
        .select_related("planned_by", "closed_by", "entered_in_error_by")
        .order_by("due_on", "pk")
    )
    follow_ups = [f for f in every_follow_up if not f.is_entered_in_error]
    return {
        "entered_in_error": entries(
            "Signpost", [s for s in every_signpost if s.is_entered_in_error]
        )
        + entries("Follow-up", [f for f in every_follow_up if f.is_entered_in_error]),
        "support": {
            "referrals": list(referrals),
            "signposts": [s for s in every_signpost if not s.is_entered_in_error],
            "open_follow_ups": [f for f in follow_ups if f.is_open],
            "closed_follow_ups": [f for f in follow_ups if not f.is_open],
            "today": timezone.localdate(),
        },
    }


# --- The home page and the caseload -------------------------------------------------------------


def returned_to_user(*, user) -> QuerySet[Referral]:
    """Referrals the user made that a team lead returned to them, the longest waiting first."""
    return (
        Referral.objects.visible_to(user)
        .filter(status=workflow.Status.RETURNED, created_by=user)
        .select_related("family", "service")
        .order_by("status_changed_at", "pk")
    )


def returned_by_user(*, user) -> QuerySet[Referral]:
    """Referrals the user (a team lead) returned to someone else that still wait for them, the
    longest waiting first."""
    last_returned_by = Subquery(
        ReferralEvent.objects.filter(
            referral=OuterRef("pk"),
            kind=ReferralEvent.Kind.TRANSITION,
            to_status=workflow.Status.RETURNED,
        )
        .order_by("-at", "-pk")
        .values("actor_id")[:1]
    )
    return (
        Referral.objects.visible_to(user)
        .filter(status=workflow.Status.RETURNED)
        .annotate(returned_by=last_returned_by)
        .filter(returned_by=user.pk)
        .exclude(created_by=user)
        .select_related("family", "service", "created_by")
        .order_by("status_changed_at", "pk")
    )


def home_page_reader(*, user) -> dict:
    """What needs the user's attention from step 3, at the top of their home page: referrals
    returned to them (their own), and for team leads how many await review and the referrals
    they returned that wait for the health visitor. Each list is its oldest few and its count,
    with a link to the whole list (``/referrals/returned/``)."""
    extras: dict[str, object] = {"returned_referrals": shortlist(returned_to_user(user=user))}
    if permissions.may_review_referrals(user):
        referrals = Referral.objects.visible_to(user)
        extras["referrals_returned_by_you"] = shortlist(returned_by_user(user=user))
        extras["review_counts"] = {
            "awaiting": referrals.awaiting_review().count(),
            "retrospective": referrals.awaiting_retrospective_review().count(),
        }
    return extras


def caseload_reader(*, user, families: list[Family], today: datetime.date) -> dict[int, list]:
    """Each listed family's open follow-ups due within a week, for the caseload rows."""
    soon = today + datetime.timedelta(days=7)
    due = (
        FollowUp.objects.visible_to(user)
        .open()
        .filter(family__in=[family.pk for family in families], due_on__lte=soon)
        .order_by("due_on", "pk")
    )
    notes: dict[int, list] = {}
    for follow_up in due:
        if follow_up.due_on < today:
            status, tag = "Overdue", "nhsuk-tag--red"
        elif follow_up.due_on == today:
            status, tag = "Due today", "nhsuk-tag--orange"
        else:
            status, tag = "Due soon", "nhsuk-tag--blue"
        notes.setdefault(follow_up.family_id, []).append(
            {
                "label": f"Follow-up: {follow_up.purpose}",
                "date": follow_up.due_on,
                "status": status,
                "tag_class": tag,
            }
        )
    return notes


# --- The team lead's review queue -----------------------------------------------------------------


def review_queue(*, user) -> QuerySet:
    """Submitted referrals of the user's team, oldest first, with the family's concerns and
    current screening results alongside."""
    return (
        Referral.objects.visible_to(user)
        .awaiting_review()
        .select_related("family", "service", "created_by", "consent_given_by")
        .prefetch_related(
            Prefetch("events", queryset=ReferralEvent.objects.select_related("actor")),
            *_RETURN_CHANGES_PREFETCHES,
            Prefetch(
                "family__concerns",
                queryset=Concern.objects.open().select_related("category").order_by("-raised_at"),
                to_attr="open_concerns",
            ),
            Prefetch(
                "family__screening_results",
                queryset=ScreeningResult.objects.current()
                .select_related("definition", "contact")
                .order_by("-recorded_at"),
                to_attr="current_results",
            ),
            Prefetch("concerns", queryset=Concern.objects.select_related("category")),
        )
    )


def retrospective_queue(*, user) -> QuerySet:
    """Urgent referrals of the user's team sent without review and not yet reviewed."""
    return (
        Referral.objects.visible_to(user)
        .awaiting_retrospective_review()
        .select_related("family", "service", "created_by")
        .prefetch_related(Prefetch("concerns", queryset=Concern.objects.select_related("category")))
    )
