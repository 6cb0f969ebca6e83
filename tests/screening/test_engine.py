"""Scoring the shipped instruments: worked examples, band edges, reverse keys, safety rules."""

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from screening.engine import (
    AnswerError,
    Definition,
    check_result_entry,
    load_definition,
    load_shipped_definitions,
    score,
)

SHIPPED = {definition.code: definition for definition in load_shipped_definitions()}
REPO_ROOT = Path(__file__).resolve().parents[2]


def answers_scoring(definition: Definition, scores: list[int]) -> dict[str, str]:
    """Answers choosing, for each item in turn, the option that gives that score."""
    assert len(scores) == len(definition.items)
    return {
        item.id: next(option.value for option in item.options if option.score == wanted)
        for item, wanted in zip(definition.items, scores, strict=True)
    }


def answers_totalling(definition: Definition, total: int) -> dict[str, str]:
    """Answers that add up to the total, filling the first items first."""
    scores = []
    for item in definition.items:
        scores.append(min(item.max_score, total))
        total -= scores[-1]
    assert total == 0
    return answers_scoring(definition, scores)


def test_importing_the_engine_does_not_import_django():
    code = "import sys, screening.engine; print('django' in sys.modules)"
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert run.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("code", "scores", "total", "band"),
    [
        ("phq9", [0, 1, 2, 3, 0, 1, 2, 3, 0], 12, "Moderate"),
        ("phq9", [1, 1, 1, 1, 1, 1, 1, 1, 0], 8, "Mild"),
        ("phq9", [3, 3, 3, 2, 2, 2, 2, 1, 0], 18, "Moderately severe"),
        ("gad7", [2, 2, 1, 1, 0, 0, 0], 6, "Mild"),
        ("gad7", [3, 3, 3, 3, 2, 2, 1], 17, "Severe"),
        ("phq2", [1, 2], 3, "Positive screen"),
        ("gad2", [1, 0], 1, "Below threshold"),
        ("whooley", [0, 1], 1, "Positive"),
        ("epds", [1, 1, 2, 1, 0, 1, 2, 1, 0, 0], 9, "Below threshold"),
        ("epds", [2, 2, 3, 2, 1, 2, 2, 1, 0, 0], 15, "Probable depression"),
    ],
)
def test_worked_examples_total_and_band(code, scores, total, band):
    result = score(SHIPPED[code], answers_scoring(SHIPPED[code], scores))
    assert (result.total, result.band.label) == (total, band)


#: The published bands, checked against the sources (see each definition's citation):
#: EPDS, Cox et al. 1987 and the NICE/SIGN use of 10 or more (possible) and 13 or more
#: (probable); PHQ-9, Kroenke et al. 2001 (5, 10, 15, 20); GAD-7, Spitzer et al. 2006 (5, 10,
#: 15); PHQ-2, Kroenke et al. 2003, and GAD-2, Kroenke et al. 2007 (3 or more); Whooley, NICE
#: CG192 (yes to either question).
PUBLISHED = {
    "epds": (
        [
            (0, 9, "Below threshold"),
            (10, 12, "Possible depression"),
            (13, 30, "Probable depression"),
        ],
        ("total_at_least", 10, ()),
    ),
    "phq9": (
        [
            (0, 4, "Minimal"),
            (5, 9, "Mild"),
            (10, 14, "Moderate"),
            (15, 19, "Moderately severe"),
            (20, 27, "Severe"),
        ],
        ("total_at_least", 10, ()),
    ),
    "gad7": (
        [(0, 4, "Minimal"), (5, 9, "Mild"), (10, 14, "Moderate"), (15, 21, "Severe")],
        ("total_at_least", 10, ()),
    ),
    "phq2": ([(0, 2, "Below threshold"), (3, 6, "Positive screen")], ("total_at_least", 3, ())),
    "gad2": ([(0, 2, "Below threshold"), (3, 6, "Positive screen")], ("total_at_least", 3, ())),
    "whooley": (
        [(0, 0, "Negative"), (1, 2, "Positive")],
        ("any_item_at_least", 1, ("1", "2")),
    ),
}


