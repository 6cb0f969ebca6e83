"""Step 2's records that may be marked entered in error: results, concerns, strengths and needs.

A result that raised an urgent concern may be marked, but the concern is not: it was raised to
keep a parent safe and stays, with its escalation, until someone acknowledges, closes or marks
it itself. The form page says so. A correction marked entered in error gives the result it
corrected its place back (``ScreeningResultQuerySet.current``).
"""

from conversations.entered_in_error import RecordKind, add_blocker, register_kind
from conversations.entered_in_error_kinds import records_at_contact

from .models import Concern, Observation, ScreeningResult


def result_concerns_stay(result: ScreeningResult) -> list[str]:
    raised = list(
        Concern.objects.in_record().filter(source_result=result).select_related("category")
    )
    lines = []
    for concern in raised:
        state = "open" if concern.closed_at is None else "closed"
        lines.append(
            f"The {'urgent ' if concern.urgent else ''}{concern.category.name.lower()} concern it "
            f"raised is not changed: it stays {state} on the family's record"
            + (
                ", with its reminders to the team lead, until someone acknowledges it or marks "
                "it as entered in error itself."
                if concern.urgent and concern.acknowledged_at is None
                else ", until someone closes it or marks it as entered in error itself."
            )
        )
    return lines


def result_correction(result: ScreeningResult) -> list[str]:
    if result.supersedes_id is not None:
        return ["It corrected an earlier result: that result counts again as the current one."]
    return []


def concern_escalation(concern: Concern) -> list[str]:
    if concern.urgent and concern.acknowledged_at is None:
        return [
            "It is an urgent concern awaiting acknowledgement: it leaves the urgent lists and "
            "its reminders to the team lead stop. Make sure it is a duplicate, or recorded for "
            "the wrong family, and not a concern still to act on."
        ]
    return []


def register() -> None:
    register_kind(
        RecordKind(
            model=ScreeningResult,
            noun="screening result",
            url_name="screening_result_entered_in_error",
            url_kwarg="result_id",
            related=("definition", "contact"),
            consequences=[result_concerns_stay, result_correction],
        )
    )
    register_kind(
        RecordKind(
            model=Concern,
            noun="concern",
            url_name="concern_entered_in_error",
            url_kwarg="concern_id",
            related=("category", "contact"),
            consequences=[concern_escalation],
        )
    )
    register_kind(
        RecordKind(
            model=Observation,
            noun="strength or area of need",
            url_name="observation_entered_in_error",
            url_kwarg="observation_id",
            related=("contact",),
        )
    )
    # A contact with step 2 records on it is marked after them.
    for model, one, many, first in (
        (
            ScreeningResult,
            "screening result",
            "screening results",
            "Mark each result as entered in error",
        ),
        (Concern, "concern", "concerns", "Mark each concern as entered in error"),
        (
            Observation,
            "strength or area of need",
            "strengths or areas of need",
            "Mark each strength or area of need as entered in error",
        ),
    ):
        add_blocker("conversations.contact", records_at_contact(model, one, many, first))
