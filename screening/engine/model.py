"""What a validated instrument definition is made of, and what scoring it gives.

Frozen dataclasses built by :mod:`screening.engine.loading`; nothing here reads a file or a
database.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

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

#: Codes and categories become file names, URL parts and database keys.
LOWER_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
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
        """Whether this rule fires: its item's score meets it, or its item was left unanswered.

        An item missing from ``item_scores`` was not answered (scoring refuses answers that
        leave out more items than the definition permits). A safety question left unanswered
        must not pass silently: it fires the rule, so that somebody asks the parent directly.
        """
        if self.item not in item_scores:
            return True
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
        # Loading refuses a rule whose item does not exist, so the item is always there.
        return f"{self.short_name} item {self.item(rule.item).number}"

    def unanswered_message(self, rule: SafetyRule, label: str | None = None) -> str:
        """What the urgent concern says when a rule fired because its item was not answered.

        Built from what the rule is about (``label``, else :meth:`rule_label`): a label such as
        "EPDS item 10: thoughts of self-harm" gives "EPDS item 10 was not answered: ask the
        parent directly about thoughts of self-harm …". The rule's own message is not used,
        because it says what a positive answer told the health visitor.
        """
        question, _, topic = (label or self.rule_label(rule)).partition(": ")
        return (
            f"{question} was not answered: ask the parent directly about {topic or 'it'} today, "
            "whatever the total. If their answer gives cause for concern, follow your trust's "
            "urgent procedure; either way, tell your team lead."
        )


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
    #: Every safety rule that fired, whether on an answer or on an unanswered item.
    triggered: tuple[SafetyRule, ...]
    suggestions: tuple[Suggestion, ...]
    #: The items left unanswered (as many as the definition permits), in the order asked.
    unanswered: tuple[str, ...] = ()
    #: The rules in ``triggered`` that fired because their item was not answered.
    triggered_unanswered: tuple[SafetyRule, ...] = ()
