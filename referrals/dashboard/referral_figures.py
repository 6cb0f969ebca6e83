"""The referral figures: the period's cohort of referrals, how far they got and how fast, and
where they went."""

import datetime

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)

from ..models import EvidenceLevel, Intervention, Referral, ReferralEvent
from ..workflow import Status
from .period import Period, scoped
from .table import Figure, Median, between, days_text

#: The referral funnel, in order, and what each stage is called.
FUNNEL = [
    (Status.SUBMITTED, "Submitted (or sent urgently)"),
    (Status.SENT, "Sent to the service"),
    (Status.ACKNOWLEDGED, "Acknowledged by the service"),
    (Status.ACCEPTED, "Accepted"),
    (Status.COMPLETED, "Completed"),
    (Status.DECLINED, "Declined by the service"),
    (Status.WITHDRAWN, "Withdrawn"),
]
#: Consecutive stages whose median gap is reported.
STAGE_GAPS = [
    (Status.SUBMITTED, Status.SENT, "Submitted to sent (review)"),
    (Status.SENT, Status.ACKNOWLEDGED, "Sent to acknowledged"),
    (Status.ACKNOWLEDGED, Status.ACCEPTED, "Acknowledged to accepted"),
    (Status.ACCEPTED, Status.COMPLETED, "Accepted to completed"),
]
#: A referral leaves the health visitor when submitted, or made ready to send without review
#: (before sending was a step of its own, an urgent one went from draft straight to sent).
LEFT_DRAFT = [Status.SUBMITTED, Status.READY, Status.SENT]


#: Where a referral of the cohort waits before the service answers: with the team lead, back with
#: the health visitor, ready to send, or sent. With the three answered columns, every status a
#: referral that left the health visitor can have, so each row of "Referrals by service" adds up.
WAITING_FOR_THE_SERVICE = [Status.SUBMITTED, Status.RETURNED, Status.READY, Status.SENT]


def referral_cohort(*, user, period: Period):
    """Referrals that first left the health visitor (submitted, or sent urgently) in the period."""
    leaving = ReferralEvent.objects.visible_to(user).filter(
        referral=OuterRef("pk"), to_status__in=LEFT_DRAFT
    )
    return scoped(Referral.objects, user).filter(
        Exists(leaving.filter(period.moments("at"))),
        ~Exists(leaving.filter(at__lt=period.start_at)),
    )


def first_reached(status: str) -> Min:
    return Min("events__at", filter=Q(events__to_status=status))


def referral_funnel(*, user, period: Period, today: datetime.date) -> Figure:
    """How far the period's referrals got: how many reached each stage of the workflow."""
    reached = (
        ReferralEvent.objects.visible_to(user)
        .filter(referral__in=referral_cohort(user=user, period=period).values("pk"))
        .aggregate(
            cohort=Count("referral", distinct=True, filter=Q(to_status__in=LEFT_DRAFT)),
            **{
                status: Count("referral", distinct=True, filter=Q(to_status=status))
                for status, _ in FUNNEL
            },
        )
    )
    cohort = reached["cohort"]
    rows = [
        [label, cohort if status == Status.SUBMITTED else reached[status]]
        for status, label in FUNNEL
    ]
    return Figure(
        slug="funnel",
        title="Referral funnel",
        columns=["Stage reached", "Referrals"],
        rows=rows if cohort else [],
        empty="No referral was submitted or sent in this period.",
        note="Referrals first submitted, or sent urgently, in the period, and every stage each "
        "has reached since.",
        chart_columns=[1],
    )


def stage_times(*, user, period: Period, today: datetime.date) -> Figure:
    """The median days between consecutive stages for the period's referrals."""
    stages = {status for pair in STAGE_GAPS for status in pair[:2]}
    per_referral = referral_cohort(user=user, period=period).annotate(
        **{f"at_{status}": first_reached(status) for status in stages}
    )
    medians = per_referral.aggregate(
        **{
            f"gap_{index}": Median(between(f"at_{start}", f"at_{end}"))
            for index, (start, end, _) in enumerate(STAGE_GAPS)
        },
        **{
            f"count_{index}": Count(f"at_{end}", filter=Q(**{f"at_{start}__isnull": False}))
            for index, (start, end, _) in enumerate(STAGE_GAPS)
        },
    )
    rows = [
        [label, medians[f"count_{index}"], days_text(medians[f"gap_{index}"])]
        for index, (_, _, label) in enumerate(STAGE_GAPS)
    ]
    return Figure(
        slug="stage-times",
        title="Time between referral stages",
        columns=["Stages", "Referrals", "Median days"],
        rows=rows if any(row[1] for row in rows) else [],
        empty="No referral of this period has moved between two stages yet.",
        note="From the first time each referral reached each stage. Urgent referrals sent without "
        "review have no review time.",
    )


def referrals_by_service(*, user, period: Period, today: datetime.date) -> Figure:
    """The period's referrals by the service they went to, and where they stand now."""
    rows = [
        [
            row["service__name"],
            row["referrals"],
            row["in_progress"],
            row["accepted"],
            row["declined"],
            row["withdrawn"],
        ]
        for row in referral_cohort(user=user, period=period)
        .values("service__name", "service_id")
        .annotate(
            referrals=Count("pk"),
            in_progress=Count("pk", filter=Q(status__in=WAITING_FOR_THE_SERVICE)),
            accepted=Count(
                "pk",
                filter=Q(status__in=[Status.ACKNOWLEDGED, Status.ACCEPTED, Status.COMPLETED]),
            ),
            declined=Count("pk", filter=Q(status=Status.DECLINED)),
            withdrawn=Count("pk", filter=Q(status=Status.WITHDRAWN)),
        )
        .order_by("-referrals", "service__name")
    ]
    return Figure(
        slug="services",
        title="Referrals by service",
        columns=[
            "Service",
            "Referrals",
            "Waiting for the service",
            "Acknowledged, accepted or completed",
            "Declined",
            "Withdrawn",
        ],
        rows=rows,
        empty="No referral was submitted or sent in this period.",
        chart_columns=[1],
    )


EVIDENCE_LABELS = {
    0: "Strong",
    1: "Intermediate",
    2: "Weak or none",
    None: "No intervention recorded",
}


def referrals_by_evidence(*, user, period: Period, today: datetime.date) -> Figure:
    """The period's referrals by the best evidence level of what their service offers."""
    rank = Case(
        When(evidence_level=EvidenceLevel.STRONG, then=Value(0)),
        When(evidence_level=EvidenceLevel.INTERMEDIATE, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    best = (
        Intervention.objects.filter(services=OuterRef("service_id"))
        .annotate(rank=rank)
        .order_by("rank")
        .values("rank")[:1]
    )
    counts = dict(
        referral_cohort(user=user, period=period)
        .annotate(best=Subquery(best, output_field=IntegerField()))
        .values("best")
        .annotate(referrals=Count("pk"))
        .values_list("best", "referrals")
        .order_by()
    )
    rows = [[label, counts[rank]] for rank, label in EVIDENCE_LABELS.items() if rank in counts]
    return Figure(
        slug="evidence",
        title="Referrals by strength of evidence",
        columns=["Best evidence the service offers", "Referrals"],
        rows=rows,
        empty="No referral was submitted or sent in this period.",
        note="Each referral counts once, at the best-evidenced intervention its service offers "
        "(Wright et al. 2023).",
        chart_columns=[1],
    )
