"""The team lead's bulk export, as a service on the real database: which families go in, what
the files hold, each file once, the files deleted when their time is up, one build however often
the worker is handed it, and an access-log row for every export and every download."""

import datetime
import json

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from attachment_app.audit.models import AccessLog
from attachment_app.fhir import bulk, tasks
from attachment_app.fhir.loading import load_family_records
from attachment_app.fhir.mapping import family_resources
from attachment_app.fhir.models import BulkExport, BulkExportFile
from conversations.models import ConsentDecision, Family
from tests.factories import (
    BabyFactory,
    CaregiverFactory,
    ContactFactory,
    ConversationFactory,
    FamilyFactory,
)

from .bulk_exports import ask, built, history_moved_back, keys, ndjson_lines, read_files

pytestmark = pytest.mark.django_db


def resources_of(*families) -> list[dict]:
    records = load_family_records(Family.objects.filter(pk__in=[f.pk for f in families]))
    return [resource for record in records for resource in family_resources(record)]


def export_rows(export) -> list[AccessLog]:
    return list(
        AccessLog.objects.filter(
            action=AccessLog.Action.EXPORT, detail__contains=f"export {export.pk}"
        )
    )


# --- Which families -----------------------------------------------------------------------------


def test_the_export_holds_the_teams_family_and_nothing_of_another_teams(world, hv_b):
    other = world.other_family
    CaregiverFactory(family=other, name="Robin Brook")
    ContactFactory(family=other, recorded_by=hv_b)
    export = built(ask(world.team_lead))

    assert export.family_ids == [world.family.pk]
    assert (export.families_done, export.families_total) == (1, 1)
    files = read_files(export)
    assert keys(files) == keys({"all": resources_of(world.family)})
    assert {(r["resourceType"], r["id"]) for r in resources_of(other)}.isdisjoint(keys(files))
    every_line = json.dumps(files)
    assert "Brook" not in every_line
    assert all(f.family_ids == [world.family.pk] for f in export.files.all())


def test_the_worker_reads_the_families_as_the_team_lead_who_asked(world, team_b):
    export = ask(world.team_lead)
    # Moved to another team before the export was built: nothing of either team is exported.
    world.team_lead.team = team_b
    world.team_lead.save()
    assert bulk.bulk_export_build(export.pk) == "failed"
    export.refresh_from_db()
    assert export.status == BulkExport.Status.FAILED
    assert "no longer a team lead of this team" in export.problem
    assert not export.files.exists()
    assert export_rows(export) == []


@pytest.fixture
def a_year_ago():
    return timezone.now() - datetime.timedelta(days=365)


def test_a_family_is_in_when_it_or_any_record_of_it_changed_since_the_day(
    team_a, hv, team_lead, a_year_ago
):
    with time_machine.travel(a_year_ago, tick=False):
        unchanged, renamed, new_contact, baby, carer, consent = (
            FamilyFactory(team=team_a, named_hv=hv, name=name)
            for name in ("Unchanged", "Renamed", "Contact", "Baby", "Carer", "Consent")
        )
        for family in (unchanged, renamed, new_contact, baby, carer, consent):
            CaregiverFactory(family=family)
            BabyFactory(family=family)
        talk = ConversationFactory(
            contact=ContactFactory(family=consent, recorded_by=hv), consent_status="deferred"
        )
    history_moved_back(365)

    renamed.name = "Renamed again"
    renamed.save()
    ContactFactory(family=new_contact, recorded_by=hv)
    changed_baby = baby.babies.get()
    changed_baby.nhs_number = "9434765919"
    changed_baby.save()
    changed_carer = carer.caregivers.get()
    changed_carer.preferred_language = "Polish"
    changed_carer.save()
    decision = ConsentDecision.objects.create(conversation=talk, decision="given", recorded_by=hv)
    decision.caregivers.set([consent.caregivers.get()])

    export = built(ask(team_lead, days_back=0))
    assert export.family_ids == sorted(f.pk for f in (renamed, new_contact, baby, carer, consent))
    # From before they were added, every family is in.
    everything = built(ask(team_lead, days_back=400))
    assert len(everything.family_ids) == 6
    assert unchanged.pk in everything.family_ids


