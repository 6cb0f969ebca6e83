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
    ("send-urgently", S.DRAFT): Move(S.SENT, "clinician", True, True, False),
    ("resubmit", S.RETURNED): Move(S.SUBMITTED, "clinician", False, False, False),
    ("approve", S.SUBMITTED): Move(S.SENT, "lead", False, False, True),
    ("return", S.SUBMITTED): Move(S.RETURNED, "lead", True, False, True),
    ("acknowledge", S.SENT): Move(S.ACKNOWLEDGED, "clinician", False, False, False),
    ("accept", S.ACKNOWLEDGED): Move(S.ACCEPTED, "clinician", False, False, False),
    ("decline", S.ACKNOWLEDGED): Move(S.DECLINED, "clinician", True, False, False),
    ("complete", S.ACCEPTED): Move(S.COMPLETED, "clinician", True, False, False),
    ("withdraw", S.DRAFT): Move(S.WITHDRAWN, "clinician", True, False, False),
    ("withdraw", S.SUBMITTED): Move(S.WITHDRAWN, "clinician", True, False, False),
    ("withdraw", S.RETURNED): Move(S.WITHDRAWN, "clinician", True, False, False),
    ("withdraw", S.SENT): Move(S.WITHDRAWN, "clinician", True, False, False),
    ("withdraw", S.ACKNOWLEDGED): Move(S.WITHDRAWN, "clinician", True, False, False),
    ("withdraw", S.ACCEPTED): Move(S.WITHDRAWN, "clinician", True, False, False),
}

#: Every action, in the order the referral page offers them.
ACTIONS = (
    "submit",
    "send-urgently",
    "resubmit",
    "approve",
    "return",
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
