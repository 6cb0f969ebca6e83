"""Publishing the directory as Open Referral UK 3.0: directory records in, plain dicts out.

Pure mapping: no queries of its own (the API fetches and prefetches; see ``api.py``). Only the
directory's public fields are written: never a service's local notes, its interventions and
their evidence, how it takes referrals from our staff (method, expected response time, who may
be referred, its referral instructions) or the concern categories a term is mapped to. Optional
fields are left out rather than sent empty; the fields the standard requires are always there.
``eligibility_description`` is published although the UK profile leaves it out of HSDS: the
standard allows more fields, and readers of HSDS (ours among them) use it.

What is written is what ``reading.py`` reads back: ages in years, opening times as a schedule's
description, the cost as ``fees`` and a cost option's ``amount_description``, the phone number
on the service's one contact (where the UK profile keeps phones), and service areas in our
three kinds (``national``, a ``postcode_district`` or a ``local_authority`` by its GSS code).

Records the standard needs an id for and we keep no row of (a schedule, a contact, an address,
a taxonomy) get a UUID derived from the record they belong to, so it is the same on every call.
"""

import datetime
import uuid
from decimal import Decimal
from typing import Any

from referrals.models import (
    Location,
    Organization,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)

#: The profile of the standard this API follows.
VERSION = "HSDS-UK-3.0"
PROFILE_URL = "https://openreferraluk.org/specifications/3.0"

#: The namespace of a taxonomy's id: a taxonomy is a vocabulary's name here, not a row.
TAXONOMY_NAMESPACE = uuid.UUID("6d1c5f3e-93a0-4c0f-9a0e-7a3f2b8c4e21")


def _derived(owner: uuid.UUID, part: str) -> str:
    return str(uuid.uuid5(owner, part))


def _some(record: dict[str, Any]) -> dict[str, Any]:
    """The record without its empty optional values (``None``, ``""`` and empty lists)."""
    return {key: value for key, value in record.items() if value not in (None, "", [])}


def _timestamp(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).isoformat(timespec="milliseconds")


def years(months: int | None) -> int | float | None:
    """An age in months as years: whole years as a whole number, otherwise to two places
    (close enough that reading it back as months gives the same number of months)."""
    if months is None:
        return None
    if months % 12 == 0:
        return months // 12
    return round(months / 12, 2)


def published_status(service: Service) -> str:
    """The service's status for the feed: a retired service, or one whose organisation is
    retired, is ``inactive``."""
    if service.status == Service.Status.DEFUNCT or service.organization.retired_at is not None:
        return Service.Status.INACTIVE
    return service.status


def taxonomy_id(vocabulary: str) -> str:
    """The stable id of the taxonomy (vocabulary) a term belongs to."""
    return str(uuid.uuid5(TAXONOMY_NAMESPACE, vocabulary))


def organization_item(organization: Organization) -> dict[str, Any]:
    """An organisation's own fields (``organization_list``)."""
    return {
        "id": str(organization.uid),
        "name": organization.name,
        # Required by the standard, even when we hold none.
        "description": organization.description,
        **_some({"email": organization.email, "website": organization.website}),
    }


def organization_full(organization: Organization, services: list[Service]) -> dict[str, Any]:
    """An organisation with its services' own fields (``organization``)."""
    return {
        **organization_item(organization),
        **_some({"services": [service_item(service) for service in services]}),
    }


def service_item(service: Service) -> dict[str, Any]:
    """A service's one-to-one fields and its organisation (``service_list``)."""
    return {
        "id": str(service.uid),
        "name": service.name,
        "status": published_status(service),
        **_some(
            {
                "organization_id": str(service.organization.uid),
                "description": service.description,
                "url": service.url,
                "email": service.email,
                "fees": service.fees_description,
                "minimum_age": years(service.minimum_age_months),
                "maximum_age": years(service.maximum_age_months),
                "eligibility_description": service.eligibility_description,
                "assured_date": service.assured_date.isoformat() if service.assured_date else None,
                "assurer_email": service.assurer_email,
                "last_modified": _timestamp(service.last_modified),
            }
        ),
        "organization": organization_item(service.organization),
    }


