"""What was typed on a record page survives a session timeout, on every form page.

The middleware keeps a signed-out POST under the record paths (``KEPT_PATH_PREFIXES``); the one
form-page view, :class:`~attachment_app.form_page.FormPageView`, shows it again once. So every
form page under those paths must be a ``FormPageView``, and each one is walked here the way it
happens in use: signed in, the page opened, the idle limit passed, save pressed, signed in
again, the page opened again.
"""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from attachment_app.accounts.typed_input import KEPT_PATH_PREFIXES
from attachment_app.form_page import FormPageView
from tests.audit.test_access_walk import FAMILY_PAGES, every_pattern, is_regex
from tests.factories import TEST_PASSWORD, CaregiverFactory
from tests.html_forms import as_sent, page_form
from tests.signin import sign_in_both_steps

BANNER = "You were signed out. We kept what you typed"
PAST_IDLE_LIMIT = timedelta(minutes=settings.SESSION_IDLE_TIMEOUT_MINUTES + 1)
MARKER = "Typed just before the timeout 4711"

#: Pages under the kept paths that take a POST with nothing typed: a button, not a form.
NOTHING_TYPED = {
    "conversation_start": "one button that opens the conversation; no field to fill in",
    "conversation_withdraw": "one button that confirms the withdrawal; no field to fill in",
    "referral_send_email": "one button that sends the referral by email; no field to fill in",
    "service_link_reissue": "one button that sends the service a new link",
    "service_link_revoke": "one button that stops the service's link",
}
#: Pages only a team lead of the family's team may use (the world's referrals are the HV's).
TEAM_LEAD_PAGES = {
    "referral_transition": "returning a submitted referral is a team lead's move",
    "referral_review_after_sending": "the review after an urgent sending is a team lead's",
}
#: Where the access walk's record cannot show its form, a record of the world that can.
OTHER_RECORD = {
    # The world's urgent concern must be acknowledged before it can be closed.
    "concern_close": lambda w: {"concern_id": w.open_concern.pk},
    # The world's parent is named in a consent decision, so stays; a second one may be marked.
    "caregiver_entered_in_error": lambda w: {"caregiver_id": CaregiverFactory(family=w.family).pk},
    # Approving asks for nothing typed; returning asks what needs changing.
    "referral_transition": lambda w: {"referral_id": w.submitted.pk, "action": "return"},
}


def _kept_patterns():
    """(name, path, view class) of every named pattern under the kept paths."""
    for name, route, pattern in every_pattern():
        path = "/" + route
        if is_regex(route) or not path.startswith(KEPT_PATH_PREFIXES):
            continue
        yield name, path, getattr(pattern.callback, "view_class", None)


def _form_pages() -> list[str]:
    return sorted(
        name
        for name, _, view_class in _kept_patterns()
        if view_class is not None
        and issubclass(view_class, FormPageView)
        and name not in NOTHING_TYPED
    )


# --- What to type ------------------------------------------------------------------------------


def pick_field(fields: list[dict]) -> dict | None:
    """What to type into: free text first, then a one-line text box, else a radio to choose."""
    for kinds in (("textarea",), ("text", "email", "url", "tel", "search")):
        for field in fields:
            if field["kind"] in kinds and field["name"] != "csrfmiddlewaretoken":
                return field
    return next(
        (field for field in fields if field["kind"] == "radio" and not field["checked"]), None
    )


def as_posted(fields: list[dict], typed: dict) -> dict[str, list[str]]:
    """What pressing the form's first button sends, with ``typed`` put in."""
    data = as_sent(fields)
    if typed["kind"] == "radio":
        data[typed["name"]] = [typed["value"]]
    else:
        data[typed["name"]] = [MARKER]
    return data


def shows_typed(fields: list[dict], typed: dict) -> bool:
    if typed["kind"] == "radio":
        return any(
            field["name"] == typed["name"] and field["value"] == typed["value"] and field["checked"]
            for field in fields
        )
    return any(field["name"] == typed["name"] and field["value"] == MARKER for field in fields)


# --- The walk -----------------------------------------------------------------------------------


def _url(name: str, world) -> str:
    kwargs = OTHER_RECORD.get(name) or (FAMILY_PAGES[name][0] if name in FAMILY_PAGES else {})
    return reverse(name, kwargs=kwargs(world) if callable(kwargs) else kwargs)


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def sign_in(client, user, next_url=""):
    response = sign_in_both_steps(client, user.username, TEST_PASSWORD, next_url=next_url)
    assert response.status_code == 302, response.content.decode()[:300]
    return response


@pytest.mark.django_db
@pytest.mark.parametrize("name", _form_pages())
def test_what_was_typed_is_shown_again_after_a_timeout(name, world, client, clock):
    user = world.team_lead if name in TEAM_LEAD_PAGES else world.hv
    url = _url(name, world)
    sign_in(client, user)
    opened = client.get(url)
    assert opened.status_code == 200, f"{name}: {opened.status_code}"
    fields = page_form(opened.content.decode(), url)
    typed = pick_field(fields)
    assert typed is not None, f"{name}: nothing to type or choose in its form"

    clock.shift(PAST_IDLE_LIMIT)
    pressed = client.post(url, as_posted(fields, typed))
    assert pressed.status_code == 302
    assert pressed["Location"].startswith(reverse("account_login"))

    assert sign_in(client, user, next_url=url)["Location"] == url
    html = client.get(url).content.decode()
    assert BANNER in html, f"{name}: no restored banner"
    assert shows_typed(page_form(html, url), typed), f"{name}: {typed['name']} not shown again"

    again = client.get(url).content.decode()
    assert BANNER not in again
    assert not shows_typed(page_form(again, url), typed)


def test_every_form_page_under_the_kept_paths_is_a_form_page_view():
    """A new page with a form under the record paths cannot skip the restore."""
    posting = {
        name: view_class
        for name, _, view_class in _kept_patterns()
        if view_class is None or hasattr(view_class, "post")
    }
    assert set(NOTHING_TYPED) <= set(posting), "NOTHING_TYPED names a page that takes no POST"
    not_form_pages = sorted(
        name
        for name, view_class in posting.items()
        if name not in NOTHING_TYPED
        and (view_class is None or not issubclass(view_class, FormPageView))
    )
    assert not_form_pages == [], f"form pages that are not a FormPageView: {not_form_pages}"


def test_the_walk_covers_the_family_record_pages():
    """The pages whose restore was lost before are walked (a check that the walk finds them)."""
    assert {
        "family_update",
        "caregiver_create",
        "caregiver_update",
        "baby_create",
        "baby_update",
    } <= set(_form_pages())
