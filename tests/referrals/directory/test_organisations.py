"""The admin's directory organisations: listing, adding, changing, retiring, and the list's query
count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from referrals.models import Organization, Service
from tests.factories_referrals import OrganizationFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def test_admin_lists_organisations_by_page(admin_client):
    for number in range(27):
        OrganizationFactory(name=f"Organisation {number:02d}")
    OrganizationFactory(name="Aardvark Trust", retired_at=timezone.now())
    url = reverse("directory_organization_list")
    first = admin_client.get(url).content.decode()
    assert "Organisation 00" in first
    assert "Organisation 24" in first
    assert "Organisation 25" not in first
    second = admin_client.get(url, {"page": 2}).content.decode()
    assert "Organisation 26" in second
    # Retired organisations come after the running ones.
    assert "Aardvark Trust" in second
    assert "Retired" in second


def test_admin_adds_an_organisation(admin_client):
    response = admin_client.post(
        reverse("directory_organization_create"),
        {
            "name": "  Bright Starts  ",
            "description": "A charity.",
            "email": "hello@bright.example.org",
            "website": "bright.example.org",
        },
    )
    assert response.status_code == 302
    organization = Organization.objects.get()
    assert organization.name == "Bright Starts"
    assert organization.website == "https://bright.example.org"


def test_organisation_without_a_name_is_not_saved(admin_client):
    response = admin_client.post(
        reverse("directory_organization_create"), {"name": "", "email": "not an email"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter name" in page
    assert "Enter an email address in the correct format" in page
    assert not Organization.objects.exists()


def test_admin_changes_an_organisation(admin_client, organization):
    url = reverse("directory_organization_update", args=[organization.pk])
    assert admin_client.get(url).context["form"]["name"].value() == "Riverside Family Services"
    response = admin_client.post(url, {"name": "Riverside Families", "description": ""})
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.name == "Riverside Families"


def test_admin_retires_an_organisation_after_confirming(admin_client, organization):
    ServiceFactory(name="Its Service", organization=organization)
    url = reverse("directory_organization_retire", args=[organization.pk])
    confirm = admin_client.get(url)
    assert "Its Service" in confirm.content.decode()
    organization.refresh_from_db()
    assert organization.retired_at is None

    assert admin_client.post(url).status_code == 302
    organization.refresh_from_db()
    assert organization.retired_at is not None
    assert not Service.objects.referable().exists()


def test_organisation_list_query_count_does_not_grow(admin_client):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            admin_client.get(reverse("directory_organization_list"))
        return len(queries)

    ServiceFactory.create_batch(5)
    with_5 = count()
    ServiceFactory.create_batch(45)
    assert count() == with_5
