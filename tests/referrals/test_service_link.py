"""The service's secure link: the token stored only as a hash, bound to one referral and one
service, expiry, revocation, the emailed code and its lock, and the moves the service may make
through it (from the hand-written policy). Hazards H-052 and H-053."""

import datetime
import hashlib

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from attachment_app.reminders.models import Reminder
from referrals import reminders, services, services_delivery
from referrals.models import ReferralEvent, ServiceLink
from referrals.services_delivery import LinkUnusable
from referrals.workflow import TRANSITIONS, Status
from tests.factories_referrals import ReferralFactory

from .sending import code_in, live_link, make_ready, send_by_email, token_in

pytestmark = pytest.mark.django_db

#: The replies a service may make through its link, written out from the referral policy:
#: (action, from status) -> status it leads to. Everything else is refused to the service.
SERVICE_MOVES = {
    ("acknowledge", Status.SENT): Status.ACKNOWLEDGED,
    ("accept", Status.SENT): Status.ACCEPTED,
    ("accept", Status.ACKNOWLEDGED): Status.ACCEPTED,
    ("decline", Status.SENT): Status.DECLINED,
    ("decline", Status.ACKNOWLEDGED): Status.DECLINED,
    ("complete", Status.ACCEPTED): Status.COMPLETED,
    ("withdraw", Status.ACCEPTED): Status.WITHDRAWN,
}
ACTIONS = sorted({t.action for t in TRANSITIONS})
REPLY = {
    "note": "From the service.",
    "first_contact_on": timezone.localdate() + datetime.timedelta(days=7),
    "decline_reason": "no_capacity",
    "outcome": "completed",
}


@pytest.fixture
def sent(referral, hv, team_lead):
    make_ready(referral, hv, team_lead)
    token = send_by_email(referral, hv)
    return referral, token


def test_the_token_is_long_random_and_stored_only_as_its_hash(sent):
    referral, token = sent
    assert len(token) >= 43  # 32 bytes, 256 bits, in URL-safe base64
    link = live_link(referral)
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM referrals_servicelink")
        assert token not in repr(cursor.fetchall())
    assert services_delivery.service_link_find(token) == link


def test_two_sendings_give_two_different_tokens(family, service, hv, team_lead):
    tokens = set()
    for _ in range(2):
        referral = ReferralFactory(family=family, service=service, created_by=hv)
        make_ready(referral, hv, team_lead)
        tokens.add(send_by_email(referral, hv))
    assert len(tokens) == 2


def test_an_unknown_or_altered_token_opens_nothing(sent):
    _, token = sent
    for wrong in ["x" * 43, token[:-1] + ("A" if token[-1] != "A" else "B"), token + "x"]:
        with pytest.raises(LinkUnusable) as refused:
            services_delivery.service_link_find(wrong)
        assert refused.value.reason == "unknown"


def test_the_link_expires_after_30_days(sent):
    _referral, token = sent
    with time_machine.travel(timezone.now() + datetime.timedelta(days=29, hours=23)):
        assert services_delivery.service_link_find(token)
    with (
        time_machine.travel(timezone.now() + datetime.timedelta(days=30, minutes=1)),
        pytest.raises(LinkUnusable, match="expired"),
    ):
        services_delivery.service_link_find(token)


def test_the_expiry_is_configurable(referral, hv, team_lead, settings):
    settings.SERVICE_LINK_DAYS = 3
    make_ready(referral, hv, team_lead)
    token = send_by_email(referral, hv)
    with (
        time_machine.travel(timezone.now() + datetime.timedelta(days=3, minutes=1)),
        pytest.raises(LinkUnusable, match="expired"),
    ):
        services_delivery.service_link_find(token)


def test_the_link_stops_when_the_referral_is_closed(sent, hv):
    referral, token = sent
    services.referral_transition(
        actor=hv, referral=referral, action="withdraw", note="Moved away.", expected_version=None
    )
    with pytest.raises(LinkUnusable, match="closed"):
        services_delivery.service_link_find(token)


