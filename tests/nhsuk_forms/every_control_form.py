"""A form that uses every kind of control, and rendering a form through the template pack."""

from django import forms
from django.core.exceptions import ValidationError
from django.template import Context, Template

from attachment_app.nhsuk_forms.fields import DateInputField

CONTACT_CHOICES = [("email", "Email"), ("phone", "Phone")]
DAY_CHOICES = [("mon", "Monday"), ("tue", "Tuesday")]


class EveryControlForm(forms.Form):
    name = forms.CharField(
        label="Full name",
        help_text="As it appears on the record",
        error_messages={"required": "Enter a full name"},
    )
    email = forms.EmailField(required=False)
    notes = forms.CharField(widget=forms.Textarea, error_messages={"required": "Enter notes"})
    service = forms.ChoiceField(choices=[("", "Choose"), ("a", "A"), ("b", "B")])
    contact = forms.ChoiceField(
        label="How should we contact them?",
        choices=CONTACT_CHOICES,
        widget=forms.RadioSelect,
        help_text="Choose one",
        error_messages={"required": "Select how to contact them"},
    )
    days = forms.MultipleChoiceField(
        label="Which days suit them?",
        choices=DAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one day"},
    )
    consent = forms.BooleanField(
        label="The family agrees to a referral",
        help_text="Ask them before you tick",
        error_messages={"required": "Confirm the family agrees"},
    )
    birth_date = DateInputField(label="Date of birth", help_text="For example, 15 3 2024")

    def clean(self):
        if self.data.get("fail_whole_form"):
            raise ValidationError("This referral has already been sent")
        return super().clean()


def render(form, helper=None) -> str:
    if helper is not None:
        form.helper = helper
    return Template("{% load crispy_forms_tags %}{% crispy form %}").render(Context({"form": form}))


def invalid_form(**data) -> EveryControlForm:
    form = EveryControlForm(data={"email": "not-an-email", **data})
    assert not form.is_valid()
    return form
