"""Reads about instruments themselves (not about families): which versions are offered, the
admin's list and item wording.

Nothing here touches a clinical record, so admins may use all of it.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import engine
from .models import InstrumentDefinition
from .ordering import in_instrument_order


def current_definitions() -> list[InstrumentDefinition]:
    """The newest version of every instrument that is not retired, in the order offered."""
    newest = (
        InstrumentDefinition.objects.filter(retired_at__isnull=True)
        .order_by("code", "-version")
        .distinct("code")
    )
    return in_instrument_order(newest, code=lambda row: row.code, name=lambda row: row.name)


def current_definition(code: str) -> InstrumentDefinition:
    """The newest version of an instrument that is not retired; DoesNotExist if there is none."""
    found = (
        InstrumentDefinition.objects.filter(code=code, retired_at__isnull=True)
        .order_by("-version")
        .first()
    )
    if found is None:
        raise InstrumentDefinition.DoesNotExist(f"No current definition for {code}.")
    return found


@dataclass(frozen=True)
class InstrumentVersions:
    """One instrument and every version of its definition loaded, newest first."""

    code: str
    name: str
    versions: list[InstrumentDefinition]

    @property
    def current(self) -> InstrumentDefinition | None:
        """The newest version not retired: the one new results are scored with."""
        return next((version for version in self.versions if version.retired_at is None), None)


def instruments_for_admin() -> list[InstrumentVersions]:
    """Every instrument with its versions, for the admin's list (one query)."""
    rows = InstrumentDefinition.objects.defer("definition").order_by("code", "-version")
    grouped: dict[str, list[InstrumentDefinition]] = {}
    for row in rows:
        grouped.setdefault(row.code, []).append(row)
    return [
        InstrumentVersions(code=code, name=versions[0].name, versions=versions)
        for code, versions in grouped.items()
    ]


def items_for_admin(definition_row: InstrumentDefinition) -> list[dict[str, Any]]:
    """Each item of a version as the admin's preview shows it: its wording, whether its local
    text and how many of its answers' wording are entered, each answer's wording, reverse keying."""
    definition = definition_row.parsed
    texts = local_item_texts(definition_row)
    local_options = local_option_texts(definition_row)
    return [
        {
            "item": item,
            "wording": item_label(definition_row, item),
            "local_text_entered": item.id in texts,
            "local_options_entered": sum(
                (item.id, option.value) in local_options for option in item.options
            ),
            "options": [
                {"option": option, "wording": option_label(item, option, local_options)}
                for option in item.options
            ],
            "reverse_keyed": item.id in definition.reverse_keyed,
        }
        for item in definition.items
    ]


def local_item_texts(definition_row: InstrumentDefinition) -> dict[str, str]:
    """Item id -> wording entered under local licence for this version.

    One query the first time for a row (none if ``local_item_texts`` was prefetched), then kept
    on the row, so a form asking ten items asks the database once.
    """
    kept = vars(definition_row)
    if "_local_item_texts" not in kept:
        kept["_local_item_texts"] = {
            row.item_id: row.text for row in definition_row.local_item_texts.all()
        }
    return kept["_local_item_texts"]


def local_option_texts(definition_row: InstrumentDefinition) -> dict[tuple[str, str], str]:
    """(item id, option value) -> answer wording entered under local licence for this version.

    Cached on the row like :func:`local_item_texts`: one query however many answers are shown.
    """
    kept = vars(definition_row)
    if "_local_option_texts" not in kept:
        kept["_local_option_texts"] = {
            (row.item_id, row.option_value): row.text
            for row in definition_row.local_option_texts.all()
        }
    return kept["_local_option_texts"]


def item_label(definition_row: InstrumentDefinition, item: engine.Item | Mapping[str, Any]) -> str:
    """The wording to show for an item: local licensed text if entered, else the shipped text.

    For an item whose text is supplied locally and not entered yet, this is the definition's
    label, such as "EPDS item 3 — text supplied under local licence". ``item`` is an
    ``engine.Item`` or the item's dict from the stored definition.
    """
    if isinstance(item, engine.Item):
        item_id, text, label, local = item.id, item.text, item.label, item.text_supplied_locally
    else:
        item_id, text, label = item["id"], item.get("text"), item.get("label")
        local = item.get("text_supplied_locally", False)
    if local:
        entered = local_item_texts(definition_row).get(item_id)
        if entered:
            return entered
    return text or label or f"Item {item_id}"


