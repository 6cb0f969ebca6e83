"""The form that asks for a bulk export. It checks shape only: ``bulk.bulk_export_request``
judges the date (not in the future, not too early) and whether another export is waiting."""

from django import forms

from attachment_app.nhsuk_forms.fields import DateInputField
from attachment_app.nhsuk_forms.helpers import form_helper_with_buttons
from attachment_app.nhsuk_forms.layout import Field


class BulkExportForm(forms.Form):
    """From which day the families' changes are exported."""

    since = DateInputField(
        label="Changed since",
        help_text=(
            "The families added or changed on or after this day, or with a record added or "
            "changed. For example, 15 3 2026. For every family, enter a day before your team "
            "started using the service."
        ),
        error_messages={
            "required": "Enter the date to export changes since",
            "incomplete": "The date must include %(missing)s",
            "invalid": "The date must be a real date",
        },
    )

    def __init__(self, *args, cancel_url: str, submit: str = "Ask for the export", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper_with_buttons(
            Field("since", label_size="s"), submit=submit, cancel_url=cancel_url
        )
