"""EPDS answer wording entered under local licence: stored, shown to HVs, never shipped.

The wording used here is invented for the tests; the licensed wording never enters the repository.
"""

import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from screening import engine, services
from screening.models import InstrumentDefinition, LocalItemText, LocalOptionText
from tests.factories import ContactFactory, ConversationFactory, FamilyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def definitions(db):
    services.instrument_definitions_load_shipped()


@pytest.fixture
def epds():
    return InstrumentDefinition.objects.get(code="epds", version=1)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def contact(team_a, hv):
    contact = ContactFactory(family=FamilyFactory(team=team_a, named_hv=hv), recorded_by=hv)
    ConversationFactory(contact=contact, consent_status="given")
    return contact


def save(actor, definition, option_texts, texts=None, licence="Trust licence 2026/17"):
    return services.local_item_text_save(
        actor=actor,
        definition=definition,
        texts=texts or {},
        option_texts=option_texts,
        licence_reference=licence,
    )


# --- The service ------------------------------------------------------------------------------


def test_admin_saves_answer_wording_with_the_licence_reference(admin_user, epds):
    save(admin_user, epds, {("1", "a"): "Invented first answer", ("1", "b"): "Invented second"})
    rows = {(r.item_id, r.option_value): r for r in LocalOptionText.objects.all()}
    assert set(rows) == {("1", "a"), ("1", "b")}
    assert rows[("1", "a")].text == "Invented first answer"
    assert rows[("1", "a")].licence_reference == "Trust licence 2026/17"
    assert rows[("1", "a")].entered_by == admin_user
    # Answer wording alone is enough: no item wording was given.
    assert not LocalItemText.objects.exists()


def test_an_empty_answer_box_keeps_the_wording_and_a_changed_one_replaces_it(admin_user, epds):
    save(admin_user, epds, {("2", "a"): "Invented A", ("2", "b"): "Invented B"})
    save(admin_user, epds, {("2", "a"): "", ("2", "b"): "Invented B, fixed"})
    texts = dict(
        LocalOptionText.objects.values_list("option_value", "text").order_by("option_value")
    )
    assert texts == {"a": "Invented A", "b": "Invented B, fixed"}
    assert LocalOptionText.pgh_event_model.objects.filter(option_value="b").count() == 2


@pytest.mark.parametrize(
    ("key", "problem_key"),
    [(("1", "e"), "1:e"), (("11", "a"), "11:a")],
)
def test_an_answer_the_item_does_not_have_is_refused(admin_user, epds, key, problem_key):
    with pytest.raises(ValidationError) as caught:
        save(admin_user, epds, {key: "Invented"})
    assert list(caught.value.message_dict) == [problem_key]
    assert not LocalOptionText.objects.exists()


def test_answers_of_an_instrument_with_shipped_wording_are_refused(admin_user):
    phq9 = InstrumentDefinition.objects.get(code="phq9", version=1)
    with pytest.raises(ValidationError):
        save(admin_user, phq9, {("1", "not_at_all"): "Invented"})
    assert not LocalOptionText.objects.exists()


def test_only_admins_enter_answer_wording(hv, team_lead, epds):
    for actor in (hv, team_lead):
        with pytest.raises(PermissionDenied):
            save(actor, epds, {("1", "a"): "Invented"})
    assert not LocalOptionText.objects.exists()


def test_nothing_entered_at_all_is_refused(admin_user, epds):
    with pytest.raises(ValidationError, match="at least one item or answer"):
        save(admin_user, epds, {("1", "a"): " "}, texts={"1": ""})


def test_the_database_refuses_answer_wording_without_a_licence(admin_user, epds):
    with (
        pytest.raises(IntegrityError, match="local_option_text_with_licence"),
        transaction.atomic(),
    ):
        LocalOptionText.objects.create(
            definition=epds,
            item_id="1",
            option_value="a",
            text="Invented",
            licence_reference="",
            entered_by=admin_user,
            entered_at=timezone.now(),
        )


# --- The admin's pages ------------------------------------------------------------------------


def test_item_text_page_has_a_fieldset_per_item_with_a_box_per_answer(admin_client, epds):
    response = admin_client.get(reverse("local_item_text_update", args=[epds.pk]))
    html = response.content.decode()
    form = response.context["form"]
    assert len(form.option_fields) == 40
    assert html.count('<fieldset class="nhsuk-fieldset"') == 10
    assert "EPDS item 3" in html
    # Labelled by printed position and score, so the admin can match the printed copy.
    assert re.search(r'for="id_option_3_a"[^>]*>\s*Option A \(as printed\), scores 3', html)
    assert re.search(r'for="id_option_1_a"[^>]*>\s*Option A \(as printed\), scores 0', html)


