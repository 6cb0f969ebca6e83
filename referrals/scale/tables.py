"""The tables the scale data fills, their columns in the order rows are made, and the rows.

Each row is a plain tuple in the column order below. ``check_columns`` compares these lists
with the models, so a migration that adds a column stops the seeder with the column's name
rather than letting ``COPY`` fail on a missing value.
"""

import datetime
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.db import models

from attachment_app.audit.models import AccessLog
from attachment_app.reminders.models import Reminder
from conversations.models import (
    Baby,
    Caregiver,
    ConsentDecision,
    ConsentParticipant,
    Contact,
    Conversation,
    Family,
)
from screening.models import Concern, ScreeningResult

from ..models import FollowUp, Referral, ReferralEvent, Signpost

#: The three columns of a record that is not marked entered in error.
NOT_IN_ERROR = (None, None, "")
IN_ERROR = ("entered_in_error_at", "entered_in_error_by_id", "entered_in_error_reason")

#: name: (model, columns), in the order the tables are copied (parents before children).
TABLES: dict[str, tuple[type[models.Model], tuple[str, ...]]] = {
    "family": (
        Family,
        (
            "id",
            "name",
            "address_line_1",
            "address_line_2",
            "town",
            "postcode",
            "area",
            "next_contact_type",
            "next_contact_opens",
            "next_contact_closes",
            "created_at",
            "updated_at",
            "named_hv_id",
            "team_id",
        ),
    ),
    "baby": (
        Baby,
        ("id", "name", "date_of_birth", "expected_date", "sex", "nhs_number", "family_id"),
    ),
    "caregiver": (
        Caregiver,
        (
            "id",
            "name",
            "relationship",
            "phone",
            "email",
            "preferred_language",
            "interpreter_needed",
            "family_id",
            *IN_ERROR,
        ),
    ),
    "contact": (
        Contact,
        (
            "id",
            "contact_date",
            "contact_type",
            "place",
            "present",
            "interpreter_used",
            "created_at",
            "baby_id",
            "recorded_by_id",
            "family_id",
            *IN_ERROR,
        ),
    ),
    "conversation": (
        Conversation,
        (
            "id",
            "consent_status",
            "word_1",
            "word_2",
            "word_3",
            "joy",
            "fear",
            "reflection",
            "raised_concern",
            "created_at",
            "updated_at",
            "completed_at",
            "contact_id",
            "started_by_id",
            "family_id",
            "fear_declined",
            "joy_declined",
            "words_declined",
        ),
    ),
    "consent_decision": (
        ConsentDecision,
        ("id", "decision", "note", "recorded_at", "recorded_by_id", "conversation_id"),
    ),
    "consent_participant": (ConsentParticipant, ("id", "caregiver_id", "decision_id")),
    "screening_result": (
        ScreeningResult,
        (
            "id",
            "answers",
            "total",
            "scale_totals",
            "band",
            "positive",
            "triggered_rules",
            "rater",
            "certification",
            "summary",
            "correction_reason",
            "recorded_at",
            "contact_id",
            "definition_id",
            "family_id",
            "recorded_by_id",
            "supersedes_id",
            "parent_agreed",
            *IN_ERROR,
        ),
    ),
    "concern": (
        Concern,
        (
            "id",
            "severity",
            "urgent",
            "note",
            "source_rule",
            "raised_at",
            "acknowledged_at",
            "action_taken",
            "closed_at",
            "acknowledged_by_id",
            "contact_id",
            "family_id",
            "raised_by_id",
            "category_id",
            "source_result_id",
            "close_reason",
            "closed_by_id",
            *IN_ERROR,
        ),
    ),
    "referral": (
        Referral,
        (
            "id",
            "status",
            "urgency",
            "reason",
            "sharing_basis",
            "safeguarding_justification",
            "information_shared",
            "eligibility_override_reason",
            "needs_retrospective_review",
            "retrospectively_reviewed_at",
            "created_at",
            "submitted_at",
            "sent_at",
            "status_changed_at",
            "version",
            "form_token",
            "created_by_id",
            "family_id",
            "retrospectively_reviewed_by_id",
            "service_id",
            "consent_given_by_id",
            "consent_given_on",
            "consent_method",
            "decline_reason",
            "expected_first_contact_on",
            "outcome",
        ),
    ),
    "referral_concern": (Referral.concerns.through, ("id", "referral_id", "concern_id")),
    "referral_event": (
        ReferralEvent,
        (
            "id",
            "kind",
            "from_status",
            "to_status",
            "at",
            "note",
            "actor_id",
            "referral_id",
            "concern_ids",
            "service_link_id",
        ),
    ),
    "follow_up": (
        FollowUp,
        (
            "id",
            "due_on",
            "purpose",
            "planned_at",
            "done_at",
            "cancelled_at",
            "closing_note",
            "closed_by_id",
            "done_contact_id",
            "family_id",
            "planned_by_id",
            *IN_ERROR,
        ),
    ),
    "signpost": (
        Signpost,
        (
            "id",
            "resource_name",
            "resource_url",
            "given_on",
            "note",
            "recorded_at",
            "form_token",
            "family_id",
            "recorded_by_id",
            "service_id",
            *IN_ERROR,
        ),
    ),
    "reminder": (
        Reminder,
        (
            "id",
            "rule",
            "subject_type",
            "subject_id",
            "key",
            "stage",
            "due_at",
            "status",
            "enqueued_at",
            "claimed_at",
            "sent_at",
            "cancelled_at",
            "attempts",
            "last_error",
            "created_at",
        ),
    ),
    "access_log": (
        AccessLog,
        (
            "id",
            "at",
            "action",
            "object_type",
            "object_id",
            "detail",
            "user_id",
            "family_ids",
            "outside_party",
        ),
    ),
}


