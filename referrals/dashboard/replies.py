"""How the services a team referred to reply: each one's record, for the dashboard.

Which services are listed is the team's (or a health visitor's own families') business and goes
through ``visible_to(user)``: those its referrals of the period went to. What is shown for each
is the service's own record over the last 12 months, from every team's referrals
(``referrals.response_figures``), whatever the period chosen. Two queries, however many services
and referrals there are: the services (the first ``SERVICES_LISTED`` with the count of all) and
their records.
"""

import datetime
from dataclasses import dataclass
from typing import ClassVar

from django.db.models import Count, Window

from ..response_figures import (
    ENOUGH_REFERRALS,
    ResponseRecord,
    number,
    percent,
    response_records,
)
from .period import Period
from .referral_figures import referral_cohort

#: The most services listed: those the period's referrals went to most. The rest are counted.
SERVICES_LISTED = 20

COLUMNS = [
    "Service",
    "Referrals from all teams",
    "Usually acknowledges (working days)",
    "Usually decides (working days)",
    "Accepted of those decided",
]
NOT_ENOUGH = "Not enough referrals yet"


@dataclass
class ServiceReplies:
    """The services listed, each with its record, and how many services there are in all."""

    services: list[tuple[str, ResponseRecord]]
    total: int
    columns: ClassVar[list[str]] = COLUMNS
    #: Below this many referrals, a service's figures are not shown.
    enough_referrals: ClassVar[int] = ENOUGH_REFERRALS

    @property
    def more(self) -> int:
        return self.total - len(self.services)

    @property
    def labelled_rows(self) -> list[list[tuple[str, object]]]:
        """Each row's cells with their column's name, for a table that stacks on small screens."""
        return [
            list(zip(COLUMNS, row_cells(name, record), strict=True))
            for name, record in self.services
        ]


def row_cells(name: str, record: ResponseRecord) -> list[object]:
    """A service's row: its name, the referrals its record covers, and the three figures."""
    if not record.enough:
        return [name, record.referrals, NOT_ENOUGH, NOT_ENOUGH, NOT_ENOUGH]
    return [
        name,
        record.referrals,
        days_cell(record.median_days_to_acknowledge, none="No replies yet"),
        days_cell(record.median_days_to_decide, none="None decided yet"),
        "None decided yet"
        if record.share_accepted is None
        else f"{percent(record.share_accepted)} ({record.accepted} of {record.decided})",
    ]


def days_cell(days: float | None, *, none: str) -> str:
    return none if days is None else number(days)


def service_replies(*, user, period: Period, now: datetime.datetime) -> ServiceReplies:
    """The services the period's referrals went to, most referrals first, with their records."""
    listed = (
        referral_cohort(user=user, period=period)
        .values("service_id")
        .annotate(referrals=Count("pk"))
        .order_by("-referrals", "service__name", "service_id")
    )
    referred = list(
        listed.values("service_id", "service__name", "referrals").annotate(
            listed_total=Window(Count("*"))
        )[:SERVICES_LISTED]
    )
    # The same services as a subquery, so the records' query runs however many there are.
    records = response_records(listed.values("service_id")[:SERVICES_LISTED], now=now)
    return ServiceReplies(
        services=[(row["service__name"], records[row["service_id"]]) for row in referred],
        total=referred[0]["listed_total"] if referred else 0,
    )
