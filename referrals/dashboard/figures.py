"""The dashboard's figures for a period, in page order, and the ones about steps 1 and 2.

Each figure is one or two aggregate queries (GROUP BY and ``percentile_cont`` for medians in
PostgreSQL), so the number of queries stays the same however many families a team has, and no
Python loop walks the team's records. The referral figures are in ``referral_figures``.
"""

import datetime
from collections.abc import Callable

from django.db.models import Count, Min, Q
from django.utils import timezone

from attachment_app import permissions
from attachment_app.accounts.models import User
from conversations.models import Contact, ContactType, Conversation, Family
from screening.models import Concern, ScreeningResult

from .attention import overdue_follow_ups, overdue_responses
from .period import Period, scoped
from .referral_figures import (
    referral_funnel,
    referrals_by_evidence,
    referrals_by_service,
    stage_times,
)
from .table import Figure, Median, between, duration, percent


def conversations_by_contact_type(*, user, period: Period, today: datetime.date) -> Figure:
    """Contacts in the period by type, with the conversations started and completed at them."""
    counts = {
        row["contact_type"]: row
        for row in scoped(Contact.objects, user)
        .in_record()
        .filter(period.days("contact_date"))
        .values("contact_type")
        .annotate(
            contacts=Count("pk"),
            conversations=Count("conversation"),
            completed=Count(
                "conversation",
                filter=Q(
                    conversation__completed_at__isnull=False,
                    conversation__consent_status="given",
                ),
            ),
        )
        .order_by()
    }
    rows = [
        [
            choice.label,
            counts[choice.value]["contacts"],
            counts[choice.value]["conversations"],
            counts[choice.value]["completed"],
        ]
        for choice in ContactType
        if choice.value in counts
    ]
    return Figure(
        slug="conversations",
        title="Conversations by contact type",
        columns=["Contact type", "Contacts", "Conversations", "Completed"],
        rows=rows,
        empty="No contact was recorded in this period.",
        chart_columns=[2, 3],
    )


CONSENT_ROWS = [
    ("given", "Consent given"),
    ("declined", "Declined"),
    ("deferred", "Deferred to a later contact"),
    ("withdrawn", "Consent withdrawn"),
    ("", "Not yet asked"),
]


def consent(*, user, period: Period, today: datetime.date) -> Figure:
    """Each conversation's current consent at contacts in the period, with its share."""
    totals = (
        scoped(Conversation.objects, user)
        .filter(period.days("contact__contact_date"), contact__entered_in_error_at__isnull=True)
        .aggregate(
            **{
                f"n_{value or 'none'}": Count("pk", filter=Q(consent_status=value))
                for value, _ in CONSENT_ROWS
            }
        )
    )
    everyone = sum(totals.values())
    rows = [
        [label, totals[f"n_{value or 'none'}"], percent(totals[f"n_{value or 'none'}"], everyone)]
        for value, label in CONSENT_ROWS
    ]
    return Figure(
        slug="consent",
        title="Consent to the conversation",
        columns=["Consent", "Conversations", "Share"],
        rows=rows if everyone else [],
        empty="No conversation was started at a contact in this period.",
        note="The latest decision at each conversation held at a contact in the period.",
        chart_columns=[1],
    )


def concerns_by_category(*, user, period: Period, today: datetime.date) -> Figure:
    """Concerns raised in the period by category and severity."""
    rows = [
        [row["category__name"], row["low"], row["moderate"], row["high"], row["total"]]
        for row in scoped(Concern.objects, user)
        .in_record()
        .filter(period.moments("raised_at"))
        .values("category__name", "category__position")
        .annotate(
            low=Count("pk", filter=Q(severity=Concern.Severity.LOW)),
            moderate=Count("pk", filter=Q(severity=Concern.Severity.MODERATE)),
            high=Count("pk", filter=Q(severity=Concern.Severity.HIGH)),
            total=Count("pk"),
        )
        .order_by("category__position", "category__name")
    ]
    return Figure(
        slug="concerns",
        title="Concerns by category and severity",
        columns=["Category", "Low", "Moderate", "High", "All"],
        rows=rows,
        empty="No concern was raised in this period.",
        chart_columns=[1, 2, 3],
    )


def instruments(*, user, period: Period, today: datetime.date) -> Figure:
    """Instruments completed in the period and the share of screens that were positive."""
    results = (
        scoped(ScreeningResult.objects, user)
        .current()
        .filter(period.moments("recorded_at"))
        .values("definition__code")
        .annotate(
            completed=Count("pk"),
            screened=Count("pk", filter=Q(positive__isnull=False)),
            positive=Count("pk", filter=Q(positive=True)),
            name=Min("definition__name"),
        )
        .order_by("definition__code")
    )
    rows = [
        [
            row["name"],
            row["completed"],
            row["positive"],
            percent(row["positive"], row["screened"]) if row["screened"] else "Not a screen",
        ]
        for row in results
    ]
    return Figure(
        slug="instruments",
        title="Instruments completed",
        columns=["Instrument", "Completed", "Positive", "Share positive"],
        rows=sorted(rows, key=lambda row: row[0].lower()),
        empty="No instrument was completed in this period.",
        note="Corrected results count once, as corrected. Observational tools have no positive.",
        chart_columns=[1, 2],
    )


