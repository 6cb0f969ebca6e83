"""Contacts and step 1: ``Encounter`` (with its ``Location``), each consent decision as a
``Consent``, and the parent's answers as a ``QuestionnaireResponse`` to our own conversation
``Questionnaire``."""

from typing import Any

from . import ids, systems
from .mapping_common import (
    Resources,
    coding,
    concept,
    local_coding,
    local_identifier,
    when,
    without_empty,
)
from .questionnaires import conversation_questionnaire

#: The encounter class of each place (v3 ActCode): a home visit, a clinic, a call or video, or
#: somewhere else in the community.
ENCOUNTER_CLASS = {
    "home": ("HH", "home health"),
    "clinic": ("AMB", "ambulatory"),
    "virtual": ("VR", "virtual"),
    "other": ("FLD", "field"),
}
HEALTH_VISITING_SERVICE = ("1078501000000104", "Health visiting service")
PRIMARY_PERFORMER = ("PPRF", "primary performer")
PARTICIPANT_TYPE = "http://terminology.hl7.org/CodeSystem/participant-type"
PATIENTS_RESIDENCE = ("PTRES", "Patient's Residence")

CONSENT_STATUS = {
    "given": "active",
    "declined": "rejected",
    "deferred": "proposed",
    "withdrawn": "inactive",
}
CONSENT_PROVISION = {"given": "permit", "declined": "deny", "withdrawn": "deny"}
PATIENT_CONSENT = "59284-0"


def _location(resources: Resources, place: str, label: str) -> dict | None:
    family = resources.record.family
    location: dict[str, Any]
    if place == "virtual":
        return None
    if place == "home":
        location = {
            "resourceType": "Location",
            "id": ids.resource_id("family-home", family.pk),
            "meta": {"profile": [systems.profile("Location")]},
            "status": "active",
            "mode": "instance",
            "name": "The family's home",
            "type": [concept(coding(systems.V3_ROLE_CODE, *PATIENTS_RESIDENCE))],
            "address": without_empty(
                {
                    "use": "home",
                    "line": [
                        line for line in (family.address_line_1, family.address_line_2) if line
                    ],
                    "city": family.town,
                    "postalCode": family.postcode,
                }
            ),
        }
    else:
        location = {
            "resourceType": "Location",
            "id": ids.resource_id("place", place),
            "meta": {"profile": [systems.profile("Location")]},
            "status": "active",
            "mode": "kind",
            "name": label,
            "type": [concept(local_coding("contact-place", place, label))],
        }
    return ids.reference(resources.add(without_empty(location))["id"], location["name"])


def _encounter(resources: Resources, contact) -> dict:
    class_code, class_display = ENCOUNTER_CLASS[contact.place]
    participants = [
        {
            "type": [concept(coding(systems.V3_PARTICIPATION_TYPE, *PRIMARY_PERFORMER))],
            "individual": resources.practitioner(contact.recorded_by),
        }
    ]
    if contact.interpreter_used:
        participants.append(
            {"type": [concept(coding(PARTICIPANT_TYPE, "translator", "Translator"))]}
        )
    location = _location(resources, contact.place, contact.get_place_display())
    return without_empty(
        {
            "resourceType": "Encounter",
            "id": ids.resource_id("contact", contact.pk),
            "meta": {"profile": [systems.profile("Encounter")]},
            "identifier": local_identifier("contact", contact.pk),
            "status": "finished",
            "class": coding(systems.V3_ACT_CODE, class_code, class_display),
            "type": [
                concept(
                    local_coding(
                        "contact-type", contact.contact_type, contact.get_contact_type_display()
                    )
                )
            ],
            "serviceType": concept(coding(systems.SNOMED, *HEALTH_VISITING_SERVICE)),
            "subject": resources.subject(),
            "participant": participants,
            "period": {"start": when(contact.contact_date), "end": when(contact.contact_date)},
            "location": [{"location": location}] if location else [],
            "serviceProvider": resources.team(),
        }
    )


