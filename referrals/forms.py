"""Forms for step 3's clinical pages. They check shape; the services enforce the rules."""

from crispy_forms.layout import HTML
from django import forms

from attachment_app.formatting import format_date
from attachment_app.nhsuk_forms.fields import DateInputField
from attachment_app.nhsuk_forms.helpers import form_helper, form_helper_with_buttons, too_long
from attachment_app.nhsuk_forms.layout import ButtonGroup, ButtonLink, Field, Submit
from conversations.models import NOTE_LENGTH, Caregiver
from screening.models import Concern, ScreeningResult

from . import workflow
from .models import Referral, ReferralDelivery, TaxonomyTerm
from .selectors import result_label
from .services import sharing_problems


def _note(label: str, *, required: bool, hint: str = "", rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=NOTE_LENGTH,
        help_text=hint,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": f"Enter {label[0].lower() + label[1:]}",
            "max_length": too_long(label, NOTE_LENGTH),
        },
    )


class DirectorySearchForm(forms.Form):
    """Words to find in a service's name, organisation or description, and a category."""

    term = forms.CharField(label="Search the directory", required=False, max_length=100)
    category = forms.ModelChoiceField(
        label="Category",
        queryset=TaxonomyTerm.objects.all(),
        required=False,
        empty_label="Any category",
    )


