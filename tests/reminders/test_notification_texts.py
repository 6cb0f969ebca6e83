"""Notifications say what they are about in the app (the family and the thing, read through the
reader's team scope when shown) and nothing personal in the email; the list's query count does
not grow with its rows, and the access log records the families it names."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from attachment_app.audit.models import AccessLog
from attachment_app.reminders import rules
from attachment_app.reminders.models import Notification, Reminder
from conversations import reminders as conversation_reminders
from referrals import services as referral_services
from referrals import services_delivery
from screening import reminders as screening_reminders
from tests.factories import BabyFactory, ContactFactory, ConversationFactory, FamilyFactory
from tests.factories_referrals import ConcernFactory, ReferralFactory, ServiceFactory

pytestmark = pytest.mark.django_db

NHS_NUMBER = "9434765919"


@pytest.fixture
def family(team_a, hv):
    family = FamilyFactory(team=team_a, named_hv=hv, name="Okonkwo-Smith", postcode="LS1 4AP")
    BabyFactory(family=family, nhs_number=NHS_NUMBER)
    return family


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


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


def make_every_kind(family, hv, team_lead, *, name="Perinatal Mental Health Team"):
    """One subject for each reminder rule, each already due."""
    service = ServiceFactory(name=name, response_working_days=1)
    awaiting = ReferralFactory(family=family, service=service, created_by=hv)
    move(awaiting, hv, "submit", days_ago(10))
    sent = ReferralFactory(family=family, service=service, created_by=hv)
    move(sent, hv, "submit", days_ago(10))
    move(sent, team_lead, "approve", days_ago(10))
    returned = ReferralFactory(family=family, service=service, created_by=hv)
    move(returned, hv, "submit", days_ago(1))
    move(returned, team_lead, "return", days_ago(1), note="Add the EPDS score")
    follow_up = referral_services.follow_up_plan(
        actor=hv,
        family=family,
        due_on=timezone.localdate() + datetime.timedelta(days=1),
        purpose="Check how the first VIG session went",
    )
    Reminder.objects.filter(rule="follow_up.due_tomorrow", subject_id=follow_up.pk).update(
        due_at=timezone.now()
    )
    concern = ConcernFactory(family=family, category_code="safeguarding", urgent=True)
    screening_reminders.schedule_escalation(concern)
    Reminder.objects.filter(rule="concern.unacknowledged").update(due_at=timezone.now())
    conversation = ConversationFactory(
        contact=ContactFactory(
            family=family, recorded_by=hv, contact_date=datetime.date(2026, 11, 20)
        ),
        consent_status="given",
    )
    conversation_reminders.schedule_unfinished(conversation, days_ago(8))


def texts_for(client, user) -> list[str]:
    client.force_login(user)
    response = client.get(reverse("notification_list"))
    assert response.status_code == 200
    return sorted(text.text for _notification, text in response.context["items"])


def test_in_app_each_notification_names_the_family_and_what_it_is_about(
    client, family, hv, team_lead, run_reminders, outbox
):
    make_every_kind(family, hv, team_lead)
    run_reminders(timezone.now() + datetime.timedelta(hours=1))

    assert texts_for(client, team_lead) == sorted(
        [
            "Referral for the Okonkwo-Smith family to Perinatal Mental Health Team has waited "
            "2 working days for your review",
            "Referral for the Okonkwo-Smith family to Perinatal Mental Health Team is still "
            "unacknowledged after twice the service's expected time",
            "Urgent concern for the Okonkwo-Smith family (safeguarding) has not been acknowledged",
        ]
    )
    assert texts_for(client, hv) == sorted(
        [
            "Perinatal Mental Health Team has not acknowledged the referral for the "
            "Okonkwo-Smith family in its expected time",
            "Referral for the Okonkwo-Smith family to Perinatal Mental Health Team is still "
            "unacknowledged after twice the service's expected time",
            "Referral for the Okonkwo-Smith family to Perinatal Mental Health Team was returned "
            "to you: see what needs changing",
            "Follow-up with the Okonkwo-Smith family is due tomorrow: Check how the first VIG "
            "session went",
            "Conversation with the Okonkwo-Smith family at the contact on 20 November 2026 is "
            "not finished",
        ]
    )
    page = client.get(reverse("notification_list")).content.decode()
    assert "Okonkwo-Smith family" in page

    # The emails of the same notifications name nobody and hold no NHS number.
    assert len(outbox) == Notification.objects.count() >= 8
    for email in outbox:
        text = email.subject + email.body
        assert "Okonkwo" not in text
        assert NHS_NUMBER not in text
        assert "LS1" not in text
        assert "Perinatal" not in text
        assert "VIG" not in text


def test_overdue_follow_up_names_the_family_and_due_date(client, family, hv, team_lead):
    follow_up = referral_services.follow_up_plan(
        actor=hv, family=family, due_on=timezone.localdate(), purpose="Weigh the baby"
    )
    reminder = Reminder.objects.get(rule="follow_up.overdue", subject_id=follow_up.pk)
    Notification.objects.create(
        reminder=reminder, recipient=hv, title="A follow-up contact is overdue", link="/"
    )
    due = f"{timezone.localdate():%-d %B %Y}"
    assert texts_for(client, hv) == [
        f"Follow-up with the Okonkwo-Smith family is overdue (due {due}): Weigh the baby"
    ]


def test_a_subject_the_reader_can_no_longer_see_shows_only_the_title(
    client, family, hv, team_lead, team_b
):
    referral = ReferralFactory(family=family, created_by=hv)
    move(referral, hv, "submit", days_ago(10))
    reminder = Reminder.objects.get(rule="referral.review")
    Notification.objects.create(
        reminder=reminder,
        recipient=team_lead,
        title="A referral has waited 2 working days for your review",
        link=f"/referrals/{referral.pk}/",
    )
    family.team = team_b
    family.save()
    assert texts_for(client, team_lead) == ["A referral has waited 2 working days for your review"]
    # Nothing named, so nothing about the family is logged as shown.
    assert not AccessLog.objects.filter(family_ids__contains=[family.pk]).exists()


def test_the_list_logs_the_families_it_names(client, family, hv, team_lead, run_reminders):
    referral = ReferralFactory(family=family, created_by=hv)
    move(referral, hv, "submit", days_ago(10))
    run_reminders(timezone.now())
    client.force_login(team_lead)
    before = AccessLog.objects.count()
    client.get(reverse("notification_list"))
    (row,) = AccessLog.objects.order_by("pk")[before:]
    assert (row.user, row.action, row.family_ids) == (team_lead, "list", [family.pk])


def test_rules_without_a_reader_keep_their_title(family, team_lead):
    reminder = Reminder.objects.create(
        rule="some.other", subject_type="elsewhere.thing", subject_id=1, due_at=timezone.now()
    )
    notification = Notification.objects.create(
        reminder=reminder, recipient=team_lead, title="Something happened", link="/"
    )
    plain = Notification.objects.create(recipient=team_lead, title="No reminder", link="/")
    texts = rules.in_app_texts(team_lead, [notification, plain])
    assert texts[notification.pk].text == "Something happened"
    assert texts[plain.pk].text == "No reminder"


def test_notification_list_query_count_does_not_grow_with_its_rows(
    client, team_a, hv, team_lead, run_reminders
):
    client.force_login(hv)
    counts = []
    for n, families in enumerate([1, 3]):
        for m in range(families):
            family = FamilyFactory(team=team_a, named_hv=hv, name=f"Family {n}-{m}")
            BabyFactory(family=family)
            make_every_kind(family, hv, team_lead, name=f"Service {n}-{m}")
        run_reminders(timezone.now() + datetime.timedelta(hours=1))
        client.get(reverse("notification_list"))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("notification_list"))
        assert len(response.context["items"]) == 5 * sum([1, 3][: n + 1])
        counts.append(len(queries))
    assert counts[0] == counts[1]
