"""An admin imports services from an Open Referral UK feed: enters the feed's address (a
mistake first), reads the check's report, saves the changes and sees them saved; axe checks
every page on the way. The feed is served on 127.0.0.1 by the import tests' small server, and
the import task runs eagerly, after the request's commit (the worker has its own test)."""

import re

import pytest
from playwright.sync_api import expect

from attachment_app.celery import app
from referrals.models import DirectoryImport, Service
from tests.factories import AdminFactory
from tests.referrals.oruk.feeds import FeedServer, service_v3

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _feeds_served_here(settings):
    settings.ORUK_FEED_HTTPS_ONLY = False
    settings.ORUK_FEED_REQUESTS_PER_SECOND = 0
    settings.ORUK_FEED_TIMEOUT_SECONDS = 5


@pytest.fixture(autouse=True)
def _eager_tasks():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def heading(page, text):
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def test_admin_checks_a_feed_then_saves_it(page):
    admin = AdminFactory(username="admin.fatima", first_name="Fatima")
    with FeedServer() as feed:
        feed.serve_v3([service_v3(n) for n in range(3)])

        page.goto("/")
        sign_in(page, admin)
        page.get_by_role("link", name="Manage the service directory").click()
        heading(page, "Service directory")
        page.get_by_role("link", name="Import services from a feed or a file").click()
        heading(page, "Import services")
        assert_accessible(page)

        # Nothing entered: the page says what to do.
        page.get_by_role("button", name="Check the import").click()
        summary = page.locator(".nhsuk-error-summary")
        expect(summary).to_contain_text("Enter a feed's address or choose a JSON file")
        expect(page).to_have_title(re.compile(r"^Error: "))
        assert_accessible(page)

        page.get_by_label("Feed address").fill(feed.url)
        page.get_by_role("button", name="Check the import").click()
        heading(page, "Check of the import")
        main = page.locator("main")
        expect(main).to_contain_text("Checked, not saved")
        expect(main).to_contain_text("Invented service 2")
        expect(main).to_contain_text("Categories with no concern category")
        assert not Service.objects.exists()
        assert_accessible(page)

        page.get_by_role("button", name="Save these changes").click()
        heading(page, "Import")
        expect(main).to_contain_text("Saved: the directory now has these changes")
        expect(page.get_by_role("button", name="Save these changes")).to_have_count(0)
        assert_accessible(page)
    assert Service.objects.filter(source=feed.url).count() == 3
    assert DirectoryImport.objects.filter(outcome=DirectoryImport.Outcome.SAVED).count() == 1

    # The service is in the directory, and the import is listed.
    page.get_by_role("link", name="Invented service 1").click()
    heading(page, "Invented service 1")
    assert_accessible(page)
    page.goto("/directory/imports/")
    heading(page, "Imports")
    expect(page.locator("main")).to_contain_text("Saved")
    assert_accessible(page)
    page.goto("/directory/feeds/add/")
    heading(page, "Register a feed")
    assert_accessible(page)
    assert page.csp_violations == []
