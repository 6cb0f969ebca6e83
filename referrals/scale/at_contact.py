"""What may happen at a contact: a conversation with its consent decisions, questionnaires
scored by the engine, and concerns (``records.Family`` makes the contact, then these rows).

Each function takes the family's maker (``records.Family``): its random stream, its rows and
the data's "now".
"""

import datetime

from conversations.reminders import UNFINISHED
from screening.reminders import UNACKNOWLEDGED, first_escalation

from . import texts
from .tables import NOT_IN_ERROR

DAY = datetime.timedelta(days=1)
MINUTE = datetime.timedelta(minutes=1)
#: Which questionnaires are offered at which contact, and how often.
OFFERED = {
    "antenatal": [("whooley", 0.5), ("gad2", 0.3)],
    "new_birth": [("epds", 0.2)],
    "six_to_eight_weeks": [("whooley", 0.5), ("gad2", 0.4), ("epds", 0.2)],
    "nine_to_twelve_months": [("whooley", 0.3), ("epds", 0.1)],
    "two_years": [("whooley", 0.15)],
    "additional": [("epds", 0.12), ("phq9", 0.04), ("gad7", 0.04), ("phq2", 0.03)],
}
CONVERSATION = "conversations.conversation"
CONCERN = "screening.concern"


def conversation(maker, family_id, visit, mother, partner, raised: bool) -> None:
    """Step 1 at a contact, with its consent decisions and their participants; when consent was
    given, the "not finished after a week" reminder and the answers page in the access log."""
    rng, rows = maker.rng, maker.rows
    conversation_id = rows.take("conversation")
    roll = rng.random()
    status = (
        "given"
        if roll < 0.7
        else "declined"
        if roll < 0.8
        else "deferred"
        if roll < 0.88
        else "withdrawn"
        if roll < 0.9
        else ""
    )
    at = visit.at + rng.randint(2, 15) * MINUTE
    words: list[str] = ["", "", ""]
    joy = fear = reflection = ""
    words_declined = joy_declined = fear_declined = False
    completed = None
    if status == "given":
        words_declined = rng.random() < 0.04
        if not words_declined:
            words = rng.sample(texts.WORDS, 3)
        joy_declined = rng.random() < 0.04
        joy = "" if joy_declined else rng.choice(texts.JOYS)
        fear_declined = rng.random() < 0.06
        fear = "" if fear_declined else rng.choice(texts.FEARS)
        if rng.random() < 0.8:
            completed = at + rng.randint(20, 90) * MINUTE
            reflection = " ".join(rng.sample(texts.REFLECTION, 3))
        elif rng.random() < 0.5:
            # Started at the contact, the rest still to do.
            words, joy, fear, joy_declined, fear_declined = (
                [words[0], "", ""],
                "",
                "",
                False,
                False,
            )
            words_declined = False
    decisions = {"given": ["given"], "withdrawn": ["given", "withdrawn"]}.get(
        status, [status] if status else []
    )
    moments = []
    decided = at
    for decision in decisions:
        decision_id = rows.take("consent_decision")
        rows.consent_decision.append(
            (decision_id, decision, "", decided, visit.by, conversation_id)
        )
        rows.consent_participant.append((rows.take("consent_participant"), mother, decision_id))
        if partner is not None and rng.random() < 0.4:
            rows.consent_participant.append(
                (rows.take("consent_participant"), partner, decision_id)
            )
        moments.append(decided)
        decided = decided + rng.randint(5, 40) * MINUTE
    updated = completed or (moments[-1] if moments else at)
    rows.conversation.append(
        (
            conversation_id,
            status,
            *words,
            joy,
            fear,
            reflection,
            raised if completed else None,
            at,
            updated,
            completed,
            visit.id,
            visit.by,
            family_id,
            fear_declined,
            joy_declined,
            words_declined,
        )
    )
    if decisions and decisions[0] == "given":
        # Scheduled when consent was given; done with when completed or withdrawn.
        ends = completed or (moments[1] if len(moments) > 1 else None)
        given = moments[0]
        rows.remind(
            UNFINISHED,
            CONVERSATION,
            conversation_id,
            given.isoformat(),
            given + datetime.timedelta(days=7),
            given,
            ends=ends,
        )
        rows.access(
            at,
            visit.by,
            "edit",
            CONVERSATION,
            conversation_id,
            family_id,
            "conversation_answers",
        )


def results(maker, family_id, visit, concerns) -> bool:
    """The questionnaires done at a contact; whether one raised an urgent concern."""
    rng, rows = maker.rng, maker.rows
    raised = False
    for code, share in OFFERED[visit.kind]:
        instrument = maker.reference.instruments.get(code)
        if instrument is None or rng.random() >= share:
            continue
        scored = instrument.pool[rng.randrange(len(instrument.pool))]
        result_id = rows.take("screening_result")
        at = visit.at + rng.randint(10, 40) * MINUTE
        rows.screening_result.append(
            (
                result_id,
                scored.answers,
                scored.total,
                scored.scale_totals,
                scored.band,
                scored.positive,
                scored.rule_ids,
                "",
                "",
                "",
                "",
                at,
                visit.id,
                instrument.definition_id,
                family_id,
                visit.by,
                None,
                True,
                *NOT_IN_ERROR,
            )
        )
        for rule in scored.rules:
            concern(
                maker,
                family_id,
                visit,
                concerns,
                urgent=True,
                severity="high",
                category_id=maker.reference.category_ids[rule.category_code],
                note=rule.note,
                source=(result_id, rule.rule_id),
                at=at,
            )
            raised = True
    return raised


def concern(
    maker,
    family_id,
    visit,
    concerns,
    *,
    urgent: bool | None = None,
    severity: str = "",
    category_id: int | None = None,
    note: str = "",
    source: tuple[int, str] | None = None,
    at: datetime.datetime | None = None,
) -> None:
    """A concern raised at a contact: by the HV (about one family in three), or by a safety
    rule (``source``). Urgent ones are acknowledged, except some raised in the last days."""
    rng, rows = maker.rng, maker.rows
    concern_id = rows.take("concern")
    if urgent is None:
        urgent = rng.random() < 0.05
        roll = rng.random()
        severity = "low" if roll < 0.45 else "moderate" if roll < 0.85 else "high"
        category_id = rng.choice(maker.reference.active_category_ids)
        note = rng.choice(texts.CONCERN_NOTES)
    raised = at or visit.at + rng.randint(30, 120) * MINUTE
    acknowledged = None
    if urgent and (raised < maker.now - 3 * DAY or rng.random() < 0.5):
        acknowledged = raised + rng.randint(1, 30) * 60 * MINUTE
        if acknowledged >= maker.now:
            acknowledged = None
    closed = None
    if (acknowledged or not urgent) and rng.random() < 0.4:
        closed = (acknowledged or raised) + rng.randint(14, 90) * DAY
        if closed >= maker.now:
            closed = None
    rows.concern.append(
        (
            concern_id,
            severity,
            urgent,
            note,
            source[1] if source else "",
            raised,
            acknowledged,
            rng.choice(texts.ACTIONS) if acknowledged else "",
            closed,
            visit.by if acknowledged else None,
            visit.id,
            family_id,
            visit.by,
            category_id,
            source[0] if source else None,
            rng.choice(texts.CLOSE_REASONS) if closed else "",
            visit.by if closed else None,
            *NOT_IN_ERROR,
        )
    )
    if urgent:
        rows.remind(
            UNACKNOWLEDGED,
            CONCERN,
            concern_id,
            "",
            first_escalation(raised),
            raised,
            ends=acknowledged,
        )
    concerns.append((concern_id, raised))
