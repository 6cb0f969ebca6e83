"""Adding, changing, showing and retiring a directory service."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.models import Service, ServiceArea
from tests.factories_referrals import OrganizationFactory, ServiceFactory
from tests.referrals.directory.directory_data import intervention, service_data, term

pytestmark = pytest.mark.django_db


# --- Adding and changing a service ------------------------------------------------------------


def test_admin_adds_a_service(admin_client, organization, authority):
    response = admin_client.post(
        reverse("directory_service_create"), service_data(organization, authority)
    )
    service = Service.objects.get(name="Bonding Together")
    assert response.status_code == 302
    assert response["Location"] == reverse("directory_service_detail", args=[service.pk])
    assert service.organization == organization
    assert service.url == "https://bonding.example.org"
    assert service.accepts_referrals is True
    assert service.referral_method == Service.ReferralMethod.EMAIL
    assert service.response_working_days == 7
    assert (service.minimum_age_months, service.maximum_age_months) == (0, 18)
    assert service.referral_subjects == ["parent", "dyad"]
    assert service.assured_date == datetime.date(2026, 3, 2)
    assert service.assurer_email == "checker@example.org"
    assert list(service.taxonomy_terms.values_list("code", flat=True)) == [
        "parent-infant-relationship"
    ]
    assert set(service.interventions.values_list("code", flat=True)) == {"vipp-sd", "theraplay"}
    areas = {(a.extent_type, a.extent) for a in service.service_areas.all()}
    assert areas == {
        ("postcode_district", "LS6"),
        ("postcode_district", "LS7"),
        ("local_authority", "E99000001"),
    }


def test_add_form_labels_interventions_with_their_evidence(admin_client):
    page = admin_client.get(reverse("directory_service_create")).content.decode()
    assert "Circle of Security (strong evidence)" in page
    assert "Video Interaction Guidance (VIG) (intermediate evidence)" in page
    assert "Theraplay (weak or no evidence)" in page
    # Strongest evidence first.
    assert page.index("(strong evidence)") < page.index("(intermediate evidence)")
    assert page.index("(intermediate evidence)") < page.index("(weak or no evidence)")


def test_a_national_signposting_service_needs_no_referral_method(
    admin_client, organization, authority
):
    data = service_data(
        organization,
        authority,
        name="Information Line",
        accepts_referrals="False",
        referral_method=None,
        postcode_districts="",
        local_authorities=None,
        national="on",
    )
    response = admin_client.post(reverse("directory_service_create"), data)
    assert response.status_code == 302
    service = Service.objects.get(name="Information Line")
    assert service.accepts_referrals is False
    assert service.referral_method == ""
    assert [a.extent_type for a in service.service_areas.all()] == ["national"]


def test_edit_form_starts_with_the_saved_details(admin_client, authority):
    service = ServiceFactory(
        name="Little Steps",
        terms=["parent-infant-relationship"],
        interventions=["vig"],
        districts=["LS6", "LS7"],
        assured_date=datetime.date(2025, 11, 4),
    )
    ServiceArea.objects.create(
        service=service,
        name=authority.name,
        extent_type="local_authority",
        extent=authority.code,
        local_authority=authority,
    )
    form = admin_client.get(reverse("directory_service_update", args=[service.pk])).context["form"]
    assert form["name"].value() == "Little Steps"
    assert form["postcode_districts"].value() == "LS6, LS7"
    assert form["local_authorities"].value() == [authority.pk]
    assert form["taxonomy_terms"].value() == [term("parent-infant-relationship").pk]
    assert form["interventions"].value() == [intervention("vig").pk]
    assert form["assured_date"].value() == datetime.date(2025, 11, 4)
    assert form["accepts_referrals"].value() is True


def test_admin_changes_a_service(admin_client, organization, authority):
    service = ServiceFactory(name="Little Steps", districts=["LS1"], interventions=["vig"])
    data = service_data(
        organization,
        authority,
        name="Little Steps Together",
        status="temporarily closed",
        postcode_districts="LS9",
        local_authorities=None,
        interventions=[intervention("abc").pk],
        assured_date_day="1",
        assured_date_month="March",
        assured_date_year="2026",
    )
    response = admin_client.post(reverse("directory_service_update", args=[service.pk]), data)
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.name == "Little Steps Together"
    assert service.organization == organization
    assert service.status == Service.Status.TEMPORARILY_CLOSED
    assert service.assured_date == datetime.date(2026, 3, 1)
    assert [a.extent for a in service.service_areas.all()] == ["LS9"]
    assert list(service.interventions.values_list("code", flat=True)) == ["abc"]


def test_status_choices_leave_retiring_to_its_own_page(admin_client):
    running = ServiceFactory()
    retired = ServiceFactory(status=Service.Status.DEFUNCT)
    form = admin_client.get(reverse("directory_service_update", args=[running.pk])).context["form"]
    assert "defunct" not in dict(form.fields["status"].choices)
    form = admin_client.get(reverse("directory_service_update", args=[retired.pk])).context["form"]
    assert "defunct" in dict(form.fields["status"].choices)


def test_retired_organisations_are_not_offered_for_a_new_service(admin_client, organization):
    OrganizationFactory(name="Closed Charity", retired_at=timezone.now())
    form = admin_client.get(reverse("directory_service_create")).context["form"]
    assert list(form.fields["organization"].queryset) == [organization]


def test_service_page_shows_the_record(admin_client):
    service = ServiceFactory(
        name="Little Steps",
        phone="0113 496 0123",
        referral_subjects=["dyad"],
        interventions=["circle-of-security"],
        national=True,
        districts=[],
    )
    page = admin_client.get(reverse("directory_service_detail", args=[service.pk]))
    text = page.content.decode()
    for expected in [
        "Little Steps",
        "0113 496 0123",
        "Parent and baby together",
        "Circle of Security",
        "Everywhere in England",
        "Within 5 working days",
        reverse("directory_service_update", args=[service.pk]),
        reverse("directory_service_retire", args=[service.pk]),
    ]:
        assert expected in text, expected


# --- Retiring a service -----------------------------------------------------------------------


def test_admin_retires_a_service_after_confirming(admin_client):
    service = ServiceFactory(name="Ending Soon")
    url = reverse("directory_service_retire", args=[service.pk])
    confirm = admin_client.get(url)
    assert confirm.status_code == 200
    assert "Retire Ending Soon" in confirm.content.decode()
    service.refresh_from_db()
    assert service.status == Service.Status.ACTIVE

    response = admin_client.post(url, follow=True)
    assert response.redirect_chain == [
        (reverse("directory_service_detail", args=[service.pk]), 302)
    ]
    assert "Ending Soon retired" in response.content.decode()
    service.refresh_from_db()
    assert service.status == Service.Status.DEFUNCT
    assert "Ending Soon" not in admin_client.get(reverse("directory_service_list")).content.decode()


def test_retired_service_page_offers_no_retire_link(admin_client):
    service = ServiceFactory(status=Service.Status.DEFUNCT)
    page = admin_client.get(reverse("directory_service_detail", args=[service.pk]))
    assert reverse("directory_service_retire", args=[service.pk]) not in page.content.decode()
    response = admin_client.get(reverse("directory_service_retire", args=[service.pk]))
    assert response.status_code == 302
