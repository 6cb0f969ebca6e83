"""The heartbeat goes through a real Celery worker on Redis, not eager mode."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from attachment_app.celery import app
from attachment_app.health.models import Heartbeat
from attachment_app.health.services import SCHEDULER
from attachment_app.health.tasks import record_heartbeat


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_heartbeat_runs_through_a_real_worker():
    assert app.conf.task_always_eager is False
    assert app.conf.broker_url.startswith("redis://")
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        record_heartbeat.delay()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if Heartbeat.objects.filter(name=SCHEDULER).exists():
                break
            time.sleep(0.2)
    assert Heartbeat.objects.filter(name=SCHEDULER).exists()


def test_celery_only_speaks_json():
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_serializer == "json"
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.task_time_limit > app.conf.task_soft_time_limit > 0
