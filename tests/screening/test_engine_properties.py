"""Invariants of scoring every shipped definition, for any answers it accepts.

Any complete set of answers, and any partial set the definition permits, scores a total inside
the range its items allow and falls in exactly one band. The shipped definitions permit no gap,
so each is also checked as a version permitting all but one item to be left out.
"""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.engine import DEFINITIONS_DIR, load_definition, score

#: The range of totals each shipped instrument gives, from its published scoring.
RANGES = {
    "epds": (0, 30),
    "phq9": (0, 27),
    "gad7": (0, 21),
    "phq2": (0, 6),
    "gad2": (0, 6),
    "whooley": (0, 2),
}
FILES = sorted(
    path.name for path in DEFINITIONS_DIR.glob("*.json") if path.name.split(".")[0] in RANGES
)


def loaded(name: str, *, gaps: bool):
    data = json.loads((DEFINITIONS_DIR / name).read_text(encoding="utf-8"))
    if gaps:
        data = {**data, "allow_missing": len(data["items"]) - 1}
    return load_definition(data)


@st.composite
def accepted_answers(draw, definition):
    answers = {item.id: draw(st.sampled_from(item.options)).value for item in definition.items}
    left_out = draw(
        st.sets(
            st.sampled_from([item.id for item in definition.items]),
            max_size=definition.allow_missing,
        )
        if definition.allow_missing
        else st.just(set())
    )
    for item_id in left_out:
        answers[item_id] = draw(st.sampled_from([None, "drop"]))
    return {k: v for k, v in answers.items() if v != "drop"}


def test_every_scored_instrument_shipped_has_its_range_here():
    assert [name.split(".")[0] for name in FILES] == [
        "epds",
        "gad2",
        "gad7",
        "phq2",
        "phq9",
        "whooley",
        "whooley",
    ]


@pytest.mark.parametrize("gaps", [False, True], ids=["complete", "with-gaps"])
@pytest.mark.parametrize("name", FILES)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_any_accepted_answers_score_inside_the_range_and_exactly_one_band(name, gaps, data):
    definition = loaded(name, gaps=gaps)
    answers = data.draw(accepted_answers(definition))
    result = score(definition, answers)
    low, high = RANGES[definition.code]
    assert low <= result.total <= high
    holding = [band for band in definition.bands if band.min <= result.total <= band.max]
    assert holding == [result.band]
    # Each answered item scores one of its options; nothing unanswered is scored.
    assert set(result.item_scores) == {k for k, v in answers.items() if v is not None}
    assert set(result.unanswered) | set(result.item_scores) == {i.id for i in definition.items}
    # A safety rule fires on an unanswered item, and only the rules that fired can be marked so.
    for rule in definition.safety_rules:
        if rule.item in result.unanswered:
            assert rule in result.triggered_unanswered
    assert set(result.triggered_unanswered) <= set(result.triggered)