def urgent_concerns(*, user, period: Period, today: datetime.date) -> Figure:
    """Urgent concerns raised in the period, how many were acknowledged, and how fast."""
    totals = (
        scoped(Concern.objects, user)
        .in_record()
        .filter(period.moments("raised_at"), urgent=True)
        .aggregate(
            raised=Count("pk"),
            acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
            median=Median(between("raised_at", "acknowledged_at")),
        )
    )
    rows = [
        ["Urgent concerns raised", totals["raised"]],
        ["Acknowledged", totals["acknowledged"]],
        ["Still awaiting acknowledgement", totals["raised"] - totals["acknowledged"]],
        ["Median time to acknowledgement", duration(totals["median"])],
    ]
    return Figure(
        slug="urgent",
        title="Urgent concerns",
        columns=["Measure", "Value"],
        rows=rows if totals["raised"] else [],
        empty="No urgent concern was raised in this period.",
    )


def workload(*, user, period: Period, today: datetime.date) -> Figure:
    """Per health visitor: caseload, contacts in the period and what is overdue now."""
    hv = "family__named_hv"
    families = {
        row["named_hv"]: row
        for row in scoped(Family.objects, user, family_path="")
        .values("named_hv")
        .annotate(
            caseload=Count("pk"),
            overdue_contacts=Count("pk", filter=Q(next_contact_closes__lt=today)),
        )
        .order_by()
    }
    contacts = _grouped(
        scoped(Contact.objects, user).in_record().filter(period.days("contact_date")), hv
    )
    follow_ups = _grouped(overdue_follow_ups(user=user, today=today), hv)
    referrals = _grouped(overdue_responses(user=user, now=timezone.now()), hv)
    urgent = _grouped(scoped(Concern.objects, user).awaiting_acknowledgement(), hv)
    ids = set(families) | set(contacts) | set(follow_ups) | set(referrals) | set(urgent)
    if permissions.sees_team_figures(user):
        people = User.objects.filter(
            Q(pk__in=[pk for pk in ids if pk is not None])
            | Q(pk__in=permissions.health_visitors(user.team_id).values("pk"))
        )
    else:
        people = User.objects.filter(pk=user.pk)
    named: list[tuple[str, int | None]] = [
        (person.get_full_name() or person.username, person.pk)
        for person in sorted(people, key=lambda p: (p.get_full_name() or p.username).lower())
    ]
    if None in ids:
        named.append(("No named health visitor", None))
    rows = [
        [
            name,
            families.get(pk, {}).get("caseload", 0),
            contacts.get(pk, 0),
            families.get(pk, {}).get("overdue_contacts", 0),
            follow_ups.get(pk, 0),
            referrals.get(pk, 0),
            urgent.get(pk, 0),
        ]
        for name, pk in named
    ]
    return Figure(
        slug="workload",
        title="Caseload and overdue items by health visitor",
        columns=[
            "Health visitor",
            "Families",
            "Contacts in the period",
            "Mandated contacts overdue",
            "Follow-ups overdue",
            "Referrals past response time",
            "Urgent concerns awaiting acknowledgement",
        ],
        rows=rows,
        empty="No health visitor or family yet.",
        note="Families count under their named health visitor. Overdue items are as of today, "
        "whatever the period.",
        chart_columns=[1, 2],
    )


def _grouped(queryset, key: str) -> dict:
    return dict(queryset.values(key).annotate(n=Count("pk")).values_list(key, "n").order_by())


#: Every figure in page order: slug → the selector that computes it.
FIGURES: dict[str, Callable[..., Figure]] = {
    "conversations": conversations_by_contact_type,
    "consent": consent,
    "concerns": concerns_by_category,
    "instruments": instruments,
    "urgent": urgent_concerns,
    "funnel": referral_funnel,
    "stage-times": stage_times,
    "services": referrals_by_service,
    "evidence": referrals_by_evidence,
    "workload": workload,
}


def figure(slug: str, *, user, period: Period, today: datetime.date) -> Figure:
    """One figure, with its chart; ``KeyError`` for an unknown slug."""
    return FIGURES[slug](user=user, period=period, today=today).draw(period)


def all_figures(*, user, period: Period, today: datetime.date) -> list[Figure]:
    """Every figure for the period, in page order."""
    return [figure(slug, user=user, period=period, today=today) for slug in FIGURES]
