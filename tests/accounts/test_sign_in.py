"""Signing in with a password and a second factor, the sign-in locks, and the session's limits."""

import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.conf import settings
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from attachment_app.accounts.models import AccountEvent
from attachment_app.accounts.throttle import client_address
from tests.factories import TEST_PASSWORD, HealthVisitorFactory
from tests.signin import totp_code

LOGIN = reverse("account_login")
SECOND_FACTOR = reverse("mfa_authenticate")
HOME = reverse("home")
Kind = AccountEvent.Kind


def password_step(client, username, password=TEST_PASSWORD, ip="192.0.2.10", **headers):
    return client.post(LOGIN, {"login": username, "password": password}, REMOTE_ADDR=ip, **headers)


def sign_in(client, username, password=TEST_PASSWORD, ip="192.0.2.10", code=None, **headers):
    """Both steps, as a browser does them; the response of the last step taken."""
    first = password_step(client, username, password, ip, **headers)
    if first.status_code != 302 or first["Location"] != SECOND_FACTOR:
        return first
    return client.post(SECOND_FACTOR, {"code": code or totp_code()}, REMOTE_ADDR=ip, **headers)


def signed_in(client) -> bool:
    return client.get(HOME).status_code == 200


@pytest.fixture
def client():
    """The plain Django client: these tests sign in through the real pages."""
    return Client()


@pytest.mark.django_db
def test_password_leads_to_the_second_factor_then_home(client, hv):
    first = password_step(client, "hv.a")
    assert first.status_code == 302
    assert first["Location"] == SECOND_FACTOR
    # After the password alone, no page opens.
    assert not signed_in(client)
    second = client.post(SECOND_FACTOR, {"code": totp_code()}, REMOTE_ADDR="192.0.2.10")
    assert second.status_code == 302
    assert second["Location"] == HOME
    page = client.get(HOME)
    assert page.status_code == 200
    assert hv.team.name in page.content.decode()
    assert AccountEvent.objects.filter(kind=Kind.SIGN_IN_SUCCEEDED, user=hv).count() == 1


@pytest.mark.django_db
def test_wrong_password_shows_error_and_stays_signed_out(client, hv):
    response = password_step(client, "hv.a", password="not-the-password")
    assert response.status_code == 200
    assert "nhsuk-error-summary" in response.content.decode()
    assert not signed_in(client)
    failure = AccountEvent.objects.get(kind=Kind.SIGN_IN_FAILED)
    assert (failure.username, failure.address) == ("hv.a", "192.0.2.10")
    assert "not-the-password" not in failure.detail


@pytest.mark.django_db
def test_wrong_code_is_refused_with_a_message_and_counts_as_a_failure(client, hv):
    response = sign_in(client, "hv.a", code="000000")
    assert response.status_code == 200
    assert "The code is not right" in response.content.decode()
    assert not signed_in(client)
    assert AccountEvent.objects.filter(kind=Kind.SIGN_IN_FAILED, user=hv).count() == 1


@pytest.mark.django_db
def test_a_code_used_once_is_refused_the_second_time(client, hv):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, 5, tzinfo=UTC), tick=False):
        code = totp_code()
        assert sign_in(client, "hv.a", code=code)["Location"] == HOME
        client.post(reverse("account_logout"))
        again = sign_in(client, "hv.a", code=code)
        assert again.status_code == 200
        assert "The code is not right, or it has been used already" in again.content.decode()
        assert not signed_in(client)


@pytest.mark.django_db
def test_a_recovery_code_signs_in_once(client, hv):
    codes = RecoveryCodes.activate(hv).generate_codes()
    assert sign_in(client, "hv.a", code=codes[0])["Location"] == HOME
    client.post(reverse("account_logout"))
    assert sign_in(client, "hv.a", code=codes[0]).status_code == 200
    assert not signed_in(client)


