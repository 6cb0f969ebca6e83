"""Working days and hours in England and Wales."""

import datetime

import pytest

from attachment_app.reminders import workdays

L = workdays.LONDON


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (datetime.date(2026, 11, 23), True),  # Monday
        (datetime.date(2026, 11, 28), False),  # Saturday
        (datetime.date(2026, 11, 29), False),  # Sunday
        (datetime.date(2026, 12, 25), False),  # Christmas Day, a Friday
        (datetime.date(2026, 12, 28), False),  # Boxing Day moved to Monday
        (datetime.date(2026, 12, 29), True),
        (datetime.date(2027, 1, 1), False),  # New Year's Day
        (datetime.date(2026, 8, 31), False),  # Late summer bank holiday (England, not Scotland)
        (datetime.date(2027, 3, 26), False),  # Good Friday 2027: from the package, not from us
    ],
)
def test_working_days(day, working):
    assert workdays.is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (datetime.date(2026, 11, 23), 2, datetime.date(2026, 11, 25)),  # Mon + 2 → Wed
        (datetime.date(2026, 11, 27), 1, datetime.date(2026, 11, 30)),  # Fri + 1 → Mon
        (datetime.date(2026, 11, 28), 1, datetime.date(2026, 11, 30)),  # Sat + 1 → Mon
        (datetime.date(2026, 12, 24), 2, datetime.date(2026, 12, 30)),  # over Christmas
        (datetime.date(2026, 12, 24), 0, datetime.date(2026, 12, 24)),
    ],
)
def test_add_working_days(start, count, expected):
    assert workdays.add_working_days(start, count) == expected


def test_working_days_later_keeps_the_time_of_day_across_the_clock_change():
    sent = datetime.datetime(2026, 10, 23, 10, 30, tzinfo=L)  # Friday, still BST
    later = workdays.working_days_later(sent, 1)  # Monday, GMT
    assert later == datetime.datetime(2026, 10, 26, 10, 30, tzinfo=L)
    assert later.utcoffset() == datetime.timedelta(0)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (
            datetime.datetime(2026, 11, 23, 10, 0, tzinfo=L),
            datetime.datetime(2026, 11, 23, 11, 0, tzinfo=L),
        ),
        (
            datetime.datetime(2026, 11, 23, 16, 0, tzinfo=L),
            datetime.datetime(2026, 11, 23, 17, 0, tzinfo=L),
        ),
        (
            datetime.datetime(2026, 11, 23, 16, 30, tzinfo=L),
            datetime.datetime(2026, 11, 24, 9, 0, tzinfo=L),
        ),
        (
            datetime.datetime(2026, 11, 23, 7, 0, tzinfo=L),
            datetime.datetime(2026, 11, 23, 9, 0, tzinfo=L),
        ),
        (
            datetime.datetime(2026, 11, 27, 17, 0, tzinfo=L),
            datetime.datetime(2026, 11, 30, 9, 0, tzinfo=L),
        ),
        (
            datetime.datetime(2026, 12, 24, 16, 30, tzinfo=L),
            datetime.datetime(2026, 12, 29, 9, 0, tzinfo=L),
        ),
    ],
)
def test_next_working_hour(moment, expected):
    assert workdays.next_working_hour(moment, start_hour=9, end_hour=17) == expected


def test_end_of_working_day():
    monday = datetime.datetime(2026, 11, 23, 11, 0, tzinfo=L)
    assert workdays.end_of_working_day(monday, end_hour=17) == monday.replace(hour=17)
    saturday = datetime.datetime(2026, 11, 28, 11, 0, tzinfo=L)
    assert workdays.end_of_working_day(saturday, end_hour=17) is None