@pytest.mark.parametrize(
    "definition",
    [d for d in load_shipped_definitions() if d.kind == "items"],
    ids=lambda d: f"{d.code}.v{d.version}",
)
def test_every_shipped_version_has_exactly_the_published_bands_and_threshold(definition):
    bands, positive = PUBLISHED[definition.code]
    assert [(b.min, b.max, b.label) for b in definition.bands] == bands
    rule = definition.positive
    assert (rule.type, rule.value, rule.items) == positive


def test_the_only_safety_rules_are_the_self_harm_items_above_nought():
    rules = {
        (d.code, d.version): [(r.item, r.operator, r.value, r.severity) for r in d.safety_rules]
        for d in load_shipped_definitions()
        if d.safety_rules
    }
    assert rules == {
        ("epds", 1): [("10", ">", 0, "urgent")],
        ("phq9", 1): [("9", ">", 0, "urgent")],
    }


@pytest.mark.parametrize(
    ("code", "total", "band"),
    [
        ("phq9", 0, "Minimal"),
        ("phq9", 4, "Minimal"),
        ("phq9", 5, "Mild"),
        ("phq9", 9, "Mild"),
        ("phq9", 10, "Moderate"),
        ("phq9", 14, "Moderate"),
        ("phq9", 15, "Moderately severe"),
        ("phq9", 19, "Moderately severe"),
        ("phq9", 20, "Severe"),
        ("phq9", 27, "Severe"),
        ("gad7", 0, "Minimal"),
        ("gad7", 4, "Minimal"),
        ("gad7", 5, "Mild"),
        ("gad7", 9, "Mild"),
        ("gad7", 10, "Moderate"),
        ("gad7", 14, "Moderate"),
        ("gad7", 15, "Severe"),
        ("gad7", 21, "Severe"),
        ("phq2", 0, "Below threshold"),
        ("phq2", 2, "Below threshold"),
        ("phq2", 3, "Positive screen"),
        ("phq2", 6, "Positive screen"),
        ("gad2", 0, "Below threshold"),
        ("gad2", 2, "Below threshold"),
        ("gad2", 3, "Positive screen"),
        ("gad2", 6, "Positive screen"),
        ("whooley", 0, "Negative"),
        ("whooley", 1, "Positive"),
        ("whooley", 2, "Positive"),
        ("epds", 0, "Below threshold"),
        ("epds", 9, "Below threshold"),
        ("epds", 10, "Possible depression"),
        ("epds", 12, "Possible depression"),
        ("epds", 13, "Probable depression"),
        ("epds", 30, "Probable depression"),
    ],
)
def test_every_band_edge(code, total, band):
    result = score(SHIPPED[code], answers_totalling(SHIPPED[code], total))
    assert (result.total, result.band.label) == (total, band)
    assert result.band.meaning


@pytest.mark.parametrize(
    ("code", "total", "positive"),
    [
        ("phq2", 2, False),
        ("phq2", 3, True),
        ("gad2", 2, False),
        ("gad2", 3, True),
        ("phq9", 9, False),
        ("phq9", 10, True),
        ("gad7", 9, False),
        ("gad7", 10, True),
        ("epds", 9, False),
        ("epds", 10, True),
    ],
)
def test_positive_threshold_on_the_total(code, total, positive):
    assert score(SHIPPED[code], answers_totalling(SHIPPED[code], total)).positive is positive


@pytest.mark.parametrize(
    ("first", "second", "positive"),
    [("no", "no", False), ("yes", "no", True), ("no", "yes", True), ("yes", "yes", True)],
)
def test_whooley_is_positive_on_any_yes(first, second, positive):
    assert score(SHIPPED["whooley"], {"1": first, "2": second}).positive is positive


