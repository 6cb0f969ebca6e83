"""Step 3: each referral as a ``ServiceRequest`` with a ``Task`` that follows its workflow and a
``Provenance`` for each event of its history; the parent's consent to share as a ``Consent``;
each signpost as a ``Communication`` and each follow-up as a ``Task``; the services they name as
``HealthcareService`` resources with their ``Organization``."""

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

PATIENT_REFERRAL = ("3457005", "Patient referral")

REQUEST_STATUS = {
    "draft": "draft",
    "returned": "draft",
    "submitted": "active",
    "ready": "active",
    "sent": "active",
    "acknowledged": "active",
    "accepted": "active",
    "declined": "revoked",
    "completed": "completed",
    "withdrawn": "revoked",
}
#: The referral's status as the service's task: waiting for our review, ready, asked of the
#: service, received, accepted or refused by it, done or called off.
TASK_STATUS = {
    "draft": "draft",
    "submitted": "on-hold",
    "returned": "on-hold",
    "ready": "ready",
    "sent": "requested",
    "acknowledged": "received",
    "accepted": "accepted",
    "declined": "rejected",
    "completed": "completed",
    "withdrawn": "cancelled",
}
EVENT_ACTIVITY = {
    "created": "CREATE",
    "edited": "UPDATE",
    "transition": "UPDATE",
    "reviewed": "UPDATE",
}


def _service(resources: Resources, service) -> dict:
    """The directory's service (and its organisation), added on first use."""
    organization = service.organization
    provider = resources.add(
        without_empty(
            {
                "resourceType": "Organization",
                "id": ids.resource_id("organization", organization.uid),
                "meta": {"profile": [systems.profile("Organization")]},
                "identifier": [
                    {
                        "system": systems.local("Id/oruk-organization"),
                        "value": str(organization.uid),
                    }
                ],
                "active": organization.retired_at is None,
                "name": organization.name,
                **telecom(email=organization.email),
            }
        )
    )
    healthcare_service = resources.add(
        without_empty(
            {
                "resourceType": "HealthcareService",
                "id": ids.resource_id("service", service.uid),
                "meta": {"profile": [systems.profile("HealthcareService")]},
                "identifier": [
                    {"system": systems.local("Id/oruk-service"), "value": str(service.uid)}
                ],
                "active": service.status == "active",
                "providedBy": ids.reference(provider["id"], organization.name),
                "name": service.name,
                **telecom(phone=service.phone, email=service.email),
            }
        )
    )
    return ids.reference(healthcare_service["id"], service.name)


def _sharing_consent(resources: Resources, referral) -> dict | None:
    if referral.sharing_basis != "consent" or referral.consent_given_by_id is None:
        return None
    performer = resources.caregiver_refs.get(referral.consent_given_by_id)
    return without_empty(
        {
            "resourceType": "Consent",
            "id": ids.resource_id("referral-consent", referral.pk),
            "meta": {"profile": [systems.profile("Consent")]},
            "identifier": local_identifier("referral", referral.pk),
            "status": "active",
            "scope": concept(coding(systems.CONSENT_SCOPE, "patient-privacy", "Privacy Consent")),
            "category": [
                concept(
                    local_coding(
                        "consent-category",
                        "referral-sharing",
                        "Sharing information with the service referred to",
                    )
                )
            ],
            "patient": resources.anchor(),
            "dateTime": when(referral.consent_given_on),
            "performer": [performer] if performer else [],
            "organization": [resources.team()],
            "policy": [{"uri": systems.local("policy/referral-sharing")}],
            "provision": {"type": "permit"},
            "extension": [
                {
                    "url": systems.local("StructureDefinition/consent-method"),
                    "valueCoding": local_coding(
                        "consent-method",
                        referral.consent_method,
                        referral.get_consent_method_display(),
                    ),
                }
            ]
            if referral.consent_method
            else [],
        }
    )


NOTE_PREFIXES = (
    ("information_shared", "Information shared"),
    ("safeguarding_justification", "Shared without consent, for safeguarding"),
    ("eligibility_override_reason", "Referred outside the service's criteria"),
)


def _notes(referral) -> list[dict]:
    """What the health visitor wrote about the referral, each under what it is."""
    return [
        {"text": f"{prefix}: {getattr(referral, field)}"}
        for field, prefix in NOTE_PREFIXES
        if getattr(referral, field)
    ]


def _service_request(resources: Resources, referral, performer: dict, consent) -> dict:
    supporting = [
        ids.reference(resources.flags[concern.pk]["id"])
        for concern in referral.concerns.all()
        if concern.pk in resources.flags
    ]
    supporting += [
        ids.reference(resources.result_responses[result.pk]["id"])
        if result.pk in resources.result_responses
        else {"identifier": local_identifier("screening-result", result.pk)[0]}
        for result in referral.shared_results.all()
    ]
    if consent:
        supporting.append(ids.reference(consent["id"]))
    return without_empty(
        {
            "resourceType": "ServiceRequest",
            "id": ids.resource_id("referral", referral.pk),
            "meta": {"profile": [systems.profile("ServiceRequest")]},
            "identifier": local_identifier("referral", referral.pk),
            "status": REQUEST_STATUS[referral.status],
            "intent": "order",
            "category": [concept(coding(systems.SNOMED, *PATIENT_REFERRAL))],
            "priority": referral.urgency,
            "code": concept(text=f"Referral to {referral.service.name}"),
            "subject": resources.subject(),
            "authoredOn": when(referral.created_at),
            "requester": resources.practitioner(referral.created_by),
            "performer": [performer],
            "reasonCode": [{"text": referral.reason}] if referral.reason else [],
            "supportingInfo": supporting,
            "note": _notes(referral),
        }
    )


