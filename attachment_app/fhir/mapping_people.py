"""The family, its babies and its carers: ``Group``, ``Patient``, ``RelatedPerson``, and the
expected-delivery ``Observation`` of a baby not yet born."""

from . import ids, systems
from .mapping_common import (
    Resources,
    coding,
    concept,
    local_coding,
    local_identifier,
    telecom,
    when,
    without_empty,
)

#: How NHS number verification is recorded: the number was typed in by the health visitor (from
#: the red book or a letter) and this service never traces it with PDS.
NOT_TRACED = ("02", "Number present but not traced")

GENDER = {"female": "female", "male": "male", "indeterminate": "other", "not_known": "unknown"}

#: A carer's relationship to the baby as a v3 RoleCode, where one means exactly that; our own
#: code system carries every relationship.
ROLE_CODE = {
    "mother": ("MTH", "mother"),
    "father": ("FTH", "father"),
    "grandparent": ("GRPRN", "grandparent"),
}

EXPECTED_DELIVERY = ("11778-8", "Delivery date Estimated")
INTERPRETER_NEEDED = "StructureDefinition/interpreter-needed"
#: The FHIR core extension for a Patient's need of an interpreter.
PATIENT_INTERPRETER_REQUIRED = "http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired"


def nhs_number_identifier(nhs_number: str) -> dict:
    """A UK Core NHS number identifier, with its verification status."""
    code, display = NOT_TRACED
    return {
        "extension": [
            {
                "url": systems.NHS_NUMBER_VERIFICATION_EXTENSION,
                "valueCodeableConcept": concept(
                    coding(systems.NHS_NUMBER_VERIFICATION_SYSTEM, code, display)
                ),
            }
        ],
        "system": systems.NHS_NUMBER,
        "value": nhs_number,
    }


def _address(family) -> list[dict]:
    lines = [line for line in (family.address_line_1, family.address_line_2) if line]
    address = without_empty(
        {
            "use": "home",
            "line": lines,
            "city": family.town,
            "postalCode": family.postcode,
            "country": "GB",
        }
    )
    return [address]


def _language(caregiver) -> list[dict]:
    if not caregiver.preferred_language:
        return []
    return [{"language": {"text": caregiver.preferred_language}, "preferred": True}]


def _baby_patient(resources: Resources, baby) -> dict:
    family = resources.record.family
    return without_empty(
        {
            "resourceType": "Patient",
            "id": ids.resource_id("baby", baby.pk),
            "meta": {"profile": [systems.profile("Patient")]},
            "identifier": (
                ([nhs_number_identifier(baby.nhs_number)] if baby.nhs_number else [])
                + local_identifier("baby", baby.pk)
            ),
            "active": True,
            "name": [{"use": "usual", "text": baby.name}] if baby.name else [],
            "gender": GENDER.get(baby.sex, "unknown"),
            "birthDate": when(baby.date_of_birth),
            "address": _address(family),
            "managingOrganization": resources.team(),
        }
    )


def _mother_patient(resources: Resources, caregiver) -> dict:
    """The mother's (or first carer's) own record, for a family with no baby born yet."""
    return without_empty(
        {
            "resourceType": "Patient",
            "id": ids.resource_id("caregiver", caregiver.pk),
            "meta": {"profile": [systems.profile("Patient")]},
            "extension": [
                {"url": PATIENT_INTERPRETER_REQUIRED, "valueBoolean": caregiver.interpreter_needed}
            ],
            "identifier": local_identifier("caregiver", caregiver.pk),
            "active": True,
            "name": [{"use": "usual", "text": caregiver.name}],
            "gender": "female" if caregiver.relationship == "mother" else None,
            **telecom(phone=caregiver.phone, email=caregiver.email),
            "address": _address(resources.record.family),
            "communication": _language(caregiver),
            "managingOrganization": resources.team(),
        }
    )


def _relationship(caregiver, *, to_baby: bool) -> list[dict]:
    codings = []
    if to_baby and caregiver.relationship in ROLE_CODE:
        codings.append(coding(systems.V3_ROLE_CODE, *ROLE_CODE[caregiver.relationship]))
    label = caregiver.get_relationship_display()
    codings.append(local_coding("relationship-to-baby", caregiver.relationship, label))
    return [concept(*codings, text=f"{label} of the baby")]


def _related_person(resources: Resources, caregiver, patient: dict, *, to_baby: bool) -> dict:
    return without_empty(
        {
            "resourceType": "RelatedPerson",
            "id": ids.resource_id("caregiver", caregiver.pk, "patient", patient["id"]),
            "meta": {"profile": [systems.profile("RelatedPerson")]},
            "extension": [
                {
                    "url": systems.local(INTERPRETER_NEEDED),
                    "valueBoolean": caregiver.interpreter_needed,
                }
            ],
            "identifier": local_identifier("caregiver", caregiver.pk),
            "active": True,
            "patient": ids.reference(patient["id"]),
            "relationship": _relationship(caregiver, to_baby=to_baby),
            "name": [{"use": "usual", "text": caregiver.name}],
            **telecom(phone=caregiver.phone, email=caregiver.email),
            "communication": _language(caregiver),
        }
    )


def _expected_delivery(resources: Resources, baby) -> dict:
    subject = resources.mother_patient or resources.group
    return {
        "resourceType": "Observation",
        "id": ids.resource_id("baby-expected", baby.pk),
        "meta": {"profile": [systems.profile("Observation")]},
        "identifier": local_identifier("baby", baby.pk),
        "status": "final",
        "code": concept(
            coding(systems.LOINC, *EXPECTED_DELIVERY), text="Expected date of delivery"
        ),
        "subject": ids.reference(subject["id"]),
        "valueDateTime": when(baby.expected_date),
    }


def people_resources(resources: Resources) -> None:
    record = resources.record
    family = record.family
    born = [baby for baby in record.babies if baby.date_of_birth is not None]
    patients = [_baby_patient(resources, baby) for baby in born]
    for patient in patients:
        resources.add(patient)
    mother = None
    if not patients and record.caregivers:
        mother = next(
            (carer for carer in record.caregivers if carer.relationship == "mother"),
            record.caregivers[0],
        )
        resources.mother_patient = resources.add(_mother_patient(resources, mother))
        patients = [resources.mother_patient]
    resources.anchor_patients = patients
    resources.group = resources.add(
        without_empty(
            {
                "resourceType": "Group",
                "id": ids.resource_id("family", family.pk),
                "identifier": local_identifier("family", family.pk),
                "active": True,
                "type": "person",
                "actual": True,
                "code": concept(local_coding("group-kind", "family", "Family"), text="Family"),
                "name": family.name,
                "managingEntity": resources.team(),
                "quantity": len(patients),
                "member": [{"entity": ids.reference(patient["id"])} for patient in patients],
            }
        )
    )
    for caregiver in record.caregivers:
        if mother is not None and caregiver.pk == mother.pk:
            resources.caregiver_refs[caregiver.pk] = ids.reference(patients[0]["id"])
            continue
        for index, patient in enumerate(patients):
            person = resources.add(
                _related_person(resources, caregiver, patient, to_baby=mother is None)
            )
            if index == 0:
                resources.caregiver_refs[caregiver.pk] = ids.reference(person["id"])
    for baby in record.babies:
        if baby.date_of_birth is None and baby.expected_date is not None:
            resources.add(_expected_delivery(resources, baby))
