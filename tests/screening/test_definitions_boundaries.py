"""Every validator check at its boundary: equal to it, one above and one below.

Each definition is loaded inside its test, so that the checks themselves are exercised (not a
copy loaded when the module was imported). The base definition has two items scoring 0 to 2
each, so its totals run from 0 to 4.
"""

import pytest

from screening.engine import DefinitionError, load_definition
from tests.screening.test_definitions import RESULT_ONLY, VALID, broken


def problems_of(data) -> list[str]:
    """The problems loading reports, or [] if the definition loads."""
    try:
        load_definition(data)
    except DefinitionError as error:
        return error.problems
    return []


def rule(**fields):
    return lambda d: d["safety_rules"][0].update(fields)


def positive(**fields):
    return lambda d: d.update(positive=fields)


def bands(*spans):
    return lambda d: d.update(
        bands=[
            {"min": low, "max": high, "label": f"Band {n}", "meaning": "Plain words."}
            for n, (low, high) in enumerate(spans, start=1)
        ]
    )


def option_scores(*scores):
    return lambda d: d["items"][0].update(
        options=[
            {"value": f"v{n}", "label": f"Option {n}", "score": s} for n, s in enumerate(scores)
        ]
    )


@pytest.mark.parametrize(
    ("change", "problems"),
    [
        pytest.param(lambda d: d.update(version=0), ["version must be 1 or more, not 0"], id="v0"),
        pytest.param(lambda d: d.update(version=1), [], id="v1"),
        pytest.param(lambda d: d.update(version=2), [], id="v2"),
        pytest.param(
            lambda d: d["items"][1].update(number=0),
            ["item '2': number must be 1 or more, not 0"],
            id="item-number-0",
        ),
        pytest.param(lambda d: d["items"][1].update(number=3), [], id="item-number-3"),
        pytest.param(
            lambda d: d.update(allow_missing=-1),
            ["allow_missing must be from 0 to one less than the number of items, not -1"],
            id="allow-missing-below-0",
        ),
        pytest.param(lambda d: d.update(allow_missing=0), [], id="allow-missing-0"),
        pytest.param(lambda d: d.update(allow_missing=1), [], id="allow-missing-1"),
        pytest.param(
            lambda d: d.update(allow_missing=2),
            ["allow_missing must be from 0 to one less than the number of items, not 2"],
            id="allow-missing-every-item",
        ),
        pytest.param(
            lambda d: d["items"][0].update(options=d["items"][0]["options"][:1]),
            ["item '1' needs at least two options"],
            id="one-option",
        ),
        pytest.param(
            lambda d: (option_scores(0, 2)(d), d.update(bands=VALID["bands"])),
            [],
            id="two-options",
        ),
    ],
)
def test_the_counts_and_numbers_at_their_limits(change, problems):
    assert problems_of(broken(VALID, change)) == problems


@pytest.mark.parametrize(
    ("scores", "problems"),
    [
        ((2, 1, 0), []),
        (
            (2, 2, 0),
            [
                "item '1' is listed in reverse_keyed but its option scores (2, 2, 0) do not "
                "fall in printed order"
            ],
        ),
        (
            (2, 0, 1),
            [
                "item '1' is listed in reverse_keyed but its option scores (2, 0, 1) do not "
                "fall in printed order"
            ],
        ),
    ],
)
def test_a_reverse_keyed_item_must_fall_strictly_in_printed_order(scores, problems):
    data = broken(VALID, lambda d: (option_scores(*scores)(d), d.update(reverse_keyed=["1"])))
    assert problems_of(data) == problems


