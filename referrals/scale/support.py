"""Step 3 for a family: a referral moved through the workflow with its events, reminders and
access rows; follow-ups with their reminders; signposting.

The referral outcomes and the moves leading to each are those of ``seed_demo --scale``
(``seed_demo_scale.OUTCOMES`` and ``PATHS``): a fifth of the families with a contact in the
last two years has one referral, made after a contact. A move that would fall after the data's
"now" is not made, so older referrals have got further. An urgent referral may be made ready
without review; most of those are reviewed by the team lead after sending.
"""

import datetime

from attachment_app.reminders import workdays

from .. import reminders as referral_reminders
from ..management.commands.seed_demo_scale import NOTES, OUTCOMES, PATHS
from . import texts
from .tables import NOT_IN_ERROR

REFERRAL_SHARE = 0.2
REFERRAL = "referrals.referral"
FOLLOW_UP = "referrals.followup"
FAMILY = "conversations.family"
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)
URGENT_NOTE = "The family needs support this week; the team lead will review it afterwards."
REASONS = [
    "Parent asked for support with the baby's crying and their own low mood.",
    "Relationship support: the parent finds it hard to read the baby's cues.",
    "Feeding difficulties; the parent would like specialist help.",
    "Support for the family after a difficult birth.",
]
OUTCOME_NAMES, OUTCOME_WEIGHTS = zip(*OUTCOMES, strict=True)


def add_referral(maker, family_id, visits, team, hv_id, mother_id, concerns) -> None:
    """Perhaps a referral for the family (``maker`` is the family's ``records.Family``)."""
    rng, rows = maker.rng, maker.rows
    recent = [visit for visit in visits if visit.day >= maker.today - datetime.timedelta(days=730)]
    if not recent or not maker.reference.services or rng.random() >= REFERRAL_SHARE:
        return
    visit = rng.choice(recent)
    created = visit.at + rng.randint(30, 240) * datetime.timedelta(minutes=1)
    outcome = rng.choices(OUTCOME_NAMES, weights=OUTCOME_WEIGHTS)[0]
    urgent = rng.random() < 0.1 and outcome not in {"submitted", "returned"}
    path = list(PATHS[outcome])
    if urgent and path:
        path = [("ready", "hv"), *path[2:]]
    moves, at = [], created
    for status, who in path:
        at = at + rng.randint(2, 240) * HOUR
        if at >= maker.now:
            break
        moves.append((status, team.lead_id if who == "lead" else hv_id, at))
    status = moves[-1][0] if moves else "draft"
    first = {move[0]: move[2] for move in reversed(moves)}
    reviewed = None
    if urgent and "sent" in first and rng.random() < 0.8:
        reviewed = first["sent"] + rng.randint(1, 48) * HOUR
        if reviewed >= maker.now:
            reviewed = None
    linked = [concern_id for concern_id, raised in concerns if raised < created][:1]
    if rng.random() >= 0.6:
        linked = []
    referral_id = rows.take("referral")
    service_id, response_days = rng.choice(maker.reference.services)
    accepted = first.get("accepted")
    rows.referral.append(
        (
            referral_id,
            status,
            "urgent" if urgent else "routine",
            rng.choice(REASONS),
            "consent",
            "",
            "Contact details, the baby's age and what the parent asked for help with.",
            "",
            urgent and "ready" in first,
            reviewed,
            created,
            first.get("submitted"),
            first.get("sent"),
            moves[-1][2] if moves else created,
            1 + len(moves) + (reviewed is not None),
            None,
            hv_id,
            family_id,
            team.lead_id if reviewed else None,
            service_id,
            mother_id,
            created.date(),
            "in_person",
            "not_eligible" if status == "declined" else "",
            accepted.date() + rng.randint(7, 28) * datetime.timedelta(days=1) if accepted else None,
            "completed" if status == "completed" else "",
        )
    )
    for concern_id in linked:
        rows.referral_concern.append((rows.take("referral_concern"), referral_id, concern_id))
    events: list[tuple] = [(created, "created", "", "draft", hv_id, "", linked)]
    previous = "draft"
    for to_status, actor, moved in moves:
        note = URGENT_NOTE if urgent and to_status == "ready" else NOTES.get(to_status, "")
        events.append((moved, "transition", previous, to_status, actor, note, None))
        previous = to_status
    if reviewed is not None:
        then = next(move[0] for move in reversed(moves) if move[2] <= reviewed)
        events.append((reviewed, "reviewed", then, then, team.lead_id, "", None))
    events.sort(key=lambda event: event[0])
    for at, kind, from_status, to_status, actor, note, concern_ids in events:
        rows.referral_event.append(
            (
                rows.take("referral_event"),
                kind,
                from_status,
                to_status,
                at,
                note,
                actor,
                referral_id,
                concern_ids,
                None,
            )
        )
        if kind == "created":
            rows.access(at, actor, "edit", FAMILY, family_id, family_id, "referral_create")
        else:
            rows.access(at, actor, "edit", REFERRAL, referral_id, family_id, "referral_transition")
    _reminders(rows, referral_id, created, moves, response_days)


