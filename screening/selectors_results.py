"""Reads for a screening result: its page, and the rules for correcting it.

Each read of a result starts from ``visible_to(user)``. A result is shown with the version that
scored it, never the current one: a new version does not rescore. Which version scores a
correction, and whether a result may still be corrected, are decided here, not in a page.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from . import engine
from .models import Concern, InstrumentDefinition, ScreeningResult
from .selectors_instruments import (
    current_definition,
    current_definitions,
    item_legend,
    option_label,
    safety_rule_label,
    safety_rule_message,
    wording,
)

ALREADY_CORRECTED = (
    "This result has already been corrected, so it cannot be corrected again. "
    "Open the corrected result to correct it instead."
)
NOT_OFFERED = (
    "This instrument is no longer offered, so the result cannot be corrected. "
    "Ask an administrator if it needs to be."
)


ENTERED_IN_ERROR = (
    "This result was marked as entered in error, so it is not corrected. Record the "
    "instrument again at the contact if it was completed."
)


class CannotCorrect(Exception):
    """Why a result cannot be corrected, in words for the user."""


# --- Correcting a result ------------------------------------------------------------------------


def check_correctable(*, user, result: ScreeningResult) -> None:
    """Only a current result is corrected: CannotCorrect once a correction supersedes it, or
    once it is marked entered in error."""
    if result.is_entered_in_error:
        raise CannotCorrect(ENTERED_IN_ERROR)
    if ScreeningResult.objects.visible_to(user).filter(supersedes=result).exists():
        raise CannotCorrect(ALREADY_CORRECTED)


def correction_definition(result: ScreeningResult) -> InstrumentDefinition:
    """The version a correction of ``result`` is scored with.

    The version that scored the result, unless it has been retired since; then the instrument's
    current version; CannotCorrect if the instrument is no longer offered at all.
    """
    if result.definition.retired_at is None:
        return result.definition
    try:
        return current_definition(result.definition.code)
    except InstrumentDefinition.DoesNotExist:
        raise CannotCorrect(NOT_OFFERED) from None


def assessed_on(result: ScreeningResult) -> datetime.date | None:
    """For a rater's result, the date of the assessment, as entered."""
    entered = result.answers.get("assessed_on") if result.definition.kind == "result_only" else None
    return datetime.date.fromisoformat(entered) if entered else None


# --- A result's page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferedSuggestion:
    """What the definition suggests offering next, with the instruments still offered."""

    reason: str
    #: (code, name) of each suggested instrument that is still offered, in the order suggested.
    instruments: list[tuple[str, str]]


def result_page(*, user, result: ScreeningResult) -> dict[str, Any]:
    """What a result's page shows besides the result itself, read with the version that scored
    it: the band and its meaning, each answer, scale totals, any safety rule first with its
    concern, what to offer next, and the correction that superseded it if any."""
    definition = result.definition.parsed
    concerns = {
        concern.source_rule: concern
        for concern in Concern.objects.visible_to(user)
        .filter(source_result=result)
        .select_related("acknowledged_by")
    }
    return {
        "definition": definition,
        "band": _band(definition, result),
        "answers": _answers(definition, result),
        "assessed_on": assessed_on(result),
        "scales": [
            {"name": scale.name, "total": result.scale_totals.get(scale.id)}
            for scale in definition.scales
        ],
        "safety": [
            _safety_entry(result, definition, rule, concerns.get(rule.id))
            for rule in definition.safety_rules
            if rule.id in result.triggered_rules
        ],
        "suggestions": offered_suggestions(definition, result),
        "corrected_by": (
            ScreeningResult.objects.visible_to(user)
            .filter(supersedes=result)
            .select_related("recorded_by")
            .first()
        ),
    }


def _safety_entry(
    result: ScreeningResult,
    definition: engine.Definition,
    rule: engine.SafetyRule,
    concern: Concern | None,
) -> dict[str, Any]:
    """A triggered rule's banner. A rule whose item has no stored answer fired because the
    question was not answered (the answers are stored as scored and never edited), so the
    banner says so and asks for the question to be put to the parent directly."""
    label = safety_rule_label(result.definition, definition, rule)
    unanswered = result.answers.get(rule.item) is None
    return {
        "rule": rule,
        "label": f"{label} (not answered)" if unanswered else label,
        "message": safety_rule_message(
            result.definition, definition, rule, unanswered=unanswered, label=label
        ),
        "unanswered": unanswered,
        "concern": concern,
    }


def offered_suggestions(
    definition: engine.Definition, result: ScreeningResult
) -> list[OfferedSuggestion]:
    """What the definition suggests after this result; a suggested instrument that has since
    been retired is not offered."""
    if result.positive is None:
        return []
    when = "positive" if result.positive else "negative"
    names = {row.code: row.name for row in current_definitions()}
    return [
        OfferedSuggestion(
            reason=suggestion.reason,
            instruments=[(code, names[code]) for code in suggestion.suggest if code in names],
        )
        for suggestion in definition.suggestions
        if suggestion.when == when
    ]


def _band(definition: engine.Definition, result: ScreeningResult):
    """The band the result fell in, with its meaning; for entered results, the chosen band."""
    if definition.result_entry is not None:
        choices = definition.result_entry.band_choices
        return next((choice for choice in choices if choice.label == result.band), None)
    return next((band for band in definition.bands if band.label == result.band), None)


def _answers(definition: engine.Definition, result: ScreeningResult) -> list[dict[str, Any]]:
    """Each item's wording and the answer given, in the order asked.

    Until the licensed wording is entered in full, items by number and answers by their printed
    position, as on the page they were entered from.
    """
    if not definition.items:
        return []
    words = wording(result.definition)
    answers = []
    for item in definition.items:
        option = item.option(result.answers.get(item.id) or "")
        answers.append(
            {
                "item": item_legend(definition, item, words.texts, paper_form=words.paper_form),
                "option": option,
                "option_label": option
                and option_label(item, option, words.options, paper_form=words.paper_form),
            }
        )
    return answers
