"""Working days and hours in England and Wales: weekends and bank holidays are not worked.

Bank holidays come from the ``holidays`` package (its maintainers add each year's dates and any
one-off holiday), never from a list in this code. Pure Python: no Django import, so the rules can
be tested on their own with any clock.
"""

import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
#: England and Wales share their bank holidays; Scotland and Northern Ireland differ.
SUBDIVISION = "ENG"


@lru_cache(maxsize=32)
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("GB", subdiv=SUBDIVISION, years=year))


def is_working_day(day: datetime.date) -> bool:
    """Monday to Friday, and not a bank holiday in England and Wales."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(day: datetime.date, count: int) -> datetime.date:
    """The working day ``count`` working days after ``day`` (weekends and holidays skipped)."""
    if count < 0:
        raise ValueError("count must not be negative")
    while count:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def working_days_later(moment: datetime.datetime, count: int) -> datetime.datetime:
    """The same time of day ``count`` working days after ``moment``, in London time."""
    local = moment.astimezone(LONDON)
    day = add_working_days(local.date(), count)
    return datetime.datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=LONDON)


def at(day: datetime.date, hour: int) -> datetime.datetime:
    """``hour`` o'clock London time on ``day``."""
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=LONDON)


def end_of_working_day(moment: datetime.datetime, *, end_hour: int) -> datetime.datetime | None:
    """When the working day containing ``moment`` ends; None if ``moment`` is not on one."""
    local = moment.astimezone(LONDON)
    if not is_working_day(local.date()):
        return None
    return at(local.date(), end_hour)


def next_working_hour(
    moment: datetime.datetime, *, start_hour: int, end_hour: int
) -> datetime.datetime:
    """One hour after ``moment`` if that is within working hours, else the next day's start."""
    if start_hour >= end_hour:
        raise ValueError("the working day must start before it ends")
    candidate = moment.astimezone(LONDON) + datetime.timedelta(hours=1)
    day = candidate.date()
    if is_working_day(day) and at(day, start_hour) <= candidate <= at(day, end_hour):
        return candidate
    if is_working_day(day) and candidate < at(day, start_hour):
        return at(day, start_hour)
    return at(add_working_days(day, 1), start_hour)


def working_days_between(start: datetime.datetime, end: datetime.datetime) -> int:
    """How many whole working days passed from ``start`` to ``end``, by their London dates.

    The working days after the day of ``start``, up to and including the day of ``end``; the
    hours do not matter. A reply on the day a referral was sent counts 0, and one on the next
    working day 1, whether it came at 9am or 5pm. A reply on a weekend or a bank holiday counts
    the same as one on the working day before it (sent on Thursday, answered on Saturday: 1),
    and a referral sent on one counts as sent on the working day before it (sent on Saturday,
    answered on Monday: 1, as from Friday). So this undoes ``working_days_later``: ``n`` working
    days after a moment is ``n`` working days between them. ``end`` before ``start`` is refused.
    """
    first = start.astimezone(LONDON).date()
    last = end.astimezone(LONDON).date()
    if end < start:
        raise ValueError("end must not be before start")
    weeks, rest = divmod((last - first).days, 7)
    weekdays = 5 * weeks + sum(
        (first + datetime.timedelta(days=offset)).weekday() < 5 for offset in range(1, rest + 1)
    )
    holidays_on_weekdays = sum(
        first < holiday <= last and holiday.weekday() < 5
        for year in range(first.year, last.year + 1)
        for holiday in _bank_holidays(year)
    )
    return weekdays - holidays_on_weekdays
