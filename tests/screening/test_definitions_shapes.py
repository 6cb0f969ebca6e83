"""A part of a definition that is not the shape it should be is named by where it sits, and
every such part is reported, not only the first. Loaded inside each test."""

import pytest

from screening.engine import BandChoice, DefinitionError, load_definition
from tests.screening.test_definitions import RESULT_ONLY, VALID, broken


def problems_of(base, change) -> list[str]:
    try:
        load_definition(broken(base, change))
    except DefinitionError as error:
        return error.problems
    return []


def result_entry(**fields):
    return lambda d: d["result_entry"].update(fields)


@pytest.mark.parametrize(
    ("change", "problems"),
    [
        pytest.param(
            lambda d: d["bands"].insert(0, "x"),
            ["band at position 1 must be an object with fields, not text"],
            id="band-not-an-object",
        ),
        pytest.param(
            lambda d: d["bands"][1].pop("label"),
            ["band at position 2: missing field 'label'"],
            id="band-without-label",
        ),
        pytest.param(
            lambda d: d.update(
                bands=[
                    {"min": 0, "max": 1, "meaning": "Few."},
                    {"min": 4, "max": 2, "label": "High", "meaning": "Many."},
                    {"min": 3, "max": 1, "label": "Top", "meaning": "Most."},
                ]
            ),
            [
                "band at position 1: missing field 'label'",
                "band 'High' starts at 4, after it ends at 2",
                "band 'Top' starts at 3, after it ends at 1",
            ],
            id="every-broken-band",
        ),
        pytest.param(
            lambda d: d.update(
                bands=[
                    {"min": 0, "max": 1, "label": "Low", "meaning": "Few."},
                    {"min": 2, "max": 2, "label": "Middle", "meaning": "Some."},
                    {"min": 3, "max": 5, "label": "High", "meaning": "Many."},
                ]
            ),
            ["bands must end at the highest possible total, 4; the last band ends at 5"],
            id="last-of-three-bands",
        ),
        pytest.param(
            lambda d: d["items"].__setitem__(0, "x"),
            [
                "item at position 1 must be an object with fields, not text",
                "total names item '1', which does not exist",
            ],
            id="item-not-an-object",
        ),
        pytest.param(
            lambda d: d["items"][0].pop("id"),
            [
                "item at position 1: missing field 'id'",
                "total names item '1', which does not exist",
            ],
            id="item-without-id",
        ),
        pytest.param(
            lambda d: d["items"][0].update(
                options=["x", {"label": "L", "score": 1}, {"value": "v", "label": "V"}]
            ),
            [
                "item '1', option 1 must be an object with fields, not text",
                "item '1', option 2: missing field 'value'",
                "item '1', option 'v' has no score",
            ],
            id="every-broken-option",
        ),
        pytest.param(
            lambda d: d.update(scales=["x", {"name": "N", "items": ["1"]}]),
            [
                "scale at position 1 must be an object with fields, not text",
                "scale at position 2: missing field 'id'",
            ],
            id="every-broken-scale",
        ),
        pytest.param(
            lambda d: d["safety_rules"].insert(0, "x"),
            ["safety rule at position 1 must be an object with fields, not text"],
            id="safety-rule-not-an-object",
        ),
        pytest.param(
            lambda d: d["safety_rules"][0].pop("id"),
            ["safety rule at position 1: missing field 'id'"],
            id="safety-rule-without-id",
        ),
        pytest.param(
            lambda d: d["suggestions"].insert(0, "x"),
            ["suggestion 1 must be an object with fields, not text"],
            id="suggestion-not-an-object",
        ),
        pytest.param(
            lambda d: d.update(positive={"value": 1}),
            ["positive: missing field 'type'"],
            id="positive-without-type",
        ),
        pytest.param(
            lambda d: d.update(positive={"type": "any_item_at_least", "value": 1}),
            ["positive: missing field 'items'"],
            id="item-threshold-without-items",
        ),
        pytest.param(
            lambda d: d.update(positive={"type": "total_above", "value": 1}),
            ["positive: type 'total_above' must be one of 'total_at_least', 'any_item_at_least'"],
            id="positive-unknown-type",
        ),
        pytest.param(
            lambda d: d.update(total="x"),
            ["definition: 'total' must be an object, not text"],
            id="total-not-an-object",
        ),
    ],
)
def test_a_misshapen_part_of_an_items_definition_is_named_by_where_it_sits(change, problems):
    assert problems_of(VALID, change) == problems


