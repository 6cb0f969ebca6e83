"""How each directory service replies to referrals: its record over the last 12 months.

A service's record belongs to the directory, not to a team: it covers the referrals every team
sent to the service, and leaves this module only as counts and medians per service, never naming
a family, a team or a referral. That is why it reads ``Referral.objects`` and not
``visible_to(user)``: scoping would turn the service's record into the reader's team's, too few
referrals to say anything about the service, and different for every team looking at the same
service. Only ``response_records`` reads the database, in one query however many services it is
asked about; the rest is arithmetic and wording.

For each referral sent in the 12 months before ``now``, from its history as it stood at ``now``:

- it was sent at its first event to "sent" (or ``Referral.sent_at``, if it has none);
- the service first replied at its first event to "acknowledged", "accepted" or "declined" (a
  service may accept or decline without acknowledging first, and that answers the referral);
- the service decided at its first event to "accepted" or "declined".

The times are whole working days (``workdays.working_days_between``: weekends and bank holidays
in England and Wales not counted, a reply on the day of sending counting 0), and each figure is
the median over the referrals that have reached that point. A referral still waiting for a
reply (or withdrawn before one) counts in ``referrals`` but in neither median, and one
acknowledged but not yet decided is in the first median only.
"""

import datetime
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from dateutil.relativedelta import relativedelta
from django.db.models import Min, Q, QuerySet

from attachment_app.reminders.workdays import working_days_between

from .models import Referral
from .workflow import Status

#: How far back a service's record goes.
RECORD_MONTHS = 12
#: Below this many referrals in 12 months, a service's figures would say more about one family's
#: referral than about the service: pages say there are not enough yet.
ENOUGH_REFERRALS = 5

#: The statuses a service answers a referral with; accepting or declining also decides it.
REPLIES = (Status.ACKNOWLEDGED, Status.ACCEPTED, Status.DECLINED)

NOT_ENOUGH = "Not enough referrals yet to show how quickly it replies"


@dataclass(frozen=True)
class ResponseRecord:
    """One service's replies to the referrals sent to it in the last 12 months."""

    #: Referrals sent to it in the 12 months, answered or not.
    referrals: int
    #: Median working days from sending to its first reply, over the referrals it replied to.
    median_days_to_acknowledge: float | None
    #: Median working days from sending to accepting or declining, over those it decided.
    median_days_to_decide: float | None
    #: How many of the referrals it decided it accepted, and how many it decided.
    accepted: int
    decided: int
    #: ``accepted / decided``, or None before it has decided any.
    share_accepted: float | None
    #: Whether there are enough referrals (``ENOUGH_REFERRALS``) to show the figures.
    enough: bool

    enough_referrals: ClassVar[int] = ENOUGH_REFERRALS

    @property
    def summary(self) -> str:
        """The record in one sentence, for a list of services."""
        return record_summary(self)

    @property
    def acknowledge_text(self) -> str:
        """``In 2 working days``, for a table or a summary list."""
        return sentence_case(days_phrase(self.median_days_to_acknowledge) or "no replies yet")

    @property
    def decide_text(self) -> str:
        return sentence_case(days_phrase(self.median_days_to_decide) or "none decided yet")

    @property
    def accepted_text(self) -> str:
        """``8 of the 10 it decided (80%)``."""
        if self.share_accepted is None:
            return "None decided yet"
        return f"{self.accepted} of the {self.decided} it decided ({percent(self.share_accepted)})"


#: The record of a service nobody has sent a referral to in the 12 months.
NO_REFERRALS = ResponseRecord(
    referrals=0,
    median_days_to_acknowledge=None,
    median_days_to_decide=None,
    accepted=0,
    decided=0,
    share_accepted=None,
    enough=False,
)


def record_since(now: datetime.datetime) -> datetime.datetime:
    """The start of the record: the same moment 12 months before ``now``."""
    return now - relativedelta(months=RECORD_MONTHS)


def first_event(condition: Q, now: datetime.datetime) -> Min:
    """When a referral's history first met ``condition``, as it stood at ``now``."""
    return Min("events__at", filter=condition & Q(events__at__lte=now))


class ServiceRecords(dict[int, ResponseRecord]):
    """Records by service id; a service nothing was sent to has ``NO_REFERRALS``."""

    def __missing__(self, service_id: int) -> ResponseRecord:
        return NO_REFERRALS


