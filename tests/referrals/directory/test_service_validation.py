"""What the directory refuses in a service, where each error is shown, and that a refused
service saves nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from referrals.forms_directory import ServiceForm
from referrals.models import Service, ServiceArea
from referrals.services_directory import service_save
from tests.factories_referrals import ServiceFactory
from tests.referrals.directory.directory_data import service_data

pytestmark = pytest.mark.django_db


#: (what is wrong, the form changes, the field the error is on, what the error says).
BAD_SERVICES = [
    (
        "no area",
        {"postcode_districts": "", "local_authorities": None},
        "national",
        "Say where the service takes families from",
    ),
    (
        "youngest older than oldest",
        {"minimum_age_months": "24", "maximum_age_months": "6"},
        "maximum_age_months",
        "The oldest age must be the same as the youngest age or more",
    ),
    (
        "bad postcode district",
        {"postcode_districts": "LS6, 6LS"},
        "postcode_districts",
        "is not a postcode district like LS6",
    ),
    (
        "referrals without a method",
        {"referral_method": None},
        "referral_method",
        "Say how professionals refer",
    ),
    ("no name", {"name": ""}, "name", "Enter name"),
    (
        "age not a number",
        {"maximum_age_months": "two"},
        "maximum_age_months",
        "Oldest age in months must be a whole number",
    ),
    (
        "not a real date",
        {"assured_date_day": "31", "assured_date_month": "2"},
        "assured_date",
        "Last assured must be a real date",
    ),
    (
        "a response time of 0 working days",
        {"response_working_days": "0"},
        "response_working_days",
        "The expected response time must be at least 1 working day",
    ),
]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [case[1:] for case in BAD_SERVICES],
    ids=[case[0] for case in BAD_SERVICES],
)
def test_bad_service_shows_the_error_and_saves_nothing(
    admin_client, organization, authority, changes, field, message
):
    data = service_data(organization, authority, **changes)
    response = admin_client.post(reverse("directory_service_create"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    page = response.content.decode()
    assert "nhsuk-error-summary" in page
    assert message in page
    assert "<title>Error: " in page
    # Nothing lost: what was typed is still in the form.
    assert "Home visits for parents and babies who are struggling to connect." in page
    assert 'value="referrals@bonding.example.org"' in page
    assert not Service.objects.exists()
    assert not ServiceArea.objects.exists()


def test_every_mistake_is_shown_at_once(admin_client, organization, authority):
    data = service_data(
        organization,
        authority,
        name="",
        referral_method=None,
        minimum_age_months="12",
        maximum_age_months="6",
        postcode_districts="",
        local_authorities=None,
    )
    form = admin_client.post(reverse("directory_service_create"), data).context["form"]
    assert set(form.errors) == {"name", "referral_method", "maximum_age_months", "national"}


def test_a_wrong_district_is_not_also_reported_as_no_area(admin_client, organization, authority):
    data = service_data(organization, authority, postcode_districts="6LS", local_authorities=None)
    form = admin_client.post(reverse("directory_service_create"), data).context["form"]
    assert set(form.errors) == {"postcode_districts"}


def test_service_save_refuses_inconsistent_details_by_field(admin_user, organization):
    with pytest.raises(ValidationError) as refused:
        service_save(
            actor=admin_user,
            organization=organization,
            name="Inconsistent",
            description="An invented service.",
            accepts_referrals=True,
            referral_method="",
            minimum_age_months=12,
            maximum_age_months=6,
        )
    assert set(refused.value.message_dict) == {"referral_method", "maximum_age_months", "areas"}
    assert not Service.objects.exists()


def test_service_errors_land_on_the_fields_they_are_about(organization):
    form = ServiceForm(cancel_url="/")
    form.cleaned_data = {}
    form.add_service_errors(
        ValidationError({"areas": ["Say where"], "name": ["Too long"], "uid": ["Odd"]})
    )
    assert form.errors["national"] == ["Say where"]
    assert form.errors["name"] == ["Too long"]
    assert form.non_field_errors() == ["Odd"]


def test_bad_change_leaves_the_service_as_it_was(admin_client, organization, authority):
    service = ServiceFactory(name="Kept As It Was", districts=["LS1"])
    data = service_data(
        organization, authority, name="Renamed", minimum_age_months="30", maximum_age_months="3"
    )
    response = admin_client.post(reverse("directory_service_update", args=[service.pk]), data)
    assert response.status_code == 200
    assert "Change Kept As It Was" in response.content.decode()
    service.refresh_from_db()
    assert service.name == "Kept As It Was"
    assert [a.extent for a in service.service_areas.all()] == ["LS1"]