def test_a_day_is_counted_from_midnight_in_london(team_a, hv):
    # Midnight on 1 July in London (summer time) is 23:00 on 30 June in UTC.
    assert bulk.day_start(datetime.date(2026, 7, 1)) == datetime.datetime(
        2026, 6, 30, 23, tzinfo=datetime.UTC
    )
    family = FamilyFactory(team=team_a, named_hv=hv)
    today = timezone.localdate()
    assert list(bulk.families_changed_since(Family.objects.all(), today)) == [family]
    tomorrow = today + datetime.timedelta(days=1)
    assert list(bulk.families_changed_since(Family.objects.all(), tomorrow)) == []


# --- The files ----------------------------------------------------------------------------------


def test_resources_that_families_share_are_written_once(team_a, hv, team_lead):
    families = [FamilyFactory(team=team_a, named_hv=hv) for _ in range(3)]
    for family in families:
        CaregiverFactory(family=family)
        ContactFactory(family=family, recorded_by=hv)
    export = built(ask(team_lead))
    files = read_files(export)

    every_key = [(r["resourceType"], r["id"]) for lines in files.values() for r in lines]
    assert len(every_key) == len(set(every_key))
    assert keys(files) == {(r["resourceType"], r["id"]) for r in resources_of(*families)}
    assert len(files["Practitioner"]) == 1
    shared = export.files.get(resource_type="Practitioner")
    assert shared.family_ids == sorted(f.pk for f in families)
    for export_file in export.files.all():
        assert export_file.line_count == len(files[export_file.resource_type])
        assert {r["resourceType"] for r in files[export_file.resource_type]} == {
            export_file.resource_type
        }
        content = bulk.bulk_export_file_take(actor=team_lead, export_file=export_file)
        assert export_file.size == len(b"".join(content))


def test_an_unchanged_team_exports_the_same_files_twice(world):
    first = read_files(built(ask(world.team_lead)))
    second = read_files(built(ask(world.team_lead)))
    assert first == second


def test_two_different_resources_with_one_id_stop_the_export(team_a, hv, team_lead, monkeypatch):
    for _ in range(2):
        FamilyFactory(team=team_a, named_hv=hv)

    def clashing(record):
        return [
            {"resourceType": "Practitioner", "id": "p1", "name": [{"text": record.family.name}]}
        ]

    monkeypatch.setattr(bulk.mapping, "family_resources", clashing)
    export = ask(team_lead)
    assert bulk.bulk_export_build(export.pk) == "failed"
    export.refresh_from_db()
    assert "same id" in export.problem
    assert not export.files.exists()
    assert export_rows(export) == []


def test_an_error_in_the_mapping_fails_the_export_without_its_message(world, monkeypatch, caplog):
    def broken(record):
        raise ValueError(f"cannot map {record.family.name}")

    monkeypatch.setattr(bulk.mapping, "family_resources", broken)
    export = ask(world.team_lead)
    assert bulk.bulk_export_build(export.pk) == "failed"
    export.refresh_from_db()
    assert (export.status, export.problem) == (
        BulkExport.Status.FAILED,
        "The export could not be built. Ask for it again.",
    )
    assert "Ashworth" not in caplog.text
    assert "ValueError" in caplog.text


def test_a_team_with_no_changed_family_gets_no_files(team_a, team_lead):
    export = built(ask(team_lead))
    assert (export.family_ids, export.families_total, export.files.count()) == ([], 0, 0)


# --- Once -----------------------------------------------------------------------------------------


