"""Definition validation: each kind of broken definition is rejected, saying what is wrong."""

import copy
import json

import pytest

from screening.engine import (
    DEFINITIONS_DIR,
    DefinitionError,
    load_definition,
    load_shipped_definitions,
)

OPTIONS = [
    {"value": "never", "label": "Never", "score": 0},
    {"value": "sometimes", "label": "Sometimes", "score": 1},
    {"value": "often", "label": "Often", "score": 2},
]
VALID = {
    "code": "demo",
    "short_name": "Demo",
    "name": "Demonstration scale",
    "version": 1,
    "citation": "Made up for the tests.",
    "licence": "public domain",
    "completed_by": "parent",
    "kind": "items",
    "items": [
        {"id": "1", "number": 1, "text": "First question", "options": OPTIONS},
        {"id": "2", "number": 2, "text": "Second question", "options": OPTIONS},
    ],
    "total": {"items": ["1", "2"]},
    # Two items scoring 0 to 2 each: totals run from 0 to 4.
    "bands": [
        {"min": 0, "max": 1, "label": "Low", "meaning": "Few signs."},
        {"min": 2, "max": 4, "label": "High", "meaning": "Many signs."},
    ],
    "positive": {"type": "total_at_least", "value": 2},
    "safety_rules": [
        {
            "id": "second_item",
            "item": "2",
            "operator": ">",
            "value": 0,
            "category": "parental_mental_health",
            "severity": "urgent",
            "message": "Ask about the second question today.",
        }
    ],
    "suggestions": [{"when": "positive", "suggest": ["phq9"], "reason": "To look further."}],
}
RESULT_ONLY = {
    "code": "observed",
    "short_name": "Observed",
    "name": "An observation",
    "version": 1,
    "citation": "Made up for the tests.",
    "licence": "proprietary; result only",
    "completed_by": "practitioner",
    "kind": "result_only",
    "result_entry": {"score": None, "band": None, "certification_required": True},
}


def broken(base, change):
    """A deep copy of the base definition with one change applied."""
    data = copy.deepcopy(base)
    change(data)
    return data


def test_the_valid_examples_load():
    assert load_definition(VALID).code == "demo"
    assert load_definition(RESULT_ONLY).result_entry.certification_required is True


