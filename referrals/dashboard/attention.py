"""What needs attention now, whatever the period: urgent concerns to acknowledge, referrals to
review or chase, overdue follow-ups, and reminders nobody has opened."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Min, Q

from attachment_app import permissions
from attachment_app.reminders import workdays
from screening.models import Concern

from ..models import FollowUp, Referral, Service
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


def _sent_before_due_passed(working_days: int, now: datetime.datetime) -> Q:
    """Referrals sent at a moment whose response time (``working_days``) ended before ``now``.

    The due moment is the same time of day ``working_days`` working days after sending, and it
    never goes down as the sending moment goes up. So the days sent on fall into three runs:
    every day up to ``last_late`` is overdue whatever the time, the days whose due day is today
    are overdue if sent earlier in the day than now, and later days are not overdue.
    """
    local = now.astimezone(LONDON)
    today = local.date()
    day = today
    due_today_until = None
    # A response time is at most a few weeks, so this walks back a bounded number of days.
    for _ in range(400):
        due = workdays.add_working_days(day, working_days)
        if due < today:
            break
        if due == today and due_today_until is None:
            due_today_until = day
        day -= datetime.timedelta(days=1)
    last_late = day

    def midnight_after(value: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(
            value + datetime.timedelta(days=1), datetime.time(), tzinfo=LONDON
        )

    late = Q(sent_at__lt=midnight_after(last_late))
    if due_today_until is not None:
        late |= Q(
            sent_at__gte=midnight_after(last_late),
            sent_at__lt=midnight_after(due_today_until),
            sent_at__time__lt=local.time(),
        )
    return late


def overdue_responses(*, user, now: datetime.datetime):
    """Referrals sent and not acknowledged by the end of their service's response time.

    Worked out from the service's response time now, not read from the reminder rows: those keep
    the time given when the referral was sent, and count 0 working days as the default (see
    ``tests/referrals/test_dashboard_late_responses.py``).
    """
    default: int = settings.DEFAULT_RESPONSE_WORKING_DAYS
    days_in_use = set(
        Service.objects.filter(
            referrals__in=scoped(Referral.objects, user).filter(status=Status.SENT)
        )
        .values_list("response_working_days", flat=True)
        .distinct()
    )
    # Matches nothing yet still runs (unlike pk__in=[]), so the page's query count is the same
    # whether or not any referral is waiting for a service.
    late = Q(sent_at__lt=datetime.datetime(2000, 1, 1, tzinfo=LONDON))
    for days in days_in_use:
        working_days = days if days is not None else default
        if working_days is None:
            continue
        same_time = (
            Q(service__response_working_days=days)
            if days is not None
            else Q(service__response_working_days__isnull=True)
        )
        late |= same_time & _sent_before_due_passed(working_days, now)
    return scoped(Referral.objects, user).filter(late, status=Status.SENT)


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
        .select_related("family", "service")
        .order_by("sent_at", "pk")
    )
    default: int = settings.DEFAULT_RESPONSE_WORKING_DAYS
    for referral in late.items:
        days = referral.service.response_working_days or default
        referral.response_due = response_due(referral.sent_at, days)
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
