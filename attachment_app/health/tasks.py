"""Periodic tasks that prove the scheduler and workers are alive."""

from celery import shared_task

from .services import heartbeat_record


@shared_task(name="health.record_heartbeat", ignore_result=True)
def record_heartbeat() -> str:
    """Store the time this ran; /healthz reports it."""
    return heartbeat_record().isoformat()
