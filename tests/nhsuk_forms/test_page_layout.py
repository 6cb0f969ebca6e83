"""The base layout: no inline styles or scripts, the header, landmarks, message banners, the sign-in
page's errors and banner, and the error pages."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.messages import constants
from django.contrib.messages.storage.fallback import FallbackStorage
from django.template.loader import get_template
from django.test import Client, RequestFactory
from django.urls import reverse

from attachment_app.accounts.models import Team, User
from tests.nhsuk_forms.html_reader import by_id, parse
from tests.signin import SecondFactorClient

# --- The page layout --------------------------------------------------------------------------


@pytest.fixture
def admin_client(db):
    admin = User.objects.create_user(
        username="admin.pack", password="x-unused-password-1", role="admin"
    )
    Authenticator.objects.create(user=admin, type=Authenticator.Type.TOTP, data={"secret": "A"})
    client = SecondFactorClient()
    client.force_login(admin)
    return client


@pytest.mark.django_db
def test_pages_have_no_inline_styles_or_scripts(admin_client):
    for html in (
        admin_client.get(reverse("home")).content.decode(),
        admin_client.get(reverse("account_change_password")).content.decode(),
        Client().get(reverse("account_login")).content.decode(),
    ):
        assert " style=" not in html
        assert "<style" not in html
        scripts = re.findall(r"<script[^>]*>", html)
        assert scripts, "the page loads no script"
        for script in scripts:
            assert 'type="module"' in script, script
            assert "src=" in script, script


@pytest.mark.django_db
def test_header_shows_who_is_signed_in_and_signs_out_with_a_post(admin_client):
    doc = parse(admin_client.get(reverse("home")).content.decode())
    header = doc.find("header", "nhsuk-header")
    account = header.find("nav", "nhsuk-header__account")
    items = [item.all_text() for item in account.find_all("li")]
    # An admin has no team, so the header shows their role instead.
    assert items[:2] == ["admin.pack", "Admin"]
    change_password = account.find("a", href=reverse("account_change_password"))
    assert change_password.all_text() == "Change password"
    sign_out = account.find("form")
    assert sign_out.attrs["method"] == "post"
    assert sign_out.attrs["action"] == reverse("account_logout")
    assert sign_out.find("input", type="hidden", name="csrfmiddlewaretoken") is not None
    assert sign_out.find("button").all_text() == "Sign out"
    service = header.find("a", "nhsuk-header__service-logo")
    assert service.attrs["href"] == reverse("home")


@pytest.mark.django_db
def test_header_shows_a_health_visitors_full_name_and_team():
    team = Team.objects.create(name="Riverside Team")
    hv = User.objects.create_user(
        username="hv.pack",
        password="x-unused-password-1",
        role="health_visitor",
        team=team,
        first_name="Amara",
        last_name="Okafor",
    )
    Authenticator.objects.create(user=hv, type=Authenticator.Type.TOTP, data={"secret": "A"})
    client = SecondFactorClient()
    client.force_login(hv)
    doc = parse(client.get(reverse("home")).content.decode())
    items = [li.all_text() for li in doc.find("nav", "nhsuk-header__account").find_all("li")]
    assert items[:2] == ["Amara Okafor", "Riverside Team"]
    assert doc.find("h1").all_text() == "Caseload"


@pytest.mark.django_db
def test_page_has_landmarks_one_h1_and_a_skip_link(admin_client):
    doc = parse(admin_client.get(reverse("home")).content.decode())
    assert doc.find("html").attrs["lang"] == "en-GB"
    assert doc.find("a", "nhsuk-skip-link").attrs["href"] == "#maincontent"
    assert doc.find("main", id="maincontent") is not None
    assert doc.find("footer", "nhsuk-footer") is not None
    assert len(list(doc.find_all("h1"))) == 1
    assert doc.find("title").all_text() == "Home \N{EN DASH} Starting Relationships"


@pytest.mark.django_db
def test_messages_show_as_notification_banners(admin_client):
    request = RequestFactory().get("/")
    request.user = User.objects.get(username="admin.pack")
    request.session = admin_client.session
    storage = FallbackStorage(request)
    storage.add(constants.SUCCESS, "Referral sent")
    storage.add(constants.INFO, "Nothing else to do")
    html = get_template("conversations/caseload.html").render({"messages": storage}, request)
    doc = parse(html)
    banners = list(doc.find_all("div", "nhsuk-notification-banner"))
    assert len(banners) == 2
    assert "nhsuk-notification-banner--success" in banners[0].classes()
    assert banners[0].attrs["role"] == "alert"
    assert banners[1].attrs["role"] == "region"
    for banner in banners:
        assert by_id(doc, banner.attrs["aria-labelledby"]) is not None
    assert "Referral sent" in banners[0].all_text()


@pytest.mark.django_db
def test_failed_sign_in_puts_the_error_in_the_summary_above_the_heading(client):
    response = client.post(
        reverse("account_login"), {"login": "nobody", "password": "wrong"}, REMOTE_ADDR="192.0.2.77"
    )
    html = response.content.decode()
    doc = parse(html)
    summary = doc.find("div", "nhsuk-error-summary")
    assert "username and/or password you specified are not correct" in summary.all_text()
    assert html.index("nhsuk-error-summary") < html.index("<h1")
    assert doc.find("title").all_text().startswith("Error: Sign in")
    assert doc.find("label", **{"for": "id_login"}).all_text() == "Username"
    assert by_id(doc, "id_password").attrs["type"] == "password"


@pytest.mark.django_db
def test_sign_in_page_explains_a_session_that_reached_its_limit(client):
    html = client.get(reverse("account_login") + "?signed_out=limit").content.decode()
    doc = parse(html)
    banner = doc.find("div", cls="nhsuk-notification-banner")
    assert banner.attrs["role"] == "region"
    assert "signed in for 12 hours" in banner.all_text()
    plain = client.get(reverse("account_login")).content.decode()
    assert "nhsuk-notification-banner" not in plain


# --- Error pages ------------------------------------------------------------------------------


def test_server_error_page_needs_no_request_or_context():
    html = get_template("500.html").render({})
    doc = parse(html)
    assert doc.find("h1").all_text() == "Sorry, there is a problem with the service"
    assert doc.find("main", id="maincontent") is not None


@pytest.mark.django_db
def test_csrf_failure_page_is_in_plain_words():
    response = Client(enforce_csrf_checks=True).post(reverse("account_login"), {"username": "x"})
    assert response.status_code == 403
    doc = parse(response.content.decode())
    assert doc.find("h1").all_text() == "This page has expired"


@pytest.mark.django_db
def test_not_found_page_uses_the_layout(admin_client):
    response = admin_client.get("/no-such-page/")
    assert response.status_code == 404
    doc = parse(response.content.decode())
    assert doc.find("h1").all_text() == "Page not found"
    assert doc.find("nav", "nhsuk-header__account") is not None


def test_the_lock_message_never_shows_the_username():
    from attachment_app.accounts.throttle import locked_message

    message = locked_message()
    assert "Try again later, or ask your team lead or admin" in message
    assert "15 minutes" in message
