"""Where records hang on each other: nothing still relied on is hidden without saying so.

- A result that raised an urgent concern may be marked; the concern stays open and awaiting
  acknowledgement, with its reminders, and the form page says so.
- A contact whose conversation has a consent decision, and a parent named in one, stay: the
  page says why and offers no form. A contact with results, concerns or notes on it is marked
  after them, and the page names them.
- A concern or result linked to an open referral is marked after the referral is changed or
  withdrawn.
- A correction marked entered in error gives the result it corrected its place back.
- The family page's query count does not grow with the records entered in error.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.utils import ProgrammingError
from django.urls import reverse
from django.utils import timezone

from attachment_app.reminders.models import Reminder
from conversations.services import record_mark_entered_in_error
from screening import services as screening_services
from screening.models import Concern, ScreeningResult
from tests.factories import CaregiverFactory, ContactFactory
from tests.factories_referrals import ConcernFactory

pytestmark = pytest.mark.django_db

REASON = "Recorded for the wrong family."


def test_marking_a_result_leaves_its_urgent_concern_open_and_says_so(world, sign_in):
    result, concern = world.result, world.concern
    client = sign_in(world.hv)
    page = client.get(reverse("screening_result_entered_in_error", args=[result.pk]))
    text = page.content.decode()
    assert "The urgent parental mental health concern it raised is not changed" in text
    assert "until someone acknowledges it or marks it as entered in error itself" in text

    client.post(reverse("screening_result_entered_in_error", args=[result.pk]), {"reason": REASON})
    result.refresh_from_db()
    concern.refresh_from_db()
    assert result.entered_in_error_at is not None
    assert concern.entered_in_error_at is None
    assert Concern.objects.awaiting_acknowledgement().filter(pk=concern.pk).exists()
    assert Reminder.objects.filter(
        subject_type="screening.concern", subject_id=concern.pk, status=Reminder.Status.PENDING
    ).exists()
    family = client.get(reverse("family_detail", args=[world.family.pk]))
    assert concern in family.context["screening"].open_concerns
    # The result's own page says it was entered in error and that the concern stays.
    own = client.get(reverse("screening_result_detail", args=[result.pk])).content.decode()
    assert "This result was marked as entered in error" in own
    assert "Any concern it raised stays on the family" in own


def test_a_contact_with_a_consent_decision_stays(world, sign_in):
    contact = world.waiting_contact
    from conversations.services import consent_record

    consent_record(
        actor=world.hv,
        conversation=world.waiting_conversation,
        decision="declined",
        caregivers=[world.caregiver],
    )
    client = sign_in(world.hv)
    url = reverse("contact_entered_in_error", args=[contact.pk])
    page = client.get(url).content.decode()
    assert "A consent decision was recorded in the conversation at this contact" in page
    assert 'name="reason"' not in page
    client.post(url, {"reason": REASON})
    with pytest.raises(ValidationError, match="consent decision"):
        record_mark_entered_in_error(actor=world.hv, record=contact, reason=REASON)
    contact.refresh_from_db()
    assert contact.entered_in_error_at is None


def test_a_contact_with_results_is_marked_after_them(world, sign_in):
    contact = ContactFactory(family=world.family, baby=world.baby, recorded_by=world.hv)
    phq9 = screening_services.current_definition("phq9")
    result = screening_services.screening_result_record(
        parent_agreed=True,
        actor=world.hv,
        contact=contact,
        definition=phq9,
        answers={str(n): "not_at_all" for n in range(1, 10)},
    )
    client = sign_in(world.hv)
    page = client.get(reverse("contact_entered_in_error", args=[contact.pk])).content.decode()
    assert "This contact has 1 screening result recorded at it" in page
    assert "Mark each result as entered in error first" in page
    record_mark_entered_in_error(actor=world.hv, record=result, reason=REASON)
    record_mark_entered_in_error(actor=world.hv, record=contact, reason=REASON)
    contact.refresh_from_db()
    assert contact.entered_in_error_at is not None


def test_a_parent_named_in_a_consent_decision_stays(world, sign_in):
    caregiver = world.caregiver
    client = sign_in(world.hv)
    page = client.get(reverse("caregiver_entered_in_error", args=[caregiver.pk])).content.decode()
    assert "is named in a consent decision" in page
    assert 'name="reason"' not in page
    with pytest.raises(ValidationError, match="consent decision"):
        record_mark_entered_in_error(actor=world.hv, record=caregiver, reason=REASON)


def test_a_marked_parent_is_no_longer_offered_for_consent(world, sign_in):
    spare = CaregiverFactory(family=world.family, name="Sam Duplicate")
    record_mark_entered_in_error(actor=world.hv, record=spare, reason=REASON)
    page = sign_in(world.hv).get(
        reverse("conversation_consent", args=[world.waiting_conversation.pk])
    )
    assert "Sam Duplicate" not in page.content.decode()


def test_a_concern_linked_to_an_open_referral_is_marked_after_the_referral(world, sign_in):
    concern = world.open_concern  # linked to the world's open referrals
    page = sign_in(world.hv).get(reverse("concern_entered_in_error", args=[concern.pk]))
    assert "This concern is linked to an open referral" in page.content.decode()
    with pytest.raises(ValidationError, match="open referral"):
        record_mark_entered_in_error(actor=world.hv, record=concern, reason=REASON)


def test_a_marked_concern_is_not_acknowledged_or_closed(world):
    concern = world.concern
    record_mark_entered_in_error(actor=world.hv, record=concern, reason=REASON)
    concern.refresh_from_db()
    with pytest.raises(ValidationError, match="entered in error"):
        screening_services.concern_acknowledge(
            actor=world.hv, concern=concern, action_taken="Called the GP."
        )


def test_a_correction_marked_in_error_gives_the_corrected_result_its_place_back(world):
    phq9 = screening_services.current_definition("phq9")
    original = screening_services.screening_result_record(
        parent_agreed=True,
        actor=world.hv,
        contact=world.bare_contact,
        definition=phq9,
        answers={str(n): "not_at_all" for n in range(1, 10)},
    )
    correction = screening_services.screening_result_record(
        parent_agreed=True,
        actor=world.hv,
        contact=world.bare_contact,
        definition=phq9,
        answers={str(n): "several_days" for n in range(1, 9)} | {"9": "not_at_all"},
        supersedes=original,
        correction_reason="Item 1 was misread.",
    )
    current = ScreeningResult.objects.current()
    assert not current.filter(pk=original.pk).exists()
    record_mark_entered_in_error(actor=world.hv, record=correction, reason=REASON)
    assert current.filter(pk=original.pk).exists()
    assert not current.filter(pk=correction.pk).exists()


def test_the_database_lets_a_result_be_marked_once_and_changed_no_other_way(world):
    result = world.result
    with pytest.raises(ProgrammingError, match="Cannot"), transaction.atomic():
        ScreeningResult.objects.filter(pk=result.pk).update(total=0)
    with (
        pytest.raises(ProgrammingError, match="Cannot"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM screening_screeningresult WHERE id = %s", [result.pk])
    marked = {
        "entered_in_error_at": timezone.now(),
        "entered_in_error_by": world.hv,
        "entered_in_error_reason": REASON,
    }
    ScreeningResult.objects.filter(pk=result.pk).update(**marked)
    with pytest.raises(ProgrammingError, match="Cannot"), transaction.atomic():
        ScreeningResult.objects.filter(pk=result.pk).update(entered_in_error_reason="Changed.")
    result.refresh_from_db()
    assert result.entered_in_error_reason == REASON
    assert connection.is_usable()


@pytest.mark.parametrize("count", [2, 12])
def test_family_page_query_count_does_not_grow_with_records_entered_in_error(
    world, sign_in, django_assert_num_queries, count
):
    phq9 = screening_services.current_definition("phq9")
    for index in range(count):
        contact = ContactFactory(family=world.family, baby=world.baby, recorded_by=world.hv)
        result = screening_services.screening_result_record(
            parent_agreed=True,
            actor=world.hv,
            contact=contact,
            definition=phq9,
            answers={str(n): "not_at_all" for n in range(1, 10)},
        )
        concern = ConcernFactory(family=world.family, raised_by=world.hv)
        caregiver = CaregiverFactory(family=world.family)
        signpost = world.signpost.__class__.objects.create(
            family=world.family,
            resource_name=f"Leaflet {index}",
            given_on=timezone.localdate(),
            recorded_by=world.hv,
        )
        for record in (result, concern, caregiver, signpost):
            record_mark_entered_in_error(actor=world.hv, record=record, reason=REASON)
        record_mark_entered_in_error(actor=world.hv, record=contact, reason=REASON)
    client = sign_in(world.hv)
    url = reverse("family_detail", args=[world.family.pk])
    client.get(url)
    # The same for 2 records of each kind entered in error or 12: the results entered in error
    # are one query, the other kinds come with the queries that read their lists.
    with django_assert_num_queries(22):
        response = client.get(url)
    assert len(response.context["entered_in_error"]) == 5 * count


def test_nothing_more_is_recorded_at_a_contact_entered_in_error(world):
    from conversations.services import conversation_start

    contact = world.bare_contact
    record_mark_entered_in_error(actor=world.hv, record=contact, reason=REASON)
    contact.refresh_from_db()
    with pytest.raises(ValidationError, match="marked as entered in error"):
        conversation_start(actor=world.hv, contact=contact)
    with pytest.raises(ValidationError, match="marked as entered in error"):
        screening_services.screening_result_record(
            parent_agreed=True,
            actor=world.hv,
            contact=contact,
            definition=screening_services.current_definition("phq9"),
            answers={str(n): "not_at_all" for n in range(1, 10)},
        )
    with pytest.raises(ValidationError, match="marked as entered in error"):
        screening_services.observation_record(
            actor=world.hv, contact=contact, kind="strength", text="Calm."
        )
    assert not ScreeningResult.objects.filter(contact=contact).exists()


def test_the_pages_of_a_marked_concern_and_follow_up_offer_nothing_to_do(world, sign_in):
    record_mark_entered_in_error(actor=world.hv, record=world.concern, reason=REASON)
    record_mark_entered_in_error(actor=world.hv, record=world.follow_up, reason=REASON)
    client = sign_in(world.hv)
    page = client.get(reverse("concern_acknowledge", args=[world.concern.pk])).content.decode()
    assert "This concern was marked as entered in error, so it is not acted on" in page
    assert 'name="action_taken"' not in page
    closing = client.get(reverse("follow_up_close", args=[world.follow_up.pk]))
    assert closing.status_code == 302
    assert closing["Location"] == reverse("family_detail", args=[world.family.pk])
