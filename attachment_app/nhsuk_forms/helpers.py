"""Form helpers every NHS.UK form page here uses.

The page puts the error summary above its h1, as NHS.UK asks, so forms never show their errors
again inside the form.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.core.exceptions import ValidationError

from .layout import ButtonGroup, ButtonLink, Submit


def form_helper(*layout) -> FormHelper:
    """A crispy helper for a form laid out as given, without a second error summary."""
    helper = FormHelper()
    helper.form_show_errors = False
    helper.layout = Layout(*layout)
    return helper


def form_helper_with_buttons(*fields, submit: str, cancel_url: str) -> FormHelper:
    """``form_helper`` with a submit button and a Cancel link after the fields."""
    return form_helper(*fields, ButtonGroup(Submit(submit), ButtonLink("Cancel", cancel_url)))


def too_long(label: str, limit: int) -> str:
    """The error for text over its limit, in the NHS.UK words."""
    return f"{label} must be {limit} characters or fewer"


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: by field where the form has that field."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)
