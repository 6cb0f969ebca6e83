"""The engine's smaller rules, each pinned with a hand-written example: how errors read, how an
item is named in a message, and the edges of a rater's entry. Definitions are loaded inside each
test."""

from decimal import Decimal

import pytest

from screening.engine import (
    AnswerError,
    DefinitionError,
    PositiveRule,
    check_result_entry,
    load_definition,
    score,
)
from tests.screening.test_definitions import RESULT_ONLY, VALID, broken


def test_a_definition_error_lists_every_problem_under_its_source():
    error = DefinitionError(["one", "two"])
    assert (error.source, error.problems) == ("The definition", ["one", "two"])
    assert str(error) == "The definition is not valid:\n- one\n- two"
    assert str(DefinitionError(["x"], source="demo.v1.json")) == "demo.v1.json is not valid:\n- x"


def test_an_answer_error_reads_as_its_problems_in_turn():
    error = AnswerError({"1": "Answer item 1.", "2": "Answer item 2."})
    assert str(error) == "Answer item 1. Answer item 2."


@pytest.mark.parametrize(
    ("data", "source", "message"),
    [
        ([], None, "The definition is not valid:"),
        ({"kind": "items"}, None, "The definition version ? is not valid:"),
        (broken(VALID, lambda d: d.update(version=0)), None, "demo version 0 is not valid:"),
        (broken(VALID, lambda d: d.update(version=0)), "upload.json", "upload.json is not valid:"),
    ],
)
def test_a_definition_that_fails_to_load_is_named_as_well_as_it_can_be(data, source, message):
    with pytest.raises(DefinitionError) as caught:
        load_definition(data, source=source)
    assert str(caught.value).startswith(message + "\n- ")


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        pytest.param(
            lambda d: d.update(preamble=5),
            "definition: 'preamble' must be text or null, not a whole number",
            id="text-or-null",
        ),
        pytest.param(lambda d: d.update(name="  "), "definition: 'name' is empty", id="blank-text"),
        pytest.param(
            lambda d: d.update(code="Demo-1"),
            "code 'Demo-1' must be lower case letters, digits and underscores",
            id="code",
        ),
        pytest.param(
            lambda d: d.update(completed_by="nurse"),
            "definition: completed_by 'nurse' must be one of 'parent', 'practitioner'",
            id="completed-by",
        ),
        pytest.param(
            lambda d: d["total"].update(items=["1", 2.5]),
            "total: item ids are strings, not a number",
            id="item-id-not-text",
        ),
    ],
)
def test_a_field_of_the_wrong_kind_is_named_with_what_it_should_be(change, problem):
    with pytest.raises(DefinitionError) as caught:
        load_definition(broken(VALID, change))
    assert caught.value.problems == [problem]


def test_a_score_range_field_is_a_number_or_null():
    change = lambda d: d["result_entry"].update(  # noqa: E731
        score={"label": "Total", "min": "0", "max": None}
    )
    with pytest.raises(DefinitionError) as caught:
        load_definition(broken(RESULT_ONLY, change))
    assert caught.value.problems == ["result_entry.score: 'min' must be a number or null, not text"]


def test_something_that_is_not_json_is_named_by_its_python_type():
    with pytest.raises(DefinitionError) as caught:
        load_definition({"a"})
    assert caught.value.problems == ["a definition must be a JSON object, not set"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("One two three four five six", "item 1 (One two three four five six)"),
        ("One two three four five six seven", "item 1 (One two three four five six…)"),
        ("One two three four five six, seven", "item 1 (One two three four five six…)"),
        ("One two three four five six; seven", "item 1 (One two three four five six…)"),
        ("One two three four five — six", "item 1 (One two three four five …)"),
        ("One two three four five six-", "item 1 (One two three four five six-)"),
        # Only those punctuation marks are trimmed, never a letter.
        ("One two three four five MAX seven", "item 1 (One two three four five MAX…)"),
    ],
)
def test_a_message_names_an_item_by_its_number_and_first_six_words(text, name):
    definition = load_definition(broken(VALID, lambda d: d["items"][0].update(text=text)))
    assert definition.item_name(definition.items[0]) == name
    with pytest.raises(AnswerError) as caught:
        score(definition, {"2": "never"})
    assert caught.value.problems == {"1": f"Answer {name}."}


def test_asking_for_an_item_that_is_not_there_names_it():
    definition = load_definition(VALID)
    assert definition.item("2").text == "Second question"
    with pytest.raises(KeyError) as caught:
        definition.item("9")
    assert caught.value.args == ("9",)