def test_the_team_can_stop_the_link_and_send_a_new_one(sent, hv, team_lead):
    referral, token = sent
    services_delivery.service_link_revoke(actor=team_lead, link=live_link(referral))
    with pytest.raises(LinkUnusable, match="revoked"):
        services_delivery.service_link_find(token)
    mail.outbox.clear()
    link = services_delivery.service_link_reissue(actor=hv, referral=referral)
    assert services_delivery.link_email_send(link.pk) == "sent"
    assert services_delivery.link_email_send(link.pk) == "not needed"
    (email,) = mail.outbox
    new_token = token_in(email.body)
    assert services_delivery.service_link_find(new_token) == link
    with pytest.raises(LinkUnusable):
        services_delivery.service_link_find(token)
    assert ServiceLink.objects.filter(referral=referral, revoked_at__isnull=True).count() == 1


def test_another_team_cannot_stop_or_reissue_the_link(sent, hv_b, team_lead_b):
    referral, _ = sent
    with pytest.raises(PermissionDenied):
        services_delivery.service_link_revoke(actor=team_lead_b, link=live_link(referral))
    with pytest.raises(PermissionDenied):
        services_delivery.service_link_reissue(actor=hv_b, referral=referral)
    assert live_link(referral).revoked_at is None


def _code(link) -> str:
    mail.outbox.clear()
    services_delivery.service_link_send_code(link=link)
    (email,) = mail.outbox
    assert email.to == [link.address]
    return code_in(email.body)


def test_the_code_goes_to_the_services_referral_address_and_opens_once(sent):
    referral, _ = sent
    link = live_link(referral)
    code = _code(link)
    assert len(code) == 6
    assert code.isdigit()
    link.refresh_from_db()
    assert code not in link.code_hash
    assert services_delivery.service_link_check_code(link=link, code=code).opened
    # Each code opens once.
    assert not services_delivery.service_link_check_code(link=link, code=code).opened


def test_five_wrong_codes_lock_the_link_until_the_team_sends_a_new_one(sent, hv):
    referral, token = sent
    link = live_link(referral)
    code = _code(link)
    wrong = "000000" if code != "000000" else "111111"
    for tries_left in (4, 3, 2, 1):
        check = services_delivery.service_link_check_code(link=link, code=wrong)
        assert (check.opened, check.locked, check.tries_left) == (False, False, tries_left)
    check = services_delivery.service_link_check_code(link=link, code=wrong)
    assert check.locked
    # Locked: the right code opens nothing now, and no new code is sent.
    with pytest.raises(LinkUnusable, match="locked"):
        services_delivery.service_link_check_code(link=link, code=code)
    with pytest.raises(LinkUnusable, match="locked"):
        services_delivery.service_link_send_code(link=link)
    with pytest.raises(LinkUnusable, match="locked"):
        services_delivery.service_link_find(token)
    new = services_delivery.service_link_reissue(actor=hv, referral=referral)
    assert _code(new)


def test_a_code_expires_after_15_minutes(sent):
    referral, _ = sent
    link = live_link(referral)
    code = _code(link)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        check = services_delivery.service_link_check_code(link=link, code=code)
    assert (check.opened, check.expired) == (False, True)
    link.refresh_from_db()
    assert link.failed_codes == 0  # an expired code is not a wrong guess


def test_a_new_code_is_not_sent_twice_within_a_minute_and_replaces_the_old(sent):
    referral, _ = sent
    link = live_link(referral)
    first = _code(link)
    with pytest.raises(services_delivery.CodeTooSoon):
        services_delivery.service_link_send_code(link=link)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        second = _code(link)
        if second != first:
            assert not services_delivery.service_link_check_code(link=link, code=first).opened
        assert services_delivery.service_link_check_code(link=link, code=second).opened


def _at(referral, status):
    """Put the referral at ``status`` as the workflow would leave it."""
    fields = {"status": status, "version": referral.version + 1}
    if status == Status.DECLINED:
        fields["decline_reason"] = "other"
    if status == Status.COMPLETED:
        fields["outcome"] = "completed"
    type(referral).objects.filter(pk=referral.pk).update(**fields)
    referral.refresh_from_db()
    return referral


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", ACTIONS)
def test_every_move_for_the_service_is_as_the_policy_says(sent, status, action):
    referral, _ = sent
    link = live_link(referral)
    referral = _at(referral, status)
    events = ReferralEvent.objects.count()
    target = SERVICE_MOVES.get((action, status))
    if target is None:
        with pytest.raises((PermissionDenied, ValidationError)):
            services.referral_transition(
                link=link, referral=referral, action=action, expected_version=None, **REPLY
            )
        assert ReferralEvent.objects.count() == events
        referral.refresh_from_db()
        assert referral.status == status
        return
    moved = services.referral_transition(
        link=link, referral=referral, action=action, expected_version=None, **REPLY
    )
    assert moved.status == target
    event = moved.events.order_by("-pk").first()
    assert (event.actor, event.service_link, event.to_status) == (None, link, target)


