"""What needs attention now, whatever the period: urgent concerns to acknowledge, referrals to
review or chase, overdue follow-ups, and reminders nobody has opened."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Subquery

from attachment_app import permissions
from attachment_app.reminders import workdays
from attachment_app.reminders.models import Reminder
from screening.models import Concern

from .. import reminders as referral_reminders
from ..models import FollowUp, Referral
from ..workflow import Status
from .period import LONDON, scoped

#: Items listed under each "needs attention" heading; the heading gives the full count.
ATTENTION_LIMIT = 20


def overdue_follow_ups(*, user, today: datetime.date):
    """Open follow-ups whose due date has passed."""
    return scoped(FollowUp.objects, user).open().filter(due_on__lt=today)


def response_due(sent_at: datetime.datetime, working_days: int) -> datetime.datetime:
    """When a service should have acknowledged a referral sent at ``sent_at``."""
    return workdays.working_days_later(sent_at, working_days)


def _first_response_reminders() -> QuerySet[Reminder]:
    """The "not acknowledged in the service's time" reminder of the referral in the outer query.

    The referral service writes it when the referral is sent, due after the response time the
    service gave then; a referral is sent once (nothing leads back from sent), and the row keeps
    its due time whether it was sent, cancelled for want of a recipient, or is still waiting.
    """
    return Reminder.objects.filter(
        rule=referral_reminders.RESPONSE,
        subject_type=Referral._meta.label_lower,
        subject_id=OuterRef("pk"),
        stage=1,
    )


def overdue_responses(*, user, now: datetime.datetime) -> QuerySet[Referral]:
    """Referrals sent and not acknowledged by the end of the response time their service gave
    when they were sent: the due time of their first response reminder."""
    return scoped(Referral.objects, user).filter(
        Exists(_first_response_reminders().filter(due_at__lt=now)), status=Status.SENT
    )


@dataclass
class AttentionList:
    """The first few of a list, and how many there are in all."""

    items: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def _first(queryset) -> AttentionList:
    # Always counted, so the page's number of queries does not depend on how much there is.
    return AttentionList(items=list(queryset[:ATTENTION_LIMIT]), total=queryset.count())


def needs_attention(*, user, now: datetime.datetime) -> dict:
    """Urgent concerns to acknowledge, referrals to review or chase, and overdue follow-ups."""
    today = now.astimezone(LONDON).date()
    urgent = _first(
        scoped(Concern.objects, user)
        .awaiting_acknowledgement()
        .select_related("family", "category")
        .order_by("raised_at", "pk")
    )
    review = _first(
        scoped(Referral.objects, user)
        .awaiting_review()
        .select_related("family", "service", "created_by")
    )
    late = _first(
        overdue_responses(user=user, now=now)
        .annotate(
            response_due=Subquery(_first_response_reminders().order_by("-pk").values("due_at")[:1])
        )
        .select_related("family", "service")
        .order_by("sent_at", "pk")
    )
    follow_ups = _first(
        overdue_follow_ups(user=user, today=today).select_related("family").order_by("due_on", "pk")
    )
    return {
        "urgent_concerns": urgent,
        "awaiting_review": review,
        "late_responses": late,
        "overdue_follow_ups": follow_ups,
        "reminders_by_hv": unread_reminders_by_hv(user=user),
    }


def unread_reminders_by_hv(*, user) -> list[dict]:
    """Each health visitor's reminders (things now overdue) they have not opened yet: for a team
    lead, every HV of the team; for an HV, their own. One aggregate query."""
    people = permissions.health_visitors(user.team_id)
    if not permissions.sees_team_figures(user):
        people = people.filter(pk=user.pk)
    unread = Q(notifications__read_at__isnull=True, notifications__reminder__isnull=False)
    rows = (
        people.annotate(
            unread=Count("notifications", filter=unread),
            oldest=Min("notifications__created_at", filter=unread),
        )
        .filter(unread__gt=0)
        .order_by("-unread", "last_name", "first_name", "pk")
        .values("pk", "first_name", "last_name", "username", "unread", "oldest")
    )
    return [dict(row) for row in rows]