def check_columns() -> list[str]:
    """Each difference between the columns above and the models' columns, in words."""
    problems = []
    for name, (model, columns) in TABLES.items():
        actual = {str(field.column) for field in model._meta.concrete_fields}
        for column in sorted(actual - set(columns)):
            problems.append(f"{model._meta.db_table}.{column} is not filled by the scale seeder.")
        for column in sorted(set(columns) - actual):
            problems.append(f"{model._meta.db_table}.{column} is no longer a column ({name}).")
    return problems


class Rows:
    """Rows made and not yet copied, one list per table, and the next id of each table."""

    family: list[tuple]
    baby: list[tuple]
    caregiver: list[tuple]
    contact: list[tuple]
    conversation: list[tuple]
    consent_decision: list[tuple]
    consent_participant: list[tuple]
    screening_result: list[tuple]
    concern: list[tuple]
    referral: list[tuple]
    referral_concern: list[tuple]
    referral_event: list[tuple]
    follow_up: list[tuple]
    signpost: list[tuple]
    reminder: list[tuple]
    access_log: list[tuple]

    def __init__(
        self,
        *,
        first_ids: dict[str, int],
        today: datetime.date,
        tz: ZoneInfo,
        taken_nhs_numbers: Iterable[str] = (),
    ):
        self.ids = dict(first_ids)
        self.first_ids = dict(first_ids)
        self.tz = tz
        #: The data's "now": midnight at the start of the seed's day. Nothing happens after it.
        self.now = datetime.datetime.combine(today, datetime.time(), tzinfo=tz)
        self.taken_nhs_numbers = frozenset(taken_nhs_numbers)
        self.made = dict.fromkeys(TABLES, 0)
        for name in TABLES:
            setattr(self, name, [])

    def take(self, name: str) -> int:
        """The next id of a table."""
        taken = self.ids[name]
        self.ids[name] = taken + 1
        return taken

    def pending(self) -> list[tuple[str, list[tuple]]]:
        """Each table's rows waiting to be copied, in copying order."""
        return [(name, getattr(self, name)) for name in TABLES]

    def clear(self) -> None:
        for name in TABLES:
            rows = getattr(self, name)
            self.made[name] += len(rows)
            rows.clear()

    def remind(
        self,
        rule: str,
        subject_type: str,
        subject_id: int,
        key: str,
        due: datetime.datetime,
        created: datetime.datetime,
        *,
        ends: datetime.datetime | None = None,
        stage: int = 1,
    ) -> None:
        """A reminder as its services left it: cancelled if its subject moved on (``ends``)
        before it was due, sent if it was due before the data's "now", waiting otherwise."""
        sent = cancelled = None
        if ends is not None and ends < due:
            status, cancelled = "cancelled", ends
        elif due < self.now:
            status, sent = "sent", due
        else:
            status = "pending"
        self.reminder.append(
            (
                self.take("reminder"),
                rule,
                subject_type,
                subject_id,
                key,
                stage,
                due,
                status,
                sent,
                sent,
                sent,
                cancelled,
                1 if sent else 0,
                "",
                created,
            )
        )

    def access(
        self,
        at: datetime.datetime,
        user_id: int,
        action: str,
        object_type: str,
        object_id: int,
        family_id: int,
        detail: str,
    ) -> None:
        """A page that showed one family's record to a member of staff."""
        self.access_log.append(
            (
                self.take("access_log"),
                at,
                action,
                object_type,
                str(object_id),
                detail,
                user_id,
                [family_id],
                "",
            )
        )
