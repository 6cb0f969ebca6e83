"""The bulk export's pages: who may open them (the team lead who asked, nobody else), asking
with a date, the progress page, and each file downloaded once with its access-log row."""

import datetime
import time

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from attachment_app.audit.models import AccessLog
from attachment_app.fhir import bulk, tasks
from attachment_app.fhir.models import BulkExport, BulkExportFile
from attachment_app.fhir.urls import urlpatterns
from tests.signin import mark_second_factor_passed

from .bulk_exports import ask, built, ndjson_lines

pytestmark = pytest.mark.django_db

LIST = reverse("fhir:bulk_export_list")
CREATE = reverse("fhir:bulk_export_create")


def detail_url(export) -> str:
    return reverse("fhir:bulk_export_detail", args=[export.pk])


def download_url(export_file) -> str:
    return reverse("fhir:bulk_export_file_download", args=[export_file.export_id, export_file.pk])


def since_fields(day: datetime.date | None) -> dict[str, str]:
    if day is None:
        return {"since_day": "", "since_month": "", "since_year": ""}
    return {"since_day": str(day.day), "since_month": str(day.month), "since_year": str(day.year)}


@pytest.fixture
def done(world):
    """The world's team lead's export, built."""
    return built(ask(world.team_lead))


def every_url(export) -> list[str]:
    export_file = export.files.first()
    return [LIST, CREATE, detail_url(export), download_url(export_file)]


def test_every_page_is_in_the_matrix():
    assert {pattern.name for pattern in urlpatterns} == {
        "bulk_export_list",
        "bulk_export_create",
        "bulk_export_detail",
        "bulk_export_file_download",
    }


# --- Who may open them ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["hv", "admin_user", "hv_b", "no_role_user"])
def test_everyone_but_a_team_lead_gets_a_404_on_every_page(request, sign_in, done, who):
    client = sign_in(request.getfixturevalue(who))
    for url in every_url(done):
        assert client.get(url).status_code == 404, url
        assert client.post(url, since_fields(timezone.localdate())).status_code == 404, url
    assert BulkExport.objects.count() == 1
    assert not BulkExportFile.objects.filter(downloaded_at__isnull=False).exists()
    assert not AccessLog.objects.filter(detail__contains="file").exists()


@pytest.mark.parametrize("who", ["second_lead", "team_lead_b"])
def test_another_team_lead_of_this_team_or_another_cannot_see_or_download_the_export(
    request, world, sign_in, done, who
):
    # The same team's second team lead, or another team's.
    lead = world.second_lead if who == "second_lead" else request.getfixturevalue(who)
    client = sign_in(lead)
    for url in every_url(done)[2:]:
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code == 404, url
    listed = client.get(LIST)
    assert listed.status_code == 200
    assert detail_url(done) not in listed.content.decode()
    assert not BulkExportFile.objects.filter(downloaded_at__isnull=False).exists()


def test_signed_out_requests_are_sent_to_sign_in(client, done):
    for url in every_url(done):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_asking_and_downloading_need_the_second_factor_again_after_fifteen_minutes(
    client, world, done
):
    client.force_login(world.team_lead)
    mark_second_factor_passed(client, world.team_lead, at=time.time() - 16 * 60)
    export_file = done.files.first()
    for url in (CREATE, download_url(export_file)):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    export_file.refresh_from_db()
    assert export_file.downloaded_at is None
    # The list and the progress page show no family's data: they ask nothing more.
    assert client.get(LIST).status_code == 200
    assert client.get(detail_url(done)).status_code == 200


def test_the_caseload_links_to_the_exports_for_team_leads_only(world, sign_in):
    assert LIST in sign_in(world.team_lead).get(reverse("home")).content.decode()
    assert LIST not in sign_in(world.hv).get(reverse("home")).content.decode()


# --- Asking -------------------------------------------------------------------------------------


def test_the_date_is_three_months_ago_unless_changed(world, sign_in):
    form = sign_in(world.team_lead).get(CREATE).context["form"]
    assert form.initial["since"] == timezone.localdate() - relativedelta(months=3)


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        (since_fields(None), "Enter the date to export changes since"),
        (
            {**since_fields(timezone.localdate()), "since_month": ""},
            "The date must include a month",
        ),
        (
            {**since_fields(timezone.localdate()), "since_day": "31", "since_month": "2"},
            "real date",
        ),
        (
            since_fields(timezone.localdate() + datetime.timedelta(days=1)),
            "The date must be today or in the past",
        ),
        (since_fields(datetime.date(1999, 1, 1)), "The date must be on or after 1 January 2000"),
    ],
)
def test_a_wrong_date_is_said_so_and_nothing_is_asked_for(world, sign_in, fields, error):
    response = sign_in(world.team_lead).post(CREATE, fields)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The export has not been asked for" in html
    assert error in html
    assert "<title>Error: " in html
    assert not BulkExport.objects.exists()


