"""Stable resource ids: the same record gives the same id in every export from one deployment.

An id is a name-based UUID (version 5) of the deployment's base URL, the kind of record and its
primary key, so a second export of an unchanged family is identical and a receiving system can
tell an update from a new record. Ids say nothing about the person.
"""

import uuid

from django.conf import settings


def resource_id(kind: str, *keys: object) -> str:
    """The id of the resource for the record ``kind`` with these keys (a primary key, or two)."""
    name = "/".join([settings.FHIR_BASE_URL.rstrip("/"), kind, *(str(key) for key in keys)])
    return str(uuid.uuid5(uuid.NAMESPACE_URL, name))


def full_url(resource_id_: str) -> str:
    """A Bundle entry's fullUrl for a resource id."""
    return f"urn:uuid:{resource_id_}"


def reference(resource_id_: str, display: str | None = None) -> dict:
    """A Reference to a resource inside the same Bundle."""
    ref: dict = {"reference": full_url(resource_id_)}
    if display:
        ref["display"] = display
    return ref
