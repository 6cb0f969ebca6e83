"""The registry of reminder rules. Each app that owns a subject registers its rules here.

This app sits below the clinical apps (accounts ← reminders ← conversations ← screening ←
referrals), so it never imports them: a rule is a callable the owning app registers in its
``AppConfig.ready()``. At send time the rule re-reads the subject and says whether the reminder
is still needed, to whom, with what words and link, and whether a further stage follows.
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


def register(name: str, check: Callable) -> None:
    """Make ``check(reminder)`` the judge of reminders of rule ``name``."""
    _rules[name] = check


def check(reminder) -> Delivery | None:
    """Ask the reminder's rule whether, and to whom, it should be sent now."""
    try:
        rule = _rules[reminder.rule]
    except KeyError:
        raise LookupError(f"No reminder rule is registered as {reminder.rule!r}.") from None
    return rule(reminder)


def registered() -> list[str]:
    return sorted(_rules)
