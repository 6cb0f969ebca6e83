"""The dashboard's period: a preset, or two dates. Sent by GET, so a period can be bookmarked."""

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from dateutil.relativedelta import relativedelta
from django import forms

from attachment_app.formatting import format_date
from attachment_app.nhsuk_forms.fields import DateInputField
from attachment_app.nhsuk_forms.layout import Field, Submit

from .dashboard.period import Period

LAST_MONTH = "1"
LAST_3_MONTHS = "3"
LAST_12_MONTHS = "12"
CUSTOM = "custom"
DEFAULT = LAST_3_MONTHS
#: The earliest date a period may start: before the service, nothing was recorded.
EARLIEST = datetime.date(2020, 1, 1)


def preset_period(choice: str, today: datetime.date) -> Period:
    """The period ending today that a preset names (1, 3 or 12 months)."""
    months = int(choice)
    return Period(start=today - relativedelta(months=months) + relativedelta(days=1), end=today)


class DashboardPeriodForm(forms.Form):
    """Which period the figures cover."""

    period = forms.ChoiceField(
        label="Period",
        choices=[
            (LAST_MONTH, "Last month"),
            (LAST_3_MONTHS, "Last 3 months"),
            (LAST_12_MONTHS, "Last 12 months"),
            (CUSTOM, "Between two dates"),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    start = DateInputField(label="From", required=False, help_text="For example, 1 4 2026")
    end = DateInputField(label="To", required=False, help_text="For example, 30 6 2026")

    def __init__(self, data=None, *, today: datetime.date, action: str):
        # Only the period's own parameters bind the form: a bare page shows the default.
        bound = data is not None and any(
            key == "period" or key.startswith(("start_", "end_")) for key in data
        )
        super().__init__(data if bound else None, initial={"period": DEFAULT})
        self.today = today
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_action = action
        self.helper.form_show_errors = False
        self.helper.layout = Layout(
            Field("period", label_size="s"),
            Field("start", label_size="s"),
            Field("end", label_size="s"),
            Submit("Show figures", variant="secondary", prevent_double_click=False),
        )

    def clean(self):
        data = super().clean()
        choice = data.get("period") or DEFAULT
        start, end = data.get("start"), data.get("end")
        if choice != CUSTOM:
            data["period"] = choice
            return data
        if start is None and "start" not in self.errors:
            self.add_error("start", "Enter the date the period starts")
        if end is None and "end" not in self.errors:
            self.add_error("end", "Enter the date the period ends")
        if start and end:
            if start > end:
                self.add_error("end", "The end date must be the same as or after the start date")
            if end > self.today:
                self.add_error("end", "The end date must be today or in the past")
            if start < EARLIEST:
                self.add_error(
                    "start", f"The start date must be on or after {format_date(EARLIEST)}"
                )
        return data

    def period_chosen(self) -> Period:
        """The period asked for, or the default when nothing (or something invalid) was sent."""
        if not self.is_bound or not self.is_valid():
            return preset_period(DEFAULT, self.today)
        if self.cleaned_data["period"] == CUSTOM:
            return Period(start=self.cleaned_data["start"], end=self.cleaned_data["end"])
        return preset_period(self.cleaned_data["period"], self.today)


class ReferralExportForm(forms.Form):
    """Whether the referral list should carry babies' NHS numbers (team leads only)."""

    nhs_numbers = forms.BooleanField(
        label="Include babies' NHS numbers",
        required=False,
        help_text="Only when the receiving system needs them. The export is recorded either way.",
    )
