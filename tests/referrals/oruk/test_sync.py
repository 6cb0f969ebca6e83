"""Registered feeds synced on their schedule: one sync per feed at a time, one enqueue per due
feed however often the sweep runs, each run's report kept, and the feed's admins told of what
needs them (refusals, a feed that cannot be read, services retired upstream) and of nothing else.
"""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from django.utils import timezone

from attachment_app.reminders.models import Notification
from referrals.models import DirectoryFeed, DirectoryImport, Service
from referrals.oruk import syncing
from tests.factories import AdminFactory, HealthVisitorFactory

from .feeds import FeedServer, Reply, service_v3

pytestmark = pytest.mark.django_db


@pytest.fixture
def server():
    with FeedServer() as served:
        yield served


@pytest.fixture
def admin():
    return AdminFactory(username="admin.feeds", email="feeds@example.invalid")


def make_feed(url, *, schedule=DirectoryFeed.Schedule.DAILY, notify=(), **fields):
    feed = DirectoryFeed.objects.create(
        name=fields.pop("name", "Invented Family Hubs"), url=url, schedule=schedule, **fields
    )
    feed.notify.set(notify)
    return feed


@pytest.fixture
def other_connection():
    """A second database session, as another worker would have."""
    other = connections.create_connection("default")
    yield other
    other.close()


# --- The sync ---------------------------------------------------------------------------------


def test_a_sync_saves_the_feed_keeps_its_report_and_sets_when_it_ran(server, admin):
    server.serve_v3([service_v3(n) for n in range(3)])
    feed = make_feed(server.url, notify=[admin])
    run = syncing.directory_feed_sync(feed_id=feed.pk)
    assert run.outcome == DirectoryImport.Outcome.SAVED
    assert (run.feed, run.dry_run, run.requested_by) == (feed, False, None)
    assert run.report["counts"]["created"] == 3
    assert Service.objects.filter(source=server.url).count() == 3
    feed.refresh_from_db()
    assert feed.last_run_at is not None
    assert list(feed.imports.all()) == [run]


def test_a_second_sync_while_one_holds_the_lock_does_nothing(server, other_connection):
    server.serve_v3([service_v3(1)])
    feed = make_feed(server.url)
    with other_connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [syncing.FEED_LOCK, feed.pk])
        assert cursor.fetchone() == (True,)
    assert syncing.directory_feed_sync(feed_id=feed.pk) is None
    assert not DirectoryImport.objects.exists()
    assert server.asked == []
    feed.refresh_from_db()
    assert feed.last_run_at is None
    # Once the other sync lets go, the next one runs.
    with other_connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [syncing.FEED_LOCK, feed.pk])
    assert syncing.directory_feed_sync(feed_id=feed.pk).outcome == DirectoryImport.Outcome.SAVED


def test_a_sync_lets_go_of_its_lock_when_done(server, other_connection):
    server.serve_v3([service_v3(1)])
    feed = make_feed(server.url)
    syncing.directory_feed_sync(feed_id=feed.pk)
    with other_connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [syncing.FEED_LOCK, feed.pk])
        assert cursor.fetchone() == (True,)


def test_an_import_being_run_by_another_worker_is_not_run_again(server, admin, other_connection):
    server.serve_v3([service_v3(1)])
    check = syncing.directory_import_start(actor=admin, source=server.url, dry_run=True)
    with other_connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [syncing.IMPORT_LOCK, check.pk])
    assert syncing.directory_import_run_by_id(check.pk) == "already running"
    check.refresh_from_db()
    assert check.outcome == DirectoryImport.Outcome.RUNNING


# --- The sweep --------------------------------------------------------------------------------


def sweep(django_capture_on_commit_callbacks) -> list[int]:
    enqueued: list[int] = []
    with django_capture_on_commit_callbacks(execute=True):
        syncing.directory_feeds_sweep(enqueue=enqueued.append)
    return enqueued


def test_the_sweep_twice_in_the_same_hour_enqueues_a_due_feed_once(
    django_capture_on_commit_callbacks,
):
    due = make_feed("https://hubs.example.org/api")
    assert sweep(django_capture_on_commit_callbacks) == [due.pk]
    assert sweep(django_capture_on_commit_callbacks) == []


