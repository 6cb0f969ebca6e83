"""Celery tasks for submissions and drafts: thin, idempotent, named."""

from celery import shared_task

from . import services


@shared_task(name="submissions.purge", ignore_result=True)
def purge() -> tuple[int, int]:
    """Delete drafts past a week and submission keys past a month."""
    return services.submissions_purge()
