"""Step 1's records that may be marked entered in error: contacts, and parents and carers.

The safer choice where other records hang on one: a consent decision is never taken back, so a
contact whose conversation has one, and a parent or carer named in one, stay on the record; a
contact with results, concerns or notes on it is marked only after they are (each says which).
"""

from attachment_app.reminders.services import reminder_cancel

from .entered_in_error import RecordKind, register_kind
from .models import Caregiver, ConsentDecision, ConsentParticipant, Contact, Conversation


def contact_has_consent_decision(contact: Contact) -> str | None:
    if ConsentDecision.objects.filter(conversation__contact=contact).exists():
        return (
            "A consent decision was recorded in the conversation at this contact. Consent "
            "decisions are kept as they were made, so this contact stays on the record."
        )
    return None


def contact_conversation(contact: Contact) -> list[str]:
    if Conversation.objects.filter(contact=contact).exists():
        return ["The conversation started at this contact, still awaiting consent, goes with it."]
    return []


def contact_effects(contact: Contact) -> None:
    from .services import family_refresh_schedule

    for conversation in Conversation.objects.filter(contact=contact):
        reminder_cancel(subject=conversation)
    family_refresh_schedule(family=contact.family)


def contact_schedule(contact: Contact) -> list[str]:
    return ["The family's next mandated contact is worked out again without it."]


def caregiver_in_consent_decision(caregiver: Caregiver) -> str | None:
    if ConsentParticipant.objects.filter(caregiver=caregiver).exists():
        return (
            f"{caregiver.name} is named in a consent decision. Consent decisions are kept as "
            "they were made, so this parent or carer stays on the record. Change their details "
            "instead if they are wrong."
        )
    return None


def records_at_contact(model, one: str, many: str, mark_first: str):
    """A blocker: the contact has records of ``model`` that stand; mark those first."""

    def check(contact: Contact) -> str | None:
        count = model.objects.in_record().filter(contact=contact).count()
        if count:
            named = f"1 {one}" if count == 1 else f"{count} {many}"
            return f"This contact has {named} recorded at it. {mark_first} first."
        return None

    return check


def register() -> None:
    register_kind(
        RecordKind(
            model=Contact,
            noun="contact",
            url_name="contact_entered_in_error",
            url_kwarg="contact_id",
            related=("baby",),
            blockers=[contact_has_consent_decision],
            consequences=[contact_conversation, contact_schedule],
            effects=[contact_effects],
        )
    )
    register_kind(
        RecordKind(
            model=Caregiver,
            noun="parent or carer",
            url_name="caregiver_entered_in_error",
            url_kwarg="caregiver_id",
            blockers=[caregiver_in_consent_decision],
        )
    )
