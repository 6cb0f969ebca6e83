"""Celery tasks for the team's bulk FHIR export: thin, idempotent, named, taking ids only."""

from celery import shared_task

from . import bulk


# A team of thousands of families takes minutes, not the default task's one. The hard limit
# stays under ``bulk.STALE_AFTER``, so a build still running is never taken as dead.
@shared_task(
    name="fhir.build_bulk_export", ignore_result=True, soft_time_limit=30 * 60, time_limit=32 * 60
)
def build_bulk_export(export_id: int) -> str:
    """Build one bulk export's files by its id, once however often the message comes."""
    return bulk.bulk_export_build(export_id)


@shared_task(name="fhir.sweep_bulk_exports", ignore_result=True)
def sweep_bulk_exports() -> dict[str, int]:
    """Delete the files whose time is up; hand the worker again any export left waiting."""
    return bulk.bulk_exports_sweep()
