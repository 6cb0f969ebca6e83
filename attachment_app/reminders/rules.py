"""The registry of reminder rules. Each app that owns a subject registers its rules here.

This app sits below the clinical apps (accounts ← reminders ← conversations ← screening ←
referrals), so it never imports them: a rule is a callable the owning app registers in its
``AppConfig.ready()``. At send time the rule re-reads the subject and says whether the reminder
is still needed, to whom, with what words and link, and whether a further stage follows.

Those words (the notification's ``title``) also go into an email, so they name no family and
no clinical detail. In the app the notification says what it is about: the owning app registers
a reader for its subjects (``register_subject_reader``: the subjects a user may see now, by id,
in one query) and a ``describe`` for each rule, and ``in_app_texts`` words a page of
notifications with one query per kind of subject, however many there are. A subject the user
may no longer see (it moved team, say) keeps the title.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Delivery:
    """What to send for a reminder that is still needed."""

    recipients: list  # users who may see the subject now
    title: str  # no personal or clinical data: it also goes in an email subject
    link: str  # a path inside the app
    #: When the next stage is due, if the rule repeats or escalates (e.g. every working hour).
    next_stage_at: datetime.datetime | None = None
    extra: dict = field(default_factory=dict)


#: rule name → callable(reminder) returning a Delivery, or None when no longer needed.
_rules: dict[str, Callable] = {}
#: rule name → callable(reminder, subject) returning the in-app words naming the family.
_describers: dict[str, Callable] = {}
#: subject type (model label) → callable(user, ids) returning {id: subject the user may see}.
_subject_readers: dict[str, Callable] = {}


def register(name: str, check: Callable, *, describe: Callable | None = None) -> None:
    """Make ``check(reminder)`` the judge of reminders of rule ``name``, and
    ``describe(reminder, subject)`` the in-app words for its notifications."""
    _rules[name] = check
    if describe is not None:
        _describers[name] = describe


def register_subject_reader(subject_type: str, reader: Callable) -> None:
    """Make ``reader(user, ids)`` the way to fetch subjects of this type that ``user`` may see
    (team-scoped), as ``{id: subject}``, in one query."""
    _subject_readers[subject_type] = reader


@dataclass(frozen=True)
class InAppText:
    """A notification's words in the app, and the family it names (for the access log)."""

    text: str
    family_id: int | None = None


def in_app_texts(user, notifications) -> dict[int, InAppText]:
    """What each notification (with its reminder fetched) says in the app, by its id.

    One query per kind of subject among them; a notification whose subject the user may no
    longer see, or whose rule has no ``describe``, says its title.
    """
    notifications = list(notifications)
    wanted: dict[str, set[int]] = {}
    for notification in notifications:
        reminder = notification.reminder
        if reminder is not None and reminder.rule in _describers:
            wanted.setdefault(reminder.subject_type, set()).add(reminder.subject_id)
    subjects: dict[tuple[str, int], object] = {}
    for subject_type, ids in wanted.items():
        reader = _subject_readers.get(subject_type)
        if reader is not None:
            for pk, subject in reader(user, sorted(ids)).items():
                subjects[subject_type, pk] = subject
    texts = {}
    for notification in notifications:
        reminder = notification.reminder
        subject = None
        if reminder is not None:
            subject = subjects.get((reminder.subject_type, reminder.subject_id))
        if subject is None:
            texts[notification.pk] = InAppText(notification.title)
            continue
        texts[notification.pk] = InAppText(
            _describers[reminder.rule](reminder, subject), getattr(subject, "family_id", None)
        )
    return texts


def check(reminder) -> Delivery | None:
    """Ask the reminder's rule whether, and to whom, it should be sent now."""
    try:
        rule = _rules[reminder.rule]
    except KeyError:
        raise LookupError(f"No reminder rule is registered as {reminder.rule!r}.") from None
    return rule(reminder)


def registered() -> list[str]:
    return sorted(_rules)
