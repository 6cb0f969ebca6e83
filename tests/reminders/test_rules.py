"""Every reminder rule in time: when it falls due (weekends and bank holidays skipped), who
receives it, and how the services cancel it."""

import datetime

import pytest
import time_machine

from attachment_app.reminders.models import Reminder
from conversations import services as conversation_services
from referrals import reminders as referral_reminders
from referrals import services as referral_services
from referrals import services_delivery
from screening import services as screening_services
from screening.models import ConcernCategory
from tests.factories import (
    BabyFactory,
    CaregiverFactory,
    ContactFactory,
    ConversationFactory,
    FamilyFactory,
)
from tests.factories_referrals import ReferralFactory, ServiceFactory

from .conftest import at

pytestmark = pytest.mark.django_db


def recipients(notifications):
    return sorted((n.recipient.username, n.title) for n in notifications)


@pytest.fixture
def family(team_a, hv):
    family = FamilyFactory(team=team_a, named_hv=hv, postcode="LS1 4AP")
    BabyFactory(family=family)
    return family


def make_referral(family, hv, *, response_days=3):
    return ReferralFactory(
        family=family, service=ServiceFactory(response_working_days=response_days), created_by=hv
    )


def move(referral, actor, action, moment, note="Note"):
    """Make a move at ``moment``; "approve" here is approved and sent (recorded as phoned)."""
    with time_machine.travel(moment, tick=False):
        referral.refresh_from_db()
        moved = referral_services.referral_transition(
            actor=actor, referral=referral, action=action, note=note, expected_version=None
        )
        if action != "approve":
            return moved
        return services_delivery.referral_record_sent(
            actor=actor,
            referral=moved,
            expected_version=None,
            method="phone",
            sent_on=moment.date(),
        )


# --- Referral awaiting review: 2 working days → team leads --------------------------------------


def test_referral_not_reviewed_in_two_working_days_reminds_the_team_lead_over_christmas(
    family, hv, team_lead, run_reminders
):
    referral = make_referral(family, hv)
    move(referral, hv, "submit", at(2026, 12, 24, 10, 0))  # Thursday before Christmas
    # Friday 25th and Monday 28th are bank holidays: Tuesday is day 1, Wednesday day 2.
    assert run_reminders(at(2026, 12, 29, 23, 0)) == []
    sent = run_reminders(at(2026, 12, 30, 10, 1))
    assert recipients(sent) == [("lead.a", "A referral has waited 2 working days for your review")]


def test_weekend_is_skipped_for_review(family, hv, team_lead, run_reminders):
    referral = make_referral(family, hv)
    move(referral, hv, "submit", at(2026, 11, 27, 16, 0))  # Friday
    assert run_reminders(at(2026, 11, 30, 16, 1)) == []  # Monday: one working day
    assert len(run_reminders(at(2026, 12, 1, 16, 1))) == 1  # Tuesday


def test_review_reminder_is_cancelled_when_the_lead_acts(family, hv, team_lead, run_reminders):
    referral = make_referral(family, hv)
    move(referral, hv, "submit", at(2026, 11, 23, 10, 0))
    move(referral, team_lead, "return", at(2026, 11, 24, 9, 0), note="Add the EPDS")
    # No review reminder for the lead; the HV is told of the return instead.
    assert recipients(run_reminders(at(2026, 11, 30, 10, 0))) == [
        ("hv.a", "A referral you submitted was returned to you with a comment")
    ]
    assert Reminder.objects.get(rule="referral.review").status == Reminder.Status.CANCELLED


# --- Referral returned → at once, the HV who submitted it ---------------------------------------


def test_returned_referral_tells_the_hv_who_submitted_it_once(
    family, hv, other_hv, team_lead, run_reminders
):
    referral = make_referral(family, hv)
    move(referral, other_hv, "submit", at(2026, 11, 23, 10, 0))
    move(referral, team_lead, "return", at(2026, 11, 24, 9, 0), note="Add the EPDS")
    assert run_reminders(at(2026, 11, 24, 8, 59)) == []
    assert recipients(run_reminders(at(2026, 11, 24, 9, 2))) == [
        ("hv.a2", "A referral you submitted was returned to you with a comment")
    ]
    # Sweeping again, or scheduling the same return again, sends nothing more.
    referral.refresh_from_db()
    referral_reminders.referral_changed(referral)
    assert run_reminders(at(2026, 11, 24, 9, 4)) == []


def test_return_already_acted_on_is_not_notified(family, hv, team_lead, run_reminders):
    referral = make_referral(family, hv)
    move(referral, hv, "submit", at(2026, 11, 23, 10, 0))
    move(referral, team_lead, "return", at(2026, 11, 24, 9, 0), note="Add the EPDS")
    move(referral, hv, "resubmit", at(2026, 11, 24, 9, 1))
    assert run_reminders(at(2026, 11, 24, 9, 2)) == []
    assert Reminder.objects.get(rule="referral.returned").status == Reminder.Status.CANCELLED


