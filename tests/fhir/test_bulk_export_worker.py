"""A team lead's bulk export built by a real Celery worker on Redis (not eager mode), with the
real mapping: the request hands it to the broker after its commit, the worker builds it once
though the message comes twice, and the files hold the team's families and no other's."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun

from attachment_app.audit.models import AccessLog
from attachment_app.celery import app
from attachment_app.fhir import bulk
from attachment_app.fhir.models import BulkExport
from attachment_app.fhir.tasks import build_bulk_export
from screening import services as screening_services
from tests.factories import BabyFactory, CaregiverFactory, ContactFactory, FamilyFactory

from .bulk_exports import ask, keys, ndjson_lines, read_files

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def family_with_records(team, hv, name):
    family = FamilyFactory(team=team, named_hv=hv, name=name)
    carer = CaregiverFactory(family=family)
    baby = BabyFactory(family=family)
    contact = ContactFactory(family=family, recorded_by=hv, baby=baby)
    gad7 = screening_services.current_definition("gad7")
    screening_services.screening_result_record(
        parent_agreed=True,
        actor=hv,
        contact=contact,
        definition=gad7,
        answers={str(n): "not_at_all" for n in range(1, 8)},
    )
    return family, carer


@pytest.fixture
def outcomes():
    """What each bulk export task the worker ran returned, in order."""
    seen: list[tuple[int, str]] = []

    def note(sender=None, args=None, retval=None, **kwargs):
        if sender is not None and sender.name == "fhir.build_bulk_export":
            seen.append((args[0], retval))

    task_postrun.connect(note, weak=False)
    yield seen
    task_postrun.disconnect(note)


def test_an_export_is_built_once_by_a_real_worker_from_a_message_sent_twice(
    team_a, hv, team_lead, team_b, hv_b, outcomes
):
    assert app.conf.task_always_eager is False
    screening_services.instrument_definitions_load_shipped()
    ours = [family_with_records(team_a, hv, f"Ours {n}")[0] for n in range(3)]
    theirs, their_carer = family_with_records(team_b, hv_b, "Theirs")

    # Committed, so the request hands the export to the broker; then the same message again,
    # as a broker redelivers one whose worker went away.
    export = ask(team_lead)
    build_bulk_export.delay(export.pk)
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        mine = lambda: [outcome for pk, outcome in outcomes if pk == export.pk]  # noqa: E731
        assert wait_for(lambda: len(mine()) == 2), "the worker did not run both messages"
    assert sorted(mine()) == ["done", "not claimed"]

    export.refresh_from_db()
    assert export.status == BulkExport.Status.DONE
    assert export.family_ids == sorted(family.pk for family in ours)
    assert (export.families_done, export.families_total) == (3, 3)
    files = read_files(export)
    assert {"Patient", "RelatedPerson", "Encounter", "QuestionnaireResponse"} <= set(files)
    assert len(files["Patient"]) == 3
    every_key = [(r["resourceType"], r["id"]) for lines in files.values() for r in lines]
    assert len(every_key) == len(keys(files))
    assert their_carer.name not in str(files)
    assert theirs.pk not in {id_ for f in export.files.all() for id_ in f.family_ids}

    rows = AccessLog.objects.filter(action=AccessLog.Action.EXPORT, user=team_lead)
    assert rows.count() == 1
    assert rows.get().family_ids == export.family_ids

    patients = export.files.get(resource_type="Patient")
    lines = ndjson_lines(
        b"".join(bulk.bulk_export_file_take(actor=team_lead, export_file=patients))
    )
    assert lines == files["Patient"]
    with pytest.raises(bulk.FileGone):
        bulk.bulk_export_file_take(actor=team_lead, export_file=patients)