def test_an_export_handed_to_the_worker_twice_is_built_once(world):
    export = ask(world.team_lead)
    assert tasks.build_bulk_export(export.pk) == "done"
    files = list(BulkExportFile.objects.filter(export=export).values_list("pk", flat=True))
    assert tasks.build_bulk_export(export.pk) == "not claimed"
    assert list(BulkExportFile.objects.filter(export=export).values_list("pk", flat=True)) == files
    assert len(export_rows(export)) == 1


def test_an_export_whose_worker_died_is_built_again_but_a_live_one_is_left(world):
    export = ask(world.team_lead)
    now = timezone.now()
    BulkExport.objects.filter(pk=export.pk).update(
        status=BulkExport.Status.RUNNING, started_at=now - datetime.timedelta(minutes=5)
    )
    assert bulk.bulk_export_build(export.pk) == "not claimed"
    BulkExport.objects.filter(pk=export.pk).update(started_at=now - bulk.STALE_AFTER)
    assert bulk.bulk_export_build(export.pk) == "done"


def test_a_slow_build_taken_over_as_stale_leaves_the_other_runs_files(world, monkeypatch):
    export = ask(world.team_lead)
    real_build = bulk._build

    def overtaken(current):
        found = real_build(current)
        # Meanwhile the sweep took this run for dead, and another worker claimed the export.
        BulkExport.objects.filter(pk=current.pk).update(started_at=timezone.now())
        return found

    monkeypatch.setattr(bulk, "_build", overtaken)
    assert bulk.bulk_export_build(export.pk) == "taken over"
    assert not BulkExportFile.objects.filter(export=export).exists()


def test_a_file_is_handed_over_once(world):
    export = built(ask(world.team_lead))
    patient = export.files.get(resource_type="Patient")
    lines = ndjson_lines(
        b"".join(bulk.bulk_export_file_take(actor=world.team_lead, export_file=patient))
    )
    assert [r["resourceType"] for r in lines] == ["Patient"] * patient.line_count
    with pytest.raises(bulk.FileGone) as gone:
        bulk.bulk_export_file_take(actor=world.team_lead, export_file=patient)
    assert gone.value.reason == "downloaded"
    # The others still can be, once.
    other = export.files.exclude(pk=patient.pk).first()
    assert b"".join(bulk.bulk_export_file_take(actor=world.team_lead, export_file=other))


def test_only_the_team_lead_who_asked_may_take_a_file(world):
    export = built(ask(world.team_lead))
    export_file = export.files.first()
    for someone in (world.second_lead, world.hv):
        with pytest.raises(bulk.FileGone):
            bulk.bulk_export_file_take(actor=someone, export_file=export_file)
    export_file.refresh_from_db()
    assert export_file.downloaded_at is None


# --- Kept for a day -------------------------------------------------------------------------------


def test_files_are_deleted_when_their_time_is_up(world, settings):
    export = built(ask(world.team_lead))
    assert export.expires_at == export.finished_at + datetime.timedelta(
        hours=settings.FHIR_BULK_EXPORT_KEEP_HOURS
    )
    export_file = export.files.first()
    assert bulk.bulk_exports_sweep() == {"purged": 0, "handed_on": 0}
    with time_machine.travel(export.expires_at + datetime.timedelta(minutes=1)):
        with pytest.raises(bulk.FileGone) as gone:
            bulk.bulk_export_file_take(actor=world.team_lead, export_file=export_file)
        assert gone.value.reason == "expired"
        assert bulk.bulk_exports_sweep() == {"purged": 1, "handed_on": 0}
        assert bulk.bulk_exports_sweep() == {"purged": 0, "handed_on": 0}
    export.refresh_from_db()
    assert export.purged_at is not None
    assert export.status == BulkExport.Status.DONE
    assert set(export.files.values_list("content", flat=True)) == {None}
    # What the files were stays, for the page: which types, how many resources.
    assert export.files.filter(line_count__gt=0).exists()


