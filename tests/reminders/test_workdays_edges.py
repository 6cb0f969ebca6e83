"""Working-day edges: the start and end of the working day, counts that cannot be, weekends and
bank holidays by hand, London dates around midnight and the clock change; and the invariants of
working-day arithmetic on random dates and times."""

import datetime
import time

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attachment_app.reminders import workdays

L = workdays.LONDON
UTC = datetime.UTC
START, END = 9, 17


def london(*parts) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=L)


def utc(*parts) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=UTC)


def next_hour(moment: datetime.datetime) -> datetime.datetime:
    return workdays.next_working_hour(moment, start_hour=START, end_hour=END)


# --- The start and the end of the working day -------------------------------------------------


def test_a_step_landing_exactly_at_the_start_of_the_day_does_not_slip_a_day():
    # Monday 08:00: one hour on is 09:00 the same Monday, the first working hour.
    assert next_hour(london(2026, 11, 23, 8, 0)) == london(2026, 11, 23, 9, 0)


def test_a_step_landing_exactly_at_the_start_of_the_day_in_summer_time_does_not_slip_a_day():
    # 07:00 UTC in June is 08:00 in London.
    assert next_hour(utc(2026, 6, 15, 7, 0)) == london(2026, 6, 15, 9, 0)


def test_a_step_landing_exactly_at_the_end_of_the_day_is_still_within_it():
    assert next_hour(london(2026, 11, 23, 16, 0)) == london(2026, 11, 23, 17, 0)


def test_a_step_landing_a_minute_after_the_end_of_the_day_goes_to_the_next_morning():
    assert next_hour(london(2026, 11, 23, 16, 1)) == london(2026, 11, 24, 9, 0)


def test_a_step_landing_a_minute_before_the_start_waits_for_the_start():
    assert next_hour(london(2026, 11, 23, 7, 59)) == london(2026, 11, 23, 9, 0)


def test_a_step_within_the_morning_is_one_hour_on():
    assert next_hour(london(2026, 11, 23, 8, 30)) == london(2026, 11, 23, 9, 30)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # Monday 23:30: one hour on is Tuesday 00:30, so Tuesday 09:00, not Wednesday.
        (london(2026, 11, 23, 23, 30), london(2026, 11, 24, 9, 0)),
        # Sunday 23:30: one hour on is Monday 00:30, so Monday 09:00, not Tuesday.
        (london(2026, 11, 29, 23, 30), london(2026, 11, 30, 9, 0)),
        # Friday 23:30: one hour on is Saturday, so Monday.
        (london(2026, 11, 27, 23, 30), london(2026, 11, 30, 9, 0)),
        # Saturday 08:00 is not a working day although 09:00 is the hour the day would start.
        (london(2026, 11, 28, 8, 0), london(2026, 11, 30, 9, 0)),
        # 23:30 UTC on a Sunday in summer is already Monday 00:30 in London.
        (utc(2026, 6, 14, 23, 30), london(2026, 6, 15, 9, 0)),
        # Good Friday 2026 (3 April) at 08:00: the next working hour is after Easter Monday.
        (london(2026, 4, 3, 8, 0), london(2026, 4, 7, 9, 0)),
        # Thursday 16:30 before Good Friday: the next working hour is Tuesday's start.
        (london(2026, 4, 2, 16, 30), london(2026, 4, 7, 9, 0)),
    ],
)
def test_the_next_working_hour_around_midnight_weekends_and_holidays(moment, expected):
    assert next_hour(moment) == expected


def test_the_next_working_hour_after_the_spring_clock_change_is_in_summer_time():
    # Friday 27 March 2026 16:30 GMT; the clocks go forward on Sunday 29 March.
    later = next_hour(london(2026, 3, 27, 16, 30))
    assert later == utc(2026, 3, 30, 8, 0)  # 09:00 BST
    assert later.utcoffset() == datetime.timedelta(hours=1)


