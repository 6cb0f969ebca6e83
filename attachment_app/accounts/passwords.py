"""Password rules beyond Django's own."""

import re

from django.core.exceptions import ValidationError

#: Parts of a name shorter than this are too common to refuse ("al", "jo").
MIN_PART = 3


class NotOwnNamesValidator:
    """Refuse a password that contains the person's username, names or email name.

    Django's similarity check compares the whole password with each attribute, so a password
    made of the username twice passes it; this looks for each part inside the password.
    """

    def validate(self, password, user=None):
        if user is None:
            return
        flat = _letters_and_digits(password)
        for part in _name_parts(user):
            if part in flat:
                raise ValidationError(
                    "Your password must not contain your name or username.",
                    code="password_contains_own_name",
                )

    def get_help_text(self):
        return "Your password must not contain your name or username."


def _letters_and_digits(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", (text or "").lower())


def _name_parts(user) -> set[str]:
    values = [
        getattr(user, "username", ""),
        getattr(user, "first_name", ""),
        getattr(user, "last_name", ""),
        (getattr(user, "email", "") or "").split("@")[0],
    ]
    parts = set()
    for value in values:
        for part in re.split(r"[^0-9a-zA-Z]+", value or ""):
            part = part.lower()
            if len(part) >= MIN_PART:
                parts.add(part)
        whole = _letters_and_digits(value)
        if len(whole) >= MIN_PART:
            parts.add(whole)
    return parts
