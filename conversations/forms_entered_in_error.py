"""The form that marks a record of the family as entered in error."""

from django import forms

from attachment_app.nhsuk_forms.helpers import form_helper, too_long
from attachment_app.nhsuk_forms.layout import ButtonGroup, ButtonLink, Field, Submit

from .models import REASON_LENGTH


class EnteredInErrorForm(forms.Form):
    """Why the record was entered in error."""

    reason = forms.CharField(
        label="Why was it entered in error?",
        max_length=REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, the form was sent twice, or it was recorded for the wrong family.",
        error_messages={
            "required": "Enter why it was entered in error",
            "max_length": too_long("The reason", REASON_LENGTH),
        },
    )

    def __init__(self, *args, submit: str, cancel_url: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field("reason", label_size="s"),
            ButtonGroup(Submit(submit, variant="warning"), ButtonLink("Cancel", cancel_url)),
        )
