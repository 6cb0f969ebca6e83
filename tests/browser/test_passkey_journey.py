"""A health visitor with no second factor yet adds a passkey, signs out, and signs in with her
password and the passkey; axe checks every page.

The passkey lives in Chromium's virtual authenticator (DevTools protocol). WebAuthn needs the
page's origin to be a secure context: http://localhost is one (127.0.0.1 would be too, but the
relying party ID must be a domain), and the settings allow plain http outside production.
"""

import re
from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from tests.factories import HealthVisitorFactory

from .conftest import assert_accessible, open_page, sign_out, submit_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIRTUAL_AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}


def heading(page, text):
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


@pytest.fixture
def localhost_page(browser, live_server):
    """A page on the live server at http://localhost:PORT, with a virtual authenticator."""
    parts = urlsplit(live_server.url)
    base_url = f"{parts.scheme}://localhost:{parts.port}"
    page = open_page(browser, base_url)
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": VIRTUAL_AUTHENTICATOR})
    page.passkeys = lambda: cdp.send(
        "WebAuthn.getCredentials", {"authenticatorId": added["authenticatorId"]}
    )["credentials"]
    yield page
    page.context.close()


def test_hv_adds_a_passkey_and_signs_in_with_it(localhost_page, team_a):
    page = localhost_page
    hv = HealthVisitorFactory(
        team=team_a, username="amara.okafor", first_name="Amara", second_factor=False
    )

    # Past the password, she has to set up a second factor first.
    page.goto("/")
    submit_password(page, hv, check_accessibility=True)
    expect(page).to_have_url(re.compile(r"/account/second-factor/set-up/$"))
    heading(page, "Set up your second factor")
    assert_accessible(page)

    # She adds a passkey kept by this device.
    page.get_by_role("link", name="A passkey").click()
    expect(page).to_have_url(re.compile(r"/account/second-factor/passkeys/add/$"))
    heading(page, "Add a passkey")
    assert_accessible(page)
    page.get_by_label("Name").fill("Work laptop")
    page.get_by_role("button", name="Add the passkey").click()
    expect(page).not_to_have_url(re.compile(r"/passkeys/add/$"))
    assert len(page.passkeys()) == 1
    passkey = Authenticator.objects.get(user=hv, type=Authenticator.Type.WEBAUTHN)
    assert passkey.wrap().name == "Work laptop"
    assert_accessible(page)
    if "/recovery-codes/" in page.url:
        heading(page, "Your recovery codes")
        page.get_by_role("button", name="Continue").click()
    heading(page, "Caseload")
    assert_accessible(page)

    # Signed out, she signs in again with her password and the passkey.
    sign_out(page)
    submit_password(page, hv, check_accessibility=True)
    expect(page).to_have_url(re.compile(r"/sign-in/second-factor/$"))
    heading(page, "Enter your code")
    expect(page.get_by_role("heading", name="Or use your passkey")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Use a passkey").click()
    expect(page).to_have_url(re.compile(r"://localhost:\d+/$"))
    heading(page, "Caseload")
    expect(page.locator("header")).to_contain_text(hv.get_full_name())
    assert_accessible(page)
    assert page.passkeys()[0]["signCount"] >= 1
    assert page.csp_violations == []
