"""Step 2's reminder: an urgent concern nobody has acknowledged is escalated to the team lead by
the end of the working day, or within 4 hours if sooner (configurable), then every working hour
until someone records the action taken."""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from attachment_app.reminders import recipients, rules, workdays
from attachment_app.reminders.services import reminder_cancel, reminder_schedule

from .models import Concern

UNACKNOWLEDGED = "concern.unacknowledged"


def first_escalation(raised_at: datetime.datetime) -> datetime.datetime:
    """The end of the working day it was raised on, or N hours after, whichever is sooner."""
    within = raised_at + datetime.timedelta(hours=settings.URGENT_CONCERN_ESCALATE_HOURS)
    end_of_day = workdays.end_of_working_day(raised_at, end_hour=settings.WORKING_DAY_END_HOUR)
    return min(within, end_of_day) if end_of_day is not None else within


def schedule_escalation(concern: Concern) -> None:
    """Called when an urgent concern is raised."""
    reminder_schedule(
        rule=UNACKNOWLEDGED, subject=concern, due_at=first_escalation(concern.raised_at)
    )


def cancel_escalation(concern: Concern) -> None:
    """Called when the concern is acknowledged or closed."""
    reminder_cancel(subject=concern, rules_=[UNACKNOWLEDGED])


def check_unacknowledged(reminder) -> rules.Delivery | None:
    concern = Concern.objects.select_related("family").filter(pk=reminder.subject_id).first()
    if (
        concern is None
        or not concern.urgent
        or concern.acknowledged_at is not None
        or concern.closed_at is not None
    ):
        return None
    to = recipients.team_leads(concern.family.team_id)
    if not to:
        return None
    return rules.Delivery(
        recipients=to,
        title="An urgent concern has not been acknowledged",
        link=reverse("concern_acknowledge", args=[concern.pk]),
        next_stage_at=workdays.next_working_hour(
            max(reminder.due_at, timezone.now()),
            start_hour=settings.WORKING_DAY_START_HOUR,
            end_hour=settings.WORKING_DAY_END_HOUR,
        ),
    )


def describe_unacknowledged(reminder, concern: Concern) -> str:
    """In the app (never in the email): the family and the kind of concern."""
    return (
        f"Urgent concern for the {concern.family.name} family "
        f"({concern.category.name.lower()}) has not been acknowledged"
    )


def read_concerns(user, ids) -> dict[int, Concern]:
    """The concerns among ``ids`` the user may see now, for notification texts (one query)."""
    found = Concern.objects.visible_to(user).filter(pk__in=ids).select_related("family", "category")
    return {concern.pk: concern for concern in found}


def register() -> None:
    rules.register(UNACKNOWLEDGED, check_unacknowledged, describe=describe_unacknowledged)
    rules.register_subject_reader(Concern._meta.label_lower, read_concerns)
