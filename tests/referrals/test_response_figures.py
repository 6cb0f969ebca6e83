"""How services reply to referrals: the figures, counted by hand over Christmas 2026.

Today is Monday 1 February 2027 at midday, so the record runs from 1 February 2026. Friday
25 December 2026 (Christmas Day) and Monday 28 December (Boxing Day's substitute, 26 December
being a Saturday) and Friday 1 January 2027 are bank holidays.

"Counted" had eight referrals. Six were sent in the record's 12 months and one 13 months ago;
one was never sent:

================  =====================  ===========================  ======================
sent              first reply            decision                     working days
================  =====================  ===========================  ======================
Thu 24 Dec 15:00  ack Tue 29 Dec 10:00   accepted Mon 4 Jan 11:00     reply 1, decision 4
Mon 11 Jan 09:00  ack Mon 11 Jan 16:00   accepted Wed 13 Jan 10:00    reply 0, decision 2
Tue 12 Jan 10:00  declined Fri 15 Jan    (the same: no ack first)     reply 3, decision 3
                  (team B's family)
Mon 18 Jan 10:00  ack Sat 23 Jan 10:00   declined Mon 25 Jan 10:00    reply 4, decision 5
Wed 20 Jan 10:00  none (withdrawn 27 Jan)                             awaiting: no times
Fri 22 Jan 10:00  ack Mon 25 Jan 09:00   none yet                     reply 1
Mon 25 Jan 09:00  accepted Mon 25 Jan 11:00, straight from sent       reply 0, decision 0
Mon 5 Jan 2026    ack the same day       (13 months ago: left out)
never sent        (a draft: left out)
================  =====================  ===========================  ======================

Replies 0, 0, 1, 1, 3, 4: the median is 1. Decisions 0, 2, 3, 4, 5: the median is 3. Accepted 3
of the 5 decided: 60%. Seven referrals, so there are enough. "Few" has four referrals, all
answered: not enough to show. "Unused" has none.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals import response_figures
from referrals.models import ReferralEvent
from referrals.response_figures import (
    ENOUGH_REFERRALS,
    NO_REFERRALS,
    ResponseRecord,
    record_of,
    response_records,
)
from tests.factories import FamilyFactory
from tests.factories_referrals import ReferralFactory, ServiceFactory
from tests.reminders.conftest import at

pytestmark = pytest.mark.django_db

NOW = at(2027, 2, 1, 12, 0)

#: (sent, [(status, when), ...], team B's family?) for each referral to "Counted".
COUNTED = [
    (
        at(2026, 12, 24, 15, 0),
        [("acknowledged", at(2026, 12, 29, 10, 0)), ("accepted", at(2027, 1, 4, 11, 0))],
        False,
    ),
    (
        at(2027, 1, 11, 9, 0),
        [("acknowledged", at(2027, 1, 11, 16, 0)), ("accepted", at(2027, 1, 13, 10, 0))],
        False,
    ),
    (at(2027, 1, 12, 10, 0), [("declined", at(2027, 1, 15, 10, 0))], True),
    (
        at(2027, 1, 18, 10, 0),
        [("acknowledged", at(2027, 1, 23, 10, 0)), ("declined", at(2027, 1, 25, 10, 0))],
        False,
    ),
    (at(2027, 1, 20, 10, 0), [("withdrawn", at(2027, 1, 27, 10, 0))], False),
    (at(2027, 1, 22, 10, 0), [("acknowledged", at(2027, 1, 25, 9, 0))], False),
    (at(2027, 1, 25, 9, 0), [("accepted", at(2027, 1, 25, 11, 0))], False),
    # Thirteen months ago: outside the record.
    (at(2026, 1, 5, 10, 0), [("acknowledged", at(2026, 1, 5, 11, 0))], False),
]


def sent_referral(service, family, sent, moves):
    """A referral sent at ``sent`` whose history then has ``moves``, each at its own time."""
    status = moves[-1][0] if moves else "sent"
    referral = ReferralFactory(family=family, service=service, status=status, sent_at=sent)
    actor = referral.created_by
    previous = ""
    for to_status, when in [("draft", sent - datetime.timedelta(hours=1)), ("sent", sent), *moves]:
        ReferralEvent.objects.create(
            referral=referral,
            kind="created" if to_status == "draft" else "transition",
            from_status=previous,
            to_status=to_status,
            actor=actor,
            at=when,
        )
        previous = to_status
    return referral


@pytest.fixture
def services(team_a, team_b):
    counted = ServiceFactory(name="Counted")
    few = ServiceFactory(name="Few")
    unused = ServiceFactory(name="Unused")
    family_a = FamilyFactory(team=team_a)
    family_b = FamilyFactory(team=team_b)
    for sent, moves, from_team_b in COUNTED:
        sent_referral(counted, family_b if from_team_b else family_a, sent, moves)
    ReferralFactory(family=family_a, service=counted, status="draft")
    for day in (4, 5, 6, 7):
        sent_referral(
            few, family_a, at(2027, 1, day, 10, 0), [("acknowledged", at(2027, 1, day, 11, 0))]
        )
    return counted, few, unused


def test_counted_service_has_the_hand_counted_figures(services):
    counted, _, _ = services
    record = response_records([counted.pk], now=NOW)[counted.pk]
    assert record == ResponseRecord(
        referrals=7,
        median_days_to_acknowledge=1.0,
        median_days_to_decide=3.0,
        accepted=3,
        decided=5,
        share_accepted=0.6,
        enough=True,
    )


def test_a_service_under_the_threshold_is_not_enough_to_show(services):
    _, few, _ = services
    record = response_records([few.pk], now=NOW)[few.pk]
    assert record.referrals == 4 < ENOUGH_REFERRALS
    assert record.enough is False
    assert record.summary == "Not enough referrals yet to show how quickly it replies."


def test_a_service_nobody_referred_to_has_no_referrals(services):
    _, _, unused = services
    assert response_records([unused.pk], now=NOW) == {unused.pk: NO_REFERRALS}


def test_the_record_a_month_earlier_has_the_older_referral_and_only_what_had_happened(services):
    counted, _, _ = services
    record = response_records([counted.pk], now=at(2027, 1, 1, 12, 0))[counted.pk]
    # On 1 January 2027 the record runs from 1 January 2026: the referral of 5 January 2026 is
    # in it, those sent in January 2027 not yet, and the one of 24 December 2026 had been
    # acknowledged but not yet accepted (that came on 4 January).
    assert record.referrals == 2
    assert record.median_days_to_acknowledge == 0.5  # 0 and 1
    assert record.median_days_to_decide is None
    assert record.enough is False


def test_one_query_however_many_services(services):
    counted, few, unused = services
    with CaptureQueriesContext(connection) as one:
        response_records([counted.pk], now=NOW)
    with CaptureQueriesContext(connection) as three:
        found = response_records([counted.pk, few.pk, unused.pk, counted.pk], now=NOW)
    assert len(one) == len(three) == 1
    assert set(found) == {counted.pk, few.pk, unused.pk}


def test_no_services_asked_about_is_no_query():
    with CaptureQueriesContext(connection) as queries:
        assert response_records([], now=NOW) == {}
    assert len(queries) == 0


def test_the_sent_moment_is_the_first_sent_event_not_the_column(team_a):
    service = ServiceFactory()
    family = FamilyFactory(team=team_a)
    referral = sent_referral(
        service,
        family,
        at(2027, 1, 11, 10, 0),  # Monday
        [("acknowledged", at(2027, 1, 13, 10, 0))],  # Wednesday
    )
    # The column says Tuesday: the event's Monday counts.
    type(referral).objects.filter(pk=referral.pk).update(sent_at=at(2027, 1, 12, 10, 0))
    record = response_records([service.pk], now=NOW)[service.pk]
    assert record.median_days_to_acknowledge == 2.0


# --- The record from moments, without the database -------------------------------------------


def row(sent, reply=None, accepted=None, declined=None, sent_event=None):
    return (sent, sent_event, reply, accepted, declined)


def test_without_a_sent_event_the_sent_column_counts():
    record = record_of([row(at(2027, 1, 11, 10, 0), reply=at(2027, 1, 12, 10, 0))])
    assert record.median_days_to_acknowledge == 1.0


def test_the_medians_of_an_even_count_are_halfway():
    monday = at(2027, 1, 11, 10, 0)
    record = record_of(
        [
            row(monday, reply=at(2027, 1, 12, 9, 0), accepted=at(2027, 1, 12, 9, 0)),
            row(monday, reply=at(2027, 1, 14, 9, 0), declined=at(2027, 1, 15, 9, 0)),
        ]
    )
    assert record.median_days_to_acknowledge == 2.0  # 1 and 3
    assert record.median_days_to_decide == 2.5  # 1 and 4
    assert (record.accepted, record.decided, record.share_accepted) == (1, 2, 0.5)


def test_referrals_awaiting_a_reply_count_but_have_no_times():
    monday = at(2027, 1, 11, 10, 0)
    record = record_of([row(monday)] * ENOUGH_REFERRALS)
    assert record.referrals == ENOUGH_REFERRALS
    assert record.enough is True
    assert record.median_days_to_acknowledge is None
    assert record.median_days_to_decide is None
    assert record.share_accepted is None
    assert record.summary == (
        "No replies yet. Based on 5 referrals from all teams in the last 12 months."
    )


def test_the_first_of_accepted_and_declined_is_the_decision():
    monday = at(2027, 1, 11, 10, 0)
    record = record_of(
        [row(monday, reply=monday, accepted=at(2027, 1, 13, 9, 0), declined=at(2027, 1, 12, 9, 0))]
    )
    assert (record.accepted, record.decided, record.median_days_to_decide) == (0, 1, 1.0)


def test_one_under_the_threshold_is_not_enough():
    monday = at(2027, 1, 11, 10, 0)
    assert record_of([row(monday)] * (ENOUGH_REFERRALS - 1)).enough is False


# --- Wording ---------------------------------------------------------------------------------


def record(acknowledge, decide, accepted=8, decided=10, referrals=12) -> ResponseRecord:
    return ResponseRecord(
        referrals=referrals,
        median_days_to_acknowledge=acknowledge,
        median_days_to_decide=decide,
        accepted=accepted,
        decided=decided,
        share_accepted=accepted / decided if decided else None,
        enough=referrals >= ENOUGH_REFERRALS,
    )


@pytest.mark.parametrize(
    ("found", "summary"),
    [
        (
            record(2.0, 4.0),
            "Usually acknowledges in 2 working days and decides in 4; accepted 8 of the 10 it "
            "decided (80%). Based on 12 referrals from all teams in the last 12 months.",
        ),
        (
            record(0.0, 1.0, accepted=1, decided=3),
            "Usually acknowledges on the same working day and decides in 1 working day; "
            "accepted 1 of the 3 it decided (33%). Based on 12 referrals from all teams in the "
            "last 12 months.",
        ),
        (
            record(1.5, 0.0),
            "Usually acknowledges in 1.5 working days and decides on the same working day; "
            "accepted 8 of the 10 it decided (80%). Based on 12 referrals from all teams in the "
            "last 12 months.",
        ),
        (
            record(1.0, None, accepted=0, decided=0),
            "Usually acknowledges in 1 working day; none decided yet. Based on 12 referrals from "
            "all teams in the last 12 months.",
        ),
        (record(1.0, 2.0, referrals=4), "Not enough referrals yet to show how quickly it replies."),
    ],
)
def test_summary(found, summary):
    assert found.summary == summary


def test_table_texts():
    found = record(2.5, 1.0)
    assert found.acknowledge_text == "In 2.5 working days"
    assert found.decide_text == "In 1 working day"
    assert found.accepted_text == "8 of the 10 it decided (80%)"
    nothing = record(None, None, accepted=0, decided=0)
    assert nothing.acknowledge_text == "No replies yet"
    assert nothing.decide_text == "None decided yet"
    assert nothing.accepted_text == "None decided yet"


def test_the_record_goes_back_twelve_months_to_the_moment():
    assert response_figures.record_since(NOW) == at(2026, 2, 1, 12, 0)
