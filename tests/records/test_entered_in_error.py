"""Marking a record entered in error, for each kind that may be marked.

The record stays, with who marked it, when and why, and its history keeps the change; it leaves
the family page's lists for the "Shown as entered in error" section, and every other list,
figure, export and reminder it counted in. Another team, an admin, a second mark and a missing
reason are all refused.
"""

import csv
import datetime
import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from attachment_app.reminders.models import Reminder
from attachment_app.reminders.services import reminder_schedule, reminder_send
from conversations.services import record_mark_entered_in_error
from referrals import dashboard
from screening import services as screening_services
from tests.factories import CaregiverFactory, ContactFactory
from tests.factories_referrals import ConcernFactory

pytestmark = pytest.mark.django_db

REASON = "The form was sent twice."


@dataclass(frozen=True)
class Kind:
    """One kind of record: its page, a record of the world that may be marked, and where the
    family page lists it."""

    url_name: str
    record: Any
    listed: Any
    section: str


def _results(context):
    return [result for row in context["screening"].instruments for result in row.results]


def _concerns(context):
    return context["screening"].open_concerns + context["screening"].closed_concerns


def _observations(context):
    return context["screening"].strengths + context["screening"].needs


def _follow_ups(context):
    return context["support"]["open_follow_ups"] + context["support"]["closed_follow_ups"]


KINDS = {
    "caregiver": Kind(
        "caregiver_entered_in_error",
        # The world's parent is named in a consent decision; a second one is not.
        lambda w: CaregiverFactory(family=w.family, name="Sam Duplicate"),
        lambda c: c["caregivers"],
        "Parent or carer",
    ),
    "contact": Kind(
        "contact_entered_in_error",
        lambda w: w.bare_contact,
        lambda c: [row["contact"] for row in c["contacts"]],
        "Contact",
    ),
    "result": Kind(
        "screening_result_entered_in_error", lambda w: w.result, _results, "Screening result"
    ),
    "concern": Kind("concern_entered_in_error", lambda w: w.concern, _concerns, "Concern"),
    "observation": Kind(
        "observation_entered_in_error",
        lambda w: w.observation,
        _observations,
        "Strength or area of need",
    ),
    "signpost": Kind(
        "signpost_entered_in_error",
        lambda w: w.signpost,
        lambda c: c["support"]["signposts"],
        "Signpost",
    ),
    "follow_up": Kind(
        "follow_up_entered_in_error", lambda w: w.follow_up, _follow_ups, "Follow-up"
    ),
}


def url_of(kind: Kind, record) -> str:
    return reverse(kind.url_name, args=[record.pk])


def family_page(client, world):
    response = client.get(reverse("family_detail", args=[world.family.pk]))
    assert response.status_code == 200
    return response


def marked_entries(context) -> set[tuple[str, int]]:
    return {(entry.kind, entry.record.pk) for entry in context["entered_in_error"]}


# --- Marking, for every kind -------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(KINDS))
def test_marking_moves_the_record_to_the_entered_in_error_section_and_keeps_it(
    name, world, sign_in
):
    kind = KINDS[name]
    record = kind.record(world)
    client = sign_in(world.hv)
    before = family_page(client, world)
    assert record.pk in {row.pk for row in kind.listed(before.context)}
    assert (kind.section, record.pk) not in marked_entries(before.context)
    link = url_of(kind, record)
    assert f'href="{link}"' in before.content.decode()

    opened = client.get(link)
    assert opened.status_code == 200
    assert "Mark as entered in error" in opened.content.decode()
    response = client.post(link, {"reason": f"  {REASON}  "})

    assert response.status_code == 302
    assert response["Location"] == reverse("family_detail", args=[world.family.pk]) + (
        "#entered-in-error"
    )
    after = family_page(client, world)
    assert record.pk not in {row.pk for row in kind.listed(after.context)}
    assert (kind.section, record.pk) in marked_entries(after.context)
    html = after.content.decode()
    assert "Shown as entered in error" in html
    assert REASON in html
    assert "marked as entered in error" in html  # the success message
    # The row stays, with who, when and why.
    record.refresh_from_db()
    assert record.entered_in_error_by == world.hv
    assert record.entered_in_error_reason == REASON
    assert abs(timezone.now() - record.entered_in_error_at) < datetime.timedelta(minutes=1)


@pytest.mark.parametrize("name", sorted(KINDS))
def test_the_history_keeps_the_mark_with_who_made_it(name, world, sign_in):
    kind = KINDS[name]
    record = kind.record(world)
    client = sign_in(world.hv)
    client.post(url_of(kind, record), {"reason": REASON})
    events = type(record).pgh_event_model.objects.filter(pgh_obj_id=record.pk)
    mark = events.get(entered_in_error_reason=REASON)
    assert mark.entered_in_error_by_id == world.hv.pk
    assert mark.pgh_context.metadata["user"] == world.hv.pk
    # The event before it is the record as it stood.
    assert events.filter(entered_in_error_at__isnull=True).exists()
    assert type(record).objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("name", sorted(KINDS))
