"""Step 2 services against the real database: what consent gates and what it never gates,
results, urgent concerns."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, ProgrammingError, transaction

from attachment_app.reminders.models import Reminder
from screening import reminders, services
from screening.models import Concern, ConcernCategory, InstrumentDefinition, ScreeningResult
from tests.factories import ContactFactory, ConversationFactory, FamilyFactory

pytestmark = pytest.mark.django_db

PHQ9_NONE = dict.fromkeys([str(n) for n in range(1, 10)], "not_at_all")


@pytest.fixture
def definitions():
    services.instrument_definitions_load_shipped()


@pytest.fixture
def contact(team_a, hv):
    family = FamilyFactory(team=team_a, named_hv=hv)
    contact = ContactFactory(family=family, recorded_by=hv)
    ConversationFactory(contact=contact, consent_status="given")
    return contact


def phq9(**answers):
    return {**PHQ9_NONE, **answers}


def record(actor, contact, code, answers, **kwargs):
    return services.screening_result_record(
        parent_agreed=True,
        actor=actor,
        contact=contact,
        definition=services.current_definition(code),
        answers=answers,
        **kwargs,
    )


def test_shipped_definitions_load_once(definitions):
    count = InstrumentDefinition.objects.count()
    assert count >= 12
    assert services.instrument_definitions_load_shipped() == 0
    assert InstrumentDefinition.objects.count() == count


def test_shipped_concern_categories_are_there():
    assert ConcernCategory.objects.filter(code="parental_mental_health").exists()
    assert ConcernCategory.objects.count() == 8


def test_result_is_scored_and_stored_with_its_definition_version(definitions, hv, contact):
    result = record(hv, contact, "phq9", phq9(**{"1": "several_days", "2": "nearly_every_day"}))
    assert (result.total, result.band, result.positive) == (4, "Minimal", False)
    assert result.definition.version == 1
    assert result.triggered_rules == []
    assert not Concern.objects.exists()


def test_safety_rule_raises_one_urgent_concern(definitions, hv, contact):
    result = record(hv, contact, "phq9", phq9(**{"9": "several_days"}))
    concern = Concern.objects.get()
    assert concern.urgent
    assert concern.source_result == result
    assert concern.category.code == "parental_mental_health"
    assert Concern.objects.awaiting_acknowledgement().count() == 1


def test_urgent_concern_is_raised_exactly_once_per_result_and_rule(definitions, hv, contact):
    result = record(hv, contact, "phq9", phq9(**{"9": "nearly_every_day"}))
    rule = next(
        rule
        for rule in services.engine.load_definition(result.definition.definition).safety_rules
        if rule.id in result.triggered_rules
    )
    again = services.concern_raise_for_rule(result=result, rule=rule, actor=hv)
    assert Concern.objects.count() == 1
    assert again == Concern.objects.get()


@pytest.mark.parametrize("status", ["declined", "deferred", "withdrawn", ""])
def test_a_result_is_recorded_whatever_was_decided_about_the_conversation(
    definitions, hv, team_a, status
):
    # Consent to the relationship conversation gates its answers only: a questionnaire is
    # recorded with the parent's agreement to it (product brief, step 1).
    contact = ContactFactory(family=FamilyFactory(team=team_a), recorded_by=hv)
    ConversationFactory(contact=contact, consent_status=status)
    result = record(hv, contact, "epds", dict.fromkeys([str(n) for n in range(1, 11)], "a"))
    assert result.parent_agreed is True
    assert ScreeningResult.objects.get() == result


def test_a_result_is_recorded_at_a_contact_with_no_conversation(definitions, hv, team_a):
    bare = ContactFactory(family=FamilyFactory(team=team_a), recorded_by=hv)
    assert record(hv, bare, "whooley", {"1": "no", "2": "no"}).contact == bare


def test_a_result_is_refused_without_the_parents_agreement(definitions, hv, contact):
    with pytest.raises(ValidationError) as caught:
        services.screening_result_record(
            parent_agreed=False,
            actor=hv,
            contact=contact,
            definition=services.current_definition("phq9"),
            answers=phq9(**{"9": "several_days"}),
        )
    assert caught.value.message_dict["parent_agreed"] == [
        "Confirm that the parent agreed to complete this questionnaire"
    ]
    # Nothing stored, and no urgent concern raised from answers that were never agreed to.
    assert not ScreeningResult.objects.exists()
    assert not Concern.objects.exists()


def test_the_database_refuses_a_result_marked_not_agreed(definitions, hv, contact):
    result = record(hv, contact, "phq9", PHQ9_NONE)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScreeningResult.objects.create(
            family_id=result.family_id,
            contact=contact,
            definition=result.definition,
            parent_agreed=False,
            recorded_by=hv,
        )


def test_other_team_cannot_record(definitions, hv_b, contact):
    with pytest.raises(PermissionDenied):
        record(hv_b, contact, "phq9", PHQ9_NONE)


def test_missing_answer_names_the_item(definitions, hv, contact):
    answers = dict(PHQ9_NONE)
    del answers["4"]
    with pytest.raises(ValidationError) as caught:
        record(hv, contact, "phq9", answers)
    assert list(caught.value.message_dict) == ["4"]
    assert not ScreeningResult.objects.exists()


def test_results_cannot_be_edited(definitions, hv, contact):
    result = record(hv, contact, "phq9", PHQ9_NONE)
    with pytest.raises(ProgrammingError, match="pgtrigger"), transaction.atomic():
        ScreeningResult.objects.filter(pk=result.pk).update(total=27)


def test_a_correction_supersedes_with_a_reason(definitions, hv, contact):
    first = record(hv, contact, "phq9", PHQ9_NONE)
    with pytest.raises(ValidationError):
        record(hv, contact, "phq9", phq9(**{"1": "several_days"}), supersedes=first)
    second = record(
        hv,
        contact,
        "phq9",
        phq9(**{"1": "several_days"}),
        supersedes=first,
        correction_reason="Item 1 was entered on the wrong row.",
    )
    assert list(ScreeningResult.objects.current()) == [second]
    with pytest.raises(ValidationError):
        record(hv, contact, "phq9", PHQ9_NONE, supersedes=first, correction_reason="Again")


def test_acknowledging_records_who_when_and_what(definitions, hv, team_lead, contact):
    record(hv, contact, "phq9", phq9(**{"9": "several_days"}))
    concern = Concern.objects.get()
    with pytest.raises(ValidationError):
        services.concern_acknowledge(actor=team_lead, concern=concern, action_taken=" ")
    done = services.concern_acknowledge(
        actor=team_lead, concern=concern, action_taken="Spoke with parent; GP called same day."
    )
    assert done.acknowledged_by == team_lead
    assert done.acknowledged_at is not None
    assert not Concern.objects.awaiting_acknowledgement().exists()
    with pytest.raises(ValidationError):
        services.concern_acknowledge(actor=hv, concern=done, action_taken="Twice")


def test_other_team_cannot_acknowledge(definitions, hv, team_lead_b, contact):
    record(hv, contact, "phq9", phq9(**{"9": "several_days"}))
    with pytest.raises(PermissionDenied):
        services.concern_acknowledge(
            actor=team_lead_b, concern=Concern.objects.get(), action_taken="Called"
        )


@pytest.mark.parametrize("status", ["declined", "deferred", "withdrawn", "", None])
def test_any_concern_is_recorded_after_a_declined_conversation(hv, team_a, status):
    # A concern is the practitioner's judgement and duty: it never waits for consent.
    contact = ContactFactory(family=FamilyFactory(team=team_a), recorded_by=hv)
    if status is not None:
        ConversationFactory(contact=contact, consent_status=status)
    for category in ConcernCategory.objects.filter(active=True):
        services.concern_raise(
            actor=hv, contact=contact, category=category, severity="high", note="Seen at visit"
        )
    assert (
        Concern.objects.filter(contact=contact).count()
        == ConcernCategory.objects.filter(active=True).count()
    )


def test_an_observation_is_recorded_after_a_declined_conversation(hv, team_a):
    contact = ContactFactory(family=FamilyFactory(team=team_a), recorded_by=hv)
    ConversationFactory(contact=contact, consent_status="declined")
    strength = services.observation_record(actor=hv, contact=contact, kind="strength", text="Warm")
    assert strength.contact == contact


def test_a_safeguarding_concern_is_recorded_from_the_family_with_no_contact(hv, team_lead, team_a):
    family = FamilyFactory(team=team_a, named_hv=hv)
    concern = services.concern_raise(
        actor=hv,
        family=family,
        category=ConcernCategory.objects.get(code="safeguarding"),
        severity="high",
        note="Neighbour reported shouting; police called",
        urgent=True,
    )
    concern.refresh_from_db()
    assert (concern.family, concern.contact) == (family, None)
    assert Concern.objects.awaiting_acknowledgement().get() == concern
    # The urgent escalation to the team lead is scheduled and sent as for one raised at a contact.
    reminder = Reminder.objects.get(subject_id=concern.pk)
    delivery = reminders.check_unacknowledged(reminder)
    assert list(delivery.recipients) == [team_lead]
    assert delivery.link == f"/concerns/{concern.pk}/acknowledge/"


def test_a_concern_from_the_family_respects_team_scope(hv_b, team_a):
    family = FamilyFactory(team=team_a)
    with pytest.raises(PermissionDenied):
        services.concern_raise(
            actor=hv_b,
            family=family,
            category=ConcernCategory.objects.get(code="safeguarding"),
            severity="high",
        )
    assert not Concern.objects.exists()


def test_a_concern_needs_its_family_and_a_contact_of_that_family(hv, team_a, contact):
    category = ConcernCategory.objects.get(code="safeguarding")
    with pytest.raises(ValueError, match="give the family or the contact"):
        services.concern_raise(actor=hv, category=category, severity="high")
    with pytest.raises(ValueError, match="not the family's"):
        services.concern_raise(
            actor=hv,
            family=FamilyFactory(team=team_a),
            contact=contact,
            category=category,
            severity="high",
        )
    assert not Concern.objects.exists()


def test_concern_and_observation_are_recorded(hv, contact):
    category = ConcernCategory.objects.get(code="feeding_sleep_crying")
    concern = services.concern_raise(
        actor=hv, contact=contact, category=category, severity="moderate", note="Night waking"
    )
    assert Concern.objects.open().get() == concern
    strength = services.observation_record(
        actor=hv, contact=contact, kind="strength", text="Responds warmly", tags=["Warmth", " "]
    )
    assert strength.tags == ["warmth"]


def test_a_broken_definition_upload_is_refused_with_the_reason(hv):
    with pytest.raises(ValidationError) as caught:
        services.instrument_definition_add(data={"code": "x"}, actor=hv)
    assert caught.value.message_dict["definition"]
    assert not InstrumentDefinition.objects.exists()


def test_a_loaded_version_is_never_replaced(definitions):
    existing = InstrumentDefinition.objects.get(code="gad7", version=1)
    with pytest.raises(ValidationError, match="already loaded"):
        services.instrument_definition_add(data=existing.definition)
