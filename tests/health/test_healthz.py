"""/healthz: open to anyone, says which part is down, and nothing more."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from attachment_app.health.models import Heartbeat
from attachment_app.health.services import SCHEDULER, heartbeat_record


@pytest.mark.django_db
def test_healthy_when_database_broker_and_scheduler_are_ok(client):
    heartbeat_record()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok", "scheduler": "ok"},
    }


@pytest.mark.django_db
def test_unhealthy_before_the_scheduler_has_ever_run(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["scheduler"] == "never"


@pytest.mark.django_db
def test_unhealthy_when_heartbeat_is_stale(client, settings):
    Heartbeat.objects.create(
        name=SCHEDULER,
        last_run_at=timezone.now() - settings.HEARTBEAT_STALE_AFTER - timedelta(seconds=1),
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["scheduler"] == "stale"


@pytest.mark.django_db
@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_unhealthy_when_broker_is_unreachable(client):
    heartbeat_record()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "broker": "unavailable",
        "scheduler": "ok",
    }


@pytest.mark.django_db
def test_healthz_refuses_other_methods(client):
    assert client.post("/healthz").status_code == 405


def test_heartbeat_task_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["health.record_heartbeat"]
    assert entry["task"] == "health.record_heartbeat"
    assert entry["schedule"] < settings.HEARTBEAT_STALE_AFTER
