"""Forms for the caseload and the family record. They check shape only: the rules are in services.

Each form's layout uses the NHS.UK crispy template pack. Its fields carry the keyword names of
the service that saves them, so a view passes ``form.cleaned_data`` straight through.
"""

from django import forms

from attachment_app import permissions
from attachment_app.accounts.models import User
from attachment_app.nhsuk_forms.fields import DateInputField
from attachment_app.nhsuk_forms.helpers import form_helper_with_buttons
from attachment_app.nhsuk_forms.layout import Field, Fieldset

from .models import NAME_LENGTH, Baby, Caregiver
from .selectors import MINE, TEAM

#: Long enough for a name, an NHS number typed with spaces or a postcode.
SEARCH_LENGTH = 100


def _text(label: str, *, required: bool = True, max_length: int = NAME_LENGTH, **kwargs):
    messages = {
        "required": f"Enter {label[0].lower() + label[1:]}",
        "max_length": f"{label} must be {max_length} characters or fewer",
    }
    return forms.CharField(
        label=label, required=required, max_length=max_length, error_messages=messages, **kwargs
    )


# --- Caseload ---------------------------------------------------------------------------------


class CaseloadSearchForm(forms.Form):
    """The caseload search. POSTed, so that names and NHS numbers stay out of URLs."""

    query = forms.CharField(
        label="Search by family name, baby's name, NHS number or postcode",
        max_length=SEARCH_LENGTH,
        error_messages={
            "required": "Enter a name, NHS number or postcode to search for",
            "max_length": f"Search must be {SEARCH_LENGTH} characters or fewer",
        },
    )


class CaseloadFilterForm(forms.Form):
    """Which families the caseload lists. Not personal, so kept in the query string."""

    families = forms.ChoiceField(
        label="Families",
        choices=[(TEAM, "Whole team"), (MINE, "My families")],
        widget=forms.RadioSelect,
    )
    due = forms.BooleanField(label="Only families with a contact due or overdue", required=False)

    def filters(self, *, default: str = TEAM) -> dict:
        """The valid filters, with defaults for anything missing or not understood."""
        if not self.is_valid():
            return {"families": default, "due_only": False}
        return {
            "families": self.cleaned_data["families"],
            "due_only": self.cleaned_data["due"],
        }


# --- Family -----------------------------------------------------------------------------------


class FamilyForm(forms.Form):
    name = _text(
        "Family name", help_text="How the team refers to the household, for example the surname."
    )
    named_hv = forms.ModelChoiceField(
        label="Named health visitor",
        queryset=User.objects.none(),
        required=False,
        empty_label="No named health visitor yet",
    )
    address_line_1 = _text("Address line 1")
    address_line_2 = _text("Address line 2", required=False)
    town = _text("Town or city", required=False)
    postcode = _text("Postcode", max_length=10)
    area = _text("Area", required=False, help_text="The locality, if the team divides its patch.")

    def __init__(self, *args, team, cancel_url: str, submit: str, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer the team's own clinical staff only; the service checks this again.
        self.fields["named_hv"].queryset = permissions.clinicians(team.pk).order_by(
            "first_name", "last_name", "username"
        )
        self.fields["named_hv"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.helper = form_helper_with_buttons(
            Field("name", css_class="nhsuk-input--width-20"),
            Field("named_hv"),
            Fieldset(
                "Address",
                Field("address_line_1"),
                Field("address_line_2"),
                Field("town", css_class="nhsuk-u-width-two-thirds"),
                Field("postcode", css_class="nhsuk-input--width-10"),
                legend_size="m",
            ),
            Field("area", css_class="nhsuk-u-width-two-thirds"),
            submit=submit,
            cancel_url=cancel_url,
        )


# --- Caregiver --------------------------------------------------------------------------------


class CaregiverForm(forms.Form):
    name = _text("Full name")
    relationship = forms.ChoiceField(
        label="Relationship to baby",
        choices=Caregiver.Relationship.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the relationship to the baby"},
    )
    phone = _text("Phone number", required=False, max_length=30)
    email = forms.EmailField(
        label="Email address",
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    preferred_language = _text("Preferred language", max_length=60, initial="English")
    interpreter_needed = forms.BooleanField(label="An interpreter is needed", required=False)

    def __init__(self, *args, cancel_url: str, submit: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper_with_buttons(
            Field("name", css_class="nhsuk-input--width-20"),
            Field("relationship", label_size="s"),
            Field("phone", css_class="nhsuk-input--width-20", autocomplete="off"),
            Field("email", css_class="nhsuk-u-width-two-thirds", autocomplete="off"),
            Field("preferred_language", css_class="nhsuk-input--width-20"),
            Field("interpreter_needed"),
            submit=submit,
            cancel_url=cancel_url,
        )


# --- Baby -------------------------------------------------------------------------------------


class BabyForm(forms.Form):
    name = _text(
        "Baby's name", required=False, help_text="Leave blank if the baby has no name yet."
    )
    date_of_birth = DateInputField(
        label="Date of birth",
        required=False,
        help_text="For example, 15 3 2025. Leave blank if the baby is not born yet.",
    )
    expected_date = DateInputField(
        label="Expected date of delivery",
        required=False,
        help_text="Only if the baby is not born yet. For example, 28 9 2026.",
    )
    sex = forms.ChoiceField(
        label="Sex",
        choices=Baby.Sex.choices,
        initial=Baby.Sex.NOT_KNOWN,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the baby's sex, or Not known"},
    )
    nhs_number = _text(
        "NHS number",
        required=False,
        max_length=20,
        help_text="10 digits, for example 999 123 4567. Leave blank if not known yet.",
    )

    def __init__(self, *args, cancel_url: str, submit: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper_with_buttons(
            Field("name", css_class="nhsuk-input--width-20"),
            Field("date_of_birth"),
            Field("expected_date"),
            Field("sex", label_size="s"),
            Field("nhs_number", css_class="nhsuk-input--width-10", autocomplete="off"),
            submit=submit,
            cancel_url=cancel_url,
        )