def test_a_working_day_ends_at_its_end_hour_in_london_even_when_given_in_utc():
    # 23:30 UTC on Sunday 14 June 2026 is Monday 00:30 in London: Monday's end.
    assert workdays.end_of_working_day(utc(2026, 6, 14, 23, 30), end_hour=END) == london(
        2026, 6, 15, 17, 0
    )
    # 23:30 UTC on Friday 19 June 2026 is Saturday in London: no working day to end.
    assert workdays.end_of_working_day(utc(2026, 6, 19, 23, 30), end_hour=END) is None


def test_at_is_the_hour_in_london_time():
    assert workdays.at(datetime.date(2026, 6, 15), 9) == utc(2026, 6, 15, 8, 0)
    assert workdays.at(datetime.date(2026, 12, 15), 9) == utc(2026, 12, 15, 9, 0)


@pytest.fixture
def server_clock_in_auckland(monkeypatch):
    """The machine's own clock in a zone far from London, as a misconfigured server's may be."""
    monkeypatch.setenv("TZ", "Pacific/Auckland")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("server_clock_in_auckland")
def test_working_days_are_londons_whatever_zone_the_server_clock_is_in():
    # 13:00 UTC on Friday 19 June 2026 is Friday afternoon in London, Saturday in Auckland.
    friday_afternoon = utc(2026, 6, 19, 13, 0)
    assert workdays.end_of_working_day(friday_afternoon, end_hour=END) == london(2026, 6, 19, 17)
    assert next_hour(utc(2026, 6, 19, 15, 0)) == london(2026, 6, 19, 17, 0)
    assert workdays.working_days_later(friday_afternoon, 1) == london(2026, 6, 22, 14, 0)


# --- Counts that cannot be ---------------------------------------------------------------------


def test_a_negative_count_of_working_days_is_refused():
    with pytest.raises(ValueError, match=r"^count must not be negative$"):
        workdays.add_working_days(datetime.date(2026, 11, 23), -1)


def test_a_negative_count_of_working_days_later_is_refused():
    with pytest.raises(ValueError, match=r"^count must not be negative$"):
        workdays.working_days_later(london(2026, 11, 23, 10, 0), -3)


@pytest.mark.parametrize(("start", "end"), [(9, 9), (17, 9)])
def test_a_working_day_that_does_not_start_before_it_ends_is_refused(start, end):
    with pytest.raises(ValueError, match=r"^the working day must start before it ends$"):
        workdays.next_working_hour(london(2026, 11, 23, 10, 0), start_hour=start, end_hour=end)


def test_a_working_day_of_one_hour_is_allowed():
    moment = london(2026, 11, 23, 7, 0)
    assert workdays.next_working_hour(moment, start_hour=9, end_hour=10) == london(
        2026, 11, 23, 9, 0
    )


def test_no_working_days_later_is_the_same_moment_even_on_a_weekend():
    saturday = london(2026, 11, 28, 10, 0)
    assert workdays.add_working_days(saturday.date(), 0) == saturday.date()
    assert workdays.working_days_later(saturday, 0) == saturday


# --- Weekends and bank holidays, by hand -------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (datetime.date(2026, 11, 26), True),  # Thursday
        (datetime.date(2026, 11, 27), True),  # Friday is worked
        (datetime.date(2026, 11, 28), False),  # Saturday
        (datetime.date(2026, 11, 29), False),  # Sunday
        (datetime.date(2026, 4, 3), False),  # Good Friday 2026
        (datetime.date(2026, 4, 6), False),  # Easter Monday 2026
        (datetime.date(2027, 5, 3), False),  # Early May bank holiday 2027
        (datetime.date(2027, 5, 31), False),  # Spring bank holiday 2027
        (datetime.date(2026, 11, 30), True),  # St Andrew's Day: Scotland's, not England's
        (datetime.date(2027, 3, 17), True),  # St Patrick's Day: Northern Ireland's
        (datetime.date(2027, 7, 12), True),  # Battle of the Boyne: Northern Ireland's
        (datetime.date(2027, 8, 2), True),  # Scotland's summer bank holiday, worked in England
    ],
)
def test_weekends_and_english_bank_holidays_are_not_worked(day, working):
    assert workdays.is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (datetime.date(2026, 11, 26), 1, datetime.date(2026, 11, 27)),  # Thu + 1 → Fri
        (datetime.date(2026, 11, 25), 2, datetime.date(2026, 11, 27)),  # Wed + 2 → Fri
        (datetime.date(2026, 11, 27), 5, datetime.date(2026, 12, 4)),  # Fri + 5 → next Fri
        (datetime.date(2026, 11, 29), 1, datetime.date(2026, 11, 30)),  # Sun + 1 → Mon
        (datetime.date(2026, 4, 2), 1, datetime.date(2026, 4, 7)),  # over Easter
        (datetime.date(2026, 12, 31), 1, datetime.date(2027, 1, 4)),  # over New Year's Day
    ],
)
def test_adding_working_days_skips_weekends_and_holidays_only(start, count, expected):
    assert workdays.add_working_days(start, count) == expected


