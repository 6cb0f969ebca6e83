"""A duplicate urgent concern (hazard H-056): the same form sent twice raises one concern and
one set of escalation reminders, whether it is flagged by hand or raised by a safety rule."""

import uuid

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from attachment_app.reminders.models import Reminder
from screening import services
from screening.models import Concern, ConcernCategory, ScreeningResult
from tests.factories import ContactFactory, ConversationFactory, FamilyFactory
from tests.screening.test_pages import PHQ9_NONE

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact(team_a, hv):
    services.instrument_definitions_load_shipped()
    contact = ContactFactory(family=FamilyFactory(team=team_a, named_hv=hv), recorded_by=hv)
    ConversationFactory(contact=contact, consent_status="given")
    return contact


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _post_twice(client, url, data):
    data = {**data, "submission_key": str(uuid.uuid4())}
    first = client.post(url, data)
    again = client.post(url, data)
    return first, again


def test_an_urgent_concern_sent_twice_is_one_concern_with_one_set_of_reminders(hv_client, contact):
    category = ConcernCategory.objects.get(code="domestic_abuse")
    data = {"category": category.pk, "severity": "high", "note": "Disclosed", "urgent": "on"}
    first, again = _post_twice(hv_client, reverse("concern_create", args=[contact.pk]), data)
    concern = Concern.objects.get()
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    assert any("already saved" in text for text in _messages(again))
    escalations = Reminder.objects.filter(subject_id=concern.pk, subject_type="screening.concern")
    assert escalations.count() >= 1
    assert Reminder.objects.count() == escalations.count()


def test_a_safety_rule_result_sent_twice_is_one_result_and_one_urgent_concern(hv_client, contact):
    data = {**PHQ9_NONE, "item_9": "several_days"}
    url = reverse("screening_complete", args=[contact.pk, "phq9"])
    first, again = _post_twice(hv_client, url, data)
    assert again["Location"] == first["Location"]
    assert ScreeningResult.objects.count() == 1
    assert Concern.objects.filter(urgent=True).count() == 1


def test_without_the_key_the_same_form_twice_makes_two(hv_client, contact):
    """What the key prevents (and why every form must carry one): the test above can fail."""
    category = ConcernCategory.objects.get(code="domestic_abuse")
    data = {"category": category.pk, "severity": "high", "note": "Disclosed", "urgent": "on"}
    url = reverse("concern_create", args=[contact.pk])
    hv_client.post(url, data)
    hv_client.post(url, data)
    assert Concern.objects.count() == 2
