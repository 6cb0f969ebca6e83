"""The checker's groundwork: every problem in a definition collected in plain words.

:class:`Checks` reads an object's fields against the JSON types they must have and a list of
item ids; the rule and item checks build on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

#: Field name -> the JSON type (or types) its value must have.
FieldTypes = dict[str, type | tuple[type, ...]]


class Checks:
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
            self.add(f"{where} must be an object with fields, not {json_type(data)}")
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
            if not is_a(value, kind):
                self.add(f"{where}: {name!r} must be {type_name(kind)}, not {json_type(value)}")
                continue
            if isinstance(value, str) and not value.strip():
                self.add(f"{where}: {name!r} is empty")
                continue
            good[name] = value
        if not partial and any(name not in good for name in required):
            return None
        return good

    def one_of(self, top: dict[str, Any], name: str, allowed: tuple[str, ...], where: str) -> None:
        """Record a problem if the field is present but not one of the allowed values."""
        if name in top and top[name] not in allowed:
            choices = ", ".join(repr(choice) for choice in allowed)
            self.add(f"{where}: {name} {top[name]!r} must be one of {choices}")

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
                self.add(f"{where}: item ids are strings, not {json_type(item_id)}")
                sound = False
            elif item_id not in named_ids:
                self.add(f"{where} names item {item_id!r}, which does not exist")
                sound = False
        # An item named twice would count twice in a total or scale.
        named = [item_id for item_id in raw if isinstance(item_id, str)]
        for item_id in (i for i in dict.fromkeys(named) if named.count(i) > 1):
            self.add(f"{where} names item {item_id!r} more than once")
            sound = False
        return list(raw) if sound else None


def is_a(value: Any, kind: type | tuple[type, ...]) -> bool:
    # JSON true/false are Python bools, which are ints; a score of `true` is a mistake.
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds:
        return False
    return isinstance(value, kinds)


JSON_NAMES = {
    bool: "true or false",
    int: "a whole number",
    float: "a number",
    str: "text",
    list: "a list",
    dict: "an object",
    type(None): "null",
}


def type_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = [JSON_NAMES[k] for k in kinds]
    if int in kinds and float in kinds:
        names.remove(JSON_NAMES[int])
    return " or ".join(names)


def json_type(value: Any) -> str:
    return next(
        (name for kind, name in JSON_NAMES.items() if is_a(value, kind)), type(value).__name__
    )


def span(first: int, last: int) -> str:
    return f"a total of {first}" if first == last else f"totals {first} to {last}"


def decimal_of(value: float | None) -> Decimal | None:
    # Through str so that 2.9 stays 2.9 rather than its binary approximation.
    return None if value is None else Decimal(str(value))
