"""Reads for step 2 at one contact: the contact in scope, and what can be and was recorded at it.

Each starts from ``visible_to(user)``, so another team's contact is a 404.
"""

from typing import Any

from django.shortcuts import get_object_or_404

from conversations.models import ConsentDecision, Contact, Conversation

from .models import Concern, Observation, ScreeningResult
from .selectors_instruments import current_definitions

#: Consent decisions that mean the parent is not having the relationship conversation.
NOT_TAKING_PART = (
    ConsentDecision.Decision.DECLINED,
    ConsentDecision.Decision.DEFERRED,
    ConsentDecision.Decision.WITHDRAWN,
)


def contact_for_page(*, user, contact_id: int) -> Contact:
    """One visible contact with its family and baby (404 if not visible to the user)."""
    return get_object_or_404(
        Contact.objects.visible_to(user).select_related("family", "baby"), pk=contact_id
    )


def step_two_at_contact(*, user, contact: Contact) -> dict[str, Any]:
    """What the contact's step 2 page offers and lists: the instruments offered now, by kind,
    what was recorded at the contact, and whether the parent is not having the conversation.

    Step 2 is open whatever was decided about the conversation; the page only says so.
    """
    definitions = current_definitions()
    conversation = Conversation.objects.visible_to(user).filter(contact=contact).first()
    return {
        "conversation": conversation,
        "conversation_declined": (
            conversation is not None and conversation.consent_status in NOT_TAKING_PART
        ),
        "questionnaires": [row for row in definitions if row.kind == "items"],
        "observational": [row for row in definitions if row.kind == "result_only"],
        "results": list(
            ScreeningResult.objects.visible_to(user)
            .in_record()
            .filter(contact=contact)
            .select_related("definition", "superseded_by")
        ),
        "concerns": list(
            Concern.objects.visible_to(user)
            .in_record()
            .filter(contact=contact)
            .select_related("category")
        ),
        "observations": list(
            Observation.objects.visible_to(user).in_record().filter(contact=contact)
        ),
    }
