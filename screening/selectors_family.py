"""Reads for step 2 on the family page and the home page, in a fixed number of queries.

Dependencies run one way (conversations ← screening), so the conversations app never imports
this module: ``ScreeningConfig.ready()`` registers these readers with the family and home pages
(``conversations.selectors.register_family_page_reader`` and ``register_home_page_reader``).
Each starts from ``visible_to(user)``.
"""

import math
import textwrap
from dataclasses import dataclass, field
from datetime import date

from attachment_app.formatting import format_date

from . import engine
from .models import Concern, Observation, ScreeningResult
from .ordering import in_instrument_order

# The chart's drawing area, in SVG user units; it scales to the width of the page.
CHART_WIDTH = 640
CHART_HEIGHT = 220
CHART_LEFT = 40  # room for the totals on the axis
CHART_RIGHT = CHART_WIDTH - 170  # room for the band names, clear of the points
CHART_TOP = 12
CHART_BOTTOM = CHART_HEIGHT - 32  # room for the contact dates (a taller chart moves them down)
#: Band names are written in the band they name, right of the plot, wrapped at this many
#: characters (14-unit text, about 7.5 units a character, in the 164 units beside the plot).
BAND_LABEL_CHARS = 21
BAND_LINE_HEIGHT = 16
#: A band is never drawn thinner than its name needs; the chart grows, up to this many times
#: its usual height, so that it is not (the table lists every result whatever happens).
CHART_MAX_GROWTH = 3
#: Inside the axes, so the first and last points are not drawn on them.
CHART_INSET = 24
#: More contacts than this and only the first and last are dated under the chart.
CHART_MAX_DATE_LABELS = 6


@dataclass(frozen=True)
class ChartPoint:
    """One result on the chart."""

    x: float
    y: float
    total: int
    label: str


@dataclass(frozen=True)
class ChartThreshold:
    """A horizontal line where a band starts."""

    y: float
    value: int
    label: str

    @property
    def text_y(self) -> float:
        """Text is centred on its line (SVG text sits on its baseline; y grows downwards)."""
        return self.y + 4


@dataclass(frozen=True)
class ChartBand:
    """A band of totals drawn as a shaded strip across the chart, with its name inside it."""

    top: float
    bottom: float
    label: str
    lines: list[str]
    shaded: bool

    @property
    def height(self) -> float:
        return round(self.bottom - self.top, 1)

    @property
    def line_ys(self) -> list[tuple[str, float]]:
        """Each line of the name with its baseline, the lines centred in the band."""
        middle = (self.top + self.bottom) / 2
        # A line of 14-unit text reaches 10 above its baseline and 4 below: centre on that.
        first = middle - (len(self.lines) - 1) * BAND_LINE_HEIGHT / 2 + 3
        return [
            (line, round(first + index * BAND_LINE_HEIGHT, 1))
            for index, line in enumerate(self.lines)
        ]


@dataclass(frozen=True)
class Chart:
    """An instrument's totals across contacts, as coordinates for a server-drawn SVG."""

    id: str
    title: str
    description: str
    points: list[ChartPoint]
    thresholds: list[ChartThreshold]
    axis_min: int
    axis_max: int
    bands: list[ChartBand] = field(default_factory=list)
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    left: int = CHART_LEFT
    right: int = CHART_RIGHT
    top: int = CHART_TOP
    bottom: int = CHART_BOTTOM

    @property
    def value_x(self) -> int:
        """Where the totals on the axis end (they are right-aligned)."""
        return self.left - 6

    @property
    def axis_min_y(self) -> int:
        return self.bottom + 4

    @property
    def axis_max_y(self) -> int:
        return self.top + 4

    @property
    def band_x(self) -> int:
        """Where the band names start, right of the plot."""
        return self.right + 6

    @property
    def band_width(self) -> int:
        """The shaded strips run from the axis to the chart's right edge, under the names."""
        return self.width - self.left

    @property
    def date_y(self) -> int:
        """The baseline of the dates under the chart."""
        return self.bottom + 20

    @property
    def polyline(self) -> str:
        """The points as an SVG ``points`` attribute."""
        return " ".join(f"{point.x:g},{point.y:g}" for point in self.points)

    @property
    def date_labels(self) -> list[ChartPoint]:
        """The points dated under the chart: all of them, or the first and last if crowded."""
        if len(self.points) <= CHART_MAX_DATE_LABELS:
            return self.points
        return [self.points[0], self.points[-1]]