@pytest.mark.parametrize(
    ("change", "problems"),
    [
        pytest.param(
            result_entry(band={"choices": []}),
            ["result_entry.band: missing field 'label'"],
            id="band-without-label",
        ),
        pytest.param(
            result_entry(band={"label": "B", "choices": ["x", {"label": "L"}]}),
            [
                "result_entry.band choice 1 must be an object with fields, not text",
                "result_entry.band choice 2: missing field 'meaning'",
            ],
            id="every-broken-choice",
        ),
        pytest.param(
            result_entry(score={"min": 1}),
            [
                "result_entry.score: missing field 'label'",
                "result_entry.score: missing field 'max'",
            ],
            id="score-without-label-or-max",
        ),
        pytest.param(
            lambda d: d.update(result_entry="x"),
            ["definition: 'result_entry' must be an object, not text"],
            id="entry-not-an-object",
        ),
    ],
)
def test_a_misshapen_result_entry_is_named_by_where_it_sits(change, problems):
    assert problems_of(RESULT_ONLY, change) == problems


def test_a_loaded_band_keeps_its_meaning():
    assert [(b.min, b.max, b.label, b.meaning) for b in load_definition(VALID).bands] == [
        (0, 1, "Low", "Few signs."),
        (2, 4, "High", "Many signs."),
    ]


def test_a_loaded_result_entry_keeps_its_score_band_and_choices():
    change = result_entry(
        score={"label": "Total", "min": 0, "max": 9},
        band={"label": "Category", "choices": [{"label": "Low", "meaning": "Plain words."}]},
    )
    entry = load_definition(broken(RESULT_ONLY, change)).result_entry
    assert (entry.score.label, entry.score.min, entry.score.max, entry.score.decimals) == (
        "Total",
        0,
        9,
        0,
    )
    assert entry.band_label == "Category"
    assert entry.band_choices == (BandChoice("Low", "Plain words."),)
    assert entry.certification_required is True


@pytest.mark.parametrize(
    ("change", "problems"),
    [
        pytest.param(
            lambda d: d.update(total={}), ["total: missing field 'items'"], id="total-no-items"
        ),
        pytest.param(
            lambda d: d.update(total={"items": []}), ["total names no items"], id="total-empty"
        ),
        pytest.param(
            lambda d: d.update(positive={"type": "any_item_at_least", "items": [], "value": 1}),
            ["positive names no items"],
            id="item-threshold-naming-no-items",
        ),
        pytest.param(
            lambda d: d.update(
                scales=[
                    {"id": "s", "name": "S", "items": []},
                    {"id": "t", "name": "T", "items": []},
                ]
            ),
            ["scale 's' names no items", "scale 't' names no items"],
            id="every-empty-scale",
        ),
        pytest.param(
            lambda d: d["safety_rules"].extend(
                [{"id": "third"}, dict(d["safety_rules"][0], id="fourth", item="9")]
            ),
            [
                "safety rule 'third': missing field 'item'",
                "safety rule 'third': missing field 'operator'",
                "safety rule 'third': missing field 'value'",
                "safety rule 'third': missing field 'category'",
                "safety rule 'third': missing field 'severity'",
                "safety rule 'third': missing field 'message'",
                "safety rule 'fourth' names item '9', which does not exist",
            ],
            id="every-broken-safety-rule",
        ),
        pytest.param(
            lambda d: d.update(
                suggestions=[
                    {"when": "positive"},
                    {"when": "x", "suggest": ["phq9"], "reason": "R."},
                ]
            ),
            [
                "suggestion 1: missing field 'suggest'",
                "suggestion 1: missing field 'reason'",
                "suggestion 2: when 'x' must be one of 'positive', 'negative'",
            ],
            id="every-broken-suggestion",
        ),
    ],
)
def test_each_list_part_is_checked_whole(change, problems):
    assert problems_of(VALID, change) == problems


def test_a_loaded_threshold_suggestion_and_empty_lists_keep_what_they_were_given():
    definition = load_definition(VALID)
    assert (definition.positive.type, definition.positive.value, definition.positive.items) == (
        "total_at_least",
        2,
        (),
    )
    (suggestion,) = definition.suggestions
    assert (suggestion.when, suggestion.suggest, suggestion.reason) == (
        "positive",
        ("phq9",),
        "To look further.",
    )
    assert (definition.reverse_keyed, definition.scales, definition.total_items) == (
        (),
        (),
        ("1", "2"),
    )
    by_item = load_definition(
        broken(
            VALID,
            lambda d: d.update(positive={"type": "any_item_at_least", "items": ["2"], "value": 1}),
        )
    ).positive
    assert (by_item.type, by_item.value, by_item.items) == ("any_item_at_least", 1, ("2",))
