"""A team lead exports the team's records for the EPR: finds the exports from the caseload, asks
for one (a missing date first), watches it wait for the worker, which is then started (a real
Celery worker on Redis), refreshes until it is ready, downloads a file, and is refused a second
download with a page that says how to ask again. axe checks every page on the way."""

import datetime
import json
import re
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone
from playwright.sync_api import expect

from attachment_app.audit.models import AccessLog
from attachment_app.celery import app
from attachment_app.fhir.models import BulkExport

from .conftest import assert_accessible, sign_in
from .test_referral_journey import load_step_3_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reference_data(transactional_db):
    """What the data migrations add; the test database is flushed between browser tests."""
    load_step_3_data()


@pytest.fixture
def team_world(reference_data, world):
    return world


def heading(page, text):
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def check(page, title):
    heading(page, title)
    assert_accessible(page)


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_team_lead_exports_the_teams_records_and_downloads_a_file_once(page, team_world):
    world = team_world
    assert app.conf.task_always_eager is False
    page.goto("/")
    sign_in(page, world.team_lead)
    page.get_by_role("link", name="Export the team's records for the EPR").click()
    check(page, "Exports for the EPR")
    expect(page.locator("main")).to_contain_text("No exports yet")

    page.get_by_role("link", name="Ask for an export").first.click()
    check(page, "Ask for an export")
    for part in ("Day", "Month", "Year"):
        page.get_by_label(part, exact=True).fill("")
    page.get_by_role("button", name="Ask for the export").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Enter the date to export changes since"
    )
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_accessible(page)

    since = timezone.localdate() - datetime.timedelta(days=7)
    page.get_by_label("Day", exact=True).fill(str(since.day))
    page.get_by_label("Month", exact=True).fill(str(since.month))
    page.get_by_label("Year", exact=True).fill(str(since.year))
    page.get_by_role("button", name="Ask for the export").click()
    title = f"Export of families changed since {since.day} {since:%B %Y}"
    check(page, title)
    main = page.locator("main")
    # No worker yet: the export waits, and the page says how to see how far it has got.
    expect(main).to_contain_text("Waiting to start")
    export = BulkExport.objects.get()

    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        built = BulkExport.objects.filter(pk=export.pk, status=BulkExport.Status.DONE)
        assert wait_for(built.exists), "the worker did not build the export"
    page.get_by_role("link", name="Refresh the page").click()
    check(page, title)
    expect(main).to_contain_text("Ready to download")
    expect(page.get_by_role("link", name="Refresh the page")).to_have_count(0)

    link = page.get_by_role("link", name="Download the Patient file")
    href = link.get_attribute("href")
    with page.expect_download() as download:
        link.click()
    with open(download.value.path(), encoding="utf-8") as lines:
        patients = [json.loads(line) for line in lines]
    assert [patient["resourceType"] for patient in patients] == ["Patient"]
    assert download.value.suggested_filename == f"export-{export.pk}-Patient.ndjson"

    page.reload()
    check(page, title)
    expect(page.get_by_role("link", name="Download the Patient file")).to_have_count(0)
    expect(main).to_contain_text("Downloaded ")

    refused = page.goto(href)
    assert refused is not None
    assert refused.status == 410
    check(page, "This file was downloaded already")
    page.get_by_role("link", name="ask for a new export").click()
    check(page, "Ask for an export")

    page.goto("/exports/")
    check(page, "Exports for the EPR")
    expect(main).to_contain_text("Ready to download")
    assert page.csp_violations == []

    exported = AccessLog.objects.filter(user=world.team_lead, action=AccessLog.Action.EXPORT)
    assert sorted(row.detail for row in exported) == [
        f"FHIR bulk export {export.pk} built: changed since {since:%Y-%m-%d}",
        f"FHIR bulk export {export.pk}: Patient file",
    ]
    assert all(row.family_ids == [world.family.pk] for row in exported)
