"""Sign-in throttling, counted from the account history (``AccountEvent``) in PostgreSQL.

Three locks, each over the last ``SIGN_IN_LOCKOUT``:
- a username from one address, after a few failures (reset by a success from there), so one
  person's mistakes lock only themselves, not a whole clinic behind one NAT address;
- an address across all usernames, after more failures (password spraying);
- every sign-in, after very many failures anywhere (a backstop against a distributed flood).

A wrong password, a wrong or reused second-factor code and a wrong current password on the
password change page all count. Attempts refused by a lock are recorded but do not count, so a
lock ends when the failures that caused it are older than the window.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from .models import AccountEvent

Kind = AccountEvent.Kind

LOCKED_MESSAGE = (
    "There have been too many failed attempts to sign in. For your security, signing in is "
    "paused for {minutes} minutes. Try again later, or ask your team lead or admin for help."
)


def client_address(request) -> str | None:
    """The client's address: the entry the outermost trusted proxy wrote, or the peer's.

    With ``TRUSTED_PROXY_COUNT = N`` our N proxies each append one entry to X-Forwarded-For,
    so the Nth entry from the right is the address the outermost of them saw. Anything to its
    left was written by the client and is never used. A header with fewer than N entries did
    not come through our proxies, so the peer address is used instead.
    """
    peer = _valid_address(request.META.get("REMOTE_ADDR", ""))
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return peer
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = [entry.strip() for entry in header.split(",") if entry.strip()]
    if len(entries) < count:
        return peer
    return _valid_address(entries[-count]) or peer


def _valid_address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def normalise_username(username: str | None) -> str:
    return (username or "").strip().lower()[:150]


def lock_in_force(*, username: str, address: str | None) -> str | None:
    """Which lock refuses a sign-in as ``username`` from ``address`` now, or None."""
    since = timezone.now() - settings.SIGN_IN_LOCKOUT
    failures = AccountEvent.objects.filter(kind=Kind.SIGN_IN_FAILED, at__gte=since)
    if failures.count() >= settings.SIGN_IN_FAILURES_OVERALL:
        return "overall"
    if address is None:
        return None
    if failures.filter(address=address).count() >= settings.SIGN_IN_FAILURES_PER_ADDRESS:
        return "address"
    username = normalise_username(username)
    if not username:
        return None
    last_success = AccountEvent.objects.filter(
        kind=Kind.SIGN_IN_SUCCEEDED, username=username, address=address, at__gte=since
    ).aggregate(at=Max("at"))["at"]
    mine = failures.filter(username=username, address=address)
    if last_success is not None:
        mine = mine.filter(at__gt=last_success)
    if mine.count() >= settings.SIGN_IN_FAILURES_PER_USERNAME_AND_ADDRESS:
        return "username_and_address"
    return None


def locked_message() -> str:
    return LOCKED_MESSAGE.format(minutes=int(settings.SIGN_IN_LOCKOUT.total_seconds() // 60))


def record_sign_in_event(request, *, kind: str, username: str, user=None, detail: str = ""):
    """Append a sign-in event for ``username`` from the request's client address."""
    return AccountEvent.objects.create(
        kind=kind,
        user=user,
        username=normalise_username(username),
        address=client_address(request),
        detail=detail,
    )


def check_not_locked(request, *, username: str, user=None) -> str | None:
    """The lock message if a lock is in force (recording the refused attempt), else None."""
    if lock_in_force(username=username, address=client_address(request)) is None:
        return None
    record_sign_in_event(request, kind=Kind.SIGN_IN_LOCKED, username=username, user=user)
    return locked_message()
