"""Instrument definitions as FHIR Questionnaires: valid R4, scored as the definitions score, and
never carrying the wording an admin entered under the trust's licence (the EPDS).

The licensed wording here is an invented marker; the real wording never enters the repository.
"""

import dataclasses
import io
import json
import re

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.core.management.base import connections
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.questionnaire import Questionnaire

from attachment_app.fhir import systems
from attachment_app.fhir.ids import resource_id
from attachment_app.fhir.management.commands.fhir_questionnaire import Command
from attachment_app.fhir.questionnaires import (
    COMPUTABLE_NAME,
    band_coding,
    conversation_questionnaire,
    questionnaire,
)
from conversations.forms_visits import QUESTION_FEAR, QUESTION_JOY, QUESTION_WORDS
from screening import engine, services
from screening.models import InstrumentDefinition, LocalItemText, LocalOptionText

SHIPPED = {(d.code, d.version): d for d in engine.load_shipped_definitions()}
LICENSED = "LICENSED-WORDING-XYZ"
UK_CORE_QUESTIONNAIRE = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Questionnaire"
ITEM_WEIGHT = "http://hl7.org/fhir/StructureDefinition/itemWeight"


def shipped(code: str, version: int = 1) -> engine.Definition:
    return SHIPPED[(code, version)]


def valid(resource: dict) -> Questionnaire:
    """The resource as the R4B models read it (they raise if it is not valid)."""
    return Questionnaire.model_validate(resource)


def assert_uk_core_shape(resource: dict) -> None:
    """What the models do not check: the UK Core profile, a canonical URL and version, a name."""
    assert resource["resourceType"] == "Questionnaire"
    assert resource["meta"]["profile"] == [UK_CORE_QUESTIONNAIRE]
    assert resource["url"].startswith(settings.FHIR_BASE_URL.rstrip("/") + "/Questionnaire/")
    assert resource["version"]
    assert isinstance(resource["version"], str)
    assert COMPUTABLE_NAME.match(resource["name"]), resource["name"]
    assert resource["status"] in {"active", "retired"}
    link_ids = [item["linkId"] for item in resource["item"]]
    assert len(link_ids) == len(set(link_ids))


def weights(item: dict) -> list:
    """Each answer option's (code, itemWeight), in the order offered."""
    found = []
    for option in item["answerOption"]:
        coding = option["valueCoding"]
        (weight,) = [e["valueDecimal"] for e in coding["extension"] if e["url"] == ITEM_WEIGHT]
        found.append((coding["code"], weight))
    return found


def by_link_id(resource: dict) -> dict[str, dict]:
    return {item["linkId"]: item for item in resource["item"]}


# --- Every shipped definition ------------------------------------------------------------------


@pytest.mark.parametrize(("code", "version"), sorted(SHIPPED))
def test_every_shipped_definition_gives_a_valid_uk_core_questionnaire(code, version):
    resource = questionnaire(shipped(code, version))
    model = valid(resource)
    assert model.url == systems.questionnaire_url(code)
    assert resource["version"] == str(version)
    assert resource["id"] == resource_id("questionnaire", code, version)
    assert_uk_core_shape(resource)


@pytest.mark.parametrize(("code", "version"), sorted(SHIPPED))
def test_every_option_carries_the_score_the_definition_gives(code, version):
    definition = shipped(code, version)
    items = by_link_id(questionnaire(definition))
    for item in definition.items:
        expected = [(option.value, option.score) for option in item.options]
        assert weights(items[item.id]) == expected, f"{code} item {item.id}"


def test_the_same_definition_gives_the_same_questionnaire_and_versions_differ():
    first, again = questionnaire(shipped("whooley", 1)), questionnaire(shipped("whooley", 1))
    assert json.dumps(first) == json.dumps(again)
    second = questionnaire(shipped("whooley", 2))
    assert (second["url"], second["version"]) == (first["url"], "2")
    assert second["id"] != first["id"]


def test_copyright_holds_the_licence_its_note_and_the_citation():
    definition = shipped("epds")
    text = questionnaire(definition)["copyright"]
    assert definition.licence in text
    assert definition.licence_note in text
    assert definition.citation in text
    assert "Cox JL" in text


def test_computable_names_keep_letters_and_digits():
    assert questionnaire(shipped("phq9"))["name"] == "PHQ9"
    assert questionnaire(shipped("asqse2"))["name"] == "ASQSE2"
    assert questionnaire(shipped("care_index"))["name"] == "CAREIndex"


