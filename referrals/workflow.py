"""The referral workflow as a table: which status may follow which, who may move it, and why.

Separation of duties is a column of the table: a move marked ``separated`` (the team lead's
review) may not be made by the referral's author, the person who created or submitted it. A
team lead's own referral is reviewed by another team lead of the team (ADR 0007).

Pure Python (Django's TextChoices only), so the table can be read, tested and drawn on its own.
``referrals.services.referral_transition`` is the only code that changes a referral's status,
and it asks this table first.
"""

from dataclasses import dataclass

from django.db import models


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Awaiting team lead review"
    RETURNED = "returned", "Returned to health visitor"
    READY = "ready", "Ready to send"
    SENT = "sent", "Sent to service"
    ACKNOWLEDGED = "acknowledged", "Acknowledged by service"
    ACCEPTED = "accepted", "Accepted by service"
    DECLINED = "declined", "Declined by service"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"


#: Statuses from which a referral can still move on, in the workflow's order.
_OPEN_IN_ORDER = (
    Status.DRAFT,
    Status.SUBMITTED,
    Status.RETURNED,
    Status.READY,
    Status.SENT,
    Status.ACKNOWLEDGED,
    Status.ACCEPTED,
)
OPEN_STATUSES = frozenset(_OPEN_IN_ORDER)

#: Who makes a move: ``clinician`` is anyone who works with the family (a health visitor or a
#: team lead), ``team_lead`` a team lead only. ``attachment_app.permissions`` says whether a
#: person is one.
CLINICIAN = "clinician"
TEAM_LEAD = "team_lead"

#: What a move asks for besides a note: the date the service expects to first contact the
#: family (an acceptance), the reason from the fixed list (a decline), the outcome (closing).
FIRST_CONTACT = "first_contact"
DECLINE_REASON = "decline_reason"
OUTCOME = "outcome"
#: How a referral that is ready to send leaves: by email through the worker (the status moves
#: once the mail server has taken the email), or recorded by hand after it went another way.
BY_EMAIL = "email"
RECORDED = "recorded"


@dataclass(frozen=True)
class Transition:
    """One allowed move: its action name (the URL and button), who may make it, what it needs."""

    action: str
    source: Status
    target: Status
    actor: str
    label: str
    note_label: str = ""
    note_required: bool = False
    urgent_only: bool = False
    #: Separation of duties: the referral's author (who created or submitted it) may not make
    #: this move, whatever their role.
    separated: bool = False
    #: The service itself may make this move, through its secure link (as well as the staff,
    #: who record what the service told them by phone).
    by_service: bool = False
    #: What else the move asks for (``FIRST_CONTACT``, ``DECLINE_REASON``, ``OUTCOME``).
    asks: str = ""
    #: How a move to "sent" is made (``BY_EMAIL``, ``RECORDED``); blank for the others.
    sending: str = ""

    @property
    def team_lead_only(self) -> bool:
        return self.actor == TEAM_LEAD


TRANSITIONS: tuple[Transition, ...] = (
    Transition("submit", Status.DRAFT, Status.SUBMITTED, CLINICIAN, "Submit for review"),
    Transition(
        "send-urgently",
        Status.DRAFT,
        Status.READY,
        CLINICIAN,
        "Make it ready to send without review (urgent)",
        note_label="Why it cannot wait for review",
        note_required=True,
        urgent_only=True,
    ),
    Transition("resubmit", Status.RETURNED, Status.SUBMITTED, CLINICIAN, "Resubmit for review"),
    Transition(
        "approve",
        Status.SUBMITTED,
        Status.READY,
        TEAM_LEAD,
        "Approve: ready to send",
        note_label="Comment (optional)",
        separated=True,
    ),
    Transition(
        "return",
        Status.SUBMITTED,
        Status.RETURNED,
        TEAM_LEAD,
        "Return to the health visitor",
        note_label="What needs changing",
        note_required=True,
        separated=True,
    ),
    Transition(
        "send-by-email",
        Status.READY,
        Status.SENT,
        CLINICIAN,
        "Send it to the service by email",
        sending=BY_EMAIL,
    ),
    Transition(
        "record-sent",
        Status.READY,
        Status.SENT,
        CLINICIAN,
        "Record that it was sent another way",
        note_label="Note (optional)",
        sending=RECORDED,
    ),
    Transition(
        "acknowledge",
        Status.SENT,
        Status.ACKNOWLEDGED,
        CLINICIAN,
        "Record that the service acknowledged it",
        note_label="Note (optional)",
        by_service=True,
    ),
    *(
        Transition(
            "accept",
            source,
            Status.ACCEPTED,
            CLINICIAN,
            "Record that the service accepted it",
            note_label="Note (optional)",
            by_service=True,
            asks=FIRST_CONTACT,
        )
        for source in (Status.SENT, Status.ACKNOWLEDGED)
    ),
    *(
        Transition(
            "decline",
            source,
            Status.DECLINED,
            CLINICIAN,
            "Record that the service declined it",
            note_label="More about the reason",
            note_required=True,
            by_service=True,
            asks=DECLINE_REASON,
        )
        for source in (Status.SENT, Status.ACKNOWLEDGED)
    ),
    Transition(
        "complete",
        Status.ACCEPTED,
        Status.COMPLETED,
        CLINICIAN,
        "Record the outcome",
        note_label="Summary of the outcome",
        note_required=True,
        by_service=True,
        asks=OUTCOME,
    ),
    *(
        Transition(
            "withdraw",
            source,
            Status.WITHDRAWN,
            CLINICIAN,
            "Withdraw the referral",
            note_label="Why it is being withdrawn",
            note_required=True,
            # The service withdraws a referral it had accepted (the family moved away, say);
            # before that it declines.
            by_service=source == Status.ACCEPTED,
        )
        for source in _OPEN_IN_ORDER
    ),
)

#: Statuses in which the service may still reply through its link: those its moves start from.
REPLY_STATUSES = frozenset(t.source for t in TRANSITIONS if t.by_service)

#: The names of every action, in the order the referral page offers them.
ACTIONS: tuple[str, ...] = tuple(dict.fromkeys(t.action for t in TRANSITIONS))

#: Statuses in which the health visitor may still change what the referral says.
EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.RETURNED})


def find(action: str, source: str) -> Transition | None:
    """The transition an action makes from a status, or None if the table has none."""
    for transition in TRANSITIONS:
        if transition.action == action and transition.source == source:
            return transition
    return None


def service_moves_from(source: str) -> list[Transition]:
    """The moves a service may make through its secure link from ``source``."""
    return [t for t in TRANSITIONS if t.source == source and t.by_service]


def moves_from(source: str, *, urgent: bool) -> list[Transition]:
    """The moves the table allows from ``source``, in the page's order; who may make each is
    ``attachment_app.permissions``'s question."""
    return [
        transition
        for transition in TRANSITIONS
        if transition.source == source and (urgent or not transition.urgent_only)
    ]
