"""Step 3's reminders, scheduled and cancelled by the referral and follow-up services.

- A submitted referral not reviewed within 2 working days → the team leads.
- A sent referral not acknowledged within the service's response time (working days) → the HV;
  still not after twice that → the HV and the team leads.
- A follow-up due tomorrow → the HV; overdue → the HV and the team leads.
- A referral returned by a team lead → at once, the HV who submitted it.
- A referral ready to send and not sent within 1 working day → the HV and the team leads.
- A reply from the service through its secure link → at once, the HV (one per reply).

Titles (which go into emails too) name no family; in the app, ``describe_*`` name the family,
the service and the follow-up, read at display time through ``visible_to`` (see
``attachment_app.reminders.rules``).

Each reminder's ``key`` is the moment its occurrence began (the submission, the sending, the due
date), so a referral submitted again gets a new reminder and the old one is never sent.
"""

import datetime

from django.conf import settings
from django.urls import reverse

from attachment_app.formatting import format_date
from attachment_app.reminders import recipients, rules, workdays
from attachment_app.reminders.services import reminder_cancel, reminder_schedule

from .models import FollowUp, Referral, ReferralEvent
from .workflow import Status

REVIEW = "referral.review"
RESPONSE = "referral.response"
RETURNED = "referral.returned"
UNSENT = "referral.unsent"
REPLY = "referral.reply"
FOLLOW_UP_TOMORROW = "follow_up.due_tomorrow"
FOLLOW_UP_OVERDUE = "follow_up.overdue"

REVIEW_WITHIN_WORKING_DAYS = 2
SEND_WITHIN_WORKING_DAYS = 1
#: When follow-up reminders go out, London time.
FOLLOW_UP_REMINDER_HOUR = 9


def response_working_days(referral: Referral) -> int:
    """The service's response time, or the default where its entry states none (never 0)."""
    days = referral.service.response_working_days
    return settings.DEFAULT_RESPONSE_WORKING_DAYS if days is None else days


def referral_changed(referral: Referral, event: ReferralEvent | None = None) -> None:
    """Called by every change of a referral's status: drop what no longer applies, add what now
    does. A reply from the service is told to the health visitor whatever happens next, so its
    notification is never cancelled by the next change."""
    reminder_cancel(subject=referral, rules_=[REVIEW, RESPONSE, RETURNED, UNSENT])
    if event is not None and event.service_link_id is not None:
        # The key names the reply's event and what it did, so the notification's words need
        # no query of their own.
        reminder_schedule(
            rule=REPLY, subject=referral, key=f"{event.pk}:{event.to_status}", due_at=event.at
        )
    if referral.status == Status.READY:
        reminder_schedule(
            rule=UNSENT,
            subject=referral,
            key=referral.status_changed_at.isoformat(),
            due_at=workdays.working_days_later(
                referral.status_changed_at, SEND_WITHIN_WORKING_DAYS
            ),
        )
    elif referral.status == Status.RETURNED:
        # Due now: the next sweep (every couple of minutes) tells the HV.
        reminder_schedule(
            rule=RETURNED,
            subject=referral,
            key=referral.status_changed_at.isoformat(),
            due_at=referral.status_changed_at,
        )
    elif referral.status == Status.SUBMITTED:
        reminder_schedule(
            rule=REVIEW,
            subject=referral,
            key=referral.submitted_at.isoformat(),
            due_at=workdays.working_days_later(referral.submitted_at, REVIEW_WITHIN_WORKING_DAYS),
        )
    elif referral.status == Status.SENT:
        days = response_working_days(referral)
        for stage, multiple in ((1, 1), (2, 2)):
            reminder_schedule(
                rule=RESPONSE,
                subject=referral,
                key=referral.sent_at.isoformat(),
                stage=stage,
                due_at=workdays.working_days_later(referral.sent_at, days * multiple),
            )


def _referral(reminder) -> Referral | None:
    return (
        Referral.objects.select_related("family__named_hv", "created_by", "service")
        .filter(pk=reminder.subject_id)
        .first()
    )


def check_review(reminder) -> rules.Delivery | None:
    referral = _referral(reminder)
    if (
        referral is None
        or referral.status != Status.SUBMITTED
        or referral.submitted_at.isoformat() != reminder.key
    ):
        return None
    to = recipients.team_leads(referral.family.team_id)
    if not to:
        return None
    return rules.Delivery(
        recipients=to,
        title="A referral has waited 2 working days for your review",
        link=reverse("referral_detail", args=[referral.pk]),
    )