@pytest.mark.django_db
def test_a_person_without_a_second_factor_must_set_one_up_first(client, team_a):
    HealthVisitorFactory(team=team_a, username="new.hv", second_factor=False)
    response = password_step(client, "new.hv")
    assert response.status_code == 302
    assert client.get(HOME)["Location"] == reverse("second_factor_setup")
    setup = client.get(reverse("second_factor_setup"))
    assert setup.status_code == 200
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_setting_up_the_app_opens_the_service(client, team_a):
    # A transaction test, so allauth's on-commit step (which marks the session) runs as live.
    person = HealthVisitorFactory(team=team_a, username="new.hv", second_factor=False)
    password_step(client, "new.hv")
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    wrong = client.post(reverse("mfa_activate_totp"), {"code": "123456"})
    assert wrong.status_code == 200
    assert not Authenticator.objects.filter(user=person).exists()
    done = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert done.status_code == 302
    assert Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists()
    assert signed_in(client)
    assert AccountEvent.objects.filter(kind=Kind.FACTOR_ENROLLED, user=person).exists()


@pytest.mark.django_db
@override_settings(SECOND_FACTOR_GRACE_UNTIL="2026-03-31")
def test_a_rollout_grace_period_lets_a_person_in_until_its_date(client, team_a):
    HealthVisitorFactory(team=team_a, username="new.hv", second_factor=False)
    with time_machine.travel(datetime(2026, 3, 31, 12, 0, tzinfo=UTC), tick=False):
        password_step(client, "new.hv")
        assert signed_in(client)
    with time_machine.travel(datetime(2026, 4, 1, 12, 0, tzinfo=UTC), tick=False):
        client.logout()
        password_step(client, "new.hv")
        assert client.get(HOME)["Location"] == reverse("second_factor_setup")


@pytest.mark.django_db
def test_sign_out_ends_the_session(client, hv):
    sign_in(client, "hv.a")
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "storage" in response["Clear-Site-Data"]
    assert not signed_in(client)


# --- Locks ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_username_locks_after_configured_failures_and_others_still_sign_in(client, hv, other_hv):
    for _ in range(settings.SIGN_IN_FAILURES_PER_USERNAME_AND_ADDRESS):
        password_step(client, "hv.a", password="wrong-password")
    locked = password_step(client, "hv.a")
    assert locked.status_code == 200
    assert "too many failed attempts" in locked.content.decode()
    assert not signed_in(client)
    assert AccountEvent.objects.filter(kind=Kind.SIGN_IN_LOCKED, username="hv.a").exists()
    # Another person at the same address is not locked out.
    assert sign_in(client, "hv.a2")["Location"] == HOME


@pytest.mark.django_db
def test_failures_below_the_limit_do_not_lock(client, hv):
    for _ in range(settings.SIGN_IN_FAILURES_PER_USERNAME_AND_ADDRESS - 1):
        password_step(client, "hv.a", password="wrong-password")
    assert sign_in(client, "hv.a")["Location"] == HOME


@pytest.mark.django_db
def test_wrong_codes_count_towards_the_same_lock(client, hv):
    for _ in range(settings.SIGN_IN_FAILURES_PER_USERNAME_AND_ADDRESS):
        client.logout()
        sign_in(client, "hv.a", code="000000")
    client.logout()
    assert "too many failed attempts" in password_step(client, "hv.a").content.decode()


@pytest.mark.django_db
def test_the_lock_ends_after_the_window(client, hv):
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(settings.SIGN_IN_FAILURES_PER_USERNAME_AND_ADDRESS):
            password_step(client, "hv.a", password="wrong-password")
        assert "too many failed attempts" in password_step(client, "hv.a").content.decode()
        traveller.shift(settings.SIGN_IN_LOCKOUT + timedelta(minutes=1))
        assert sign_in(client, "hv.a")["Location"] == HOME