def test_an_item_threshold_counts_an_unanswered_item_as_not_meeting_it():
    rule = PositiveRule("any_item_at_least", 1, ("1", "2"))
    assert rule.is_met(0, {}) is False
    assert rule.is_met(0, {"2": 1}) is True
    assert rule.is_met(0, {"1": 0, "2": 0}) is False


def test_every_answer_that_is_not_offered_is_named_at_once():
    with pytest.raises(AnswerError) as caught:
        score(load_definition(VALID), {"1": "always", "2": "rarely"})
    assert caught.value.problems == {
        "1": "Choose one of the answers offered for item 1 (First question): 'always' is not "
        "one of them.",
        "2": "Choose one of the answers offered for item 2 (Second question): 'rarely' is not "
        "one of them.",
    }


def test_a_scored_instrument_takes_no_rater_entry():
    with pytest.raises(ValueError, match=r"^Demo is scored") as caught:
        check_result_entry(load_definition(VALID), score=1)
    assert str(caught.value) == "Demo is scored from its items, not entered"


def test_a_result_only_instrument_without_a_score_or_bands_refuses_both():
    definition = load_definition(RESULT_ONLY)
    with pytest.raises(AnswerError) as caught:
        check_result_entry(definition, score=3, band="High")
    assert caught.value.problems == {
        "score": "Observed has no score: record a summary instead.",
        "band": "Choose one of the bands offered.",
    }
    check_result_entry(definition)


def scored_between(low, high, decimals=0):
    entry = {"label": "Total score", "min": low, "max": high, "decimals": decimals}
    return load_definition(broken(RESULT_ONLY, lambda d: d["result_entry"].update(score=entry)))


@pytest.mark.parametrize(
    ("low", "high", "entered", "problem"),
    [
        (0, 10, -1, "The total score must be between 0 and 10."),
        (0, 10, 0, None),
        (0, 10, 10, None),
        (0, 10, 11, "The total score must be between 0 and 10."),
        (None, 10, -50, None),
        (None, 10, 11, "The total score must be at most 10."),
        (5, None, 4, "The total score must be at least 5."),
        (5, None, 500, None),
        (1, 3, Decimal("2.0"), None),
    ],
)
def test_an_entered_score_lies_within_its_bounds(low, high, entered, problem):
    definition = scored_between(low, high)
    if problem is None:
        check_result_entry(definition, score=entered)
        return
    with pytest.raises(AnswerError) as caught:
        check_result_entry(definition, score=entered)
    assert caught.value.problems == {"score": problem}


@pytest.mark.parametrize(
    ("decimals", "entered", "problem"),
    [
        (1, Decimal("2.5"), None),
        (1, Decimal("2.55"), "Give the total score as 1 decimal place."),
        (2, Decimal("2.555"), "Give the total score as 2 decimal places."),
        (0, Decimal("2.5"), "Give the total score as a whole number."),
    ],
)
def test_an_entered_score_has_no_more_decimals_than_allowed(decimals, entered, problem):
    definition = scored_between(0, 10, decimals)
    if problem is None:
        check_result_entry(definition, score=entered)
        return
    with pytest.raises(AnswerError) as caught:
        check_result_entry(definition, score=entered)
    assert caught.value.problems == {"score": problem}


def test_a_loaded_definition_keeps_each_field_it_was_given():
    definition = load_definition(VALID)
    assert (
        definition.code,
        definition.short_name,
        definition.name,
        definition.version,
        definition.citation,
        definition.licence,
        definition.licence_note,
        definition.completed_by,
        definition.kind,
        definition.preamble,
        definition.allow_missing,
    ) == (
        "demo",
        "Demo",
        "Demonstration scale",
        1,
        "Made up for the tests.",
        "public domain",
        "",
        "parent",
        "items",
        None,
        0,
    )
    noted = load_definition(broken(RESULT_ONLY, lambda d: d.update(licence_note="Ask first.")))
    assert (noted.licence_note, noted.kind, noted.items) == ("Ask first.", "result_only", ())
    assert noted.data == RESULT_ONLY | {"licence_note": "Ask first."}


def test_a_loaded_item_keeps_each_field_it_was_given():
    item = load_definition(VALID).items[0]
    assert (item.id, item.number, item.text, item.label, item.text_supplied_locally) == (
        "1",
        1,
        "First question",
        None,
        False,
    )
    assert [(o.value, o.label, o.score) for o in item.options] == [
        ("never", "Never", 0),
        ("sometimes", "Sometimes", 1),
        ("often", "Often", 2),
    ]
