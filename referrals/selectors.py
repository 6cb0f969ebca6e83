"""Reads for step 3's clinical pages: the family's referrals, the review queue, what is due.

Everything comes through ``visible_to(user)``, and each function runs a fixed number of queries
however many rows it returns (tests hold them to it).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from conversations.models import Baby, Family
from screening.models import Concern, ScreeningResult

from . import workflow
from .eligibility import FamilyCircumstances, circumstances
from .models import FollowUp, Referral, ReferralEvent, Signpost
from .selectors_directory import suggested_services


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
                    event.to_status == workflow.Status.SENT
                    and event.from_status == workflow.Status.DRAFT
                )
            )
            for event in prefetched
        )
    authored = Q(to_status=workflow.Status.SUBMITTED) | Q(
        to_status=workflow.Status.SENT, from_status=workflow.Status.DRAFT
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
        )
        .prefetch_related(
            Prefetch("concerns", queryset=Concern.objects.select_related("category")),
            Prefetch("events", queryset=ReferralEvent.objects.select_related("actor")),
        )
        .get(pk=referral_id)
    )


def latest_return_comment(referral: Referral) -> str:
    """The team lead's comment when the referral was last returned (events prefetched)."""
    returns = [e for e in referral.events.all() if e.to_status == workflow.Status.RETURNED]
    return returns[-1].note if returns else ""


def family_open_concerns(*, user, family: Family, linked=()) -> QuerySet:
    """The family's open concerns (and any of ``linked``, open or not), newest first."""
    return (
        Concern.objects.visible_to(user)
        .filter(family=family)
        .filter(Q(closed_at__isnull=True) | Q(pk__in=[concern.pk for concern in linked]))
        .select_related("category")
        .order_by("-raised_at", "-pk")
    )


def family_facts(*, user, family: Family, today: datetime.date) -> FamilyCircumstances:
    """What a service's eligibility is judged on: the babies' ages and the postcode district."""
    babies = Baby.objects.visible_to(user).filter(family=family).order_by("pk")
    return circumstances(family, babies, today)


@dataclass
class FamilySuggestions:
    concerns: list[Concern]
    facts: FamilyCircumstances
    suggestions: list


def suggestions_for_family(*, user, family: Family, today: datetime.date) -> FamilySuggestions:
    """Services for the family's open concerns that take the family, best evidence first."""
    concerns = list(family_open_concerns(user=user, family=family))
    facts = family_facts(user=user, family=family, today=today)
    names = {concern.category_id: concern.category.name for concern in concerns}
    return FamilySuggestions(
        concerns=concerns,
        facts=facts,
        suggestions=suggested_services(category_ids=set(names), category_names=names, facts=facts),
    )


# --- The family page ---------------------------------------------------------------------------


def family_page_reader(*, user, family: Family) -> dict:
    """Signposting, referrals with their history, and follow-ups, for the family page."""
    referrals = (
        Referral.objects.visible_to(user)
        .filter(family=family)
        .select_related("service")
        .prefetch_related(
            Prefetch("events", queryset=ReferralEvent.objects.select_related("actor")),
        )
        .order_by("-created_at", "-pk")
    )
    signposts = (
        Signpost.objects.visible_to(user)
        .filter(family=family)
        .select_related("service", "recorded_by")
        .order_by("-given_on", "-pk")
    )
    follow_ups = (
        FollowUp.objects.visible_to(user)
        .filter(family=family)
        .select_related("planned_by", "closed_by")
        .order_by("due_on", "pk")
    )
    follow_ups = list(follow_ups)
    return {
        "support": {
            "referrals": list(referrals),
            "signposts": list(signposts),
            "open_follow_ups": [f for f in follow_ups if f.is_open],
            "closed_follow_ups": [f for f in follow_ups if not f.is_open],
            "today": timezone.localdate(),
        }
    }


# --- The home page and the caseload -------------------------------------------------------------


def home_page_reader(*, user) -> dict:
    """What needs the user's attention from step 3, at the top of their home page."""
    referrals = Referral.objects.visible_to(user)
    returned = referrals.filter(status=workflow.Status.RETURNED)
    if not user.is_team_lead:
        returned = returned.filter(created_by=user)
    extras = {
        "returned_referrals": list(
            returned.select_related("family", "service").order_by("status_changed_at", "pk")[:20]
        )
    }
    if user.is_team_lead:
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
        .select_related("family", "service", "created_by")
        .prefetch_related(
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
