"""Each dashboard figure against the hand-counted team in ``test_dashboard_data``."""

import datetime

import pytest
import time_machine

from conversations.models import Family
from referrals import dashboard
from referrals.dashboard import table
from referrals.forms_dashboard import DashboardPeriodForm
from referrals.models import FollowUp
from screening import services as screening_services
from tests.factories_referrals import ReferralFactory, ServiceFactory

from . import test_dashboard_data as data
from .test_dashboard_data import at, d

# The shared fixtures, made available to this module's tests.
frozen_now = data.frozen_now
world = data.world

pytestmark = pytest.mark.django_db

DEFAULT = dashboard.Period(start=d(2026, 1, 1), end=d(2026, 3, 31))
TODAY = d(2026, 3, 31)


def rows(user, slug, period=DEFAULT):
    return dashboard.figure(slug, user=user, period=period, today=TODAY).rows


def name(code):
    return screening_services.current_definition(code).name


# --- The team lead sees the whole team --------------------------------------------------------


def test_conversations_by_contact_type_counts_contacts_in_the_period(world, team_lead):
    assert rows(team_lead, "conversations") == [
        ["Antenatal (from 28 weeks)", 1, 1, 0],
        ["New birth visit (10 to 14 days)", 2, 2, 1],
        ["6 to 8 weeks", 1, 1, 0],
        ["Additional or targeted contact", 1, 0, 0],
    ]


def test_consent_counts_each_conversations_latest_decision(world, team_lead):
    assert rows(team_lead, "consent") == [
        ["Consent given", 1, "25%"],
        ["Declined", 1, "25%"],
        ["Deferred to a later contact", 1, "25%"],
        ["Consent withdrawn", 0, "0%"],
        ["Not yet asked", 1, "25%"],
    ]


def test_concerns_by_category_and_severity_in_category_order(world, team_lead):
    assert rows(team_lead, "concerns") == [
        [data.BONDING, 0, 0, 1, 1],
        ["Parental mental health", 1, 1, 0, 2],
        ["Feeding, sleep or crying", 1, 0, 0, 1],
    ]


def test_instruments_count_corrections_once_and_share_positive(world, team_lead):
    assert rows(team_lead, "instruments") == sorted(
        [
            [name("phq9"), 2, 1, "50%"],
            [name("whooley"), 1, 1, "100%"],
            [name("epds"), 1, 0, "0%"],
        ],
        key=lambda row: row[0].lower(),
    )


def test_urgent_concerns_median_time_to_acknowledgement(world, team_lead):
    # Acknowledged after 3 hours and after 24 hours: the median is 13 and a half hours.
    assert rows(team_lead, "urgent") == [
        ["Urgent concerns raised", 3],
        ["Acknowledged", 2],
        ["Still awaiting acknowledgement", 1],
        ["Median time to acknowledgement", "13 hours 30 minutes"],
    ]


def test_referral_funnel_counts_referrals_first_leaving_the_hv_in_the_period(world, team_lead):
    # Not the one first submitted in December, nor the draft that never left.
    assert rows(team_lead, "funnel") == [
        ["Submitted (or sent urgently)", 5],
        ["Sent to the service", 3],
        ["Acknowledged by the service", 2],
        ["Accepted", 1],
        ["Completed", 1],
        ["Declined by the service", 1],
        ["Withdrawn", 1],
    ]


def test_median_days_between_referral_stages(world, team_lead):
    assert rows(team_lead, "stage-times") == [
        ["Submitted to sent (review)", 2, "3.0"],
        ["Sent to acknowledged", 2, "3.0"],
        ["Acknowledged to accepted", 1, "8.0"],
        ["Accepted to completed", 1, "40.0"],
    ]


def test_referrals_by_service_most_first_with_where_they_stand(world, team_lead):
    assert rows(team_lead, "services") == [
        ["Baby Group", 3, 1, 0, 1, 1],
        ["Home Coaching", 2, 1, 1, 0, 0],
    ]


def test_referrals_by_the_best_evidence_their_service_offers(world, team_lead):
    # Home Coaching offers VIG (intermediate) and ABC (strong): it counts as strong.
    assert rows(team_lead, "evidence") == [["Strong", 2], ["No intervention recorded", 3]]


def test_workload_per_health_visitor_and_families_with_none(world, team_lead, hv, other_hv):
    expected = sorted(
        [
            [hv.get_full_name(), 2, 3, 1, 1, 1, 1],
            [other_hv.get_full_name(), 1, 2, 0, 1, 1, 0],
        ],
        key=lambda row: row[0].lower(),
    )
    assert rows(team_lead, "workload") == [*expected, ["No named health visitor", 1, 0, 0, 0, 0, 0]]


