"""How a typed NHS number or postcode is read: the same way for a search and for a save.

People type ``943 476 5919`` or ``943-476-5919``, ``ls14ap`` or ``LS1 4AP``. Both the caseload
search (``selectors``) and the services that store them read what was typed here, so a number
or postcode found by a search is the one that was saved.
"""

import re

#: The shape of a UK postcode without its space: outward code (area, district), inward code.
UK_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}")


def nhs_number_characters(typed: str) -> str:
    """What was typed as an NHS number, without the spaces and hyphens people put in it."""
    return "".join(typed.split()).replace("-", "")


def only_digits(text: str) -> bool:
    """Whether ``text`` is the digits 0 to 9 only (``isdigit()`` alone accepts other digits)."""
    return text.isascii() and text.isdigit()


def nhs_number_or_none(typed: str) -> str | None:
    """The ten digits of what was typed, if it has the shape of an NHS number."""
    digits = nhs_number_characters(typed)
    return digits if len(digits) == 10 and only_digits(digits) else None


def postcode_or_none(typed: str) -> str | None:
    """What was typed as a postcode is stored (``LS1 4AP``), if it has the shape of one."""
    compact = "".join(typed.split()).upper()
    if not UK_POSTCODE.fullmatch(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"
