"""Forms for the admin's directory pages. They check shape only: ``service_save`` and
``organization_save`` judge the rest.

Field names are the keyword names of the service that saves them, so a view passes
``form.cleaned_data`` straight through.
"""

from crispy_forms.layout import HTML
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Value, When

from attachment_app.nhsuk_forms.fields import DateInputField
from attachment_app.nhsuk_forms.helpers import form_helper_with_buttons
from attachment_app.nhsuk_forms.layout import Field

from .models import (
    EVIDENCE_RANK,
    RESPONSE_TIME_AT_LEAST_ONE,
    EvidenceLevel,
    Intervention,
    LocalAuthority,
    Organization,
    Service,
    TaxonomyTerm,
)
from .services_directory import parse_postcode_districts, service_rule_problems

SEARCH_LENGTH = 100
#: 18 years: past that nobody is a child, so a larger number is a typing slip.
MAX_AGE_MONTHS = 216
MAX_RESPONSE_DAYS = 365


def _section(title: str) -> HTML:
    return HTML(f'<h2 class="nhsuk-heading-m nhsuk-u-margin-top-6">{title}</h2>')


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _text(label: str, max_length: int, *, required: bool = False, rows: int = 0, **kwargs):
    messages = {
        "required": f"Enter {_lower_first(label)}",
        "max_length": f"{label} must be {max_length} characters or fewer",
    }
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=widget,
        error_messages=messages,
        **kwargs,
    )


def _email(label: str, **kwargs) -> forms.EmailField:
    return forms.EmailField(
        label=label,
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.org"
        },
        **kwargs,
    )


def _website(label: str = "Website") -> forms.URLField:
    return forms.URLField(
        label=label,
        required=False,
        max_length=200,
        assume_scheme="https",
        error_messages={"invalid": "Enter a web address, like https://www.example.org"},
    )


def _whole_number(
    label: str, *, maximum: int, example: str, minimum: int = 0, too_small: str = "", **kwargs
) -> forms.IntegerField:
    # A text box, not type=number: NHS.UK advice, as number inputs change value on scroll.
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=minimum,
        max_value=maximum,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": f"{label} must be a whole number, like {example}",
            "min_value": too_small or f"{label} must be {minimum} or more",
            "max_value": f"{label} must be {maximum} or fewer",
        },
        **kwargs,
    )


#: How each evidence level reads after an intervention's name.
EVIDENCE_WORDS = {
    EvidenceLevel.STRONG: "strong evidence",
    EvidenceLevel.INTERMEDIATE: "intermediate evidence",
    EvidenceLevel.WEAK: "weak or no evidence",
}


def evidence_label(intervention: Intervention) -> str:
    """An intervention's name with how strong its evidence is."""
    return f"{intervention.name} ({EVIDENCE_WORDS[intervention.evidence_level]})"


# --- Service list -----------------------------------------------------------------------------