def test_needs_attention_lists_each_kind_oldest_first(world, team_lead):
    found = dashboard.needs_attention(user=team_lead, now=at(2026, 3, 31, 12))
    assert found["urgent_concerns"].items == [world.waiting_concern]
    assert found["awaiting_review"].items == [world.referrals.awaiting]
    # Sent in January (before the period) and in March: the period does not matter here.
    assert found["late_responses"].items == [world.referrals.before, world.referrals.late]
    assert found["late_responses"].items[1].response_due == at(2026, 3, 9)
    assert found["overdue_follow_ups"].items == [
        world.follow_ups.ashworth_overdue,
        world.follow_ups.carver_overdue,
    ]
    assert found.pop("reminders_by_hv") == []
    assert [found[key].total for key in found] == [1, 1, 2, 2]


def test_needs_attention_shows_the_first_twenty_and_counts_the_rest(world, team_lead, hv):
    for day in range(1, 25):
        FollowUp.objects.create(
            family=world.families.ashworth,
            due_on=d(2026, 2, day),
            purpose="Check in.",
            planned_by=hv,
        )
    found = dashboard.needs_attention(user=team_lead, now=at(2026, 3, 31, 12))
    assert len(found["overdue_follow_ups"].items) == dashboard.ATTENTION_LIMIT
    assert found["overdue_follow_ups"].total == 26
    assert found["overdue_follow_ups"].more == 6


# --- A health visitor sees their own caseload's --------------------------------------------------


def test_hv_figures_cover_only_their_named_families(world, hv):
    assert rows(hv, "conversations") == [
        ["Antenatal (from 28 weeks)", 1, 1, 0],
        ["New birth visit (10 to 14 days)", 1, 1, 1],
        ["6 to 8 weeks", 1, 1, 0],
    ]
    assert rows(hv, "consent")[:3] == [
        ["Consent given", 1, "33%"],
        ["Declined", 1, "33%"],
        ["Deferred to a later contact", 1, "33%"],
    ]
    assert rows(hv, "urgent") == [
        ["Urgent concerns raised", 2],
        ["Acknowledged", 1],
        ["Still awaiting acknowledgement", 1],
        ["Median time to acknowledgement", "3 hours 0 minutes"],
    ]
    assert [row[:2] for row in rows(hv, "funnel")] == [
        ["Submitted (or sent urgently)", 3],
        ["Sent to the service", 2],
        ["Acknowledged by the service", 2],
        ["Accepted", 1],
        ["Completed", 1],
        ["Declined by the service", 1],
        ["Withdrawn", 0],
    ]
    assert rows(hv, "workload") == [[hv.get_full_name(), 2, 3, 1, 1, 1, 1]]


def test_hv_needs_attention_leaves_out_colleagues_families(world, other_hv):
    found = dashboard.needs_attention(user=other_hv, now=at(2026, 3, 31, 12))
    assert found["urgent_concerns"].items == []
    assert found["awaiting_review"].items == []
    assert found["late_responses"].items == [world.referrals.late]
    assert found["overdue_follow_ups"].items == [world.follow_ups.carver_overdue]


# --- Empty periods and empty teams ------------------------------------------------------------


def test_a_period_with_nothing_in_it_gives_empty_figures(world, team_lead):
    empty = dashboard.Period(start=d(2025, 6, 1), end=d(2025, 6, 30))
    figures = dashboard.all_figures(user=team_lead, period=empty, today=TODAY)
    by_slug = {figure.slug: figure for figure in figures}
    assert [slug for slug, figure in by_slug.items() if not figure.is_empty] == ["workload"]
    assert all(figure.chart is None for slug, figure in by_slug.items() if slug != "workload")
    # The caseload is as of today; only the period's contacts are nought.
    assert [row[2] for row in by_slug["workload"].rows] == [0, 0, 0]


def test_a_team_with_no_data_has_empty_figures_and_nothing_to_attend_to(
    frozen_now, team_lead_b, hv_b
):
    figures = dashboard.all_figures(user=team_lead_b, period=DEFAULT, today=TODAY)
    assert [figure.slug for figure in figures if not figure.is_empty] == ["workload"]
    assert figures[-1].rows == [[hv_b.get_full_name(), 0, 0, 0, 0, 0, 0]]
    found = dashboard.needs_attention(user=team_lead_b, now=frozen_now)
    assert found.pop("reminders_by_hv") == []
    assert [found[key].total for key in found] == [0, 0, 0, 0]


