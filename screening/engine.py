"""Validates instrument definitions and scores answers against them.

Pure Python with no Django import: the rules a clinician relies on (reverse keys, bands, safety
rules) are tested with tables of worked examples, and the same code serves a migration, a
management command, an admin upload and a form. The definition format is described in
`screening/definitions/README.md`.
"""

from __future__ import annotations

import copy
import json
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"

KINDS = ("items", "result_only")
COMPLETED_BY = ("parent", "practitioner")
LICENCE_PUBLIC_DOMAIN = "public domain"
LICENCE_NICE = "NICE-published"
LICENCE_LOCAL = "item text supplied under local licence"
LICENCE_PROPRIETARY = "proprietary; result only"
LICENCES = (LICENCE_PUBLIC_DOMAIN, LICENCE_NICE, LICENCE_LOCAL, LICENCE_PROPRIETARY)
OPERATORS: dict[str, Callable[[int, int], bool]] = {">": operator.gt, ">=": operator.ge}
SEVERITIES = ("urgent",)
#: A safety rule's label is a banner heading, so it stays short.
RULE_LABEL_LENGTH = 120
POSITIVE_TYPES = ("total_at_least", "any_item_at_least")
SUGGEST_WHEN = ("positive", "negative")

# Codes and categories become file names, URL parts and database keys.
_LOWER_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
_FILE_NAME = re.compile(r"^(?P<code>[a-z][a-z0-9_]*)\.v(?P<version>[1-9][0-9]*)\.json$")
# Enough of an item's wording to recognise it in an error message without quoting it whole.
_WORDS_IN_ITEM_NAME = 6


class DefinitionError(ValueError):
    """A definition that cannot be used, with every problem found."""

    def __init__(self, problems: list[str], *, source: str = "The definition") -> None:
        self.problems = list(problems)
        self.source = source
        super().__init__(f"{source} is not valid:\n" + "\n".join(f"- {p}" for p in problems))


class AnswerError(ValueError):
    """Answers that cannot be scored; `problems` maps each item id to what is wrong with it."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__(" ".join(problems.values()))


@dataclass(frozen=True)
class Option:
    """One answer an item offers, and what it scores."""

    value: str
    label: str
    score: int


@dataclass(frozen=True)
class Item:
    """One question; `text` is None when its wording is licensed locally, not shipped."""

    id: str
    number: int
    text: str | None
    label: str | None
    text_supplied_locally: bool
    options: tuple[Option, ...]

    @property
    def min_score(self) -> int:
        """The lowest score any option gives."""
        return min(option.score for option in self.options)

    @property
    def max_score(self) -> int:
        """The highest score any option gives."""
        return max(option.score for option in self.options)

    def option(self, value: str) -> Option | None:
        """The option with this value, or None."""
        return next((option for option in self.options if option.value == value), None)


@dataclass(frozen=True)
class Scale:
    """A named subtotal over some of the items."""

    id: str
    name: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Band:
    """A range of totals (inclusive) and what it means, in plain words."""

    min: int
    max: int
    label: str
    meaning: str


@dataclass(frozen=True)
class PositiveRule:
    """When a result counts as a positive screen."""

    type: str
    value: int
    items: tuple[str, ...] = ()

    def is_met(self, total: int, item_scores: Mapping[str, int]) -> bool:
        """Whether this total and these item scores make a positive screen."""
        if self.type == "total_at_least":
            return total >= self.value
        return any(item_scores.get(item_id, 0) >= self.value for item_id in self.items)


@dataclass(frozen=True)
class SafetyRule:
    """An item score that raises an urgent concern whatever the total."""

    id: str
    item: str
    operator: str
    value: int
    category: str
    severity: str
    message: str
    #: What the rule is about, in the app's own words, for the urgent banner: "PHQ-9 item 9:
    #: thoughts of being better off dead or of self-harm". Presentation only: it changes nothing
    #: that is scored, so a label may be added to a shipped version (see the definitions README).
    label: str | None = None

    def is_triggered(self, item_scores: Mapping[str, int]) -> bool:
        """Whether the answered item's score meets this rule."""
        if self.item not in item_scores:
            return False
        return OPERATORS[self.operator](item_scores[self.item], self.value)


