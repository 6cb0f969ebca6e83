"""Scoring: answers to an instrument's items, or a rater's entry for a result-only one."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from .model import AnswerError, Definition, Item, Result, ScoreField


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
    triggered = tuple(rule for rule in definition.safety_rules if rule.is_triggered(item_scores))
    return Result(
        code=definition.code,
        version=definition.version,
        item_scores=item_scores,
        total=total,
        scale_totals={scale.id: subtotal(scale.items) for scale in definition.scales},
        band=next(band for band in definition.bands if band.min <= total <= band.max),
        positive=positive,
        triggered=triggered,
        suggestions=tuple(s for s in definition.suggestions if s.when == when),
        unanswered=tuple(item.id for item in missing),
        triggered_unanswered=tuple(rule for rule in triggered if rule.item not in item_scores),
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
                "a whole number"
                if allowed.decimals == 0
                else f"{allowed.decimals} decimal place{'s' if allowed.decimals > 1 else ''}"
            )
            problems["score"] = f"Give the {allowed.label.lower()} as {places}."
    if band is not None and band not in {choice.label for choice in entry.band_choices}:
        problems["band"] = f"Choose one of the {(entry.band_label or 'bands').lower()} offered."
    if problems:
        raise AnswerError(problems)


def _bounds(allowed: ScoreField) -> str:
    if allowed.min is not None and allowed.max is not None:
        return f"between {allowed.min} and {allowed.max}"
    if allowed.min is not None:
        return f"at least {allowed.min}"
    return f"at most {allowed.max}"