def test_a_retired_version_is_a_retired_questionnaire():
    assert questionnaire(shipped("phq9"))["status"] == "active"
    assert questionnaire(shipped("phq9"), retired=True)["status"] == "retired"


# --- Scored instruments ------------------------------------------------------------------------

#: Written out from the published scoring, not read from the code.
PHQ9_WEIGHTS = [
    ("not_at_all", 0),
    ("several_days", 1),
    ("more_than_half_the_days", 2),
    ("nearly_every_day", 3),
]
EPDS_FORWARD = [("a", 0), ("b", 1), ("c", 2), ("d", 3)]
#: EPDS items 3 and 5 are reverse keyed: the first printed answer scores 3.
EPDS_REVERSED = [("a", 3), ("b", 2), ("c", 1), ("d", 0)]


def test_phq9_items_are_choices_with_their_wording_and_weights_0_to_3():
    resource = questionnaire(shipped("phq9"))
    preamble, *items = resource["item"]
    assert preamble == {
        "linkId": "preamble",
        "text": shipped("phq9").preamble,
        "type": "display",
    }
    assert [item["linkId"] for item in items] == [str(n) for n in range(1, 10)]
    assert [item["prefix"] for item in items] == [str(n) for n in range(1, 10)]
    assert items[0]["text"].startswith("Little interest or pleasure")
    for item in items:
        assert item["type"] == "choice"
        assert item["required"] is True
        assert weights(item) == PHQ9_WEIGHTS
        assert [o["valueCoding"]["display"] for o in item["answerOption"]] == [
            "Not at all",
            "Several days",
            "More than half the days",
            "Nearly every day",
        ]


def test_epds_reverse_keyed_items_weigh_their_answers_from_3_down_to_0():
    items = by_link_id(questionnaire(shipped("epds")))
    assert weights(items["1"]) == EPDS_FORWARD
    assert weights(items["3"]) == EPDS_REVERSED
    assert weights(items["5"]) == EPDS_REVERSED


def test_epds_items_are_named_by_number_and_answers_by_printed_position():
    resource = questionnaire(shipped("epds"))
    items = [item for item in resource["item"] if item["type"] == "choice"]
    assert [item["text"] for item in items] == [f"EPDS item {n}" for n in range(1, 11)]
    assert {o["valueCoding"]["display"] for o in items[0]["answerOption"]} == {
        "Option A (as printed)",
        "Option B (as printed)",
        "Option C (as printed)",
        "Option D (as printed)",
    }


def test_an_item_marked_as_licensed_locally_never_carries_text_even_if_the_file_had_some():
    definition = shipped("epds")
    leaked = dataclasses.replace(definition.items[0], text=LICENSED)
    definition = dataclasses.replace(definition, items=(leaked, *definition.items[1:]))
    assert LICENSED not in json.dumps(questionnaire(definition))


def test_items_are_optional_where_the_definition_lets_some_be_missed():
    definition = dataclasses.replace(shipped("gad7"), allow_missing=1)
    choices = [item for item in questionnaire(definition)["item"] if item["type"] == "choice"]
    assert {item["required"] for item in choices} == {False}
    valid(questionnaire(definition))


def test_the_description_says_which_items_the_total_adds_up():
    assert "items 1 to 10, from 0 to 30" in questionnaire(shipped("epds"))["description"]
    assert "items 1 and 2, from 0 to 6" in questionnaire(shipped("phq2"))["description"]


# --- Result-only instruments -------------------------------------------------------------------


def test_kips_asks_for_the_raters_score_band_name_certification_and_summary():
    definition = shipped("kips")
    resource = questionnaire(definition)
    items = by_link_id(resource)
    assert list(items) == ["score", "band", "rater", "certification", "summary"]
    assert [items[k]["type"] for k in items] == ["decimal", "choice", "string", "string", "text"]
    score = items["score"]
    assert score["text"] == "Mean item score"
    assert {e["url"]: e for e in score["extension"]} == {
        "http://hl7.org/fhir/StructureDefinition/minValue": {
            "url": "http://hl7.org/fhir/StructureDefinition/minValue",
            "valueDecimal": 1,
        },
        "http://hl7.org/fhir/StructureDefinition/maxValue": {
            "url": "http://hl7.org/fhir/StructureDefinition/maxValue",
            "valueDecimal": 5,
        },
        "http://hl7.org/fhir/StructureDefinition/maxDecimalPlaces": {
            "url": "http://hl7.org/fhir/StructureDefinition/maxDecimalPlaces",
            "valueInteger": 2,
        },
    }
    band = items["band"]
    assert band["text"] == "Parenting quality"
    assert [o["valueCoding"] for o in band["answerOption"]] == [
        band_coding(definition, label)
        for label in ("Low (1.0 to 2.9)", "Moderate (3.0 to 3.9)", "High (4.0 to 5.0)")
    ]
    assert items["certification"]["required"] is True
    assert items["rater"]["required"] is True
    assert items["summary"]["required"] is True


