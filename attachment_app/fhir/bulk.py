"""A team lead's bulk export: the team's families changed since a date, as FHIR Bulk Data files.

The files follow the FHIR Bulk Data Access specification's output: NDJSON (one resource on
each line), one file for each resource type, served as ``application/fhir+ndjson``. A request
is a ``BulkExport`` row, built in the worker by its id (``fhir.build_bulk_export``):

- the worker claims the row with a conditional update, so a message delivered twice builds it
  once; a claim older than ``STALE_AFTER`` is taken as a worker that died, and may be claimed
  again (the first one's files, if it ever finishes, are then thrown away);
- the families are read in batches through ``loading.load_family_records`` and each family's
  resources come from ``mapping.family_resources``, the same mapping the single-family download
  uses. Resources several families share (a practitioner, a service, a questionnaire) come
  once, the first time; the same id with different content stops the export;
- progress (families done of the total) is written after each batch, for the progress page;
  the files, the "done" and the access-log row are written together at the end;
- each file can be downloaded once, by the team lead who asked, until ``expires_at``; the
  sweep (``fhir.sweep_bulk_exports``) deletes the files then, and hands the worker again any
  export whose message was lost.

The worker reads the families as the team lead who asked (``visible_to``), checked again when
it runs: a team lead who has since moved team or left gets nothing.
"""

import datetime
import hashlib
import json
import logging
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial

from celery.exceptions import SoftTimeLimitExceeded
from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from pghistory.models import Event

from attachment_app import permissions
from attachment_app.accounts.models import User
from attachment_app.audit.models import AccessLog
from attachment_app.audit.services import access_record
from attachment_app.formatting import format_date
from conversations.models import ConsentDecision, Family
from referrals.models import ReferralEvent

from . import loading, mapping
from .models import BulkExport, BulkExportFile

logger = logging.getLogger(__name__)

#: Families loaded and mapped together: each batch is a fixed number of queries.
BATCH = 200
#: A claim this old on an export still being built is taken as a worker that died: longer than
#: the task's hard time limit (``tasks.build_bulk_export``), so a live build is never taken over.
STALE_AFTER = datetime.timedelta(minutes=40)
#: An export still waiting this long after it was asked for has lost its message to the worker.
REHAND_AFTER = datetime.timedelta(minutes=10)
#: No export reaches back before this: no record here is older.
EARLIEST = datetime.date(2000, 1, 1)
#: The first key of the advisory lock that lets one team lead ask for one export at a time.
REQUEST_LOCK = 0x5EED_0018
#: Read and decompressed this many bytes at a time while a file is downloaded.
CHUNK = 256 * 1024


class ExportProblem(Exception):
    """The export cannot be built; the message says why, without personal data."""


class FileGone(Exception):
    """A file that cannot be downloaded (again): ``reason`` is "downloaded" or "expired"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def keep_for() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.FHIR_BULK_EXPORT_KEEP_HOURS)


def _enqueue(export_id: int) -> None:
    """Hand an export to the worker (after commit); a broker that is down is logged: the sweep
    hands it on again."""
    from . import tasks

    try:
        tasks.build_bulk_export.delay(export_id)
    except Exception as error:
        logger.warning("The broker refused bulk export %s (%r)", export_id, error)


# --- Asking ---------------------------------------------------------------------------------


def bulk_export_request(*, actor: User, since: datetime.date) -> BulkExport:
    """Ask for an export of the team's families changed since ``since``, built in the worker."""
    team_id = actor.team_id
    if not permissions.may_bulk_export(actor) or team_id is None:
        raise PermissionDenied("Only team leads export their team's records.")
    today = timezone.localdate()
    if since > today:
        raise ValidationError({"since": "The date must be today or in the past"})
    if since < EARLIEST:
        raise ValidationError({"since": f"The date must be on or after {format_date(EARLIEST)}"})
    with transaction.atomic():
        # One export at a time for each team lead: a request sent twice at once waits here.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [REQUEST_LOCK, actor.pk])
        waiting = BulkExport.objects.visible_to(actor).filter(
            status__in=[BulkExport.Status.QUEUED, BulkExport.Status.RUNNING]
        )
        if waiting.exists():
            raise ValidationError(
                "An export you asked for is still being built. Wait for it to finish, then ask "
                "for another."
            )
        export = BulkExport.objects.create(
            team_id=team_id,
            requested_by=actor,
            since=since,
            expires_at=timezone.now() + keep_for(),
        )
        transaction.on_commit(partial(_enqueue, export.pk))
    return export


# --- Which families -------------------------------------------------------------------------


