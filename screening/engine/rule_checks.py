"""Checks for what scores a definition: bands, the positive rule, safety rules, suggestions and
what a rater enters for a result-only instrument."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from .checks import Checks, decimal_of, span
from .model import (
    LOWER_SNAKE,
    OPERATORS,
    POSITIVE_TYPES,
    RULE_LABEL_LENGTH,
    SEVERITIES,
    SUGGEST_WHEN,
    Band,
    BandChoice,
    Item,
    PositiveRule,
    ResultEntry,
    SafetyRule,
    ScoreField,
    Suggestion,
)


class RuleChecks(Checks):
    """The checks of the parts that turn item scores into a result."""

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
                    f"{span(after.min, min(before.max, after.max))}"
                )
            elif after.min > before.max + 1:
                self.add(f"bands leave a gap: no band covers {span(before.max + 1, after.min - 1)}")
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
            if not LOWER_SNAKE.match(good["category"]):
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
                if not isinstance(code, str) or not LOWER_SNAKE.match(code):
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
                low, high = (decimal_of(score["min"]), decimal_of(score["max"]))
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