@dataclass
class InstrumentResults:
    """One instrument's current results for a family, oldest contact first."""

    code: str
    name: str
    results: list[ScreeningResult]
    chart: Chart | None = None


@dataclass
class FamilyScreening:
    """What the family page shows from step 2."""

    instruments: list[InstrumentResults] = field(default_factory=list)
    open_concerns: list[Concern] = field(default_factory=list)
    closed_concerns: list[Concern] = field(default_factory=list)
    strengths: list[Observation] = field(default_factory=list)
    needs: list[Observation] = field(default_factory=list)

    @property
    def observation_groups(self) -> list[dict]:
        """Strengths then areas of need, each with what to say when there are none."""
        return [
            {"title": "Strengths", "observations": self.strengths, "empty": "None recorded yet."},
            {"title": "Areas of need", "observations": self.needs, "empty": "None recorded yet."},
        ]


def family_screening(*, user, family) -> dict:
    """Results per instrument with their charts, concerns and observations (four queries)."""
    results = list(
        ScreeningResult.objects.visible_to(user)
        .current()
        .filter(family=family)
        .select_related("contact")
        # Each version's definition once, however many results were scored with it.
        .prefetch_related("definition")
        .order_by("contact__contact_date", "recorded_at", "pk")
    )
    concerns = list(
        Concern.objects.visible_to(user)
        .filter(family=family)
        .select_related("category", "contact", "acknowledged_by", "closed_by")
    )
    observations = list(
        Observation.objects.visible_to(user).filter(family=family).select_related("contact")
    )
    return {
        "screening": FamilyScreening(
            instruments=_by_instrument(results),
            open_concerns=[concern for concern in concerns if concern.closed_at is None],
            closed_concerns=[concern for concern in concerns if concern.closed_at is not None],
            strengths=[o for o in observations if o.kind == Observation.Kind.STRENGTH],
            needs=[o for o in observations if o.kind == Observation.Kind.NEED],
        )
    }


def urgent_concerns_for_home(*, user) -> dict:
    """Urgent concerns in the user's team that nobody has acknowledged yet, oldest first."""
    concerns = list(
        Concern.objects.visible_to(user)
        .awaiting_acknowledgement()
        .select_related("family", "category", "contact", "source_result__definition")
        .order_by("raised_at", "pk")
    )
    for concern in concerns:
        concern.rule_label = _raising_rule_label(concern)
    return {"urgent_concerns": concerns}


def _raising_rule_label(concern: Concern) -> str:
    """The safety rule that raised an urgent concern, as its definition labels it ("" if none).

    Read from the stored definition as loaded, without parsing it again: the label is
    presentation only, and a rule without one is named by its instrument.
    """
    if concern.source_result is None:
        return ""
    definition = concern.source_result.definition
    rules = definition.definition.get("safety_rules", [])
    for rule in rules if isinstance(rules, list) else []:
        if isinstance(rule, dict) and rule.get("id") == concern.source_rule and rule.get("label"):
            return str(rule["label"])
    return definition.name


def _by_instrument(results: list[ScreeningResult]) -> list[InstrumentResults]:
    grouped: dict[str, list[ScreeningResult]] = {}
    for result in results:
        grouped.setdefault(result.definition.code, []).append(result)
    instruments = []
    for code, rows in grouped.items():
        newest = max(rows, key=lambda row: row.definition.version).definition
        loaded = engine.load_definition(newest.definition)
        instruments.append(
            InstrumentResults(
                code=code, name=loaded.short_name, results=rows, chart=result_chart(loaded, rows)
            )
        )
    return in_instrument_order(instruments, code=lambda row: row.code, name=lambda row: row.name)


