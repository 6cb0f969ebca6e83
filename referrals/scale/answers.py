"""Answers to the questionnaires, scored by the screening engine, for the scale data.

Each instrument gets a pool of answer sets made once and scored by ``screening.engine.score``
like a real submission, so every stored total, band, positive flag and fired safety rule is
what the engine says for the stored answers. A result then picks one set from its pool.

Most parents answer in the low range; some are struggling and a few are unwell. Items that a
safety rule watches (self-harm) are answered above zero rarely, so that about one result in
twenty-five of those instruments raises an urgent concern, not one in three.
"""

import json
import random
from dataclasses import dataclass

from screening import engine

POOL_SIZE = 400

#: How likely each option is (lowest score first) for a parent who is well, struggling or unwell.
WEIGHTS = {
    "well": (78, 17, 4, 1),
    "struggling": (30, 40, 20, 10),
    "unwell": (10, 20, 30, 40),
}
#: The same for a yes-or-no item (Whooley's): "yes" is the second option.
YES_NO_WEIGHTS = {"well": (93, 7), "struggling": (50, 50), "unwell": (20, 80)}
#: The same for an item a safety rule watches.
SAFETY_WEIGHTS = {"well": (99, 1, 0, 0), "struggling": (85, 10, 4, 1), "unwell": (50, 25, 15, 10)}
STATES = [("well", 85), ("struggling", 12), ("unwell", 3)]


@dataclass(frozen=True)
class FiredRule:
    rule_id: str
    category_code: str
    note: str


@dataclass(frozen=True)
class Scored:
    """One answer set with what the engine made of it, ready for a result row."""

    answers: str  # JSON
    total: int
    scale_totals: str  # JSON
    band: str
    positive: bool
    rules: tuple[FiredRule, ...]

    @property
    def rule_ids(self) -> list[str]:
        return [rule.rule_id for rule in self.rules]


@dataclass(frozen=True)
class Instrument:
    """A current instrument definition (its row's id and code) and its pool of scored answers."""

    definition_id: int
    code: str
    pool: tuple[Scored, ...]


def _weights(count: int, table: tuple[int, ...]) -> list[int]:
    # Two-option items (Whooley's yes or no) take the first two weights, and so on.
    weights = list(table[:count]) + [1] * max(0, count - len(table))
    return weights if any(weights) else [1] * count


def make_pool(definition_id: int, loaded: engine.Definition, *, seed: int, notes) -> Instrument:
    """Score ``POOL_SIZE`` answer sets for one definition; ``notes`` maps a rule to its text."""
    rng = random.Random(f"{seed}:{loaded.code}:{loaded.version}")  # noqa: S311 - invented data
    watched = {rule.item for rule in loaded.safety_rules}
    states, state_weights = zip(*STATES, strict=True)
    pool = []
    for _ in range(POOL_SIZE):
        state = rng.choices(states, weights=state_weights)[0]
        answers = {}
        for item in loaded.items:
            options = sorted(item.options, key=lambda option: option.score)
            table: tuple[int, ...]
            if item.id in watched:
                table = SAFETY_WEIGHTS[state]
            elif len(options) == 2:
                table = YES_NO_WEIGHTS[state]
            else:
                table = WEIGHTS[state]
            answers[item.id] = rng.choices(options, weights=_weights(len(options), table))[0].value
        result = engine.score(loaded, answers)
        pool.append(
            Scored(
                answers=json.dumps(answers),
                total=result.total,
                scale_totals=json.dumps(result.scale_totals),
                band=result.band.label,
                positive=result.positive,
                rules=tuple(
                    FiredRule(rule.id, rule.category, notes(rule)) for rule in result.triggered
                ),
            )
        )
    return Instrument(definition_id=definition_id, code=loaded.code, pool=tuple(pool))
