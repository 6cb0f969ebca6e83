"""The referral workflow's policy, written out by hand, for the tests to check the module against.

Each row is what the referral policy says: from which status an action moves a referral, to
which status, who makes it (``clinician``: the family's health visitor or a team lead; ``lead``:
a team lead only), whether a note must be given, whether only an urgent referral may take it,
and whether the referral's author is kept from making it. Nothing here is read from
``referrals.workflow``: a wrong entry in ``TRANSITIONS`` fails the tests instead of being copied
into them.
"""

from typing import NamedTuple

from referrals.workflow import Status as S


class Move(NamedTuple):
    target: S
    who: str
    note_required: bool
    urgent_only: bool
    separated: bool


#: (action, from) → what the move does.
EXPECTED: dict[tuple[str, S], Move] = {
    ("submit", S.DRAFT): Move(S.SUBMITTED, "clinician", False, False, False),
    # Made ready without review; sending is a step of its own.
    ("send-urgently", S.DRAFT): Move(S.READY, "clinician", True, True, False),
    ("resubmit", S.RETURNED): Move(S.SUBMITTED, "clinician", False, False, False),
    ("approve", S.SUBMITTED): Move(S.READY, "lead", False, False, True),
    ("return", S.SUBMITTED): Move(S.RETURNED, "lead", True, False, True),
    # Sent only with the sending that made it so (an email the mail server took, or a
    # sending recorded by hand).
    ("send-by-email", S.READY): Move(S.SENT, "clinician", False, False, False),
    ("record-sent", S.READY): Move(S.SENT, "clinician", False, False, False),
    ("acknowledge", S.SENT): Move(S.ACKNOWLEDGED, "clinician", False, False, False),
    # A service may accept or decline without acknowledging first.
    ("accept", S.SENT): Move(S.ACCEPTED, "clinician", False, False, False),
    ("accept", S.ACKNOWLEDGED): Move(S.ACCEPTED, "clinician", False, False, False),
    ("decline", S.SENT): Move(S.DECLINED, "clinician", True, False, False),
    ("decline", S.ACKNOWLEDGED): Move(S.DECLINED, "clinician", True, False, False),
    ("complete", S.ACCEPTED): Move(S.COMPLETED, "clinician", True, False, False),
    ("withdraw", S.DRAFT): Move(S.WITHDRAWN, "clinician", True, False, False),
    ("withdraw", S.SUBMITTED): Move(S.WITHDRAWN, "clinician", True, False, False),
    ("withdraw", S.RETURNED): Move(S.WITHDRAWN, "clinician", True, False, False),
    ("withdraw", S.READY): Move(S.WITHDRAWN, "clinician", True, False, False),
    ("withdraw", S.SENT): Move(S.WITHDRAWN, "clinician", True, False, False),
    ("withdraw", S.ACKNOWLEDGED): Move(S.WITHDRAWN, "clinician", True, False, False),
    ("withdraw", S.ACCEPTED): Move(S.WITHDRAWN, "clinician", True, False, False),
}

#: What else a move asks for, besides a note: the outcome, or the reason from the fixed list.
EXTRA = {"decline": {"decline_reason": "no_capacity"}, "complete": {"outcome": "completed"}}
#: The moves that send: only with a sending (``referrals.services_delivery``).
SENDING = frozenset({"send-by-email", "record-sent"})

#: Every action, in the order the referral page offers them.
ACTIONS = (
    "submit",
    "send-urgently",
    "resubmit",
    "approve",
    "return",
    "send-by-email",
    "record-sent",
    "acknowledge",
    "accept",
    "decline",
    "complete",
    "withdraw",
)

#: Where a referral's story ends: nothing moves it on.
FINAL = frozenset({S.DECLINED, S.COMPLETED, S.WITHDRAWN})
#: Where the health visitor may still change what the referral says.
EDITABLE = frozenset({S.DRAFT, S.RETURNED})

#: (from, action) pairs, as the service tests take them.
ALLOWED = [(source, action) for (action, source) in EXPECTED]
FORBIDDEN = [
    (status, action) for status in S for action in ACTIONS if (action, status) not in EXPECTED
]


def allowed_where(**wanted: object) -> list[tuple[S, str]]:
    """The (from, action) pairs whose move has every field given, e.g. ``who="lead"``."""
    return [
        (source, action)
        for (action, source), move in EXPECTED.items()
        if all(getattr(move, field) == value for field, value in wanted.items())
    ]
