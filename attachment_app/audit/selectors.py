"""Reads of the access log, for the report of who opened a family's record."""

from dataclasses import dataclass
from datetime import datetime

from .access import record_label
from .models import AccessLog

#: The columns of the report, on the page and in its CSV download.
REPORT_COLUMNS = ["When", "Who", "Username", "Role", "What they did", "Record", "Page"]


@dataclass(frozen=True)
class AccessRow:
    """One line of the report: who was shown the family's data, when, and how."""

    at: datetime
    who: str
    username: str
    role: str
    action: str
    record: str
    page: str

    def cells(self) -> list:
        return [self.at, self.who, self.username, self.role, self.action, self.record, self.page]


def family_accesses(*, family_id: int):
    """Every access that showed this family's data, newest first (visibility checked by the
    caller, which has fetched the family through ``visible_to``)."""
    return AccessLog.objects.for_family(family_id).select_related("user").order_by("-at", "-pk")


def access_row(entry: AccessLog) -> AccessRow:
    """An access-log row in words."""
    user = entry.user
    if user is None:
        # Someone outside the staff: a service through its secure link, by the link's id.
        return AccessRow(
            at=entry.at,
            who="The service, through its secure link",
            username=entry.outside_party,
            role="Outside the team",
            action=entry.get_action_display(),
            record=record_label(entry.object_type),
            page=entry.detail.replace("_", " "),
        )
    return AccessRow(
        at=entry.at,
        who=user.get_full_name() or user.username,
        username=user.username,
        role=user.get_role_display() or "No role",
        action=entry.get_action_display(),
        record=record_label(entry.object_type),
        page=entry.detail.replace("_", " "),
    )
