"""Instrument definitions as FHIR ``Questionnaire``s, and the codings their answers use.

Pure: an engine ``Definition`` in, plain dicts out. An item's wording is carried only where the
definition ships it; an item whose wording is licensed to the trust (the EPDS) never carries
text here, whatever an admin has entered locally: its ``text`` is the app's own label ("EPDS
item 3"). Each answer option carries its score as the ``itemWeight`` extension.

What a Questionnaire holds, and why:

- one ``choice`` item per definition item (``linkId`` its id, ``prefix`` its number), the
  preamble as a ``display`` item before them, and every item ``required`` unless the definition
  lets some be left unanswered (FHIR cannot say "at most two may be missed");
- reverse keys as they score: each option's weight is the score it gives, so a reverse-keyed
  item's weights fall in printed order (3, 2, 1, 0). FHIR has no standard mark for a reversed
  item, and the weights are all a receiving system needs to score it;
- no total, scale or band items and no ``calculatedExpression``: the app scores, and the
  export carries the total and its band as an ``Observation``. The description says in words
  which items the total adds up;
- the licence, its note and the citation as ``copyright``;
- no ``subjectType``: what an instrument is about (a parent, the baby, the pair) is not what
  the export files its response under (the family's ``Group``, ADR 0014), so none is claimed;
- for a result-only instrument, what the trained rater records, under fixed ``linkId``s
  (``score``, ``band``, ``rater``, ``certification``, ``summary``) that the
  ``QuestionnaireResponse`` mapping answers.

The step 1 conversation has its own Questionnaire, :func:`conversation_questionnaire`, asking
what the conversation pages ask.
"""

import json
import re
from decimal import Decimal

from django.utils.text import slugify

from conversations.forms_visits import QUESTION_FEAR, QUESTION_JOY, QUESTION_WORDS
from conversations.models import ANSWER_LENGTH, NOTE_LENGTH, WORD_LENGTH
from screening.engine import Definition, Item, ScoreField
from screening.forms import CERTIFICATION_LENGTH, RATER_LENGTH

from . import systems
from .ids import resource_id

#: The path of our own conversation Questionnaire under ``FHIR_BASE_URL``.
CONVERSATION_PATH = "Questionnaire/starting-relationships-conversation"
CONVERSATION_VERSION = "1"
#: FHIR's rule for a computable name (invariant inv-0 of the canonical resources).
COMPUTABLE_NAME = re.compile(r"^[A-Z]([A-Za-z0-9_]){0,254}$")
COMPLETED_BY = {"parent": "the parent", "practitioner": "a trained practitioner"}


def answers_system(definition: Definition) -> str:
    """The code system of an instrument's answer options (their stored values)."""
    return systems.local(f"CodeSystem/{definition.code}-answers")


def bands_system(definition: Definition) -> str:
    """The code system of an instrument's bands (or a rater's band choices)."""
    return systems.local(f"CodeSystem/{definition.code}-bands")


def band_code(label: str) -> str:
    """A band's code: its label in lower case with hyphens ("possible-depression")."""
    return slugify(label)


def answer_coding(definition: Definition, item_id: str, value: str) -> dict:
    """The coding of one answer: the option's stored value, its shipped label and its score."""
    option = definition.item(item_id).option(value)
    if option is None:
        raise KeyError(f"{definition.code} item {item_id} has no option {value!r}")
    return {
        "extension": [{"url": systems.ITEM_WEIGHT_EXTENSION, "valueDecimal": option.score}],
        "system": answers_system(definition),
        "code": option.value,
        "display": option.label,
    }


def band_coding(definition: Definition, label: str) -> dict | None:
    """The coding of a band (by its label), or None when the label is empty."""
    if not label:
        return None
    return {"system": bands_system(definition), "code": band_code(label), "display": label}


# --- Instruments ------------------------------------------------------------------------------