@pytest.mark.parametrize(
    ("spans", "problems"),
    [
        pytest.param([(0, 1), (2, 2), (3, 4)], [], id="a-band-of-one-total"),
        pytest.param(
            [(0, 1), (3, 2), (3, 4)], ["band 'Band 2' starts at 3, after it ends at 2"], id="back"
        ),
        pytest.param(
            [(0, 1), (1, 4)],
            ["bands overlap: 'Band 1' (0 to 1) and 'Band 2' (1 to 4) both cover a total of 1"],
            id="overlap-of-one",
        ),
        pytest.param(
            [(0, 4), (1, 2)],
            [
                "bands overlap: 'Band 1' (0 to 4) and 'Band 2' (1 to 2) both cover totals 1 to 2",
                # Bands are read in order of where they start, so the inner one counts as last.
                "bands must end at the highest possible total, 4; the last band ends at 2",
            ],
            id="band-inside-another",
        ),
        pytest.param([(0, 1), (2, 4)], [], id="next-band-starts-one-above"),
        pytest.param(
            [(0, 0), (3, 4)], ["bands leave a gap: no band covers totals 1 to 2"], id="gap-of-two"
        ),
        pytest.param(
            [(-1, 1), (2, 4)],
            ["bands must start at the lowest possible total, 0; the first band starts at -1"],
            id="first-band-below-lowest-total",
        ),
        pytest.param(
            [(0, 1), (2, 5)],
            ["bands must end at the highest possible total, 4; the last band ends at 5"],
            id="last-band-above-highest-total",
        ),
        pytest.param([(2, 4), (0, 1)], [], id="bands-in-any-order"),
        pytest.param([], ["bands: give at least one band covering every possible total"], id="0"),
    ],
)
def test_bands_cover_every_total_exactly_once(spans, problems):
    assert problems_of(broken(VALID, bands(*spans))) == problems


def test_two_bands_with_one_label_are_refused():
    def same_label(d):
        d["bands"][1]["label"] = "Low"

    assert problems_of(broken(VALID, same_label)) == ["two bands have the label 'Low'"]


@pytest.mark.parametrize(
    ("value", "problems"),
    [
        (
            -1,
            ["positive: a total of at least -1 is not a threshold, because totals run from 0 to 4"],
        ),
        (0, ["positive: a total of at least 0 is not a threshold, because totals run from 0 to 4"]),
        (1, []),
        (3, []),
        # A threshold equal to the highest total is a threshold: only the top total is positive.
        (4, []),
        (5, ["positive: a total of at least 5 is not a threshold, because totals run from 0 to 4"]),
    ],
)
def test_a_total_threshold_lies_above_the_lowest_total_and_at_most_the_highest(value, problems):
    assert problems_of(broken(VALID, positive(type="total_at_least", value=value))) == problems


@pytest.mark.parametrize(
    ("value", "problems"),
    [
        (0, ["positive: item '1' scores from 0 to 2, so 'at least 0' is not a threshold"]),
        (1, []),
        (2, []),
        (3, ["positive: item '1' scores from 0 to 2, so 'at least 3' is not a threshold"]),
    ],
)
def test_an_item_threshold_lies_above_the_items_lowest_score_and_at_most_its_highest(
    value, problems
):
    change = positive(type="any_item_at_least", items=["1"], value=value)
    assert problems_of(broken(VALID, change)) == problems


@pytest.mark.parametrize(
    ("operator", "value", "problems"),
    [
        (
            ">",
            -1,
            ["safety rule 'second_item' would trigger on every answer: item '2' scores at least 0"],
        ),
        (">", 0, []),
        (">", 1, []),
        (">", 2, ["safety rule 'second_item' can never trigger: item '2' scores at most 2"]),
        (
            ">=",
            0,
            ["safety rule 'second_item' would trigger on every answer: item '2' scores at least 0"],
        ),
        (">=", 1, []),
        (">=", 2, []),
        (">=", 3, ["safety rule 'second_item' can never trigger: item '2' scores at most 2"]),
    ],
)
def test_a_safety_rule_fires_on_some_answers_and_not_on_others(operator, value, problems):
    assert problems_of(broken(VALID, rule(operator=operator, value=value))) == problems


@pytest.mark.parametrize(
    ("length", "problems"),
    [
        (119, []),
        (120, []),
        (
            121,
            [
                "safety rule 'second_item': the label must be 120 characters or fewer, to fit "
                "the banner's heading"
            ],
        ),
    ],
)
def test_a_safety_rule_label_fits_the_banner(length, problems):
    assert problems_of(broken(VALID, rule(label="x" * length))) == problems


