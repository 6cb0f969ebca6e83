"""Writes and reads behind /healthz."""

from datetime import datetime

import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import Heartbeat

SCHEDULER = "scheduler"


def heartbeat_record(*, name: str = SCHEDULER) -> datetime:
    """Record that the periodic task ``name`` has just run."""
    now = timezone.now()
    Heartbeat.objects.update_or_create(name=name, defaults={"last_run_at": now})
    return now


def check_database() -> str:
    """``ok`` if PostgreSQL answers a query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return "unavailable"
    return "ok"


def check_broker() -> str:
    """``ok`` if the Celery broker (Redis) answers within a second."""
    try:
        client = redis.Redis.from_url(
            settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1
        )
        try:
            client.ping()
        finally:
            client.close()
    except Exception:
        return "unavailable"
    return "ok"


def check_scheduler() -> str:
    """``ok`` if the heartbeat ran recently, ``stale`` if not, ``never`` if it never has."""
    try:
        beat = Heartbeat.objects.filter(name=SCHEDULER).first()
    except Exception:
        return "unknown"
    if beat is None:
        return "never"
    if timezone.now() - beat.last_run_at > settings.HEARTBEAT_STALE_AFTER:
        return "stale"
    return "ok"


def health_report() -> dict[str, str]:
    """The status of each part the service needs."""
    return {
        "database": check_database(),
        "broker": check_broker(),
        "scheduler": check_scheduler(),
    }
