"""`manage.py health`, the web container's healthcheck, under the real production settings."""

import json
import subprocess
import sys
from datetime import timedelta
from urllib.parse import quote

import pytest
import yaml
from django.conf import settings
from django.db import connection
from django.utils import timezone

from attachment_app.health.models import Heartbeat
from attachment_app.health.services import SCHEDULER, heartbeat_record
from tests.test_security import production_env


def test_database_url() -> str:
    """The URL of the database this test uses (the test database, not the configured one)."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = quote(db["HOST"] or "127.0.0.1", safe="")
    return f"postgres://{user}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


def run_health(**overrides):
    env = production_env(DATABASE_URL=test_database_url(), REDIS_URL=settings.REDIS_URL)
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "health"],
        cwd=settings.BASE_DIR,
        env={key: value for key, value in env.items() if value is not None},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


@pytest.mark.django_db(transaction=True)
def test_health_command_passes_under_production_settings():
    heartbeat_record()
    result = run_health()
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok", "scheduler": "ok"},
    }


@pytest.mark.django_db(transaction=True)
def test_health_command_fails_and_names_a_stale_scheduler():
    Heartbeat.objects.create(name=SCHEDULER, last_run_at=timezone.now() - timedelta(hours=1))
    result = run_health()
    assert result.returncode == 1
    assert json.loads(result.stdout)["checks"]["scheduler"] == "stale"


@pytest.mark.django_db(transaction=True)
def test_health_command_fails_when_the_broker_is_down():
    heartbeat_record()
    result = run_health(REDIS_URL="redis://127.0.0.1:1/0")
    assert result.returncode == 1
    assert json.loads(result.stdout)["checks"]["broker"] == "unavailable"


def test_the_web_containers_healthcheck_is_the_health_command():
    compose = yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())
    assert compose["services"]["web"]["healthcheck"]["test"] == [
        "CMD",
        "python",
        "manage.py",
        "health",
    ]
