"""A referral emailed through a real Celery worker on Redis (not eager mode): one email to the
service, after commit, and the referral sent only then."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.core.exceptions import ValidationError

from attachment_app.celery import app
from referrals import services_delivery
from referrals.models import ReferralDelivery
from referrals.workflow import Status
from tests.factories_referrals import ReferralFactory

from .sending import make_ready

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_referral_is_emailed_once_through_a_real_worker(family, service, hv, team_lead):
    assert app.conf.task_always_eager is False
    # No concern linked: a flushed database (transaction=True) has no concern categories.
    referral = ReferralFactory(family=family, service=service, created_by=hv)
    ready = make_ready(referral, hv, team_lead)
    mail.outbox.clear()
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        services_delivery.referral_send_by_email(actor=hv, referral=ready, expected_version=None)
        assert wait_for(lambda: ReferralDelivery.objects.filter(status="sent").exists()), (
            "the worker did not send the referral"
        )
        # Sent: the sweep has nothing to hand on, and it cannot be sent again.
        assert services_delivery.deliveries_sweep() == 0
        with pytest.raises(ValidationError):
            services_delivery.referral_send_by_email(
                actor=hv, referral=ready, expected_version=None
            )
    ready.refresh_from_db()
    assert ready.status == Status.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [ready.service.email]
