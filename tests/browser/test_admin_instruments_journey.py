"""An admin manages the screening instruments in the browser; axe checks every page.

Lists them, previews one, adds a definition (a broken one first), enters EPDS wording under the
trust's licence, downloads it as a FHIR Questionnaire (without that wording) and retires a
version. The wording typed here is invented for the test.
"""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from screening import engine
from screening.models import InstrumentDefinition, LocalItemText, LocalOptionText

from .conftest import assert_accessible, sign_in
from .test_screening_journey import heading, load_step_2_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shipped(code: str) -> dict:
    return json.loads((engine.DEFINITIONS_DIR / f"{code}.v1.json").read_text(encoding="utf-8"))


def test_admin_lists_previews_adds_enters_local_text_and_retires(page, admin_user):
    load_step_2_data()

    # Sign in and go to the instruments.
    page.goto("/")
    sign_in(page, admin_user)
    page.get_by_role("link", name="Manage screening instruments").click()
    heading(page, "Screening instruments")
    table = page.get_by_role("table")
    expect(table).to_contain_text("Patient Health Questionnaire-9")
    expect(table).to_contain_text("Edinburgh Postnatal Depression Scale")
    assert_accessible(page)

    # Preview one version: items, scores, bands and the safety rule.
    page.get_by_role("link", name="Version 1 of Patient Health Questionnaire-9").click()
    heading(page, "PHQ-9 version 1")
    main = page.locator("main")
    expect(main).to_contain_text("Nearly every day: 3")
    expect(main).to_contain_text("Moderately severe")
    expect(main).to_contain_text("Item 9 scores more than 0")
    assert_accessible(page)

    # A broken definition: every problem in the error summary, nothing added.
    page.get_by_role("link", name="Back to instruments").click()
    page.get_by_role("link", name="Add a definition").click()
    heading(page, "Add a definition")
    assert_accessible(page)
    broken = shipped("gad7") | {"version": 2}
    broken["bands"] = [band for band in broken["bands"] if band["label"] != "Mild"]
    page.get_by_label("Or paste the definition").fill(json.dumps(broken))
    page.get_by_role("button", name="Check and add definition").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("This definition cannot be added")
    expect(summary).to_contain_text("bands leave a gap: no band covers totals 5 to 9")
    assert_accessible(page)
    assert not InstrumentDefinition.objects.filter(code="gad7", version=2).exists()

    # A good one, uploaded as a file: added, and shown.
    good = shipped("gad7") | {"version": 2, "name": "GAD-7, second version"}
    page.get_by_label("Or paste the definition").fill("")
    page.get_by_label("Upload a definition file").set_input_files(
        files=[
            {
                "name": "gad7.v2.json",
                "mimeType": "application/json",
                "buffer": json.dumps(good).encode(),
            }
        ]
    )
    page.get_by_role("button", name="Check and add definition").click()
    heading(page, "GAD-7 version 2")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "GAD-7, second version (version 2) added"
    )
    assert_accessible(page)

    # Retire it: no longer offered, and said so.
    page.get_by_role("button", name="Retire version 2").click()
    heading(page, "GAD-7 version 2")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("retired")
    expect(page.locator("main")).to_contain_text("Retired")
    expect(page.get_by_role("button", name="Retire version 2")).to_have_count(0)
    assert_accessible(page)
    assert InstrumentDefinition.objects.get(code="gad7", version=2).retired_at is not None

    # The EPDS: labels only until the trust's wording is entered, items and answers.
    page.get_by_role("link", name="Back to instruments").click()
    page.get_by_role("link", name="Version 1 of Edinburgh Postnatal Depression Scale").click()
    heading(page, "EPDS version 1")
    expect(page.locator("main")).to_contain_text("Local text not entered yet")
    assert_accessible(page)
    page.get_by_role("link", name="Enter the item and answer text").click()
    heading(page, "Enter the item and answer text")
    assert_accessible(page)
    page.get_by_role("button", name="Save item text").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter the licence reference")
    assert_accessible(page)
    page.get_by_label("Licence reference").fill("Trust licence 2026/17")
    first = page.get_by_role("group", name="EPDS item 1", exact=True)
    first.get_by_label("Wording of the item").fill("Invented wording for the first item")
    first.get_by_label("Option A (as printed), scores 0").fill("Invented first answer")
    page.get_by_role("button", name="Save item text").click()
    heading(page, "EPDS version 1")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Item text for")
    main = page.locator("main")
    expect(main).to_contain_text("Invented wording for the first item")
    expect(main).to_contain_text("Invented first answer: 0")
    expect(main).to_contain_text("Local text entered")
    assert_accessible(page)
    assert LocalItemText.objects.get().licence_reference == "Trust licence 2026/17"
    assert LocalOptionText.objects.get().text == "Invented first answer"

    # Download the EPDS as a FHIR Questionnaire: its scores, none of the wording just entered.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as FHIR Questionnaire").click()
    download = download_info.value
    assert download.suggested_filename == "epds-v1.questionnaire.json"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert json.loads(text)["url"].endswith("/Questionnaire/epds")
    assert "Invented" not in text
    assert page.csp_violations == []