@pytest.mark.parametrize(
    ("change", "problems"),
    [
        pytest.param(
            lambda d: d.pop("citation"),
            ["definition: missing field 'citation'"],
            id="missing-field",
        ),
        pytest.param(
            lambda d: d.update(version="1"),
            ["definition: 'version' must be a whole number, not text"],
            id="wrong-type",
        ),
        pytest.param(
            lambda d: d.update(bnads=[]),
            ["definition: unknown field 'bnads'"],
            id="unknown-field",
        ),
        pytest.param(
            lambda d: d.update(kind="questions"),
            ["definition: kind 'questions' must be one of 'items', 'result_only'"],
            id="unknown-kind",
        ),
        pytest.param(
            lambda d: d.update(licence="free"),
            [
                "definition: licence 'free' must be one of 'public domain', 'NICE-published', "
                "'item text supplied under local licence', 'proprietary; result only'"
            ],
            id="unknown-licence",
        ),
        pytest.param(
            lambda d: d["items"][1].update(
                options=[*OPTIONS[:2], {"value": "often", "label": "Often"}]
            ),
            ["item '2', option 'often' has no score"],
            id="option-without-score",
        ),
        pytest.param(
            lambda d: d["items"][0].update(
                options=[{"value": "never", "label": "Never", "score": True}, *OPTIONS[1:]]
            ),
            ["item '1', option 'never': 'score' must be a whole number, not true or false"],
            id="score-not-a-number",
        ),
        pytest.param(
            lambda d: d["items"][0].update(options=[*OPTIONS, OPTIONS[0]]),
            ["item '1' has two options with the value 'never'"],
            id="duplicate-option-value",
        ),
        pytest.param(
            lambda d: d.update(reverse_keyed=["9"]),
            ["reverse_keyed names item '9', which does not exist"],
            id="reverse-key-on-unknown-item",
        ),
        pytest.param(
            lambda d: d.update(reverse_keyed=["1"]),
            [
                "item '1' is listed in reverse_keyed but its option scores (0, 1, 2) do not "
                "fall in printed order"
            ],
            id="reverse-key-on-item-scored-forwards",
        ),
        pytest.param(
            lambda d: d["items"].append(
                {"id": "1", "number": 3, "text": "Third question", "options": OPTIONS}
            ),
            ["two items have the id '1': item ids must be unique"],
            id="duplicate-item-id",
        ),
        pytest.param(
            lambda d: d["items"][1].update(number=1),
            ["two items have the number 1: item numbers must be unique"],
            id="duplicate-item-number",
        ),
        pytest.param(
            lambda d: d["items"][0].update(number=0),
            ["item '1': number must be 1 or more, not 0"],
            id="item-number-below-1",
        ),
        pytest.param(
            lambda d: d["items"][0].update(text=None),
            ["item '1' has no text: give its text, or set text_supplied_locally to true"],
            id="item-without-text",
        ),
        pytest.param(
            lambda d: d["items"][0].update(text_supplied_locally=True, label="Demo item 1"),
            [
                "item '1' is marked text_supplied_locally, so its text must be null: locally "
                "licensed wording is entered by an admin, never kept in the definition",
                "item '1' has its text supplied locally, so the licence must be "
                "'item text supplied under local licence'",
            ],
            id="locally-licensed-item-with-text",
        ),
        pytest.param(
            lambda d: (
                d["items"][0].update(text=None, text_supplied_locally=True)
                or d.update(licence="item text supplied under local licence")
            ),
            ["item '1' has no text, so it needs a label to show in its place"],
            id="locally-licensed-item-without-label",
        ),
        pytest.param(
            lambda d: d["total"].update(items=["1", "3"]),
            ["total names item '3', which does not exist"],
            id="total-names-unknown-item",
        ),
        pytest.param(
            lambda d: d["bands"][1].update(min=3),
            ["bands leave a gap: no band covers a total of 2"],
            id="band-gap",
        ),
        pytest.param(
            lambda d: d["bands"][0].update(max=2),
            ["bands overlap: 'Low' (0 to 2) and 'High' (2 to 4) both cover a total of 2"],
            id="band-overlap",
        ),
        pytest.param(
            lambda d: d["bands"][0].update(min=1),
            ["bands must start at the lowest possible total, 0; the first band starts at 1"],
            id="bands-start-above-lowest-total",
        ),
        pytest.param(
            lambda d: d["bands"][1].update(max=3),
            ["bands must end at the highest possible total, 4; the last band ends at 3"],
            id="bands-stop-below-highest-total",
        ),
        pytest.param(
            lambda d: d["bands"][1].update(min=5, max=4),
            ["band 'High' starts at 5, after it ends at 4"],
            id="band-backwards",
        ),
        pytest.param(
            lambda d: d.update(positive={"type": "total_at_least", "value": 5}),
            ["positive: a total of at least 5 is not a threshold, because totals run from 0 to 4"],
            id="positive-threshold-out-of-range",
        ),
        pytest.param(
            lambda d: d.update(positive={"type": "any_item_at_least", "items": ["7"], "value": 1}),
            ["positive names item '7', which does not exist"],
            id="positive-names-unknown-item",
        ),
        pytest.param(
            lambda d: d["safety_rules"][0].update(item="7"),
            ["safety rule 'second_item' names item '7', which does not exist"],
            id="safety-rule-names-unknown-item",
        ),
        pytest.param(
            lambda d: d["safety_rules"][0].update(operator="=>"),
            ["safety rule 'second_item': operator '=>' must be one of '>', '>='"],
            id="safety-rule-unknown-operator",
        ),
        pytest.param(
            lambda d: d["safety_rules"][0].update(value=2),
            ["safety rule 'second_item' can never trigger: item '2' scores at most 2"],
            id="safety-rule-that-can-never-trigger",
        ),
        pytest.param(
            lambda d: d["safety_rules"][0].update(operator=">=", value=0),
            ["safety rule 'second_item' would trigger on every answer: item '2' scores at least 0"],
            id="safety-rule-that-always-triggers",
        ),
        pytest.param(
            lambda d: d["safety_rules"][0].update(category="Mental health"),
            [
                "safety rule 'second_item': category 'Mental health' must be lower case letters, "
                "digits and underscores, such as 'parental_mental_health'"
            ],
            id="safety-rule-bad-category",
        ),
        pytest.param(
            lambda d: d["safety_rules"][0].update(label=" "),
            ["safety rule 'second_item': 'label' is empty"],
            id="safety-rule-empty-label",
        ),
        pytest.param(
            lambda d: d["safety_rules"][0].update(label=7),
            ["safety rule 'second_item': 'label' must be text, not a whole number"],
            id="safety-rule-label-not-text",
        ),
        pytest.param(
            lambda d: d["safety_rules"][0].update(label="x" * 121),
            [
                "safety rule 'second_item': the label must be 120 characters or fewer, to fit "
                "the banner's heading"
            ],
            id="safety-rule-label-too-long",
        ),
        pytest.param(
            lambda d: d["suggestions"][0].update(suggest=[]),
            ["suggestion 1 suggests nothing: list at least one instrument code"],
            id="suggestion-naming-nothing",
        ),
        pytest.param(
            lambda d: d["suggestions"][0].update(when="always"),
            ["suggestion 1: when 'always' must be one of 'positive', 'negative'"],
            id="suggestion-unknown-when",
        ),
        pytest.param(
            lambda d: d.update(licence="proprietary; result only"),
            ["a proprietary instrument is recorded as a result only: use kind 'result_only'"],
            id="proprietary-with-items",
        ),
    ],
)
def test_a_broken_items_definition_says_exactly_what_is_wrong(change, problems):
    with pytest.raises(DefinitionError) as caught:
        load_definition(broken(VALID, change))
    assert caught.value.problems == problems