class SignpostForm(forms.Form):
    """Information given to the parent about a service or another resource."""

    resource_name = forms.CharField(
        label="Resource given",
        required=False,
        max_length=200,
        help_text="If it is not a service in the directory: for example, a leaflet or a website.",
        error_messages={"max_length": too_long("Resource given", 200)},
    )
    resource_url = forms.URLField(
        label="Web address of the resource",
        required=False,
        max_length=200,
        assume_scheme="https",
        error_messages={"invalid": "Enter a web address, like https://www.nhs.uk/start-for-life"},
    )
    given_on = DateInputField(label="Date the information was given", required=True)
    note = _note("Note", required=False, hint="For example, what the parent thought of it.")

    def __init__(
        self, *args, service, cancel_url: str, submit: str = "Record signposting", **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.service = service
        layout = []
        if service is None:
            self.fields["resource_name"].required = True
            self.fields["resource_name"].error_messages["required"] = "Enter the resource given"
            layout += [
                Field("resource_name", css_class="nhsuk-u-width-two-thirds"),
                Field("resource_url", css_class="nhsuk-u-width-two-thirds", spellcheck="false"),
            ]
        else:
            del self.fields["resource_name"], self.fields["resource_url"]
        layout += [
            Field("given_on", label_size="s"),
            Field("note"),
            ButtonGroup(Submit(submit), ButtonLink("Cancel", cancel_url)),
        ]
        self.helper = form_helper(*layout)


class ReferralForm(forms.Form):
    """What a referral says: why, about which concerns, how urgent, and on what basis it may be
    shared. The questions that belong to one answer (the safeguarding justification, consent's
    who, how and when, the reason to refer outside eligibility) are revealed by that answer."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = _note(
        "Reason for referral",
        required=True,
        rows=5,
        hint="What the family needs from the service, in words the service will understand.",
    )
    concerns = forms.ModelMultipleChoiceField(
        label="Which concerns is this about?",
        queryset=Concern.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    urgency = forms.ChoiceField(
        label="How urgent is it?",
        choices=Referral.Urgency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how urgent the referral is"},
    )
    sharing_basis = forms.ChoiceField(
        label="Sharing information with the service",
        choices=Referral.SharingBasis.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="You can save a draft before you have asked the parent.",
    )
    consent_given_by = forms.ModelChoiceField(
        label="Who gave consent",
        queryset=Caregiver.objects.none(),
        widget=forms.RadioSelect,
        required=False,
        empty_label=None,
    )
    consent_method = forms.ChoiceField(
        label="How consent was given",
        choices=Referral.ConsentMethod.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    consent_given_on = DateInputField(label="When consent was given", required=False)
    safeguarding_justification = _note(
        "Why sharing without consent is justified",
        required=False,
        hint="To protect a child or adult from harm: say what the risk is and why asking the "
        "parent, or waiting for consent, would add to it.",
    )
    shared_results = forms.ModelMultipleChoiceField(
        label="Which screening results will be shared with the service?",
        queryset=ScreeningResult.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Only the results you tick go in the referral letter: the questionnaire, the "
        "date, the total and the band, never the answers.",
    )
    information_shared = _note(
        "What information will be shared",
        required=False,
        hint="What else the service should know, for example the best time to call. The "
        "referral letter gives the family's contact details, the concerns and the results you "
        "ticked.",
    )
    refer_anyway = forms.BooleanField(
        label="Refer anyway, although the service may not take this family",
        required=False,
    )
    eligibility_override_reason = _note(
        "Why refer although the service's eligibility does not fit",
        required=False,
        hint="For example, you have agreed it with the service.",
    )

    # Needed only with the answer that reveals them: their labels do not say "(optional)".
    consent_given_by.conditionally_required = True
    consent_method.conditionally_required = True
    consent_given_on.conditionally_required = True
    safeguarding_justification.conditionally_required = True
    eligibility_override_reason.conditionally_required = True

    def __init__(
        self,
        *args,
        family,
        concerns,
        caregivers,
        results,
        cancel_url: str,
        submit: str,
        eligibility_problems=(),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.eligibility_problems = list(eligibility_problems)
        self.fields["concerns"].queryset = concerns
        self.fields["concerns"].label_from_instance = lambda concern: (
            f"{concern.category.name}, raised {format_date(concern.raised_at)}"
        )
        self.fields["shared_results"].queryset = results
        self.fields["shared_results"].label_from_instance = result_label
        self.fields["consent_given_by"].queryset = caregivers
        self.fields["consent_given_by"].label_from_instance = lambda caregiver: (
            f"{caregiver.name} ({caregiver.get_relationship_display().lower()})"
        )
        layout = [Field("version"), Field("reason", label_size="s")]
        if concerns:
            layout.append(Field("concerns", label_size="s"))
        else:
            del self.fields["concerns"]
            layout.append(
                HTML(
                    '<p class="nhsuk-body">The family has no open concern to link. You can flag '
                    "one from the family's page or a contact.</p>"
                )
            )
        consent_questions = [Field("consent_method", inline=True), Field("consent_given_on")]
        if caregivers:
            consent_questions.insert(0, Field("consent_given_by"))
        else:
            del self.fields["consent_given_by"]
        layout += [
            Field("urgency", label_size="s", inline=True),
            Field(
                "sharing_basis",
                label_size="s",
                conditional={
                    Referral.SharingBasis.CONSENT: consent_questions,
                    Referral.SharingBasis.SAFEGUARDING: ["safeguarding_justification"],
                },
            ),
        ]
        if results:
            layout.append(Field("shared_results", label_size="s"))
        else:
            del self.fields["shared_results"]
        layout.append(Field("information_shared"))
        if self.eligibility_problems:
            layout.append(
                Field("refer_anyway", conditional={True: ["eligibility_override_reason"]})
            )
        else:
            del self.fields["refer_anyway"], self.fields["eligibility_override_reason"]
        layout.append(ButtonGroup(Submit(submit), ButtonLink("Cancel", cancel_url)))
        self.helper = form_helper(*layout)

    def clean(self):
        data = super().clean()
        basis = data.get("sharing_basis", "")
        problems = sharing_problems(
            sharing_basis=basis,
            safeguarding_justification=data.get("safeguarding_justification", "").strip(),
            consent_method=data.get("consent_method", ""),
            consent_given_on=data.get("consent_given_on"),
            consent_given_by_missing="consent_given_by" in self.fields
            and not data.get("consent_given_by"),
        )
        for name, message in problems.items():
            # A date the field itself refused already says what is wrong with it.
            if name not in self.errors:
                self.add_error(name, message.rstrip("."))
        if self.eligibility_problems:
            if not data.get("refer_anyway"):
                self.add_error(
                    "refer_anyway",
                    "Select that you are referring anyway and say why, or choose another service",
                )
            elif not data.get("eligibility_override_reason", "").strip():
                self.add_error(
                    "eligibility_override_reason",
                    "Enter why you are referring although the eligibility does not fit",
                )
        return data

    def referral_fields(self) -> dict:
        """What the service is given; answers revealed by an option not chosen are dropped."""
        data = self.cleaned_data
        basis = data.get("sharing_basis", "")
        consent = basis == Referral.SharingBasis.CONSENT
        return {
            "reason": data["reason"],
            "urgency": data["urgency"],
            "sharing_basis": basis,
            "safeguarding_justification": data.get("safeguarding_justification", "")
            if basis == Referral.SharingBasis.SAFEGUARDING
            else "",
            "consent_given_by": data.get("consent_given_by") if consent else None,
            "consent_method": data.get("consent_method", "") if consent else "",
            "consent_given_on": data.get("consent_given_on") if consent else None,
            "information_shared": data.get("information_shared", ""),
            "eligibility_override_reason": data.get("eligibility_override_reason", "")
            if data.get("refer_anyway")
            else "",
        }


class TransitionForm(forms.Form):
    """A move along the workflow: its note, what else the move asks for (the service's
    expected first contact, its reason to decline, the outcome), and the version of the
    referral it was made on."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    first_contact_on = DateInputField(
        label="When do you expect to first contact the family?", required=False
    )
    decline_reason = forms.ChoiceField(
        label="Why was it declined?",
        choices=Referral.DeclineReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why the referral was declined"},
    )
    outcome = forms.ChoiceField(
        label="What was the outcome?",
        choices=Referral.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the outcome"},
    )
    note = _note("Note", required=False)

    def __init__(
        self,
        *args,
        note_label: str,
        note_required: bool,
        submit: str,
        cancel_url: str | None,
        warning: bool = False,
        asks: str = "",
        by_service: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        layout = [Field("version")]
        if asks == workflow.FIRST_CONTACT:
            field = self.fields["first_contact_on"]
            field.required = by_service
            field.error_messages["required"] = "Enter when you expect to first contact the family"
            if not by_service:
                field.label = "When does the service expect to first contact the family?"
                field.help_text = "Leave it blank if the service did not say."
            layout.append(Field("first_contact_on", label_size="s"))
        else:
            del self.fields["first_contact_on"]
        for name, wanted in (
            ("decline_reason", workflow.DECLINE_REASON),
            ("outcome", workflow.OUTCOME),
        ):
            if asks == wanted:
                layout.append(Field(name, label_size="s"))
            else:
                del self.fields[name]
        if note_label:
            self.fields["note"].label = note_label
            self.fields["note"].required = note_required
            self.fields["note"].error_messages["required"] = (
                f"Enter {note_label[0].lower() + note_label[1:]}"
            )
            layout.append(Field("note", label_size="s"))
        else:
            del self.fields["note"]
        buttons = [Submit(submit, variant="warning" if warning else None)]
        if cancel_url:
            buttons.append(ButtonLink("Cancel", cancel_url))
        layout.append(ButtonGroup(*buttons))
        self.helper = form_helper(*layout)

    def reply_fields(self) -> dict:
        """What the move asks for besides the note, as the transition service takes it."""
        data = self.cleaned_data
        return {
            name: data[name]
            for name in ("first_contact_on", "decline_reason", "outcome")
            if name in self.fields
        }


class FollowUpForm(forms.Form):
    """A follow-up contact by the team."""

    due_on = DateInputField(label="When is it due?", required=True)
    purpose = forms.CharField(
        label="What is it for?",
        max_length=300,
        help_text="For example, check how the first VIG session went.",
        error_messages={
            "required": "Enter what the follow-up is for",
            "max_length": too_long("What it is for", 300),
        },
    )

    def __init__(self, *args, cancel_url: str, submit: str = "Plan follow-up", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper_with_buttons(
            Field("due_on", label_size="s"),
            Field("purpose", css_class="nhsuk-u-width-two-thirds"),
            submit=submit,
            cancel_url=cancel_url,
        )


class FollowUpCloseForm(forms.Form):
    """Closing a follow-up: done, or cancelled with a reason."""

    outcome = forms.ChoiceField(
        label="What happened?",
        choices=[("done", "It was done"), ("cancelled", "It is no longer needed")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select what happened"},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=300,
        help_text="Needed if it is no longer needed: say why.",
        error_messages={"max_length": too_long("Note", 300)},
    )

    def __init__(self, *args, cancel_url: str, submit: str = "Save", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper_with_buttons(
            Field("outcome", label_size="s"),
            Field("note", css_class="nhsuk-u-width-two-thirds"),
            submit=submit,
            cancel_url=cancel_url,
        )

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "cancelled" and not data.get("note", "").strip():
            self.add_error("note", "Enter why the follow-up is no longer needed")
        return data


class RecordSentForm(forms.Form):
    """How a referral went to its service, any way but this service's email, and when."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    method = forms.ChoiceField(
        label="How was it sent?",
        choices=[
            choice
            for choice in ReferralDelivery.Method.choices
            if choice[0] != ReferralDelivery.Method.EMAIL
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the referral was sent"},
    )
    sent_on = DateInputField(label="When was it sent?", required=True)
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=300,
        help_text="For example, who you spoke to, or the reference the service gave.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": too_long("Note", 300)},
    )

    def __init__(self, *args, submit: str, cancel_url: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sent_on"].error_messages["required"] = "Enter the date it was sent"
        self.helper = form_helper(
            Field("version"),
            Field("method", label_size="s"),
            Field("sent_on", label_size="s"),
            Field("note"),
            ButtonGroup(Submit(submit), ButtonLink("Cancel", cancel_url)),
        )


class ConfirmForm(forms.Form):
    """A page's one button (send by email, send a new link, stop the link): only the version
    of the referral it was opened on."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, submit: str, cancel_url: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field("version"), ButtonGroup(Submit(submit), ButtonLink("Cancel", cancel_url))
        )


class ServiceCodeForm(forms.Form):
    """The six-digit code emailed to the service."""

    code = forms.RegexField(
        label="Code",
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        help_text="The 6 digits in the email we sent to the service's referral address.",
        error_messages={
            "required": "Enter the code",
            "invalid": "Enter the code as 6 digits, like 123456",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field(
                "code",
                css_class="nhsuk-input--width-10",
                autocomplete="one-time-code",
                inputmode="numeric",
                spellcheck="false",
            ),
            Submit("Open the referral"),
        )
