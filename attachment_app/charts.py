"""Charts drawn on the server as SVG: geometry only, as data the templates write out.

Two kinds, both in SVG user units that scale to the width of the page:

- ``bar_chart``: horizontal bars, one row per label and one bar per series (the dashboard's
  figures, ``templates/referrals/dashboard_chart.html``);
- ``band_chart``: totals across contacts as a line over shaded bands (an instrument's results on
  the family page, ``templates/conversations/family_detail.html``).

The callers give labels, numbers and the words of the text alternative; this module knows nothing
of referrals or instruments, imports no app and no Django, so any app may use it. Text is 14 units
high: it reaches 10 above its baseline and 4 below, about 7.5 units a character.
"""

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

#: NHS identity colours with at least 3:1 contrast against white, for bars side by side.
SERIES_COLOURS = ["#005eb8", "#330072", "#007f3b", "#425563"]
#: The distance between the baselines of a wrapped label's lines.
LINE_HEIGHT = 16


def wrap(label: str, chars: int) -> list[str]:
    """A label in lines of at most ``chars`` characters, whole words, never cut short."""
    return textwrap.wrap(label, chars) or [""]


def centred_baselines(lines: Sequence[str], middle: float) -> list[tuple[str, float]]:
    """Each line with its baseline, the lines centred on ``middle``."""
    first = middle - (len(lines) - 1) * LINE_HEIGHT / 2 + 3
    return [(line, round(first + index * LINE_HEIGHT, 1)) for index, line in enumerate(lines)]


# --- Bar charts ----------------------------------------------------------------------------------

BAR_CHART_WIDTH = 640
BAR_LABEL_RIGHT = 230  # row labels end here, right-aligned
BAR_PLOT_LEFT = 240
BAR_PLOT_RIGHT = 570  # room after the longest bar for its value
BAR_CHART_TOP = 8
BAR_HEIGHT = 18
BAR_GAP = 2
ROW_GAP = 14
LEGEND_HEIGHT = 28
#: Row labels are wrapped at this many characters (in the 230 units left of the bars); a row
#: grows to hold its label's lines.
BAR_LABEL_CHARS = 30


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
class BarRow:
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
    rows: list[BarRow]
    legend: list[LegendItem]
    height: int
    legend_y: int
    width: int = BAR_CHART_WIDTH
    label_right: int = BAR_LABEL_RIGHT
    plot_left: int = BAR_PLOT_LEFT
    top: int = BAR_CHART_TOP

    @property
    def axis_bottom(self) -> int:
        return self.legend_y - LEGEND_HEIGHT + 8 if self.legend else self.height - 4

    @property
    def legend_text_y(self) -> int:
        return self.legend_y + 12


def bar_chart(
    *,
    id: str,
    title: str,
    description: str,
    series: Sequence[str],
    rows: Sequence[tuple[str, Sequence[int | float | None]]],
) -> BarChart:
    """Bars for each row's values (one per series), the largest value scaled to the plot width.

    A legend names the series when there is more than one. A missing value is drawn as 0.
    """
    largest = max((value or 0 for _, values in rows for value in values), default=0) or 1
    scale = (BAR_PLOT_RIGHT - BAR_PLOT_LEFT) / largest
    drawn, y = [], BAR_CHART_TOP
    for label, values in rows:
        lines = wrap(label, BAR_LABEL_CHARS)
        bars_height = len(series) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
        block = max(bars_height, len(lines) * LINE_HEIGHT)
        bars_top = y + (block - bars_height) / 2
        bars = []
        for position, value in enumerate(values):
            value = value or 0
            bar_y = bars_top + position * (BAR_HEIGHT + BAR_GAP)
            width = round(value * scale, 1)
            bars.append(
                Bar(
                    x=BAR_PLOT_LEFT,
                    y=bar_y,
                    width=width,
                    height=BAR_HEIGHT,
                    colour=SERIES_COLOURS[position % len(SERIES_COLOURS)],
                    value=value,
                    value_x=BAR_PLOT_LEFT + width + 6,
                    value_y=bar_y + BAR_HEIGHT - 4,
                )
            )
        drawn.append(BarRow(label=label, lines=centred_baselines(lines, y + block / 2), bars=bars))
        y += block + ROW_GAP
    legend = []
    if len(series) > 1:
        x = BAR_PLOT_LEFT
        for position, name in enumerate(series):
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
    return BarChart(
        id=id,
        title=title,
        description=description,
        rows=drawn,
        legend=legend,
        height=legend_y + (LEGEND_HEIGHT if legend else 0),
        legend_y=legend_y,
    )


# --- Band charts ---------------------------------------------------------------------------------

