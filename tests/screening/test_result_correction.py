"""Correcting a result: the instrument again as recorded, a reason, and a result that supersedes."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from attachment_app.audit.models import AccessLog
from screening import services
from screening.models import Concern, ScreeningResult
from screening.selectors_family import family_screening
from screening.views_results import CorrectScreeningResultView
from tests.factories import ContactFactory, ConversationFactory, FamilyFactory

pytestmark = pytest.mark.django_db

PHQ9_NONE = dict.fromkeys([str(n) for n in range(1, 10)], "not_at_all")


@pytest.fixture(autouse=True)
def definitions(db):
    services.instrument_definitions_load_shipped()


@pytest.fixture
def family(team_a, hv):
    return FamilyFactory(team=team_a, named_hv=hv, name="Osei")


@pytest.fixture
def contact(family, hv):
    contact = ContactFactory(family=family, recorded_by=hv)
    ConversationFactory(contact=contact, consent_status="given")
    return contact


def phq9(**answers):
    return {**PHQ9_NONE, **answers}


def record(actor, contact, answers, code="phq9", **kwargs):
    return services.screening_result_record(
        parent_agreed=True,
        actor=actor,
        contact=contact,
        definition=services.current_definition(code),
        answers=answers,
        **kwargs,
    )


@pytest.fixture
def old(hv, contact):
    """A PHQ-9 of 4 (Minimal) where item 4 should have been 'Nearly every day'."""
    return record(hv, contact, phq9(**{"1": "several_days", "2": "nearly_every_day"}))


def url(name, *args):
    return reverse(name, args=args)


def form_data(answers: dict, reason: str = "") -> dict:
    data = {f"item_{item}": value for item, value in answers.items()} | {"parent_agreed": "on"}
    return data | ({"correction_reason": reason} if reason else {})


def html_of(response) -> str:
    return response.content.decode()


# --- The correction page ----------------------------------------------------------------------


def test_result_page_offers_to_correct_a_current_result(hv_client, old):
    html = html_of(hv_client.get(url("screening_result_detail", old.pk)))
    assert url("screening_result_correct", old.pk) in html
    assert "correct this result" in html


def test_correction_page_is_the_instrument_filled_in_as_recorded_with_a_reason(hv_client, old):
    response = hv_client.get(url("screening_result_correct", old.pk))
    html = html_of(response)
    assert response.status_code == 200
    assert "<h1>Correct the PHQ-9 result</h1>" in html
    assert html.count('<fieldset class="nhsuk-fieldset"') == 9
    assert re.search(r'value="several_days"[^>]*id="id_item_1_1" checked', html)
    assert re.search(r'value="nearly_every_day"[^>]*id="id_item_2_3" checked', html)
    assert re.search(r'value="not_at_all"[^>]*id="id_item_9_0" checked', html)
    assert "Why are you correcting this result?" in html
    assert "Save the correction" in html
    assert f'href="{url("screening_result_detail", old.pk)}"' in html
    assert AccessLog.objects.filter(object_id=str(old.pk)).count() == 1


def test_a_correction_needs_a_reason_and_keeps_the_answers_given(hv_client, old):
    answers = phq9(**{"1": "several_days", "2": "nearly_every_day", "4": "nearly_every_day"})
    response = hv_client.post(url("screening_result_correct", old.pk), form_data(answers))
    html = html_of(response)
    assert response.status_code == 200
    assert html.count('class="nhsuk-error-summary"') == 1
    assert 'href="#id_correction_reason">Enter why you are correcting this result' in html
    assert re.search(r'value="nearly_every_day"[^>]*id="id_item_4_3" checked', html)
    assert ScreeningResult.objects.count() == 1


def test_a_missing_answer_in_a_correction_is_named(hv_client, old):
    answers = phq9()
    del answers["6"]
    response = hv_client.post(url("screening_result_correct", old.pk), form_data(answers, "Typo"))
    assert "Answer item 6" in html_of(response)
    assert ScreeningResult.objects.count() == 1


@pytest.mark.parametrize("actor", ["hv", "team_lead"])
def test_hv_or_team_lead_corrects_and_the_new_result_supersedes(client, request, old, actor):
    user = request.getfixturevalue(actor)
    client.force_login(user)
    answers = phq9(**{"1": "several_days", "2": "nearly_every_day", "4": "nearly_every_day"})
    response = client.post(
        url("screening_result_correct", old.pk),
        form_data(answers, "Item 4 was entered on the wrong row."),
    )
    new = ScreeningResult.objects.get(supersedes=old)
    assert response["Location"] == url("screening_result_detail", new.pk)
    assert (new.total, new.band, new.recorded_by) == (7, "Mild", user)
    assert new.correction_reason == "Item 4 was entered on the wrong row."
    assert list(ScreeningResult.objects.current()) == [new]

    new_html = html_of(client.get(response["Location"]))
    assert "Result corrected" in new_html
    assert "This result corrects the one recorded on" in new_html
    assert f'href="{url("screening_result_detail", old.pk)}"' in new_html
    assert url("screening_result_correct", new.pk) in new_html

    old_html = html_of(client.get(url("screening_result_detail", old.pk)))
    assert "This result was corrected on" in old_html
    assert f"by {user.get_full_name()}" in old_html
    assert "Item 4 was entered on the wrong row." in old_html
    assert f'href="{url("screening_result_detail", new.pk)}"' in old_html
    assert url("screening_result_correct", old.pk) not in old_html


def test_the_family_page_results_and_chart_use_only_the_correction(hv_client, hv, family, old):
    hv_client.post(
        url("screening_result_correct", old.pk),
        form_data(phq9(**{"1": "nearly_every_day", "2": "nearly_every_day"}), "Item 1 misread"),
    )
    new = ScreeningResult.objects.get(supersedes=old)
    (instrument,) = family_screening(user=hv, family=family)["screening"].instruments
    assert instrument.results == [new]
    assert [point.total for point in instrument.chart.points] == [6]


def test_the_contact_page_marks_the_corrected_result_and_its_correction(hv_client, hv, old):
    record(hv, old.contact, PHQ9_NONE, supersedes=old, correction_reason="Wrong family")
    html = html_of(hv_client.get(url("screening_start", old.contact_id)))
    assert ">Corrected</strong>" in html
    assert ">Correction</strong>" in html


# --- What cannot be corrected -----------------------------------------------------------------


def test_a_corrected_result_cannot_be_corrected_again(hv_client, hv, old):
    record(hv, old.contact, PHQ9_NONE, supersedes=old, correction_reason="First correction")
    response = hv_client.get(url("screening_result_correct", old.pk))
    assert response["Location"] == url("screening_result_detail", old.pk)
    html = html_of(hv_client.get(response["Location"]))
    assert "This result has already been corrected, so it cannot be corrected again." in html
    response = hv_client.post(
        url("screening_result_correct", old.pk), form_data(PHQ9_NONE, "Second correction")
    )
    assert response["Location"] == url("screening_result_detail", old.pk)
    assert ScreeningResult.objects.count() == 2
    assert not ScreeningResult.objects.filter(correction_reason="Second correction").exists()


def test_a_correction_saved_by_someone_else_meanwhile_is_caught_by_the_service(
    hv_client, hv, old, monkeypatch
):
    # The view's own check passed before the other correction was saved.
    monkeypatch.setattr(CorrectScreeningResultView, "check_correctable", lambda self: None)
    record(hv, old.contact, PHQ9_NONE, supersedes=old, correction_reason="First correction")
    response = hv_client.post(
        url("screening_result_correct", old.pk), form_data(PHQ9_NONE, "Second correction")
    )
    assert response["Location"] == url("screening_result_detail", old.pk)
    assert ScreeningResult.objects.filter(supersedes=old).count() == 1


def test_a_correction_after_consent_to_the_conversation_was_withdrawn(hv_client, old):
    # Withdrawing from the relationship conversation does not stop a questionnaire result being
    # put right: the parent agreed to the questionnaire itself.
    ConversationFactory._meta.model.objects.filter(contact=old.contact).update(
        consent_status="withdrawn"
    )
    page = html_of(hv_client.get(url("screening_result_correct", old.pk)))
    assert re.search(r'name="parent_agreed"[^>]*checked', page)
    response = hv_client.post(
        url("screening_result_correct", old.pk), form_data(PHQ9_NONE, "Reason")
    )
    new = ScreeningResult.objects.get(supersedes=old)
    assert response["Location"] == url("screening_result_detail", new.pk)


def test_a_retired_version_is_corrected_with_the_current_one(hv_client, admin_user, old):
    v1 = old.definition
    services.instrument_definition_add(data=dict(v1.definition, version=2), actor=admin_user)
    services.instrument_definition_retire(actor=admin_user, definition=v1)
    html = html_of(hv_client.get(url("screening_result_correct", old.pk)))
    assert "A newer version scores the correction" in html
    assert re.search(r'value="several_days"[^>]*id="id_item_1_1" checked', html)
    hv_client.post(url("screening_result_correct", old.pk), form_data(PHQ9_NONE, "Misread"))
    new = ScreeningResult.objects.get(supersedes=old)
    assert new.definition.version == 2


def test_an_instrument_no_longer_offered_cannot_be_corrected(hv_client, admin_user, old):
    services.instrument_definition_retire(actor=admin_user, definition=old.definition)
    response = hv_client.get(url("screening_result_correct", old.pk))
    assert response["Location"] == url("screening_result_detail", old.pk)
    assert "no longer offered" in html_of(hv_client.get(response["Location"]))
    hv_client.post(url("screening_result_correct", old.pk), form_data(PHQ9_NONE, "Misread"))
    assert ScreeningResult.objects.count() == 1


# --- Urgent concerns from a correction --------------------------------------------------------


def test_a_correction_that_triggers_a_safety_rule_raises_its_own_urgent_concern_once(
    hv_client, old
):
    response = hv_client.post(
        url("screening_result_correct", old.pk),
        form_data(phq9(**{"9": "several_days"}), "Item 9 was missed"),
    )
    new = ScreeningResult.objects.get(supersedes=old)
    concern = Concern.objects.get()
    assert (concern.source_result, concern.source_rule, concern.urgent) == (
        new,
        "phq9_item9_self_harm",
        True,
    )
    hv_client.get(response["Location"])
    hv_client.get(response["Location"])
    assert Concern.objects.count() == 1


def test_correcting_a_triggering_result_keeps_its_concern_and_raises_one_for_the_new(
    hv_client, hv, contact
):
    first = record(hv, contact, phq9(**{"9": "nearly_every_day"}))
    hv_client.post(
        url("screening_result_correct", first.pk),
        form_data(phq9(**{"9": "several_days"}), "Item 9 answer was misheard"),
    )
    new = ScreeningResult.objects.get(supersedes=first)
    assert sorted(c.source_result_id for c in Concern.objects.all()) == sorted([first.pk, new.pk])
    assert Concern.objects.awaiting_acknowledgement().count() == 2


# --- A rater's result -------------------------------------------------------------------------


def test_a_rater_result_is_corrected_from_what_was_entered(hv_client, hv, contact):
    kips = services.screening_result_record_entry(
        parent_agreed=True,
        actor=hv,
        contact=contact,
        definition=services.current_definition("kips"),
        assessed_on=date(2026, 3, 2),
        rater="A. Rater",
        certification="KIPS certified 2025",
        score=Decimal("3.25"),
        band="Moderate (3.0 to 3.9)",
        summary="Some strengths",
    )
    html = html_of(hv_client.get(url("screening_result_correct", kips.pk)))
    assert 'value="A. Rater"' in html
    assert 'value="3.25"' in html
    assert re.search(r'name="assessed_on_day"[^>]*value="2"', html)
    assert "Some strengths" in html
    assert "Why are you correcting this result?" in html
    data = {
        "parent_agreed": "on",
        "assessed_on_day": "2",
        "assessed_on_month": "3",
        "assessed_on_year": "2026",
        "rater": "A. Rater",
        "certification": "KIPS certified 2025",
        "score": "2.75",
        "band": "Low (1.0 to 2.9)",
        "summary": "Interactions of concern",
        "correction_reason": "The mean was copied from another family's sheet",
    }
    response = hv_client.post(url("screening_result_correct", kips.pk), data)
    new = ScreeningResult.objects.get(supersedes=kips)
    assert response["Location"] == url("screening_result_detail", new.pk)
    assert (new.answers["score"], new.band) == ("2.75", "Low (1.0 to 2.9)")