def test_the_table_lets_the_service_make_exactly_the_policys_moves():
    table = {(t.action, t.source): t.target for t in TRANSITIONS if t.by_service}
    assert table == SERVICE_MOVES


def test_a_link_opens_only_its_own_referral(sent, family, service, hv, team_lead):
    referral, _ = sent
    other = ReferralFactory(family=family, service=service, created_by=hv)
    make_ready(other, hv, team_lead)
    send_by_email(other, hv)
    with pytest.raises(PermissionDenied):
        services.referral_transition(
            link=live_link(referral), referral=other, action="acknowledge", expected_version=None
        )
    other.refresh_from_db()
    assert other.status == Status.SENT


def test_a_stopped_link_makes_no_move(sent, team_lead):
    referral, _ = sent
    link = services_delivery.service_link_revoke(actor=team_lead, link=live_link(referral))
    with pytest.raises(PermissionDenied):
        services.referral_transition(
            link=link, referral=referral, action="acknowledge", expected_version=None
        )


def test_what_the_service_must_say(sent):
    referral, _ = sent
    link = live_link(referral)
    for action, missing, field in [
        ("decline", {"decline_reason": ""}, "decline_reason"),
        ("decline", {"decline_reason": "because"}, "decline_reason"),
        ("decline", {"note": ""}, "note"),
        ("accept", {"first_contact_on": None}, "first_contact_on"),
        (
            "accept",
            {"first_contact_on": timezone.localdate() - datetime.timedelta(days=1)},
            "first_contact_on",
        ),
    ]:
        with pytest.raises(ValidationError) as refused:
            services.referral_transition(
                link=link,
                referral=referral,
                action=action,
                expected_version=None,
                **(REPLY | missing),
            )
        assert field in refused.value.message_dict, (action, missing)
    referral.refresh_from_db()
    assert referral.status == Status.SENT


def test_two_people_at_the_service_replying_at_once_one_wins(sent):
    referral, _ = sent
    link = live_link(referral)
    opened_on = referral.version
    services.referral_transition(
        link=link, referral=referral, action="acknowledge", expected_version=opened_on
    )
    with pytest.raises(services.StaleReferral) as stale:
        services.referral_transition(
            link=link,
            referral=referral,
            action="decline",
            expected_version=opened_on,
            **REPLY,
        )
    assert "through its secure link" in str(stale.value)
    referral.refresh_from_db()
    assert referral.status == Status.ACKNOWLEDGED


def test_each_reply_notifies_the_health_visitor_and_cancels_the_waiting_reminder(sent, hv):
    referral, _ = sent
    link = live_link(referral)
    services.referral_transition(
        link=link, referral=referral, action="acknowledge", expected_version=None
    )
    services.referral_transition(
        link=link, referral=referral, action="accept", expected_version=None, **REPLY
    )
    replies = Reminder.objects.filter(rule=reminders.REPLY, subject_id=referral.pk)
    assert sorted(r.key.split(":")[1] for r in replies) == ["accepted", "acknowledged"]
    assert all(r.status == Reminder.Status.PENDING for r in replies)
    assert not Reminder.objects.filter(
        rule=reminders.RESPONSE, subject_id=referral.pk, status=Reminder.Status.PENDING
    ).exists()
    delivery = reminders.check_reply(replies.first())
    assert delivery is not None
    assert hv in delivery.recipients
    assert "Smith" not in delivery.title
    assert referral.family.name not in delivery.title


def test_a_reply_recorded_by_the_staff_notifies_nobody(sent, hv):
    referral, _ = sent
    services.referral_transition(
        actor=hv, referral=referral, action="acknowledge", expected_version=None
    )
    assert not Reminder.objects.filter(rule=reminders.REPLY).exists()
