"""A safety question left unanswered, against the real database: the urgent concern it raises
and the result page's banner both say it was not answered and ask for it to be asked directly.

The shipped PHQ-9 permits no gap, so each test loads a PHQ-9 version 2 that permits one.
"""

import json
import re

import pytest
from django.urls import reverse

from screening import services
from screening.engine import DEFINITIONS_DIR
from screening.models import Concern, ScreeningResult
from tests.factories import ContactFactory, ConversationFactory, FamilyFactory

pytestmark = pytest.mark.django_db

ASK = (
    "PHQ-9 item 9 was not answered: ask the parent directly about thoughts of being better off "
    "dead or of self-harm today, whatever the total. If their answer gives cause for concern, "
    "follow your trust's urgent procedure; either way, tell your team lead."
)
NOUGHT = dict.fromkeys([str(n) for n in range(1, 10)], "not_at_all")


@pytest.fixture
def phq9_with_a_gap(db, admin_user):
    services.instrument_definitions_load_shipped()
    data = json.loads((DEFINITIONS_DIR / "phq9.v1.json").read_text(encoding="utf-8"))
    return services.instrument_definition_add(
        data={**data, "version": 2, "allow_missing": 1}, actor=admin_user
    )


@pytest.fixture
def contact(team_a, hv):
    contact = ContactFactory(family=FamilyFactory(team=team_a, named_hv=hv), recorded_by=hv)
    ConversationFactory(contact=contact, consent_status="given")
    return contact


def record(hv, contact, definition, answers):
    return services.screening_result_record(
        parent_agreed=True, actor=hv, contact=contact, definition=definition, answers=answers
    )


def test_an_unanswered_self_harm_item_raises_an_urgent_concern_saying_so(
    phq9_with_a_gap, hv, contact
):
    result = record(hv, contact, phq9_with_a_gap, NOUGHT | {"9": None})
    assert result.triggered_rules == ["phq9_item9_self_harm"]
    concern = Concern.objects.get()
    assert (concern.urgent, concern.source_result, concern.source_rule) == (
        True,
        result,
        "phq9_item9_self_harm",
    )
    assert concern.category.code == "parental_mental_health"
    assert concern.note == ASK
    assert Concern.objects.awaiting_acknowledgement().count() == 1


def test_an_answered_self_harm_item_raises_the_concern_in_the_rules_own_words(
    phq9_with_a_gap, hv, contact
):
    record(hv, contact, phq9_with_a_gap, NOUGHT | {"9": "several_days"})
    assert Concern.objects.get().note.startswith(
        "The parent has had thoughts of being better off dead or of hurting themselves"
    )


def test_another_unanswered_item_raises_no_concern(phq9_with_a_gap, hv, contact):
    result = record(hv, contact, phq9_with_a_gap, NOUGHT | {"2": None})
    assert (result.triggered_rules, Concern.objects.count()) == ([], 0)


def test_the_result_page_banner_says_the_question_was_not_answered(
    phq9_with_a_gap, hv_client, contact
):
    data = {f"item_{n}": "not_at_all" for n in range(1, 9)} | {"parent_agreed": "on"}
    response = hv_client.post(reverse("screening_complete", args=[contact.pk, "phq9"]), data)
    result = ScreeningResult.objects.get()
    assert result.definition == phq9_with_a_gap
    assert response["Location"] == reverse("screening_result_detail", args=[result.pk])
    html = hv_client.get(response["Location"]).content.decode()
    label = "PHQ-9 item 9: thoughts of being better off dead or of self-harm"
    assert re.search(rf"Urgent concern: {label} \(not answered\)\s*</span>", html)
    assert ASK.replace("'", "&#x27;") in html
    assert "assess their safety today" not in html
    assert reverse("concern_acknowledge", args=[Concern.objects.get().pk]) in html


def test_the_result_page_banner_for_an_answered_item_is_unchanged(
    phq9_with_a_gap, hv_client, hv, contact
):
    result = record(hv, contact, phq9_with_a_gap, NOUGHT | {"9": "several_days"})
    html = hv_client.get(reverse("screening_result_detail", args=[result.pk])).content.decode()
    assert "not answered" not in html
    assert "assess their safety today" in html
