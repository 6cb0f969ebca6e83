"""Whether a session has passed the second factor, and how recently.

allauth keeps in the session a record of each way the person proved who they are ("password",
"mfa"). A session whose user has a factor but no "mfa" record got in some other way (Django's
admin login, a test's ``force_login``): it is signed out. A user with no factor yet must set one
up before any other page (``SecondFactorRequiredMiddleware``).
"""

from __future__ import annotations

import time
from datetime import date

from allauth.account.authentication import get_authentication_records
from allauth.core.exceptions import ReauthenticationRequired
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.utils import timezone

#: Factors that prove the person on their own; recovery codes only stand in for them.
PRIMARY_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def has_second_factor(user) -> bool:
    """Whether the user has set up an authenticator app or a passkey."""
    return Authenticator.objects.filter(user=user, type__in=PRIMARY_TYPES).exists()


def last_second_factor_at(request) -> float | None:
    """When this session last passed the second factor (a Unix time), or None."""
    times = [
        record.get("at", 0)
        for record in get_authentication_records(request, request.user)
        if record.get("method") == "mfa"
    ]
    return max(times) if times else None


def grace_until() -> date | None:
    """The last day a user may go without a second factor, if a rollout grace is set."""
    value = settings.SECOND_FACTOR_GRACE_UNTIL
    return date.fromisoformat(value) if value else None


def in_grace_period() -> bool:
    until = grace_until()
    return until is not None and timezone.localdate() <= until


def second_factor_is_fresh(request) -> bool:
    """Whether this session gave the second factor within ``SECOND_FACTOR_FRESH_FOR``."""
    last = last_second_factor_at(request)
    fresh_for = settings.SECOND_FACTOR_FRESH_FOR.total_seconds()
    return last is not None and time.time() - last <= fresh_for


def require_fresh_second_factor(request) -> None:
    """Ask for the second factor again before a sensitive action if it is not recent.

    allauth's middleware turns the exception into a redirect to the second-factor step and
    replays the request (a POST too) once it is passed.
    """
    if not second_factor_is_fresh(request):
        raise ReauthenticationRequired()


class FreshSecondFactorMixin:
    """For views of sensitive actions: the second factor within the last 15 minutes."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require_fresh_second_factor(request)
        return super().dispatch(request, *args, **kwargs)
