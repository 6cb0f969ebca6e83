"""The admin's import pages: a feed or file checked, its report shown, saved once on confirming;
feeds registered and synced by hand. Tasks run eagerly here, after the request's commit; the
worker itself is tested in test_sync_worker.py."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from attachment_app.celery import app
from attachment_app.form_page import KEY_FIELD
from referrals.models import DirectoryFeed, DirectoryImport, Service

from .feeds import FeedServer, page_v3, service_v3

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _eager_tasks():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def server():
    with FeedServer() as served:
        yield served


@pytest.fixture
def post(admin_client, django_capture_on_commit_callbacks):
    """POST as the admin, with a new submission key, running what is enqueued after commit."""

    def send(url, data=None, **kwargs):
        data = {
            KEY_FIELD: _new_key(admin_client, url, kwargs.pop("shown_on", None)),
            **(data or {}),
        }
        with django_capture_on_commit_callbacks(execute=True):
            return admin_client.post(url, data, **kwargs)

    return send


def _new_key(client, url, shown_on=None) -> str:
    page = client.get(shown_on or url).content.decode()
    keys = re.findall(rf'name="{KEY_FIELD}" value="([^"]+)"', page)
    return keys[0] if keys else ""


def _errors(response) -> dict:
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


# --- The form ---------------------------------------------------------------------------------

IMPORT = "/directory/import/"


def test_the_import_page_asks_for_a_feed_or_a_file(admin_client):
    page = admin_client.get(IMPORT).content.decode()
    assert "Feed address" in page
    assert 'type="file"' in page
    assert 'enctype="multipart/form-data"' in page


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({}, {"source": ["Enter a feed's address or choose a JSON file of services"]}),
        (
            {"source": "https://hubs.example.org", "upload": "file"},
            {"source": ["Enter a feed's address or choose a file, not both"]},
        ),
        (
            {"source": "hubs dot example"},
            {"source": ["Enter the feed's address, starting https://"]},
        ),
        (
            {"source": "https://hubs.example.org/?page=2"},
            {"source": ["Enter the feed's base address, without ? or #."]},
        ),
        ({"upload": b"<!doctype html><p>no</p>"}, {"upload": ["The file is a web page, not JSON"]}),
        ({"upload": b'{"name": '}, {"upload": ["The file is not valid JSON (line 1, column 10)"]}),
        (
            {"upload": b"[" + b" " * (1024 * 1024) + b"]"},
            {"upload": ["The file must be smaller than 1 MB"]},
        ),
    ],
)
def test_the_import_form_says_what_is_wrong_and_starts_nothing(post, settings, data, errors):
    settings.ORUK_FEED_MAX_BYTES = 1024 * 1024
    if "upload" in data:
        content = data["upload"] if isinstance(data["upload"], bytes) else b"[]"
        data = {**data, "upload": SimpleUploadedFile("services.json", content)}
    response = post(IMPORT, data)
    assert response.status_code == 200
    assert _errors(response) == errors
    assert "The import has not been started" in response.content.decode()
    assert not DirectoryImport.objects.exists()


# --- Check, then save -------------------------------------------------------------------------


def test_a_feed_is_checked_then_saved_once_confirmed(post, admin_client, server, admin_user):
    server.serve_v3([service_v3(n) for n in range(3)])
    response = post(IMPORT, {"source": server.url})
    check = DirectoryImport.objects.get()
    assert response["Location"] == f"/directory/imports/{check.pk}/"
    assert (check.dry_run, check.outcome, check.requested_by) == (
        True,
        DirectoryImport.Outcome.CHECKED,
        admin_user,
    )
    assert not Service.objects.exists()
    page = admin_client.get(response["Location"]).content.decode()
    assert "Save these changes" in page
    assert "Invented service 2" in page
    assert page.count('nhsuk-tag--green">New<') == 3

    saved = post(response["Location"])
    run = DirectoryImport.objects.get(dry_run=False)
    assert saved["Location"] == f"/directory/imports/{run.pk}/"
    assert run.outcome == DirectoryImport.Outcome.SAVED
    assert Service.objects.filter(source=server.url).count() == 3
    page = admin_client.get(saved["Location"]).content.decode()
    assert "Saved: the directory now has these changes" in page
    assert "Save these changes" not in page
    # The check now points at the import that saved it, and offers no second save.
    page = admin_client.get(response["Location"]).content.decode()
    assert "These changes were confirmed" in page
    assert "Save these changes" not in page


def test_a_json_file_is_checked_and_saved(post, admin_client):
    body = json.dumps(page_v3([service_v3(n) for n in range(2)], 1, 1, 100)).encode()
    post(IMPORT, {"upload": SimpleUploadedFile("hubs.json", body, "application/json")})
    check = DirectoryImport.objects.get()
    assert (check.source, check.outcome) == ("file:hubs.json", DirectoryImport.Outcome.CHECKED)
    post(f"/directory/imports/{check.pk}/")
    assert Service.objects.filter(source="file:hubs.json").count() == 2
    check.refresh_from_db()
    assert check.upload is None
    assert check.confirmed_as.upload is None


def test_the_same_confirmation_sent_twice_imports_once(admin_client, server, post):
    server.serve_v3([service_v3(1)])
    post(IMPORT, {"source": server.url})
    url = f"/directory/imports/{DirectoryImport.objects.get().pk}/"
    data = {KEY_FIELD: _new_key(admin_client, url)}
    first = admin_client.post(url, data)
    again = admin_client.post(url, data)
    assert again["Location"] == first["Location"]
    # And from a second tab, with a key of its own: still the one import.
    other = post(url)
    assert other["Location"] == first["Location"]
    assert DirectoryImport.objects.filter(dry_run=False).count() == 1


def test_a_refused_check_shows_why_and_offers_no_save(post, admin_client, server):
    server.serve_v3([service_v3(1), service_v3(2, email="not an email")])
    response = post(IMPORT, {"source": server.url})
    check = DirectoryImport.objects.get()
    assert check.outcome == DirectoryImport.Outcome.REFUSED
    page = admin_client.get(response["Location"]).content.decode()
    assert "Some services were refused: nothing was saved" in page
    assert "Save these changes" not in page
    assert "Refused" in page
    assert check.report["services"][1]["reasons"][0] in page.replace("&#x27;", "'")
    # Sent anyway, the form saves nothing.
    admin_client.post(response["Location"], {KEY_FIELD: "8d3e52c4-7c1f-4e55-9a07-1e6d6c51f0a1"})
    assert DirectoryImport.objects.count() == 1
    assert not Service.objects.exists()


def test_a_feed_that_cannot_be_read_says_so(post, admin_client, server):
    response = post(IMPORT, {"source": server.url})
    page = admin_client.get(response["Location"]).content.decode()
    assert "The feed could not be read: nothing was saved" in page
    assert "answered 404" in page


def test_a_check_still_running_says_so_with_a_way_to_refresh(admin_client, admin_user):
    run = DirectoryImport.objects.create(
        source="https://hubs.example.org", dry_run=True, requested_by=admin_user
    )
    page = admin_client.get(f"/directory/imports/{run.pk}/").content.decode()
    assert "Checking…" in page
    assert "Refresh the page" in page
    assert "Save these changes" not in page


def test_imported_text_is_shown_escaped(post, admin_client, server):
    server.serve_v3([service_v3(1, name="<script>alert('x')</script>", email="<b>@x")])
    response = post(IMPORT, {"source": server.url})
    page = admin_client.get(response["Location"]).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page


def test_a_long_report_is_shown_a_hundred_services_a_page(post, admin_client, server):
    server.serve_v3([service_v3(n) for n in range(150)])
    response = post(IMPORT, {"source": server.url})
    first = admin_client.get(response["Location"])
    assert len(first.context["lines"]) == 100
    assert "page 1 of 2" in first.content.decode()
    second = admin_client.get(response["Location"] + "?page=2")
    assert len(second.context["lines"]) == 50
    only_new = admin_client.get(response["Location"] + "?action=refused")
    assert only_new.context["lines"] == []


def test_unmapped_categories_are_listed_with_where_to_map_them(post, admin_client, server):
    server.serve_v3([service_v3(1)])
    response = post(IMPORT, {"source": server.url})
    page = admin_client.get(response["Location"]).content.decode()
    assert "Categories with no concern category" in page
    assert "Parenting support (parenting-support)" in page
    assert reverse("admin:referrals_taxonomyterm_changelist") in page


def test_the_imports_are_listed_newest_first(admin_client, admin_user):
    older = DirectoryImport.objects.create(source="https://a.example.org", dry_run=True)
    newer = DirectoryImport.objects.create(source="https://b.example.org", dry_run=True)
    response = admin_client.get("/directory/imports/")
    assert [row["run"] for row in response.context["rows"]] == [newer, older]


# --- Feeds ------------------------------------------------------------------------------------


def test_a_feed_is_registered_changed_and_synced_now(post, admin_client, server, admin_user):
    server.serve_v3([service_v3(n) for n in range(2)])
    response = post(
        "/directory/feeds/add/",
        {
            "name": "Invented Hubs",
            "url": server.url + "/",
            "schedule": "weekly",
            "notify": [admin_user.pk],
        },
    )
    feed = DirectoryFeed.objects.get()
    assert response["Location"] == f"/directory/feeds/{feed.pk}/"
    assert (feed.url, feed.schedule, list(feed.notify.all())) == (
        server.url,
        "weekly",
        [admin_user],
    )
    assert "Invented Hubs" in admin_client.get("/directory/feeds/").content.decode()

    post(
        f"/directory/feeds/{feed.pk}/",
        {"name": "Invented Family Hubs", "url": server.url, "schedule": "paused"},
    )
    feed.refresh_from_db()
    assert (feed.name, feed.schedule, list(feed.notify.all())) == (
        "Invented Family Hubs",
        "paused",
        [],
    )

    synced = post(f"/directory/feeds/{feed.pk}/sync/", shown_on=f"/directory/feeds/{feed.pk}/")
    assert synced["Location"] == f"/directory/feeds/{feed.pk}/"
    run = DirectoryImport.objects.get(feed=feed)
    assert (run.outcome, run.requested_by) == (DirectoryImport.Outcome.SAVED, admin_user)
    assert Service.objects.filter(source=server.url).count() == 2
    page = admin_client.get(f"/directory/feeds/{feed.pk}/").content.decode()
    assert "Recent runs" in page
    assert f"/directory/imports/{run.pk}/" in page


def test_only_admins_are_offered_as_people_to_tell(admin_client, admin_user, hv):
    response = admin_client.get("/directory/feeds/add/")
    offered = list(response.context["form"].fields["notify"].queryset)
    assert offered == [admin_user]


def test_a_feed_form_refuses_a_duplicate_and_a_bad_address(post, admin_user):
    DirectoryFeed.objects.create(name="Hubs", url="https://hubs.example.org")
    response = post(
        "/directory/feeds/add/",
        {"name": "hubs", "url": "https://hubs.example.org/", "schedule": "daily"},
    )
    assert _errors(response) == {
        "name": ["Another feed has this name"],
        "url": ["This feed is registered already"],
    }
    response = post(
        "/directory/feeds/add/", {"name": "Other", "url": "ftp://x", "schedule": "daily"}
    )
    assert _errors(response) == {"url": ["Enter the feed's address, starting https://"]}
    assert DirectoryFeed.objects.count() == 1
