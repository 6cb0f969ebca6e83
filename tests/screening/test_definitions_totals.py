"""What a definition's items make of it: no items at all, totals that do not start at 0, the
fields an item keeps, and a definition that keeps its own copy of what it was loaded from.

Each definition is loaded inside its test, so the loading code itself is what is checked.
"""

import copy

import pytest

from screening.engine import load_definition
from tests.screening.test_definitions import RESULT_ONLY, VALID, broken
from tests.screening.test_definitions_boundaries import problems_of

#: Options scoring 1 to 3, so two items' totals run from 2 to 6.
FROM_ONE = [
    {"value": "a", "label": "First", "score": 1},
    {"value": "b", "label": "Second", "score": 2},
    {"value": "c", "label": "Third", "score": 3},
]


def scored_from_one(*spans):
    def change(data):
        for item in data["items"]:
            item["options"] = copy.deepcopy(FROM_ONE)
        data["bands"] = [
            {"min": low, "max": high, "label": f"Band {n}", "meaning": "Plain words."}
            for n, (low, high) in enumerate(spans, start=1)
        ]
        data["positive"] = {"type": "total_at_least", "value": 4}
        data["safety_rules"][0]["value"] = 2  # "> 0" would fire on every answer

    return change


def test_a_definition_of_items_with_no_items_is_refused_saying_so():
    problems = problems_of(broken(VALID, lambda d: d.update(items=[])))
    assert "items: a definition of kind 'items' needs at least one item" in problems


def test_bands_start_at_the_lowest_possible_total_even_when_it_is_not_zero():
    definition = load_definition(broken(VALID, scored_from_one((2, 3), (4, 6))))
    assert [(band.min, band.max) for band in definition.bands] == [(2, 3), (4, 6)]


@pytest.mark.parametrize(
    ("spans", "problem"),
    [
        (
            ((0, 3), (4, 6)),
            "bands must start at the lowest possible total, 2; the first band starts at 0",
        ),
        (
            ((2, 3), (4, 8)),
            "bands must end at the highest possible total, 6; the last band ends at 8",
        ),
    ],
)
def test_bands_outside_totals_that_do_not_start_at_zero_are_refused(spans, problem):
    assert problem in problems_of(broken(VALID, scored_from_one(*spans)))


def test_an_item_keeps_the_label_it_was_given():
    data = broken(VALID, lambda d: d["items"][0].update(label="Sleep"))
    definition = load_definition(data)
    assert definition.item("1").label == "Sleep"
    assert definition.item("2").label is None


def test_a_definition_keeps_its_own_copy_of_what_it_was_loaded_from():
    data = copy.deepcopy(VALID)
    definition = load_definition(data)
    data["items"][0]["options"][0]["label"] = "Changed afterwards"
    data["bands"][0]["label"] = "Changed afterwards"
    assert definition.data["items"][0]["options"][0]["label"] == "Never"
    assert definition.data["bands"][0]["label"] == "Low"


def test_a_result_only_definition_keeps_its_own_copy_too():
    data = copy.deepcopy(RESULT_ONLY)
    definition = load_definition(data)
    data["result_entry"]["certification_required"] = False
    assert definition.data["result_entry"]["certification_required"] is True
