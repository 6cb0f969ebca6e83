"""Security defaults: every page needs sign-in, headers are set, production settings pass."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.audit.test_access_walk import OPEN_DIRECTORY_API

BASE_DIR = Path(settings.BASE_DIR)

#: The only views anyone may open without signing in (the service's link pages are tested in
#: tests/referrals/test_service_link_pages.py: nothing shown without the link and its code).
PUBLIC_URL_NAMES = {
    "account_login",
    "mfa_authenticate",
    "account_logout",
    "account_inactive",
    "invitation_accept",
    "healthz",
    # A service opens its referral with the emailed link and code, without an account; with
    # neither, each of these is the calm "this link does not open a referral" page.
    "service_link_open",
    "service_referral",
    "service_referral_code",
    "service_referral_verify",
    "service_referral_reply",
}
# The open directory API (ADR 0012): the directory, read-only, for anyone; one list with the
# access walk, which walks these pages signed out.
PUBLIC_URL_NAMES |= OPEN_DIRECTORY_API

SAMPLE_ARGS = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "instrument_code": "phq9",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


def every_url(resolver=None, prefix=""):
    """Every URL pattern of the project, with sample values for its parameters."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from every_url(pattern, route)
        elif isinstance(pattern, URLPattern):
            path = re.sub(
                r"<(?:(\w+):)?\w+>", lambda m: SAMPLE_ARGS.get(m.group(1) or "str", "1"), route
            )
            path = path.lstrip("^").rstrip("$").replace("\\Z", "")
            if "(" in path or "[" in path:  # a regex route: Django admin's internals
                continue
            yield pattern, "/" + path


@pytest.mark.django_db
def test_anonymous_requests_to_every_page_redirect_to_sign_in(client):
    checked = 0
    for pattern, path in every_url():
        if pattern.name in PUBLIC_URL_NAMES:
            continue
        response = client.get(path)
        assert response.status_code == 302, path
        location = response["Location"]
        assert location.startswith((reverse("account_login"), "/django-admin/login/")), path
        checked += 1
    assert checked > 5


@pytest.mark.django_db
def test_healthz_is_the_only_anonymous_json(client):
    for pattern, path in every_url():
        if pattern.name in PUBLIC_URL_NAMES:
            continue
        response = client.get(path)
        if response.get("Content-Type", "").startswith("application/json"):
            assert pattern.name == "healthz", path


@pytest.mark.django_db
def test_security_headers_on_a_signed_in_page(hv_client):
    response = hv_client.get(reverse("home"))
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    directives = dict(
        [*part.strip().split(" ", 1), ""][:2] for part in csp.split(";") if part.strip()
    )
    assert "'nonce-" in directives["script-src"]
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["style-src"] == "'self'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert "no-store" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_each_response_gets_its_own_nonce(hv_client):
    first = hv_client.get(reverse("home"))["Content-Security-Policy"]
    second = hv_client.get(reverse("home"))["Content-Security-Policy"]
    assert first != second


@pytest.mark.django_db
def test_pages_have_no_inline_scripts_or_styles(hv_client, client):
    for page in (hv_client.get(reverse("home")), client.get(reverse("account_login"))):
        html = page.content.decode()
        assert " style=" not in html
        assert "<style" not in html
        for script in re.findall(r"<script[^>]*>", html):
            assert "src=" in script, script


@pytest.mark.django_db
def test_csrf_is_enforced_on_sign_in(hv):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("account_login"), {"username": "hv.a", "password": "x"})
    assert response.status_code == 403


def production_env(**overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL"))
    }
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="starting-relationships.example.nhs.uk",
        DATABASE_URL=os.environ["DATABASE_URL"],
        SITE_URL="https://starting-relationships.example.nhs.uk",
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def test_deploy_check_passes_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_secret_key():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=production_env(SECRET_KEY=None),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_turn_on_secure_cookies_and_hsts():
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
        " s.SESSION_COOKIE_NAME)"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=BASE_DIR,
        env={**production_env(), "DJANGO_SETTINGS_MODULE": "attachment_app.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["False", "True", "True", "True", "True", "__Host-sessionid"]


def test_no_template_comment_spans_lines():
    # Django's {# #} comments are single-line: a multi-line one is printed on the page.
    for template in Path(settings.BASE_DIR).glob("**/templates/**/*.html"):
        if "node_modules" in template.parts or any(p.startswith(".venv") for p in template.parts):
            continue
        for number, line in enumerate(template.read_text().splitlines(), 1):
            if "{#" in line:
                assert "#}" in line, f"{template}:{number}"


def test_production_refuses_to_start_without_a_database_url():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=production_env(DATABASE_URL=None),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DATABASE_URL must be set" in result.stderr


@pytest.mark.parametrize(
    ("site_url", "check_id"),
    [
        (None, "health.E001"),
        ("http://127.0.0.1:8000", "health.E002"),
        ("https://localhost", "health.E002"),
    ],
)
def test_deploy_check_reports_a_missing_or_local_site_url(site_url, check_id):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=BASE_DIR,
        env=production_env(SITE_URL=site_url),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert check_id in result.stdout + result.stderr
    assert "SITE_URL" in result.stdout + result.stderr