def item_legend(
    definition: engine.Definition,
    item: engine.Item,
    local_texts: Mapping[str, str] | None = None,
    *,
    paper_form: bool = False,
) -> str:
    """An item's wording: shipped, or entered under local licence, or else its placeholder.

    With ``paper_form`` (the licensed wording is not all entered) an item whose text is supplied
    locally is named by its number only, as on the printed form the answers are taken from.
    """
    if item.text is not None:
        return item.text
    if paper_form:
        return f"Question {item.number}"
    if local_texts and local_texts.get(item.id):
        return local_texts[item.id]
    fallback = f"{definition.short_name} item {item.number} — text supplied under local licence"
    return item.label or fallback


#: An answer's place on a printed form, for a page that shows no licensed wording.
PRINTED_POSITIONS = ("First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth")


def option_label(
    item: engine.Item,
    option: engine.Option,
    local_options: Mapping[tuple[str, str], str] | None = None,
    *,
    paper_form: bool = False,
) -> str:
    """An answer's wording: entered under local licence if it has been, else the shipped label.

    ``local_options`` is what :func:`local_option_texts` returns for the definition version.
    With ``paper_form`` (the licensed wording is not all entered), the answer's place on the
    printed form and its score: "First answer (scores 0)".
    """
    if paper_form and item.text_supplied_locally:
        return printed_option_label(item, option)
    if local_options and local_options.get((item.id, option.value)):
        return local_options[(item.id, option.value)]
    return option.label


def printed_option_label(item: engine.Item, option: engine.Option) -> str:
    """An answer by its place on the printed form and its score, never by its wording."""
    position = item.options.index(option)
    place = PRINTED_POSITIONS[position] if position < len(PRINTED_POSITIONS) else None
    place = f"{place} answer" if place else f"Answer {position + 1}"
    return f"{place} (scores {option.score})"


def local_wording_complete(definition_row: InstrumentDefinition, loaded: engine.Definition) -> bool:
    """Whether every item whose text is supplied locally, and every answer to it, has its
    licensed wording entered for this version. True for an instrument that ships its wording.

    Until it is complete the instrument is offered only for entering the answers from the
    trust's printed form, so that a placeholder is never read to a parent (hazard H-038).
    """
    local_items = [item for item in loaded.items if item.text_supplied_locally]
    if not local_items:
        return True
    texts = local_item_texts(definition_row)
    options = local_option_texts(definition_row)
    return all(
        texts.get(item.id) and all(options.get((item.id, option.value)) for option in item.options)
        for item in local_items
    )


@dataclass(frozen=True)
class Wording:
    """How one version's items and answers are worded on a page.

    ``paper_form``: the licensed wording is not all entered, so the page is for entering the
    answers from the trust's printed form, by question number and printed place (hazard H-038).
    """

    texts: dict[str, str]
    options: dict[tuple[str, str], str]
    paper_form: bool


def wording(definition_row: InstrumentDefinition) -> Wording:
    """The wording entered under the trust's licence for this version, and whether it is all in."""
    return Wording(
        texts=local_item_texts(definition_row),
        options=local_option_texts(definition_row),
        paper_form=not local_wording_complete(definition_row, definition_row.parsed),
    )


def safety_rule_label(
    definition_row: InstrumentDefinition, loaded: engine.Definition, rule: engine.SafetyRule
) -> str:
    """What a safety rule is about, for the urgent banner: "PHQ-9 item 9: thoughts of …".

    The label is presentation, not scoring: if the version that scored the result has none,
    the newest loaded version of the instrument with a labelled rule of the same id gives it
    (one query); failing both, the item the rule watches ("EPDS item 10").
    """
    if rule.label:
        return rule.label
    newer = (
        InstrumentDefinition.objects.filter(code=definition_row.code)
        .exclude(pk=definition_row.pk)
        .order_by("-version")
        .values_list("definition", flat=True)
    )
    for data in newer:
        label = stored_rule_label(data, rule.id)
        if label:
            return label
    return loaded.rule_label(rule)


def safety_rule_message(
    definition_row: InstrumentDefinition,
    loaded: engine.Definition,
    rule: engine.SafetyRule,
    *,
    unanswered: bool,
    label: str | None = None,
) -> str:
    """What a fired safety rule tells the health visitor, on its urgent concern and its banner:
    the rule's own message, or, when it fired because its item was not answered, that the
    question was not answered and is to be asked directly (``label``: the rule's, if known)."""
    if not unanswered:
        return rule.message
    return loaded.unanswered_message(rule, label or safety_rule_label(definition_row, loaded, rule))


def stored_rule_label(data: object, rule_id: str) -> str:
    """The label a stored definition (JSON as loaded) gives its safety rule ``rule_id``, or ""."""
    rules = data.get("safety_rules", []) if isinstance(data, dict) else []
    for raw in rules if isinstance(rules, list) else []:
        if isinstance(raw, dict) and raw.get("id") == rule_id and raw.get("label"):
            return str(raw["label"])
    return ""
