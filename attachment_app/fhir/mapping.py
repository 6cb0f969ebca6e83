"""A family's record as FHIR R4 resources in UK Core shapes, and as one Bundle. Pure.

Records in (a ``FamilyRecord``, already fetched), plain dicts out: nothing here queries the
database, reads a request or writes anything, so the command, the family page and the bulk
export give the same resources for the same records. How each record maps, and why, is in
ADR 0014; in short:

- the family is a ``Group`` whose members are its babies' ``Patient`` resources, and the
  subject of every record about the family (contacts, results, concerns, referrals …);
- each baby born is a ``Patient``; a baby not yet born is no Patient but an expected-delivery
  ``Observation``; a family with no baby born has its mother (or first carer) as the Patient
  the carers' ``RelatedPerson`` resources belong to;
- ids are stable (``ids.resource_id``) and every reference is a ``urn:uuid:`` inside the Bundle.
"""

from . import ids, systems
from .mapping_common import Resources
from .mapping_people import people_resources
from .mapping_referrals import referral_resources
from .mapping_screening import screening_resources
from .mapping_visits import visit_resources
from .record import FamilyRecord


def family_resources(record: FamilyRecord) -> list[dict]:
    """Every resource of one family's record, each a plain dict with a stable ``id``."""
    resources = Resources(record)
    people_resources(resources)
    visit_resources(resources)
    screening_resources(resources)
    referral_resources(resources)
    return resources.all()


def family_bundle(record: FamilyRecord) -> dict:
    """One family's record as a ``collection`` Bundle whose references all resolve inside it.

    No timestamp: a second export of an unchanged family is the same, byte for byte.
    """
    family = record.family
    return {
        "resourceType": "Bundle",
        "id": ids.resource_id("family-record", family.pk),
        "identifier": {"system": systems.local("Id/family-record"), "value": str(family.pk)},
        "type": "collection",
        "entry": [
            {"fullUrl": ids.full_url(resource["id"]), "resource": resource}
            for resource in family_resources(record)
        ],
    }
