"""The admin's list of directory services: what each row shows, search, retired services, pages,
the warning about services not assured for a year, and its query count."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from referrals.models import Service
from tests.factories_referrals import OrganizationFactory, ServiceFactory
from tests.referrals.directory.directory_data import TODAY, term

pytestmark = pytest.mark.django_db


# --- Service list -----------------------------------------------------------------------------


def test_list_shows_what_each_service_is(admin_client):
    ServiceFactory(
        name="Little Steps",
        organization=OrganizationFactory(name="Community Trust"),
        terms=["parent-infant-relationship"],
        interventions=["vipp-sd", "theraplay"],
        districts=["LS6"],
        minimum_age_months=3,
        maximum_age_months=18,
    )
    page = admin_client.get(reverse("directory_service_list")).content.decode()
    for text in [
        "Little Steps",
        "Community Trust",
        "Active",
        "Parent\u2013infant relationship support",
        "(VIPP-SD)",
        "Strong evidence",
        "Theraplay",
        "Weak or no evidence",
        "3 to 18 months",
        "LS6",
        "14 February 2026",
    ]:
        assert text in page, text


def test_search_finds_services_by_word_and_category(admin_client):
    ServiceFactory(name="Feeding Friends", terms=["infant-feeding"])
    ServiceFactory(name="Feeding Clinic", terms=["primary-care"])
    ServiceFactory(name="Bump to Baby", terms=["infant-feeding"])
    url = reverse("directory_service_list")

    page = admin_client.get(url, {"term": "feeding"}).content.decode()
    assert "Feeding Friends" in page
    assert "Feeding Clinic" in page
    assert "Bump to Baby" not in page

    category = term("infant-feeding").pk
    page = admin_client.get(url, {"term": "feeding", "category": category}).content.decode()
    assert "Feeding Friends" in page
    assert "Feeding Clinic" not in page
    assert "Bump to Baby" not in page


def test_retired_services_are_listed_only_when_asked_for(admin_client):
    ServiceFactory(name="Still Running")
    ServiceFactory(name="Long Gone", status=Service.Status.DEFUNCT)
    ServiceFactory(name="Closed For Now", status=Service.Status.TEMPORARILY_CLOSED)
    url = reverse("directory_service_list")

    page = admin_client.get(url).content.decode()
    assert "Still Running" in page
    assert "Closed For Now" in page
    assert "Long Gone" not in page

    page = admin_client.get(url, {"include_retired": "on"}).content.decode()
    assert "Long Gone" in page


def test_list_is_paginated_by_25(admin_client):
    organization = OrganizationFactory()
    for number in range(30):
        ServiceFactory(name=f"Service {number:02d}", organization=organization)
    url = reverse("directory_service_list")
    first = admin_client.get(url).content.decode()
    assert "Service 24" in first
    assert "Service 25" not in first
    assert "page 1 of 2" in first
    second = admin_client.get(url, {"page": 2}).content.decode()
    assert "Service 25" in second
    assert "Service 29" in second
    assert "Service 00" not in second


def test_an_unknown_category_is_ignored_rather_than_an_error(admin_client):
    ServiceFactory(name="Still Listed")
    response = admin_client.get(reverse("directory_service_list"), {"category": "nonsense"})
    assert response.status_code == 200
    assert "Still Listed" in response.content.decode()


# --- Assurance --------------------------------------------------------------------------------


def test_list_warns_about_services_not_assured_for_a_year(admin_client):
    ServiceFactory(name="Checked Recently", assured_date=TODAY - datetime.timedelta(days=30))
    ServiceFactory(name="Checked Long Ago", assured_date=TODAY - datetime.timedelta(days=366))
    ServiceFactory(name="Never Checked", assured_date=None)
    ServiceFactory(name="Checked A Year Ago Today", assured_date=TODAY - datetime.timedelta(365))
    url = reverse("directory_service_list")

    response = admin_client.get(url)
    assert response.context["stale_count"] == 2
    stale = {row["service"].name: row["stale"] for row in response.context["rows"]}
    assert stale == {
        "Checked A Year Ago Today": False,
        "Checked Long Ago": True,
        "Checked Recently": False,
        "Never Checked": True,
    }
    assert "2 services to check" in response.content.decode()

    only_stale = admin_client.get(url, {"stale_only": "on"}).content.decode()
    assert "Checked Long Ago" in only_stale
    assert "Never Checked" in only_stale
    assert "Checked Recently" not in only_stale


def test_no_warning_when_every_service_is_assured(admin_client):
    ServiceFactory(name="Checked Recently", assured_date=TODAY - datetime.timedelta(days=30))
    page = admin_client.get(reverse("directory_service_list")).content.decode()
    assert "to check" not in page
    assert "Check details" not in page


def test_service_page_warns_when_assurance_is_old(admin_client):
    old = ServiceFactory(assured_date=TODAY - datetime.timedelta(days=400))
    fresh = ServiceFactory(assured_date=TODAY - datetime.timedelta(days=10))
    old_page = admin_client.get(reverse("directory_service_detail", args=[old.pk]))
    fresh_page = admin_client.get(reverse("directory_service_detail", args=[fresh.pk]))
    assert "Check these details" in old_page.content.decode()
    assert "Check these details" not in fresh_page.content.decode()


# --- Query counts -----------------------------------------------------------------------------


def _list_queries(client, count: int) -> int:
    organization = OrganizationFactory()
    for _ in range(count - Service.objects.count()):
        ServiceFactory(
            organization=organization,
            terms=["infant-feeding", "information"],
            interventions=["vig", "abc"],
            districts=["LS1", "LS2"],
        )
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("directory_service_list")).status_code == 200
    return len(queries)


def test_service_list_query_count_does_not_grow_with_services(admin_client):
    with_5 = _list_queries(admin_client, 5)
    with_50 = _list_queries(admin_client, 50)
    assert with_5 == with_50
