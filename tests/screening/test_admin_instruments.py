"""The admin's instrument pages: list, add, preview, retire; locally licensed item text."""

import copy
import json
from html import escape

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from screening import engine, services
from screening.models import InstrumentDefinition, LocalItemText, ScreeningResult
from screening.selectors_instruments import item_label
from tests.factories import ContactFactory, ConversationFactory, FamilyFactory

pytestmark = pytest.mark.django_db

PHQ9_NONE = dict.fromkeys([str(n) for n in range(1, 10)], "not_at_all")


@pytest.fixture
def definitions():
    services.instrument_definitions_load_shipped()


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def shipped(code: str) -> dict:
    return json.loads((engine.DEFINITIONS_DIR / f"{code}.v1.json").read_text())


def row(code: str, version: int = 1) -> InstrumentDefinition:
    return InstrumentDefinition.objects.get(code=code, version=version)


# --- Who may open them ------------------------------------------------------------------------

#: (URL name, takes a definition id). Every admin instrument URL is here.
ADMIN_URLS = [
    ("instrument_list", False),
    ("instrument_definition_add", False),
    ("instrument_definition_detail", True),
    ("instrument_definition_retire", True),
    ("local_item_text_update", True),
    ("instrument_questionnaire_download", True),
]
REFUSED = ["hv", "team_lead", "hv_b", "no_role_user"]


def admin_url(name: str, with_id: bool) -> str:
    return reverse(name, args=[row("epds").pk] if with_id else [])


def test_every_admin_url_is_in_the_matrix():
    from attachment_app import urls
    from screening import urls_admin

    # The FHIR download is wired in the project's URLs (it reads every app) under instruments/.
    wired_beside = {
        p.name
        for p in urls.urlpatterns
        if str(getattr(p, "pattern", "")).startswith("instruments/<")
    }
    names = {p.name for p in urls_admin.urlpatterns} | wired_beside
    assert names == {name for name, _ in ADMIN_URLS}


@pytest.mark.parametrize("actor", REFUSED)
@pytest.mark.parametrize(("name", "with_id"), ADMIN_URLS)
def test_only_admins_may_open_instrument_pages(client, request, definitions, actor, name, with_id):
    client.force_login(request.getfixturevalue(actor))
    assert client.get(admin_url(name, with_id)).status_code == 404
    response = client.post(
        admin_url(name, with_id), {"definition_text": "{}", "licence_reference": "L1"}
    )
    assert response.status_code == 404
    assert not InstrumentDefinition.objects.filter(retired_at__isnull=False).exists()
    assert not LocalItemText.objects.exists()


@pytest.mark.parametrize(("name", "with_id"), [u for u in ADMIN_URLS if "retire" not in u[0]])
def test_admin_may_open_every_instrument_page(admin_client, definitions, name, with_id):
    assert admin_client.get(admin_url(name, with_id)).status_code == 200


def test_admin_home_links_to_the_instruments(admin_client):
    html = admin_client.get(reverse("home")).content.decode()
    assert reverse("instrument_list") in html


def test_missing_definition_is_not_found(admin_client):
    assert admin_client.get(reverse("instrument_definition_detail", args=[999999])).status_code == (
        404
    )


# --- List -------------------------------------------------------------------------------------


def test_admin_sees_every_instrument_with_its_versions_current_or_retired(
    admin_client, admin_user, definitions
):
    phq9_v2 = {**shipped("phq9"), "version": 2}
    services.instrument_definition_add(data=phq9_v2, actor=admin_user)
    services.instrument_definition_retire(actor=admin_user, definition=row("gad7"))
    response = admin_client.get(reverse("instrument_list"))
    instruments = {i.code: i for i in response.context["instruments"]}
    assert set(instruments) == set(InstrumentDefinition.objects.values_list("code", flat=True))
    assert [v.version for v in instruments["phq9"].versions] == [2, 1]
    assert instruments["phq9"].current.version == 2
    assert instruments["gad7"].current is None
    html = response.content.decode()
    assert "Patient Health Questionnaire" in html
    assert "Superseded" in html
    assert "Retired " in html
    assert "Not offered" in html


# --- Add --------------------------------------------------------------------------------------