def test_asking_leads_to_the_progress_page_and_hands_the_export_on(
    world, sign_in, monkeypatch, django_capture_on_commit_callbacks
):
    sent: list[int] = []
    monkeypatch.setattr(tasks.build_bulk_export, "delay", sent.append)
    client = sign_in(world.team_lead)
    day = timezone.localdate() - datetime.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CREATE, since_fields(day))
    export = BulkExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(export)
    assert (export.since, export.requested_by, export.team) == (day, world.team_lead, world.team)
    assert sent == [export.pk]


def test_a_second_export_waits_for_the_first(world, sign_in):
    ask(world.team_lead)
    response = sign_in(world.team_lead).post(CREATE, since_fields(timezone.localdate()))
    assert "still being built" in response.content.decode()
    assert BulkExport.objects.count() == 1


# --- The progress page ----------------------------------------------------------------------------


def test_the_progress_page_says_how_far_the_export_has_got(world, sign_in):
    export = ask(world.team_lead)
    client = sign_in(world.team_lead)
    waiting = client.get(detail_url(export)).content.decode()
    assert "Waiting to start" in waiting
    assert f'href="{detail_url(export)}">Refresh the page</a>' in waiting
    assert "http-equiv" not in waiting
    BulkExport.objects.filter(pk=export.pk).update(
        status=BulkExport.Status.RUNNING, families_total=1200, families_done=300
    )
    running = client.get(detail_url(export)).content.decode()
    assert "300 of 1,200 families done (25%)" in running
    BulkExport.objects.filter(pk=export.pk).update(
        status=BulkExport.Status.FAILED, problem="It was not built in time. Ask for it again."
    )
    failed = client.get(detail_url(export)).content.decode()
    assert "The export failed" in failed
    assert "It was not built in time" in failed
    assert "Refresh the page" not in failed


def test_a_built_export_lists_its_files_to_download(world, sign_in, done):
    html = sign_in(world.team_lead).get(detail_url(done)).content.decode()
    assert "Ready to download" in html
    for export_file in done.files.all():
        assert download_url(export_file) in html
        assert export_file.resource_type in html
    assert "Refresh the page" not in html
    listed = sign_in(world.team_lead).get(LIST).content.decode()
    assert detail_url(done) in listed


def test_the_progress_pages_write_no_access_log_row(world, sign_in, done):
    client = sign_in(world.team_lead)
    before = AccessLog.objects.count()
    for url in (LIST, CREATE, detail_url(done)):
        assert client.get(url).status_code == 200
    assert AccessLog.objects.count() == before


# --- Downloading --------------------------------------------------------------------------------


def test_a_file_downloads_once_and_each_download_is_in_the_access_log(world, sign_in, done):
    client = sign_in(world.team_lead)
    export_file = done.files.get(resource_type="Patient")
    before = AccessLog.objects.order_by("-pk").first().pk

    response = client.get(download_url(export_file))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+ndjson"
    assert response["Content-Disposition"] == (
        f'attachment; filename="export-{done.pk}-Patient.ndjson"'
    )
    lines = ndjson_lines(b"".join(response.streaming_content))
    assert len(lines) == export_file.line_count
    assert {line["resourceType"] for line in lines} == {"Patient"}
    (row,) = AccessLog.objects.filter(pk__gt=before)
    assert (row.user, row.action, row.family_ids) == (
        world.team_lead,
        AccessLog.Action.EXPORT,
        [world.family.pk],
    )
    assert row.detail == f"FHIR bulk export {done.pk}: Patient file"

    again = client.get(download_url(export_file))
    assert again.status_code == 410
    html = again.content.decode()
    assert "This file was downloaded already" in html
    assert CREATE in html
    assert AccessLog.objects.filter(pk__gt=row.pk).count() == 0
    page = client.get(detail_url(done)).content.decode()
    assert download_url(export_file) not in page
    assert "Downloaded " in page


def test_a_file_whose_time_is_up_cannot_be_downloaded(world, sign_in, done):
    client = sign_in(world.team_lead)
    export_file = done.files.first()
    BulkExport.objects.filter(pk=done.pk).update(expires_at=timezone.now())
    response = client.get(download_url(export_file))
    assert response.status_code == 410
    assert "This file has been deleted" in response.content.decode()
    bulk.bulk_exports_sweep()
    assert client.get(download_url(export_file)).status_code == 410
    page = client.get(detail_url(done)).content.decode()
    assert "Deleted: their time is up" in page
    assert "Files deleted" in page
    assert download_url(export_file) not in page
    assert "Files deleted" in client.get(LIST).content.decode()


def test_a_download_is_a_get_only(world, sign_in, done):
    client = sign_in(world.team_lead)
    export_file = done.files.first()
    assert client.head(download_url(export_file)).status_code == 405
    assert client.post(download_url(export_file)).status_code == 405
    export_file.refresh_from_db()
    assert export_file.downloaded_at is None


def test_a_file_of_another_export_is_a_404_under_this_one(world, sign_in, done):
    BulkExport.objects.filter(pk=done.pk).update(status=BulkExport.Status.DONE)
    later = built(ask(world.team_lead))
    export_file = later.files.first()
    wrong = reverse("fhir:bulk_export_file_download", args=[done.pk, export_file.pk])
    assert sign_in(world.team_lead).get(wrong).status_code == 404