def test_another_teams_user_and_an_admin_get_not_found(
    name, world, sign_in, team_lead_b, admin_user
):
    kind = KINDS[name]
    record = kind.record(world)
    for person in (team_lead_b, admin_user):
        client = sign_in(person)
        assert client.get(url_of(kind, record)).status_code == 404
        assert client.post(url_of(kind, record), {"reason": REASON}).status_code == 404
    record.refresh_from_db()
    assert record.entered_in_error_at is None


@pytest.mark.parametrize("name", sorted(KINDS))
def test_a_record_is_marked_once(name, world, sign_in):
    kind = KINDS[name]
    record = kind.record(world)
    record_mark_entered_in_error(actor=world.team_lead, record=record, reason=REASON)
    client = sign_in(world.hv)
    page = client.get(url_of(kind, record)).content.decode()
    assert "Already marked as entered in error" in page
    assert "cannot be marked again" in page
    assert 'name="reason"' not in page
    response = client.post(url_of(kind, record), {"reason": "Again."})
    assert response.status_code == 200
    with pytest.raises(ValidationError, match="already marked as entered in error"):
        record_mark_entered_in_error(actor=world.hv, record=record, reason="Again.")
    record.refresh_from_db()
    assert (record.entered_in_error_by, record.entered_in_error_reason) == (
        world.team_lead,
        REASON,
    )


@pytest.mark.parametrize("name", sorted(KINDS))
def test_a_reason_is_required_and_limited(name, world, sign_in):
    kind = KINDS[name]
    record = kind.record(world)
    client = sign_in(world.hv)
    empty = client.post(url_of(kind, record), {"reason": "   "})
    assert empty.status_code == 200
    assert "Enter why it was entered in error" in empty.content.decode()
    long = client.post(url_of(kind, record), {"reason": "x" * 501})
    assert "The reason must be 500 characters or fewer" in long.content.decode()
    record.refresh_from_db()
    assert record.entered_in_error_at is None
    with pytest.raises(ValidationError):
        record_mark_entered_in_error(actor=world.hv, record=record, reason=" ")


# --- Reminders -----------------------------------------------------------------------------------


def test_marking_an_urgent_concern_cancels_its_escalation_and_none_is_made_again(world):
    concern = world.concern
    pending = Reminder.objects.filter(subject_id=concern.pk, subject_type="screening.concern")
    assert pending.filter(status=Reminder.Status.PENDING).exists()
    record_mark_entered_in_error(actor=world.hv, record=concern, reason=REASON)
    assert not pending.filter(status=Reminder.Status.PENDING).exists()
    assert pending.filter(status=Reminder.Status.CANCELLED).exists()
    # A service that would schedule one for it now schedules nothing.
    concern.refresh_from_db()
    made = reminder_schedule(rule="concern.unacknowledged", subject=concern, due_at=timezone.now())
    assert made is None
    assert not pending.filter(status=Reminder.Status.PENDING).exists()


def test_marking_a_follow_up_cancels_its_due_reminders(world):
    follow_up = world.follow_up
    reminders = Reminder.objects.filter(subject_type="referrals.followup", subject_id=follow_up.pk)
    assert reminders.filter(status=Reminder.Status.PENDING).exists()
    record_mark_entered_in_error(actor=world.hv, record=follow_up, reason=REASON)
    assert reminders.exists()
    assert not reminders.exclude(status=Reminder.Status.CANCELLED).exists()


def test_a_reminder_left_pending_for_a_marked_record_is_cancelled_when_sent(world):
    concern = world.concern
    reminder = Reminder.objects.get(
        subject_type="screening.concern", subject_id=concern.pk, status=Reminder.Status.PENDING
    )
    # Marked without the service (as a row changed elsewhere would be): the send still stops.
    type(concern).objects.filter(pk=concern.pk).update(
        entered_in_error_at=timezone.now(),
        entered_in_error_by=world.hv,
        entered_in_error_reason="x",
    )
    Reminder.objects.filter(pk=reminder.pk).update(due_at=timezone.now())
    assert reminder_send(reminder.pk) == "cancelled"
    assert not reminder.notifications.exists()


# --- Everywhere else it was listed or counted ----------------------------------------------------


def test_an_urgent_concern_marked_leaves_the_home_page_and_the_urgent_list(world, sign_in):
    client = sign_in(world.team_lead)
    home = client.get(reverse("home"))
    assert world.concern in home.context["urgent_concerns"].items
    record_mark_entered_in_error(actor=world.hv, record=world.concern, reason=REASON)
    home = client.get(reverse("home"))
    assert world.concern not in home.context["urgent_concerns"].items
    listed = client.get(reverse("urgent_concern_list"))
    assert listed.status_code == 200
    assert world.concern.pk not in {c.pk for c in listed.context["concerns"]}


