"""The order instruments are offered and shown in: one table, by instrument code.

NICE CG192 (antenatal and postnatal mental health, recognising mental health problems) asks the
Whooley questions and the GAD-2 first, at the first contact and in the early postnatal period;
after a positive Whooley it suggests the EPDS or the PHQ-9 as part of a full assessment, and after
a GAD-2 of 3 or more the GAD-7. The PHQ-2 scores the same two questions as the Whooley, so it
follows them. The observational (result-only) tools are listed by the age of baby they are mostly
used at, newborn first. An instrument not in the table (one an admin uploaded) comes after these,
by name.

Pure Python: no Django import, so the engine's tests and the pages share it.
"""

from collections.abc import Callable, Iterable
from typing import TypeVar

#: Instrument codes in the order they are offered.
INSTRUMENT_ORDER: tuple[str, ...] = (
    # Questionnaires, NICE CG192's order.
    "whooley",
    "gad2",
    "epds",
    "phq9",
    "gad7",
    "phq2",
    # Observational assessments, by the age they are mostly used at.
    "nbo",
    "adbb",
    "piios",
    "care_index",
    "kips",
    "asqse2",
)

_POSITION = {code: position for position, code in enumerate(INSTRUMENT_ORDER)}

T = TypeVar("T")


def instrument_sort_key(code: str, name: str) -> tuple[int, str]:
    """Where an instrument goes: its place in the table, else after them all by name."""
    return (_POSITION.get(code, len(INSTRUMENT_ORDER)), name.lower())


def in_instrument_order(
    things: Iterable[T], *, code: Callable[[T], str], name: Callable[[T], str]
) -> list[T]:
    """``things`` (definitions, a family's results by instrument …) in the order offered."""
    return sorted(things, key=lambda thing: instrument_sort_key(code(thing), name(thing)))
