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

    @property
    def team_lead_only(self) -> bool:
        return self.actor == TEAM_LEAD


TRANSITIONS: tuple[Transition, ...] = (
    Transition("submit", Status.DRAFT, Status.SUBMITTED, CLINICIAN, "Submit for review"),
    Transition(
        "send-urgently",
        Status.DRAFT,
        Status.SENT,
        CLINICIAN,
        "Send now without review (urgent)",
        note_label="Why it cannot wait for review",
        note_required=True,
        urgent_only=True,
    ),
    Transition("resubmit", Status.RETURNED, Status.SUBMITTED, CLINICIAN, "Resubmit for review"),
    Transition(
        "approve", Status.SUBMITTED, Status.SENT, TEAM_LEAD, "Approve and send", separated=True
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
        "acknowledge",
        Status.SENT,
        Status.ACKNOWLEDGED,
        CLINICIAN,
        "Record that the service acknowledged it",
        note_label="Note (optional)",
    ),
    Transition(
        "accept",
        Status.ACKNOWLEDGED,
        Status.ACCEPTED,
        CLINICIAN,
        "Record that the service accepted it",
        note_label="Note (optional)",
    ),
    Transition(
        "decline",
        Status.ACKNOWLEDGED,
        Status.DECLINED,
        CLINICIAN,
        "Record that the service declined it",
        note_label="The service's reason",
        note_required=True,
    ),
    Transition(
        "complete",
        Status.ACCEPTED,
        Status.COMPLETED,
        CLINICIAN,
        "Record that the support is complete",
        note_label="Outcome",
        note_required=True,
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
        )
        for source in _OPEN_IN_ORDER
    ),
)

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


def moves_from(source: str, *, urgent: bool) -> list[Transition]:
    """The moves the table allows from ``source``, in the page's order; who may make each is
    ``attachment_app.permissions``'s question."""
    return [
        transition
        for transition in TRANSITIONS
        if transition.source == source and (urgent or not transition.urgent_only)
    ]