def questionnaire(definition: Definition, *, retired: bool = False) -> dict:
    """One version of an instrument as a FHIR R4 ``Questionnaire`` in the UK Core shape.

    ``retired`` is the stored version's state (the engine's definition does not know it): a
    retired version is no longer offered for new results, so its Questionnaire is ``retired``.
    """
    if definition.kind == "items":
        items = _questions(definition)
    else:
        items = _result_entry_items(definition)
    return {
        "resourceType": "Questionnaire",
        "id": resource_id("questionnaire", definition.code, definition.version),
        "meta": {"profile": [systems.profile("Questionnaire")]},
        "url": systems.questionnaire_url(definition.code),
        "version": str(definition.version),
        "name": computable_name(definition.short_name, fallback=definition.code),
        "title": definition.name,
        "status": "retired" if retired else "active",
        "description": _description(definition),
        "copyright": _copyright(definition),
        "item": items,
    }


def questionnaire_json(resource: dict) -> str:
    """A Questionnaire as the command prints it and the admin downloads it."""
    return json.dumps(resource, indent=2, ensure_ascii=False)


def questionnaire_filename(definition: Definition) -> str:
    """The download's file name: "phq9-v1.questionnaire.json"."""
    return f"{definition.code}-v{definition.version}.questionnaire.json"


def computable_name(short_name: str, *, fallback: str = "") -> str:
    """A name a machine can use: the letters and digits of the short name ("PHQ-9" gives
    "PHQ9", "ASQ:SE-2" gives "ASQSE2"), starting with a capital letter."""
    name = "".join(ch for ch in short_name if ch.isascii() and ch.isalnum())
    if not name or not name[0].isalpha():
        name = "".join(part.capitalize() for part in fallback.split("_")) + name
    name = name[:1].upper() + name[1:]
    if not COMPUTABLE_NAME.match(name):
        name = "Instrument" + name
    return name


def _copyright(definition: Definition) -> str:
    parts = [
        f"Licence: {definition.licence}.",
        definition.licence_note,
        f"Source: {definition.citation}",
    ]
    return "\n\n".join(part for part in parts if part)


def _description(definition: Definition) -> str:
    who = COMPLETED_BY.get(definition.completed_by, definition.completed_by)
    entry = definition.result_entry
    if entry is not None:
        recorded = [
            *([entry.score.label.lower()] if entry.score else []),
            *([(entry.band_label or "band").lower()] if entry.band_choices else []),
            "who carried out the assessment",
            "a summary",
        ]
        return (
            f"{definition.short_name}, completed by {who}. Only the result is recorded: "
            f"{', '.join(recorded[:-1])} and {recorded[-1]}."
        )
    numbers = [definition.item(item_id).number for item_id in definition.total_items]
    return (
        f"{definition.short_name}, completed by {who}. Each answer carries its score as its "
        f"itemWeight; the total adds up the scores of {_item_numbers(numbers)}, from "
        f"{definition.min_total} to {definition.max_total}."
    )


def _item_numbers(numbers: list[int]) -> str:
    """ "items 1 to 10", "items 1 and 2", "items 1, 3 and 4"."""
    if len(numbers) == 1:
        return f"item {numbers[0]}"
    if len(numbers) > 2 and numbers == list(range(numbers[0], numbers[0] + len(numbers))):
        return f"items {numbers[0]} to {numbers[-1]}"
    return "items " + ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"


def _questions(definition: Definition) -> list[dict]:
    items: list[dict] = []
    if definition.preamble:
        items.append({"linkId": "preamble", "text": definition.preamble, "type": "display"})
    required = definition.allow_missing == 0
    items.extend(_question(definition, item, required=required) for item in definition.items)
    return items


def _question(definition: Definition, item: Item, *, required: bool) -> dict:
    return {
        "linkId": item.id,
        "prefix": str(item.number),
        "text": item_text(definition, item),
        "type": "choice",
        "required": required,
        "answerOption": [
            {"valueCoding": answer_coding(definition, item.id, option.value)}
            for option in item.options
        ],
    }


def item_text(definition: Definition, item: Item) -> str:
    """An item's text in a Questionnaire: its shipped wording, or for an item whose wording is
    licensed locally the app's own name for it ("EPDS item 3"), never the licensed wording."""
    if item.text_supplied_locally or item.text is None:
        return f"{definition.short_name} item {item.number}"
    return item.text


