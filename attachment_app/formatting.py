"""Dates, times and counts as the NHS.UK content style guide writes them, in one place.

Every page and every sentence the app builds shows a moment the same way: ``9am``, ``10:30am``,
``2:15pm``, ``midday``, ``midnight``; ``1 December 2026``; together ``1 December 2026 at
2:15pm``. Templates use the filters in ``attachment_app.template_filters`` (built in, no
``{% load %}``); Python text calls these functions. Aware datetimes are shown in London time
(``TIME_ZONE``), so a concern raised at 00:30 on a summer night is dated the day it was raised,
not the day before in UTC. Form inputs keep their own formats.
"""

import datetime

from django.utils import timezone


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def format_time(value: datetime.time | datetime.datetime) -> str:
    """``9am``, ``9:05am``, ``12:30pm``, ``midday``, ``midnight``."""
    if isinstance(value, datetime.datetime):
        value = _local(value).time()
    if value.minute == 0:
        if value.hour == 0:
            return "midnight"
        if value.hour == 12:
            return "midday"
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"


def format_date(value: datetime.date | datetime.datetime) -> str:
    """``1 December 2026`` (the day in London for an aware datetime)."""
    if isinstance(value, datetime.datetime):
        value = _local(value).date()
    return f"{value.day} {value:%B %Y}"


def format_datetime(value: datetime.datetime) -> str:
    """``1 December 2026 at 2:15pm``."""
    value = _local(value)
    return f"{format_date(value)} at {format_time(value)}"


def format_count(count: int, unit: str) -> str:
    """``1 day``, ``3 days``: a count and its unit, plural unless the count is one."""
    return f"{count} {unit}{'' if count == 1 else 's'}"