def _family_history_models() -> list[tuple[type[Event], str]]:
    """The change-history (pghistory) models of the family and of every record of a family,
    each with the field that names the family."""
    found = []
    for model in apps.get_models():
        tracked = getattr(model, "pgh_tracked_model", None)
        if not issubclass(model, Event) or tracked is None:
            continue
        if tracked is Family:
            found.append((model, "pgh_obj_id"))
            continue
        family = next(
            (
                one
                for one in tracked._meta.concrete_fields
                if one.name == "family" and one.related_model is Family
            ),
            None,
        )
        if family is not None:
            found.append((model, "family_id"))
    return sorted(found, key=lambda pair: pair[0]._meta.label)


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in London, as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def families_changed_since(families: QuerySet, since: datetime.date) -> QuerySet:
    """Of ``families``, those that were added or changed, or any of whose records was, on or
    after the start of ``since`` (London time).

    Every change to a family or one of its records leaves a row in its change history, whoever
    made it and however (a bulk update too: the history is kept by triggers); consent decisions
    and referral events are append-only rows with their own time. One query, with a semi-join
    on each of those tables.
    """
    start = day_start(since)
    changed = Q(updated_at__gte=start)
    for model, family_field in _family_history_models():
        changed |= Q(pk__in=model.objects.filter(pgh_created_at__gte=start).values(family_field))
    changed |= Q(
        pk__in=ConsentDecision.objects.filter(recorded_at__gte=start).values(
            "conversation__family_id"
        )
    )
    changed |= Q(pk__in=ReferralEvent.objects.filter(at__gte=start).values("referral__family_id"))
    return families.filter(changed)


# --- Building -------------------------------------------------------------------------------


@dataclass
class _File:
    """One resource type's NDJSON, compressed as it is written."""

    compressor: "zlib._Compress" = field(default_factory=lambda: zlib.compressobj(6, wbits=31))
    chunks: list[bytes] = field(default_factory=list)
    lines: int = 0
    size: int = 0
    family_ids: set[int] = field(default_factory=set)

    def write(self, line: bytes) -> None:
        self.chunks.append(self.compressor.compress(line))
        self.lines += 1
        self.size += len(line)

    def content(self) -> bytes:
        self.chunks.append(self.compressor.flush())
        return b"".join(self.chunks)


class NdjsonFiles:
    """The files of one export, one for each resource type, each resource written once."""

    def __init__(self) -> None:
        self.files: dict[str, _File] = {}
        #: (type, id) -> a digest of the line written, to tell a shared resource from a clash.
        self.seen: dict[tuple[str, str], bytes] = {}

    def add(self, family_id: int, resources: Iterable[dict]) -> None:
        """Write one family's resources; one already written (shared) is left out."""
        for resource in resources:
            kind, resource_id = resource["resourceType"], resource["id"]
            file = self.files.get(kind)
            if file is None:
                file = self.files[kind] = _File()
            file.family_ids.add(family_id)
            line = json.dumps(resource, ensure_ascii=False, separators=(",", ":")).encode()
            digest = hashlib.blake2b(line, digest_size=16).digest()
            written = self.seen.get((kind, resource_id))
            if written is not None:
                if written != digest:
                    raise ExportProblem(
                        f"Two different {kind} resources have the same id: nothing was exported."
                    )
                continue
            self.seen[(kind, resource_id)] = digest
            file.write(line + b"\n")

    def rows(self, export: BulkExport) -> list[BulkExportFile]:
        """The files as rows of ``export``, by resource type."""
        return [
            BulkExportFile(
                export=export,
                resource_type=kind,
                line_count=file.lines,
                size=file.size,
                content=file.content(),
                family_ids=sorted(file.family_ids),
            )
            for kind, file in sorted(self.files.items())
        ]


