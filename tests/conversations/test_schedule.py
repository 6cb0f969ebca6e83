"""The mandated contact windows: every boundary, the next contact, babies not born yet, and the
invariants that hold for any baby."""

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conversations.schedule import (
    ANTENATAL,
    DUE,
    NEW_BIRTH,
    NINE_TO_TWELVE_MONTHS,
    OVERDUE,
    SIX_TO_EIGHT_WEEKS,
    TWO_YEARS,
    UPCOMING,
    ContactWindow,
    mandated_windows,
    next_mandated_contact,
)

BORN = date(2025, 1, 31)  # the end of a month, so month arithmetic has to clamp
EXPECTED = date(2025, 6, 15)


@pytest.mark.parametrize(
    ("contact_type", "opens", "closes"),
    [
        (NEW_BIRTH, date(2025, 2, 10), date(2025, 2, 14)),  # 10 to 14 days
        (SIX_TO_EIGHT_WEEKS, date(2025, 3, 14), date(2025, 3, 28)),  # 6 to 8 weeks
        (NINE_TO_TWELVE_MONTHS, date(2025, 10, 31), date(2026, 1, 31)),  # 9 to 12 months
        (TWO_YEARS, date(2027, 1, 31), date(2027, 7, 31)),  # 2 to 2 and a half years
    ],
)
def test_windows_after_birth(contact_type, opens, closes):
    windows = {w.contact_type: w for w in mandated_windows(BORN, None)}
    assert ANTENATAL not in windows
    assert (windows[contact_type].opens, windows[contact_type].closes) == (opens, closes)


def test_antenatal_window_opens_12_weeks_before_the_expected_date_and_closes_the_day_before():
    window = mandated_windows(None, EXPECTED)[0]
    assert window == ContactWindow(ANTENATAL, date(2025, 3, 23), date(2025, 6, 14))


def test_unborn_babys_later_windows_are_estimated_from_the_expected_date():
    windows = mandated_windows(None, EXPECTED)
    assert [w.contact_type for w in windows] == [
        ANTENATAL,
        NEW_BIRTH,
        SIX_TO_EIGHT_WEEKS,
        NINE_TO_TWELVE_MONTHS,
        TWO_YEARS,
    ]
    assert windows[1].opens == date(2025, 6, 25)


def test_date_of_birth_wins_over_the_expected_date():
    windows = mandated_windows(BORN, EXPECTED)
    assert windows[0] == ContactWindow(NEW_BIRTH, date(2025, 2, 10), date(2025, 2, 14))


def test_no_dates_no_windows():
    assert mandated_windows(None, None) == []


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (date(2025, 2, 9), UPCOMING),  # the day before it opens
        (date(2025, 2, 10), DUE),  # the day it opens
        (date(2025, 2, 14), DUE),  # the day it closes
        (date(2025, 2, 15), OVERDUE),  # the day after
    ],
)
def test_status_at_each_boundary(today, status):
    assert ContactWindow(NEW_BIRTH, date(2025, 2, 10), date(2025, 2, 14)).status(today) == status


@pytest.mark.parametrize(
    ("born", "expected", "done", "next_type"),
    [
        (None, EXPECTED, set(), ANTENATAL),
        (None, EXPECTED, {ANTENATAL}, NEW_BIRTH),
        (BORN, None, set(), NEW_BIRTH),
        (BORN, None, {NEW_BIRTH}, SIX_TO_EIGHT_WEEKS),
        (BORN, None, {NEW_BIRTH, SIX_TO_EIGHT_WEEKS}, NINE_TO_TWELVE_MONTHS),
        (BORN, None, {NINE_TO_TWELVE_MONTHS}, TWO_YEARS),  # after the latest done, not a gap
        (BORN, None, {SIX_TO_EIGHT_WEEKS, NEW_BIRTH}, NINE_TO_TWELVE_MONTHS),  # order of set
        (BORN, None, {"additional"}, NEW_BIRTH),  # other contacts do not count
        (BORN, None, {ANTENATAL}, NEW_BIRTH),  # antenatal done before birth
        (BORN, None, {TWO_YEARS}, None),  # the programme is finished
    ],
)
def test_next_contact_is_the_first_after_the_latest_done(born, expected, done, next_type):
    window = next_mandated_contact(date_of_birth=born, expected_date=expected, done=done)
    assert (window.contact_type if window else None) == next_type


def test_a_missed_contact_stays_next_and_shows_overdue():
    window = next_mandated_contact(date_of_birth=BORN, expected_date=None, done=set())
    assert window.contact_type == NEW_BIRTH
    assert window.status(date(2025, 6, 1)) == OVERDUE


# --- Invariants over any baby ------------------------------------------------------------------

#: The programme's order after birth, written out here rather than read from the module.
AFTER_BIRTH = [NEW_BIRTH, SIX_TO_EIGHT_WEEKS, NINE_TO_TWELVE_MONTHS, TWO_YEARS]
DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


@given(born=DAYS)
def test_after_birth_the_windows_follow_each_other_without_overlap(born):
    windows = mandated_windows(born, None)
    assert [w.contact_type for w in windows] == AFTER_BIRTH
    assert all(w.opens <= w.closes for w in windows)
    assert all(a.closes < b.opens for a, b in pairwise(windows))
    assert windows[0].opens == born + timedelta(days=10)
    assert windows[-1].closes - windows[0].opens > timedelta(days=365 * 2)


@given(expected=DAYS)
def test_before_birth_the_antenatal_window_ends_the_day_before_the_expected_date(expected):
    windows = mandated_windows(None, expected)
    assert [w.contact_type for w in windows] == [ANTENATAL, *AFTER_BIRTH]
    antenatal = windows[0]
    assert antenatal.closes == expected - timedelta(days=1)
    assert (expected - antenatal.opens).days == 84
    assert windows[1].opens == expected + timedelta(days=10)


@given(born=DAYS, done=st.sets(st.sampled_from(AFTER_BIRTH)))
def test_the_next_contact_comes_after_the_latest_one_done(born, done):
    window = next_mandated_contact(date_of_birth=born, expected_date=None, done=done)
    latest = max((AFTER_BIRTH.index(t) for t in done), default=-1)
    if latest == len(AFTER_BIRTH) - 1:
        assert window is None
    else:
        assert window is not None
        assert window.contact_type == AFTER_BIRTH[latest + 1]


@given(born=DAYS, offset=st.integers(min_value=-60, max_value=1200))
def test_a_window_is_upcoming_then_due_then_overdue(born, offset):
    today = born + timedelta(days=offset)
    for window in mandated_windows(born, None):
        status = window.status(today)
        if today < window.opens:
            assert status == UPCOMING
        elif today <= window.closes:
            assert status == DUE
        else:
            assert status == OVERDUE
