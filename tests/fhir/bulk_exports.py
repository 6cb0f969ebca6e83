"""Helpers for the bulk export's tests: asking, building in the test's own process, reading the
files back, and moving the change history into the past."""

import datetime
import gzip
import json

import pgtrigger
from django.db.models import F
from django.utils import timezone

from attachment_app.fhir import bulk
from attachment_app.fhir.models import BulkExport


def ask(lead, *, days_back: int = 30) -> BulkExport:
    """Ask, as ``lead``, for the families changed in the last ``days_back`` days."""
    since = timezone.localdate() - datetime.timedelta(days=days_back)
    return bulk.bulk_export_request(actor=lead, since=since)


def built(export: BulkExport) -> BulkExport:
    """Build the export here, as the worker would; it must succeed."""
    outcome = bulk.bulk_export_build(export.pk)
    export.refresh_from_db()
    assert outcome == "done", export.problem
    return export


def ndjson_lines(content: bytes) -> list[dict]:
    """An NDJSON file's resources: each line one JSON object, and nothing else."""
    text = content.decode()
    assert text.endswith("\n") or text == ""
    return [json.loads(line) for line in text.splitlines()]


def read_files(export: BulkExport) -> dict[str, list[dict]]:
    """Each file's resources, by resource type, as stored."""
    return {
        export_file.resource_type: ndjson_lines(gzip.decompress(bytes(export_file.content)))
        for export_file in export.files.all()
    }


def keys(files: dict[str, list[dict]]) -> set[tuple[str, str]]:
    """Every (resource type, id) in the files."""
    return {
        (resource["resourceType"], resource["id"]) for lines in files.values() for resource in lines
    }


def history_moved_back(days: int) -> None:
    """Move every change-history row written so far ``days`` back. The database stamps those
    rows with its own clock, which time-machine does not move; their tables refuse changes,
    so their append-only triggers are set aside for this alone."""
    models = [model for model, _ in bulk._family_history_models()]
    with pgtrigger.ignore(*[f"{model._meta.label}:append_only" for model in models]):
        for model in models:
            model.objects.update(pgh_created_at=F("pgh_created_at") - datetime.timedelta(days))