def _reminders(rows, referral_id, created, moves, response_days) -> None:
    """What ``referrals.reminders.referral_changed`` scheduled at each status, each cancelled
    by the next move if that came before it was due."""
    states = [("draft", created), *((status, at) for status, _, at in moves)]
    for position, (status, at) in enumerate(states):
        ends = states[position + 1][1] if position + 1 < len(states) else None
        key = at.isoformat()
        if status == "submitted":
            due = workdays.working_days_later(at, referral_reminders.REVIEW_WITHIN_WORKING_DAYS)
            rows.remind(referral_reminders.REVIEW, REFERRAL, referral_id, key, due, at, ends=ends)
        elif status == "ready":
            due = workdays.working_days_later(at, referral_reminders.SEND_WITHIN_WORKING_DAYS)
            rows.remind(referral_reminders.UNSENT, REFERRAL, referral_id, key, due, at, ends=ends)
        elif status == "returned":
            rows.remind(referral_reminders.RETURNED, REFERRAL, referral_id, key, at, at, ends=ends)
        elif status == "sent":
            for stage in (1, 2):
                due = workdays.working_days_later(at, response_days * stage)
                rows.remind(
                    referral_reminders.RESPONSE,
                    REFERRAL,
                    referral_id,
                    key,
                    due,
                    at,
                    ends=ends,
                    stage=stage,
                )


def follow_up(maker, family_id, visit, hv_id: int) -> None:
    """A follow-up planned at a contact, due two to six weeks later, with its two reminders;
    most of those due before the data's "now" were done."""
    rng, rows = maker.rng, maker.rows
    follow_up_id = rows.take("follow_up")
    planned = visit.at + rng.randint(30, 90) * MINUTE
    due = visit.day + rng.randint(14, 42) * DAY
    done = cancelled = None
    closing_note = ""
    if due < maker.today:
        roll = rng.random()
        closed_day = min(maker.end, due + rng.randint(-2, 3) * DAY)
        if roll < 0.75:
            done = maker.moment(closed_day)
        elif roll < 0.85:
            cancelled = maker.moment(closed_day)
            closing_note = "The family moved out of the area."
    rows.follow_up.append(
        (
            follow_up_id,
            due,
            rng.choice(texts.FOLLOW_UPS),
            planned,
            done,
            cancelled,
            closing_note,
            hv_id if done or cancelled else None,
            None,
            family_id,
            visit.by,
            *NOT_IN_ERROR,
        )
    )
    closed = done or cancelled
    key = due.isoformat()
    if due > planned.date():
        tomorrow = datetime.datetime.combine(due - DAY, datetime.time(9), tzinfo=maker.tz)
        rows.remind(
            referral_reminders.FOLLOW_UP_TOMORROW,
            FOLLOW_UP,
            follow_up_id,
            key,
            tomorrow,
            planned,
            ends=closed,
        )
    overdue = datetime.datetime.combine(due + DAY, datetime.time(9), tzinfo=maker.tz)
    rows.remind(
        referral_reminders.FOLLOW_UP_OVERDUE,
        FOLLOW_UP,
        follow_up_id,
        key,
        overdue,
        planned,
        ends=closed,
    )


def signpost(maker, family_id, visit) -> None:
    """A service from the directory, or a web page, given to the parent at a contact."""
    rng, rows = maker.rng, maker.rows
    services = maker.reference.signpost_service_ids
    if services and rng.random() < 0.7:
        service, name, url = rng.choice(services), "", ""
    else:
        service, (name, url) = None, rng.choice(texts.RESOURCES)
    rows.signpost.append(
        (
            rows.take("signpost"),
            name,
            url,
            visit.day,
            "",
            visit.at + rng.randint(20, 60) * MINUTE,
            None,
            family_id,
            visit.by,
            service,
            *NOT_IN_ERROR,
        )
    )
