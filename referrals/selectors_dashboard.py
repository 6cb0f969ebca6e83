"""The team dashboard: what needs attention now, and the figures for a period.

Every read starts from ``visible_to(user)``, so a team lead sees their own team and nobody else's;
a health visitor's reads are narrowed further to the families they are the named health visitor
for. Each figure is one or two aggregate queries (GROUP BY and ``percentile_cont`` for medians in
PostgreSQL), so the number of queries stays the same however many families a team has, and no
Python loop walks the team's records.

A figure is a table (``Figure``: a heading row and rows of numbers), which the page shows, the
CSV export writes, and a chart (``BarChart``, coordinates for a server-drawn SVG) draws.
"""

import datetime
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.db.models import (
    Aggregate,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from attachment_app.accounts.models import Role, User
from attachment_app.formatting import format_date
from attachment_app.reminders import workdays
from conversations.models import Baby, Contact, ContactType, Conversation, Family
from screening.models import Concern, ScreeningResult

from .models import EvidenceLevel, FollowUp, Intervention, Referral, ReferralEvent, Service
from .workflow import Status

LONDON = ZoneInfo("Europe/London")
#: Items listed under each "needs attention" heading; the heading gives the full count.
ATTENTION_LIMIT = 20

# --- SQL helpers ---------------------------------------------------------------------------------


class Median(Aggregate):
    """The median of a column in PostgreSQL (``percentile_cont(0.5)``); NULLs are left out."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


class Seconds(Func):
    """The length of an interval in seconds."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = FloatField()


def _between(start_field: str, end_field: str) -> Seconds:
    return Seconds(F(end_field) - F(start_field))


# --- The period ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both days included, in London time."""

    start: datetime.date
    end: datetime.date

    @property
    def start_at(self) -> datetime.datetime:
        return datetime.datetime.combine(self.start, datetime.time(), tzinfo=LONDON)

    @property
    def end_before(self) -> datetime.datetime:
        """The first moment after the period."""
        following = self.end + datetime.timedelta(days=1)
        return datetime.datetime.combine(following, datetime.time(), tzinfo=LONDON)

    def moments(self, field_name: str) -> Q:
        """A filter for a datetime field inside the period."""
        return Q(**{f"{field_name}__gte": self.start_at, f"{field_name}__lt": self.end_before})

    def days(self, field_name: str) -> Q:
        """A filter for a date field inside the period."""
        return Q(**{f"{field_name}__range": (self.start, self.end)})

    @property
    def label(self) -> str:
        return f"{format_date(self.start)} to {format_date(self.end)}"


# --- Scope ---------------------------------------------------------------------------------------


def may_see_dashboard(user) -> bool:
    """Health visitors and team leads with a team; everyone else gets a 404."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_clinical)


def _scoped(queryset, user, family_path: str = "family"):
    """``visible_to(user)``, narrowed to the user's own caseload unless they lead the team."""
    rows = queryset.visible_to(user)
    if user.is_team_lead:
        return rows
    lookup = f"{family_path}__named_hv" if family_path else "named_hv"
    return rows.filter(**{lookup: user})


def scope_label(user) -> str:
    return "your team" if user.is_team_lead else "the families on your caseload"


# --- Figures and charts --------------------------------------------------------------------------

#: NHS identity colours with at least 3:1 contrast against white, for bars side by side.
SERIES_COLOURS = ["#005eb8", "#330072", "#007f3b", "#425563"]

CHART_WIDTH = 640
CHART_LABEL_RIGHT = 230  # row labels end here, right-aligned
CHART_PLOT_LEFT = 240
CHART_PLOT_RIGHT = 570  # room after the longest bar for its value
CHART_TOP = 8
BAR_HEIGHT = 18
BAR_GAP = 2
ROW_GAP = 14
LEGEND_HEIGHT = 28
#: Row labels are wrapped at this many characters (14-unit text in the 230 units left of the
#: bars), never cut short; a row grows to hold its label's lines.
CHART_LABEL_CHARS = 30
LABEL_LINE_HEIGHT = 16


@dataclass(frozen=True)
class Bar:
    x: int
    y: float
    width: float
    height: int
    colour: str
    value: int | float
    value_x: float
    value_y: float


@dataclass(frozen=True)
class ChartRow:
    label: str
    lines: list[tuple[str, float]]  # the label's lines with their baselines
    bars: list[Bar]


@dataclass(frozen=True)
class LegendItem:
    label: str
    colour: str
    x: int
    text_x: int


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart, as coordinates for a server-drawn SVG."""

    id: str
    title: str
    description: str
    rows: list[ChartRow]
    legend: list[LegendItem]
    height: int
    legend_y: int
    width: int = CHART_WIDTH
    label_right: int = CHART_LABEL_RIGHT
    plot_left: int = CHART_PLOT_LEFT
    top: int = CHART_TOP

    @property
    def axis_bottom(self) -> int:
        return self.legend_y - LEGEND_HEIGHT + 8 if self.legend else self.height - 4

    @property
    def legend_text_y(self) -> int:
        return self.legend_y + 12


@dataclass
class Figure:
    """One figure: a table whose first column names each row, and an optional chart."""

    slug: str
    title: str
    columns: list[str]
    rows: list[list]
    empty: str = "Nothing in this period."
    note: str = ""
    #: The columns drawn as bars (by index into ``columns``); none means no chart.
    chart_columns: list[int] = field(default_factory=list)
    chart: BarChart | None = None

    @property
    def is_empty(self) -> bool:
        return not self.rows

    @property
    def labelled_rows(self) -> list[list[tuple[str, object]]]:
        """Each row's cells with their column's name, for tables that stack on small screens."""
        return [list(zip(self.columns, row, strict=True)) for row in self.rows]

    def draw(self, period: Period) -> "Figure":
        """Add the chart, when there is something to draw."""
        if self.chart_columns and any(
            row[index] for row in self.rows for index in self.chart_columns
        ):
            self.chart = bar_chart(self, period)
        return self


def bar_chart(figure: Figure, period: Period) -> BarChart:
    """Bars for ``figure.chart_columns`` of each row, longest value scaled to the plot width."""
    series = [(figure.columns[index], index) for index in figure.chart_columns]
    largest = max(row[index] or 0 for row in figure.rows for _, index in series) or 1
    scale = (CHART_PLOT_RIGHT - CHART_PLOT_LEFT) / largest
    rows, y = [], CHART_TOP
    for row in figure.rows:
        label = str(row[0])
        lines = textwrap.wrap(label, CHART_LABEL_CHARS) or [""]
        bars_height = len(series) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
        block = max(bars_height, len(lines) * LABEL_LINE_HEIGHT)
        bars_top = y + (block - bars_height) / 2
        bars = []
        for position, (_, index) in enumerate(series):
            value = row[index] or 0
            bar_y = bars_top + position * (BAR_HEIGHT + BAR_GAP)
            width = round(value * scale, 1)
            bars.append(
                Bar(
                    x=CHART_PLOT_LEFT,
                    y=bar_y,
                    width=width,
                    height=BAR_HEIGHT,
                    colour=SERIES_COLOURS[position % len(SERIES_COLOURS)],
                    value=value,
                    value_x=CHART_PLOT_LEFT + width + 6,
                    value_y=bar_y + BAR_HEIGHT - 4,
                )
            )
        # 14-unit text reaches 10 above its baseline and 4 below: the lines centred in the row.
        first = y + block / 2 - (len(lines) - 1) * LABEL_LINE_HEIGHT / 2 + 3
        placed = [(line, first + number * LABEL_LINE_HEIGHT) for number, line in enumerate(lines)]
        rows.append(ChartRow(label=label, lines=placed, bars=bars))
        y += block + ROW_GAP
    legend = []
    if len(series) > 1:
        x = CHART_PLOT_LEFT
        for position, (name, _) in enumerate(series):
            legend.append(
                LegendItem(
                    label=name,
                    colour=SERIES_COLOURS[position % len(SERIES_COLOURS)],
                    x=x,
                    text_x=x + 20,
                )
            )
            x += 30 + 8 * len(name)
    legend_y = y + 8
    height = legend_y + (LEGEND_HEIGHT if legend else 0)
    names = " and ".join(name.lower() for name, _ in series)
    top = max(figure.rows, key=lambda row: row[series[0][1]] or 0)
    description = (
        f"Bar chart of {names} by {figure.columns[0].lower()}, {period.label}. "
        f"The longest bar is {top[0]}, with {top[series[0][1]]} {series[0][0].lower()}. "
        "The table after the chart gives every figure."
    )
    return BarChart(
        id=f"chart-{figure.slug}",
        title=f"{figure.title}: chart",
        description=description,
        rows=rows,
        legend=legend,
        height=height,
        legend_y=legend_y,
    )


# --- Each figure ---------------------------------------------------------------------------------


def conversations_by_contact_type(*, user, period: Period, today: datetime.date) -> Figure:
    """Contacts in the period by type, with the conversations started and completed at them."""
    counts = {
        row["contact_type"]: row
        for row in _scoped(Contact.objects, user)
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
        _scoped(Conversation.objects, user)
        .filter(period.days("contact__contact_date"))
        .aggregate(
            **{
                f"n_{value or 'none'}": Count("pk", filter=Q(consent_status=value))
                for value, _ in CONSENT_ROWS
            }
        )
    )
    everyone = sum(totals.values())
    rows = [
        [label, totals[f"n_{value or 'none'}"], _percent(totals[f"n_{value or 'none'}"], everyone)]
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
        for row in _scoped(Concern.objects, user)
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
        _scoped(ScreeningResult.objects, user)
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
            _percent(row["positive"], row["screened"]) if row["screened"] else "Not a screen",
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
        _scoped(Concern.objects, user)
        .filter(period.moments("raised_at"), urgent=True)
        .aggregate(
            raised=Count("pk"),
            acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
            median=Median(_between("raised_at", "acknowledged_at")),
        )
    )
    rows = [
        ["Urgent concerns raised", totals["raised"]],
        ["Acknowledged", totals["acknowledged"]],
        ["Still awaiting acknowledgement", totals["raised"] - totals["acknowledged"]],
        ["Median time to acknowledgement", _duration(totals["median"])],
    ]
    return Figure(
        slug="urgent",
        title="Urgent concerns",
        columns=["Measure", "Value"],
        rows=rows if totals["raised"] else [],
        empty="No urgent concern was raised in this period.",
    )


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
LEFT_DRAFT = [Status.SUBMITTED, Status.SENT]


def referral_cohort(*, user, period: Period):
    """Referrals that first left the health visitor (submitted, or sent urgently) in the period."""
    leaving = ReferralEvent.objects.visible_to(user).filter(
        referral=OuterRef("pk"), to_status__in=LEFT_DRAFT
    )
    return _scoped(Referral.objects, user).filter(
        Exists(leaving.filter(period.moments("at"))),
        ~Exists(leaving.filter(at__lt=period.start_at)),
    )


def _first_reached(status: str) -> Min:
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
        **{f"at_{status}": _first_reached(status) for status in stages}
    )
    medians = per_referral.aggregate(
        **{
            f"gap_{index}": Median(_between(f"at_{start}", f"at_{end}"))
            for index, (start, end, _) in enumerate(STAGE_GAPS)
        },
        **{
            f"count_{index}": Count(f"at_{end}", filter=Q(**{f"at_{start}__isnull": False}))
            for index, (start, end, _) in enumerate(STAGE_GAPS)
        },
    )
    rows = [
        [label, medians[f"count_{index}"], _days(medians[f"gap_{index}"])]
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
            in_progress=Count(
                "pk", filter=Q(status__in=[Status.SUBMITTED, Status.RETURNED, Status.SENT])
            ),
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


def workload(*, user, period: Period, today: datetime.date) -> Figure:
    """Per health visitor: caseload, contacts in the period and what is overdue now."""
    hv = "family__named_hv"
    families = {
        row["named_hv"]: row
        for row in _scoped(Family.objects, user, family_path="")
        .values("named_hv")
        .annotate(
            caseload=Count("pk"),
            overdue_contacts=Count("pk", filter=Q(next_contact_closes__lt=today)),
        )
        .order_by()
    }
    contacts = _grouped(_scoped(Contact.objects, user).filter(period.days("contact_date")), hv)
    follow_ups = _grouped(overdue_follow_ups(user=user, today=today), hv)
    referrals = _grouped(overdue_responses(user=user, now=timezone.now()), hv)
    urgent = _grouped(_scoped(Concern.objects, user).awaiting_acknowledgement(), hv)
    ids = set(families) | set(contacts) | set(follow_ups) | set(referrals) | set(urgent)
    if user.is_team_lead:
        people = User.objects.filter(
            Q(pk__in=[pk for pk in ids if pk is not None])
            | Q(team_id=user.team_id, role=Role.HEALTH_VISITOR, is_active=True)
        )
    else:
        people = User.objects.filter(pk=user.pk)
    named = [
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


# --- Needs attention now -------------------------------------------------------------------------


def overdue_follow_ups(*, user, today: datetime.date):
    """Open follow-ups whose due date has passed."""
    return _scoped(FollowUp.objects, user).open().filter(due_on__lt=today)


def response_due(sent_at: datetime.datetime, working_days: int) -> datetime.datetime:
    """When a service should have acknowledged a referral sent at ``sent_at``."""
    return workdays.working_days_later(sent_at, working_days)


def _sent_before_due_passed(working_days: int, now: datetime.datetime) -> Q:
    """Referrals sent at a moment whose response time (``working_days``) ended before ``now``.

    The due moment is the same time of day ``working_days`` working days after sending, and it
    never goes down as the sending moment goes up. So the days sent on fall into three runs:
    every day up to ``last_late`` is overdue whatever the time, the days whose due day is today
    are overdue if sent earlier in the day than now, and later days are not overdue.
    """
    local = now.astimezone(LONDON)
    today = local.date()
    day = today
    due_today_until = None
    # A response time is at most a few weeks, so this walks back a bounded number of days.
    for _ in range(400):
        due = workdays.add_working_days(day, working_days)
        if due < today:
            break
        if due == today and due_today_until is None:
            due_today_until = day
        day -= datetime.timedelta(days=1)
    last_late = day

    def midnight_after(value: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(
            value + datetime.timedelta(days=1), datetime.time(), tzinfo=LONDON
        )

    late = Q(sent_at__lt=midnight_after(last_late))
    if due_today_until is not None:
        late |= Q(
            sent_at__gte=midnight_after(last_late),
            sent_at__lt=midnight_after(due_today_until),
            sent_at__time__lt=local.time(),
        )
    return late


def overdue_responses(*, user, now: datetime.datetime):
    """Referrals sent and not acknowledged by the end of their service's response time."""
    default = getattr(settings, "DEFAULT_RESPONSE_WORKING_DAYS", None)
    days_in_use = set(
        Service.objects.filter(
            referrals__in=_scoped(Referral.objects, user).filter(status=Status.SENT)
        )
        .values_list("response_working_days", flat=True)
        .distinct()
    )
    # Matches nothing yet still runs (unlike pk__in=[]), so the page's query count is the same
    # whether or not any referral is waiting for a service.
    late = Q(sent_at__lt=datetime.datetime(2000, 1, 1, tzinfo=LONDON))
    for days in days_in_use:
        working_days = days if days is not None else default
        if working_days is None:
            continue
        same_time = (
            Q(service__response_working_days=days)
            if days is not None
            else Q(service__response_working_days__isnull=True)
        )
        late |= same_time & _sent_before_due_passed(working_days, now)
    return _scoped(Referral.objects, user).filter(late, status=Status.SENT)


@dataclass
class AttentionList:
    """The first few of a list, and how many there are in all."""

    items: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def _first(queryset) -> AttentionList:
    # Always counted, so the page's number of queries does not depend on how much there is.
    return AttentionList(items=list(queryset[:ATTENTION_LIMIT]), total=queryset.count())


def needs_attention(*, user, now: datetime.datetime) -> dict:
    """Urgent concerns to acknowledge, referrals to review or chase, and overdue follow-ups."""
    today = now.astimezone(LONDON).date()
    urgent = _first(
        _scoped(Concern.objects, user)
        .awaiting_acknowledgement()
        .select_related("family", "category")
        .order_by("raised_at", "pk")
    )
    review = _first(
        _scoped(Referral.objects, user)
        .awaiting_review()
        .select_related("family", "service", "created_by")
    )
    late = _first(
        overdue_responses(user=user, now=now)
        .select_related("family", "service")
        .order_by("sent_at", "pk")
    )
    default = getattr(settings, "DEFAULT_RESPONSE_WORKING_DAYS", None)
    for referral in late.items:
        days = referral.service.response_working_days or default
        referral.response_due = response_due(referral.sent_at, days)
    follow_ups = _first(
        overdue_follow_ups(user=user, today=today).select_related("family").order_by("due_on", "pk")
    )
    return {
        "urgent_concerns": urgent,
        "awaiting_review": review,
        "late_responses": late,
        "overdue_follow_ups": follow_ups,
        "reminders_by_hv": unread_reminders_by_hv(user=user),
    }


def unread_reminders_by_hv(*, user) -> list[dict]:
    """Each health visitor's reminders (things now overdue) they have not opened yet: for a team
    lead, every HV of the team; for an HV, their own. One aggregate query."""
    people = User.objects.filter(team_id=user.team_id, role=Role.HEALTH_VISITOR, is_active=True)
    if not user.is_team_lead:
        people = people.filter(pk=user.pk)
    unread = Q(notifications__read_at__isnull=True, notifications__reminder__isnull=False)
    return list(
        people.annotate(
            unread=Count("notifications", filter=unread),
            oldest=Min("notifications__created_at", filter=unread),
        )
        .filter(unread__gt=0)
        .order_by("-unread", "last_name", "first_name", "pk")
        .values("pk", "first_name", "last_name", "username", "unread", "oldest")
    )


# --- The referral list for export ----------------------------------------------------------------

REFERRAL_LIST_COLUMNS = [
    "Referral ID",
    "Family ID",
    "Named health visitor",
    "Service",
    "Organisation",
    "Urgency",
    "Status",
    "Sharing basis",
    "Created",
    "First submitted",
    "Sent",
    "Acknowledged",
    "Accepted",
    "Declined",
    "Completed",
    "Withdrawn",
]


def referral_list(*, user, period: Period, with_nhs_numbers: bool):
    """The period's referrals as rows of ids, names of services, statuses and dates (no notes).

    Babies' NHS numbers are added, as a last column, only when asked for.
    """
    stamps = [
        Status.SUBMITTED,
        Status.SENT,
        Status.ACKNOWLEDGED,
        Status.ACCEPTED,
        Status.DECLINED,
        Status.COMPLETED,
        Status.WITHDRAWN,
    ]
    rows = (
        referral_cohort(user=user, period=period)
        .annotate(**{f"at_{status}": _first_reached(status) for status in stamps})
        .order_by("pk")
    )
    fields = [
        "pk",
        "family_id",
        "family__named_hv__username",
        "service__name",
        "service__organization__name",
        "urgency",
        "status",
        "sharing_basis",
        "created_at",
        *(f"at_{status}" for status in stamps),
    ]
    if with_nhs_numbers:
        numbers = (
            Baby.objects.visible_to(user)
            .filter(family=OuterRef("family_id"), nhs_number__isnull=False)
            .order_by()
            .values("family")
            .annotate(numbers=StringAgg("nhs_number", delimiter=" ", order_by="nhs_number"))
            .values("numbers")
        )
        rows = rows.annotate(nhs_numbers=Subquery(numbers))
        fields.append("nhs_numbers")
    return rows.values_list(*fields)


# --- Wording -------------------------------------------------------------------------------------


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "None"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "None acknowledged"
    minutes = round(seconds / 60)
    if minutes < 60:
        return _plural(minutes, "minute")
    if minutes < 48 * 60:
        hours, minutes = divmod(minutes, 60)
        return f"{_plural(hours, 'hour')} {_plural(minutes, 'minute')}"
    return f"{minutes / 1440:.1f} days"


def _plural(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _days(seconds: float | None) -> str:
    return "None yet" if seconds is None else f"{seconds / 86400:.1f}"
