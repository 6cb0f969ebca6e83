"""Apply a form submission once, and keep drafts (ADR 0011).

:func:`submission_apply_once` runs a page's change inside a transaction that first records the
submission's key under a unique constraint. A second request with the same key waits for the
first to finish and then finds its row, so however often and however fast a form is sent, the
change is made once and every repeat is answered with where the first one went.
"""

import hashlib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from .models import Draft, Submission

KEY_FIELD = "submission_key"
#: What a draft leaves out: the token and the key are the page's, not what was typed. (It
#: keeps the record's version, so a draft of a record changed since is refused as stale.)
NOT_DRAFTED = frozenset({"csrfmiddlewaretoken", KEY_FIELD})
#: What a fingerprint leaves out as well: the version a page was shown with, which moves on
#: once the first submission changed the record.
NOT_TYPED = NOT_DRAFTED | {"version"}
#: How long a submission's key is kept: far longer than any page stays open.
SUBMISSION_KEEP_DAYS = 30
#: How long a draft is kept when its page is never saved.
DRAFT_KEEP_DAYS = 7
#: The most a draft may hold (its fields' text, in characters).
DRAFT_MAX_CHARS = 50_000


@dataclass(frozen=True)
class Party:
    """Who sends a form: a signed-in user, or an outside party named by a label."""

    user: Any = None
    outside: str = ""


@dataclass(frozen=True)
class Applied:
    """What a submission did: the result, or for a repeat the earlier submission; and where
    to go next."""

    url: str
    result: Any = None
    earlier: Submission | None = None

    @property
    def repeated(self) -> bool:
        return self.earlier is not None


def parse_key(value: str | None) -> uuid.UUID | None:
    """The submission key a form sent, or None when it sent none (or not a key)."""
    if not value:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def fingerprint(items: Iterable[tuple[str, list[str]]]) -> str:
    """A hash of what was typed, whatever the order of the fields."""
    digest = hashlib.sha256()
    for name, values in sorted(items):
        if name in NOT_TYPED:
            continue
        for value in values:
            digest.update(f"{len(name)}:{name}={len(value)}:{value};".encode())
    return digest.hexdigest()


def submission_earlier(*, key: uuid.UUID, party: Party, path: str) -> Submission | None:
    """The submission already made with this key, if any.

    A key is random and bound to the one party and page it was made for: the same key from
    anyone or anywhere else is a forged request, refused as such.
    """
    earlier = Submission.objects.filter(key=key).first()
    if earlier is None:
        return None
    if earlier.user_id != getattr(party.user, "pk", None) or earlier.outside_party != party.outside:
        raise SuspiciousOperation("A submission key sent by someone other than its owner")
    if earlier.path != path:
        raise SuspiciousOperation("A submission key sent to another page")
    return earlier


def submission_apply_once(
    *,
    key: uuid.UUID,
    party: Party,
    page: str,
    path: str,
    fingerprint: str,
    change: Callable[[], tuple[Any, str]],
) -> Applied:
    """Make ``change`` (which returns what it made and where to go next) once for ``key``.

    The key is recorded first, in the same transaction as the change: a change the service
    refuses rolls both back, so the same form can be corrected and sent again. A concurrent
    request with the same key waits on the unique index, then answers as a repeat.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                submission = Submission.objects.create(
                    key=key,
                    user=party.user,
                    outside_party=party.outside,
                    page=page,
                    path=path,
                    fingerprint=fingerprint,
                )
        except IntegrityError:
            earlier = submission_earlier(key=key, party=party, path=path)
            if earlier is None:  # not the key's row that refused the insert
                raise
            return Applied(url=earlier.result_url, earlier=earlier)
        result, url = change()
        submission.result_url = url
        if isinstance(result, models.Model):
            submission.result_label = result._meta.label
            submission.result_id = result.pk
        submission.save(update_fields=["result_url", "result_label", "result_id"])
        if party.user is not None:
            Draft.objects.filter(user=party.user, path=path).delete()
        return Applied(url=url, result=result)


# --- Drafts -------------------------------------------------------------------------------------


def draft_data(items: Iterable[tuple[str, list[str]]], fields: Iterable[str]) -> dict:
    """The typed values of a form's own fields, without its key and token."""
    allowed = set(fields) - NOT_DRAFTED
    return {name: list(values) for name, values in items if name in allowed}


def draft_save(*, user, page: str, path: str, data: dict) -> Draft:
    """Keep what ``user`` has typed on the page at ``path`` (one draft per user and page)."""
    size = sum(len(name) + sum(len(value) for value in values) for name, values in data.items())
    if size > DRAFT_MAX_CHARS:
        raise ValueError("The draft is too long to keep")
    draft, _ = Draft.objects.update_or_create(
        user=user, path=path, defaults={"page": page, "data": data, "saved_at": timezone.now()}
    )
    return draft


def draft_for(*, user, path: str) -> Draft | None:
    """The user's own draft of this page, if one is kept and not too old."""
    oldest = timezone.now() - timedelta(days=DRAFT_KEEP_DAYS)
    return Draft.objects.filter(user=user, path=path, saved_at__gte=oldest).first()


def draft_discard(*, user, path: str) -> int:
    """Throw away the user's draft of this page."""
    deleted, _ = Draft.objects.filter(user=user, path=path).delete()
    return deleted


def submissions_purge() -> tuple[int, int]:
    """Delete drafts older than a week and submission keys older than a month."""
    now = timezone.now()
    drafts, _ = Draft.objects.filter(saved_at__lt=now - timedelta(days=DRAFT_KEEP_DAYS)).delete()
    keys, _ = Submission.objects.filter(
        created_at__lt=now - timedelta(days=SUBMISSION_KEEP_DAYS)
    ).delete()
    return drafts, keys
