"""Every endpoint of the published API answers as the ORUK 3.0 schemas say, walked the way the
validator walks a feed: each list, then each record it names. On the demo directory (with
locations added, which the demo has none of) and on an empty one."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from referrals.models import Location, Service, TaxonomyTerm

from .publishing import errors, page_errors, place

pytestmark = pytest.mark.django_db

#: list endpoint -> (schema of each item, detail endpoint, schema of a detail).
ENDPOINTS = {
    "services": ("service_list", "services", "service"),
    "organizations": ("organization_list", "organizations", "organization"),
    "service_at_locations": (
        "service_at_location_list",
        "service_at_locations",
        "service_at_location",
    ),
    "taxonomies": ("taxonomy", "taxonomies", "taxonomy"),
    "taxonomy_terms": ("taxonomy_term", "taxonomy_terms", "taxonomy_term"),
}


def _get(client: Client, path: str) -> dict:
    response = client.get(f"/api/oruk/{path}")
    assert response.status_code == 200, (path, response.content[:300])
    assert response["Content-Type"] == "application/json"
    return response.json()


def _walk(client: Client) -> dict[str, int]:
    """Check every list page and every record it names; how many records each endpoint had."""
    root = _get(client, "")
    assert set(root) == {"version", "profile", "openapi_url"}
    assert root["openapi_url"].endswith("/api/oruk/openapi.json")
    assert client.get("/api/oruk/openapi.json").json()["info"]["version"] == "3.0"
    seen = {}
    for listing, (item_schema, detail, detail_schema) in ENDPOINTS.items():
        page, ids = 1, []
        while True:
            body = _get(client, f"{listing}?per_page=7&page={page}")
            assert page_errors(body, item_schema) == [], listing
            ids += [item["id"] for item in body["contents"]]
            if body["last_page"]:
                break
            page += 1
        assert len(ids) == len(set(ids)) == body["total_items"], listing
        for uid in ids:
            record = _get(client, f"{detail}/{uid}")
            assert errors(detail_schema, record) == [], (detail, uid)
        seen[listing] = len(ids)
    return seen


def test_the_demo_directory_is_published_as_the_schemas_say(admin_user):
    call_command("seed_demo_directory", stdout=StringIO())
    services = list(Service.objects.order_by("pk"))
    place(services[0], "Riverside Family Hub", latitude="53.8", longitude="-1.55")
    place(services[0], "Online", location_type=Location.LocationType.VIRTUAL, address_1="", city="")
    place(services[1], "Hillcrest Clinic", postal_code="HX1 2AB", city="Halifax")
    seen = _walk(Client())
    assert seen["services"] == len(services) > 10
    assert seen["service_at_locations"] == 3
    assert seen["taxonomy_terms"] == TaxonomyTerm.objects.count() > 0
    assert seen["taxonomies"] >= 1


def test_an_empty_directory_is_published_as_the_schemas_say():
    TaxonomyTerm.objects.all().delete()
    seen = _walk(Client())
    assert set(seen.values()) == {0}
    body = _get(Client(), "services")
    assert body | {"contents": None} == {
        "total_items": 0,
        "total_pages": 1,
        "page_number": 1,
        "size": 0,
        "first_page": True,
        "last_page": True,
        "empty": True,
        "contents": None,
    }


def test_the_schemas_do_refuse_a_record_that_breaks_them():
    # So that the walk above could fail: a wrong id, status and email are each found.
    record = {"id": "not-a-uuid", "name": "x", "status": "open", "email": "nobody"}
    assert len(errors("service", record)) == 3
    assert errors("service", {"id": "7d4f6a1e-5a34-4b0e-9c57-8a1c0f2b3d4e"}) != []