@pytest.mark.django_db
def test_spraying_twelve_usernames_from_one_address_is_locked(client, team_a):
    people = [HealthVisitorFactory(team=team_a, username=f"hv.{n}") for n in range(12)]
    attempts = 0
    refused_at = None
    for round_ in range(4):
        for person in people:
            response = password_step(client, person.username, password=f"Guess-{round_}-2026")
            attempts += 1
            if refused_at is None and "too many failed attempts" in response.content.decode():
                refused_at = attempts
    # 48 guesses at 12 usernames: no username reached its own limit of 5 ...
    assert settings.SIGN_IN_FAILURES_PER_USERNAME_AND_ADDRESS > 4
    # ... but the address was locked once it had failed the per-address limit.
    assert refused_at == settings.SIGN_IN_FAILURES_PER_ADDRESS + 1
    # A correct password from that address is refused too while the lock lasts.
    assert not signed_in(client)
    assert "too many failed attempts" in password_step(client, "hv.0").content.decode()
    # From another address the same person signs in.
    assert sign_in(client, "hv.0", ip="198.51.100.7")["Location"] == HOME


@pytest.mark.django_db
@override_settings(SIGN_IN_FAILURES_OVERALL=6, SIGN_IN_FAILURES_PER_ADDRESS=100)
def test_the_overall_backstop_locks_everyone_under_a_flood(client, hv, other_hv):
    for n in range(6):
        password_step(client, f"nobody{n}", password="x-wrong-x", ip=f"203.0.113.{n + 1}")
    assert (
        "too many failed attempts"
        in password_step(client, "hv.a", ip="192.0.2.99").content.decode()
    )


@pytest.mark.django_db
def test_a_wrong_current_password_on_the_change_page_counts_as_a_failed_sign_in(client, hv):
    sign_in(client, "hv.a")
    url = reverse("account_change_password")
    for _ in range(settings.SIGN_IN_FAILURES_PER_USERNAME_AND_ADDRESS):
        response = client.post(
            url,
            {
                "oldpassword": "guess-guess-1",
                "password1": "Anew-pass-7781x",
                "password2": "Anew-pass-7781x",
            },
            REMOTE_ADDR="192.0.2.10",
        )
        assert response.status_code == 200
    locked = client.post(
        url,
        {
            "oldpassword": TEST_PASSWORD,
            "password1": "Anew-pass-7781x",
            "password2": "Anew-pass-7781x",
        },
        REMOTE_ADDR="192.0.2.10",
    )
    assert "too many failed attempts" in locked.content.decode()
    hv.refresh_from_db()
    assert hv.check_password(TEST_PASSWORD)


# --- The client's address behind proxies ------------------------------------------------------


