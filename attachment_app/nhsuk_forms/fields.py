"""Form fields that go with the NHS.UK widgets."""

import calendar
import datetime

from django import forms
from django.core.exceptions import ValidationError

from .widgets import DATE_PARTS, NHSDateWidget

_PART_NAMES = tuple(name for name, _label, _width in DATE_PARTS)

# The date input pattern asks services to accept a month typed as a word ("March", "mar").
_MONTHS = {
    name.lower(): number
    for names in (calendar.month_name, calendar.month_abbr)
    for number, name in enumerate(names)
    if name
}
_MONTHS["sept"] = 9


def _is_number(text: str) -> bool:
    """Only 0-9: str.isdigit() also accepts digits int() cannot read, such as "²"."""
    return text.isascii() and text.isdigit()


def _month_number(text: str) -> int | None:
    """The month typed as a number or an English name, or None if it is neither."""
    text = text.lower().rstrip(".")
    if _is_number(text):
        # Two digits at most: int() of a long string is slow, and refused past 4,300 digits.
        return int(text) if len(text) <= 2 else None
    return _MONTHS.get(text)


def _lower_first(text: str) -> str:
    """'Date of birth' -> 'date of birth', but leave 'NHS number' alone."""
    if len(text) > 1 and text[:2].isupper():
        return text
    return text[:1].lower() + text[1:]


class DateInputField(forms.Field):
    """A date typed as day, month and year into an NHS.UK date input.

    Errors follow the NHS.UK date input pattern and name the field by its label, for example
    "Date of birth must include a month" or "Date of birth must be a real date". Each error
    records which parts of the date are wrong (``params["error_parts"]``) so the template pack
    highlights only those boxes and the error summary links to the first of them.
    """

    widget = NHSDateWidget
    default_error_messages = {
        "required": "Enter %(label_lower)s",
        "incomplete": "%(label)s must include %(missing)s",
        "invalid": "%(label)s must be a real date",
        "year_digits": "Year must include 4 numbers",
    }

    def _params(self, **extra):
        label = str(self.label) if self.label else "Date"
        return {"label": label, "label_lower": _lower_first(label), **extra}

    def _error(self, code, parts=None, **extra):
        params = self._params(**extra)
        if parts is not None:
            params["error_parts"] = tuple(parts)
        return ValidationError(self.error_messages[code], code=code, params=params)

    def to_python(self, value):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if value in self.empty_values:
            return None
        if not isinstance(value, (list, tuple)):
            raise self._error("invalid")

        parts = dict(zip(_PART_NAMES, (str(part or "").strip() for part in value), strict=False))
        for name in _PART_NAMES:
            parts.setdefault(name, "")
        if not any(parts.values()):
            return None

        missing = [name for name in _PART_NAMES if not parts[name]]
        if missing:
            raise self._error("incomplete", missing, missing="a " + " and ".join(missing))

        month = _month_number(parts["month"])
        readable = {
            "day": _is_number(parts["day"]) and len(parts["day"]) <= 2,
            "month": month is not None,
            "year": _is_number(parts["year"]),
        }
        not_numbers = [name for name in _PART_NAMES if not readable[name]]
        if not_numbers:
            raise self._error("invalid", not_numbers)
        if len(parts["year"]) != 4:
            raise self._error("year_digits", ["year"])
        if not 1 <= month <= 12:
            raise self._error("invalid", ["month"])
        try:
            return datetime.date(int(parts["year"]), month, int(parts["day"]))
        except ValueError:
            # For example 31 February: the whole date is wrong, not one box.
            raise self._error("invalid") from None

    def validate(self, value):
        if value in self.empty_values and self.required:
            raise self._error("required")
