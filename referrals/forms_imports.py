"""Forms for importing into the directory and registering feeds. They check shape only:
``referrals.oruk.syncing`` judges the rest (one of address or file, JSON, size, admins only).
"""

from django import forms
from django.conf import settings

from attachment_app import permissions
from attachment_app.nhsuk_forms.helpers import form_helper_with_buttons
from attachment_app.nhsuk_forms.layout import Field

from .models import DirectoryFeed

FEED_ADDRESS_HINT = (
    "The address of the Open Referral UK API, the part before /services, "
    "for example https://api.example.gov.uk/oruk"
)


def _address(label: str, *, required: bool) -> forms.CharField:
    # A CharField, not a URLField: the service says what is wrong with an address, in one way.
    return forms.CharField(
        label=label,
        required=required,
        max_length=300,
        help_text=FEED_ADDRESS_HINT,
        error_messages={
            "required": "Enter the feed's address",
            "max_length": "The feed's address must be 300 characters or fewer",
        },
    )


class ImportForm(forms.Form):
    """A feed's address or a JSON file: what to check before importing."""

    source = _address("Feed address", required=False)
    upload = forms.FileField(
        label="Or a JSON file of services",
        required=False,
        widget=forms.FileInput(attrs={"accept": ".json,application/json"}),
        help_text=(
            "One service, a page of /services or a list of services, smaller than "
            f"{settings.ORUK_FEED_MAX_BYTES // (1024 * 1024)} MB."
        ),
        error_messages={"empty": "The file is empty", "invalid": "Choose a JSON file"},
    )

    def __init__(self, *args, cancel_url: str, submit: str = "Check the import", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper_with_buttons(
            Field("source", css_class="nhsuk-u-width-full", spellcheck="false"),
            # The browser's own file input, as on the definition page (that template says why).
            Field("upload", template="screening/definition_file_field.html"),
            submit=submit,
            cancel_url=cancel_url,
        )


def _admins():
    return permissions.admins().order_by("first_name", "last_name", "username")


class _AdminChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class FeedForm(forms.Form):
    """A feed the directory is kept in step with."""

    name = forms.CharField(
        label="Name",
        max_length=120,
        help_text="For example, the local authority that publishes it.",
        error_messages={
            "required": "Enter a name for the feed",
            "max_length": "The name must be 120 characters or fewer",
        },
    )
    url = _address("Feed address", required=True)
    schedule = forms.ChoiceField(
        label="How often to sync it",
        choices=DirectoryFeed.Schedule.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how often to sync the feed"},
    )
    notify = _AdminChoice(
        label="Who is told (optional)",
        queryset=_admins(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Admins told when a sync refuses records, cannot read the feed or retires "
        "services that left it.",
    )

    def __init__(self, *args, cancel_url: str, submit: str = "Save feed", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notify"].queryset = _admins()
        self.helper = form_helper_with_buttons(
            Field("name", css_class="nhsuk-u-width-two-thirds"),
            Field("url", css_class="nhsuk-u-width-full", spellcheck="false"),
            Field("schedule"),
            Field("notify"),
            submit=submit,
            cancel_url=cancel_url,
        )

    @staticmethod
    def initial_for(feed: DirectoryFeed) -> dict:
        return {
            "name": feed.name,
            "url": feed.url,
            "schedule": feed.schedule,
            "notify": list(feed.notify.all()),
        }