def test_presets_and_the_default_period(frozen_now):
    def period(query):
        return DashboardPeriodForm(query, today=TODAY, action="/").period_chosen()

    assert period({}) == DEFAULT
    assert period({"period": "1"}) == dashboard.Period(d(2026, 3, 1), TODAY)
    assert period({"period": "12"}) == dashboard.Period(d(2025, 4, 1), TODAY)
    custom = {
        "period": "custom",
        **{"start_day": "3", "start_month": "feb", "start_year": "2026"},
        **{"end_day": "10", "end_month": "2", "end_year": "2026"},
    }
    assert period(custom) == dashboard.Period(d(2026, 2, 3), d(2026, 2, 10))


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (("", "", ""), ("1", "2", "2026"), "start", "Enter the date the period starts"),
        (("5", "2", "2026"), ("1", "2", "2026"), "end", "same as or after the start date"),
        (("1", "3", "2026"), ("1", "4", "2026"), "end", "today or in the past"),
        (("31", "2", "2026"), ("1", "3", "2026"), "start", "must be a real date"),
    ],
)
def test_a_custom_period_must_be_two_real_dates_in_order(frozen_now, start, end, field, message):
    query = {"period": "custom"}
    query.update(zip(["start_day", "start_month", "start_year"], start, strict=True))
    query.update(zip(["end_day", "end_month", "end_year"], end, strict=True))
    form = DashboardPeriodForm(query, today=TODAY, action="/")
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])
    assert form.period_chosen() == DEFAULT


# --- When a service's response is late ----------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "working_days", "now", "late"),
    [
        # Monday 9am, 5 working days: due the next Monday at 9am.
        (at(2026, 3, 2, 9), 5, at(2026, 3, 9, 8, 59), False),
        (at(2026, 3, 2, 9), 5, at(2026, 3, 9, 9, 1), True),
        # Sent on a Saturday: the count starts on Monday, so due Tuesday at the same time.
        (at(2026, 3, 7, 10), 2, at(2026, 3, 10, 9, 59), False),
        (at(2026, 3, 7, 10), 2, at(2026, 3, 10, 10, 1), True),
        # Over Easter 2026: Good Friday 3 April and Easter Monday 6 April are not worked.
        (at(2026, 4, 1, 10), 2, at(2026, 4, 7, 9, 59), False),
        (at(2026, 4, 1, 10), 2, at(2026, 4, 7, 10, 1), True),
        (at(2026, 4, 1, 10), 2, at(2026, 4, 6, 23, 0), False),
    ],
)
def test_a_sent_referral_is_late_after_its_services_working_days(
    team_a, hv, team_lead, sent, working_days, now, late
):
    family = Family.objects.create(
        team=team_a, named_hv=hv, name="Late", address_line_1="1 Road", postcode="LS1 1AA"
    )
    service = ServiceFactory(response_working_days=working_days)
    with time_machine.travel(sent, tick=False):
        made = ReferralFactory(
            family=family, service=service, created_by=hv, status="sent", sent_at=sent
        )
    found = list(dashboard.overdue_responses(user=team_lead, now=now))
    assert (made in found) is late
    assert (dashboard.response_due(sent, working_days) < now) is late


def test_an_unstated_response_time_uses_the_default(team_a, hv, team_lead, settings):
    settings.DEFAULT_RESPONSE_WORKING_DAYS = 3
    family = Family.objects.create(
        team=team_a, named_hv=hv, name="Late", address_line_1="1 Road", postcode="LS1 1AA"
    )
    service = ServiceFactory(response_working_days=None)
    sent = at(2026, 3, 2, 9)
    made = ReferralFactory(
        family=family, service=service, created_by=hv, status="sent", sent_at=sent
    )
    # Monday + 3 working days = Thursday 5 March, 9am.
    before = dashboard.overdue_responses(user=team_lead, now=at(2026, 3, 5, 8))
    after = dashboard.overdue_responses(user=team_lead, now=at(2026, 3, 5, 10))
    assert list(before) == []
    assert list(after) == [made]


def test_only_sent_referrals_can_be_late(team_a, hv, team_lead):
    family = Family.objects.create(
        team=team_a, named_hv=hv, name="Acked", address_line_1="1 Road", postcode="LS1 1AA"
    )
    ReferralFactory(
        family=family,
        created_by=hv,
        status="acknowledged",
        sent_at=at(2026, 1, 5),
    )
    assert list(dashboard.overdue_responses(user=team_lead, now=at(2026, 3, 1))) == []


def test_durations_read_naturally():
    assert table.duration(None) == "None acknowledged"
    assert table.duration(45 * 60) == "45 minutes"
    assert table.duration(61 * 60) == "1 hour 1 minute"
    assert table.duration(3 * 86400) == "3.0 days"
    assert table.days_text(datetime.timedelta(days=2, hours=12).total_seconds()) == "2.5"


def test_a_referral_ready_to_send_is_waiting_for_the_service_so_each_row_adds_up(
    team_a, hv, team_lead
):
    from tests.factories import FamilyFactory

    from .sending import make_ready

    with time_machine.travel(at(2026, 2, 2, 10), tick=False):
        service = ServiceFactory(name="Parent Infant Service")
        referral = ReferralFactory(
            family=FamilyFactory(team=team_a), service=service, created_by=hv
        )
        assert make_ready(referral, hv, team_lead).status == "ready"
    [row] = rows(team_lead, "services")
    assert row == ["Parent Infant Service", 1, 1, 0, 0, 0]
    assert row[1] == sum(row[2:])
