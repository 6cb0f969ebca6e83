"""Importing ORUK files into the directory: the report, refusals, idempotence and local fields."""

import json
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from referrals.models import (
    DirectoryImport,
    Intervention,
    LocalAuthority,
    Organization,
    Service,
    ServiceArea,
    TaxonomyTerm,
)
from referrals.oruk.importing import (
    directory_import_confirm,
    directory_import_run,
    directory_import_start,
)
from screening.models import ConcernCategory

from .feeds import page_v3, service_v1, service_v3

pytestmark = pytest.mark.django_db


def run_file(records, *, dry_run=False, name="feed.json", actor=None, raw=None):
    body = raw if raw is not None else json.dumps(records).encode()
    run = directory_import_start(actor=actor, source=name, upload=body, dry_run=dry_run)
    return directory_import_run(run=run)


def lines(run, action):
    return [line for line in run.report["services"] if line["action"] == action]


def test_a_file_of_services_is_created_with_what_the_feed_says():
    run = run_file([service_v3(1)])
    assert run.outcome == DirectoryImport.Outcome.SAVED
    service = Service.objects.get(source="file:feed.json", source_id=str(uuid.UUID(int=10_001)))
    assert service.uid == uuid.UUID(int=10_001)  # the feed's UUID is kept as ours
    assert service.name == "Invented service 1"
    assert (service.minimum_age_months, service.maximum_age_months) == (0, 24)
    assert service.schedule_description == "Monday, Wednesday 9:30am to 12pm"
    assert service.fees_description == "Free"
    assert service.phone == "0113 496 0000"
    assert service.organization.name == "Invented Family Hubs"
    assert [(a.extent_type, a.extent) for a in service.service_areas.all()] == [
        (ServiceArea.ExtentType.POSTCODE_DISTRICT, "LS6")
    ]
    assert [t.name for t in service.taxonomy_terms.all()] == ["Parenting support"]
    [at] = service.service_at_locations.select_related("location")
    assert (at.location.address_1, at.location.postal_code) == ("2 Invented Road", "LS6 1AA")
    # A feed does not say how to refer: signposting only until an admin says.
    assert service.accepts_referrals is False
    assert run.report["counts"]["created"] == 1


def test_a_dry_run_reports_and_saves_nothing():
    run = run_file([service_v3(1), service_v3(2)], dry_run=True)
    assert run.outcome == DirectoryImport.Outcome.CHECKED
    assert run.report["counts"]["created"] == 2
    assert not Service.objects.exists()
    assert not Organization.objects.exists()
    assert run.upload is not None  # kept for the confirmation


def test_a_second_run_changes_nothing():
    run_file([service_v3(1), service_v3(2)])
    before = list(Service.objects.values_list("pk", "last_modified").order_by("pk"))
    history = Service.pgh_event_model.objects.count()
    again = run_file([service_v3(1), service_v3(2)])
    assert again.report["counts"] == {
        "created": 0,
        "changed": 0,
        "unchanged": 2,
        "refused": 0,
        "retired": 0,
    }
    assert list(Service.objects.values_list("pk", "last_modified").order_by("pk")) == before
    assert Service.pgh_event_model.objects.count() == history


def test_a_change_is_reported_by_field_and_kept_in_the_history_with_its_source():
    run_file([service_v3(1)])
    changed = run_file([service_v3(1, name="Renamed service", maximum_age=3, service_areas=[])])
    [line] = lines(changed, "changed")
    assert line["fields"] == ["name", "maximum_age_months"]
    service = Service.objects.get()
    assert service.name == "Renamed service"
    event = Service.pgh_event_model.objects.filter(pgh_obj=service).latest("pgh_id")
    assert event.pgh_context.metadata["source"] == "file:feed.json"
    assert event.pgh_context.metadata["directory_import"] == changed.pk
    # The feed gave no readable area this time: the areas already set are kept, and it says so.
    assert service.service_areas.get().extent == "LS6"
    assert "areas already set are kept" in line["notes"][0]


def test_each_bad_record_is_refused_with_its_reason_and_nothing_is_saved():
    bad = [
        service_v3(1, name=""),
        service_v3(2, email="not an email"),
        service_v3(3, url="javascript:alert(1)"),
        service_v3(4, status="open"),
        service_v3(5, minimum_age=5, maximum_age=2),
        service_v3(6, organization=None),
        service_v3(7, minimum_age="young"),
    ]
    run = run_file([service_v3(0), *bad])
    assert run.outcome == DirectoryImport.Outcome.REFUSED
    reasons = {line["source_id"]: line["reasons"] for line in lines(run, "refused")}
    assert reasons == {
        str(uuid.UUID(int=10_001)): ["The service has no name."],
        str(uuid.UUID(int=10_002)): [
            "The email \u201cnot an email\u201d is not a valid email address."
        ],
        str(uuid.UUID(int=10_003)): [
            "The website \u201cjavascript:alert(1)\u201d is not a valid web address."
        ],
        str(uuid.UUID(int=10_004)): [
            "The status \u201copen\u201d is not one of active, inactive, defunct or "
            "temporarily closed."
        ],
        str(uuid.UUID(int=10_005)): ["The youngest age is older than the oldest age."],
        str(uuid.UUID(int=10_006)): ["The service names no organisation that runs it."],
        str(uuid.UUID(int=10_007)): [
            "The youngest age \u201cyoung\u201d is not a number of years."
        ],
    }
    assert not Service.objects.exists()


