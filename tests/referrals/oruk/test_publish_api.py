"""The published ORUK API: open and read-only, only the directory, filtered, cached, and the same
number of queries whatever the page size."""

import datetime
import json
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import http_date

from attachment_app.accounts.models import User
from referrals.models import LocalAuthority, Organization, Service, ServiceArea, TaxonomyTerm
from referrals.oruk.reading import read_service
from tests.factories_referrals import (
    LocalAuthorityFactory,
    OrganizationFactory,
    ReferralFactory,
    ServiceFactory,
)

from .publishing import place

pytestmark = pytest.mark.django_db

LISTS = ["services", "organizations", "service_at_locations", "taxonomies", "taxonomy_terms"]


@pytest.fixture
def api():
    """A client that has never signed in."""
    return Client()


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    return [item["name"] for item in response.json()["contents"]]


def _every_body(client: Client) -> str:
    """Everything the API answers, each list and each record it names, as one text."""
    bodies = [client.get("/api/oruk/").content.decode()]
    for listing in LISTS:
        page = client.get(f"/api/oruk/{listing}?per_page=100")
        bodies.append(page.content.decode())
        for item in page.json()["contents"]:
            bodies.append(client.get(f"/api/oruk/{listing}/{item['id']}").content.decode())
    return "\n".join(bodies)


# --- Open, read-only, only the directory ------------------------------------------------------


def test_anyone_may_read_it_without_signing_in(api):
    ServiceFactory(name="Open to all")
    response = api.get("/api/oruk/services")
    assert _names(response) == ["Open to all"]
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "public, max-age=300"
    assert "sessionid" not in response.cookies


def test_a_signed_in_person_reads_the_same_as_anyone(api, hv_client):
    ServiceFactory(name="Open to all")
    assert hv_client.get("/api/oruk/services").json() == api.get("/api/oruk/services").json()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_nothing_but_reading_is_allowed(api, method):
    service = ServiceFactory()
    for path in ("/api/oruk/services", f"/api/oruk/services/{service.uid}"):
        response = getattr(api, method)(path, data="{}", content_type="application/json")
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD, OPTIONS"
        assert response.json()["status"] == 405
    assert Service.objects.get() == service


def test_a_browser_may_ask_before_reading_from_another_site(api):
    response = api.options("/api/oruk/services", HTTP_ORIGIN="https://elsewhere.example.org")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]
    assert api.head("/api/oruk/services").status_code == 200


def test_local_notes_and_how_our_staff_refer_are_never_published(api):
    service = ServiceFactory(
        local_notes="Ask for Priya: LOCAL-NOTE-7731",
        application_process="REFERRAL-STEPS-2208",
        response_working_days=17,
    )
    place(service, "Hub")
    text = _every_body(api)
    assert "LOCAL-NOTE-7731" not in text
    assert "REFERRAL-STEPS-2208" not in text
    assert "response_working_days" not in text
    assert "local_notes" not in text
    assert "referral_method" not in text


def test_no_family_referral_or_user_appears(api):
    referral = ReferralFactory(
        family__name="Ashworth-Quill", reason="REASON-5521 low mood after the birth"
    )
    text = _every_body(api)
    assert referral.service.name in text  # the directory is there ...
    for private in (
        "Ashworth-Quill",
        "REASON-5521",
        referral.family.postcode,
        referral.family.address_line_1,
        referral.family.team.name,
    ):
        assert private not in text  # ... and nothing of the family or referral
    for username in User.objects.values_list("username", flat=True):
        assert f'"{username}"' not in text


# --- Statuses ---------------------------------------------------------------------------------


def test_retired_services_and_those_of_retired_organisations_are_inactive(api):
    ServiceFactory(name="A retired", status=Service.Status.DEFUNCT)
    ServiceFactory(name="B of a retired organisation", organization__retired_at=timezone.now())
    ServiceFactory(name="C closed for now", status=Service.Status.TEMPORARILY_CLOSED)
    ServiceFactory(name="D active")
    listed = {s["name"]: s["status"] for s in api.get("/api/oruk/services").json()["contents"]}
    assert listed == {
        "A retired": "inactive",
        "B of a retired organisation": "inactive",
        "C closed for now": "temporarily closed",
        "D active": "active",
    }
    retired = Service.objects.get(name="A retired")
    assert api.get(f"/api/oruk/services/{retired.uid}").json()["status"] == "inactive"