EPDS_FORWARD = {"a": 0, "b": 1, "c": 2, "d": 3}
EPDS_REVERSED = {"a": 3, "b": 2, "c": 1, "d": 0}


@pytest.mark.parametrize(
    ("item", "option", "expected"),
    [
        (str(n), option, (EPDS_FORWARD if n in (1, 2, 4) else EPDS_REVERSED)[option])
        for n in range(1, 11)
        for option in "abcd"
    ],
)
def test_epds_options_score_by_printed_position(item, option, expected):
    answers = {i.id: "d" if i.id in ("1", "2", "4") else "a" for i in SHIPPED["epds"].items}
    answers[item] = option
    assert score(SHIPPED["epds"], answers).item_scores[item] == expected


def test_epds_option_a_scores_3_on_item_3_and_0_on_item_1():
    answers = dict.fromkeys((item.id for item in SHIPPED["epds"].items), "d")
    answers.update({"1": "a", "3": "a"})
    result = score(SHIPPED["epds"], answers)
    assert (result.item_scores["1"], result.item_scores["3"]) == (0, 3)


def test_epds_all_first_options_score_the_reversed_items_only():
    result = score(SHIPPED["epds"], dict.fromkeys((i.id for i in SHIPPED["epds"].items), "a"))
    # Seven reversed items at 3 each; items 1, 2 and 4 score 0 on their first option.
    assert result.total == 21
    assert result.band.label == "Probable depression"


@pytest.mark.parametrize(
    ("code", "item", "item_score", "triggered"),
    [
        ("phq9", "9", 0, ()),
        ("phq9", "9", 1, ("phq9_item9_self_harm",)),
        ("phq9", "9", 3, ("phq9_item9_self_harm",)),
        ("epds", "10", 0, ()),
        ("epds", "10", 1, ("epds_item10_self_harm",)),
        ("epds", "10", 3, ("epds_item10_self_harm",)),
    ],
)
def test_self_harm_item_raises_an_urgent_concern_whatever_the_total(
    code, item, item_score, triggered
):
    definition = SHIPPED[code]
    scores = [item_score if i.id == item else 0 for i in definition.items]
    result = score(definition, answers_scoring(definition, scores))
    assert tuple(rule.id for rule in result.triggered) == triggered
    for rule in result.triggered:
        assert (rule.category, rule.severity) == ("parental_mental_health", "urgent")
        assert rule.message


def test_high_scores_elsewhere_do_not_trigger_the_phq9_item9_rule():
    definition = SHIPPED["phq9"]
    result = score(definition, answers_scoring(definition, [3, 3, 3, 3, 3, 3, 3, 3, 0]))
    assert (result.total, result.triggered) == (24, ())


@pytest.mark.parametrize(
    ("code", "answers", "when", "suggested"),
    [
        ("whooley", {"1": "yes", "2": "no"}, "positive", ("epds", "phq9", "gad2")),
        ("whooley", {"1": "no", "2": "no"}, "negative", ("gad2",)),
        ("phq2", {"1": "several_days", "2": "more_than_half_the_days"}, "positive", ("phq9",)),
        ("phq2", {"1": "several_days", "2": "several_days"}, "negative", ()),
        ("gad2", {"1": "nearly_every_day", "2": "not_at_all"}, "positive", ("gad7",)),
        ("gad2", {"1": "not_at_all", "2": "several_days"}, "negative", ("gad7",)),
    ],
)
def test_suggestions_follow_nice_cg192(code, answers, when, suggested):
    result = score(SHIPPED[code], answers)
    assert tuple(c for s in result.suggestions for c in s.suggest) == suggested
    assert all(s.when == when and s.reason for s in result.suggestions)


def test_whooley_version_1_suggested_nothing_after_a_negative_result():
    # Kept as loaded: results scored with version 1 keep its suggestions.
    version_1 = next(d for d in load_shipped_definitions() if d.code == "whooley")
    assert version_1.version == 1
    assert score(version_1, {"1": "no", "2": "no"}).suggestions == ()