def _batches(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def _claim(export_id: int, now: datetime.datetime) -> bool:
    """Take the export for this run: waiting, or left by a worker that died."""
    waiting = Q(status=BulkExport.Status.QUEUED) | Q(
        status=BulkExport.Status.RUNNING, started_at__lt=now - STALE_AFTER
    )
    return bool(
        BulkExport.objects.filter(waiting, pk=export_id, purged_at=None, expires_at__gt=now).update(
            status=BulkExport.Status.RUNNING,
            started_at=now,
            families_done=0,
            families_total=None,
            problem="",
        )
    )


def _build(export: BulkExport) -> tuple[list[int], NdjsonFiles]:
    """Every changed family of the team through the mapping: (families, files)."""
    actor = export.requested_by
    if not (permissions.may_bulk_export(actor) and actor.team_id == export.team_id):
        raise ExportProblem("The person who asked is no longer a team lead of this team.")
    families = Family.objects.visible_to(actor)
    ids = list(
        families_changed_since(families, export.since).order_by("pk").values_list("pk", flat=True)
    )
    BulkExport.objects.filter(pk=export.pk).update(families_total=len(ids))
    files = NdjsonFiles()
    exported: list[int] = []
    for batch in _batches(ids):
        records = loading.load_family_records(families.filter(pk__in=batch).order_by("pk"))
        for record in records:
            files.add(record.family.pk, mapping.family_resources(record))
            exported.append(record.family.pk)
        BulkExport.objects.filter(pk=export.pk).update(families_done=len(exported))
    return exported, files


def _fail(export_id: int, started_at: datetime.datetime, problem: str) -> None:
    BulkExport.objects.filter(
        pk=export_id, status=BulkExport.Status.RUNNING, started_at=started_at
    ).update(status=BulkExport.Status.FAILED, problem=problem[:300], finished_at=timezone.now())


def bulk_export_build(export_id: int) -> str:
    """Build one export's files, once however often it is handed to the worker."""
    started_at = timezone.now()
    if not _claim(export_id, started_at):
        return "not claimed"
    export = BulkExport.objects.select_related("requested_by").get(pk=export_id)
    try:
        family_ids, files = _build(export)
    except ExportProblem as problem:
        _fail(export_id, started_at, str(problem))
        return "failed"
    except SoftTimeLimitExceeded:
        _fail(
            export_id,
            started_at,
            "The export took too long to build. Ask again from a later day, for fewer families.",
        )
        return "failed"
    except Exception as error:
        # Only the kind of error: its message may quote a record.
        logger.error("bulk export %s failed: %s", export_id, type(error).__name__)
        _fail(export_id, started_at, "The export could not be built. Ask for it again.")
        return "failed"
    with transaction.atomic():
        current = BulkExport.objects.select_for_update().get(pk=export_id)
        if current.status != BulkExport.Status.RUNNING or current.started_at != started_at:
            # Taken over as stale while this run was slow: the other run's files stand.
            return "taken over"
        finished_at = timezone.now()
        BulkExportFile.objects.bulk_create(files.rows(current))
        BulkExport.objects.filter(pk=export_id).update(
            status=BulkExport.Status.DONE,
            finished_at=finished_at,
            expires_at=finished_at + keep_for(),
            family_ids=family_ids,
        )
        access_record(
            actor=export.requested_by,
            obj=export.team,
            action=AccessLog.Action.EXPORT,
            family_ids=family_ids,
            detail=f"FHIR bulk export {export_id} built: changed since {export.since:%Y-%m-%d}",
        )
    return "done"


# --- Downloading ----------------------------------------------------------------------------


def bulk_export_file_take(*, actor: User, export_file: BulkExportFile) -> Iterator[bytes]:
    """Hand over a file once, to the team lead who asked: its NDJSON, decompressed a piece at a
    time. Raises ``FileGone`` when it was downloaded already or its time is up."""
    now = timezone.now()
    files = BulkExportFile.objects.visible_to(actor).filter(pk=export_file.pk)
    taken = files.filter(
        downloaded_at=None,
        content__isnull=False,
        export__status=BulkExport.Status.DONE,
        export__purged_at=None,
        export__expires_at__gt=now,
    ).update(downloaded_at=now)
    if not taken:
        current = files.values_list("downloaded_at", flat=True).first()
        raise FileGone("downloaded" if current is not None else "expired")
    content = files.values_list("content", flat=True).first()
    if content is None:
        # Deleted by the sweep in between: its time was up.
        raise FileGone("expired")
    return _decompressed(bytes(content))


def _decompressed(content: bytes) -> Iterator[bytes]:
    inflater = zlib.decompressobj(wbits=31)
    view = memoryview(content)
    for start in range(0, len(view), CHUNK):
        piece = inflater.decompress(view[start : start + CHUNK])
        if piece:
            yield piece
    rest = inflater.flush()
    if rest:
        yield rest


def gone_reason(export_file: BulkExportFile, now: datetime.datetime | None = None) -> str | None:
    """Why a file cannot be downloaded now ("downloaded", "expired"), or None if it can."""
    now = now or timezone.now()
    if export_file.downloaded_at is not None:
        return "downloaded"
    export = export_file.export
    if export.purged_at is not None or export.expires_at <= now:
        return "expired"
    return None


# --- The sweep ------------------------------------------------------------------------------


def bulk_exports_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Delete the files of every export whose time is up, and hand the worker again every
    export whose message was lost or whose worker died."""
    now = now or timezone.now()
    with transaction.atomic():
        expired = list(
            BulkExport.objects.filter(purged_at=None, expires_at__lte=now)
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        BulkExportFile.objects.filter(export_id__in=expired).update(content=None)
        BulkExport.objects.filter(
            pk__in=expired, status__in=[BulkExport.Status.QUEUED, BulkExport.Status.RUNNING]
        ).update(
            status=BulkExport.Status.FAILED,
            problem="It was not built in time. Ask for it again.",
            finished_at=now,
        )
        BulkExport.objects.filter(pk__in=expired).update(purged_at=now)
    lost = Q(status=BulkExport.Status.QUEUED, created_at__lt=now - REHAND_AFTER) | Q(
        status=BulkExport.Status.RUNNING, started_at__lt=now - STALE_AFTER
    )
    handed = list(
        BulkExport.objects.filter(lost, purged_at=None, expires_at__gt=now).values_list(
            "pk", flat=True
        )
    )
    for export_id in handed:
        _enqueue(export_id)
    return {"purged": len(expired), "handed_on": len(handed)}