def test_nbo_has_no_score_or_band_only_the_rater_and_a_summary():
    items = by_link_id(questionnaire(shipped("nbo")))
    assert list(items) == ["rater", "certification", "summary"]


def test_an_open_score_has_no_bounds():
    items = by_link_id(questionnaire(shipped("care_index")))
    assert [e["url"] for e in items["score"]["extension"]] == [
        "http://hl7.org/fhir/StructureDefinition/maxDecimalPlaces"
    ]
    assert "band" not in items


# --- The conversation --------------------------------------------------------------------------


def test_the_conversation_questionnaire_asks_what_the_conversation_pages_ask():
    resource = conversation_questionnaire()
    valid(resource)
    assert resource["url"] == systems.local("Questionnaire/starting-relationships-conversation")
    assert resource["version"] == "1"
    assert resource["meta"]["profile"] == [UK_CORE_QUESTIONNAIRE]
    assert COMPUTABLE_NAME.match(resource["name"])
    items = by_link_id(resource)
    assert {link_id: item["type"] for link_id, item in items.items()} == {
        "word-1": "string",
        "word-2": "string",
        "word-3": "string",
        "words-declined": "boolean",
        "joy": "text",
        "joy-declined": "boolean",
        "fear": "text",
        "fear-declined": "boolean",
        "reflection": "text",
        "raised-concern": "boolean",
    }
    assert QUESTION_WORDS in items["word-1"]["text"]
    assert items["joy"]["text"] == QUESTION_JOY
    assert items["fear"]["text"] == QUESTION_FEAR
    assert "reflection" in items["reflection"]["text"]
    # The parent may decline any question, so none is required.
    assert not any(item.get("required") for item in resource["item"])
    assert resource["id"] not in {questionnaire(d)["id"] for d in SHIPPED.values()}


# --- Licensed wording entered by an admin ------------------------------------------------------


@pytest.fixture
def definitions(db):
    services.instrument_definitions_load_shipped()