def test_whooley_version_2_changes_only_what_is_suggested():
    version_1, version_2 = (d for d in load_shipped_definitions() if d.code == "whooley")
    assert (version_2.items, version_2.bands, version_2.positive) == (
        version_1.items,
        version_1.bands,
        version_1.positive,
    )
    assert version_2.safety_rules == version_1.safety_rules == ()


def test_a_negative_gad2_suggests_gad7_only_if_still_concerned():
    result = score(SHIPPED["gad2"], {"1": "not_at_all", "2": "not_at_all"})
    assert "only if you are still concerned" in result.suggestions[0].reason


@pytest.mark.parametrize(
    ("code", "left_out", "problems"),
    [
        (
            "phq9",
            ["3"],
            {"3": "Answer item 3 (Trouble falling or staying asleep, or…)."},
        ),
        (
            "phq9",
            ["4", "9"],
            {
                "4": "Answer item 4 (Feeling tired or having little energy).",
                "9": "Answer item 9 (Thoughts that you would be better…).",
            },
        ),
        ("epds", ["3"], {"3": "Answer EPDS item 3."}),
        (
            "whooley",
            ["2"],
            {"2": "Answer item 2 (During the past month, have you…)."},
        ),
    ],
)
def test_missing_answer_names_the_item(code, left_out, problems):
    answers = answers_totalling(SHIPPED[code], 0)
    for item_id in left_out:
        del answers[item_id]
    with pytest.raises(AnswerError) as caught:
        score(SHIPPED[code], answers)
    assert caught.value.problems == problems


def test_an_empty_answer_counts_as_missing():
    answers = answers_totalling(SHIPPED["gad7"], 0) | {"7": None}
    with pytest.raises(AnswerError) as caught:
        score(SHIPPED["gad7"], answers)
    assert caught.value.problems == {"7": "Answer item 7 (Feeling afraid, as if something awful…)."}


@pytest.mark.parametrize(
    ("code", "item", "value", "problem"),
    [
        (
            "phq9",
            "1",
            "sometimes",
            "Choose one of the answers offered for item 1 (Little interest or pleasure in "
            "doing…): 'sometimes' is not one of them.",
        ),
        (
            "phq9",
            "9",
            2,
            "Choose one of the answers offered for item 9 (Thoughts that you would be "
            "better…): 2 is not one of them.",
        ),
        (
            "epds",
            "10",
            "e",
            "Choose one of the answers offered for EPDS item 10: 'e' is not one of them.",
        ),
        (
            "whooley",
            "1",
            "maybe",
            "Choose one of the answers offered for item 1 (During the past month, have "
            "you…): 'maybe' is not one of them.",
        ),
    ],
)
def test_an_answer_that_is_not_an_option_is_rejected(code, item, value, problem):
    answers = answers_totalling(SHIPPED[code], 0) | {item: value}
    with pytest.raises(AnswerError) as caught:
        score(SHIPPED[code], answers)
    assert caught.value.problems == {item: problem}


@pytest.mark.parametrize(("code", "unknown"), [("phq9", "10"), ("phq2", "3"), ("epds", "q1")])
def test_an_unknown_item_is_rejected(code, unknown):
    answers = answers_totalling(SHIPPED[code], 0) | {unknown: "a"}
    with pytest.raises(AnswerError) as caught:
        score(SHIPPED[code], answers)
    short_name = SHIPPED[code].short_name
    assert caught.value.problems == {unknown: f"There is no item {unknown!r} in {short_name}."}


def test_every_problem_is_reported_at_once_in_item_order():
    answers = answers_totalling(SHIPPED["phq9"], 0) | {"11": "x", "5": "often"}
    del answers["2"]
    with pytest.raises(AnswerError) as caught:
        score(SHIPPED["phq9"], answers)
    assert list(caught.value.problems) == ["2", "5", "11"]
    assert str(caught.value).startswith("Answer item 2 (Feeling down, depressed, or hopeless).")


