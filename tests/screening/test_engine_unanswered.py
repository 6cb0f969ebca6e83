"""A safety question left unanswered, where a definition permits a gap, fires its rule.

The shipped PHQ-9 and EPDS permit no gap, so each is loaded here as a version that permits one;
the definitions are loaded inside each test so that the loading code is exercised too.
"""

import json

import pytest

from screening.engine import DEFINITIONS_DIR, Definition, SafetyRule, load_definition, score

ASK_PHQ9 = (
    "PHQ-9 item 9 was not answered: ask the parent directly about thoughts of being better off "
    "dead or of self-harm today, whatever the total. If their answer gives cause for concern, "
    "follow your trust's urgent procedure; either way, tell your team lead."
)
ASK_EPDS = (
    "EPDS item 10 was not answered: ask the parent directly about thoughts of self-harm today, "
    "whatever the total. If their answer gives cause for concern, follow your trust's urgent "
    "procedure; either way, tell your team lead."
)


def permitting_one_gap(code: str) -> Definition:
    data = json.loads((DEFINITIONS_DIR / f"{code}.v1.json").read_text(encoding="utf-8"))
    return load_definition({**data, "version": 2, "allow_missing": 1})


def lowest_answers(definition: Definition) -> dict[str, str | None]:
    return {item.id: item.options[0].value for item in definition.items}


PHQ9_NOUGHT = dict.fromkeys([str(n) for n in range(1, 10)], "not_at_all")
# EPDS: items 1, 2 and 4 score 0 on option a; the other seven are reversed and score 0 on d.
EPDS_NOUGHT = {str(n): "a" if n in (1, 2, 4) else "d" for n in range(1, 11)}


@pytest.mark.parametrize(
    ("code", "nought", "item", "rule_id"),
    [
        ("phq9", PHQ9_NOUGHT, "9", "phq9_item9_self_harm"),
        ("epds", EPDS_NOUGHT, "10", "epds_item10_self_harm"),
    ],
)
def test_an_unanswered_self_harm_item_fires_its_rule_marked_unanswered(code, nought, item, rule_id):
    definition = permitting_one_gap(code)
    result = score(definition, nought | {item: None})
    assert [rule.id for rule in result.triggered] == [rule_id]
    assert [rule.id for rule in result.triggered_unanswered] == [rule_id]
    assert result.unanswered == (item,)
    # The gap counts as the item's lowest score: the total is what the answers gave.
    assert (result.total, result.band.min) == (0, 0)


@pytest.mark.parametrize(("code", "nought", "item"), [("phq9", PHQ9_NOUGHT, "9")])
def test_a_self_harm_item_left_out_altogether_fires_like_an_empty_one(code, nought, item):
    answers = {k: v for k, v in nought.items() if k != item}
    result = score(permitting_one_gap(code), answers)
    assert [rule.id for rule in result.triggered_unanswered] == ["phq9_item9_self_harm"]


@pytest.mark.parametrize(
    ("answer", "triggered", "unanswered"),
    [
        ("not_at_all", [], []),
        ("several_days", ["phq9_item9_self_harm"], []),
        ("nearly_every_day", ["phq9_item9_self_harm"], []),
    ],
)
def test_an_answered_self_harm_item_fires_on_its_score_alone(answer, triggered, unanswered):
    result = score(permitting_one_gap("phq9"), PHQ9_NOUGHT | {"9": answer})
    assert [rule.id for rule in result.triggered] == triggered
    assert [rule.id for rule in result.triggered_unanswered] == unanswered
    assert result.unanswered == ()


def test_another_item_left_unanswered_fires_no_safety_rule():
    result = score(permitting_one_gap("phq9"), PHQ9_NOUGHT | {"3": None})
    assert (result.triggered, result.triggered_unanswered, result.unanswered) == ((), (), ("3",))


def test_a_self_harm_item_is_still_required_where_no_gap_is_permitted():
    data = json.loads((DEFINITIONS_DIR / "phq9.v1.json").read_text(encoding="utf-8"))
    with pytest.raises(ValueError, match="Answer item 9"):
        score(load_definition(data), PHQ9_NOUGHT | {"9": None})


@pytest.mark.parametrize(("code", "message"), [("phq9", ASK_PHQ9), ("epds", ASK_EPDS)])
def test_the_unanswered_message_names_the_question_and_asks_the_parent_directly(code, message):
    definition = permitting_one_gap(code)
    (rule,) = definition.safety_rules
    assert definition.unanswered_message(rule) == message
    # Nothing of what a positive answer would have said.
    assert rule.message not in message


def test_the_unanswered_message_takes_the_label_it_is_given():
    definition = permitting_one_gap("epds")
    (rule,) = definition.safety_rules
    assert definition.unanswered_message(rule, "EPDS question 10: harming yourself").startswith(
        "EPDS question 10 was not answered: ask the parent directly about harming yourself today,"
    )


def test_a_rule_without_a_label_asks_about_the_item_it_watches():
    definition = permitting_one_gap("phq9")
    (rule,) = definition.safety_rules
    unlabelled = SafetyRule(**{**rule.__dict__, "label": None})
    assert definition.unanswered_message(unlabelled) == (
        "PHQ-9 item 9 was not answered: ask the parent directly about it today, whatever the "
        "total. If their answer gives cause for concern, follow your trust's urgent procedure; "
        "either way, tell your team lead."
    )


@pytest.mark.parametrize(
    ("operator", "value", "item_scores", "fires"),
    [
        (">", 0, {}, True),
        (">", 0, {"other": 3}, True),
        (">", 0, {"9": 0}, False),
        (">", 0, {"9": 1}, True),
        (">", 1, {"9": 1}, False),
        (">", 1, {"9": 2}, True),
        (">=", 1, {"9": 0}, False),
        (">=", 1, {"9": 1}, True),
        (">=", 1, {"9": 2}, True),
        (">=", 2, {}, True),
    ],
)
def test_a_rule_fires_on_its_score_or_on_a_missing_answer(operator, value, item_scores, fires):
    rule = SafetyRule(
        id="r",
        item="9",
        operator=operator,
        value=value,
        category="parental_mental_health",
        severity="urgent",
        message="Ask today.",
    )
    assert rule.is_triggered(item_scores) is fires