@pytest.mark.parametrize(
    ("change", "problems"),
    [
        pytest.param(
            lambda d: d.update(items=[]),
            ["definition: unknown field 'items'"],
            id="result-only-with-items",
        ),
        pytest.param(
            lambda d: d["result_entry"].pop("certification_required"),
            ["result_entry: missing field 'certification_required'"],
            id="result-only-without-certification",
        ),
        pytest.param(
            lambda d: d["result_entry"].update(
                score={"label": "Total", "min": 5, "max": 1, "decimals": 0}
            ),
            ["result_entry.score: min 5 must be below max 1"],
            id="result-only-score-range-backwards",
        ),
        pytest.param(
            lambda d: d["result_entry"].update(
                score={"label": "Total", "min": None, "max": None, "decimals": -1}
            ),
            ["result_entry.score: decimals must be 0 or more, not -1"],
            id="result-only-negative-decimals",
        ),
    ],
)
def test_a_broken_result_only_definition_says_exactly_what_is_wrong(change, problems):
    with pytest.raises(DefinitionError) as caught:
        load_definition(broken(RESULT_ONLY, change))
    assert caught.value.problems == problems


def test_a_definition_that_is_not_an_object_is_rejected():
    with pytest.raises(DefinitionError) as caught:
        load_definition([VALID])
    assert caught.value.problems == ["a definition must be a JSON object, not a list"]


def test_every_problem_is_listed_and_the_message_names_the_definition():
    def two_problems(d):
        d.pop("citation")
        d["bands"][1]["min"] = 3

    with pytest.raises(DefinitionError) as caught:
        load_definition(broken(VALID, two_problems))
    assert str(caught.value) == (
        "demo version 1 is not valid:\n"
        "- definition: missing field 'citation'\n"
        "- bands leave a gap: no band covers a total of 2"
    )


# --- The folder of shipped definitions ------------------------------------------------------


def write(folder, name, data):
    (folder / name).write_text(json.dumps(data), encoding="utf-8")


def test_a_file_named_for_another_version_is_rejected(tmp_path):
    write(tmp_path, "demo.v2.json", {**VALID, "suggestions": []})
    with pytest.raises(DefinitionError) as caught:
        load_shipped_definitions(tmp_path)
    assert caught.value.problems == ["demo.v2.json: holds demo version 1, so name it demo.v1.json"]


def test_a_suggestion_of_an_instrument_not_shipped_is_rejected(tmp_path):
    write(tmp_path, "demo.v1.json", VALID)
    with pytest.raises(DefinitionError) as caught:
        load_shipped_definitions(tmp_path)
    assert caught.value.problems == [
        "demo.v1.json: suggests 'phq9', which is not a shipped instrument"
    ]


