"""A registered feed synced on its schedule through a real Celery worker on Redis (not eager
mode): the hourly sweep hands the due feed on, the worker imports it, and the run is kept."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from attachment_app.celery import app
from referrals.models import DirectoryFeed, DirectoryImport, Service
from referrals.tasks import sync_directory_feeds

from .feeds import FeedServer, service_v3

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_due_feed_is_synced_through_a_real_worker():
    assert app.conf.task_always_eager is False
    with FeedServer() as server:
        server.serve_v3([service_v3(n) for n in range(5)])
        feed = DirectoryFeed.objects.create(name="Invented Family Hubs", url=server.url)
        with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
            # What beat sends each hour, as beat sends it: through the broker.
            sync_directory_feeds.delay()
            saved = DirectoryImport.objects.filter(feed=feed, outcome=DirectoryImport.Outcome.SAVED)
            assert wait_for(saved.exists), "the worker did not sync the feed"
    run = saved.get()
    assert (run.dry_run, run.requested_by, run.report["counts"]["created"]) == (False, None, 5)
    assert Service.objects.filter(source=server.url).count() == 5
    feed.refresh_from_db()
    assert feed.last_run_at is not None
    assert feed.sync_enqueued_at is not None
    # Synced: the next sweep in the same hour hands nothing on.
    assert sync_directory_feeds() == 0
