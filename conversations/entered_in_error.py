"""Which records may be marked entered in error, and what marking each one means.

A record made by mistake is never deleted: it is marked (``EnteredInError`` on the row) and
every list reads records through ``in_record()``. Each kind is registered here by the app that
owns its model, in ``AppConfig.ready()``; a later app may add to an earlier app's kind what it
knows (referrals: a concern linked to an open referral), since the earlier app never imports it.

For each kind:

- ``blockers`` say why a record cannot be marked yet, naming what to do first: records that
  still hang on it and would be left pointing at something the family page no longer shows
  (a contact with a consent decision or results, a parent named in a consent decision);
- ``consequences`` say, on the form page, what marking does to records that depend on it but
  stay as they are (an urgent concern raised by a result stays until handled or marked itself);
- ``effects`` run in the marking's transaction, after the subject's own reminders are
  cancelled (a contact's conversation reminders, the family's next mandated contact).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models

from .models import EnteredInError

Check = Callable[[EnteredInError], str | None]
Effect = Callable[[EnteredInError], None]
Consequence = Callable[[EnteredInError], list[str]]


@dataclass
class RecordKind:
    """One kind of record that may be marked entered in error."""

    model: type[models.Model]
    #: How the page names one: "contact", "screening result" …
    noun: str
    #: The URL name of its "Mark as entered in error" page.
    url_name: str
    #: The URL parameter naming the record (registered for the access log).
    url_kwarg: str
    #: Relations the form page and the entered-in-error list read with the record.
    related: tuple[str, ...] = ()
    blockers: list[Check] = field(default_factory=list)
    consequences: list[Consequence] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


_kinds: dict[str, RecordKind] = {}


def register_kind(kind: RecordKind) -> None:
    _kinds.setdefault(kind.label, kind)


def kind_for(label: str) -> RecordKind:
    return _kinds[label]


def kind_of(record: models.Model) -> RecordKind:
    return _kinds[record._meta.label_lower]


def kinds() -> list[RecordKind]:
    return list(_kinds.values())


def add_blocker(label: str, check: Check) -> None:
    kind = _kinds[label]
    if check not in kind.blockers:
        kind.blockers.append(check)


def blockers_for(record: EnteredInError) -> list[str]:
    """Why this record cannot be marked entered in error now (empty when it can)."""
    return [message for check in kind_of(record).blockers if (message := check(record))]


def consequences_for(record: EnteredInError) -> list[str]:
    """What marking this record does to the records that depend on it, in words."""
    return [line for consequence in kind_of(record).consequences for line in consequence(record)]


@dataclass(frozen=True)
class MarkedEntry:
    """One record in the family page's "Shown as entered in error" section."""

    kind: str
    what: str
    record: EnteredInError


def entries(noun: str, records) -> list[MarkedEntry]:
    """The section's rows for records of one kind (read with ``entered_in_error_by``)."""
    return [MarkedEntry(kind=noun, what=str(record), record=record) for record in records]