def response_records(
    service_ids: Iterable[int] | QuerySet, *, now: datetime.datetime
) -> ServiceRecords:
    """Each service's record of replies to the referrals sent to it in the last 12 months.

    ``service_ids`` is a list of ids, each of which gets a record (``NO_REFERRALS`` if nothing
    was sent to it), or a queryset of ids, read as a subquery: then the query runs even when it
    finds no service, so a page's query count does not depend on the data, and only services
    with referrals are listed (looking any other up gives ``NO_REFERRALS``).

    One query, over every team's referrals (see the module's docstring for why not
    ``visible_to``): the first moments of each referral by conditional ``Min`` over its events;
    working days and medians in Python.
    """
    services: QuerySet | list[int]
    if isinstance(service_ids, QuerySet):
        asked: list[int] = []
        services = service_ids
    else:
        asked = sorted(set(service_ids))
        if not asked:
            return ServiceRecords()
        services = asked
    rows = (
        Referral.objects.filter(
            service_id__in=services, sent_at__gte=record_since(now), sent_at__lte=now
        )
        .annotate(
            sent_event=first_event(Q(events__to_status=Status.SENT), now),
            first_reply=first_event(Q(events__to_status__in=REPLIES), now),
            first_accepted=first_event(Q(events__to_status=Status.ACCEPTED), now),
            first_declined=first_event(Q(events__to_status=Status.DECLINED), now),
        )
        .order_by()
        .values_list(
            "service_id", "sent_at", "sent_event", "first_reply", "first_accepted", "first_declined"
        )
    )
    by_service: dict[int, list[tuple]] = defaultdict(list)
    for service_id, *moments in rows:
        by_service[service_id].append(tuple(moments))
    return ServiceRecords(
        {service_id: record_of(by_service[service_id]) for service_id in {*asked, *by_service}}
    )


def record_of(referrals: list[tuple]) -> ResponseRecord:
    """The record from each referral's (sent_at, first sent event, first reply, first accepted,
    first declined), any of the last four None if it has not happened."""
    to_reply: list[int] = []
    to_decide: list[int] = []
    accepted = 0
    for sent_at, sent_event, first_reply, first_accepted, first_declined in referrals:
        sent = sent_event or sent_at
        if first_reply is not None:
            to_reply.append(working_days_between(sent, first_reply))
        decisions = [moment for moment in (first_accepted, first_declined) if moment is not None]
        if decisions:
            decided_at = min(decisions)
            to_decide.append(working_days_between(sent, decided_at))
            accepted += decided_at == first_accepted
    decided = len(to_decide)
    return ResponseRecord(
        referrals=len(referrals),
        median_days_to_acknowledge=median(to_reply),
        median_days_to_decide=median(to_decide),
        accepted=accepted,
        decided=decided,
        share_accepted=accepted / decided if decided else None,
        enough=len(referrals) >= ENOUGH_REFERRALS,
    )


def median(days: list[int]) -> float | None:
    return float(statistics.median(days)) if days else None


# --- Wording ---------------------------------------------------------------------------------


def number(days: float) -> str:
    """``2``, ``1.5``: whole days without a decimal point."""
    return f"{days:.0f}" if days == int(days) else f"{days:.1f}"


def days_phrase(days: float | None) -> str:
    """``on the same working day``, ``in 1 working day``, ``in 2.5 working days``; empty for
    None."""
    if days is None:
        return ""
    if days == 0:
        return "on the same working day"
    return f"in {number(days)} working day{'' if days == 1 else 's'}"


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def percent(share: float) -> str:
    return f"{round(100 * share)}%"


def record_summary(record: ResponseRecord) -> str:
    """``Usually acknowledges in 2 working days and decides in 4; accepted 8 of the 10 it
    decided (80%). Based on 12 referrals from all teams in the last 12 months.``"""
    if not record.enough:
        return f"{NOT_ENOUGH}."
    based_on = (
        f"Based on {record.referrals} referrals from all teams in the last {RECORD_MONTHS} months."
    )
    acknowledge, decide = record.median_days_to_acknowledge, record.median_days_to_decide
    if acknowledge is None:
        return f"No replies yet. {based_on}"
    said = f"Usually acknowledges {days_phrase(acknowledge)}"
    if decide is None:
        return f"{said}; none decided yet. {based_on}"
    # "in 2 working days and decides in 4": the unit once.
    decides = f"in {number(decide)}" if acknowledge and decide else days_phrase(decide)
    return f"{said} and decides {decides}; accepted {record.accepted_text}. {based_on}"