def check_response(reminder) -> rules.Delivery | None:
    referral = _referral(reminder)
    if (
        referral is None
        or referral.status != Status.SENT
        or referral.sent_at.isoformat() != reminder.key
    ):
        return None
    family = referral.family
    to = recipients.health_visitor(family.team_id, referral.created_by, family.named_hv)
    if reminder.stage >= 2:
        to = recipients.unique(to, recipients.team_leads(family.team_id))
    if not to:
        return None
    return rules.Delivery(
        recipients=to,
        title="A service has not acknowledged a referral in its expected time"
        if reminder.stage == 1
        else "A referral is still unacknowledged after twice the service's expected time",
        link=reverse("referral_detail", args=[referral.pk]),
    )


def check_returned(reminder) -> rules.Delivery | None:
    referral = _referral(reminder)
    if (
        referral is None
        or referral.status != Status.RETURNED
        or referral.status_changed_at.isoformat() != reminder.key
    ):
        return None
    family = referral.family
    submitter = (
        referral.events.filter(kind="transition", to_status=Status.SUBMITTED)
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )
    to = recipients.health_visitor(
        family.team_id,
        submitter.actor if submitter is not None else None,
        referral.created_by,
        family.named_hv,
    )
    if not to:
        return None
    return rules.Delivery(
        recipients=to,
        title="A referral you submitted was returned to you with a comment",
        link=reverse("referral_detail", args=[referral.pk]),
    )


def check_unsent(reminder) -> rules.Delivery | None:
    referral = _referral(reminder)
    if (
        referral is None
        or referral.status != Status.READY
        or referral.status_changed_at.isoformat() != reminder.key
    ):
        return None
    family = referral.family
    to = recipients.unique(
        recipients.health_visitor(family.team_id, referral.created_by, family.named_hv),
        recipients.team_leads(family.team_id),
    )
    if not to:
        return None
    return rules.Delivery(
        recipients=to,
        title="A referral ready to send has not been sent",
        link=reverse("referral_detail", args=[referral.pk]),
    )


#: What a service's reply did, for the health visitor's notification.
REPLY_WORDS = {
    Status.ACKNOWLEDGED: "acknowledged",
    Status.ACCEPTED: "accepted",
    Status.DECLINED: "declined",
    Status.COMPLETED: "recorded the outcome of",
    Status.WITHDRAWN: "withdrew",
}


def _reply_event(reminder) -> ReferralEvent | None:
    event_id = reminder.key.partition(":")[0]
    if not event_id.isdigit():
        return None
    return (
        ReferralEvent.objects.filter(
            pk=int(event_id), referral_id=reminder.subject_id, service_link__isnull=False
        )
        .select_related("referral__family__named_hv", "referral__created_by")
        .first()
    )


def check_reply(reminder) -> rules.Delivery | None:
    event = _reply_event(reminder)
    if event is None:
        return None
    referral = event.referral
    family = referral.family
    to = recipients.health_visitor(family.team_id, referral.created_by, family.named_hv)
    if not to:
        to = recipients.team_leads(family.team_id)
    if not to:
        return None
    return rules.Delivery(
        recipients=to,
        title="A service has replied to a referral",
        link=reverse("referral_detail", args=[referral.pk]),
    )


def _family(subject) -> str:
    return f"the {subject.family.name} family"


def describe_review(reminder, referral: Referral) -> str:
    return (
        f"Referral for {_family(referral)} to {referral.service.name} has waited "
        f"{REVIEW_WITHIN_WORKING_DAYS} working days for your review"
    )


def describe_response(reminder, referral: Referral) -> str:
    if reminder.stage >= 2:
        return (
            f"Referral for {_family(referral)} to {referral.service.name} is still "
            "unacknowledged after twice the service's expected time"
        )
    return (
        f"{referral.service.name} has not acknowledged the referral for {_family(referral)} "
        "in its expected time"
    )


def describe_returned(reminder, referral: Referral) -> str:
    return (
        f"Referral for {_family(referral)} to {referral.service.name} was returned to you: "
        "see what needs changing"
    )


def describe_unsent(reminder, referral: Referral) -> str:
    return (
        f"Referral for {_family(referral)} to {referral.service.name} is ready to send but "
        "has not been sent"
    )


