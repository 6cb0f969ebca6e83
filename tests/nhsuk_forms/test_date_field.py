"""The date field: what it reads, what it says is wrong, and the three boxes it draws."""

import datetime

import pytest
from django import forms
from django.core.exceptions import ValidationError

from attachment_app.nhsuk_forms.fields import DateInputField
from tests.nhsuk_forms.every_control_form import render
from tests.nhsuk_forms.html_reader import by_id, parse


class DateForm(forms.Form):
    birth_date = DateInputField(label="Date of birth")
    review_date = DateInputField(required=False)


def date_form(day="", month="", year="", **other):
    data = {"birth_date_day": day, "birth_date_month": month, "birth_date_year": year, **other}
    return DateForm(data=data)


@pytest.mark.parametrize(
    ("day", "month", "year", "expected"),
    [
        ("15", "3", "2024", datetime.date(2024, 3, 15)),
        (" 01 ", "02", "2025", datetime.date(2025, 2, 1)),
        ("29", "2", "2024", datetime.date(2024, 2, 29)),
        ("7", "March", "2024", datetime.date(2024, 3, 7)),
        ("7", "sept", "2024", datetime.date(2024, 9, 7)),
    ],
)
def test_date_field_reads_real_dates(day, month, year, expected):
    form = date_form(day, month, year)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["birth_date"] == expected
    assert form.cleaned_data["review_date"] is None


@pytest.mark.parametrize(
    ("day", "month", "year", "message", "wrong_parts"),
    [
        ("31", "2", "2025", "Date of birth must be a real date", ["day", "month", "year"]),
        ("29", "2", "2025", "Date of birth must be a real date", ["day", "month", "year"]),
        ("0", "1", "2025", "Date of birth must be a real date", ["day", "month", "year"]),
        ("12", "13", "2025", "Date of birth must be a real date", ["month"]),
        ("12", "", "2025", "Date of birth must include a month", ["month"]),
        ("", "", "2025", "Date of birth must include a day and month", ["day", "month"]),
        ("12", "x", "2025", "Date of birth must be a real date", ["month"]),
        ("12", "3", "²⁰²⁵", "Date of birth must be a real date", ["year"]),
        ("12", "3", "25", "Year must include 4 numbers", ["year"]),
        ("12", "9" * 5000, "2025", "Date of birth must be a real date", ["month"]),
        ("9" * 5000, "3", "2025", "Date of birth must be a real date", ["day"]),
        ("12", "3", "9" * 5000, "Year must include 4 numbers", ["year"]),
        ("", "", "", "Enter date of birth", ["day", "month", "year"]),
    ],
)
def test_date_field_explains_what_is_wrong_and_marks_only_those_boxes(
    day, month, year, message, wrong_parts
):
    form = date_form(day, month, year)
    assert not form.is_valid()
    assert form.errors["birth_date"] == [message]

    doc = parse(render(form))
    marked = [
        part
        for part in ("day", "month", "year")
        if "nhsuk-input--error" in by_id(doc, f"id_birth_date_{part}").classes()
    ]
    assert marked == wrong_parts
    # The summary link goes to the first box that needs fixing.
    link = doc.find("ul", "nhsuk-error-summary__list").find("a")
    assert link.attrs["href"] == f"#id_birth_date_{wrong_parts[0]}"
    assert link.all_text() == message


def test_date_input_is_a_group_of_three_labelled_boxes_that_keep_what_was_typed():
    doc = parse(render(date_form("31", "2", "2025")))
    container = by_id(doc, "id_birth_date")
    assert "nhsuk-date-input" in container.classes()
    fieldset = next(a for a in container.ancestors() if a.tag == "fieldset")
    assert fieldset.attrs["role"] == "group"
    assert fieldset.find("legend").all_text() == "Date of birth"
    for part, label, value, width in [
        ("day", "Day", "31", "2"),
        ("month", "Month", "2", "2"),
        ("year", "Year", "2025", "4"),
    ]:
        box = by_id(doc, f"id_birth_date_{part}")
        assert box.attrs["name"] == f"birth_date_{part}"
        assert box.attrs["value"] == value
        assert box.attrs["inputmode"] == "numeric"
        assert f"nhsuk-input--width-{width}" in box.classes()
        assert doc.find("label", **{"for": box.attrs["id"]}).all_text() == label


def test_date_input_shows_an_initial_date():
    form = DateForm(initial={"birth_date": datetime.date(2024, 3, 5)})
    doc = parse(render(form))
    values = [by_id(doc, f"id_birth_date_{p}").attrs["value"] for p in ("day", "month", "year")]
    assert values == ["5", "3", "2024"]


def test_date_field_error_messages_can_be_replaced():
    field = DateInputField(error_messages={"invalid": "The review must be on a real day"})
    with pytest.raises(ValidationError) as caught:
        field.clean(["30", "2", "2026"])
    assert caught.value.messages == ["The review must be on a real day"]
