"""Widgets that render NHS.UK frontend components Django has no widget for."""

import datetime

from django import forms

#: The parts of an NHS.UK date input: name, visible label and input width in characters.
DATE_PARTS = (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4))


class NHSDateWidget(forms.MultiWidget):
    """Three text boxes for day, month and year: the NHS.UK date input.

    Each box is named ``<field>_day``, ``<field>_month`` and ``<field>_year`` and has the id
    ``<field id>_day`` (and so on), so an error summary can link to the part that is wrong.
    Use it with :class:`attachment_app.nhsuk_forms.fields.DateInputField`, which turns the
    three strings into a ``datetime.date``.
    """

    template_name = "nhsuk/widgets/date_input.html"

    def __init__(self, attrs=None):
        widgets = {
            name: forms.TextInput(
                attrs={
                    # Numeric keyboards on phones without the spinner of type=number.
                    "inputmode": "numeric",
                    "class": f"nhsuk-input nhsuk-date-input__input nhsuk-input--width-{width}",
                }
            )
            for name, _label, width in DATE_PARTS
        }
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        container_id = context["widget"]["attrs"].get("id")
        for subwidget, (part, label, _width) in zip(
            context["widget"]["subwidgets"], DATE_PARTS, strict=True
        ):
            if container_id:
                subwidget["attrs"]["id"] = f"{container_id}_{part}"
            subwidget["part"] = part
            subwidget["label"] = label
        return context
