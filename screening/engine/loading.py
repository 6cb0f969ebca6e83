"""Loading definitions: a shipped file or an upload, validated, every problem listed at once."""

from __future__ import annotations

import copy
import json
import re
from itertools import pairwise
from pathlib import Path
from typing import Any

from .checks import FieldTypes, json_type
from .model import (
    COMPLETED_BY,
    KINDS,
    LICENCE_LOCAL,
    LICENCE_PROPRIETARY,
    LICENCES,
    LOWER_SNAKE,
    Definition,
    DefinitionError,
    Item,
    Option,
    Scale,
)
from .rule_checks import RuleChecks

DEFINITIONS_DIR = Path(__file__).resolve().parent.parent / "definitions"
_FILE_NAME = re.compile(r"^(?P<code>[a-z][a-z0-9_]*)\.v(?P<version>[1-9][0-9]*)\.json$")


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


_COMMON_REQUIRED: FieldTypes = {
    "code": str,
    "short_name": str,
    "name": str,
    "version": int,
    "citation": str,
    "licence": str,
    "completed_by": str,
    "kind": str,
}
_COMMON_OPTIONAL: FieldTypes = {"licence_note": str}
_ITEMS_REQUIRED: FieldTypes = {"items": list, "total": dict, "bands": list, "positive": dict}
_ITEMS_OPTIONAL: FieldTypes = {
    "preamble": (str, type(None)),
    "reverse_keyed": list,
    "allow_missing": int,
    "scales": list,
    "safety_rules": list,
    "suggestions": list,
}
_RESULT_ONLY_REQUIRED: FieldTypes = {"result_entry": dict}


class _Checker(RuleChecks):
    """A whole definition: its common fields, then its items or its result entry."""

    def definition(self, data: Any) -> Definition | None:
        """The whole definition, or None once any problem has been recorded."""
        if not isinstance(data, dict):
            self.add(f"a definition must be a JSON object, not {json_type(data)}")
            return None
        kind = data.get("kind")
        if kind == "result_only":
            required, optional = {**_COMMON_REQUIRED, **_RESULT_ONLY_REQUIRED}, _COMMON_OPTIONAL
        else:
            required = {**_COMMON_REQUIRED, **_ITEMS_REQUIRED}
            optional = {**_COMMON_OPTIONAL, **_ITEMS_OPTIONAL}
        top = self.fields(data, "definition", required, optional, partial=True) or {}
        if "code" in top and not LOWER_SNAKE.match(top["code"]):
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
        # A definition is built only when nothing is wrong, so every required field is there.
        common: dict[str, Any] = {name: top.get(name) for name in _COMMON_REQUIRED}
        common["licence_note"] = top.get("licence_note", "")
        if kind == "result_only":
            entry = self.result_entry(top.get("result_entry"))
            if self.problems:
                return None
            return Definition(**common, result_entry=entry, data=copy.deepcopy(data))
        if kind != "items":
            return None
        return self.items_definition(top, common, data)

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