def test_admin_enters_answer_wording_and_sees_it_again(admin_client, admin_user, epds):
    url = reverse("local_item_text_update", args=[epds.pk])
    response = admin_client.post(
        url,
        {
            "licence_reference": "RCPsych L-2026-17",
            "item_1": "Invented item one",
            "option_1_a": "Invented answer scoring nought",
            "option_1_d": "Invented answer scoring three",
        },
    )
    assert response.status_code == 302
    assert LocalOptionText.objects.count() == 2
    detail = admin_client.get(response["Location"]).content.decode()
    assert "Invented answer scoring nought: 0" in detail
    assert "Invented answer scoring three: 3" in detail
    assert "Option B (as printed): 1" in detail
    assert "Answer text for 2 of 4" in detail
    again = admin_client.get(url).context["form"]
    assert again.initial == {
        "item_1": "Invented item one",
        "option_1_a": "Invented answer scoring nought",
        "option_1_d": "Invented answer scoring three",
        "licence_reference": "RCPsych L-2026-17",
    }


def test_too_long_answer_wording_is_named_in_the_error_summary(admin_client, epds):
    url = reverse("local_item_text_update", args=[epds.pk])
    response = admin_client.post(url, {"licence_reference": "L1", "option_4_b": "x" * 301})
    html = response.content.decode()
    assert "nhsuk-error-summary" in html
    assert "The wording of EPDS item 4, Option B (as printed), must be 300 characters" in html
    assert not LocalOptionText.objects.exists()


# --- What health visitors see -----------------------------------------------------------------


def enter_all_wording(admin_user, epds):
    """Invented wording for every EPDS item and answer, as a trust would enter its licensed text."""
    loaded = engine.load_definition(epds.definition)
    save(
        admin_user,
        epds,
        {
            (item.id, option.value): f"Invented answer {option.value} to item {item.id}"
            for item in loaded.items
            for option in item.options
        },
        texts={item.id: f"Invented wording of item {item.id}" for item in loaded.items},
    )


def test_instrument_page_is_for_the_printed_form_until_all_wording_is_entered(
    hv_client, admin_user, contact, epds
):
    page = reverse("screening_complete", args=[contact.pk, "epds"])
    save(admin_user, epds, {("1", "a"): "Invented answer A"}, texts={"1": "Invented item one"})
    html = hv_client.get(page).content.decode()
    assert "printed EPDS form" in html
    assert "Invented answer A" not in html
    assert "Invented item one" not in html
    assert re.search(r'for="id_item_1_0"[^>]*>\s*First answer \(scores 0\)', html)


def test_instrument_page_shows_the_wording_once_all_of_it_is_entered(
    hv_client, admin_user, contact, epds
):
    enter_all_wording(admin_user, epds)
    html = hv_client.get(reverse("screening_complete", args=[contact.pk, "epds"])).content.decode()
    assert "printed EPDS form" not in html
    assert "You can read the questions and answers out to them." in html
    assert re.search(r"<legend[^>]*>\s*Invented wording of item 1\s*</legend>", html)
    assert re.search(r'for="id_item_1_0"[^>]*>\s*Invented answer a to item 1', html)
    assert re.search(r'for="id_item_10_3"[^>]*>\s*Invented answer d to item 10', html)
    assert "First answer" not in html


def test_result_page_shows_the_answer_wording_once_all_is_entered(
    hv, hv_client, admin_user, contact, epds
):
    loaded = engine.load_definition(epds.definition)
    answers = {item.id: "d" for item in loaded.items} | {"3": "b"}
    result = services.screening_result_record(
        parent_agreed=True, actor=hv, contact=contact, definition=epds, answers=answers
    )
    page = reverse("screening_result_detail", args=[result.pk])
    html = hv_client.get(page).content.decode()
    assert "Question 3" in html
    assert "Second answer (scores 2)" in html
    assert "as printed" not in html
    enter_all_wording(admin_user, epds)
    html = hv_client.get(page).content.decode()
    assert "Invented wording of item 3" in html
    assert "Invented answer b to item 3 (scores 2)" in html


def test_the_shipped_epds_definition_has_no_wording_for_items_or_answers():
    # The file itself: labels and scores only; anything longer would be wording.
    data = json.loads((engine.DEFINITIONS_DIR / "epds.v1.json").read_text(encoding="utf-8"))
    labels = {option["label"] for item in data["items"] for option in item["options"]}
    assert labels == {f"Option {letter} (as printed)" for letter in "ABCD"}
    assert all(item["text"] is None for item in data["items"])
    assert all(
        set(option) == {"value", "label", "score"} for i in data["items"] for option in i["options"]
    )
