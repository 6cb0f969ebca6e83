"""Celery tasks for reminders: thin, idempotent, named, taking ids only."""

from celery import shared_task

from . import services


@shared_task(name="reminders.sweep_reminders", ignore_result=True)
def sweep_reminders() -> int | None:
    """Enqueue a send task for every due reminder (one sweep at a time, anywhere)."""
    return services.reminders_sweep()


@shared_task(
    name="reminders.send_reminder",
    ignore_result=True,
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def send_reminder(reminder_id: int) -> str:
    """Send one reminder at most once; a transient failure is retried with backoff."""
    return services.reminder_send(reminder_id)
