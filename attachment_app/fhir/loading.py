"""Fetches what the FHIR export of one or many families holds, in a fixed number of queries.

One query for each kind of record, whatever the number of families: the bulk export calls it on
batches of families, the family page and the command on one. Only records that stand are read
(none entered in error); of the screening results, only the current ones.
"""

from collections import defaultdict

from django.db.models import Prefetch

from conversations.models import Baby, Caregiver, ConsentDecision, Contact, Conversation
from referrals.models import FollowUp, Referral, ReferralEvent, Signpost
from screening.models import Concern, Observation, ScreeningResult

from .record import FamilyRecord


def _by_family(rows, field: str = "family_id") -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, field)].append(row)
    return grouped


def load_family_records(families) -> list[FamilyRecord]:
    """The records of these families (a queryset, already scoped to the person exporting), in
    the order of the queryset."""
    family_rows = list(families.select_related("team", "named_hv"))
    ids = [family.pk for family in family_rows]
    if not ids:
        return []
    babies = _by_family(Baby.objects.filter(family__in=ids).order_by("pk"))
    caregivers = _by_family(Caregiver.objects.in_record().filter(family__in=ids).order_by("pk"))
    contacts = _by_family(
        Contact.objects.in_record()
        .filter(family__in=ids)
        .select_related("recorded_by")
        .order_by("contact_date", "pk")
    )
    conversations = _by_family(
        Conversation.objects.filter(family__in=ids, contact__entered_in_error_at__isnull=True)
        .select_related("contact", "started_by")
        .order_by("contact__contact_date", "pk")
    )
    decisions = _decisions_by_family(ids)
    results = _by_family(
        ScreeningResult.objects.current()
        .filter(family__in=ids)
        .select_related("definition", "supersedes", "recorded_by", "contact")
        .order_by("recorded_at", "pk")
    )
    concerns = _by_family(
        Concern.objects.in_record()
        .filter(family__in=ids)
        .select_related("category", "raised_by", "acknowledged_by", "closed_by")
        .order_by("raised_at", "pk")
    )
    observations = _by_family(
        Observation.objects.in_record()
        .filter(family__in=ids)
        .select_related("recorded_by")
        .order_by("recorded_at", "pk")
    )
    referrals = _by_family(
        Referral.objects.filter(family__in=ids)
        .select_related("service__organization", "created_by")
        .prefetch_related(
            Prefetch("concerns", queryset=Concern.objects.in_record().order_by("pk")),
            Prefetch("shared_results", queryset=ScreeningResult.objects.order_by("pk")),
            Prefetch(
                "events",
                queryset=ReferralEvent.objects.select_related("actor", "service_link").order_by(
                    "at", "pk"
                ),
            ),
        )
        .order_by("created_at", "pk")
    )
    signposts = _by_family(
        Signpost.objects.in_record()
        .filter(family__in=ids)
        .select_related("service__organization", "recorded_by")
        .order_by("given_on", "pk")
    )
    follow_ups = _by_family(
        FollowUp.objects.in_record()
        .filter(family__in=ids)
        .select_related("planned_by", "closed_by")
        .order_by("due_on", "pk")
    )
    return [
        FamilyRecord(
            family=family,
            team=family.team,
            babies=babies[family.pk],
            caregivers=caregivers[family.pk],
            contacts=contacts[family.pk],
            conversations=conversations[family.pk],
            consent_decisions=decisions[family.pk],
            results=results[family.pk],
            concerns=concerns[family.pk],
            observations=observations[family.pk],
            referrals=referrals[family.pk],
            signposts=signposts[family.pk],
            follow_ups=follow_ups[family.pk],
        )
        for family in family_rows
    ]


def _decisions_by_family(ids: list[int]) -> dict[int, list]:
    rows = (
        ConsentDecision.objects.filter(
            conversation__family__in=ids, conversation__contact__entered_in_error_at__isnull=True
        )
        .select_related("conversation", "recorded_by")
        .prefetch_related("participants")
        .order_by("recorded_at", "pk")
    )
    grouped: dict[int, list] = defaultdict(list)
    for decision in rows:
        grouped[decision.conversation.family_id].append(decision)
    return grouped
