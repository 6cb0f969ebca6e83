"""Helpers for the tests of the published API: the standard's schemas and a fuller directory."""

import json
from functools import cache
from pathlib import Path

from django.conf import settings
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from referrals.models import Location, Service, ServiceAtLocation

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "oruk"
OPENAPI = Path(settings.BASE_DIR) / "referrals" / "oruk" / "standard" / "openapi.json"

PAGE_KEYS = {
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
    "contents",
}


def _load(path: Path) -> dict:
    return json.loads(path.read_text())


@cache
def _registry() -> Registry:
    term = Resource.from_contents(
        _load(FIXTURES / "taxonomy_term.json"), default_specification=DRAFT202012
    )
    return Registry().with_resource("taxonomy_term.json", term)


@cache
def validator(name: str) -> Draft202012Validator:
    """A validator for one of the vendored schemas, checking formats (uuid, email, date-time)."""
    return Draft202012Validator(
        _load(FIXTURES / f"{name}.json"), registry=_registry(), format_checker=FormatChecker()
    )


@cache
def page_validator() -> Draft202012Validator:
    """The ``Page`` envelope of the OpenAPI document, with every key required."""
    page = dict(_load(OPENAPI)["components"]["schemas"]["Page"])
    page["required"] = sorted(PAGE_KEYS - {"contents"})
    return Draft202012Validator(page, format_checker=FormatChecker())


def errors(schema: str, record: dict) -> list[str]:
    """Why ``record`` does not meet ``schema``, one line each (none when it does)."""
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator(schema).iter_errors(record)
    ]


def page_errors(body: dict, item_schema: str) -> list[str]:
    """Why a list endpoint's answer is not a ``Page`` of ``item_schema`` records."""
    found = [error.message for error in page_validator().iter_errors(body)]
    if set(body) != PAGE_KEYS:
        found.append(f"keys {sorted(body)}")
    if not isinstance(body.get("contents"), list):
        return [*found, "contents is not a list"]
    if body["size"] != len(body["contents"]) or body["empty"] != (not body["contents"]):
        found.append("size or empty does not agree with contents")
    for index, item in enumerate(body["contents"]):
        found += [f"contents/{index}/{line}" for line in errors(item_schema, item)]
    return found


def place(service: Service, name: str, **fields) -> ServiceAtLocation:
    """Offer ``service`` at a new location called ``name``."""
    location = Location.objects.create(
        name=name,
        address_1=fields.pop("address_1", "1 Invented Street"),
        city=fields.pop("city", "Leeds"),
        postal_code=fields.pop("postal_code", "LS6 1AA"),
        **fields,
    )
    return ServiceAtLocation.objects.create(service=service, location=location)
