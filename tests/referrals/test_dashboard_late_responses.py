"""Referrals past their service's response time, over Christmas 2026, sent through the services.

Today is Wednesday 30 December 2026 at midday. Friday 25 December (Christmas Day) and Monday
28 December (Boxing Day's substitute; 26 December is a Saturday) are bank holidays, so the
working days around today are 21 to 24 December, then 29 and 30 December. Each referral below
was sent at the moment its name says, through ``referral_transition``, so the referral service
also wrote its "not acknowledged in the service's time" reminders (stage 1 at the service's
working days, stage 2 at twice that).
"""

import datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from attachment_app.reminders import workdays
from attachment_app.reminders.models import Reminder
from referrals import dashboard, services_delivery, services_directory
from referrals import reminders as referral_reminders
from referrals import services as referral_services
from referrals.models import RESPONSE_TIME_AT_LEAST_ONE, Service
from tests.factories import BabyFactory, FamilyFactory
from tests.factories_referrals import ReferralFactory, ServiceFactory
from tests.reminders.conftest import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 12, 30, 12, 0)

#: name: (working days, or None for the default of 5; when sent; urgent?; later moves)
SENDINGS = {
    # Due Wednesday 30 December at 10am: two hours ago.
    "thu_morning_2_days": (2, at(2026, 12, 24, 10, 0), False, []),
    # Due Wednesday 30 December at 2pm: later today.
    "thu_afternoon_2_days": (2, at(2026, 12, 24, 14, 0), False, []),
    # Due Tuesday 29 December at 3pm.
    "wed_2_days": (2, at(2026, 12, 23, 15, 0), False, []),
    # Sent urgently on Boxing Day (a Saturday): Monday is a holiday, so due Tuesday 29 at 11am.
    "boxing_day_urgent_1_day": (1, at(2026, 12, 26, 11, 0), True, []),
    # Sent urgently on Christmas Day: due Tuesday 29 December at 8am.
    "christmas_day_urgent_1_day": (1, at(2026, 12, 25, 8, 0), True, []),
    # Due today at 9am, and today at 1pm.
    "tue_morning_1_day": (1, at(2026, 12, 29, 9, 0), False, []),
    "tue_afternoon_1_day": (1, at(2026, 12, 29, 13, 0), False, []),
    # The default, 5 working days, from Monday 21 December: due today at 9am, and at 4pm.
    "mon_morning_default": (None, at(2026, 12, 21, 9, 0), False, []),
    "mon_afternoon_default": (None, at(2026, 12, 21, 16, 0), False, []),
    # 10 working days from Tuesday 1 December: due Tuesday 15 December.
    "early_december_10_days": (10, at(2026, 12, 1, 10, 0), False, []),
    # Late, but the service has acknowledged it since: not on the list.
    "acknowledged": (1, at(2026, 12, 1, 10, 0), False, [("acknowledge", at(2026, 12, 4, 9))]),
    # Sent and due today at noon exactly: not past yet.
    "due_at_noon": (2, at(2026, 12, 24, 12, 0), False, []),
    # Sent today: nowhere near due.
    "today_3_days": (3, at(2026, 12, 30, 9, 0), False, []),
}

LATE_AT_NOW = {
    "thu_morning_2_days",
    "wed_2_days",
    "boxing_day_urgent_1_day",
    "christmas_day_urgent_1_day",
    "tue_morning_1_day",
    "mon_morning_default",
    "early_december_10_days",
}


def move(referral, actor, action, moment, note=""):
    with time_machine.travel(moment, tick=False):
        referral.refresh_from_db()
        return referral_services.referral_transition(
            actor=actor, referral=referral, action=action, note=note, expected_version=None
        )


def record_sent(referral, actor, moment):
    """Ready to send, then sent at ``moment`` (recorded as phoned through)."""
    with time_machine.travel(moment, tick=False):
        referral.refresh_from_db()
        return services_delivery.referral_record_sent(
            actor=actor,
            referral=referral,
            expected_version=None,
            method="phone",
            sent_on=moment.date(),
        )