def request_from(remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_forwarded_header_is_ignored_without_a_trusted_proxy():
    assert client_address(request_from("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_the_address_is_the_entry_the_proxy_wrote():
    # A normal single-entry header: the proxy wrote the client's address.
    assert client_address(request_from("10.0.0.5", "198.51.100.23")) == "198.51.100.23"
    # A client that sends its own header: the proxy appends the real address after it.
    assert client_address(request_from("10.0.0.5", "1.2.3.4, 198.51.100.23")) == "198.51.100.23"
    assert client_address(request_from("10.0.0.5", "9.9.9.9, 1.2.3.4, 198.51.100.23")) == (
        "198.51.100.23"
    )


@override_settings(TRUSTED_PROXY_COUNT=2)
def test_behind_two_proxies_the_address_is_second_from_the_right():
    assert client_address(request_from("10.0.0.6", "6.6.6.6, 198.51.100.23, 10.0.0.5")) == (
        "198.51.100.23"
    )
    # Fewer entries than proxies: it did not come through them; the peer is used.
    assert client_address(request_from("10.0.0.6", "198.51.100.23")) == "10.0.0.6"


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_COUNT=1)
def test_spoofed_forwarded_headers_do_not_escape_the_lock(client, hv):
    limit = settings.SIGN_IN_FAILURES_PER_USERNAME_AND_ADDRESS
    for n in range(limit):
        password_step(
            client,
            "hv.a",
            password="wrong-password",
            ip="10.0.0.5",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n + 1}, 198.51.100.23",
        )
    locked = password_step(
        client, "hv.a", ip="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.200, 198.51.100.23"
    )
    assert "too many failed attempts" in locked.content.decode()
    # Someone else behind the same proxy, at another address, is not locked out.
    ok = password_step(client, "hv.a", ip="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert ok["Location"] == SECOND_FACTOR


# --- Passwords --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "password",
    ["hv.a-hv.a-hv.a", "Amara-Okafor-2026", "okaforokafor12", "password1234", "123456789012"],
)
def test_passwords_made_of_names_or_common_ones_are_refused(password, team_a):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    person = HealthVisitorFactory.build(
        team=team_a, username="hv.a", first_name="Amara", last_name="Okafor"
    )
    with pytest.raises(ValidationError):
        validate_password(password, person)


# --- Session limits ---------------------------------------------------------------------------


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
        assert response["Location"] == f"{LOGIN}?next=/&signed_out=idle"
        # The sign-in page says why, in words.
        html = client.get(response["Location"]).content.decode()
        minutes = settings.SESSION_IDLE_TIMEOUT_MINUTES
        assert (
            f"You were signed out because you had not done anything for {minutes} minutes." in html
        )
        assert "Sign in again to carry on." in html


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
        assert response["Location"] == f"{LOGIN}?signed_out=limit"
        html = client.get(response["Location"]).content.decode()
        hours = int(settings.SESSION_ABSOLUTE_LIMIT.total_seconds() // 3600)
        assert f"You were signed out because you had been signed in for {hours} hours" in html
        assert "not done anything" not in html
        assert client.get(HOME).status_code == 302


@pytest.mark.django_db
def test_signing_out_yourself_gives_no_timeout_message(client, hv):
    sign_in(client, "hv.a")
    client.post(reverse("account_logout"))
    response = client.get(HOME)
    assert "signed_out" not in response["Location"]
    assert "You were signed out because" not in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_a_first_visit_gives_no_timeout_message(client):
    response = client.get(HOME)
    assert "signed_out" not in response["Location"]


@pytest.mark.django_db
def test_an_unknown_reason_says_nothing(client):
    html = client.get(f"{LOGIN}?signed_out=something").content.decode()
    assert "You were signed out because" not in html


@pytest.mark.django_db
def test_change_password_asks_for_the_current_one(client, hv):
    sign_in(client, "hv.a")
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": TEST_PASSWORD,
            "password1": "a-much-longer-new-secret-42",
            "password2": "a-much-longer-new-secret-42",
        },
    )
    assert response.status_code == 302
    hv.refresh_from_db()
    assert hv.check_password("a-much-longer-new-secret-42")
    assert signed_in(client)
    assert AccountEvent.objects.filter(kind=Kind.PASSWORD_CHANGED, user=hv).exists()


def test_no_second_factor_bypass_code_is_configured():
    assert not getattr(settings, "MFA_TOTP_INSECURE_BYPASS_CODE", None)
    assert time.time() > 0


@pytest.mark.django_db
def test_passwords_and_codes_never_reach_the_logs(client, hv, caplog):
    caplog.set_level("DEBUG")
    password_step(client, "hv.a", password="Secret-wrong-pass-31")
    sign_in(client, "hv.a", code="918273")
    for _ in range(settings.SIGN_IN_FAILURES_PER_USERNAME_AND_ADDRESS):
        password_step(client, "hv.a", password="Secret-wrong-pass-31")
    logged = caplog.text
    assert "Secret-wrong-pass-31" not in logged
    assert TEST_PASSWORD not in logged
    assert "918273" not in logged
    stored = " ".join(AccountEvent.objects.values_list("detail", flat=True))
    assert "Secret-wrong-pass-31" not in stored
    assert "918273" not in stored


@pytest.mark.django_db
def test_the_code_that_set_up_the_app_cannot_sign_in_again(client, team_a):
    HealthVisitorFactory(team=team_a, username="new.hv", second_factor=False)
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, 5, tzinfo=UTC), tick=False):
        password_step(client, "new.hv")
        secret = client.get(reverse("mfa_activate_totp")).context["form"].secret
        code = totp_code(secret)
        assert client.post(reverse("mfa_activate_totp"), {"code": code}).status_code == 302
        client.logout()
        again = sign_in(client, "new.hv", code=code)
        assert again.status_code == 200
        assert not signed_in(client)