def _consent(resources: Resources, decision) -> dict:
    performers = [
        resources.caregiver_refs[participant.caregiver_id]
        for participant in decision.participants.all()
        if participant.caregiver_id in resources.caregiver_refs
    ]
    provision = CONSENT_PROVISION.get(decision.decision)
    return without_empty(
        {
            "resourceType": "Consent",
            "id": ids.resource_id("consent-decision", decision.pk),
            "meta": {"profile": [systems.profile("Consent")]},
            "identifier": local_identifier("consent-decision", decision.pk),
            "status": CONSENT_STATUS[decision.decision],
            "scope": concept(coding(systems.CONSENT_SCOPE, "treatment", "Treatment")),
            "category": [
                concept(coding(systems.LOINC, PATIENT_CONSENT)),
                concept(
                    local_coding(
                        "consent-category",
                        "relationship-conversation",
                        "Talking about the parent's relationship with their baby",
                    )
                ),
            ],
            "patient": resources.anchor(),
            "dateTime": when(decision.recorded_at),
            "performer": performers,
            "organization": [resources.team()],
            "policy": [{"uri": systems.local("policy/relationship-conversation")}],
            "provision": {"type": provision} if provision else None,
            "extension": [
                {
                    "url": systems.local("StructureDefinition/consent-decision"),
                    "valueCoding": local_coding(
                        "consent-decision", decision.decision, decision.get_decision_display()
                    ),
                },
                {
                    "url": systems.local("StructureDefinition/recorded-by"),
                    "valueReference": resources.practitioner(decision.recorded_by),
                },
            ],
        }
    )


def _answer(link_id: str, value, kind: str) -> dict | None:
    if value in (None, "", False):
        return None
    return {"linkId": link_id, "answer": [{kind: value}]}


def _conversation_response(resources: Resources, conversation) -> dict:
    items = [
        _answer("word-1", conversation.word_1, "valueString"),
        _answer("word-2", conversation.word_2, "valueString"),
        _answer("word-3", conversation.word_3, "valueString"),
        _answer("words-declined", conversation.words_declined, "valueBoolean"),
        _answer("joy", conversation.joy, "valueString"),
        _answer("joy-declined", conversation.joy_declined, "valueBoolean"),
        _answer("fear", conversation.fear, "valueString"),
        _answer("fear-declined", conversation.fear_declined, "valueBoolean"),
        _answer("reflection", conversation.reflection, "valueString"),
    ]
    if conversation.raised_concern is not None:
        items.append(
            {"linkId": "raised-concern", "answer": [{"valueBoolean": conversation.raised_concern}]}
        )
    if conversation.completed_at is not None:
        status = "completed"
    elif conversation.consent_status == "withdrawn":
        status = "stopped"
    else:
        status = "in-progress"
    return without_empty(
        {
            "resourceType": "QuestionnaireResponse",
            "id": ids.resource_id("conversation", conversation.pk),
            "meta": {"profile": [systems.profile("QuestionnaireResponse")]},
            "identifier": local_identifier("conversation", conversation.pk)[0],
            "questionnaire": systems.conversation_questionnaire_url(),
            "status": status,
            "subject": resources.subject(),
            "encounter": resources.encounter(conversation.contact_id),
            "authored": when(conversation.completed_at or conversation.created_at),
            "author": resources.practitioner(conversation.started_by),
            "item": [item for item in items if item],
        }
    )


def visit_resources(resources: Resources) -> None:
    record = resources.record
    for contact in record.contacts:
        resources.encounters[contact.pk] = resources.add(_encounter(resources, contact))
    for decision in record.consent_decisions:
        resources.add(_consent(resources, decision))
    answered = [
        conversation
        for conversation in record.conversations
        if conversation.consent_status in ("given", "withdrawn")
    ]
    if answered:
        resources.add(conversation_questionnaire())
    for conversation in answered:
        resources.add(_conversation_response(resources, conversation))
