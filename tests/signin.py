"""Signing in for tests that are not about signing in.

``SecondFactorClient.force_login`` leaves the session as allauth leaves it after both steps
(password, then the authenticator code), so the second-factor middleware lets it through.
Django's plain ``Client.force_login`` leaves a session that passed neither step: tests of the
middleware use it to stand for a session that got past the password some other way.
"""

import time

import pyotp
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from django.test import Client

from .factories import TEST_TOTP_SECRET

#: The session key allauth keeps beside its records, naming whose they are.
RECORDS_USER_SESSION_KEY = "account_authentication_methods_user"


def totp_code(secret: str = TEST_TOTP_SECRET, at: float | None = None) -> str:
    """The code an authenticator app shows for ``secret``, computed apart from allauth."""
    return pyotp.TOTP(secret).at(at if at is not None else time.time())


def mark_second_factor_passed(client: Client, user, *, at: float | None = None) -> None:
    """Write into the client's session that ``user`` passed both steps at ``at``."""
    authenticator = Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).first()
    session = client.session
    now = at if at is not None else time.time()
    records = [{"method": "password", "at": now, "username": user.username}]
    if authenticator is not None:
        records.append({"method": "mfa", "at": now, "id": authenticator.pk, "type": "totp"})
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session[RECORDS_USER_SESSION_KEY] = str(user.pk)
    session.save()


class SecondFactorClient(Client):
    """A test client whose ``force_login`` signs in as if through both steps."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        mark_second_factor_passed(self, user)


def sign_in_both_steps(
    client: Client, username: str, password: str, *, next_url: str = "", data_extra=None, **extra
):
    """Sign in through the real pages: the password, then the authenticator code.

    Returns the response of the code step (or of the password step if it did not lead on). The
    record of codes already used is cleared first, so a test that signs the same person in
    twice within 30 seconds is not refused as a reused code; that rule has its own tests in
    ``tests/accounts/test_sign_in.py``.
    """
    from django.core.cache import cache
    from django.urls import reverse

    data_extra = data_extra or {}
    data = {"login": username, "password": password, **data_extra}
    if next_url:
        data["next"] = next_url
    first = client.post(reverse("account_login"), data, **extra)
    if first.status_code != 302 or first["Location"] != reverse("mfa_authenticate"):
        return first
    cache.clear()
    code_data = {"code": totp_code()}
    if "csrfmiddlewaretoken" in data_extra:
        code_data["csrfmiddlewaretoken"] = data_extra["csrfmiddlewaretoken"]
    return client.post(reverse("mfa_authenticate"), code_data, **extra)
