"""Template filters built into every template (``TEMPLATES`` ``builtins``): the one way a page
shows a date or a time (``attachment_app.formatting``).

``{{ value|nhs_date }}``, ``{{ value|nhs_time }}``, ``{{ value|nhs_datetime }}``; an empty
value gives an empty string, so ``|default:"Never"`` still works after them.
"""

from django import template

from . import formatting

register = template.Library()


@register.filter(expects_localtime=True)
def nhs_date(value) -> str:
    """``1 December 2026``."""
    return formatting.format_date(value) if value else ""


@register.filter(expects_localtime=True)
def nhs_time(value) -> str:
    """``9am``, ``10:30am``, ``midday``, ``midnight``."""
    return formatting.format_time(value) if value is not None and value != "" else ""


@register.filter(expects_localtime=True)
def nhs_datetime(value) -> str:
    """``1 December 2026 at 2:15pm``."""
    return formatting.format_datetime(value) if value else ""