def test_the_sweep_enqueues_only_feeds_whose_schedule_is_due(django_capture_on_commit_callbacks):
    now = timezone.now()
    never_run = make_feed("https://a.example.org", name="A")
    daily_due = make_feed(
        "https://b.example.org", name="B", last_run_at=now - datetime.timedelta(hours=25)
    )
    make_feed("https://c.example.org", name="C", last_run_at=now - datetime.timedelta(hours=2))
    make_feed(
        "https://d.example.org",
        name="D",
        schedule=DirectoryFeed.Schedule.WEEKLY,
        last_run_at=now - datetime.timedelta(days=3),
    )
    weekly_due = make_feed(
        "https://e.example.org",
        name="E",
        schedule=DirectoryFeed.Schedule.WEEKLY,
        last_run_at=now - datetime.timedelta(days=8),
    )
    make_feed("https://f.example.org", name="F", schedule=DirectoryFeed.Schedule.PAUSED)
    assert sorted(sweep(django_capture_on_commit_callbacks)) == sorted(
        [never_run.pk, daily_due.pk, weekly_due.pk]
    )


def test_a_feed_is_enqueued_again_the_next_day_after_its_sync_ran(
    server, django_capture_on_commit_callbacks
):
    server.serve_v3([service_v3(1)])
    feed = make_feed(server.url)
    assert sweep(django_capture_on_commit_callbacks) == [feed.pk]
    syncing.directory_feed_sync(feed_id=feed.pk)
    assert sweep(django_capture_on_commit_callbacks) == []
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1), tick=False):
        assert sweep(django_capture_on_commit_callbacks) == [feed.pk]


def test_a_sync_whose_message_was_lost_is_enqueued_again_hours_later(
    django_capture_on_commit_callbacks,
):
    feed = make_feed("https://hubs.example.org/api")
    assert sweep(django_capture_on_commit_callbacks) == [feed.pk]
    later = timezone.now() + syncing.REENQUEUE_AFTER + datetime.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert sweep(django_capture_on_commit_callbacks) == [feed.pk]


def test_the_sweep_task_hands_due_feeds_to_the_sync_task(
    monkeypatch, django_capture_on_commit_callbacks
):
    from referrals import tasks

    sent = []
    monkeypatch.setattr(tasks.sync_directory_feed, "delay", lambda *args: sent.append(args))
    feed = make_feed("https://hubs.example.org/api")
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.sync_directory_feeds() == 1
    assert sent == [(feed.pk, None)]


# --- Who is told ------------------------------------------------------------------------------


def test_the_feed_admins_are_told_when_records_are_refused(server, admin):
    other_admin = AdminFactory(username="admin.two")
    server.serve_v3([service_v3(1), service_v3(2, name="")])
    feed = make_feed(server.url, notify=[admin])
    mail.outbox.clear()
    run = syncing.directory_feed_sync(feed_id=feed.pk)
    assert run.outcome == DirectoryImport.Outcome.REFUSED
    (notification,) = Notification.objects.all()
    assert notification.recipient == admin
    assert notification.title == (
        "The feed Invented Family Hubs has 1 service refused: nothing was saved"
    )
    assert notification.link == f"/directory/imports/{run.pk}/"
    assert not Notification.objects.filter(recipient=other_admin).exists()
    assert [message.to for message in mail.outbox] == [[admin.email]]


def test_the_feed_admins_are_told_when_services_left_the_feed_and_were_retired(server, admin):
    server.serve_v3([service_v3(n) for n in range(3)])
    feed = make_feed(server.url, notify=[admin])
    syncing.directory_feed_sync(feed_id=feed.pk)
    assert not Notification.objects.exists()
    server.routes.clear()
    server.serve_v3([service_v3(0)])
    run = syncing.directory_feed_sync(feed_id=feed.pk)
    assert run.report["counts"]["retired"] == 2
    (notification,) = Notification.objects.filter(recipient=admin)
    assert notification.title == "2 services retired: they left the feed Invented Family Hubs"