@dataclass(frozen=True)
class Suggestion:
    """Which instruments to offer next after a positive or negative result, and why."""

    when: str
    suggest: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class ScoreField:
    """The score a rater may record for a result-only instrument; None bounds are open."""

    label: str
    min: Decimal | None
    max: Decimal | None
    decimals: int


@dataclass(frozen=True)
class BandChoice:
    """One band or category a rater may record for a result-only instrument."""

    label: str
    meaning: str


@dataclass(frozen=True)
class ResultEntry:
    """What is recorded for a result-only instrument besides date, rater and summary."""

    score: ScoreField | None
    band_label: str | None
    band_choices: tuple[BandChoice, ...]
    certification_required: bool


@dataclass(frozen=True)
class Definition:
    """One version of one instrument, validated."""

    code: str
    short_name: str
    name: str
    version: int
    citation: str
    licence: str
    licence_note: str
    completed_by: str
    kind: str
    preamble: str | None = None
    items: tuple[Item, ...] = ()
    reverse_keyed: tuple[str, ...] = ()
    allow_missing: int = 0
    scales: tuple[Scale, ...] = ()
    total_items: tuple[str, ...] = ()
    bands: tuple[Band, ...] = ()
    positive: PositiveRule | None = None
    safety_rules: tuple[SafetyRule, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    result_entry: ResultEntry | None = None
    # The validated source, kept so a stored result can point at exactly what scored it.
    data: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def item(self, item_id: str) -> Item:
        """The item with this id; KeyError if there is none."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    @property
    def min_total(self) -> int:
        """The lowest total the answers can give."""
        return sum(self.item(item_id).min_score for item_id in self.total_items)

    @property
    def max_total(self) -> int:
        """The highest total the answers can give."""
        return sum(self.item(item_id).max_score for item_id in self.total_items)

    def item_name(self, item: Item) -> str:
        """How messages refer to an item: its number and first words, or 'EPDS item 3'."""
        if item.text is None:
            return f"{self.short_name} item {item.number}"
        words = item.text.split()
        opening = " ".join(words[:_WORDS_IN_ITEM_NAME])
        if len(words) > _WORDS_IN_ITEM_NAME:
            opening = opening.rstrip(",;:—-") + "…"
        return f"item {item.number} ({opening})"

    def rule_label(self, rule: SafetyRule) -> str:
        """What a safety rule is about: its label, or else the item it watches ('EPDS item 10')."""
        if rule.label:
            return rule.label
        try:
            return f"{self.short_name} item {self.item(rule.item).number}"
        except KeyError:
            return self.short_name


@dataclass(frozen=True)
class Result:
    """What a set of answers scores under one definition version."""

    code: str
    version: int
    item_scores: dict[str, int]
    total: int
    scale_totals: dict[str, int]
    band: Band
    positive: bool
    triggered: tuple[SafetyRule, ...]
    suggestions: tuple[Suggestion, ...]
    missing: tuple[str, ...] = ()


# --- Scoring -----------------------------------------------------------------------------------


def score(definition: Definition, answers: Mapping[str, str | None]) -> Result:
    """Score answers (item id -> option value) or raise AnswerError naming each bad item."""
    if definition.kind != "items":
        raise ValueError(f"{definition.short_name} records a result only; it has no items to score")
    known = {item.id for item in definition.items}
    problems: dict[str, str] = {}
    missing: list[Item] = []
    item_scores: dict[str, int] = {}
    for item in definition.items:
        value = answers.get(item.id)
        if value is None:
            missing.append(item)
            continue
        option = item.option(value) if isinstance(value, str) else None
        if option is None:
            problems[item.id] = (
                f"Choose one of the answers offered for {definition.item_name(item)}: "
                f"{value!r} is not one of them."
            )
            continue
        item_scores[item.id] = option.score
    if len(missing) > definition.allow_missing:
        problems.update({item.id: f"Answer {definition.item_name(item)}." for item in missing})
    # In the order the items are asked, then any the definition does not have.
    problems = {item.id: problems[item.id] for item in definition.items if item.id in problems}
    for item_id in answers:
        if item_id not in known:
            problems[item_id] = f"There is no item {item_id!r} in {definition.short_name}."
    if problems:
        raise AnswerError(problems)

    def subtotal(item_ids: tuple[str, ...]) -> int:
        # A permitted missing answer counts as the item's lowest score, so every total stays
        # inside the range the bands cover.
        return sum(
            item_scores.get(item_id, definition.item(item_id).min_score) for item_id in item_ids
        )

    total = subtotal(definition.total_items)
    positive = definition.positive is not None and definition.positive.is_met(total, item_scores)
    when = "positive" if positive else "negative"
    return Result(
        code=definition.code,
        version=definition.version,
        item_scores=item_scores,
        total=total,
        scale_totals={scale.id: subtotal(scale.items) for scale in definition.scales},
        band=next(band for band in definition.bands if band.min <= total <= band.max),
        positive=positive,
        triggered=tuple(rule for rule in definition.safety_rules if rule.is_triggered(item_scores)),
        suggestions=tuple(s for s in definition.suggestions if s.when == when),
        missing=tuple(item.id for item in missing),
    )


def check_result_entry(
    definition: Definition, *, score: Decimal | int | None = None, band: str | None = None
) -> None:
    """Check a result-only entry's score and band; raise AnswerError saying what is wrong."""
    entry = definition.result_entry
    if entry is None:
        raise ValueError(f"{definition.short_name} is scored from its items, not entered")
    problems: dict[str, str] = {}
    if score is not None:
        allowed = entry.score
        value = Decimal(str(score))
        if allowed is None:
            problems["score"] = f"{definition.short_name} has no score: record a summary instead."
        elif (allowed.min is not None and value < allowed.min) or (
            allowed.max is not None and value > allowed.max
        ):
            problems["score"] = f"The {allowed.label.lower()} must be {_bounds(allowed)}."
        elif value != round(value, allowed.decimals):
            places = (
                "a whole number" if allowed.decimals == 0 else f"{allowed.decimals} decimal places"
            )
            problems["score"] = f"Give the {allowed.label.lower()} as {places}."
    if band is not None and band not in {choice.label for choice in entry.band_choices}:
        problems["band"] = f"Choose one of the {(entry.band_label or 'bands').lower()} offered."
    if problems:
        raise AnswerError(problems)


# --- Loading and validating ----------------------------------------------------------------------


def load_shipped_definitions(directory: Path = DEFINITIONS_DIR) -> list[Definition]:
    """Every definition file in the folder, validated, sorted by code then version."""
    definitions: list[Definition] = []
    problems: list[str] = []
    for path in sorted(directory.glob("*.json")):
        match = _FILE_NAME.match(path.name)
        if match is None:
            problems.append(f"{path.name}: name the file <code>.v<version>.json")
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            problems.append(f"{path.name}: not valid JSON ({error})")
            continue
        try:
            definition = load_definition(data, source=path.name)
        except DefinitionError as error:
            problems.extend(f"{path.name}: {problem}" for problem in error.problems)
            continue
        if (definition.code, str(definition.version)) != (match["code"], match["version"]):
            problems.append(
                f"{path.name}: holds {definition.code} version {definition.version}, so name it "
                f"{definition.code}.v{definition.version}.json"
            )
        definitions.append(definition)
    codes = {definition.code for definition in definitions}
    for definition in definitions:
        for suggestion in definition.suggestions:
            problems.extend(
                f"{definition.code}.v{definition.version}.json: suggests {code!r}, "
                "which is not a shipped instrument"
                for code in suggestion.suggest
                if code not in codes
            )
    if problems:
        raise DefinitionError(problems, source=str(directory))
    return sorted(definitions, key=lambda d: (d.code, d.version))


def load_definition(data: Any, *, source: str | None = None) -> Definition:
    """Validate a parsed definition and build it; raise DefinitionError listing every problem."""
    checker = _Checker()
    definition = checker.definition(data)
    if checker.problems or definition is None:
        if source is None and isinstance(data, dict):
            source = f"{data.get('code', 'The definition')} version {data.get('version', '?')}"
        raise DefinitionError(checker.problems, source=source or "The definition")
    return definition


#: Field name -> the JSON type (or types) its value must have.
_FieldTypes = dict[str, type | tuple[type, ...]]

_COMMON_REQUIRED: _FieldTypes = {
    "code": str,
    "short_name": str,
    "name": str,
    "version": int,
    "citation": str,
    "licence": str,
    "completed_by": str,
    "kind": str,
}
_COMMON_OPTIONAL: _FieldTypes = {"licence_note": str}
_ITEMS_REQUIRED: _FieldTypes = {"items": list, "total": dict, "bands": list, "positive": dict}
_ITEMS_OPTIONAL: _FieldTypes = {
    "preamble": (str, type(None)),
    "reverse_keyed": list,
    "allow_missing": int,
    "scales": list,
    "safety_rules": list,
    "suggestions": list,
}
_RESULT_ONLY_REQUIRED: _FieldTypes = {"result_entry": dict}


class _Checker:
    """Walks a definition, collecting every problem in plain words instead of stopping early."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, problem: str) -> None:
        self.problems.append(problem)

    def fields(
        self,
        data: Any,
        where: str,
        required: Mapping[str, type | tuple[type, ...]],
        optional: Mapping[str, type | tuple[type, ...]] | None = None,
        *,
        partial: bool = False,
    ) -> dict[str, Any] | None:
        """The object's fields if every required one is sound (or, if partial, the sound ones)."""
        if not isinstance(data, dict):
            self.add(f"{where} must be an object with fields, not {_json_type(data)}")
            return None
        optional = optional or {}
        good: dict[str, Any] = {}
        for name in data:
            if name not in required and name not in optional:
                self.add(f"{where}: unknown field {name!r}")
        for name, kind in {**required, **optional}.items():
            if name not in data:
                if name in required:
                    self.add(f"{where}: missing field {name!r}")
                continue
            value = data[name]
            if not _is_a(value, kind):
                self.add(f"{where}: {name!r} must be {_type_name(kind)}, not {_json_type(value)}")
                continue
            if isinstance(value, str) and not value.strip():
                self.add(f"{where}: {name!r} is empty")
                continue
            good[name] = value
        if not partial and any(name not in good for name in required):
            return None
        return good

    def definition(self, data: Any) -> Definition | None:
        """The whole definition, or None once any problem has been recorded."""
        if not isinstance(data, dict):
            self.add(f"a definition must be a JSON object, not {_json_type(data)}")
            return None
        kind = data.get("kind")
        if kind == "result_only":
            required, optional = {**_COMMON_REQUIRED, **_RESULT_ONLY_REQUIRED}, _COMMON_OPTIONAL
        else:
            required = {**_COMMON_REQUIRED, **_ITEMS_REQUIRED}
            optional = {**_COMMON_OPTIONAL, **_ITEMS_OPTIONAL}
        top = self.fields(data, "definition", required, optional, partial=True) or {}
        if "code" in top and not _LOWER_SNAKE.match(top["code"]):
            self.add(f"code {top['code']!r} must be lower case letters, digits and underscores")
        if "version" in top and top["version"] < 1:
            self.add(f"version must be 1 or more, not {top['version']}")
        self.one_of(top, "kind", KINDS, "definition")
        self.one_of(top, "completed_by", COMPLETED_BY, "definition")
        self.one_of(top, "licence", LICENCES, "definition")
        if top.get("licence") == LICENCE_PROPRIETARY and kind == "items":
            self.add(
                "a proprietary instrument is recorded as a result only: use kind 'result_only'"
            )
        common = {
            "code": top.get("code", ""),
            "short_name": top.get("short_name", ""),
            "name": top.get("name", ""),
            "version": top.get("version", 0),
            "citation": top.get("citation", ""),
            "licence": top.get("licence", ""),
            "licence_note": top.get("licence_note", ""),
            "completed_by": top.get("completed_by", ""),
            "kind": top.get("kind", ""),
        }
        if kind == "result_only":
            entry = self.result_entry(top.get("result_entry"))
            if self.problems:
                return None
            return Definition(**common, result_entry=entry, data=copy.deepcopy(data))
        if kind != "items":
            return None
        return self.items_definition(top, common, data)

    def one_of(self, top: dict[str, Any], name: str, allowed: tuple[str, ...], where: str) -> None:
        """Record a problem if the field is present but not one of the allowed values."""
        if name in top and top[name] not in allowed:
            choices = ", ".join(repr(choice) for choice in allowed)
            self.add(f"{where}: {name} {top[name]!r} must be one of {choices}")

    def items_definition(
        self, top: dict[str, Any], common: dict[str, Any], data: dict[str, Any]
    ) -> Definition | None:
        """The parts only a definition of kind 'items' has, checked against each other."""
        items = self.items(top.get("items"), top.get("licence"))
        # Cross-references are checked against every id that was given, even on an item with
        # other problems, so one typo does not produce a cascade of "unknown item" messages.
        named_ids = {
            raw["id"]
            for raw in top.get("items", [])
            if isinstance(raw, dict) and isinstance(raw.get("id"), str)
        }
        by_id = {item.id: item for item in items} if items is not None else {}
        reverse_keyed = self.reverse_keyed(top.get("reverse_keyed", []), named_ids, by_id)
        allow_missing = top.get("allow_missing", 0)
        if allow_missing < 0 or (items and allow_missing >= len(items)):
            self.add(
                "allow_missing must be from 0 to one less than the number of items, "
                f"not {allow_missing}"
            )
        scales = self.scales(top.get("scales", []), named_ids)
        total_items = None
        if "total" in top:
            total_fields = self.fields(top["total"], "total", {"items": list}) or {}
            total_items = self.item_list(
                total_fields.get("items"), "total", named_ids, allow_empty=False
            )
        # The possible range is only known when every item and the total are sound.
        totals_known = items is not None and total_items is not None
        low = sum(by_id[i].min_score for i in total_items or ()) if totals_known else None
        high = sum(by_id[i].max_score for i in total_items or ()) if totals_known else None
        bands = self.bands(top["bands"], low, high) if "bands" in top else ()
        positive = self.positive(top.get("positive"), named_ids, by_id, low, high)
        safety_rules = self.safety_rules(top.get("safety_rules", []), named_ids, by_id)
        suggestions = self.suggestions(top.get("suggestions", []), top.get("code"))
        if self.problems:
            return None
        return Definition(
            **common,
            preamble=top.get("preamble"),
            items=tuple(items or ()),
            reverse_keyed=reverse_keyed,
            allow_missing=allow_missing,
            scales=scales,
            total_items=tuple(total_items or ()),
            bands=bands,
            positive=positive,
            safety_rules=safety_rules,
            suggestions=suggestions,
            data=copy.deepcopy(data),
        )

    def items(self, raw_items: Any, licence: Any) -> list[Item] | None:
        if raw_items is None:
            return None
        if not raw_items:
            self.add("items: a definition of kind 'items' needs at least one item")
            return None
        items: list[Item] = []
        seen_ids: set[str] = set()
        seen_numbers: set[int] = set()
        sound = True
        for position, raw in enumerate(raw_items, start=1):
            item = self.item(raw, position, licence)
            if item is None:
                sound = False
                continue
            if item.id in seen_ids:
                self.add(f"two items have the id {item.id!r}: item ids must be unique")
                sound = False
            if item.number in seen_numbers:
                self.add(f"two items have the number {item.number}: item numbers must be unique")
                sound = False
            seen_ids.add(item.id)
            seen_numbers.add(item.number)
            items.append(item)
        return items if sound else None

    def item(self, raw: Any, position: int, licence: Any) -> Item | None:
        where = f"item {raw['id']!r}" if isinstance(raw, dict) and "id" in raw else None
        where = where or f"item at position {position}"
        before = len(self.problems)
        good = self.fields(
            raw,
            where,
            {"id": str, "number": int, "options": list},
            {"text": (str, type(None)), "label": str, "text_supplied_locally": bool},
        )
        if good is None:
            return None
        text = good.get("text")
        local = good.get("text_supplied_locally", False)
        if local:
            if text is not None:
                self.add(
                    f"{where} is marked text_supplied_locally, so its text must be null: locally "
                    "licensed wording is entered by an admin, never kept in the definition"
                )
            if "label" not in good:
                self.add(f"{where} has no text, so it needs a label to show in its place")
            if licence not in (None, LICENCE_LOCAL):
                self.add(
                    f"{where} has its text supplied locally, so the licence must be "
                    f"{LICENCE_LOCAL!r}"
                )
        elif text is None:
            self.add(f"{where} has no text: give its text, or set text_supplied_locally to true")
        if good["number"] < 1:
            self.add(f"{where}: number must be 1 or more, not {good['number']}")
        options = self.options(good.get("options"), where)
        if len(self.problems) > before or options is None:
            return None
        return Item(
            id=good["id"],
            number=good["number"],
            text=text,
            label=good.get("label"),
            text_supplied_locally=local,
            options=tuple(options),
        )

    def options(self, raw_options: Any, where: str) -> list[Option] | None:
        if raw_options is None:
            return None
        if len(raw_options) < 2:
            self.add(f"{where} needs at least two options")
            return None
        options: list[Option] = []
        sound = True
        for position, raw in enumerate(raw_options, start=1):
            name = (
                f"{where}, option {raw['value']!r}"
                if isinstance(raw, dict) and isinstance(raw.get("value"), str)
                else f"{where}, option {position}"
            )
            if isinstance(raw, dict) and "score" not in raw:
                self.add(f"{name} has no score")
                sound = False
                continue
            good = self.fields(raw, name, {"value": str, "label": str, "score": int})
            if good is None:
                sound = False
                continue
            if any(option.value == good["value"] for option in options):
                self.add(f"{where} has two options with the value {good['value']!r}")
                sound = False
            options.append(Option(good["value"], good["label"], good["score"]))
        return options if sound else None

    def item_list(
        self, raw: Any, where: str, named_ids: set[str], *, allow_empty: bool = True
    ) -> list[str] | None:
        """A list of item ids, each naming an item that exists, none repeated."""
        if raw is None:
            return None
        if not allow_empty and not raw:
            self.add(f"{where} names no items")
            return None
        sound = True
        for item_id in raw:
            if not isinstance(item_id, str):
                self.add(f"{where}: item ids are strings, not {_json_type(item_id)}")
                sound = False
            elif item_id not in named_ids:
                self.add(f"{where} names item {item_id!r}, which does not exist")
                sound = False
        if sound and len(set(raw)) != len(raw):
            self.add(f"{where} names an item more than once")
            sound = False
        return list(raw) if sound else None

    def reverse_keyed(
        self, raw: Any, named_ids: set[str], by_id: dict[str, Item]
    ) -> tuple[str, ...]:
        item_ids = self.item_list(raw, "reverse_keyed", named_ids) or []
        for item_id in item_ids:
            item = by_id.get(item_id)
            scores = [option.score for option in item.options] if item else []
            # Options carry their real scores; listing an item here is a checked statement that
            # they fall in printed order, which catches an item whose scores were not reversed.
            if item and any(earlier <= later for earlier, later in pairwise(scores)):
                listed = ", ".join(str(s) for s in scores)
                self.add(
                    f"item {item_id!r} is listed in reverse_keyed but its option scores "
                    f"({listed}) do not fall in printed order"
                )
        return tuple(item_ids)

    def scales(self, raw_scales: list[Any], named_ids: set[str]) -> tuple[Scale, ...]:
        scales: list[Scale] = []
        for position, raw in enumerate(raw_scales, start=1):
            where = f"scale {raw['id']!r}" if isinstance(raw, dict) and "id" in raw else None
            where = where or f"scale at position {position}"
            good = self.fields(raw, where, {"id": str, "name": str, "items": list})
            if good is None:
                continue
            item_ids = self.item_list(good["items"], where, named_ids, allow_empty=False)
            if any(scale.id == good["id"] for scale in scales):
                self.add(f"two scales have the id {good['id']!r}")
            if item_ids is not None:
                scales.append(Scale(good["id"], good["name"], tuple(item_ids)))
        return tuple(scales)

    def bands(self, raw_bands: list[Any], low: int | None, high: int | None) -> tuple[Band, ...]:
        """Bands that cover every total from low to high exactly once (when those are known)."""
        if not raw_bands:
            self.add("bands: give at least one band covering every possible total")
            return ()
        bands: list[Band] = []
        for position, raw in enumerate(raw_bands, start=1):
            where = f"band {raw['label']!r}" if isinstance(raw, dict) and "label" in raw else None
            where = where or f"band at position {position}"
            good = self.fields(raw, where, {"min": int, "max": int, "label": str, "meaning": str})
            if good is None:
                continue
            if good["min"] > good["max"]:
                self.add(f"{where} starts at {good['min']}, after it ends at {good['max']}")
                continue
            bands.append(Band(good["min"], good["max"], good["label"], good["meaning"]))
        if len(bands) < len(raw_bands):
            return ()
        bands.sort(key=lambda band: band.min)
        labels = [band.label for band in bands]
        for label in sorted({label for label in labels if labels.count(label) > 1}):
            self.add(f"two bands have the label {label!r}")
        for before, after in pairwise(bands):
            if after.min <= before.max:
                self.add(
                    f"bands overlap: {before.label!r} ({before.min} to {before.max}) and "
                    f"{after.label!r} ({after.min} to {after.max}) both cover "
                    f"{_span(after.min, min(before.max, after.max))}"
                )
            elif after.min > before.max + 1:
                self.add(
                    f"bands leave a gap: no band covers {_span(before.max + 1, after.min - 1)}"
                )
        if low is not None and high is not None:
            if bands[0].min != low:
                self.add(
                    f"bands must start at the lowest possible total, {low}; the first band "
                    f"starts at {bands[0].min}"
                )
            if bands[-1].max != high:
                self.add(
                    f"bands must end at the highest possible total, {high}; the last band "
                    f"ends at {bands[-1].max}"
                )
        return tuple(bands)

    def positive(
        self,
        raw: Any,
        named_ids: set[str],
        by_id: dict[str, Item],
        low: int | None,
        high: int | None,
    ) -> PositiveRule | None:
        if raw is None:
            return None
        rule_type = raw.get("type")
        if rule_type == "any_item_at_least":
            good = self.fields(raw, "positive", {"type": str, "items": list, "value": int})
        else:
            good = self.fields(raw, "positive", {"type": str, "value": int})
        if good is None or "type" not in good:
            return None
        self.one_of(good, "type", POSITIVE_TYPES, "positive")
        if "value" not in good or rule_type not in POSITIVE_TYPES:
            return None
        value = good["value"]
        if rule_type == "total_at_least":
            if low is not None and high is not None and not low < value <= high:
                self.add(
                    f"positive: a total of at least {value} is not a threshold, because totals "
                    f"run from {low} to {high}"
                )
            return PositiveRule(rule_type, value)
        item_ids = self.item_list(good.get("items"), "positive", named_ids, allow_empty=False)
        for item_id in item_ids or []:
            item = by_id.get(item_id)
            if item and not item.min_score < value <= item.max_score:
                self.add(
                    f"positive: item {item_id!r} scores from {item.min_score} to "
                    f"{item.max_score}, so 'at least {value}' is not a threshold"
                )
        return PositiveRule(rule_type, value, tuple(item_ids or ()))

    def safety_rules(
        self, raw_rules: list[Any], named_ids: set[str], by_id: dict[str, Item]
    ) -> tuple[SafetyRule, ...]:
        rules: list[SafetyRule] = []
        for position, raw in enumerate(raw_rules, start=1):
            where = f"safety rule {raw['id']!r}" if isinstance(raw, dict) and "id" in raw else None
            where = where or f"safety rule at position {position}"
            good = self.fields(
                raw,
                where,
                {
                    "id": str,
                    "item": str,
                    "operator": str,
                    "value": int,
                    "category": str,
                    "severity": str,
                    "message": str,
                },
                {"label": str},
            )
            if good is None:
                continue
            before = len(self.problems)
            self.one_of(good, "operator", tuple(OPERATORS), where)
            self.one_of(good, "severity", SEVERITIES, where)
            if not _LOWER_SNAKE.match(good["category"]):
                self.add(
                    f"{where}: category {good['category']!r} must be lower case letters, digits "
                    "and underscores, such as 'parental_mental_health'"
                )
            if len(good.get("label", "")) > RULE_LABEL_LENGTH:
                self.add(
                    f"{where}: the label must be {RULE_LABEL_LENGTH} characters or fewer, to fit "
                    "the banner's heading"
                )
            if any(rule.id == good["id"] for rule in rules):
                self.add(f"two safety rules have the id {good['id']!r}")
            item = by_id.get(good["item"])
            if good["item"] not in named_ids:
                self.add(f"{where} names item {good['item']!r}, which does not exist")
            elif item and good["operator"] in OPERATORS:
                meets = [
                    OPERATORS[good["operator"]](option.score, good["value"])
                    for option in item.options
                ]
                if not any(meets):
                    self.add(
                        f"{where} can never trigger: item {item.id!r} scores at most "
                        f"{item.max_score}"
                    )
                elif all(meets):
                    self.add(
                        f"{where} would trigger on every answer: item {item.id!r} scores at "
                        f"least {item.min_score}"
                    )
            if len(self.problems) == before:
                rules.append(SafetyRule(**good))
        return tuple(rules)

    def suggestions(self, raw_suggestions: list[Any], own_code: Any) -> tuple[Suggestion, ...]:
        suggestions: list[Suggestion] = []
        for position, raw in enumerate(raw_suggestions, start=1):
            where = f"suggestion {position}"
            good = self.fields(raw, where, {"when": str, "suggest": list, "reason": str})
            if good is None:
                continue
            before = len(self.problems)
            self.one_of(good, "when", SUGGEST_WHEN, where)
            if not good["suggest"]:
                self.add(f"{where} suggests nothing: list at least one instrument code")
            for code in good["suggest"]:
                if not isinstance(code, str) or not _LOWER_SNAKE.match(code):
                    self.add(f"{where}: {code!r} is not an instrument code")
                elif code == own_code:
                    self.add(f"{where} suggests the instrument itself ({code!r})")
            if len(self.problems) == before:
                suggestions.append(Suggestion(good["when"], tuple(good["suggest"]), good["reason"]))
        return tuple(suggestions)

    def result_entry(self, raw: Any) -> ResultEntry | None:
        if raw is None:
            return None
        good = self.fields(
            raw,
            "result_entry",
            {
                "score": (dict, type(None)),
                "band": (dict, type(None)),
                "certification_required": bool,
            },
        )
        if good is None:
            return None
        score_field = None
        if good["score"] is not None:
            score = self.fields(
                good["score"],
                "result_entry.score",
                {"label": str, "min": (int, float, type(None)), "max": (int, float, type(None))},
                {"decimals": int},
            )
            if score is not None:
                low, high = (_decimal(score["min"]), _decimal(score["max"]))
                if low is not None and high is not None and low >= high:
                    self.add(f"result_entry.score: min {low} must be below max {high}")
                decimals = score.get("decimals", 0)
                if decimals < 0:
                    self.add(f"result_entry.score: decimals must be 0 or more, not {decimals}")
                score_field = ScoreField(score["label"], low, high, decimals)
        band_label, choices = None, []
        if good["band"] is not None:
            band = self.fields(good["band"], "result_entry.band", {"label": str, "choices": list})
            if band is not None:
                band_label = band["label"]
                if not band["choices"]:
                    self.add("result_entry.band: give at least one choice")
                for position, raw_choice in enumerate(band["choices"], start=1):
                    choice = self.fields(
                        raw_choice,
                        f"result_entry.band choice {position}",
                        {"label": str, "meaning": str},
                    )
                    if choice is not None:
                        choices.append(BandChoice(choice["label"], choice["meaning"]))
        return ResultEntry(
            score=score_field,
            band_label=band_label,
            band_choices=tuple(choices),
            certification_required=good["certification_required"],
        )


def _is_a(value: Any, kind: type | tuple[type, ...]) -> bool:
    # JSON true/false are Python bools, which are ints; a score of `true` is a mistake.
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds:
        return False
    return isinstance(value, kinds)


_JSON_NAMES = {
    bool: "true or false",
    int: "a whole number",
    float: "a number",
    str: "text",
    list: "a list",
    dict: "an object",
    type(None): "null",
}


def _type_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = [_JSON_NAMES[k] for k in kinds]
    if int in kinds and float in kinds:
        names.remove(_JSON_NAMES[int])
    return " or ".join(names)


def _json_type(value: Any) -> str:
    return next(
        (name for kind, name in _JSON_NAMES.items() if _is_a(value, kind)), type(value).__name__
    )


def _span(first: int, last: int) -> str:
    return f"a total of {first}" if first == last else f"totals {first} to {last}"


def _decimal(value: float | None) -> Decimal | None:
    # Through str so that 2.9 stays 2.9 rather than its binary approximation.
    return None if value is None else Decimal(str(value))


def _bounds(allowed: ScoreField) -> str:
    if allowed.min is not None and allowed.max is not None:
        return f"between {allowed.min} and {allowed.max}"
    if allowed.min is not None:
        return f"at least {allowed.min}"
    return f"at most {allowed.max}"