# --- The whole service, and what the importer reads back --------------------------------------


def test_a_whole_service_reads_back_as_the_same_service(api):
    authority = LocalAuthorityFactory(code="E08000035", name="Leeds")
    service = ServiceFactory(
        name="Little Steps",
        phone="0113 496 0101",
        url="https://little-steps.example.org",
        minimum_age_months=3,
        maximum_age_months=18,
        schedule_description="Tuesdays 10am to 12pm",
        fees_description="Free",
        eligibility_description="Parents of babies in Leeds",
        terms=["perinatal-mental-health"],
        districts=["LS6"],
        national=True,
    )
    ServiceArea.objects.create(
        service=service,
        name=authority.name,
        extent_type=ServiceArea.ExtentType.LOCAL_AUTHORITY,
        extent=authority.code,
        local_authority=authority,
    )
    place(service, "Riverside Hub", postal_code="LS6 2AB")
    record = api.get(f"/api/oruk/services/{service.uid}").json()
    assert record["minimum_age"] == 0.25
    assert record["maximum_age"] == 1.5
    assert record["organization"]["id"] == str(service.organization.uid)
    assert record["contacts"][0]["phones"][0]["number"] == "0113 496 0101"
    assert [a["taxonomy_term"]["name"] for a in record["attributes"]] == ["Perinatal mental health"]
    assert "languages" not in record  # none known: left out, not sent empty
    read = read_service(json.loads(json.dumps(record)))
    assert read.problems == []
    assert read.source_id == str(service.uid)
    for field in (
        "description",
        "url",
        "email",
        "phone",
        "status",
        "minimum_age_months",
        "maximum_age_months",
        "eligibility_description",
        "fees_description",
        "schedule_description",
        "assured_date",
    ):
        assert read.fields[field] == getattr(service, field), field
    assert sorted((a.extent_type, a.extent) for a in read.areas) == [
        ("local_authority", "E08000035"),
        ("national", ""),
        ("postcode_district", "LS6"),
    ]
    assert [loc.postal_code for loc in read.locations] == ["LS6 2AB"]
    assert [t.source_id for t in read.terms] == [
        str(TaxonomyTerm.objects.get(code="perinatal-mental-health").uid)
    ]
    assert read.organization.name == service.organization.name


def test_ages_in_months_are_published_in_years_that_read_back_to_the_same_months():
    from referrals.oruk.publish import years
    from referrals.oruk.reading import _age_months

    for months in range(0, 240):
        assert _age_months(years(months), "age", []) == months


# --- Not found --------------------------------------------------------------------------------