def test_the_sweep_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["fhir.sweep_bulk_exports"]
    assert entry["task"] == tasks.sweep_bulk_exports.name == "fhir.sweep_bulk_exports"
    # Often enough that a lost message waits minutes, and a file never outlives its day by much.
    assert entry["schedule"] <= bulk.REHAND_AFTER


def test_an_export_not_built_in_its_time_fails(team_lead):
    export = ask(team_lead)
    with time_machine.travel(export.expires_at + datetime.timedelta(minutes=1)):
        assert bulk.bulk_exports_sweep()["purged"] == 1
        assert bulk.bulk_export_build(export.pk) == "not claimed"
    export.refresh_from_db()
    assert export.status == BulkExport.Status.FAILED
    assert "not built in time" in export.problem


def test_the_sweep_hands_on_an_export_whose_message_was_lost(team_lead, monkeypatch):
    handed: list[int] = []
    monkeypatch.setattr(bulk, "_enqueue", handed.append)
    lost = ask(team_lead)
    BulkExport.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - bulk.REHAND_AFTER - datetime.timedelta(minutes=1)
    )
    assert bulk.bulk_exports_sweep() == {"purged": 0, "handed_on": 1}
    assert handed == [lost.pk]
    BulkExport.objects.filter(pk=lost.pk).update(status=BulkExport.Status.DONE)
    assert bulk.bulk_exports_sweep()["handed_on"] == 0


# --- Asking -------------------------------------------------------------------------------------


def test_asking_checks_the_date_and_waits_for_the_last_export(team_lead):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as future:
        bulk.bulk_export_request(actor=team_lead, since=today + datetime.timedelta(days=1))
    assert future.value.message_dict == {"since": ["The date must be today or in the past"]}
    with pytest.raises(ValidationError) as early:
        bulk.bulk_export_request(actor=team_lead, since=datetime.date(1999, 12, 31))
    assert early.value.message_dict == {"since": ["The date must be on or after 1 January 2000"]}

    first = bulk.bulk_export_request(actor=team_lead, since=today)
    with pytest.raises(ValidationError, match="still being built"):
        bulk.bulk_export_request(actor=team_lead, since=today)
    built(first)
    assert bulk.bulk_export_request(actor=team_lead, since=today).pk != first.pk


@pytest.mark.parametrize("who", ["hv", "admin_user", "no_role_user"])
def test_only_team_leads_may_ask(request, who):
    with pytest.raises(PermissionDenied):
        bulk.bulk_export_request(actor=request.getfixturevalue(who), since=timezone.localdate())
    assert not BulkExport.objects.exists()


def test_asking_hands_the_export_to_the_worker_after_commit(
    team_lead, monkeypatch, django_capture_on_commit_callbacks
):
    sent: list[int] = []
    monkeypatch.setattr(tasks.build_bulk_export, "delay", sent.append)
    with django_capture_on_commit_callbacks(execute=True):
        export = ask(team_lead)
        assert sent == []
    assert sent == [export.pk]


def test_a_broker_that_is_down_leaves_the_export_for_the_sweep(team_lead, monkeypatch, caplog):
    def refused(export_id):
        raise ConnectionError("no broker")

    monkeypatch.setattr(tasks.build_bulk_export, "delay", refused)
    bulk._enqueue(41)
    assert "The broker refused bulk export 41" in caplog.text


# --- The access log -------------------------------------------------------------------------------


def test_building_writes_one_access_log_row_naming_every_family_exported(world):
    second = FamilyFactory(team=world.team, named_hv=world.hv)
    export = built(ask(world.team_lead))
    (row,) = export_rows(export)
    assert (row.user, row.action) == (world.team_lead, AccessLog.Action.EXPORT)
    assert (row.object_type, row.object_id) == ("accounts.team", str(world.team.pk))
    assert row.family_ids == sorted([world.family.pk, second.pk])
    assert row.detail.endswith("changed since " + export.since.isoformat())
    assert AccessLog.objects.for_family(world.family.pk).filter(action="export").count() == 1