def test_resubmission_starts_a_new_wait(family, hv, team_lead, run_reminders):
    referral = make_referral(family, hv)
    move(referral, hv, "submit", at(2026, 11, 23, 10, 0))
    move(referral, team_lead, "return", at(2026, 11, 24, 9, 0), note="Add the EPDS")
    move(referral, hv, "resubmit", at(2026, 11, 24, 12, 0))
    assert run_reminders(at(2026, 11, 25, 10, 1)) == []  # the first submission's time: gone
    assert len(run_reminders(at(2026, 11, 26, 12, 1))) == 1


# --- Referral sent, not acknowledged: the service's time → HV; twice that → HV and lead --------


def test_unacknowledged_referral_reminds_hv_then_hv_and_lead(family, hv, team_lead, run_reminders):
    referral = make_referral(family, hv, response_days=3)
    move(referral, hv, "submit", at(2026, 11, 27, 9, 0))
    move(referral, team_lead, "approve", at(2026, 11, 27, 9, 30))  # Friday
    assert [r.title for r in run_reminders(at(2026, 12, 2, 9, 0))] == []  # before 09:30 Wed
    first = run_reminders(at(2026, 12, 2, 9, 31))
    assert recipients(first) == [
        ("hv.a", "A service has not acknowledged a referral in its expected time")
    ]
    second = run_reminders(at(2026, 12, 7, 9, 31))  # six working days: Monday
    assert [n.recipient.username for n in second] == ["hv.a", "lead.a"]


def test_acknowledgement_cancels_both_stages(family, hv, team_lead, run_reminders):
    referral = make_referral(family, hv)
    move(referral, hv, "submit", at(2026, 11, 23, 9, 0))
    move(referral, team_lead, "approve", at(2026, 11, 23, 9, 30))
    move(referral, hv, "acknowledge", at(2026, 11, 24, 9, 0))
    assert run_reminders(at(2026, 12, 31, 9, 0)) == []
    assert set(
        Reminder.objects.filter(rule="referral.response").values_list("status", flat=True)
    ) == {"cancelled"}


def test_withdrawal_cancels(family, hv, team_lead, run_reminders):
    referral = make_referral(family, hv)
    move(referral, hv, "submit", at(2026, 11, 23, 9, 0))
    move(referral, hv, "withdraw", at(2026, 11, 23, 10, 0), note="Family moved")
    assert run_reminders(at(2026, 12, 31, 9, 0)) == []


# --- Urgent concern not acknowledged → team lead, then every working hour ------------------------


def urgent_concern(family, hv, moment):
    contact = ContactFactory(family=family, recorded_by=hv)
    ConversationFactory(contact=contact, consent_status="given")
    with time_machine.travel(moment, tick=False):
        return screening_services.concern_raise(
            actor=hv,
            contact=contact,
            category=ConcernCategory.objects.get(code="safeguarding"),
            severity="high",
            note="Bruise on the baby's arm",
            urgent=True,
        )


def test_urgent_concern_escalates_within_four_hours_then_every_working_hour(
    family, hv, team_lead, run_reminders
):
    urgent_concern(family, hv, at(2026, 11, 23, 10, 0))
    assert run_reminders(at(2026, 11, 23, 13, 59)) == []
    first = run_reminders(at(2026, 11, 23, 14, 0))
    assert recipients(first) == [("lead.a", "An urgent concern has not been acknowledged")]
    assert run_reminders(at(2026, 11, 23, 14, 30)) == []
    assert len(run_reminders(at(2026, 11, 23, 15, 0))) == 1
    assert len(run_reminders(at(2026, 11, 23, 16, 0))) == 1
    assert len(run_reminders(at(2026, 11, 23, 17, 0))) == 1
    # After 17:00 the next is at 09:00 on the next working day.
    assert run_reminders(at(2026, 11, 23, 18, 0)) == []
    assert len(run_reminders(at(2026, 11, 24, 9, 0))) == 1


def test_urgent_concern_late_in_the_day_escalates_at_the_end_of_the_day(
    family, hv, team_lead, run_reminders
):
    urgent_concern(family, hv, at(2026, 11, 23, 15, 0))
    assert run_reminders(at(2026, 11, 23, 16, 59)) == []
    assert len(run_reminders(at(2026, 11, 23, 17, 0))) == 1