@pytest.mark.parametrize("listing", LISTS)
@pytest.mark.parametrize("uid", ["7d4f6a1e-5a34-4b0e-9c57-8a1c0f2b3d4e", "not-a-uuid", "1", "%00"])
def test_an_unknown_or_malformed_id_is_a_json_404(api, listing, uid):
    ServiceFactory()
    response = api.get(f"/api/oruk/{listing}/{uid}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == 404
    assert response["Access-Control-Allow-Origin"] == "*"


# --- Filters and paging -----------------------------------------------------------------------


def test_pages_are_numbered_from_one_and_per_page_is_capped(api):
    for n in range(7):
        ServiceFactory(name=f"Service {n}")
    body = api.get("/api/oruk/services?per_page=3&page=3").json()
    assert (body["total_items"], body["total_pages"], body["page_number"]) == (7, 3, 3)
    assert (body["size"], body["first_page"], body["last_page"]) == (1, False, True)
    assert [s["name"] for s in body["contents"]] == ["Service 6"]
    assert api.get("/api/oruk/services?per_page=1000").json()["size"] == 7
    beyond = api.get("/api/oruk/services?page=9").json()
    assert (beyond["empty"], beyond["contents"]) == (True, [])


def test_per_page_is_at_most_a_hundred(api):
    organization = OrganizationFactory()
    Service.objects.bulk_create(
        Service(
            organization=organization, name=f"S{n:03}", description="x", accepts_referrals=False
        )
        for n in range(105)
    )
    body = api.get("/api/oruk/services?per_page=500").json()
    assert (body["size"], body["total_pages"]) == (100, 2)
    assert api.get("/api/oruk/services").json()["size"] == 50


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=-1",
        "page=two",
        "per_page=0",
        "per_page=1.5",
        "minimum_age=old",
        "maximum_age=-2",
        "minimum_age=5&maximum_age=2",
        "modified_after=yesterday",
        "modified_after=2025-13-40",
        "postcode=NOT A POSTCODE",
        "taxonomy_term_id=nope",
        "taxonomy_id=nope",
    ],
)
def test_a_bad_query_is_a_json_400_saying_why(api, query):
    response = api.get(f"/api/oruk/services?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400
    assert body["message"]
    assert api.get(f"/api/oruk/service_at_locations?{query}").status_code == 400


def test_text_finds_services_by_name_or_description(api):
    ServiceFactory(name="Baby massage", description="Gentle touch.")
    ServiceFactory(name="Toddler group", description="Includes MASSAGE for babies.")
    ServiceFactory(name="Debt advice", description="Money.")
    assert _names(api.get("/api/oruk/services?text=massage")) == ["Baby massage", "Toddler group"]
    assert _names(api.get("/api/oruk/services?search=debt")) == ["Debt advice"]


def test_taxonomy_filters_find_services_with_the_term_or_its_taxonomy(api):
    ServiceFactory(name="Perinatal", terms=["perinatal-mental-health"])
    ServiceFactory(name="Feeding", terms=["infant-feeding"])
    term = TaxonomyTerm.objects.get(code="perinatal-mental-health")
    assert _names(api.get(f"/api/oruk/services?taxonomy_term_id={term.uid}")) == ["Perinatal"]
    assert _names(api.get(f"/api/oruk/services?taxonomy_term_id={uuid.uuid4()}")) == []
    taxonomy = api.get(f"/api/oruk/taxonomy_terms/{term.uid}").json()["taxonomy_id"]
    assert _names(api.get(f"/api/oruk/services?taxonomy_id={taxonomy}")) == [
        "Feeding",
        "Perinatal",
    ]


def test_modified_after_finds_services_changed_since(api):
    old = ServiceFactory(name="Old")
    ServiceFactory(name="New")
    Service.objects.filter(pk=old.pk).update(
        last_modified=timezone.now() - datetime.timedelta(days=30)
    )
    since = (timezone.now() - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert _names(api.get(f"/api/oruk/services?modified_after={since}")) == ["New"]
    assert _names(api.get("/api/oruk/services?modified_after=2000-01-01")) == ["New", "Old"]


def test_ages_find_services_whose_age_range_overlaps(api):
    ServiceFactory(name="Pregnancy to 1", minimum_age_months=0, maximum_age_months=12)
    ServiceFactory(name="2 to 5", minimum_age_months=24, maximum_age_months=60)
    ServiceFactory(name="Any age", minimum_age_months=None, maximum_age_months=None)
    assert _names(api.get("/api/oruk/services?minimum_age=3")) == ["2 to 5", "Any age"]
    assert _names(api.get("/api/oruk/services?maximum_age=0.5")) == ["Any age", "Pregnancy to 1"]
    assert _names(api.get("/api/oruk/services?minimum_age=1.5&maximum_age=1.9")) == ["Any age"]
    assert _names(api.get("/api/oruk/services?minimum_age=1&maximum_age=2")) == [
        "2 to 5",
        "Any age",
        "Pregnancy to 1",
    ]


def test_postcode_finds_services_covering_its_district(api):
    LocalAuthorityFactory(code="E08000099", postcode_districts=["HX1", "HX2"])
    ServiceFactory(name="In LS6", districts=["LS6"])
    ServiceFactory(name="In HX1", districts=["HX1"])
    ServiceFactory(name="England", districts=[], national=True)
    across = ServiceFactory(name="Across the authority", districts=[])
    ServiceArea.objects.create(
        service=across,
        name="Test",
        extent_type=ServiceArea.ExtentType.LOCAL_AUTHORITY,
        local_authority=LocalAuthority.objects.get(code="E08000099"),
    )
    assert _names(api.get("/api/oruk/services?postcode=ls6+2ab")) == ["England", "In LS6"]
    assert _names(api.get("/api/oruk/services?postcode=HX2")) == [
        "Across the authority",
        "England",
    ]


def test_service_at_locations_take_the_same_filters(api):
    place(ServiceFactory(name="Massage", districts=["LS6"]), "Hub")
    place(ServiceFactory(name="Debt", districts=["LS7"]), "Library")
    body = api.get("/api/oruk/service_at_locations?text=massage&postcode=LS6").json()
    assert [(i["service"]["name"], i["location"]["name"]) for i in body["contents"]] == [
        ("Massage", "Hub")
    ]


# --- Caching ----------------------------------------------------------------------------------


def test_an_unchanged_answer_is_not_sent_again(api):
    service = ServiceFactory()
    first = api.get("/api/oruk/services")
    assert first["ETag"].startswith('"')
    assert first["Last-Modified"] == http_date(int(service.last_modified.timestamp()))
    again = api.get("/api/oruk/services", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["Access-Control-Allow-Origin"] == "*"
    since = api.get("/api/oruk/services", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    # A change gives a new ETag, and the old one gets the whole answer again.
    service.name = "Renamed"
    service.save()
    changed = api.get("/api/oruk/services", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


@pytest.mark.parametrize("path", ["", "openapi.json", "organizations", "taxonomy_terms"])
def test_every_endpoint_carries_an_etag_and_a_public_cache(api, path):
    ServiceFactory()
    response = api.get(f"/api/oruk/{path}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    assert api.get(f"/api/oruk/{path}", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_the_content_security_policy_leaves_json_alone(api):
    response = api.get("/api/oruk/services")
    assert response["Content-Type"] == "application/json"
    assert "no-store" not in response["Cache-Control"]
    response.json()


# --- Queries ----------------------------------------------------------------------------------


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def _busy_service(locations: int) -> Service:
    service = ServiceFactory(
        terms=["perinatal-mental-health", "infant-feeding"], districts=["LS1", "LS2"]
    )
    for n in range(locations):
        place(service, f"Place {n}")
    return service


def test_services_take_as_many_queries_for_fifty_as_for_five(api):
    for _ in range(50):
        _busy_service(1)
    assert _queries(api, "/api/oruk/services?per_page=5") == _queries(
        api, "/api/oruk/services?per_page=50"
    )
    assert _queries(api, "/api/oruk/service_at_locations?per_page=5") == _queries(
        api, "/api/oruk/service_at_locations?per_page=50"
    )


def test_a_service_takes_as_many_queries_with_many_locations_as_with_one(api):
    one, many = _busy_service(1), _busy_service(12)
    assert _queries(api, f"/api/oruk/services/{one.uid}") == _queries(
        api, f"/api/oruk/services/{many.uid}"
    )
    one_at = one.service_at_locations.get()
    many_at = many.service_at_locations.first()
    assert _queries(api, f"/api/oruk/service_at_locations/{one_at.uid}") == _queries(
        api, f"/api/oruk/service_at_locations/{many_at.uid}"
    )


def test_organisations_take_as_many_queries_for_fifty_as_for_five(api):
    small = OrganizationFactory()
    ServiceFactory(organization=small)
    big = OrganizationFactory()
    for _ in range(50):
        ServiceFactory(organization=big)
    for _ in range(50):
        OrganizationFactory()
    assert _queries(api, "/api/oruk/organizations?per_page=5") == _queries(
        api, "/api/oruk/organizations?per_page=50"
    )
    assert _queries(api, f"/api/oruk/organizations/{small.uid}") == _queries(
        api, f"/api/oruk/organizations/{big.uid}"
    )
    assert Organization.objects.count() == 52