def result_chart(definition: engine.Definition, results: list[ScreeningResult]) -> Chart | None:
    """Totals across contacts with the band thresholds, or None if there is nothing to draw.

    Only instruments scored from items have a range of totals and bands to draw against; the
    thresholds are the newest version's.
    """
    scored = [result for result in results if result.total is not None]
    if definition.kind != "items" or not scored:
        return None
    low, high = definition.min_total, definition.max_total
    if high <= low:
        return None

    labels = [textwrap.wrap(band.label, BAND_LABEL_CHARS) or [""] for band in definition.bands]
    bottom = _plot_bottom(definition, labels)

    def y_of(value: int) -> float:
        clamped = min(max(value, low), high)
        return round(bottom - (clamped - low) / (high - low) * (bottom - CHART_TOP), 1)

    first_x, last_x = CHART_LEFT + CHART_INSET, CHART_RIGHT - CHART_INSET
    step = (last_x - first_x) / (len(scored) - 1) if len(scored) > 1 else 0
    points = [
        ChartPoint(
            x=round(first_x + index * step if step else (first_x + last_x) / 2, 1),
            y=y_of(result.total),
            total=result.total,
            label=_short_date(result.contact.contact_date),
        )
        for index, result in enumerate(scored)
        if result.total is not None  # each is: for the type checker
    ]
    thresholds = [
        ChartThreshold(y=y_of(band.min), value=band.min, label=band.label)
        for band in definition.bands[1:]
    ]
    # A band runs from where it starts to where the next one starts (totals are whole numbers).
    starts = [y_of(band.min) for band in definition.bands[1:]]
    edges = zip([*starts, float(CHART_TOP)], [float(bottom), *starts], strict=True)
    bands = [
        ChartBand(top=top, bottom=lower, label=band.label, lines=lines, shaded=index % 2 == 1)
        for index, (band, lines, (top, lower)) in enumerate(
            zip(definition.bands, labels, edges, strict=True)
        )
    ]
    latest = scored[-1]
    cut_offs = ", ".join(str(threshold.value) for threshold in thresholds)
    description = (
        f"{definition.short_name} totals at {_count(len(scored), 'contact')}, from "
        f"{format_date(scored[0].contact.contact_date)} to "
        f"{format_date(latest.contact.contact_date)}; the latest is {latest.total} "
        f"({latest.band}). "
        + (f"Lines mark where the bands start, at {cut_offs}. " if thresholds else "")
        + "The bands are "
        + ", ".join(
            f"{band.label} ({band.min}{'' if band.max == band.min else f' to {band.max}'})"
            for band in definition.bands
        )
        + ". "
        + "The table below lists every result."
    )
    return Chart(
        id=f"chart-{definition.code}",
        title=f"{definition.short_name} totals over time",
        description=description,
        points=points,
        thresholds=thresholds,
        axis_min=low,
        axis_max=high,
        bands=bands,
        height=bottom + (CHART_HEIGHT - CHART_BOTTOM),
        bottom=bottom,
    )


def _plot_bottom(definition: engine.Definition, labels: list[list[str]]) -> int:
    """Where the plot ends: as usual, or lower when a band would be too thin for its name."""
    usual = CHART_BOTTOM - CHART_TOP
    span = definition.max_total - definition.min_total
    needed = usual
    for index, band in enumerate(definition.bands):
        following = definition.bands[index + 1].min if index + 1 < len(definition.bands) else None
        totals = max((definition.max_total if following is None else following) - band.min, 1)
        band_height = len(labels[index]) * BAND_LINE_HEIGHT
        needed = max(needed, math.ceil(band_height * span / totals))
    return CHART_TOP + min(needed, usual * CHART_MAX_GROWTH)


def _short_date(value: date) -> str:
    return f"{value.day} {value:%b %y}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