def _task(resources: Resources, referral, request: dict, performer: dict) -> dict:
    status_reason = None
    if referral.decline_reason:
        status_reason = concept(
            local_coding(
                "referral-decline-reason",
                referral.decline_reason,
                referral.get_decline_reason_display(),
            )
        )
    output = []
    if referral.outcome:
        output.append(
            {
                "type": concept(text="Outcome"),
                "valueCodeableConcept": concept(
                    local_coding(
                        "referral-outcome", referral.outcome, referral.get_outcome_display()
                    )
                ),
            }
        )
    return without_empty(
        {
            "resourceType": "Task",
            "id": ids.resource_id("referral-task", referral.pk),
            "meta": {"profile": [systems.profile("Task")]},
            "identifier": local_identifier("referral", referral.pk),
            "basedOn": [ids.reference(request["id"])],
            "status": TASK_STATUS[referral.status],
            "statusReason": status_reason,
            "businessStatus": concept(
                local_coding("referral-status", referral.status, referral.get_status_display())
            ),
            "intent": "order",
            "priority": referral.urgency,
            "focus": ids.reference(request["id"]),
            "for": resources.subject(),
            "executionPeriod": without_empty({"start": when(referral.sent_at)}),
            "authoredOn": when(referral.created_at),
            "lastModified": when(referral.status_changed_at),
            "requester": resources.practitioner(referral.created_by),
            "owner": performer,
            "restriction": without_empty(
                {"period": without_empty({"end": when(referral.expected_first_contact_on)})}
            ),
            "output": output,
        }
    )


def _event(resources: Resources, referral, event, task: dict, provider: dict) -> dict:
    who = resources.practitioner(event.actor) if event.actor_id else provider
    return without_empty(
        {
            "resourceType": "Provenance",
            "id": ids.resource_id("referral-event", event.pk),
            "target": [ids.reference(task["id"])],
            "occurredDateTime": when(event.at),
            "recorded": when(event.at),
            "activity": concept(
                coding(systems.V3_DATA_OPERATION, EVENT_ACTIVITY.get(event.kind, "UPDATE")),
                local_coding("referral-event", event.kind, event.get_kind_display()),
            ),
            "agent": [{"who": who}],
            "extension": [
                {
                    "url": systems.local("StructureDefinition/referral-status-change"),
                    "extension": without_empty_items(
                        [
                            ("from", event.from_status),
                            ("to", event.to_status),
                        ]
                    ),
                }
            ],
        }
    )


def without_empty_items(pairs: list[tuple[str, str]]) -> list[dict]:
    return [
        {"url": name, "valueCoding": local_coding("referral-status", value)}
        for name, value in pairs
        if value
    ]


def _signpost(resources: Resources, signpost) -> dict:
    payload = [{"contentString": signpost.what}]
    if signpost.resource_url:
        payload.append(
            {
                "contentAttachment": {
                    "url": signpost.resource_url,
                    "title": signpost.resource_name or None,
                }
            }
        )
    return without_empty(
        {
            "resourceType": "Communication",
            "id": ids.resource_id("signpost", signpost.pk),
            "identifier": local_identifier("signpost", signpost.pk),
            "status": "completed",
            "category": [concept(local_coding("communication-kind", "signposting", "Signposting"))],
            "subject": resources.subject(),
            "about": [_service(resources, signpost.service)] if signpost.service_id else [],
            "sent": when(signpost.given_on),
            "sender": resources.practitioner(signpost.recorded_by),
            "payload": [without_empty(part) for part in payload],
            "note": [{"text": signpost.note}] if signpost.note else [],
        }
    )


def _follow_up(resources: Resources, follow_up) -> dict:
    if follow_up.done_at:
        status = "completed"
    elif follow_up.cancelled_at:
        status = "cancelled"
    else:
        status = "requested"
    done_contact = resources.encounter(follow_up.done_contact_id)
    return without_empty(
        {
            "resourceType": "Task",
            "id": ids.resource_id("follow-up", follow_up.pk),
            "meta": {"profile": [systems.profile("Task")]},
            "identifier": local_identifier("follow-up", follow_up.pk),
            "status": status,
            "statusReason": concept(text=follow_up.closing_note)
            if follow_up.closing_note
            else None,
            "intent": "plan",
            "code": concept(local_coding("task-kind", "follow-up", "Follow-up contact")),
            "description": follow_up.purpose,
            "for": resources.subject(),
            "executionPeriod": without_empty(
                {"end": when(follow_up.done_at or follow_up.cancelled_at)}
            ),
            "authoredOn": when(follow_up.planned_at),
            "requester": resources.practitioner(follow_up.planned_by),
            "owner": resources.team(),
            "restriction": {"period": {"end": when(follow_up.due_on)}},
            "output": [{"type": concept(text="Contact"), "valueReference": done_contact}]
            if done_contact
            else [],
        }
    )


def referral_resources(resources: Resources) -> None:
    record = resources.record
    for referral in record.referrals:
        performer = _service(resources, referral.service)
        provider = {
            "reference": ids.full_url(
                ids.resource_id("organization", referral.service.organization.uid)
            )
        }
        consent = _sharing_consent(resources, referral)
        if consent:
            resources.add(consent)
        request = resources.add(_service_request(resources, referral, performer, consent))
        task = resources.add(_task(resources, referral, request, performer))
        for event in referral.events.all():
            resources.add(_event(resources, referral, event, task, provider))
    for signpost in record.signposts:
        resources.add(_signpost(resources, signpost))
    for follow_up in record.follow_ups:
        resources.add(_follow_up(resources, follow_up))
