"""Dates and times as the NHS.UK content style guide writes them (attachment_app.formatting)."""

import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template import Context, Template

from attachment_app.formatting import format_date, format_datetime, format_time

LONDON = ZoneInfo("Europe/London")
UTC = datetime.UTC


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [
        (0, 0, "midnight"),
        (12, 0, "midday"),
        (12, 30, "12:30pm"),
        (0, 30, "12:30am"),
        (9, 5, "9:05am"),
        (9, 0, "9am"),
        (10, 30, "10:30am"),
        (14, 15, "2:15pm"),
        (23, 59, "11:59pm"),
        (13, 0, "1pm"),
    ],
)
def test_times_are_written_the_nhs_way(hour, minute, expected):
    assert format_time(datetime.time(hour, minute)) == expected


def test_dates_have_no_leading_zero_and_the_full_month():
    assert format_date(datetime.date(2026, 12, 1)) == "1 December 2026"
    assert format_date(datetime.date(2026, 3, 25)) == "25 March 2026"


def test_an_aware_datetime_is_shown_in_london_time():
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (summer time).
    moment = datetime.datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    assert format_date(moment) == "1 July 2026"
    assert format_time(moment) == "12:30am"
    assert format_datetime(moment) == "1 July 2026 at 12:30am"


def test_midnight_and_midday_in_a_datetime():
    assert format_datetime(datetime.datetime(2026, 12, 1, 0, 0, tzinfo=LONDON)) == (
        "1 December 2026 at midnight"
    )
    assert format_datetime(datetime.datetime(2026, 12, 1, 12, 0, tzinfo=LONDON)) == (
        "1 December 2026 at midday"
    )


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_the_filters_are_built_into_every_template():
    moment = datetime.datetime(2026, 1, 5, 14, 15, tzinfo=UTC)  # winter: London is UTC
    assert render("{{ at|nhs_datetime }}", at=moment) == "5 January 2026 at 2:15pm"
    assert render("{{ at|nhs_date }}", at=moment) == "5 January 2026"
    assert render("{{ at|nhs_time }}", at=moment) == "2:15pm"
    assert render("{{ day|nhs_date }}", day=datetime.date(2026, 12, 1)) == "1 December 2026"
    assert render("{{ t|nhs_time }}", t=datetime.time(0, 0)) == "midnight"


def test_an_empty_value_renders_nothing_so_default_still_works():
    assert render('{{ at|nhs_date|default:"Never" }}', at=None) == "Never"
    assert render("[{{ at|nhs_datetime }}]", at=None) == "[]"
    assert render("[{{ at|nhs_time }}]", at="") == "[]"


def test_no_template_formats_a_date_or_time_its_own_way():
    """Every template shows moments through nhs_date, nhs_time or nhs_datetime only."""
    root = Path(settings.BASE_DIR)
    templates = [
        path
        for path in root.rglob("*.html")
        if not path.is_relative_to(root / "node_modules")
        # .venv, and the .venv-* of other Python versions (git-ignored too)
        and not any(part.startswith(".venv") for part in path.parts)
    ]
    assert len(templates) > 50
    own_way = re.compile(r"\|\s*(date|time)\b")
    offenders = [str(path) for path in templates if own_way.search(path.read_text())]
    assert offenders == []


def test_no_python_text_formats_a_date_its_own_way():
    """Text built in Python uses attachment_app.formatting, not strftime codes of its own."""
    root = Path(settings.BASE_DIR)
    own_way = re.compile(r"%-?d %[bB]|%[bB] %Y|%H:%M|%I:%M")
    allowed = {
        root / "attachment_app" / "formatting.py",  # the one place
        root / "attachment_app" / "csv_export.py",  # spreadsheets get ISO-like stamps
    }
    offenders = [
        str(path)
        for app in ("attachment_app", "conversations", "screening", "referrals")
        for path in (root / app).rglob("*.py")
        if path not in allowed and own_way.search(path.read_text())
    ]
    assert offenders == []
