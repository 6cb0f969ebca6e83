"""Reads for step 2 on the family page and the home page, in a fixed number of queries.

Dependencies run one way (conversations ← screening), so the conversations app never imports
this module: ``ScreeningConfig.ready()`` registers these readers with the family and home pages
(``conversations.selectors.register_family_page_reader`` and ``register_home_page_reader``).
Each starts from ``visible_to(user)``.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet

from attachment_app import charts
from attachment_app.formatting import format_count, format_date
from attachment_app.pagination import shortlist
from conversations.entered_in_error import entries

from . import engine
from .models import Concern, Observation, ScreeningResult
from .ordering import in_instrument_order
from .selectors_instruments import stored_rule_label


@dataclass
class InstrumentResults:
    """One instrument's current results for a family, oldest contact first."""

    code: str
    name: str
    results: list[ScreeningResult]
    chart: charts.BandChart | None = None


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
    """Results per instrument with their charts, concerns and observations, and those of them
    entered in error for the page's own section (five queries, however many there are)."""
    results = list(
        ScreeningResult.objects.visible_to(user)
        .current()
        .filter(family=family)
        .select_related("contact")
        # Each version's definition once, however many results were scored with it.
        .prefetch_related("definition")
        .order_by("contact__contact_date", "recorded_at", "pk")
    )
    marked_results = list(
        ScreeningResult.objects.visible_to(user)
        .entered_in_error()
        .filter(family=family)
        .select_related("definition", "entered_in_error_by")
    )
    every_concern = list(
        Concern.objects.visible_to(user)
        .filter(family=family)
        .select_related(
            "category", "contact", "acknowledged_by", "closed_by", "entered_in_error_by"
        )
    )
    every_observation = list(
        Observation.objects.visible_to(user)
        .filter(family=family)
        .select_related("contact", "entered_in_error_by")
    )
    concerns = [concern for concern in every_concern if not concern.is_entered_in_error]
    observations = [o for o in every_observation if not o.is_entered_in_error]
    return {
        "entered_in_error": (
            entries("Screening result", marked_results)
            + entries("Concern", [c for c in every_concern if c.is_entered_in_error])
            + entries(
                "Strength or area of need", [o for o in every_observation if o.is_entered_in_error]
            )
        ),
        "screening": FamilyScreening(
            instruments=_by_instrument(results),
            open_concerns=[concern for concern in concerns if concern.closed_at is None],
            closed_concerns=[concern for concern in concerns if concern.closed_at is not None],
            strengths=[o for o in observations if o.kind == Observation.Kind.STRENGTH],
            needs=[o for o in observations if o.kind == Observation.Kind.NEED],
        ),
    }


def urgent_concerns_awaiting(*, user) -> QuerySet[Concern]:
    """Urgent concerns in the user's team that nobody has acknowledged yet, oldest first: the
    whole list (``/concerns/urgent/``), with what each row shows."""
    return (
        Concern.objects.visible_to(user)
        .awaiting_acknowledgement()
        .select_related("family", "category", "contact", "source_result__definition")
        .order_by("raised_at", "pk")
    )


def with_rule_labels(concerns: Iterable[Concern]) -> list[Concern]:
    """The concerns, each with the label of the safety rule that raised it (``rule_label``)."""
    labelled = list(concerns)
    for concern in labelled:
        concern.rule_label = _raising_rule_label(concern)  # type: ignore[attr-defined]
    return labelled


def urgent_concerns_for_home(*, user) -> dict:
    """The oldest urgent concerns awaiting acknowledgement and how many there are in all: the
    home page shows a few and links to the whole list, so it does not grow with the team."""
    first = shortlist(urgent_concerns_awaiting(user=user))
    first.items = with_rule_labels(first.items)
    return {"urgent_concerns": first}


def _raising_rule_label(concern: Concern) -> str:
    """The safety rule that raised an urgent concern, as its definition labels it ("" if none).

    Read from the stored definition as loaded, without parsing it again: the label is
    presentation only, and a rule without one is named by its instrument.
    """
    if concern.source_result is None:
        return ""
    definition = concern.source_result.definition
    return stored_rule_label(definition.definition, concern.source_rule) or definition.name


def _by_instrument(results: list[ScreeningResult]) -> list[InstrumentResults]:
    grouped: dict[str, list[ScreeningResult]] = {}
    for result in results:
        grouped.setdefault(result.definition.code, []).append(result)
    instruments = []
    for code, rows in grouped.items():
        newest = max(rows, key=lambda row: row.definition.version).definition
        loaded = newest.parsed
        instruments.append(
            InstrumentResults(
                code=code, name=loaded.short_name, results=rows, chart=result_chart(loaded, rows)
            )
        )
    return in_instrument_order(instruments, code=lambda row: row.code, name=lambda row: row.name)


def result_chart(
    definition: engine.Definition, results: list[ScreeningResult]
) -> charts.BandChart | None:
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
    latest = scored[-1]
    cut_offs = ", ".join(str(band.min) for band in definition.bands[1:])
    description = (
        f"{definition.short_name} totals at {format_count(len(scored), 'contact')}, from "
        f"{format_date(scored[0].contact.contact_date)} to "
        f"{format_date(latest.contact.contact_date)}; the latest is {latest.total} "
        f"({latest.band}). "
        + (f"Lines mark where the bands start, at {cut_offs}. " if cut_offs else "")
        + "The bands are "
        + ", ".join(
            f"{band.label} ({band.min}{'' if band.max == band.min else f' to {band.max}'})"
            for band in definition.bands
        )
        + ". "
        + "The table below lists every result."
    )
    return charts.band_chart(
        id=f"chart-{definition.code}",
        title=f"{definition.short_name} totals over time",
        description=description,
        low=low,
        high=high,
        bands=[(band.label, band.min) for band in definition.bands],
        points=[
            (total, _short_date(result.contact.contact_date))
            for result in scored
            if (total := result.total) is not None
        ],
    )


def _short_date(value: date) -> str:
    return f"{value.day} {value:%b %y}"
