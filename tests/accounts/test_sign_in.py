"""Signing in and out, login throttling and the session's limits."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.test import RequestFactory, override_settings
from django.urls import reverse

from tests.factories import TEST_PASSWORD

LOGIN = reverse("login")
HOME = reverse("home")


def sign_in(client, username, password=TEST_PASSWORD, ip="192.0.2.10"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_hv_signs_in_and_sees_home(client, hv):
    response = sign_in(client, "hv.a")
    assert response.status_code == 302
    assert response["Location"] == HOME
    page = client.get(HOME)
    assert page.status_code == 200
    assert hv.team.name in page.content.decode()


@pytest.mark.django_db
def test_wrong_password_shows_error_and_stays_signed_out(client, hv):
    response = sign_in(client, "hv.a", password="not-the-password")
    assert response.status_code == 200
    assert "nhsuk-error-summary" in response.content.decode()
    assert client.get(HOME).status_code == 302


@pytest.mark.django_db
def test_sign_out_needs_post_and_ends_the_session(client, hv):
    sign_in(client, "hv.a")
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "storage" in response["Clear-Site-Data"]
    assert client.get(HOME).status_code == 302


@pytest.mark.django_db
def test_account_locks_after_configured_failures_and_others_still_sign_in(client, hv, other_hv):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "hv.a", password="wrong-password")
    locked = sign_in(client, "hv.a")
    assert locked.status_code == 429
    assert "hv.a" not in locked.content.decode()
    assert client.get(HOME).status_code == 302

    # Another person at the same address is not locked out.
    assert sign_in(client, "hv.a2")["Location"] == HOME


@pytest.mark.django_db
def test_failures_below_the_limit_do_not_lock(client, hv):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "hv.a", password="wrong-password")
    assert sign_in(client, "hv.a")["Location"] == HOME


@pytest.mark.django_db
def test_lockout_ends_after_the_cool_off(client, hv):
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, "hv.a", password="wrong-password")
        assert sign_in(client, "hv.a").status_code == 429
        traveller.shift(settings.AXES_COOLOFF_TIME + timedelta(minutes=1))
        assert sign_in(client, "hv.a")["Location"] == HOME


def test_client_ip_ignores_forwarded_header_without_a_trusted_proxy():
    request = RequestFactory().get(
        "/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1"
    )
    assert get_client_ip_address(request) == "203.0.113.9"


@override_settings(
    AXES_IPWARE_PROXY_COUNT=1,
    AXES_IPWARE_META_PRECEDENCE_ORDER=("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"),
)
def test_client_ip_is_read_from_the_forwarded_header_behind_one_proxy():
    # The load balancer appends the address it saw; the client is the one before it.
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.23, 10.0.0.5"
    )
    assert get_client_ip_address(request) == "198.51.100.23"


@pytest.mark.django_db
def test_session_ends_after_idle_limit(client, hv):
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    idle = timedelta(minutes=settings.SESSION_IDLE_TIMEOUT_MINUTES)
    with time_machine.travel(start, tick=False) as traveller:
        sign_in(client, "hv.a")
        traveller.shift(idle - timedelta(minutes=1))
        assert client.get(HOME).status_code == 200
        # That request pushed the expiry on: activity keeps the session alive.
        traveller.shift(idle - timedelta(minutes=1))
        assert client.get(HOME).status_code == 200
        traveller.shift(idle + timedelta(seconds=1))
        response = client.get(HOME)
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_session_ends_at_absolute_limit_however_active(client, hv):
    start = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as traveller:
        sign_in(client, "hv.a")
        elapsed = timedelta()
        step = timedelta(minutes=20)
        while elapsed + step <= settings.SESSION_ABSOLUTE_LIMIT:
            traveller.shift(step)
            elapsed += step
            assert client.get(HOME).status_code == 200
        traveller.shift(step)
        response = client.get(HOME)
        assert response.status_code == 302
        assert response["Location"] == f"{LOGIN}?expired=1"
        assert client.get(HOME).status_code == 302


@pytest.mark.django_db
def test_change_password(client, hv):
    sign_in(client, "hv.a")
    response = client.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "a-much-longer-new-secret-42",
            "new_password2": "a-much-longer-new-secret-42",
        },
    )
    assert response.status_code == 302
    hv.refresh_from_db()
    assert hv.check_password("a-much-longer-new-secret-42")
