"""One family's record as a FHIR Bundle: valid R4 (the fhir.resources R4B models) in UK Core
shapes, references that resolve, counts that match the records, and the same Bundle twice."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from attachment_app.fhir.loading import load_family_records
from attachment_app.fhir.mapping import family_bundle
from attachment_app.fhir.services import family_record_bundle
from conversations.models import ConsentDecision, Family
from referrals import services as referral_services
from referrals import services_delivery
from screening import services as screening_services
from screening.models import LocalItemText, LocalOptionText
from tests.factories import (
    BabyFactory,
    CaregiverFactory,
    ContactFactory,
    ConversationFactory,
    FamilyFactory,
)
from tests.factories_referrals import ConcernFactory

from . import ukcore

#: The status codes FHIR R4 allows (required bindings the models do not check).
STATUSES = {
    "Encounter": {
        "planned",
        "arrived",
        "triaged",
        "in-progress",
        "onleave",
        "finished",
        "cancelled",
        "entered-in-error",
        "unknown",
    },
    "Consent": {"draft", "proposed", "active", "rejected", "inactive", "entered-in-error"},
    "QuestionnaireResponse": {"in-progress", "completed", "amended", "entered-in-error", "stopped"},
    "Observation": {
        "registered",
        "preliminary",
        "final",
        "amended",
        "corrected",
        "cancelled",
        "entered-in-error",
        "unknown",
    },
    "Flag": {"active", "inactive", "entered-in-error"},
    "ServiceRequest": {
        "draft",
        "active",
        "on-hold",
        "revoked",
        "completed",
        "entered-in-error",
        "unknown",
    },
    "Task": {
        "draft",
        "requested",
        "received",
        "accepted",
        "rejected",
        "ready",
        "cancelled",
        "in-progress",
        "on-hold",
        "failed",
        "completed",
        "entered-in-error",
    },
    "Communication": {
        "preparation",
        "in-progress",
        "not-done",
        "on-hold",
        "stopped",
        "completed",
        "entered-in-error",
        "unknown",
    },
}
VALID_NHS_NUMBER = "9434765919"


def _resources(bundle, resource_type=None):
    return [
        entry["resource"]
        for entry in bundle["entry"]
        if resource_type is None or entry["resource"]["resourceType"] == resource_type
    ]


def _check(bundle) -> None:
    """Everything a Bundle must be, whatever the family: valid, resolving, UK Core shaped."""
    ukcore.validate(bundle)
    full_urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert len(full_urls) == len(set(full_urls)), "each resource once"
    for entry in bundle["entry"]:
        resource = entry["resource"]
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
        ukcore.validate(resource)
        assert not ukcore.empty_elements(resource), resource["resourceType"]
        if resource["resourceType"] in STATUSES:
            assert resource["status"] in STATUSES[resource["resourceType"]]
        if resource["resourceType"] == "Patient":
            assert not ukcore.nhs_number_problems(resource)
        for reference in ukcore.references(resource):
            assert reference in full_urls, f"{resource['resourceType']} → {reference}"


def _transition(referral, actor, action, **fields):
    referral.refresh_from_db()
    return referral_services.referral_transition(
        actor=actor, referral=referral, action=action, expected_version=referral.version, **fields
    )


@pytest.fixture
def whole_world(world):
    """``world`` taken further: a referral through to its outcome, one declined, an urgent
    concern acknowledged, a result corrected, a consent withdrawn, a baby with an NHS number
    and one not yet born."""
    w = world
    for referral in (w.sent, w.sent_urgently):
        referral.refresh_from_db()
        if referral.status == "ready":  # not sent by email yet: record it sent by phone
            services_delivery.referral_record_sent(
                actor=w.hv,
                referral=referral,
                expected_version=referral.version,
                method="phone",
                sent_on=timezone.localdate(),
            )
    _transition(w.sent, w.hv, "acknowledge")
    _transition(w.sent, w.hv, "accept", first_contact_on=timezone.localdate())
    _transition(w.sent, w.hv, "complete", outcome="completed", note="Eight sessions.")
    _transition(w.sent_urgently, w.hv, "decline", decline_reason="no_capacity", note="Full.")
    w.acknowledged = ConcernFactory(family=w.family, raised_by=w.hv, urgent=True)
    screening_services.concern_acknowledge(
        actor=w.team_lead, concern=w.acknowledged, action_taken="Discussed at huddle."
    )
    phq9 = screening_services.current_definition("phq9")
    w.correction = screening_services.screening_result_record(
        parent_agreed=True,
        actor=w.hv,
        contact=w.contact,
        definition=phq9,
        answers={str(n): "not_at_all" for n in range(1, 10)},
        supersedes=w.result,
        correction_reason="Item 9 was ticked by mistake.",
    )
    w.twin = BabyFactory(family=w.family, nhs_number=VALID_NHS_NUMBER)
    w.unborn = BabyFactory(
        family=w.family, date_of_birth=None, expected_date=timezone.localdate() + timedelta(60)
    )
    withdrawn_contact = ContactFactory(family=w.family, recorded_by=w.hv)
    ConversationFactory(
        contact=withdrawn_contact, consent_status="withdrawn", caregiver=w.caregiver
    )
    return w


def test_a_whole_family_at_every_point_of_the_workflow_exports_validly(whole_world):
    bundle = family_record_bundle(whole_world.family)
    _check(bundle)
    types = {resource["resourceType"] for resource in _resources(bundle)}
    assert types >= {
        "Group",
        "Patient",
        "RelatedPerson",
        "Encounter",
        "Consent",
        "QuestionnaireResponse",
        "Questionnaire",
        "Observation",
        "Flag",
        "ServiceRequest",
        "Task",
        "Provenance",
        "Communication",
        "HealthcareService",
        "Organization",
        "Practitioner",
        "Location",
    }


def test_the_counts_match_the_records(whole_world):
    w = whole_world
    bundle = family_record_bundle(w.family)
    patients = _resources(bundle, "Patient")
    assert len(patients) == 2  # two born; the unborn baby is an expected date
    assert len(_resources(bundle, "RelatedPerson")) == 2  # one carer, for each baby born
    assert len(_resources(bundle, "Encounter")) == w.family.contacts.in_record().count() == 4
    decisions = ConsentDecision.objects.filter(conversation__family=w.family).count()
    referral_consents = w.family.referrals.filter(sharing_basis="consent").count()
    assert len(_resources(bundle, "Consent")) == decisions + referral_consents
    flags = _resources(bundle, "Flag")
    assert len(flags) == w.family.concerns.in_record().count()
    assert len(_resources(bundle, "ServiceRequest")) == w.family.referrals.count() == 5
    tasks = _resources(bundle, "Task")
    assert len(tasks) == 5 + 1  # one per referral, and the follow-up
    responses = _resources(bundle, "QuestionnaireResponse")
    # The corrected PHQ-9 only (not the one it replaced), and the two conversations with answers.
    assert len(responses) == 1 + 2
    strengths = [
        r
        for r in _resources(bundle, "Observation")
        if r["code"]["coding"][0]["code"] in ("strength", "need")
    ]
    assert [r["valueString"] for r in strengths] == ["Responds warmly to the baby."]
    events = sum(referral.events.count() for referral in w.family.referrals.all())
    assert len(_resources(bundle, "Provenance")) == events + 1  # and the correction
    expected = [
        r for r in _resources(bundle, "Observation") if r["code"]["coding"][0]["code"] == "11778-8"
    ]
    assert [r["valueDateTime"] for r in expected] == [w.unborn.expected_date.isoformat()]
    group = _resources(bundle, "Group")[0]
    assert sorted(m["entity"]["reference"] for m in group["member"]) == sorted(
        f"urn:uuid:{p['id']}" for p in patients
    )


def test_only_the_current_result_goes_out_with_its_correction_as_provenance(whole_world):
    w = whole_world
    bundle = family_record_bundle(w.family)
    (response,) = [
        r for r in _resources(bundle, "QuestionnaireResponse") if "phq9" in r["questionnaire"]
    ]
    assert response["status"] == "amended"
    assert response["identifier"]["value"] == str(w.correction.pk)
    correction = [
        p
        for p in _resources(bundle, "Provenance")
        if p.get("entity", [{}])[0].get("role") == "revision"
    ]
    (correction,) = correction
    assert correction["entity"][0]["what"]["identifier"]["value"] == str(w.result.pk)
    assert correction["reason"] == [{"text": "Item 9 was ticked by mistake."}]
    assert f"urn:uuid:{response['id']}" in [t["reference"] for t in correction["target"]]


def test_phq9_goes_out_with_loinc_codes_scores_and_its_safety_item(world):
    bundle = family_record_bundle(world.family)
    response = _resources(bundle, "QuestionnaireResponse")
    (phq9,) = [r for r in response if "phq9" in r["questionnaire"]]
    assert phq9["questionnaire"].endswith("/Questionnaire/phq9|1")
    answers = {item["linkId"]: item["answer"][0]["valueCoding"] for item in phq9["item"]}
    assert answers["9"]["code"] == "several_days"
    assert answers["9"]["extension"][0]["valueDecimal"] == 1
    observations = _resources(bundle, "Observation")
    total = [o for o in observations if any(c["code"] == "44261-6" for c in o["code"]["coding"])]
    assert [o["valueInteger"] for o in total] == [1]
    safety = [o for o in observations if any(c["code"] == "44260-8" for c in o["code"]["coding"])]
    assert [o["valueInteger"] for o in safety] == [1]
    assert safety[0]["interpretation"][0]["coding"][0]["code"] == "AA"
    assert total[0]["hasMember"] == [{"reference": f"urn:uuid:{safety[0]['id']}"}]


def test_an_urgent_concern_says_whether_it_was_acknowledged(whole_world):
    w = whole_world
    flags = {
        f["identifier"][0]["value"]: f for f in _resources(family_record_bundle(w.family), "Flag")
    }
    waiting = flags[str(w.concern.pk)]
    acknowledged = flags[str(w.acknowledged.pk)]
    ack_url = "/StructureDefinition/urgent-concern-acknowledgement"
    assert not [e for e in waiting["extension"] if e["url"].endswith(ack_url)]
    assert waiting["category"][0]["coding"][0]["code"] == "safety"
    (ack,) = [e for e in acknowledged["extension"] if e["url"].endswith(ack_url)]
    parts = {part["url"]: part for part in ack["extension"]}
    assert parts["actionTaken"]["valueString"] == "Discussed at huddle."
    assert parts["acknowledgedBy"]["valueReference"]["reference"].startswith("urn:uuid:")


def test_the_referral_task_follows_the_referrals_status(whole_world):
    w = whole_world
    bundle = family_record_bundle(w.family)
    tasks = {
        t["identifier"][0]["value"]: t for t in _resources(bundle, "Task") if t["intent"] == "order"
    }
    requests = {r["identifier"][0]["value"]: r for r in _resources(bundle, "ServiceRequest")}
    expected = {
        w.draft.pk: ("draft", "draft"),
        w.submitted.pk: ("on-hold", "active"),
        w.returned.pk: ("on-hold", "draft"),
        w.sent.pk: ("completed", "completed"),
        w.sent_urgently.pk: ("rejected", "revoked"),
    }
    for pk, (task_status, request_status) in expected.items():
        assert tasks[str(pk)]["status"] == task_status
        assert requests[str(pk)]["status"] == request_status
    assert requests[str(w.sent_urgently.pk)]["priority"] == "urgent"
    assert tasks[str(w.sent_urgently.pk)]["statusReason"]["coding"][0]["code"] == "no_capacity"
    performer = requests[str(w.sent.pk)]["performer"][0]["reference"]
    (service,) = _resources(bundle, "HealthcareService")
    assert performer == f"urn:uuid:{service['id']}"
    assert service["identifier"][0]["value"] == str(w.service.uid)


def test_a_second_export_of_an_unchanged_family_is_identical(whole_world):
    first = json.dumps(family_record_bundle(whole_world.family), sort_keys=False)
    second = json.dumps(family_record_bundle(whole_world.family), sort_keys=False)
    assert first == second
    whole_world.follow_up.refresh_from_db()
    referral_services.follow_up_close(
        actor=whole_world.hv, follow_up=whole_world.follow_up, done=True
    )
    third = family_record_bundle(whole_world.family)
    assert json.dumps(third) != first
    assert [e["fullUrl"] for e in third["entry"]] == [
        e["fullUrl"] for e in json.loads(first)["entry"]
    ], "the same records keep their ids"


def test_a_baby_with_an_nhs_number_is_a_uk_core_patient(whole_world):
    bundle = family_record_bundle(whole_world.family)
    (patient,) = [
        p
        for p in _resources(bundle, "Patient")
        if any(i["system"] == ukcore.NHS_NUMBER_SYSTEM for i in p["identifier"])
    ]
    assert patient["meta"]["profile"] == [
        "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"
    ]
    (nhs,) = [i for i in patient["identifier"] if i["system"] == ukcore.NHS_NUMBER_SYSTEM]
    assert nhs["value"] == VALID_NHS_NUMBER
    assert nhs["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == "02"
    assert patient["birthDate"] == whole_world.twin.date_of_birth.isoformat()


def test_the_modulus_11_check_of_the_tests_catches_a_wrong_check_digit():
    assert ukcore.modulus_11_ok(VALID_NHS_NUMBER)
    assert not ukcore.modulus_11_ok("9434765918")
    patient = {"identifier": [{"system": ukcore.NHS_NUMBER_SYSTEM, "value": "9434765918"}]}
    assert len(ukcore.nhs_number_problems(patient)) == 2


@pytest.mark.django_db
def test_a_family_with_no_babies_and_no_carers_exports_validly(team_a):
    family = FamilyFactory(team=team_a)
    bundle = family_record_bundle(family)
    _check(bundle)
    assert [r["resourceType"] for r in _resources(bundle)] == ["Organization", "Group"]


@pytest.mark.django_db
def test_before_birth_the_mother_is_the_patient_and_the_expected_date_is_on_her_record(team_a, hv):
    family = FamilyFactory(team=team_a)
    father = CaregiverFactory(family=family, relationship="father")
    mother = CaregiverFactory(family=family, relationship="mother")
    due = timezone.localdate() + timedelta(days=40)
    BabyFactory(family=family, date_of_birth=None, expected_date=due)
    contact = ContactFactory(family=family, recorded_by=hv, contact_type="antenatal")
    ConversationFactory(contact=contact, consent_status="given", caregivers=[mother, father])
    bundle = family_record_bundle(family)
    _check(bundle)
    (patient,) = _resources(bundle, "Patient")
    assert patient["identifier"][0]["value"] == str(mother.pk)
    assert "birthDate" not in patient
    (related,) = _resources(bundle, "RelatedPerson")
    assert related["patient"] == {"reference": f"urn:uuid:{patient['id']}"}
    assert [c["code"] for c in related["relationship"][0]["coding"]] == ["father"]
    (expected,) = _resources(bundle, "Observation")
    assert expected["subject"] == {"reference": f"urn:uuid:{patient['id']}"}
    assert expected["valueDateTime"] == due.isoformat()
    (consent,) = _resources(bundle, "Consent")
    assert sorted(p["reference"] for p in consent["performer"]) == sorted(
        [f"urn:uuid:{patient['id']}", f"urn:uuid:{related['id']}"]
    )


def test_the_epds_goes_out_without_any_wording_even_with_local_wording_entered(world):
    screening_services.instrument_definitions_load_shipped()
    epds = screening_services.current_definition("epds")
    for item in epds.parsed.items:
        LocalItemText.objects.create(
            definition=epds,
            item_id=item.id,
            text=f"LICENSED-ITEM-{item.id}",
            licence_reference="Trust licence 1",
            entered_by=world.hv,
            entered_at=timezone.now(),
        )
        for option in item.options:
            LocalOptionText.objects.create(
                definition=epds,
                item_id=item.id,
                option_value=option.value,
                text=f"LICENSED-OPTION-{item.id}-{option.value}",
                licence_reference="Trust licence 1",
                entered_by=world.hv,
                entered_at=timezone.now(),
            )
    answers = {item.id: "a" for item in epds.parsed.items} | {"10": "b"}
    screening_services.screening_result_record(
        parent_agreed=True, actor=world.hv, contact=world.contact, definition=epds, answers=answers
    )
    bundle = family_record_bundle(world.family)
    _check(bundle)
    text = json.dumps(bundle)
    assert "LICENSED-" not in text
    (response,) = [
        r for r in _resources(bundle, "QuestionnaireResponse") if "epds" in r["questionnaire"]
    ]
    assert all("text" not in item for item in response["item"])
    assert {item["answer"][0]["valueCoding"]["code"] for item in response["item"]} == {"a", "b"}
    (questionnaire,) = [
        q for q in _resources(bundle, "Questionnaire") if q["url"].endswith("/epds")
    ]
    assert "LICENSED-" not in json.dumps(questionnaire)


def test_loading_takes_the_same_queries_for_one_family_as_for_five(whole_world):
    family_ids = [whole_world.family.pk]
    with CaptureQueriesContext(connection) as one:
        records = load_family_records(Family.objects.filter(pk__in=family_ids))
        [family_bundle(record) for record in records]
    for _ in range(4):
        family = FamilyFactory(team=whole_world.team)
        BabyFactory(family=family)
        CaregiverFactory(family=family)
        ContactFactory(family=family, recorded_by=whole_world.hv)
        family_ids.append(family.pk)
    with CaptureQueriesContext(connection) as five:
        records = load_family_records(Family.objects.filter(pk__in=family_ids))
        [family_bundle(record) for record in records]
    assert len(records) == 5
    assert len(five) == len(one)


def test_records_entered_in_error_do_not_go_out(world):
    from conversations.services import record_mark_entered_in_error

    mistaken = ConcernFactory(family=world.family, raised_by=world.hv)
    before = family_record_bundle(world.family)
    record_mark_entered_in_error(actor=world.hv, record=world.bare_contact, reason="Wrong family.")
    record_mark_entered_in_error(actor=world.hv, record=mistaken, reason="Duplicate.")
    after = family_record_bundle(world.family)
    _check(after)
    identifiers = {
        (r["resourceType"], i["value"])
        for r in _resources(after)
        for i in (r["identifier"] if isinstance(r.get("identifier"), list) else [])
    }
    assert ("Encounter", str(world.bare_contact.pk)) not in identifiers
    assert ("Flag", str(mistaken.pk)) not in identifiers
    assert len(_resources(after, "Encounter")) == len(_resources(before, "Encounter")) - 1
    assert len(_resources(after, "Flag")) == len(_resources(before, "Flag")) - 1