def test_a_result_keeps_the_code_and_version_it_was_scored_with():
    result = score(SHIPPED["gad7"], answers_totalling(SHIPPED["gad7"], 3))
    assert (result.code, result.version) == ("gad7", 1)


def _with_scales_and_missing() -> Definition:
    option = [
        {"value": "never", "label": "Never", "score": 0},
        {"value": "sometimes", "label": "Sometimes", "score": 1},
        {"value": "often", "label": "Often", "score": 2},
    ]
    return load_definition(
        {
            "code": "demo",
            "short_name": "Demo",
            "name": "Demonstration scale",
            "version": 1,
            "citation": "Made up for the tests.",
            "licence": "public domain",
            "completed_by": "parent",
            "kind": "items",
            "items": [
                {"id": str(n), "number": n, "text": f"Question {n}", "options": option}
                for n in range(1, 5)
            ],
            "allow_missing": 1,
            "scales": [
                {"id": "first", "name": "First pair", "items": ["1", "2"]},
                {"id": "second", "name": "Second pair", "items": ["3", "4"]},
            ],
            "total": {"items": ["1", "2", "3", "4"]},
            "bands": [
                {"min": 0, "max": 3, "label": "Low", "meaning": "Low."},
                {"min": 4, "max": 8, "label": "High", "meaning": "High."},
            ],
            "positive": {"type": "total_at_least", "value": 4},
        }
    )


def test_scale_totals_add_up_their_own_items():
    result = score(
        _with_scales_and_missing(), {"1": "often", "2": "sometimes", "3": "never", "4": "often"}
    )
    assert (result.scale_totals, result.total) == ({"first": 3, "second": 2}, 5)


def test_a_permitted_missing_answer_scores_its_lowest():
    result = score(_with_scales_and_missing(), {"1": "often", "2": "often", "4": "sometimes"})
    assert (result.total, "3" in result.item_scores, result.scale_totals["second"]) == (5, False, 1)


def test_more_missing_answers_than_permitted_names_each_of_them():
    with pytest.raises(AnswerError) as caught:
        score(_with_scales_and_missing(), {"1": "often", "2": "often"})
    assert caught.value.problems == {
        "3": "Answer item 3 (Question 3).",
        "4": "Answer item 4 (Question 4).",
    }


def test_a_result_only_instrument_cannot_be_scored_from_answers():
    with pytest.raises(ValueError, match="records a result only"):
        score(SHIPPED["kips"], {})


@pytest.mark.parametrize(
    ("code", "entry"),
    [
        ("adbb", {"score": 0, "band": "Below 5"}),
        ("adbb", {"score": 32, "band": "5 or more"}),
        ("kips", {"score": Decimal("2.95"), "band": "Low (1.0 to 2.9)"}),
        ("asqse2", {"score": 105, "band": "Monitoring zone"}),
        ("care_index", {"score": 9}),
        ("nbo", {}),
    ],
)
def test_a_result_only_entry_within_its_fields_is_accepted(code, entry):
    check_result_entry(SHIPPED[code], **entry)


@pytest.mark.parametrize(
    ("code", "entry", "problems"),
    [
        ("adbb", {"score": 33}, {"score": "The total score must be between 0 and 32."}),
        ("asqse2", {"score": -5}, {"score": "The total score must be at least 0."}),
        (
            "kips",
            {"score": Decimal("2.955")},
            {"score": "Give the mean item score as 2 decimal places."},
        ),
        ("adbb", {"score": 4.5}, {"score": "Give the total score as a whole number."}),
        ("nbo", {"score": 3}, {"score": "NBO has no score: record a summary instead."}),
        ("piios", {"band": "Good"}, {"band": "Choose one of the interaction pattern offered."}),
    ],
)
def test_a_result_only_entry_outside_its_fields_is_rejected(code, entry, problems):
    with pytest.raises(AnswerError) as caught:
        check_result_entry(SHIPPED[code], **entry)
    assert caught.value.problems == problems
