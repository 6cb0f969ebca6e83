"""A health visitor signs in (password, then the authenticator code), sees the NHS.UK layout, and
signs out; axe finds nothing on any page of the way."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD

from .conftest import assert_accessible, enter_code, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_page_is_accessible_and_scripts_run_under_the_csp(page):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    # The NHS.UK frontend module ran (it marks the body), so the CSP let it load.
    expect(page.locator("body.nhsuk-frontend-supported")).to_have_count(1)
    assert page.csp_violations == []
    assert_accessible(page)


def test_wrong_password_shows_an_error_summary_that_links_to_the_field(page, hv):
    page.goto("/sign-in/")
    page.get_by_label("Username").fill("hv.a")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    expect(page).to_have_url(re.compile(r"/sign-in/$"))
    assert_accessible(page)


def test_wrong_code_shows_an_error_summary_then_the_right_one_signs_in(page, hv):
    page.goto("/sign-in/")
    page.get_by_label("Username").fill("hv.a")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/sign-in/second-factor/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    assert_accessible(page)
    # Past the password only: every other page sends the browser back to the code step.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in/second-factor/$"))

    enter_code(page, hv, code="000000")
    page.get_by_role("button", name="Sign in", exact=True).click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("The code is not right")
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Code", exact=True)).to_be_focused()
    assert_accessible(page)

    enter_code(page, hv)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("header")).to_contain_text(hv.get_full_name())
    assert page.csp_violations == []


def test_hv_signs_in_sees_their_team_and_signs_out(page, hv):
    page.goto("/")
    sign_in(page, hv, check_accessibility=True)
    header = page.locator("header")
    expect(header).to_contain_text(hv.team.name)
    expect(page.locator("main#maincontent")).to_have_count(1)
    assert page.csp_violations == []
    assert_accessible(page)

    sign_out(page)
    assert_accessible(page)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in/"))
    assert page.csp_violations == []


def test_cancel_on_the_code_step_goes_back_to_the_password(page, hv):
    page.goto("/sign-in/")
    page.get_by_label("Username").fill("hv.a")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/sign-in/second-factor/$"))
    page.get_by_role("button", name="Cancel").click()
    expect(page).to_have_url(re.compile(r"/sign-in/$"))
    page.goto("/sign-in/second-factor/")
    expect(page).to_have_url(re.compile(r"/sign-in/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert page.csp_violations == []


def test_skip_link_moves_to_main_content(page, hv):
    page.goto("/sign-in/")
    page.keyboard.press("Tab")
    skip = page.locator(".nhsuk-skip-link")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#maincontent")).to_be_focused()