def test_a_file_that_is_not_json_is_rejected(tmp_path):
    (tmp_path / "demo.v1.json").write_text("{", encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_shipped_definitions(tmp_path)
    assert caught.value.problems[0].startswith("demo.v1.json: not valid JSON")


def test_the_shipped_instruments_are_exactly_these():
    shipped = {(d.code, d.version, d.kind) for d in load_shipped_definitions()}
    assert shipped == {
        ("whooley", 1, "items"),
        ("whooley", 2, "items"),
        ("phq2", 1, "items"),
        ("phq9", 1, "items"),
        ("gad2", 1, "items"),
        ("gad7", 1, "items"),
        ("epds", 1, "items"),
        ("asqse2", 1, "result_only"),
        ("kips", 1, "result_only"),
        ("nbo", 1, "result_only"),
        ("piios", 1, "result_only"),
        ("care_index", 1, "result_only"),
        ("adbb", 1, "result_only"),
    }


@pytest.mark.parametrize(
    ("code", "licence", "cited"),
    [
        ("whooley", "NICE-published", "CG192"),
        ("phq2", "public domain", "Med Care. 2003"),
        ("phq9", "public domain", "J Gen Intern Med. 2001"),
        ("gad2", "public domain", "Ann Intern Med. 2007"),
        ("gad7", "public domain", "Arch Intern Med. 2006"),
        ("epds", "item text supplied under local licence", "Br J Psychiatry. 1987"),
        ("asqse2", "proprietary; result only", "Brookes"),
        ("kips", "proprietary; result only", "Comfort M, Gordon PR"),
        ("nbo", "proprietary; result only", "Nugent JK"),
        ("piios", "proprietary; result only", "Svanberg PO"),
        ("care_index", "proprietary; result only", "Crittenden PM"),
        ("adbb", "proprietary; result only", "Guedeney A, Fermanian J"),
    ],
)
def test_each_shipped_instrument_cites_its_source_and_licence(code, licence, cited):
    definition = next(d for d in load_shipped_definitions() if d.code == code)
    assert definition.licence == licence
    assert cited in definition.citation


@pytest.mark.parametrize("code", ["phq2", "phq9", "gad2", "gad7"])
def test_phq_and_gad_carry_the_pfizer_attribution(code):
    definition = next(d for d in load_shipped_definitions() if d.code == code)
    assert "Pfizer" in definition.licence_note
    assert [o.label for o in definition.items[0].options] == [
        "Not at all",
        "Several days",
        "More than half the days",
        "Nearly every day",
    ]


def test_epds_ships_no_item_or_answer_wording():
    # Checks the file itself, not only the loaded object, because the file is what is shipped.
    data = json.loads((DEFINITIONS_DIR / "epds.v1.json").read_text(encoding="utf-8"))
    assert data["preamble"] is None
    for number, item in enumerate(data["items"], start=1):
        assert item["text"] is None
        assert item["text_supplied_locally"] is True
        assert item["label"] == f"EPDS item {number} — text supplied under local licence"
        assert [o["label"] for o in item["options"]] == [
            f"Option {letter} (as printed)" for letter in "ABCD"
        ]


def test_the_pbq_is_not_shipped_until_its_keys_are_confirmed():
    assert not list(DEFINITIONS_DIR.glob("pbq*"))


def test_a_safety_rule_label_is_optional_and_names_the_rule():
    labelled = broken(VALID, lambda d: d["safety_rules"][0].update(label="Demo item 2: worry"))
    definition = load_definition(labelled)
    assert definition.rule_label(definition.safety_rules[0]) == "Demo item 2: worry"
    # Without a label, the item the rule watches.
    plain = load_definition(VALID)
    assert plain.safety_rules[0].label is None
    assert plain.rule_label(plain.safety_rules[0]) == "Demo item 2"


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("phq9", "PHQ-9 item 9: thoughts of being better off dead or of self-harm"),
        ("epds", "EPDS item 10: thoughts of self-harm"),
    ],
)
def test_the_shipped_safety_rules_are_named_in_the_apps_own_words(code, label):
    definition = next(d for d in load_shipped_definitions() if d.code == code)
    assert [definition.rule_label(rule) for rule in definition.safety_rules] == [label]
