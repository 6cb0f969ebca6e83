"""No page of the service opens on the password alone: the second factor comes first.

Sessions here are made the way a browser makes them (the password step of ``/sign-in/``), or
with Django's plain ``force_login``, which stands for a session that got past the password some
other way and never passed the second factor.
"""

from importlib import import_module

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from attachment_app.accounts.models import User
from tests.factories import TEST_PASSWORD
from tests.signin import totp_code
from tests.test_security import PUBLIC_URL_NAMES, every_url

SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
LOGIN = reverse("account_login")
SECOND_FACTOR = reverse("mfa_authenticate")
ROLES = ["hv", "team_lead", "admin_user", "no_role_user"]


def protected_urls():
    urls = [
        (pattern, path) for pattern, path in every_url() if pattern.name not in PUBLIC_URL_NAMES
    ]
    assert len(urls) > 40, "every_url() found too few pages to mean anything"
    return urls


def past_the_password_only(user) -> Client:
    """A browser that typed the right password and has not yet typed the code."""
    browser = Client()
    response = browser.post(LOGIN, {"login": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == SECOND_FACTOR
    assert "_auth_user_id" not in browser.session
    return browser


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_after_the_password_alone_every_page_sends_to_the_second_factor_step(request, role):
    user = request.getfixturevalue(role)
    browser = past_the_password_only(user)
    wrong = []
    for pattern, path in protected_urls():
        response = browser.get(path)
        if response.status_code != 302 or response["Location"] != SECOND_FACTOR:
            wrong.append((pattern.name, path, response.status_code, response.get("Location")))
    assert wrong == []
    # The walk left the sign-in waiting for the code: typing it now finishes signing in.
    finished = browser.post(SECOND_FACTOR, {"code": totp_code()})
    assert finished.status_code == 302
    assert browser.get(reverse("home")).status_code == 200


@pytest.mark.django_db
# A clinical role and the admin role (whose Django admin pages are a site of their own).
@pytest.mark.parametrize("role", ["hv", "admin_user"])
def test_a_session_that_never_passed_the_second_factor_gets_no_page(request, role):
    user = request.getfixturevalue(role)
    browser = Client()
    browser.force_login(user)  # signed in, but the session has no second-factor record
    unverified = dict(browser.session.items())
    assert unverified["_auth_user_id"] == str(user.pk)
    wrong = []
    for pattern, path in protected_urls():
        # A fresh copy of that session for each page: the first refusal signs it out.
        session = SessionStore()
        session.update(unverified)
        session.create()
        browser.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
        response = browser.get(path)
        if response.status_code == 200:
            wrong.append((pattern.name, path))
            continue
        # ... and the session is signed out, so the next page is refused too.
        assert "_auth_user_id" not in SessionStore(session.session_key).load(), (
            pattern.name,
            path,
        )
    assert wrong == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_a_session_that_never_passed_the_second_factor_is_sent_to_sign_in(request, role):
    user = request.getfixturevalue(role)
    browser = Client()
    browser.force_login(user)
    response = browser.get(
        reverse("person_list" if role in ("team_lead", "admin_user") else "home")
    )
    assert response.status_code == 302
    assert response["Location"].split("?")[0] == LOGIN
    assert browser.get(reverse("home"))["Location"].split("?")[0] == LOGIN


@pytest.mark.django_db
def test_the_second_factor_step_itself_still_opens_after_the_password(hv):
    browser = past_the_password_only(hv)
    page = browser.get(SECOND_FACTOR)
    assert page.status_code == 200
    assert 'name="code"' in page.content.decode()


@pytest.mark.django_db
def test_a_change_posted_after_the_password_alone_is_not_made(admin_user, hv):
    browser = past_the_password_only(admin_user)
    invited = browser.post(
        reverse("person_invite"),
        {
            "first_name": "Eve",
            "last_name": "Early",
            "email": "eve@example.invalid",
            "username": "eve.early",
        },
    )
    deactivated = browser.post(reverse("person_deactivate", args=[hv.pk]), {"reason": "x"})
    assert invited["Location"] == SECOND_FACTOR
    assert deactivated["Location"] == SECOND_FACTOR
    assert not User.objects.filter(username="eve.early").exists()
    # Finishing the sign-in afterwards does not make the change either.
    assert browser.post(SECOND_FACTOR, {"code": totp_code()}).status_code == 302
    assert not User.objects.filter(username="eve.early").exists()
    hv.refresh_from_db()
    assert hv.is_active