def test_duplicate_ids_and_files_that_are_not_json_are_feed_problems():
    run = run_file([service_v3(1), service_v3(1)])
    assert run.outcome == DirectoryImport.Outcome.FAILED
    assert run.report["feed_problems"] == [
        f"The id {uuid.UUID(int=10_001)} is given to more than one service."
    ]
    for raw, problem in [
        (b"{not json", "The file is not valid JSON (line 1, column 2)."),
        (b"<!DOCTYPE html><html><body>Error</body></html>", "The file is a web page, not JSON."),
        (
            b'"just a string"',
            "The JSON is not a service, a list of services or a page of services.",
        ),
        (b"\xff\xfe\x00", "The file is not valid JSON (it is not UTF-8 text)."),
    ]:
        run = run_file(None, raw=raw)
        assert run.outcome == DirectoryImport.Outcome.FAILED
        assert run.report["feed_problems"] == [problem]
    assert not Service.objects.exists()


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(settings):
    settings.ORUK_FEED_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationError, match="smaller than 1 MB"):
        run_file(None, raw=b" " * (1024 * 1024 + 1))


def test_a_service_gone_from_the_feed_is_retired_not_deleted():
    run_file([service_v3(1), service_v3(2)])
    run = run_file([service_v3(1)])
    [line] = lines(run, "retired")
    assert line["name"] == "Invented service 2"
    gone = Service.objects.get(name="Invented service 2")
    assert gone.status == Service.Status.DEFUNCT
    # Retired is no longer referable, so it is neither suggested nor offered for a referral.
    assert not Service.objects.referable().filter(pk=gone.pk).exists()
    assert Service.objects.get(name="Invented service 1").status == Service.Status.ACTIVE
    # Retired once: the next run has nothing more to retire.
    assert run_file([service_v3(1)]).report["counts"]["retired"] == 0


def test_an_organisation_with_no_services_left_in_the_feed_is_retired():
    run_file([service_v3(1)])
    other = service_v3(1, organization={"id": "org-2", "name": "Another", "description": "x"})
    run_file([other])
    assert Organization.objects.get(source_id=str(uuid.UUID(int=1))).retired_at is not None
    assert Organization.objects.get(source_id="org-2").retired_at is None


def test_local_fields_survive_a_sync(admin_user):
    run_file([service_v3(1)])
    service = Service.objects.get()
    category = ConcernCategory.objects.first()
    local_term = TaxonomyTerm.objects.create(code="local-term", name="Local category")
    local_term.concern_categories.add(category)
    intervention = Intervention.objects.first()  # the interventions come with the migrations
    Service.objects.filter(pk=service.pk).update(
        local_notes="Ring before a first visit.",
        accepts_referrals=True,
        referral_method=Service.ReferralMethod.EMAIL,
        response_working_days=5,
        application_process="Use the trust's form.",
    )
    service.taxonomy_terms.add(local_term)
    service.interventions.add(intervention)

    run = run_file([service_v3(1, name="Renamed", description="New words")])
    assert lines(run, "changed")[0]["fields"] == ["name", "description"]
    service.refresh_from_db()
    assert service.name == "Renamed"
    assert service.local_notes == "Ring before a first visit."
    assert (service.accepts_referrals, service.referral_method) == (True, "email")
    assert service.response_working_days == 5
    assert service.application_process == "Use the trust's form."
    assert set(service.interventions.all()) == {intervention}
    assert {t.name for t in service.taxonomy_terms.all()} == {"Local category", "Parenting support"}
    # Its local category maps to a concern category, so it is not listed as unmapped.
    assert lines(run, "changed")[0]["unmapped"] is False


def test_categories_are_mapped_by_the_admins_mapping_and_unmapped_ones_listed():
    run = run_file([service_v3(1)])
    assert run.report["unmapped_terms"] == ["Parenting support (parenting-support)"]
    assert lines(run, "created")[0]["unmapped"] is True
    term = TaxonomyTerm.objects.get(source_id="parenting-support")
    term.concern_categories.add(ConcernCategory.objects.first())
    again = run_file([service_v3(1)])
    assert again.report["unmapped_terms"] == []
    assert lines(again, "unchanged")[0]["unmapped"] is False
    # The mapping is the admin's: a sync does not touch it.
    assert term.concern_categories.count() == 1