def test_acknowledging_stops_the_escalation(family, hv, team_lead, run_reminders):
    concern = urgent_concern(family, hv, at(2026, 11, 23, 10, 0))
    assert len(run_reminders(at(2026, 11, 23, 14, 0))) == 1
    with time_machine.travel(at(2026, 11, 23, 14, 20), tick=False):
        screening_services.concern_acknowledge(
            actor=team_lead, concern=concern, action_taken="Called the GP"
        )
    assert run_reminders(at(2026, 11, 24, 12, 0)) == []


def test_non_urgent_concern_schedules_nothing(family, hv):
    contact = ContactFactory(family=family, recorded_by=hv)
    ConversationFactory(contact=contact, consent_status="given")
    screening_services.concern_raise(
        actor=hv,
        contact=contact,
        category=ConcernCategory.objects.get(code="feeding_sleep_crying"),
        severity="low",
        note="",
    )
    assert not Reminder.objects.exists()


# --- Follow-ups: due tomorrow → HV; overdue → HV and lead --------------------------------------


def plan_follow_up(family, hv, due_on, moment):
    with time_machine.travel(moment, tick=False):
        return referral_services.follow_up_plan(
            actor=hv, family=family, due_on=due_on, purpose="Check in"
        )


def test_follow_up_due_tomorrow_then_overdue(family, hv, team_lead, run_reminders):
    plan_follow_up(family, hv, datetime.date(2026, 12, 2), at(2026, 11, 23, 10, 0))
    assert run_reminders(at(2026, 12, 1, 8, 59)) == []
    assert recipients(run_reminders(at(2026, 12, 1, 9, 0))) == [
        ("hv.a", "A follow-up contact is due tomorrow")
    ]
    assert run_reminders(at(2026, 12, 2, 18, 0)) == []
    overdue = run_reminders(at(2026, 12, 3, 9, 0))
    assert [n.recipient.username for n in overdue] == ["hv.a", "lead.a"]


def test_closing_a_follow_up_cancels_its_reminders(family, hv, team_lead, run_reminders):
    follow_up = plan_follow_up(family, hv, datetime.date(2026, 12, 2), at(2026, 11, 23, 10, 0))
    with time_machine.travel(at(2026, 11, 30, 10, 0), tick=False):
        referral_services.follow_up_close(actor=hv, follow_up=follow_up, done=True)
    assert run_reminders(at(2026, 12, 10, 9, 0)) == []


# --- A conversation with consent, not completed after 7 days → HV -------------------------------


def test_unfinished_conversation_reminds_the_hv_after_a_week(family, hv, run_reminders):
    contact = ContactFactory(family=family, recorded_by=hv)
    conversation = ConversationFactory(contact=contact)
    with time_machine.travel(at(2026, 11, 23, 10, 0), tick=False):
        conversation_services.consent_record(
            actor=hv,
            conversation=conversation,
            caregiver=CaregiverFactory(family=family),
            decision="given",
        )
    assert run_reminders(at(2026, 11, 30, 9, 59)) == []
    assert recipients(run_reminders(at(2026, 11, 30, 10, 0))) == [
        ("hv.a", "A conversation started a week ago is not finished")
    ]


def test_withdrawn_consent_cancels_the_unfinished_reminder(family, hv, run_reminders):
    contact = ContactFactory(family=family, recorded_by=hv)
    conversation = ConversationFactory(contact=contact)
    parent = CaregiverFactory(family=family)
    with time_machine.travel(at(2026, 11, 23, 10, 0), tick=False):
        conversation_services.consent_record(
            actor=hv, conversation=conversation, caregiver=parent, decision="given"
        )
        conversation.refresh_from_db()
        conversation_services.consent_record(
            actor=hv, conversation=conversation, caregiver=parent, decision="withdrawn"
        )
    assert run_reminders(at(2026, 12, 31, 10, 0)) == []


# --- Visibility at send time --------------------------------------------------------------------


def test_reminder_for_a_family_moved_to_another_team_is_not_sent_to_the_old_team(
    family, hv, team_lead, team_lead_b, team_b, run_reminders
):
    referral = make_referral(family, hv)
    move(referral, hv, "submit", at(2026, 11, 23, 10, 0))
    family.team = team_b
    family.named_hv = None
    family.save()
    sent = run_reminders(at(2026, 11, 25, 10, 1))
    assert [n.recipient.username for n in sent] == ["lead.b"]


def test_hv_who_left_the_team_is_not_reminded(family, hv, team_b, team_lead, run_reminders):
    referral = make_referral(family, hv)
    move(referral, hv, "submit", at(2026, 11, 23, 9, 0))
    move(referral, team_lead, "approve", at(2026, 11, 23, 9, 30))
    hv.team = team_b
    hv.save()
    # Stage 1 is for the HV only: nobody in the team to tell, so it is not sent to the old HV.
    assert run_reminders(at(2026, 11, 26, 9, 31)) == []