def describe_reply(reminder, referral: Referral) -> str:
    # The referral may have moved on since: the words are the reply's, from the key.
    words = REPLY_WORDS.get(reminder.key.partition(":")[2], "replied to")
    return f"{referral.service.name} {words} the referral for {_family(referral)}"


#: Enough of a follow-up's purpose to recognise it in a list.
PURPOSE_SHOWN = 80


def _purpose(follow_up: FollowUp) -> str:
    purpose = follow_up.purpose
    return purpose if len(purpose) <= PURPOSE_SHOWN else purpose[: PURPOSE_SHOWN - 1] + "\u2026"


def describe_follow_up_tomorrow(reminder, follow_up: FollowUp) -> str:
    return f"Follow-up with {_family(follow_up)} is due tomorrow: {_purpose(follow_up)}"


def describe_follow_up_overdue(reminder, follow_up: FollowUp) -> str:
    return (
        f"Follow-up with {_family(follow_up)} is overdue (due {format_date(follow_up.due_on)}): "
        f"{_purpose(follow_up)}"
    )


def read_referrals(user, ids) -> dict[int, Referral]:
    """The referrals among ``ids`` the user may see now, for notification texts (one query)."""
    found = Referral.objects.visible_to(user).filter(pk__in=ids).select_related("family", "service")
    return {referral.pk: referral for referral in found}


def read_follow_ups(user, ids) -> dict[int, FollowUp]:
    """The follow-ups among ``ids`` the user may see now (one query)."""
    found = FollowUp.objects.visible_to(user).filter(pk__in=ids).select_related("family")
    return {follow_up.pk: follow_up for follow_up in found}


def follow_up_planned(follow_up: FollowUp, today: datetime.date) -> None:
    """Called when a follow-up is planned."""
    key = follow_up.due_on.isoformat()
    if follow_up.due_on > today:
        reminder_schedule(
            rule=FOLLOW_UP_TOMORROW,
            subject=follow_up,
            key=key,
            due_at=workdays.at(
                follow_up.due_on - datetime.timedelta(days=1), FOLLOW_UP_REMINDER_HOUR
            ),
        )
    reminder_schedule(
        rule=FOLLOW_UP_OVERDUE,
        subject=follow_up,
        key=key,
        due_at=workdays.at(follow_up.due_on + datetime.timedelta(days=1), FOLLOW_UP_REMINDER_HOUR),
    )


def follow_up_closed(follow_up: FollowUp) -> None:
    reminder_cancel(subject=follow_up)


def _check_follow_up(reminder, *, overdue: bool) -> rules.Delivery | None:
    follow_up = (
        FollowUp.objects.select_related("family__named_hv", "planned_by")
        .filter(pk=reminder.subject_id)
        .first()
    )
    if follow_up is None or not follow_up.is_open or follow_up.due_on.isoformat() != reminder.key:
        return None
    family = follow_up.family
    to = recipients.health_visitor(family.team_id, family.named_hv, follow_up.planned_by)
    if overdue:
        to = recipients.unique(to, recipients.team_leads(family.team_id))
    if not to:
        return None
    return rules.Delivery(
        recipients=to,
        title="A follow-up contact is overdue"
        if overdue
        else "A follow-up contact is due tomorrow",
        link=reverse("family_detail", args=[family.pk]) + "#support",
    )


def check_follow_up_tomorrow(reminder):
    return _check_follow_up(reminder, overdue=False)


def check_follow_up_overdue(reminder):
    return _check_follow_up(reminder, overdue=True)


def register() -> None:
    rules.register(REVIEW, check_review, describe=describe_review)
    rules.register(RESPONSE, check_response, describe=describe_response)
    rules.register(RETURNED, check_returned, describe=describe_returned)
    rules.register(UNSENT, check_unsent, describe=describe_unsent)
    rules.register(REPLY, check_reply, describe=describe_reply)
    rules.register(
        FOLLOW_UP_TOMORROW, check_follow_up_tomorrow, describe=describe_follow_up_tomorrow
    )
    rules.register(FOLLOW_UP_OVERDUE, check_follow_up_overdue, describe=describe_follow_up_overdue)
    rules.register_subject_reader(Referral._meta.label_lower, read_referrals)
    rules.register_subject_reader(FollowUp._meta.label_lower, read_follow_ups)