def test_the_feed_admins_are_told_when_the_feed_cannot_be_read(server, admin):
    server.routes["/services?page=1&per_page=100"] = Reply(b"<html>down</html>", status=503)
    feed = make_feed(server.url, notify=[admin])
    run = syncing.directory_feed_sync(feed_id=feed.pk)
    assert run.outcome == DirectoryImport.Outcome.FAILED
    assert Notification.objects.get(recipient=admin).title == (
        "The feed Invented Family Hubs could not be read: nothing was saved"
    )


def test_nobody_is_told_of_a_sync_with_nothing_that_needs_them(server, admin):
    server.serve_v3([service_v3(n) for n in range(2)])
    feed = make_feed(server.url, notify=[admin])
    syncing.directory_feed_sync(feed_id=feed.pk)
    syncing.directory_feed_sync(feed_id=feed.pk)
    assert not Notification.objects.exists()


def test_someone_no_longer_an_admin_is_not_told(server, admin, team_a):
    server.serve_v3([service_v3(1, name="")])
    feed = make_feed(server.url, notify=[admin])
    admin.role, admin.team = "health_visitor", team_a
    admin.save()
    syncing.directory_feed_sync(feed_id=feed.pk)
    assert not Notification.objects.exists()


# --- Registering feeds and the admin's check --------------------------------------------------


def test_a_feed_is_registered_with_admins_only_to_tell(admin, team_a):
    hv = HealthVisitorFactory(team=team_a)
    with pytest.raises(ValidationError) as error:
        syncing.directory_feed_save(
            actor=admin,
            feed=None,
            name="Hubs",
            url="https://hubs.example.org/api/",
            schedule="daily",
            notify=[hv],
        )
    assert error.value.message_dict == {"notify": ["Choose admins only"]}
    feed = syncing.directory_feed_save(
        actor=admin,
        feed=None,
        name="Hubs",
        url="https://hubs.example.org/api/",
        schedule="weekly",
        notify=[admin],
    )
    assert (feed.url, feed.schedule, list(feed.notify.all())) == (
        "https://hubs.example.org/api",
        "weekly",
        [admin],
    )


def test_only_admins_register_feeds_or_check_imports(team_a):
    hv = HealthVisitorFactory(team=team_a)
    with pytest.raises(PermissionDenied):
        syncing.directory_feed_save(
            actor=hv, feed=None, name="x", url="https://x.example.org", schedule="daily", notify=[]
        )
    with pytest.raises(PermissionDenied):
        syncing.directory_import_check(actor=hv, source="https://x.example.org")


@pytest.mark.parametrize(
    ("kwargs", "errors"),
    [
        ({}, {"source": ["Enter a feed's address or choose a JSON file of services"]}),
        (
            {"source": "https://x.example.org", "upload": b"[]", "file_name": "a.json"},
            {"source": ["Enter a feed's address or choose a file, not both"]},
        ),
        (
            {"source": "ftp://x.example.org"},
            {"source": ["Enter the feed's address, starting https://"]},
        ),
        (
            {"upload": b"<html></html>", "file_name": "a.json"},
            {"upload": ["The file is a web page, not JSON"]},
        ),
        (
            {"upload": b"{", "file_name": "a.json"},
            {"upload": ["The file is not valid JSON (line 1, column 2)"]},
        ),
    ],
)
def test_a_check_is_refused_with_a_clear_reason(admin, kwargs, errors):
    with pytest.raises(ValidationError) as error:
        syncing.directory_import_check(actor=admin, **kwargs)
    assert error.value.message_dict == errors
    assert not DirectoryImport.objects.exists()


def test_a_checked_import_is_saved_once_however_often_it_is_confirmed(server, admin):
    server.serve_v3([service_v3(1)])
    check = syncing.directory_import_check(actor=admin, source=server.url)
    syncing.directory_import_run_by_id(check.pk)
    check.refresh_from_db()
    first = syncing.directory_import_save(actor=admin, checked=check)
    again = syncing.directory_import_save(actor=admin, checked=check)
    assert first == again
    assert DirectoryImport.objects.filter(dry_run=False).count() == 1
    assert syncing.directory_import_run_by_id(first.pk) == DirectoryImport.Outcome.SAVED
    assert Service.objects.filter(source=server.url).count() == 1