def test_admin_uploads_a_new_version_as_a_file(admin_client, admin_user, definitions):
    data = {**shipped("gad7"), "version": 2}
    upload = SimpleUploadedFile(
        "gad7.v2.json", json.dumps(data).encode(), content_type="application/json"
    )
    response = admin_client.post(reverse("instrument_definition_add"), {"definition_file": upload})
    added = row("gad7", 2)
    assert response.status_code == 302
    assert response["Location"] == reverse("instrument_definition_detail", args=[added.pk])
    assert added.created_by == admin_user
    assert added.definition == data
    # The version already in use is untouched.
    assert row("gad7", 1).definition == shipped("gad7")


def test_admin_pastes_a_new_instrument(admin_client, db):
    response = admin_client.post(
        reverse("instrument_definition_add"), {"definition_text": json.dumps(shipped("gad2"))}
    )
    assert response.status_code == 302
    assert row("gad2").name == shipped("gad2")["name"]


def broken_phq9() -> dict:
    data = copy.deepcopy(shipped("phq9"))
    data["version"] = 2
    del data["items"][2]["options"][1]["score"]
    data["reverse_keyed"] = ["42"]
    data["bands"][1]["min"] = 6  # a gap: 5 is in no band
    data["safety_rules"][0]["item"] = "99"
    return data