BAND_CHART_WIDTH = 640
BAND_CHART_HEIGHT = 220
BAND_CHART_LEFT = 40  # room for the totals on the axis
BAND_CHART_RIGHT = BAND_CHART_WIDTH - 170  # room for the band names, clear of the points
BAND_CHART_TOP = 12
#: Room below for the dates (a taller chart moves them down).
BAND_CHART_BOTTOM = BAND_CHART_HEIGHT - 32
#: Band names are written in the band they name, right of the plot, wrapped at this many
#: characters (in the 164 units beside the plot).
BAND_LABEL_CHARS = 21
#: A band is never drawn thinner than its name needs; the chart grows, up to this many times
#: its usual height, so that it is not (the table lists every value whatever happens).
BAND_CHART_MAX_GROWTH = 3
#: Inside the axes, so the first and last points are not drawn on them.
BAND_CHART_INSET = 24
#: More points than this and only the first and last are labelled under the chart.
BAND_CHART_MAX_DATE_LABELS = 6


@dataclass(frozen=True)
class Point:
    """One value on the chart, with its label under the chart."""

    x: float
    y: float
    total: int
    label: str


@dataclass(frozen=True)
class Threshold:
    """A horizontal line where a band starts."""

    y: float
    value: int
    label: str

    @property
    def text_y(self) -> float:
        """Text is centred on its line (SVG text sits on its baseline; y grows downwards)."""
        return self.y + 4


@dataclass(frozen=True)
class Band:
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
        return centred_baselines(self.lines, (self.top + self.bottom) / 2)


@dataclass(frozen=True)
class BandChart:
    """Totals as a line over shaded bands, as coordinates for a server-drawn SVG."""

    id: str
    title: str
    description: str
    points: list[Point]
    thresholds: list[Threshold]
    axis_min: int
    axis_max: int
    bands: list[Band] = field(default_factory=list)
    width: int = BAND_CHART_WIDTH
    height: int = BAND_CHART_HEIGHT
    left: int = BAND_CHART_LEFT
    right: int = BAND_CHART_RIGHT
    top: int = BAND_CHART_TOP
    bottom: int = BAND_CHART_BOTTOM

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
        """The baseline of the labels under the chart."""
        return self.bottom + 20

    @property
    def polyline(self) -> str:
        """The points as an SVG ``points`` attribute."""
        return " ".join(f"{point.x:g},{point.y:g}" for point in self.points)

    @property
    def date_labels(self) -> list[Point]:
        """The points labelled under the chart: all of them, or the first and last if crowded."""
        if len(self.points) <= BAND_CHART_MAX_DATE_LABELS:
            return self.points
        return [self.points[0], self.points[-1]]


def band_chart(
    *,
    id: str,
    title: str,
    description: str,
    low: int,
    high: int,
    bands: Sequence[tuple[str, int]],
    points: Sequence[tuple[int, str]],
) -> BandChart:
    """``points`` (total, label) from left to right, against ``bands`` (name, lowest total).

    The axis runs from ``low`` to ``high`` (``high`` above ``low``); the bands are in order, the
    first starting at ``low``, each running to where the next starts. A line marks the start
    of every band but the first.
    """
    labels = [wrap(name, BAND_LABEL_CHARS) for name, _ in bands]
    bottom = _plot_bottom(low, high, [start for _, start in bands], labels)

    def y_of(value: int) -> float:
        clamped = min(max(value, low), high)
        return round(bottom - (clamped - low) / (high - low) * (bottom - BAND_CHART_TOP), 1)

    first_x, last_x = BAND_CHART_LEFT + BAND_CHART_INSET, BAND_CHART_RIGHT - BAND_CHART_INSET
    step = (last_x - first_x) / (len(points) - 1) if len(points) > 1 else 0
    placed = [
        Point(
            x=round(first_x + index * step if step else (first_x + last_x) / 2, 1),
            y=y_of(total),
            total=total,
            label=label,
        )
        for index, (total, label) in enumerate(points)
    ]
    thresholds = [Threshold(y=y_of(start), value=start, label=name) for name, start in bands[1:]]
    # A band runs from where it starts to where the next one starts (totals are whole numbers).
    starts = [y_of(start) for _, start in bands[1:]]
    edges = zip([*starts, float(BAND_CHART_TOP)], [float(bottom), *starts], strict=True)
    strips = [
        Band(top=top, bottom=lower, label=name, lines=lines, shaded=index % 2 == 1)
        for index, ((name, _), lines, (top, lower)) in enumerate(
            zip(bands, labels, edges, strict=True)
        )
    ]
    return BandChart(
        id=id,
        title=title,
        description=description,
        points=placed,
        thresholds=thresholds,
        axis_min=low,
        axis_max=high,
        bands=strips,
        height=bottom + (BAND_CHART_HEIGHT - BAND_CHART_BOTTOM),
        bottom=bottom,
    )


def _plot_bottom(low: int, high: int, starts: list[int], labels: list[list[str]]) -> int:
    """Where the plot ends: as usual, or lower when a band would be too thin for its name."""
    usual = BAND_CHART_BOTTOM - BAND_CHART_TOP
    span = high - low
    needed = usual
    for index, start in enumerate(starts):
        following = starts[index + 1] if index + 1 < len(starts) else None
        totals = max((high if following is None else following) - start, 1)
        band_height = len(labels[index]) * LINE_HEIGHT
        needed = max(needed, math.ceil(band_height * span / totals))
    return BAND_CHART_TOP + min(needed, usual * BAND_CHART_MAX_GROWTH)