def test_a_marked_concern_feeds_no_service_suggestion(world, sign_in):
    from referrals.selectors import family_open_concerns

    concern = world.concern
    assert concern in family_open_concerns(user=world.hv, family=world.family)
    record_mark_entered_in_error(actor=world.hv, record=concern, reason=REASON)
    assert concern not in family_open_concerns(user=world.hv, family=world.family)
    page = sign_in(world.hv).get(reverse("family_services", args=[world.family.pk]))
    assert concern.pk not in {c.pk for c in page.context["concerns"]}


def test_a_marked_follow_up_leaves_the_caseload(world, sign_in):
    client = sign_in(world.hv)

    def follow_up_notes():
        rows = client.get(reverse("home")).context["rows"]
        return [
            note["label"]
            for row in rows
            if row["family"].pk == world.family.pk
            for note in row["notes"]
        ]

    assert "Follow-up: Check on sleep." in follow_up_notes()
    record_mark_entered_in_error(actor=world.hv, record=world.follow_up, reason=REASON)
    assert "Follow-up: Check on sleep." not in follow_up_notes()


def test_a_marked_contact_no_longer_counts_as_the_mandated_contact_done(hv, team_a):
    from conversations.models import ContactType
    from conversations.services import family_refresh_schedule
    from tests.factories import BabyFactory, FamilyFactory

    family = FamilyFactory(team=team_a, named_hv=hv)
    BabyFactory(family=family, date_of_birth=timezone.localdate() - datetime.timedelta(days=12))
    family_refresh_schedule(family=family)
    family.refresh_from_db()
    assert family.next_contact_type == ContactType.NEW_BIRTH
    done = ContactFactory(family=family, baby=None, contact_type=ContactType.NEW_BIRTH)
    family_refresh_schedule(family=family)
    family.refresh_from_db()
    assert family.next_contact_type == ContactType.SIX_TO_EIGHT_WEEKS
    record_mark_entered_in_error(actor=hv, record=done, reason=REASON)
    family.refresh_from_db()
    assert family.next_contact_type == ContactType.NEW_BIRTH


def _period():
    today = timezone.localdate()
    return dashboard.Period(start=today - datetime.timedelta(days=30), end=today), today


def _figure(user, slug):
    period, today = _period()
    return dashboard.figure(slug, user=user, period=period, today=today).rows


def _row(rows, label):
    return next(row for row in rows if row[0] == label)


def test_a_duplicate_result_marked_no_longer_counts_on_the_dashboard_or_its_export(world, sign_in):
    """H-029: a double-submitted result counted twice; marked, it counts once."""
    phq9 = screening_services.current_definition("phq9")
    answers = {str(n): "not_at_all" for n in range(1, 10)}
    first = screening_services.screening_result_record(
        parent_agreed=True,
        actor=world.hv,
        contact=world.bare_contact,
        definition=phq9,
        answers=answers,
    )
    duplicate = screening_services.screening_result_record(
        parent_agreed=True,
        actor=world.hv,
        contact=world.bare_contact,
        definition=phq9,
        answers=answers,
    )
    before = _row(_figure(world.team_lead, "instruments"), phq9.name)
    client = sign_in(world.team_lead)

    def exported():
        response = client.get(reverse("dashboard_figure_export", args=["instruments"]))
        text = b"".join(response.streaming_content).decode()
        return _row(list(csv.reader(io.StringIO(text))), phq9.name)

    assert exported()[1] == str(before[1])
    record_mark_entered_in_error(actor=world.hv, record=duplicate, reason=REASON)
    after = _row(_figure(world.team_lead, "instruments"), phq9.name)
    assert after[1] == before[1] - 1
    assert exported()[1] == str(before[1] - 1)
    first.refresh_from_db()
    assert first.entered_in_error_at is None


def test_a_marked_concern_leaves_the_concern_and_urgent_figures(world):
    # A second urgent concern, so the figure still has rows once the first is marked.
    ConcernFactory(family=world.family, raised_by=world.hv, urgent=True, severity="high")

    def raised():
        return _row(_figure(world.team_lead, "urgent"), "Urgent concerns raised")[1]

    def concerns_counted():
        return sum(row[-1] for row in _figure(world.team_lead, "concerns"))

    urgent_before, concerns_before = raised(), concerns_counted()
    assert urgent_before == 2
    record_mark_entered_in_error(actor=world.hv, record=world.concern, reason=REASON)
    assert raised() == urgent_before - 1
    assert concerns_counted() == concerns_before - 1


def test_a_marked_contact_leaves_the_contact_and_workload_figures(world):
    def contacts_counted():
        return sum(row[1] for row in _figure(world.team_lead, "conversations"))

    before = contacts_counted()
    record_mark_entered_in_error(actor=world.hv, record=world.bare_contact, reason=REASON)
    assert contacts_counted() == before - 1
