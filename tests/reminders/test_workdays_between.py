"""Counting the working days between two moments: how long a service took to reply."""

import datetime

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attachment_app.reminders import workdays

L = workdays.LONDON
UTC = datetime.UTC


def london(*parts) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=L)


#: English bank holidays from the package, read afresh for these tests (the moments below end
#: by 2031).
BANK_HOLIDAYS = frozenset(holidays.country_holidays("GB", subdiv="ENG", years=range(2025, 2032)))


def worked(day: datetime.date) -> bool:
    """Working days defined afresh for these tests: Monday to Friday, not an English holiday."""
    return day.weekday() <= 4 and day not in BANK_HOLIDAYS


def counted_by_hand(start: datetime.datetime, end: datetime.datetime) -> int:
    first, last = start.astimezone(L).date(), end.astimezone(L).date()
    return sum(
        worked(first + datetime.timedelta(days=offset))
        for offset in range(1, (last - first).days + 1)
    )


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # The same day, at any hour: no working day has passed.
        (london(2026, 11, 23, 9, 0), london(2026, 11, 23, 16, 59), 0),
        # The next morning: one, however few hours later.
        (london(2026, 11, 23, 17, 0), london(2026, 11, 24, 8, 0), 1),
        (london(2026, 11, 23, 9, 0), london(2026, 11, 25, 9, 0), 2),  # Monday to Wednesday
        # A reply on a weekend counts as one on the Friday before it.
        (london(2026, 11, 26, 10, 0), london(2026, 11, 27, 10, 0), 1),  # Thursday to Friday
        (london(2026, 11, 26, 10, 0), london(2026, 11, 28, 10, 0), 1),  # Thursday to Saturday
        (london(2026, 11, 26, 10, 0), london(2026, 11, 29, 10, 0), 1),  # Thursday to Sunday
        (london(2026, 11, 27, 10, 0), london(2026, 11, 29, 10, 0), 0),  # Friday to Sunday
        (london(2026, 11, 27, 16, 0), london(2026, 11, 30, 9, 0), 1),  # Friday to Monday
        # Sent on a weekend: counted as from the Friday, so the Monday is 1.
        (london(2026, 11, 28, 10, 0), london(2026, 11, 29, 10, 0), 0),  # Saturday to Sunday
        (london(2026, 11, 28, 10, 0), london(2026, 11, 30, 10, 0), 1),  # Saturday to Monday
        # Christmas 2026: Friday 25 December and Monday 28 December (Boxing Day moved from the
        # Saturday) are bank holidays, so Thursday 24 to Tuesday 29 is one working day.
        (london(2026, 12, 24, 15, 0), london(2026, 12, 29, 11, 0), 1),
        (london(2026, 12, 24, 15, 0), london(2026, 12, 28, 11, 0), 0),
        (london(2026, 12, 24, 15, 0), london(2027, 1, 4, 11, 0), 4),  # 29, 30, 31 Dec, 4 Jan
        # Christmas 2027 falls on a weekend, so Monday 27 and Tuesday 28 are both holidays.
        (london(2027, 12, 24, 10, 0), london(2027, 12, 29, 10, 0), 1),
        # Easter 2027: Good Friday 26 March and Easter Monday 29 March.
        (london(2027, 3, 25, 10, 0), london(2027, 3, 30, 10, 0), 1),
        (london(2027, 3, 25, 10, 0), london(2027, 3, 29, 10, 0), 0),
        # Easter 2026: Good Friday 3 April and Easter Monday 6 April.
        (london(2026, 4, 2, 10, 0), london(2026, 4, 9, 10, 0), 3),
        # Two whole weeks, with the late summer bank holiday (Monday 31 August 2026) in them.
        (london(2026, 8, 28, 10, 0), london(2026, 9, 11, 10, 0), 9),
        (london(2026, 8, 21, 10, 0), london(2026, 8, 28, 10, 0), 5),  # a week without one
    ],
)
def test_working_days_between(start, end, expected):
    assert workdays.working_days_between(start, end) == expected


def test_the_same_moment_is_no_working_days():
    moment = london(2026, 12, 25, 12, 0)
    assert workdays.working_days_between(moment, moment) == 0


def test_working_days_between_counts_london_dates_not_utc_ones():
    # 23:30 UTC on Monday 1 June 2026 is already Tuesday in London (summer time): a reply at
    # 9am on Tuesday is the same London day.
    sent = datetime.datetime(2026, 6, 1, 23, 30, tzinfo=UTC)
    assert workdays.working_days_between(sent, london(2026, 6, 2, 9, 0)) == 0
    # And 22:30 UTC on Monday is still Monday in London, so Tuesday is one day on.
    sent = datetime.datetime(2026, 6, 1, 22, 30, tzinfo=UTC)
    assert workdays.working_days_between(sent, london(2026, 6, 2, 9, 0)) == 1


def test_an_end_before_the_start_is_refused():
    with pytest.raises(ValueError, match="before"):
        workdays.working_days_between(london(2026, 11, 24, 9, 0), london(2026, 11, 23, 9, 0))


def test_an_end_a_moment_before_the_start_on_the_same_day_is_refused():
    with pytest.raises(ValueError, match="before"):
        workdays.working_days_between(london(2026, 11, 24, 9, 1), london(2026, 11, 24, 9, 0))


moments = st.datetimes(
    datetime.datetime(2025, 1, 1),  # noqa: DTZ001
    datetime.datetime(2028, 12, 31),  # noqa: DTZ001
    timezones=st.sampled_from([L, UTC]),
    allow_imaginary=False,
)

lengths = st.timedeltas(min_value=datetime.timedelta(0), max_value=datetime.timedelta(days=800))


@settings(max_examples=300)
@given(start=moments, length=lengths)
def test_working_days_between_is_the_working_days_counted_one_by_one(start, length):
    end = start + length
    assert workdays.working_days_between(start, end) == counted_by_hand(start, end)


@settings(max_examples=200)
@given(moment=moments, count=st.integers(min_value=0, max_value=60))
def test_working_days_between_undoes_working_days_later(moment, count):
    assert workdays.working_days_between(moment, workdays.working_days_later(moment, count)) == (
        count
    )
