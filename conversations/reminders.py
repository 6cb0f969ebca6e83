"""Step 1's reminder: a conversation with consent given but not completed after 7 days → HV."""

import datetime

from django.urls import reverse

from attachment_app.formatting import format_date
from attachment_app.reminders import recipients, rules
from attachment_app.reminders.services import reminder_cancel, reminder_schedule

from .models import ConsentDecision, Conversation

UNFINISHED = "conversation.unfinished"
UNFINISHED_AFTER = datetime.timedelta(days=7)


def schedule_unfinished(conversation: Conversation, given_at: datetime.datetime) -> None:
    """Called when consent is given: remind the HV if step 1 is still open a week later."""
    reminder_schedule(
        rule=UNFINISHED,
        subject=conversation,
        key=given_at.isoformat(),
        due_at=given_at + UNFINISHED_AFTER,
    )


def cancel_unfinished(conversation: Conversation) -> None:
    """Called when the conversation is completed, or consent is withdrawn or declined."""
    reminder_cancel(subject=conversation, rules_=[UNFINISHED])


def check_unfinished(reminder) -> rules.Delivery | None:
    conversation = (
        Conversation.objects.select_related("family__named_hv", "started_by")
        .filter(pk=reminder.subject_id)
        .first()
    )
    if (
        conversation is None
        or conversation.completed_at is not None
        or conversation.consent_status != ConsentDecision.Decision.GIVEN
    ):
        return None
    family = conversation.family
    to = recipients.health_visitor(family.team_id, conversation.started_by, family.named_hv)
    if not to:
        return None
    return rules.Delivery(
        recipients=to,
        title="A conversation started a week ago is not finished",
        link=reverse("conversation_detail", args=[conversation.pk]),
    )


def describe_unfinished(reminder, conversation: Conversation) -> str:
    """In the app (never in the email): the family and the contact."""
    return (
        f"Conversation with the {conversation.family.name} family at the contact on "
        f"{format_date(conversation.contact.contact_date)} is not finished"
    )


def read_conversations(user, ids) -> dict[int, Conversation]:
    """The conversations among ``ids`` the user may see now, for notification texts (one
    query)."""
    found = (
        Conversation.objects.visible_to(user).filter(pk__in=ids).select_related("family", "contact")
    )
    return {conversation.pk: conversation for conversation in found}


def register() -> None:
    rules.register(UNFINISHED, check_unfinished, describe=describe_unfinished)
    rules.register_subject_reader(Conversation._meta.label_lower, read_conversations)