class ServiceFilterForm(forms.Form):
    """Which services the admin's list shows. Not personal data, so kept in the query string."""

    term = forms.CharField(
        label="Search by name, organisation or description",
        required=False,
        max_length=SEARCH_LENGTH,
        error_messages={"max_length": f"Search must be {SEARCH_LENGTH} characters or fewer"},
    )
    category = forms.ModelChoiceField(
        label="Category",
        queryset=TaxonomyTerm.objects.order_by("name"),
        required=False,
        empty_label="All categories",
        error_messages={"invalid_choice": "Select a category from the list"},
    )
    stale_only = forms.BooleanField(
        label="Only services not assured in the last 12 months", required=False
    )
    include_retired = forms.BooleanField(label="Include retired services", required=False)

    def filters(self) -> dict:
        """The valid filters; anything not understood is left out rather than refused."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            "term": cleaned.get("term", ""),
            "category": cleaned.get("category"),
            "stale_only": cleaned.get("stale_only", False),
            "include_retired": cleaned.get("include_retired", False),
        }


# --- Service ----------------------------------------------------------------------------------


class ServiceForm(forms.Form):
    """Everything a service record holds, with its categories, interventions and areas."""

    organization = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organization.objects.none(),
        empty_label="Choose an organisation",
        error_messages={"required": "Choose the organisation that runs the service"},
    )
    name = _text("Name", 200, required=True)
    description = _text(
        "Description",
        4000,
        required=True,
        rows=5,
        help_text="What the service offers, in words a health visitor can pass on to a parent.",
    )
    url = _website()
    email = _email("Email address")
    phone = _text("Phone number", 30)
    status = forms.ChoiceField(
        label="Status",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the status of the service"},
    )
    accepts_referrals = forms.TypedChoiceField(
        label="Does the service take referrals from professionals?",
        choices=[
            (True, "Yes"),
            (False, "No, families can only be signposted to it"),
        ],
        coerce=lambda value: value == "True",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the service takes referrals from professionals"},
    )
    referral_method = forms.ChoiceField(
        label="How to refer",
        choices=Service.ReferralMethod.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text="Leave unselected if the service does not take referrals.",
    )
    application_process = _text(
        "Referral instructions",
        2000,
        rows=3,
        help_text="For example, what to include, or which form to use.",
    )
    response_working_days = _whole_number(
        "Expected response time in working days",
        maximum=MAX_RESPONSE_DAYS,
        example="5",
        minimum=1,
        too_small=RESPONSE_TIME_AT_LEAST_ONE,
        help_text="Leave blank if the service does not say.",
    )
    minimum_age_months = _whole_number(
        "Youngest age in months",
        maximum=MAX_AGE_MONTHS,
        example="0",
        help_text="Leave blank if there is no lower limit. 0 includes pregnancy.",
    )
    maximum_age_months = _whole_number(
        "Oldest age in months",
        maximum=MAX_AGE_MONTHS,
        example="24",
        help_text="Leave blank if there is no upper limit.",
    )
    referral_subjects = forms.MultipleChoiceField(
        label="Who may be referred",
        choices=Service.Subject.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
    )
    eligibility_description = _text(
        "Who else the service is for",
        2000,
        rows=3,
        help_text="Any other eligibility, for example first-time parents only.",
    )
    fees_description = _text("Cost", 300, help_text="For example, free.")
    schedule_description = _text(
        "Opening times", 300, help_text="For example, Monday to Friday, 9am to 5pm."
    )
    national = forms.BooleanField(label="Serves everywhere in England", required=False)
    postcode_districts = _text(
        "Postcode districts",
        1000,
        help_text="The first part of the postcode, separated by commas, for example LS6, LS7.",
    )
    local_authorities = forms.ModelMultipleChoiceField(
        label="Local authority areas",
        queryset=LocalAuthority.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The whole area of each local authority selected.",
    )
    taxonomy_terms = forms.ModelMultipleChoiceField(
        label="Categories",
        queryset=TaxonomyTerm.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Health visitors are shown the service for concerns in these categories.",
    )
    interventions = forms.ModelMultipleChoiceField(
        label="Interventions offered",
        queryset=Intervention.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Evidence levels are from Wright et al. 2023.",
    )
    local_notes = _text(
        "Local notes",
        2000,
        rows=3,
        help_text="For health visitors: what to know about this service here. "
        "Never published, and never changed by an import.",
    )
    assured_date = DateInputField(
        label="Last assured",
        required=False,
        help_text="When someone last checked these details with the service. "
        "For example, 15 3 2025.",
    )
    assurer_email = _email("Assured by (email)")

    def __init__(
        self,
        *args,
        service: Service | None = None,
        cancel_url: str,
        submit: str = "Save service",
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.service = service
        # Running organisations, and the service's own even if it has since retired.
        organizations = Organization.objects.filter(retired_at__isnull=True)
        if service is not None:
            organizations |= Organization.objects.filter(pk=service.organization_id)
        self.fields["organization"].queryset = organizations.order_by("name", "pk")
        # Retiring has its own page; a retired service may be brought back from here.
        statuses = Service.Status.choices
        if service is None or service.status != Service.Status.DEFUNCT:
            statuses = [(value, label) for value, label in statuses if value != "defunct"]
        self.fields["status"].choices = statuses
        # Strongest evidence first.
        self.fields["interventions"].queryset = Intervention.objects.annotate(
            rank=Case(
                *(When(evidence_level=level, then=Value(r)) for level, r in EVIDENCE_RANK.items()),
                output_field=IntegerField(),
            )
        ).order_by("rank", "name")
        self.fields["interventions"].label_from_instance = evidence_label
        self.fields["local_authorities"].label_from_instance = _authority_label
        self.helper = form_helper_with_buttons(
            _section("About the service"),
            Field("organization"),
            Field("name", css_class="nhsuk-u-width-two-thirds"),
            Field("description"),
            Field("url", css_class="nhsuk-u-width-two-thirds", spellcheck="false"),
            Field("email", css_class="nhsuk-u-width-two-thirds", spellcheck="false"),
            Field("phone", css_class="nhsuk-input--width-20"),
            Field("status", label_size="s"),
            Field("schedule_description", css_class="nhsuk-u-width-two-thirds"),
            Field("fees_description", css_class="nhsuk-u-width-two-thirds"),
            _section("Referrals"),
            Field("accepts_referrals", label_size="s"),
            Field("referral_method", label_size="s"),
            Field("application_process"),
            Field("response_working_days", css_class="nhsuk-input--width-3"),
            _section("Who it is for"),
            Field("minimum_age_months", css_class="nhsuk-input--width-3"),
            Field("maximum_age_months", css_class="nhsuk-input--width-3"),
            Field("referral_subjects", label_size="s"),
            Field("eligibility_description"),
            _section("Where it takes families from"),
            HTML('<p class="nhsuk-body">Fill in at least one of these.</p>'),
            Field("national"),
            Field("postcode_districts", css_class="nhsuk-u-width-two-thirds", spellcheck="false"),
            Field("local_authorities", label_size="s"),
            _section("What it helps with"),
            Field("taxonomy_terms", label_size="s"),
            Field("interventions", label_size="s"),
            Field("local_notes"),
            _section("Assurance"),
            Field("assured_date", label_size="s"),
            Field("assurer_email", css_class="nhsuk-u-width-two-thirds", spellcheck="false"),
            submit=submit,
            cancel_url=cancel_url,
        )

    @staticmethod
    def initial_for(service: Service) -> dict:
        """The form's starting values for a saved service (areas prefetched)."""
        areas = list(service.service_areas.all())
        initial = {
            name: getattr(service, name)
            for name in (
                "name",
                "description",
                "url",
                "email",
                "phone",
                "status",
                "accepts_referrals",
                "referral_method",
                "application_process",
                "response_working_days",
                "minimum_age_months",
                "maximum_age_months",
                "referral_subjects",
                "eligibility_description",
                "fees_description",
                "schedule_description",
                "assured_date",
                "assurer_email",
                "local_notes",
            )
        }
        return {
            **initial,
            "organization": service.organization_id,
            "taxonomy_terms": [term.pk for term in service.taxonomy_terms.all()],
            "interventions": [intervention.pk for intervention in service.interventions.all()],
            "national": any(a.extent_type == a.ExtentType.NATIONAL for a in areas),
            "postcode_districts": ", ".join(
                a.extent for a in areas if a.extent_type == a.ExtentType.POSTCODE_DISTRICT
            ),
            "local_authorities": [
                a.local_authority_id for a in areas if a.extent_type == a.ExtentType.LOCAL_AUTHORITY
            ],
        }

    def clean_postcode_districts(self) -> list[str]:
        try:
            return parse_postcode_districts(self.cleaned_data["postcode_districts"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["postcode_districts"]) from None

    def clean(self):
        cleaned = super().clean()
        # The service's own rules, asked now so that they show with every other mistake.
        problems = service_rule_problems(
            accepts_referrals=cleaned.get("accepts_referrals", False),
            referral_method=cleaned.get("referral_method", ""),
            minimum_age_months=cleaned.get("minimum_age_months"),
            maximum_age_months=cleaned.get("maximum_age_months"),
            serves_somewhere=bool(
                cleaned.get("national")
                or cleaned.get("postcode_districts")
                or cleaned.get("local_authorities")
                # Districts were typed but are wrong: that error is enough.
                or "postcode_districts" in self.errors
            ),
        )
        for field, messages in problems.items():
            self.add_error(_field_for(field), messages)
        return cleaned

    def add_service_errors(self, error: ValidationError) -> None:
        """Show ``service_save``'s errors on the fields they are about."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, messages in error.message_dict.items():
            target = _field_for(field)
            self.add_error(target if target in self.fields else None, messages)


def _field_for(problem: str) -> str:
    """The form field a service's problem belongs on."""
    # "Where it takes families from" has no single field: the first box is the link.
    return "national" if problem == "areas" else problem


def _authority_label(authority: LocalAuthority) -> str:
    districts = ", ".join(authority.postcode_districts)
    return f"{authority.name} ({districts})" if districts else authority.name


# --- Organisation -----------------------------------------------------------------------------


class OrganizationForm(forms.Form):
    """An organisation that runs services."""

    name = _text("Name", 200, required=True)
    description = _text("Description", 2000, rows=4)
    email = _email("Email address")
    website = _website()

    def __init__(self, *args, cancel_url: str, submit: str = "Save organisation", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper_with_buttons(
            Field("name", css_class="nhsuk-u-width-two-thirds"),
            Field("description"),
            Field("email", css_class="nhsuk-u-width-two-thirds", spellcheck="false"),
            Field("website", css_class="nhsuk-u-width-two-thirds", spellcheck="false"),
            submit=submit,
            cancel_url=cancel_url,
        )

    @staticmethod
    def initial_for(organization: Organization) -> dict:
        return {
            name: getattr(organization, name)
            for name in ("name", "description", "email", "website")
        }
