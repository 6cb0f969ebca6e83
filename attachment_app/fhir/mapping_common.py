"""What the mapping modules share: the resources of one record, and small formatting rules."""

import datetime
from typing import Any

from django.utils import timezone

from . import ids, systems
from .record import FamilyRecord


def when(value: datetime.datetime | datetime.date | None) -> str | None:
    """A FHIR date or dateTime: a date as it is, a moment in UK time to the second."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def coding(system: str, code: str, display: str | None = None) -> dict:
    result = {"system": system, "code": code}
    if display:
        result["display"] = display
    return result


def concept(*codings: dict, text: str | None = None) -> dict:
    result: dict[str, Any] = {"coding": list(codings)} if codings else {}
    if text:
        result["text"] = text
    return result


def local_coding(name: str, code: str, display: str | None = None) -> dict:
    """A code of one of our own code systems (``CodeSystem/<name>``)."""
    return coding(systems.local(f"CodeSystem/{name}"), code, display)


def local_identifier(kind: str, pk: object) -> list[dict]:
    """Our own identifier of a record: a receiving system can match a later export by it."""
    return [{"system": systems.local(f"Id/{kind}"), "value": str(pk)}]


def telecom(*, phone: str = "", email: str = "") -> dict:
    """A ``telecom`` element, or nothing when there is neither a phone number nor an email."""
    points = []
    if phone:
        points.append({"system": "phone", "value": phone})
    if email:
        points.append({"system": "email", "value": email})
    return {"telecom": points} if points else {}


def without_empty(resource: dict) -> dict:
    """The resource without keys whose value is None or empty: FHIR allows no empty element."""
    return {key: value for key, value in resource.items() if value not in (None, "", [], {})}


class Resources:
    """The resources of one record, each once, in the order they were first added."""

    def __init__(self, record: FamilyRecord):
        self.record = record
        self._by_key: dict[tuple[str, str], dict] = {}
        #: Filled by ``people_resources``: the family's Group, the Patients (the anchors carers
        #: relate to) and each carer's resource by the carer's primary key.
        self.group: dict[str, Any] = {}
        self.anchor_patients: list[dict] = []
        self.mother_patient: dict | None = None
        self.caregiver_refs: dict[int, dict] = {}
        self.encounters: dict[int, dict] = {}
        self.result_responses: dict[int, dict] = {}
        self.flags: dict[int, dict] = {}

    def add(self, resource: dict) -> dict:
        key = (resource["resourceType"], resource["id"])
        self._by_key.setdefault(key, resource)
        return self._by_key[key]

    def all(self) -> list[dict]:
        return list(self._by_key.values())

    # --- References shared by every module ------------------------------------------------

    def subject(self) -> dict:
        """The family's Group: the subject of every record about the family."""
        return ids.reference(self.group["id"])

    def team(self) -> dict:
        """The team's Organization, added on first use."""
        team = self.record.team
        resource = self.add(
            {
                "resourceType": "Organization",
                "id": ids.resource_id("team", team.pk),
                "meta": {"profile": [systems.profile("Organization")]},
                "identifier": [{"system": systems.local("Id/team"), "value": str(team.pk)}],
                "active": True,
                "name": team.name,
                **telecom(phone=team.phone, email=team.email),
            }
        )
        return ids.reference(resource["id"], team.name)

    def practitioner(self, user) -> dict | None:
        """A member of staff's Practitioner, added on first use; None for nobody."""
        if user is None:
            return None
        name = user.get_full_name() or user.username
        resource = self.add(
            {
                "resourceType": "Practitioner",
                "id": ids.resource_id("user", user.pk),
                "meta": {"profile": [systems.profile("Practitioner")]},
                "identifier": [{"system": systems.local("Id/staff"), "value": str(user.pk)}],
                "active": bool(user.is_active),
                "name": [{"text": name}],
            }
        )
        return ids.reference(resource["id"], name)

    def encounter(self, contact_id: int | None) -> dict | None:
        """The Encounter of a contact in this record, or None."""
        encounter = self.encounters.get(contact_id) if contact_id else None
        return ids.reference(encounter["id"]) if encounter else None

    def anchor(self) -> dict | None:
        """The Patient a consent is about: the first baby born, else the mother's record."""
        return ids.reference(self.anchor_patients[0]["id"]) if self.anchor_patients else None