@pytest.fixture
def sent(team_a, hv, team_lead, settings):
    """Every referral of ``SENDINGS``, by name, sent through the services."""
    settings.DEFAULT_RESPONSE_WORKING_DAYS = 5
    made = {}
    for name, (days, moment, urgent, later) in SENDINGS.items():
        with time_machine.travel(moment - datetime.timedelta(hours=1), tick=False):
            family = FamilyFactory(team=team_a, named_hv=hv, postcode="LS1 4AP")
            BabyFactory(family=family)
            referral = ReferralFactory(
                family=family,
                service=ServiceFactory(name=name, response_working_days=days),
                created_by=hv,
                urgency="urgent" if urgent else "routine",
            )
        if urgent:
            move(referral, hv, "send-urgently", moment - datetime.timedelta(minutes=5), "Now.")
        else:
            move(referral, hv, "submit", moment - datetime.timedelta(minutes=30))
            move(referral, team_lead, "approve", moment - datetime.timedelta(minutes=5))
        referral = record_sent(referral, hv, moment)
        for action, when in later:
            referral = move(referral, hv, action, when)
        made[name] = referral
    return SimpleNamespace(**made)


def names(referrals, sent) -> set[str]:
    by_pk = {referral.pk: name for name, referral in vars(sent).items()}
    return {by_pk[referral.pk] for referral in referrals}


def test_the_late_list_today_over_christmas(sent, team_lead):
    late = dashboard.overdue_responses(user=team_lead, now=NOW)
    assert names(late, sent) == LATE_AT_NOW


def test_needs_attention_lists_them_oldest_sent_first_with_their_due_times(sent, team_lead):
    found = dashboard.needs_attention(user=team_lead, now=NOW)["late_responses"]
    assert found.total == len(LATE_AT_NOW)
    assert [(referral.service.name, referral.response_due) for referral in found.items] == [
        ("early_december_10_days", at(2026, 12, 15, 10, 0)),
        ("mon_morning_default", at(2026, 12, 30, 9, 0)),
        ("wed_2_days", at(2026, 12, 29, 15, 0)),
        ("thu_morning_2_days", at(2026, 12, 30, 10, 0)),
        ("christmas_day_urgent_1_day", at(2026, 12, 29, 8, 0)),
        ("boxing_day_urgent_1_day", at(2026, 12, 29, 11, 0)),
        ("tue_morning_1_day", at(2026, 12, 30, 9, 0)),
    ]


def test_the_workload_figure_counts_them_under_the_named_hv(sent, team_lead, hv):
    with time_machine.travel(NOW, tick=False):
        rows = dashboard.figure(
            "workload",
            user=team_lead,
            period=dashboard.Period(datetime.date(2026, 10, 1), datetime.date(2026, 12, 30)),
            today=NOW.date(),
        ).rows
    (row,) = [row for row in rows if row[0] == hv.get_full_name()]
    assert row[5] == len(LATE_AT_NOW)


def response_reminders(referral) -> dict[int, Reminder]:
    rows = Reminder.objects.filter(
        rule=referral_reminders.RESPONSE,
        subject_type=referral._meta.label_lower,
        subject_id=referral.pk,
        key=referral.sent_at.isoformat(),
    )
    return {row.stage: row for row in rows}


def moments_to_check() -> list[datetime.datetime]:
    """Now, and a minute either side of every due moment of the fixture."""
    moments = {NOW}
    for days, when, _, _ in SENDINGS.values():
        due = workdays.working_days_later(when, days or 5)
        moments |= {due - datetime.timedelta(minutes=1), due, due + datetime.timedelta(minutes=1)}
    return sorted(moments)


def test_the_reminder_rows_stages_agree_with_the_dashboard(sent, team_lead):
    """Stage 1 falls due when the dashboard says the response was due, and stage 2 at twice the
    service's working days; at every moment, a referral is on the late list exactly when its
    stage 1 reminder's due time has passed."""
    waiting = [referral for referral in vars(sent).values() if referral.status == "sent"]
    assert len(waiting) == len(SENDINGS) - 1
    for referral in waiting:
        days = referral.service.response_working_days or 5
        stages = response_reminders(referral)
        assert sorted(stages) == [1, 2]
        assert stages[1].due_at == dashboard.response_due(referral.sent_at, days)
        assert stages[2].due_at == dashboard.response_due(referral.sent_at, 2 * days)
    for moment in moments_to_check():
        late = set(dashboard.overdue_responses(user=team_lead, now=moment))
        by_reminder = {
            referral for referral in waiting if response_reminders(referral)[1].due_at < moment
        }
        assert late == by_reminder, moment