def test_broken_definition_shows_every_problem_the_engine_finds_and_saves_nothing(
    admin_client, definitions
):
    data = broken_phq9()
    with pytest.raises(engine.DefinitionError) as caught:
        engine.load_definition(data)
    assert len(caught.value.problems) >= 4
    count = InstrumentDefinition.objects.count()
    response = admin_client.post(
        reverse("instrument_definition_add"), {"definition_text": json.dumps(data)}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "nhsuk-error-summary" in html
    assert "This definition cannot be added" in html
    for problem in caught.value.problems:
        assert escape(problem) in html, problem
    assert 'href="#id_definition_text"' in html
    assert InstrumentDefinition.objects.count() == count
    # What was pasted is still there to fix.
    assert response.context["form"]["definition_text"].value() == json.dumps(data)


def test_broken_upload_points_the_problems_at_the_file_field(admin_client, definitions):
    upload = SimpleUploadedFile("phq9.v2.json", json.dumps(broken_phq9()).encode())
    response = admin_client.post(reverse("instrument_definition_add"), {"definition_file": upload})
    assert response.status_code == 200
    assert len(response.context["form"].errors["definition_file"]) >= 4


def test_a_loaded_version_cannot_be_added_again(admin_client, definitions):
    response = admin_client.post(
        reverse("instrument_definition_add"), {"definition_text": json.dumps(shipped("phq9"))}
    )
    assert response.status_code == 200
    assert "is already loaded" in response.content.decode()
    assert InstrumentDefinition.objects.filter(code="phq9").count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Upload a definition file or paste the definition"),
        ({"definition_text": "{not json"}, "The definition is not valid JSON"),
        ({"definition_text": "[1, 2]"}, "The definition must be a JSON object"),
        (
            {"definition_text": "{}", "definition_file": "file"},
            "Upload a file or paste the definition, not both",
        ),
        (
            {"definition_text": '{"a": ' * 5000 + "1" + "}" * 5000},
            "The definition nests lists or objects more than 20 levels deep",
        ),
        ({"definition_text": "[" * 100_000}, "more than 20 levels deep"),
        (
            {"definition_text": '{"code": "x", "version": ' + "9" * 5000 + "}"},
            "The definition has a number longer than 15 digits",
        ),
        ({"definition_text": '{"version": 1e999999}'}, "a number too large to use"),
        ({"definition_text": '{"version": NaN}'}, "which is not a number JSON allows"),
        ({"definition_text": '{"x": "' + "a" * 600_000 + '"}'}, "smaller than 512 KB"),
    ],
)
def test_what_is_not_a_definition_is_refused_with_a_message(admin_client, db, data, message):
    if data.get("definition_file") == "file":
        data["definition_file"] = SimpleUploadedFile("x.json", b"{}")
    response = admin_client.post(reverse("instrument_definition_add"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not InstrumentDefinition.objects.exists()


# --- Preview ----------------------------------------------------------------------------------


def test_preview_shows_items_scores_bands_safety_rules_licence_and_citation(
    admin_client, definitions
):
    data = shipped("phq9")
    html = admin_client.get(
        reverse("instrument_definition_detail", args=[row("phq9").pk])
    ).content.decode()
    assert "<h1>PHQ-9 version 1</h1>" in html
    assert escape(data["citation"]) in html
    assert "Public domain" in html
    assert escape(data["items"][0]["text"]) in html
    assert "Nearly every day: 3" in html
    for band in data["bands"]:
        assert escape(band["label"]) in html
        assert escape(band["meaning"]) in html
    assert escape(data["safety_rules"][0]["message"]) in html
    assert "Item 9 scores more than 0" in html
    assert "Retire version 1" in html
    # Read only: no form but the retire button's.
    assert html.count("<form") == 2  # sign out, retire


def test_preview_of_epds_shows_labels_never_wording_and_links_to_item_text(
    admin_client, definitions
):
    html = admin_client.get(
        reverse("instrument_definition_detail", args=[row("epds").pk])
    ).content.decode()
    assert "EPDS item 10 — text supplied under local licence" in html
    assert "Local text not entered yet" in html
    assert "Reverse keyed" in html
    assert reverse("local_item_text_update", args=[row("epds").pk]) in html


def test_preview_of_a_result_only_instrument_shows_what_the_rater_records(
    admin_client, definitions
):
    html = admin_client.get(
        reverse("instrument_definition_detail", args=[row("kips").pk])
    ).content.decode()
    assert "Result only" in html
    assert "Mean item score, from 1 to 5" in html
    assert "Low (1.0 to 2.9)" in html


# --- Retire -----------------------------------------------------------------------------------


def test_admin_retires_a_version_and_results_keep_pointing_at_it(
    admin_client, definitions, hv, team_a
):
    contact = ContactFactory(family=FamilyFactory(team=team_a), recorded_by=hv)
    ConversationFactory(contact=contact, consent_status="given")
    phq9 = row("phq9")
    result = services.screening_result_record(
        parent_agreed=True, actor=hv, contact=contact, definition=phq9, answers=PHQ9_NONE
    )
    response = admin_client.post(reverse("instrument_definition_retire", args=[phq9.pk]))
    assert response.status_code == 302
    phq9.refresh_from_db()
    assert phq9.retired_at is not None
    assert ScreeningResult.objects.get(pk=result.pk).definition == phq9
    with pytest.raises(InstrumentDefinition.DoesNotExist):
        services.current_definition("phq9")
    page = admin_client.get(response["Location"]).content.decode()
    assert f"{phq9} retired" in page
    assert "Retire version 1" not in page


def test_retiring_twice_says_so_and_keeps_the_first_date(admin_client, admin_user, definitions):
    services.instrument_definition_retire(actor=admin_user, definition=row("gad2"))
    first = row("gad2").retired_at
    response = admin_client.post(
        reverse("instrument_definition_retire", args=[row("gad2").pk]), follow=True
    )
    assert "is already retired" in response.content.decode()
    assert row("gad2").retired_at == first


def test_retire_is_post_only(admin_client, definitions):
    url = reverse("instrument_definition_retire", args=[row("gad2").pk])
    assert admin_client.get(url).status_code == 405
    assert row("gad2").retired_at is None


def test_only_admins_may_retire_through_the_service(definitions, team_lead):
    with pytest.raises(PermissionDenied):
        services.instrument_definition_retire(actor=team_lead, definition=row("gad2"))


# --- Locally licensed item text ---------------------------------------------------------------


def test_admin_enters_epds_item_text_with_the_licence_reference(
    admin_client, admin_user, definitions
):
    epds = row("epds")
    url = reverse("local_item_text_update", args=[epds.pk])
    form = admin_client.get(url).context["form"]
    assert list(form.item_fields) == [str(n) for n in range(1, 11)]
    response = admin_client.post(
        url,
        {"licence_reference": "RCPsych L-2026-17", "item_1": "Local wording one", "item_10": "Ten"},
    )
    assert response.status_code == 302
    saved = {t.item_id: t for t in LocalItemText.objects.all()}
    assert set(saved) == {"1", "10"}
    assert saved["1"].text == "Local wording one"
    assert saved["1"].licence_reference == "RCPsych L-2026-17"
    assert saved["1"].entered_by == admin_user
    assert saved["1"].entered_at is not None
    page = admin_client.get(response["Location"]).content.decode()
    assert "Local wording one" in page
    assert "EPDS item 2 — text supplied under local licence" in page
    # The page shows what is there when it opens again.
    again = admin_client.get(url).context["form"]
    assert again.initial == {
        "item_1": "Local wording one",
        "item_10": "Ten",
        "licence_reference": "RCPsych L-2026-17",
    }


def test_item_text_needs_a_licence_reference_and_saves_nothing_without(admin_client, definitions):
    url = reverse("local_item_text_update", args=[row("epds").pk])
    response = admin_client.post(url, {"licence_reference": "", "item_1": "Wording"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "nhsuk-error-summary" in html
    assert "Enter the licence reference" in html
    assert not LocalItemText.objects.exists()


def test_item_text_page_asks_for_at_least_one_item(admin_client, definitions):
    url = reverse("local_item_text_update", args=[row("epds").pk])
    response = admin_client.post(url, {"licence_reference": "L1"})
    assert "Enter the text of at least one item" in response.content.decode()
    assert not LocalItemText.objects.exists()


def test_an_empty_box_keeps_the_text_and_a_changed_one_replaces_it(admin_user, definitions):
    epds = row("epds")
    services.local_item_text_save(
        actor=admin_user, definition=epds, texts={"1": "One", "2": "Two"}, licence_reference="L1"
    )
    services.local_item_text_save(
        actor=admin_user,
        definition=epds,
        texts={"1": "", "2": "Two, fixed"},
        licence_reference="L1",
    )
    texts = dict(LocalItemText.objects.values_list("item_id", "text"))
    assert texts == {"1": "One", "2": "Two, fixed"}
    # Every change is kept in the history.
    assert LocalItemText.pgh_event_model.objects.filter(item_id="2").count() == 2


def test_instruments_with_shipped_wording_have_no_item_text_page(admin_client, definitions):
    url = reverse("local_item_text_update", args=[row("phq9").pk])
    assert admin_client.get(url).status_code == 404


def test_item_text_service_refuses_non_admins_and_unknown_items(admin_user, hv, definitions):
    epds = row("epds")
    with pytest.raises(PermissionDenied):
        services.local_item_text_save(
            actor=hv, definition=epds, texts={"1": "One"}, licence_reference="L1"
        )
    with pytest.raises(ValidationError) as caught:
        services.local_item_text_save(
            actor=admin_user, definition=epds, texts={"11": "Eleven"}, licence_reference="L1"
        )
    assert list(caught.value.message_dict) == ["11"]
    with pytest.raises(ValidationError):
        services.local_item_text_save(
            actor=admin_user, definition=row("phq9"), texts={"1": "One"}, licence_reference="L1"
        )
    assert not LocalItemText.objects.exists()


def test_item_label_gives_local_text_when_entered_and_the_label_until_then(
    admin_user, definitions, django_assert_num_queries
):
    epds = row("epds")
    loaded = engine.load_definition(epds.definition)
    services.local_item_text_save(
        actor=admin_user, definition=epds, texts={"3": "Local three"}, licence_reference="L1"
    )
    epds = row("epds")
    with django_assert_num_queries(1):
        labels = [item_label(epds, item) for item in loaded.items]
    assert labels[2] == "Local three"
    assert labels[0] == "EPDS item 1 — text supplied under local licence"
    # The stored definition's item dicts work too.
    assert item_label(epds, epds.definition["items"][2]) == "Local three"
    phq9 = row("phq9")
    first = engine.load_definition(phq9.definition).items[0]
    assert item_label(phq9, first) == "Little interest or pleasure in doing things"


def test_brackets_inside_strings_do_not_count_as_nesting(admin_client, db):
    text = '{"code": "x", "name": "' + "[{" * 50 + '"}'
    response = admin_client.post(reverse("instrument_definition_add"), {"definition_text": text})
    assert response.status_code == 200
    assert "levels deep" not in response.content.decode()
    assert not InstrumentDefinition.objects.exists()
