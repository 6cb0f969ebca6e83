"""Headless Chromium (Debian's) driven by Playwright, with axe-core for accessibility checks.

Also the one way the journeys sign in (``sign_in``: password, then the authenticator code) and
sign out (``sign_out``).
"""

import json
import os
import re
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET
from tests.signin import totp_code

# Playwright's sync API runs an event loop in this thread; the tests still use the ORM here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_SOURCE = Path(settings.BASE_DIR, "node_modules", "axe-core", "axe.min.js")
#: WCAG 2.2 A and AA, the standard the service is held to, plus axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
#: The one known exception: NHS.UK frontend (like GOV.UK Frontend) puts aria-expanded on a radio
#: that reveals questions (conditional reveal). ARIA 1.2 does not list it for the radio role,
#: but screen readers announce it and the design systems keep it on purpose
#: (alphagov/govuk-frontend#979, w3c/aria#1404). Allowed for radios only, nothing else.
AXE_CHECK_OPTIONS = [{"id": "aria-allowed-attr", "options": {"radio": ["aria-expanded"]}}]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run `make test`, which installs it.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


#: How long Playwright waits for an element or a page before it fails a test (milliseconds).
ACTION_TIMEOUT_MS = 10_000


def open_page(browser, base_url: str):
    """A page in a browser context of its own (its own cookies), noting CSP violations in
    ``page.csp_violations``. Close it with ``page.context.close()``."""
    context = browser.new_context(base_url=base_url)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    page.csp_violations = []
    page.on(
        "console",
        lambda message: (
            page.csp_violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return page


def base_url_of(page) -> str:
    """The scheme and host of the page's address, for another context on the same server."""
    parts = urlsplit(page.url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture
def page(browser, live_server):
    page = open_page(browser, live_server.url)
    yield page
    page.context.close()


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page as it is now; return its violations."""
    page.evaluate(AXE_SOURCE.read_text())
    page.evaluate("checks => axe.configure({checks})", AXE_CHECK_OPTIONS)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        {
            "id": violation["id"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]],
        }
        for violation in result["violations"]
    ]


#: Every page must fit these widths (CSS pixels: a small phone, a common phone, a tablet) with
#: nothing cut off and no sideways scrolling (WCAG 2.2 1.4.10 Reflow asks for 320).
FIT_WIDTHS = (320, 390, 768)

#: The document's width against the window's, and when it is wider, the innermost elements
#: whose right edge passes the window's (at most ten), to say what to fix.
_WIDTH_SCRIPT = """() => {
  const width = window.innerWidth;
  const scrollWidth = document.documentElement.scrollWidth;
  const outside = [];
  if (scrollWidth > width) {
    const sticksOut = element => element.getBoundingClientRect().right > width + 0.5;
    for (const element of document.body.querySelectorAll("*")) {
      if (!sticksOut(element) || [...element.children].some(sticksOut)) continue;
      const rect = element.getBoundingClientRect();
      if (rect.width <= 1 && rect.height <= 1) continue;  // visually hidden text
      const classes = [...element.classList].map(name => "." + name).join("");
      const text = (element.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 60);
      outside.push(`${element.tagName.toLowerCase()}${element.id ? "#" + element.id : ""}`
        + `${classes} right edge at ${Math.round(rect.right)}px: "${text}"`);
      if (outside.length === 10) break;
    }
  }
  return {scrollWidth, width, outside};
}"""


def assert_fits_narrow_screens(page) -> None:
    """At each of ``FIT_WIDTHS`` the document is no wider than the window, then the window
    goes back to its size. A resize lays the page out again with no reload, so it is quick."""
    original = page.viewport_size
    failures = []
    try:
        for width in FIT_WIDTHS:
            page.set_viewport_size({"width": width, "height": original["height"]})
            measured = page.evaluate(_WIDTH_SCRIPT)
            if measured["scrollWidth"] > measured["width"]:
                failures.append(
                    f"At {width}px the page is {measured['scrollWidth']}px wide; sticking out:\n  "
                    + "\n  ".join(measured["outside"] or ["(nothing found)"])
                )
    finally:
        page.set_viewport_size(original)
    assert not failures, f"{page.url}\n" + "\n".join(failures)


def assert_accessible(page) -> None:
    """axe finds nothing (WCAG 2.2 AA and best practice) and the page fits narrow screens."""
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=2)
    assert_fits_narrow_screens(page)


# --- Signing in and out --------------------------------------------------------------------------

TOTP_PERIOD_SECONDS = 30
#: A code with less time than this left in its period might expire before the server checks it
#: (allauth accepts the current period's code only), so wait for the next one.
TOTP_MARGIN_SECONDS = 2
#: The code last given for each user: allauth refuses a code used already, so never give it twice.
_codes_given: dict[int, str] = {}


def fresh_totp_code(user, secret: str = TEST_TOTP_SECRET) -> str:
    """A code the authenticator app shows now that the server will accept for ``user``.

    Waits (at most one period, about 30 s) only when the current code was given for this user
    already or is about to expire.
    """
    deadline = time.monotonic() + TOTP_PERIOD_SECONDS + TOTP_MARGIN_SECONDS + 1
    while True:
        now = time.time()
        left = TOTP_PERIOD_SECONDS - now % TOTP_PERIOD_SECONDS
        code = totp_code(secret, now)
        if code != _codes_given.get(user.pk) and left > TOTP_MARGIN_SECONDS:
            _codes_given[user.pk] = code
            return code
        assert time.monotonic() < deadline, "No fresh authenticator code within a period"
        time.sleep(left + 0.05)  # until the next period starts: the one bounded wait


def enter_code(page, user, secret: str = TEST_TOTP_SECRET, *, code: str | None = None) -> None:
    """Type a code into the page's "Code" field (a fresh one from ``secret`` unless given)."""
    field = page.get_by_role("textbox", name=re.compile(r"^(authenticator )?code$", re.IGNORECASE))
    field.fill(code or fresh_totp_code(user, secret))


def submit_password(
    page, user, *, password: str = TEST_PASSWORD, check_accessibility: bool = False
) -> str:
    """The first step of signing in: username and password, on the sign-in page the browser
    was sent to (or opened here). Returns where sign-in will then lead (its ``next``)."""
    if urlsplit(page.url).path != "/sign-in/":
        page.goto("/sign-in/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    wanted = parse_qs(urlsplit(page.url).query).get("next", ["/"])[0]
    if check_accessibility:
        assert_accessible(page)
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Continue").click()
    return wanted


def sign_in(
    page,
    user,
    secret: str = TEST_TOTP_SECRET,
    *,
    password: str = TEST_PASSWORD,
    code: str | None = None,
    check_accessibility: bool = False,
) -> None:
    """Sign ``user`` in through both steps: username and password, then the authenticator code
    computed from ``secret`` (or ``code``, a recovery code say).

    Starts from the sign-in page the browser was sent to (or opens it), and checks that it ends
    where sign-in leads: the page asked for before (its ``next``) or the home page, with the
    person's name in the header. With ``check_accessibility``, axe checks both sign-in pages.
    """
    wanted = submit_password(page, user, password=password, check_accessibility=check_accessibility)
    expect(page).to_have_url(re.compile(r"/sign-in/second-factor/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    if check_accessibility:
        assert_accessible(page)
    enter_code(page, user, secret, code=code)
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page).to_have_url(base_url_of(page) + wanted)
    expect(page.locator("header")).to_contain_text(user.get_full_name() or user.username)


def sign_out(page) -> None:
    """Sign out with the header's button; the browser is sent to the sign-in page."""
    page.locator("header").get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in/$"))
