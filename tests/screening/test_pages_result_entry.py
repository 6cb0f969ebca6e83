"""Result-only (observational) instruments: the rater's result, through the service and the page."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from screening import services
from screening.models import ScreeningResult
from tests.factories import ContactFactory, ConversationFactory, FamilyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def definitions(db):
    services.instrument_definitions_load_shipped()


@pytest.fixture
def contact(team_a, hv):
    contact = ContactFactory(family=FamilyFactory(team=team_a, name="Okafor"), recorded_by=hv)
    ConversationFactory(contact=contact, consent_status="given")
    return contact


def record(actor, contact, code="kips", **overrides):
    entry = {
        "parent_agreed": True,
        "assessed_on": timezone.localdate() - datetime.timedelta(days=2),
        "rater": "A. Rater",
        "certification": "KIPS certified 2025",
        "score": Decimal("3.25"),
        "band": "Moderate (3.0 to 3.9)",
        "summary": "Warm, responsive play.",
        **overrides,
    }
    return services.screening_result_record_entry(
        actor=actor, contact=contact, definition=services.current_definition(code), **entry
    )


# --- The service ------------------------------------------------------------------------------


def test_rater_result_is_stored_with_date_score_and_band(hv, contact):
    result = record(hv, contact)
    assert (result.rater, result.certification, result.band) == (
        "A. Rater",
        "KIPS certified 2025",
        "Moderate (3.0 to 3.9)",
    )
    assert result.answers["score"] == "3.25"
    assert result.answers["assessed_on"] == str(timezone.localdate() - datetime.timedelta(days=2))
    # A mean with decimals is not a whole total.
    assert result.total is None
    assert result.positive is None
    assert result.definition.code == "kips"


def test_whole_score_is_also_the_total(hv, contact):
    result = record(hv, contact, code="adbb", score=Decimal(6), band="5 or more")
    assert result.total == 6


def test_rater_result_needs_the_parents_agreement_to_the_assessment(hv, contact):
    with pytest.raises(ValidationError) as caught:
        record(hv, contact, parent_agreed=False)
    assert caught.value.message_dict["parent_agreed"] == [
        "Confirm that the parent agreed to this assessment"
    ]
    assert ScreeningResult.objects.count() == 0


@pytest.mark.parametrize("status", ["declined", None])
def test_rater_result_is_recorded_whatever_was_decided_about_the_conversation(hv, team_a, status):
    contact = ContactFactory(family=FamilyFactory(team=team_a), recorded_by=hv)
    if status:
        ConversationFactory(contact=contact, consent_status=status)
    assert record(hv, contact).parent_agreed is True


def test_rater_result_names_every_problem(hv, contact):
    with pytest.raises(ValidationError) as caught:
        record(
            hv,
            contact,
            assessed_on=timezone.localdate() + datetime.timedelta(days=1),
            rater=" ",
            certification="",
            score=Decimal("5.5"),
            band="Excellent",
            summary="",
        )
    problems = caught.value.message_dict
    assert set(problems) == {"assessed_on", "rater", "certification", "score", "band", "summary"}
    assert "between 1 and 5" in problems["score"][0]
    assert ScreeningResult.objects.count() == 0


def test_rater_result_needs_a_score_or_band_when_the_instrument_has_them(hv, contact):
    with pytest.raises(ValidationError) as caught:
        record(hv, contact, score=None, band="")
    assert caught.value.message_dict["score"] == [
        "Record the mean item score or parenting quality."
    ]


def test_instrument_without_score_or_band_needs_only_the_summary(hv, contact):
    result = record(hv, contact, code="nbo", score=None, band="", certification="NBO trained")
    assert (result.total, result.band, result.summary) == (None, "", "Warm, responsive play.")


def test_instrument_scored_from_items_cannot_be_entered_as_a_result(hv, contact):
    with pytest.raises(ValidationError) as caught:
        record(hv, contact, code="phq9")
    assert "definition" in caught.value.message_dict


# --- The page ---------------------------------------------------------------------------------


def page_url(contact, code="kips"):
    return reverse("screening_complete", args=[contact.pk, code])


def test_result_entry_page_asks_date_rater_certification_score_band_and_summary(hv_client, contact):
    html = hv_client.get(page_url(contact)).content.decode()
    for name in ("assessed_on_day", "rater", "certification", "score", "band", "summary"):
        assert f'name="{name}"' in html
    assert "Mean item score" in html
    assert "Parenting interactions are a strength." in html
    assert "Keys to Interactive Parenting Scale" in html


def test_result_entry_page_leaves_out_what_the_instrument_does_not_have(hv_client, contact):
    html = hv_client.get(page_url(contact, "nbo")).content.decode()
    assert 'name="score"' not in html
    assert 'name="band"' not in html
    assert 'name="summary"' in html


def test_result_entry_saves_and_shows_the_result(hv_client, contact):
    today = timezone.localdate()
    data = {
        "parent_agreed": "on",
        "assessed_on_day": str(today.day),
        "assessed_on_month": str(today.month),
        "assessed_on_year": str(today.year),
        "rater": "A. Rater",
        "certification": "KIPS certified",
        "score": "4.2",
        "band": "High (4.0 to 5.0)",
        "summary": "Lovely play.",
    }
    response = hv_client.post(page_url(contact), data)
    result = ScreeningResult.objects.get()
    assert response["Location"] == reverse("screening_result_detail", args=[result.pk])
    html = hv_client.get(response["Location"]).content.decode()
    assert "4.2" in html
    assert "Parenting interactions are a strength." in html
    assert "A. Rater" in html
    assert today.strftime("%B %Y") in html


def test_result_entry_errors_from_the_service_keep_what_was_typed(hv_client, contact):
    today = timezone.localdate()
    data = {
        "parent_agreed": "on",
        "assessed_on_day": str(today.day),
        "assessed_on_month": str(today.month),
        "assessed_on_year": str(today.year),
        "rater": "A. Rater",
        "certification": "KIPS certified",
        "score": "7",
        "summary": "Kept summary.",
    }
    response = hv_client.post(page_url(contact), data)
    html = response.content.decode()
    assert 'href="#id_score">The mean item score must be between 1 and 5.' in html
    assert "Kept summary." in html
    assert ScreeningResult.objects.count() == 0


def test_result_entry_page_asks_the_parents_agreement_to_the_assessment(hv_client, contact):
    html = hv_client.get(page_url(contact)).content.decode()
    assert "The parent agreed to this assessment" in html
    response = hv_client.post(page_url(contact), {"rater": "A. Rater"})
    assert 'href="#id_parent_agreed">Confirm that the parent agreed to this assessment' in (
        response.content.decode()
    )
    assert ScreeningResult.objects.count() == 0