def _result_entry_items(definition: Definition) -> list[dict]:
    entry = definition.result_entry
    if entry is None:
        raise ValueError(f"{definition.short_name} is scored from its items, not entered")
    items: list[dict] = []
    if entry.score is not None:
        items.append(_score_item(entry.score))
    if entry.band_choices:
        items.append(
            {
                "linkId": "band",
                "text": entry.band_label or "Band",
                "type": "choice",
                "required": False,
                "answerOption": [
                    {"valueCoding": band_coding(definition, choice.label)}
                    for choice in entry.band_choices
                ],
            }
        )
    items += [
        _free_text("rater", "Who carried out the assessment", "string", RATER_LENGTH),
        _free_text(
            "certification",
            "Rater's certification",
            "string",
            CERTIFICATION_LENGTH,
            required=entry.certification_required,
        ),
        _free_text("summary", "Summary: what the assessment showed", "text", NOTE_LENGTH),
    ]
    return items


def _score_item(score: ScoreField) -> dict:
    extensions = []
    if score.min is not None:
        extensions.append({"url": systems.MIN_VALUE_EXTENSION, "valueDecimal": _number(score.min)})
    if score.max is not None:
        extensions.append({"url": systems.MAX_VALUE_EXTENSION, "valueDecimal": _number(score.max)})
    extensions.append({"url": systems.MAX_DECIMAL_PLACES_EXTENSION, "valueInteger": score.decimals})
    return {
        "extension": extensions,
        "linkId": "score",
        "text": score.label,
        "type": "decimal",
        "required": False,
    }


def _number(value: Decimal) -> int | float:
    """A bound as a JSON number: whole numbers stay whole."""
    return int(value) if value == value.to_integral_value() else float(value)


def _free_text(
    link_id: str, text: str, type_: str, max_length: int, *, required: bool = True
) -> dict:
    return {
        "linkId": link_id,
        "text": text,
        "type": type_,
        "required": required,
        "maxLength": max_length,
    }


# --- The step 1 conversation ------------------------------------------------------------------


def conversation_questionnaire() -> dict:
    """Our own "Starting relationships conversation" Questionnaire: the three questions the
    parent is asked (each one answered or declined) and the health visitor's reflection."""
    words = [
        _answer(f"word-{n}", f"{QUESTION_WORDS} {place} word or phrase.", "string", WORD_LENGTH)
        for n, place in ((1, "First"), (2, "Second"), (3, "Third"))
    ]
    return {
        "resourceType": "Questionnaire",
        "id": resource_id(
            "questionnaire", "starting-relationships-conversation", CONVERSATION_VERSION
        ),
        "meta": {"profile": [systems.profile("Questionnaire")]},
        "url": systems.local(CONVERSATION_PATH),
        "version": CONVERSATION_VERSION,
        "name": "StartingRelationshipsConversation",
        "title": "Starting relationships conversation",
        "status": "active",
        "description": (
            "A health visitor's conversation with a parent about their relationship with their "
            "baby: three questions in the parent's own words, each of which the parent may "
            "choose not to answer, then the health visitor's own reflection."
        ),
        "item": [
            *words,
            _declined("words-declined", "three words or phrases"),
            _answer("joy", QUESTION_JOY, "text", ANSWER_LENGTH),
            _declined("joy-declined", "what brings the most joy"),
            _answer("fear", QUESTION_FEAR, "text", ANSWER_LENGTH),
            _declined("fear-declined", "the biggest fear"),
            _answer(
                "reflection",
                "The health visitor's reflection: what stood out in what the parent said and "
                "how they said it.",
                "text",
                NOTE_LENGTH,
            ),
            {
                "linkId": "raised-concern",
                "text": "Did anything in the conversation raise concern for the health visitor?",
                "type": "boolean",
            },
        ],
    }


def _answer(link_id: str, text: str, type_: str, max_length: int) -> dict:
    # Not required: the parent may choose not to answer, and the record says so instead.
    return {"linkId": link_id, "text": text, "type": type_, "maxLength": max_length}


def _declined(link_id: str, about: str) -> dict:
    return {
        "linkId": link_id,
        "text": f"The parent chose not to answer the question about {about}.",
        "type": "boolean",
    }