@pytest.fixture
def epds_with_local_wording(definitions, admin_user):
    """The EPDS with every item's and every answer's wording entered under licence."""
    row = InstrumentDefinition.objects.get(code="epds", version=1)
    now = timezone.now()
    for item in row.parsed.items:
        LocalItemText.objects.create(
            definition=row,
            item_id=item.id,
            text=f"{LICENSED} question {item.id}",
            licence_reference="Invented licence 2026/1",
            entered_by=admin_user,
            entered_at=now,
        )
        for option in item.options:
            LocalOptionText.objects.create(
                definition=row,
                item_id=item.id,
                option_value=option.value,
                text=f"{LICENSED} answer {item.id}{option.value}",
                licence_reference="Invented licence 2026/1",
                entered_by=admin_user,
                entered_at=now,
            )
    return row


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("fhir_questionnaire", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_epds_questionnaire_has_no_local_wording_from_the_mapping_command_or_download(
    epds_with_local_wording, admin_client
):
    row = epds_with_local_wording
    # The wording is really there to leak: the HV's form shows it.
    assert LocalItemText.objects.filter(definition=row).count() == 10
    assert LocalOptionText.objects.filter(definition=row).count() == 40
    mapped = json.dumps(questionnaire(row.parsed), ensure_ascii=False)
    printed = run("epds")
    download = admin_client.get(reverse("instrument_questionnaire_download", args=[row.pk]))
    assert download.status_code == 200
    for text in (mapped, printed, download.content.decode()):
        assert LICENSED not in text
        assert "LICENSED" not in text.upper()
        assert "Invented licence" not in text
        assert '"text": "EPDS item 10"' in text
        valid(json.loads(text))


# --- The command -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_prints_the_newest_version_unless_told_which(definitions, admin_user):
    services.instrument_definition_add(
        data={**shipped("whooley", 2).data, "version": 3}, actor=admin_user
    )
    newest = json.loads(run("whooley"))
    assert newest["version"] == "3"
    assert newest == questionnaire(
        InstrumentDefinition.objects.get(code="whooley", version=3).parsed
    )
    assert json.loads(run("whooley", "--version", "1"))["version"] == "1"
    printed = run("phq9")
    assert printed.startswith('{\n  "resourceType": "Questionnaire",')
    valid(json.loads(printed))


@pytest.mark.django_db
def test_the_command_says_a_retired_version_is_retired(definitions, admin_user):
    row = InstrumentDefinition.objects.get(code="gad7", version=1)
    services.instrument_definition_retire(actor=admin_user, definition=row)
    assert json.loads(run("gad7"))["status"] == "retired"


@pytest.mark.django_db
def test_the_command_writes_to_a_file_when_asked(definitions, tmp_path):
    path = tmp_path / "phq9.json"
    assert run("phq9", "--output", str(path)) == ""
    assert json.loads(path.read_text(encoding="utf-8")) == questionnaire(shipped("phq9"))


@pytest.mark.django_db
def test_the_command_prints_the_conversation_questionnaire(definitions):
    assert json.loads(run("conversation")) == conversation_questionnaire()
    with pytest.raises(CommandError, match="only version 1"):
        run("conversation", "--version", "2")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], r"No instrument with the code 'nope' is loaded \(loaded: adbb, asqse2"),
        (["phq9", "--version", "7"], r"phq9 has no version 7 loaded \(loaded: 1\)"),
        (["whooley", "--version", "9"], r"whooley has no version 9 loaded \(loaded: 1, 2\)"),
    ],
)
def test_an_unknown_instrument_or_version_exits_non_zero_and_writes_nothing(
    definitions, tmp_path, monkeypatch, capsys, args, message
):
    path = tmp_path / "out.json"
    # Run as from the shell, so the exit code is the process's; the test's database connection
    # is kept open (the command closes every connection on its way out).
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["manage.py", "fhir_questionnaire", *args, "--output", str(path)])
    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert re.search(message, captured.err), captured.err
    assert captured.out == ""
    assert not path.exists()


@pytest.mark.django_db
def test_with_nothing_loaded_the_command_says_how_to_load_the_instruments():
    InstrumentDefinition.objects.filter(results__isnull=True).delete()
    assert not InstrumentDefinition.objects.exists()
    with pytest.raises(CommandError, match=r"run manage\.py load_instruments"):
        run("phq9")


@pytest.mark.django_db
def test_the_command_run_from_the_shell_succeeds_with_the_json(definitions, monkeypatch, capsys):
    monkeypatch.setattr(connections, "close_all", lambda: None)
    Command().run_from_argv(["manage.py", "fhir_questionnaire", "epds", "--version", "1"])
    assert json.loads(capsys.readouterr().out)["url"] == systems.questionnaire_url("epds")


# --- The admin's download ----------------------------------------------------------------------


def download_url(code: str = "epds", version: int = 1) -> str:
    row = InstrumentDefinition.objects.get(code=code, version=version)
    return reverse("instrument_questionnaire_download", args=[row.pk])


@pytest.mark.django_db
def test_an_admin_downloads_a_version_as_fhir_json(definitions, admin_client):
    response = admin_client.get(download_url("phq9"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="phq9-v1.questionnaire.json"'
    assert json.loads(response.content) == questionnaire(shipped("phq9"))


@pytest.mark.django_db
def test_the_version_page_links_to_its_download(definitions, admin_client):
    row = InstrumentDefinition.objects.get(code="epds", version=1)
    html = admin_client.get(reverse("instrument_definition_detail", args=[row.pk])).content
    assert download_url("epds").encode() in html
    assert b"Download as FHIR Questionnaire" in html
    assert b"wording entered under the trust's licence is not included" in html


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["hv", "team_lead", "hv_b", "no_role_user"])
def test_only_admins_may_download_a_questionnaire(definitions, sign_in, request, who):
    client = sign_in(request.getfixturevalue(who))
    assert client.get(download_url()).status_code == 404
    assert client.post(download_url()).status_code == 404


@pytest.mark.django_db
def test_a_missing_version_is_not_found_and_the_download_takes_no_post(definitions, admin_client):
    missing = reverse("instrument_questionnaire_download", args=[999999])
    assert admin_client.get(missing).status_code == 404
    assert admin_client.post(download_url()).status_code == 405


@pytest.mark.django_db
def test_signed_out_the_download_asks_to_sign_in(definitions, client):
    response = client.get(download_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