def test_working_days_later_from_a_utc_time_counts_from_the_london_date():
    # 23:30 UTC on Friday 19 June 2026 is 00:30 on Saturday in London: one working day later
    # is Monday 00:30 London time.
    assert workdays.working_days_later(utc(2026, 6, 19, 23, 30), 1) == london(2026, 6, 22, 0, 30)


def test_working_days_later_across_the_spring_clock_change_keeps_the_wall_clock_time():
    later = workdays.working_days_later(london(2026, 3, 27, 10, 30), 1)  # Friday, GMT
    assert later == utc(2026, 3, 30, 9, 30)  # Monday 10:30 BST
    assert later.utcoffset() == datetime.timedelta(hours=1)


# --- Invariants ---------------------------------------------------------------------------------


def worked(day: datetime.date) -> bool:
    """Working days defined afresh for these tests: Monday to Friday, not an English holiday."""
    return day.weekday() <= 4 and day not in holidays.country_holidays(
        "GB", subdiv="ENG", years=day.year
    )


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """How many working days come after ``start``, up to and including ``end``."""
    return sum(
        worked(start + datetime.timedelta(days=offset))
        for offset in range(1, (end - start).days + 1)
    )


dates = st.dates(datetime.date(2025, 1, 1), datetime.date(2028, 12, 31))
# Hypothesis takes naive bounds and attaches the zones itself.
moments = st.datetimes(
    datetime.datetime(2025, 1, 1),  # noqa: DTZ001
    datetime.datetime(2028, 12, 31),  # noqa: DTZ001
    timezones=st.sampled_from([L, UTC]),
    allow_imaginary=False,
)


@settings(max_examples=200)
@given(day=dates, count=st.integers(min_value=0, max_value=30))
def test_adding_working_days_then_counting_them_back_gives_the_count(day, count):
    later = workdays.add_working_days(day, count)
    assert working_days_between(day, later) == count
    if count:
        assert worked(later)
    else:
        assert later == day


@settings(max_examples=200)
@given(moment=moments, count=st.integers(min_value=0, max_value=30))
def test_working_days_later_keeps_the_london_time_of_day_on_the_counted_day(moment, count):
    local = moment.astimezone(L)
    later = workdays.working_days_later(moment, count)
    assert later.tzinfo is L
    assert (later.hour, later.minute, later.second) == (local.hour, local.minute, local.second)
    assert working_days_between(local.date(), later.date()) == count
    assert later.date() == local.date() or worked(later.date())


def first_working_start_at_or_after(moment: datetime.datetime) -> datetime.datetime:
    day = moment.astimezone(L).date()
    while True:
        start = datetime.datetime.combine(day, datetime.time(START), tzinfo=L)
        if worked(day) and start >= moment:
            return start
        day += datetime.timedelta(days=1)


@settings(max_examples=300)
@given(moment=moments)
def test_the_next_working_hour_is_the_first_working_moment_an_hour_on(moment):
    candidate = moment + datetime.timedelta(hours=1)
    local = candidate.astimezone(L)
    within = worked(local.date()) and datetime.time(START) <= local.timetz().replace(
        tzinfo=None
    ) <= datetime.time(END)
    expected = candidate if within else first_working_start_at_or_after(candidate)
    found = next_hour(moment)
    assert found == expected
    found_local = found.astimezone(L)
    assert worked(found_local.date())
    assert START <= found_local.hour <= END
