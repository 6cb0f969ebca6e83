"""Helpers for the tests of sending a referral and of the service's link."""

import re

from django.core import mail

from referrals import services, services_delivery
from referrals.models import ServiceLink

LINK = re.compile(r"/s/([A-Za-z0-9_-]+)/")
CODE = re.compile(r"Your code is (\d{6})")


def make_ready(referral, hv, team_lead):
    """Submit the referral as the health visitor and approve it as the team lead."""
    services.referral_transition(
        actor=hv, referral=referral, action="submit", expected_version=None
    )
    return services.referral_transition(
        actor=team_lead, referral=referral, action="approve", expected_version=None
    )


def send_by_email(referral, hv) -> str:
    """Send a ready referral by email, running the worker's task here; the link's token."""
    mail.outbox.clear()
    delivery = services_delivery.referral_send_by_email(
        actor=hv, referral=referral, expected_version=None
    )
    services_delivery.delivery_send(delivery.pk)
    referral.refresh_from_db()
    return token_in(mail.outbox[-1].body)


def token_in(body: str) -> str:
    found = LINK.search(body)
    assert found, body
    return found.group(1)


def code_in(body: str) -> str:
    found = CODE.search(body)
    assert found, body
    return found.group(1)


def live_link(referral) -> ServiceLink:
    return ServiceLink.objects.get(referral=referral, revoked_at__isnull=True)