def test_two_safety_rules_with_one_id_are_refused():
    data = broken(VALID, lambda d: d["safety_rules"].append(dict(d["safety_rules"][0])))
    assert problems_of(data) == ["two safety rules have the id 'second_item'"]


def test_a_safety_rule_with_an_unknown_severity_is_refused():
    assert problems_of(broken(VALID, rule(severity="high"))) == [
        "safety rule 'second_item': severity 'high' must be one of 'urgent'"
    ]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        pytest.param(
            lambda d: d["total"].update(items=["1", "2", "1"]),
            "total names item '1' more than once",
            id="total",
        ),
        pytest.param(
            lambda d: d.update(scales=[{"id": "s", "name": "Scale", "items": ["2", "2"]}]),
            "scale 's' names item '2' more than once",
            id="scale",
        ),
        pytest.param(
            lambda d: (option_scores(2, 1, 0)(d), d.update(reverse_keyed=["1", "1"])),
            "reverse_keyed names item '1' more than once",
            id="reverse-keyed",
        ),
        pytest.param(
            positive(type="any_item_at_least", items=["2", "1", "2"], value=1),
            "positive names item '2' more than once",
            id="positive",
        ),
    ],
)
def test_an_item_named_twice_in_a_list_is_refused_naming_the_item(change, problem):
    assert problems_of(broken(VALID, change)) == [problem]


def test_each_item_named_twice_is_named_once():
    change = lambda d: d["total"].update(items=["2", "1", "2", "1", "2"])  # noqa: E731
    assert problems_of(broken(VALID, change)) == [
        "total names item '2' more than once",
        "total names item '1' more than once",
    ]


def test_two_scales_with_one_id_are_refused():
    scale = {"id": "s", "name": "Scale", "items": ["1"]}
    assert problems_of(broken(VALID, lambda d: d.update(scales=[scale, scale]))) == [
        "two scales have the id 's'"
    ]


@pytest.mark.parametrize(
    ("suggest", "problems"),
    [
        (["phq9"], []),
        (["demo"], ["suggestion 1 suggests the instrument itself ('demo')"]),
        (["PHQ9"], ["suggestion 1: 'PHQ9' is not an instrument code"]),
        ([9], ["suggestion 1: 9 is not an instrument code"]),
    ],
)
def test_a_suggestion_names_other_instruments_by_code(suggest, problems):
    change = lambda d: d["suggestions"][0].update(suggest=suggest)  # noqa: E731
    assert problems_of(broken(VALID, change)) == problems


@pytest.mark.parametrize(
    ("low", "high", "problems"),
    [
        (2, 3, []),
        (3, 3, ["result_entry.score: min 3 must be below max 3"]),
        (4, 3, ["result_entry.score: min 4 must be below max 3"]),
        (0.5, 2.9, []),
        (None, 3, []),
        (3, None, []),
    ],
)
def test_a_result_entry_score_range_runs_upwards(low, high, problems):
    change = lambda d: d["result_entry"].update(  # noqa: E731
        score={"label": "Total", "min": low, "max": high}
    )
    assert problems_of(broken(RESULT_ONLY, change)) == problems


@pytest.mark.parametrize(
    ("decimals", "problems"),
    [(-1, ["result_entry.score: decimals must be 0 or more, not -1"]), (0, []), (1, [])],
)
def test_a_result_entry_score_has_0_or_more_decimals(decimals, problems):
    change = lambda d: d["result_entry"].update(  # noqa: E731
        score={"label": "Total", "min": 0, "max": 3, "decimals": decimals}
    )
    assert problems_of(broken(RESULT_ONLY, change)) == problems


@pytest.mark.parametrize(
    ("choices", "problems"),
    [
        ([], ["result_entry.band: give at least one choice"]),
        ([{"label": "Low", "meaning": "Plain words."}], []),
        (
            [{"label": "Low"}],
            ["result_entry.band choice 1: missing field 'meaning'"],
        ),
    ],
)
def test_a_result_entry_band_offers_at_least_one_choice(choices, problems):
    change = lambda d: d["result_entry"].update(  # noqa: E731
        band={"label": "Band", "choices": choices}
    )
    assert problems_of(broken(RESULT_ONLY, change)) == problems