# --- The response time is the one given at sending, and never 0 -------------------------------


def sent_one(team_a, hv, team_lead, days, moment):
    with time_machine.travel(moment - datetime.timedelta(hours=1), tick=False):
        family = FamilyFactory(team=team_a, named_hv=hv, postcode="LS1 4AP")
        BabyFactory(family=family)
        referral = ReferralFactory(
            family=family, service=ServiceFactory(response_working_days=days), created_by=hv
        )
    move(referral, hv, "submit", moment - datetime.timedelta(minutes=30))
    move(referral, team_lead, "approve", moment - datetime.timedelta(minutes=5))
    return record_sent(referral, hv, moment)


def test_an_edited_response_time_does_not_move_a_referral_already_sent(
    team_a, hv, team_lead, admin_user
):
    """The family and the health visitor were told the service's time when the referral went;
    a later edit to the directory (a new service level, a typing slip) must not make a referral
    look late that is not, nor hide one that is. The list and the reminder both keep the time
    given at sending."""
    # Sent Monday 2 November 2026 at 9am to a service answering within 10 working days...
    referral = sent_one(team_a, hv, team_lead, 10, at(2026, 11, 2, 9, 0))
    # ...which an admin then changes to 2 working days.
    with time_machine.travel(at(2026, 11, 3, 9, 0), tick=False):
        services_directory.service_save(
            actor=admin_user,
            service=referral.service,
            postcode_districts=["LS1"],
            response_working_days=2,
        )
    due = at(2026, 11, 16, 9, 0)
    assert response_reminders(referral)[1].due_at == due
    # Past the edited 2 working days (Wednesday 4 November), not past the 10 given at sending.
    assert list(dashboard.overdue_responses(user=team_lead, now=at(2026, 11, 5, 10, 0))) == []
    assert list(dashboard.overdue_responses(user=team_lead, now=due)) == []
    late_at = due + datetime.timedelta(minutes=1)
    assert list(dashboard.overdue_responses(user=team_lead, now=late_at)) == [referral]
    with time_machine.travel(late_at, tick=False):
        (listed,) = dashboard.needs_attention(user=team_lead, now=late_at)["late_responses"].items
    assert listed.response_due == due


def test_a_response_time_of_0_working_days_is_refused_and_a_blank_one_uses_the_default(
    team_a, hv, team_lead, admin_user, settings
):
    """0 working days would make every referral late the moment it is sent (the list) while the
    reminders read it as "not stated": a time that says nothing is left blank instead."""
    settings.DEFAULT_RESPONSE_WORKING_DAYS = 5
    service = ServiceFactory(response_working_days=3)
    with pytest.raises(ValidationError) as refused:
        services_directory.service_save(
            actor=admin_user, service=service, postcode_districts=["LS1"], response_working_days=0
        )
    assert refused.value.message_dict["response_working_days"] == [RESPONSE_TIME_AT_LEAST_ONE]
    service.refresh_from_db()
    assert service.response_working_days == 3
    with pytest.raises(IntegrityError), transaction.atomic():
        Service.objects.filter(pk=service.pk).update(response_working_days=0)

    referral = sent_one(team_a, hv, team_lead, None, at(2026, 11, 2, 9, 0))
    # Monday 2 November + 5 working days: Monday 9 November at 9am, for the list and reminder.
    due = at(2026, 11, 9, 9, 0)
    assert response_reminders(referral)[1].due_at == due
    assert list(dashboard.overdue_responses(user=team_lead, now=at(2026, 11, 2, 9, 1))) == []
    late_at = due + datetime.timedelta(minutes=1)
    assert list(dashboard.overdue_responses(user=team_lead, now=late_at)) == [referral]
