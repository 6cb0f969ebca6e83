"""What a figure is (a table, and the chart drawn from it), with the SQL and words figures share.

A figure is a table (``Figure``: a heading row and rows of numbers), which the page shows, the
CSV export writes, and a chart (``attachment_app.charts.BarChart``, coordinates for a
server-drawn SVG) draws.
"""

from dataclasses import dataclass, field

from django.db.models import Aggregate, F, FloatField, Func

from attachment_app import charts

from .period import Period

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


def between(start_field: str, end_field: str) -> Seconds:
    return Seconds(F(end_field) - F(start_field))


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
    chart: charts.BarChart | None = None

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


def bar_chart(figure: Figure, period: Period) -> charts.BarChart:
    """Bars for ``figure.chart_columns`` of each row, longest value scaled to the plot width."""
    series = [(figure.columns[index], index) for index in figure.chart_columns]
    names = " and ".join(name.lower() for name, _ in series)
    top = max(figure.rows, key=lambda row: row[series[0][1]] or 0)
    description = (
        f"Bar chart of {names} by {figure.columns[0].lower()}, {period.label}. "
        f"The longest bar is {top[0]}, with {top[series[0][1]]} {series[0][0].lower()}. "
        "The table after the chart gives every figure."
    )
    return charts.bar_chart(
        id=f"chart-{figure.slug}",
        title=f"{figure.title}: chart",
        description=description,
        series=[name for name, _ in series],
        rows=[(str(row[0]), [row[index] for _, index in series]) for row in figure.rows],
    )


# --- Wording -------------------------------------------------------------------------------------


def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "None"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "None acknowledged"
    minutes = round(seconds / 60)
    if minutes < 60:
        return plural(minutes, "minute")
    if minutes < 48 * 60:
        hours, minutes = divmod(minutes, 60)
        return f"{plural(hours, 'hour')} {plural(minutes, 'minute')}"
    return f"{minutes / 1440:.1f} days"


def plural(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def days_text(seconds: float | None) -> str:
    return "None yet" if seconds is None else f"{seconds / 86400:.1f}"