def _coordinate(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def location_full(location: Location) -> dict[str, Any]:
    """A location with its one address, when it has one (``location``)."""
    address_fields = (location.address_1, location.city, location.postal_code)
    addresses = []
    if any(address_fields):
        addresses.append(
            {
                "id": _derived(location.uid, "address"),
                "location_id": str(location.uid),
                # All required by the standard's address, blank or not.
                "address_1": location.address_1,
                "city": location.city,
                "state_province": location.state_province,
                "postal_code": location.postal_code,
                "country": location.country,
                "address_type": "postal"
                if location.location_type == Location.LocationType.POSTAL
                else "physical",
            }
        )
    return {
        "id": str(location.uid),
        "location_type": location.location_type,
        **_some(
            {
                "name": location.name,
                "description": location.description,
                "latitude": _coordinate(location.latitude),
                "longitude": _coordinate(location.longitude),
                "addresses": addresses,
            }
        ),
    }


def service_at_location_item(at_location: ServiceAtLocation) -> dict[str, Any]:
    """A service at a location, with the location (as nested in a service)."""
    return {
        "id": str(at_location.uid),
        "service_id": str(at_location.service.uid),
        "location_id": str(at_location.location.uid),
        "location": location_full(at_location.location),
    }


def service_at_location_listed(at_location: ServiceAtLocation) -> dict[str, Any]:
    """A service at a location with the service's own fields (``service_at_location_list``)."""
    return {**service_at_location_item(at_location), "service": service_item(at_location.service)}


def service_at_location_full(at_location: ServiceAtLocation) -> dict[str, Any]:
    """A service at a location with the whole service (``service_at_location``)."""
    return {
        **service_at_location_item(at_location),
        "service": service_full(at_location.service),
    }


def taxonomy_term_full(term: TaxonomyTerm) -> dict[str, Any]:
    """A category of service (``taxonomy_term``)."""
    return {
        "id": str(term.uid),
        "name": term.name,
        # Required by the standard, even when we hold none.
        "description": term.description,
        "taxonomy": term.vocabulary,
        "taxonomy_id": taxonomy_id(term.vocabulary),
    }


def taxonomy_full(vocabulary: str, terms: list[TaxonomyTerm] | None = None) -> dict[str, Any]:
    """A taxonomy: the vocabulary a set of terms belongs to, with its terms when given."""
    record: dict[str, Any] = {
        "id": taxonomy_id(vocabulary),
        "name": vocabulary,
        "description": f"The {vocabulary} categories of service.",
    }
    if terms:
        record["taxonomy_terms"] = [taxonomy_term_full(term) for term in terms]
    return record


def service_area_full(area: ServiceArea, service: Service) -> dict[str, Any]:
    """Where a service takes families from, in the kinds ``reading.py`` reads back."""
    if area.extent_type == ServiceArea.ExtentType.LOCAL_AUTHORITY and area.local_authority:
        extent = area.local_authority.code
    elif area.extent_type == ServiceArea.ExtentType.NATIONAL:
        extent = ""
    else:
        extent = area.extent
    return {
        "id": str(area.uid),
        "service_id": str(service.uid),
        "extent_type": area.extent_type,
        **_some({"name": area.name, "extent": extent}),
    }


def _attribute(service: Service, term: TaxonomyTerm) -> dict[str, Any]:
    return {
        "id": _derived(service.uid, f"attribute:{term.uid}"),
        "link_id": str(service.uid),
        "link_type": "service",
        "taxonomy_term_id": str(term.uid),
        "taxonomy_term": taxonomy_term_full(term),
    }


def service_full(service: Service) -> dict[str, Any]:
    """The whole service (``service``): its fields, organisation, locations, contact and phone,
    opening times, cost, areas and categories.

    Expects ``service_at_locations`` (with ``location``), ``service_areas`` (with
    ``local_authority``) and ``taxonomy_terms`` prefetched.
    """
    uid = str(service.uid)
    phone = {"id": _derived(service.uid, "phone"), "number": service.phone}
    contact_id = _derived(service.uid, "contact")
    related: dict[str, Any] = {
        "service_at_locations": [
            service_at_location_item(at_location)
            for at_location in service.service_at_locations.all()
        ],
        "service_areas": [service_area_full(area, service) for area in service.service_areas.all()],
        "attributes": [_attribute(service, term) for term in service.taxonomy_terms.all()],
        "schedules": [
            {
                "id": _derived(service.uid, "schedule"),
                "service_id": uid,
                "description": service.schedule_description,
            }
        ]
        if service.schedule_description
        else [],
        "cost_options": [
            {
                "id": _derived(service.uid, "cost"),
                "service_id": uid,
                "amount_description": service.fees_description,
            }
        ]
        if service.fees_description
        else [],
        "contacts": [
            {
                "id": contact_id,
                "service_id": uid,
                "phones": [{**phone, "contact_id": contact_id}],
            }
        ]
        if service.phone
        else [],
    }
    return {**service_item(service), **_some(related)}
