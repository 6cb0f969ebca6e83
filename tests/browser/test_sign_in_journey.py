"""A health visitor signs in, sees the NHS.UK layout, and signs out; axe finds nothing."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_page_is_accessible_and_scripts_run_under_the_csp(page):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in/"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # The NHS.UK frontend module ran (it marks the body), so the CSP let it load.
    expect(page.locator("body.nhsuk-frontend-supported")).to_have_count(1)
    assert page.csp_violations == []
    assert_accessible(page)


def test_wrong_password_shows_an_error_summary_that_links_to_the_field(page, hv):
    page.goto("/sign-in/")
    page.get_by_label("Username").fill("hv.a")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    assert_accessible(page)


def test_hv_signs_in_sees_their_team_and_signs_out(page, hv):
    page.goto("/sign-in/")
    page.get_by_label("Username").fill("hv.a")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/$"))
    header = page.locator("header")
    expect(header).to_contain_text(hv.get_full_name())
    expect(header).to_contain_text(hv.team.name)
    expect(page.locator("main#maincontent")).to_have_count(1)
    assert page.csp_violations == []
    assert_accessible(page)

    page.get_by_role("button", name=re.compile("Sign out", re.IGNORECASE)).click()
    expect(page).to_have_url(re.compile(r"/sign-in/"))
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in/"))


def test_skip_link_moves_to_main_content(page, hv):
    page.goto("/sign-in/")
    page.keyboard.press("Tab")
    skip = page.locator(".nhsuk-skip-link")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#maincontent")).to_be_focused()
