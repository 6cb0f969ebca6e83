"""The consent gate and the conversation's derived state, through the services."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, ProgrammingError, transaction
from django.utils import timezone

from conversations import services
from conversations.models import ConsentDecision, ConsentParticipant
from conversations.services import ConsentRequired
from tests.factories import BabyFactory, CaregiverFactory, ContactFactory, FamilyFactory

ANSWERS = {
    "word_1": "Close",
    "word_2": "Tired but happy",
    "word_3": "Learning",
    "joy": "When she smiles at me in the morning.",
    "fear": "That I will not know what she needs.",
}


@pytest.fixture
def family(team_a):
    family = FamilyFactory(team=team_a)
    BabyFactory(family=family)
    return family


@pytest.fixture
def mother(family):
    return CaregiverFactory(family=family, name="Asha Example")


@pytest.fixture
def conversation(hv, family):
    contact = ContactFactory(family=family, recorded_by=hv)
    return services.conversation_start(actor=hv, contact=contact)


def consent(hv, conversation, caregiver, decision):
    return services.consent_record(
        actor=hv, conversation=conversation, caregiver=caregiver, decision=decision
    )


def reload(conversation):
    conversation.refresh_from_db()
    return conversation


# --- The consent gate -------------------------------------------------------------------------


def test_answers_cannot_be_saved_before_consent(hv, conversation):
    with pytest.raises(ConsentRequired):
        services.conversation_save_answers(actor=hv, conversation=conversation, **ANSWERS)
    assert reload(conversation).word_1 == ""


def test_reflection_cannot_be_saved_before_consent(hv, conversation):
    with pytest.raises(ConsentRequired):
        services.conversation_save_reflection(
            actor=hv, conversation=conversation, reflection="Warm", raised_concern=False
        )
    assert reload(conversation).reflection == ""


@pytest.mark.parametrize("decision", ["declined", "deferred"])
def test_answers_cannot_be_saved_when_declined_or_deferred(hv, conversation, mother, decision):
    consent(hv, conversation, mother, decision)
    with pytest.raises(ConsentRequired):
        services.conversation_save_answers(actor=hv, conversation=conversation, **ANSWERS)


def test_answers_are_saved_with_consent_given(hv, conversation, mother):
    consent(hv, conversation, mother, "given")
    services.conversation_save_answers(actor=hv, conversation=conversation, **ANSWERS)
    assert reload(conversation).words == ["Close", "Tired but happy", "Learning"]


def test_withdrawn_consent_blocks_answers_and_reflection(hv, conversation, mother):
    consent(hv, conversation, mother, "given")
    consent(hv, conversation, mother, "withdrawn")
    with pytest.raises(ConsentRequired):
        services.conversation_save_answers(actor=hv, conversation=conversation, **ANSWERS)
    with pytest.raises(ConsentRequired):
        services.conversation_save_reflection(
            actor=hv, conversation=conversation, reflection="x", raised_concern=True
        )
    with pytest.raises(ConsentRequired):
        services.conversation_complete(actor=hv, conversation=conversation)


def test_nothing_follows_a_withdrawal(hv, conversation, mother):
    consent(hv, conversation, mother, "given")
    consent(hv, conversation, mother, "withdrawn")
    with pytest.raises(ValidationError, match="withdrawn"):
        consent(hv, conversation, mother, "given")


def test_declined_can_later_become_given(hv, conversation, mother):
    consent(hv, conversation, mother, "declined")
    consent(hv, conversation, mother, "given")
    assert reload(conversation).consent_status == "given"
    assert list(conversation.consent_decisions.values_list("decision", flat=True)) == [
        "declined",
        "given",
    ]


def test_given_cannot_become_declined(hv, conversation, mother):
    consent(hv, conversation, mother, "given")
    with pytest.raises(ValidationError, match="withdrawn"):
        consent(hv, conversation, mother, "declined")
    assert reload(conversation).consent_status == "given"


def test_withdrawal_needs_consent_first(hv, conversation, mother):
    with pytest.raises(ValidationError, match="only be withdrawn after"):
        consent(hv, conversation, mother, "withdrawn")


def test_consent_of_another_familys_caregiver_is_refused(hv, conversation, team_a):
    stranger = CaregiverFactory(family=FamilyFactory(team=team_a))
    with pytest.raises(ValidationError):
        consent(hv, conversation, stranger, "given")


def test_consent_records_who_when_and_by_whom(hv, conversation, mother):
    entry = consent(hv, conversation, mother, "given")
    assert list(entry.caregivers.all()) == [mother]
    assert entry.recorded_by == hv
    assert abs(entry.recorded_at - timezone.now()) < timedelta(minutes=1)
    assert reload(conversation).participants == [mother]


def test_consent_decisions_are_append_only(hv, conversation, mother):
    entry = consent(hv, conversation, mother, "given")
    with pytest.raises(ProgrammingError, match="Cannot update"), transaction.atomic():
        ConsentDecision.objects.filter(pk=entry.pk).update(decision="declined")


# --- State ------------------------------------------------------------------------------------


def test_state_follows_consent_and_completion(hv, conversation, mother):
    assert conversation.state == "awaiting_consent"
    consent(hv, conversation, mother, "deferred")
    assert reload(conversation).state == "deferred"
    consent(hv, conversation, mother, "given")
    assert reload(conversation).state == "given"
    services.conversation_save_answers(actor=hv, conversation=conversation, **ANSWERS)
    services.conversation_save_reflection(
        actor=hv, conversation=conversation, reflection="Warm", raised_concern=False
    )
    services.conversation_complete(actor=hv, conversation=conversation)
    assert reload(conversation).state == "completed"
    consent(hv, conversation, mother, "withdrawn")
    assert reload(conversation).state == "withdrawn"


def test_starting_twice_returns_the_same_conversation(hv, conversation):
    again = services.conversation_start(actor=hv, contact=conversation.contact)
    assert again.pk == conversation.pk


# --- Completion -------------------------------------------------------------------------------


def test_unfinished_answers_may_be_saved_as_a_draft(hv, conversation, mother):
    consent(hv, conversation, mother, "given")
    services.conversation_save_answers(
        actor=hv, conversation=conversation, draft=True, **{**ANSWERS, "word_3": "", "fear": ""}
    )
    assert reload(conversation).words == ["Close", "Tired but happy"]
    assert conversation.completed_at is None


def test_completion_requires_every_answer_and_the_concern_question(hv, conversation, mother):
    consent(hv, conversation, mother, "given")
    services.conversation_save_answers(
        actor=hv,
        conversation=conversation,
        draft=True,
        **{**ANSWERS, "word_1": "", "word_2": "", "word_3": "", "joy": ""},
    )
    with pytest.raises(ValidationError) as raised:
        services.conversation_complete(actor=hv, conversation=conversation)
    assert set(raised.value.message_dict) == {"word_1", "joy", "raised_concern"}
    assert reload(conversation).completed_at is None


def test_completion_with_everything_in(hv, conversation, mother):
    consent(hv, conversation, mother, "given")
    services.conversation_save_answers(actor=hv, conversation=conversation, **ANSWERS)
    services.conversation_save_reflection(
        actor=hv, conversation=conversation, reflection="", raised_concern=True
    )
    services.conversation_complete(actor=hv, conversation=conversation)
    assert reload(conversation).completed_at is not None


def test_another_team_cannot_record_consent(hv_b, conversation, mother):
    with pytest.raises(PermissionDenied, match="another team"):
        consent(hv_b, conversation, mother, "given")
    assert reload(conversation).consent_status == ""


# --- Each question answered or declined -------------------------------------------------------

BLANK = {"word_1": "", "word_2": "", "word_3": "", "joy": "", "fear": ""}


def test_blank_answers_are_refused_and_nothing_is_saved(hv, conversation, mother):
    consent(hv, conversation, mother, "given")
    with pytest.raises(ValidationError) as raised:
        services.conversation_save_answers(
            actor=hv, conversation=conversation, **{**BLANK, "joy": "Bath time"}
        )
    assert set(raised.value.message_dict) == {"word_1", "fear"}
    assert "chose not to answer" in raised.value.message_dict["fear"][0]
    assert reload(conversation).joy == ""


def test_a_declined_question_counts_as_answered_and_is_recorded(hv, conversation, mother):
    consent(hv, conversation, mother, "given")
    services.conversation_save_answers(
        actor=hv, conversation=conversation, **{**ANSWERS, "fear": "", "fear_declined": True}
    )
    saved = reload(conversation)
    assert (saved.fear, saved.fear_declined, saved.joy_declined) == ("", True, False)
    assert saved.unanswered == []
    services.conversation_save_reflection(
        actor=hv, conversation=conversation, reflection="", raised_concern=False
    )
    services.conversation_complete(actor=hv, conversation=conversation)
    assert reload(conversation).state == "completed"


def test_every_question_may_be_declined(hv, conversation, mother):
    consent(hv, conversation, mother, "given")
    services.conversation_save_answers(
        actor=hv,
        conversation=conversation,
        **BLANK,
        words_declined=True,
        joy_declined=True,
        fear_declined=True,
    )
    assert reload(conversation).unanswered == []


def test_one_word_or_phrase_answers_the_first_question(hv, conversation, mother):
    """A parent who finds one phrase has answered: the HV must not make up the other two."""
    consent(hv, conversation, mother, "given")
    services.conversation_save_answers(
        actor=hv,
        conversation=conversation,
        **{**ANSWERS, "word_1": "", "word_2": "", "word_3": "Us"},
    )
    # The phrases are kept in the order said, the gaps closed up.
    assert (reload(conversation).word_1, conversation.word_3) == ("Us", "")


def test_an_answer_and_declined_together_are_refused(hv, conversation, mother):
    consent(hv, conversation, mother, "given")
    with pytest.raises(ValidationError) as raised:
        services.conversation_save_answers(
            actor=hv, conversation=conversation, draft=True, **ANSWERS, joy_declined=True
        )
    assert set(raised.value.message_dict) == {"joy"}
    assert reload(conversation).joy == ""


def test_the_database_refuses_an_answer_marked_declined(hv, conversation, mother):
    consent(hv, conversation, mother, "given")
    conversation.joy, conversation.joy_declined = "Bath time", True
    with pytest.raises(IntegrityError), transaction.atomic():
        conversation.save()


def test_a_draft_may_leave_questions_open(hv, conversation, mother):
    consent(hv, conversation, mother, "given")
    services.conversation_save_answers(
        actor=hv, conversation=conversation, draft=True, **{**BLANK, "word_1": "Close"}
    )
    assert reload(conversation).unanswered == ["joy", "fear"]
    with pytest.raises(ValidationError) as raised:
        services.conversation_complete(actor=hv, conversation=conversation)
    assert {"joy", "fear"} <= set(raised.value.message_dict)


# --- Who takes part ---------------------------------------------------------------------------


def test_both_parents_can_take_part(hv, conversation, family, mother):
    father = CaregiverFactory(family=family, name="Sam Example", relationship="father")
    entry = services.consent_record(
        actor=hv, conversation=conversation, caregivers=[mother, father], decision="given"
    )
    assert list(entry.caregivers.all()) == [mother, father]
    assert reload(conversation).participants == [mother, father]
    assert conversation.consent_status == "given"


def test_a_later_decision_names_who_takes_part_then(hv, conversation, family, mother):
    father = CaregiverFactory(family=family, relationship="father")
    consent(hv, conversation, mother, "deferred")
    services.consent_record(
        actor=hv, conversation=conversation, caregivers=[mother, father], decision="given"
    )
    assert reload(conversation).participants == [mother, father]
    first = conversation.consent_decisions.first()
    assert list(first.caregivers.all()) == [mother]


def test_withdrawal_is_recorded_for_those_who_gave_consent(hv, conversation, family, mother):
    father = CaregiverFactory(family=family, relationship="father")
    services.consent_record(
        actor=hv, conversation=conversation, caregivers=[mother, father], decision="given"
    )
    entry = services.consent_record(actor=hv, conversation=conversation, decision="withdrawn")
    assert list(entry.caregivers.all()) == [mother, father]


def test_consent_needs_someone_taking_part(hv, conversation):
    with pytest.raises(ValidationError) as raised:
        services.consent_record(
            actor=hv, conversation=conversation, caregivers=[], decision="given"
        )
    assert "caregivers" in raised.value.message_dict
    assert reload(conversation).consent_status == ""
    assert not conversation.consent_decisions.exists()


def test_a_caregiver_of_another_family_cannot_take_part(hv, conversation, mother, team_a):
    stranger = CaregiverFactory(family=FamilyFactory(team=team_a))
    with pytest.raises(ValidationError) as raised:
        services.consent_record(
            actor=hv, conversation=conversation, caregivers=[mother, stranger], decision="given"
        )
    assert "caregivers" in raised.value.message_dict
    assert not conversation.consent_decisions.exists()


def test_who_took_part_is_append_only(hv, conversation, mother):
    entry = consent(hv, conversation, mother, "given")
    with pytest.raises(ProgrammingError, match="Cannot update"), transaction.atomic():
        ConsentParticipant.objects.filter(decision=entry).delete()