def test_a_v1_feed_is_read_with_both_spellings_and_its_age_ranges():
    alternative = service_v1(2)
    alternative["eligibilities"] = alternative.pop("eligibilitys")
    alternative["service_taxonomies"] = alternative.pop("service_taxonomys")
    run = run_file({"content": [service_v1(1), alternative], "totalPages": 1, "number": 1})
    assert run.outcome == DirectoryImport.Outcome.SAVED
    for service in Service.objects.all():
        assert (service.minimum_age_months, service.maximum_age_months) == (0, 60)
        assert service.schedule_description == "Tuesday 10am to 2pm"
        assert [t.name for t in service.taxonomy_terms.all()] == ["Early years"]
        assert service.service_areas.get().extent == "LS7"
        assert service.service_at_locations.get().location.address_1 == "2 Old Lane"


def test_areas_are_read_as_districts_local_authorities_or_england():
    authority = LocalAuthority.objects.create(code="E08000035", name="Leeds", postcode_districts=[])
    run = run_file(
        [
            service_v3(
                1,
                service_areas=[
                    {
                        "id": "1",
                        "name": "Leeds",
                        "extent": "E08000035",
                        "extent_type": "local_authority",
                    },
                    {"id": "2", "name": "Nowhere", "extent": "E09999999"},
                    {"id": "3", "name": "England"},
                    {"id": "4", "name": "Somewhere vague"},
                ],
            )
        ]
    )
    service = Service.objects.get()
    areas = {(a.extent_type, a.extent, a.local_authority_id) for a in service.service_areas.all()}
    assert areas == {("local_authority", "E08000035", authority.pk), ("national", "", None)}
    notes = lines(run, "created")[0]["notes"]
    assert any("E09999999 is not in the list" in note for note in notes)
    assert any("\u201cSomewhere vague\u201d is not a postcode district" in note for note in notes)


def test_a_page_of_services_or_a_single_service_can_be_imported():
    assert run_file(page_v3([service_v3(1)], 1, 1, 50)).report["counts"]["created"] == 1
    assert run_file(service_v3(2), name="one.json").report["counts"]["created"] == 1


def test_a_file_naming_its_organisation_only_by_id_is_refused():
    record = service_v3(1, organization=None, organization_id=str(uuid.UUID(int=1)))
    record.pop("organization")
    run = run_file([record])
    assert "names its organisation only by its id" in lines(run, "refused")[0]["reasons"][0]


def test_imported_text_is_stored_as_text():
    run_file([service_v3(1, name="<script>alert(1)</script> group")])
    assert Service.objects.get().name == "<script>alert(1)</script> group"


def test_only_admins_import_and_feeds_must_be_https_in_production(hv, settings):
    with pytest.raises(PermissionDenied):
        directory_import_start(actor=hv, source="https://example.org/api", dry_run=True)
    settings.ORUK_FEED_HTTPS_ONLY = True
    with pytest.raises(ValidationError, match="must start https://"):
        directory_import_start(actor=None, source="http://example.org/api", dry_run=True)
    for bad in (
        "ftp://example.org",
        "example.org",
        "https://user:pw@example.org",
        "https://x.org/?a=1",
    ):
        with pytest.raises(ValidationError):
            directory_import_start(actor=None, source=bad, dry_run=True)


def test_a_checked_import_is_confirmed_as_a_new_run(admin_user):
    checked = run_file([service_v3(1)], dry_run=True, actor=admin_user)
    run = directory_import_run(run=directory_import_confirm(actor=admin_user, checked=checked))
    assert run.outcome == DirectoryImport.Outcome.SAVED
    assert run.upload is None
    assert Service.objects.count() == 1
    refused = run_file([service_v3(1, name="")], dry_run=True, actor=admin_user)
    with pytest.raises(ValidationError):
        directory_import_confirm(actor=admin_user, checked=refused)
    with pytest.raises(ValidationError):
        directory_import_confirm(actor=admin_user, checked=run)


def test_a_finished_import_is_not_run_again():
    run = run_file([service_v3(1)])
    Service.objects.all().delete()
    assert directory_import_run(run=run).outcome == DirectoryImport.Outcome.SAVED
    assert not Service.objects.exists()


def test_the_command_prints_the_report_and_exits_non_zero_on_refusal(tmp_path, capsys):
    good = tmp_path / "good.json"
    good.write_text(json.dumps([service_v3(1)]))
    call_command("oruk_import", str(good), "--dry-run")
    assert "1 created" in capsys.readouterr().out
    assert not Service.objects.exists()
    call_command("oruk_import", str(good))
    assert Service.objects.count() == 1
    call_command("oruk_import", str(good))
    assert "0 created, 0 changed, 1 unchanged" in capsys.readouterr().out

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([service_v3(2, status="open")]))
    with pytest.raises(CommandError, match="Refused"):
        call_command("oruk_import", str(bad))
    assert "refused because: The status" in capsys.readouterr().out
    with pytest.raises(CommandError, match="There is no file"):
        call_command("oruk_import", str(tmp_path / "missing.json"))
    assert Service.objects.count() == 1
