"""Importing ORUK feeds over HTTP: the walk, its limits, and each way a feed can go wrong.

Each test serves its own invented feed from a small HTTP server on 127.0.0.1 (feeds.py).
"""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from referrals.models import DirectoryImport, Service
from referrals.oruk import fetching
from referrals.oruk.importing import directory_import_run, directory_import_start

from .feeds import FeedServer, Reply, as_json, page_v3, service_v1, service_v3

pytestmark = pytest.mark.django_db


@pytest.fixture
def feed():
    with FeedServer() as server:
        yield server


def run_feed(url, *, dry_run=False):
    return directory_import_run(run=directory_import_start(actor=None, source=url, dry_run=dry_run))


def test_a_paged_3_0_feed_is_walked_page_by_page_then_service_by_service(feed):
    records = [service_v3(n) for n in range(250)]
    feed.serve_v3(records)
    run = run_feed(feed.url + "/")
    assert run.outcome == DirectoryImport.Outcome.SAVED
    assert run.report["counts"]["created"] == 250
    assert feed.pages_asked() == [1, 2, 3]
    assert sum(p.startswith("/services/") for p in feed.asked) == 250
    assert run.report["requests"] == 253
    assert Service.objects.filter(source=feed.url).count() == 250


def test_a_v1_feed_is_walked_through_its_envelope(feed):
    feed.serve_v1([service_v1(n) for n in range(120)])
    run = run_feed(feed.url)
    assert run.outcome == DirectoryImport.Outcome.SAVED
    assert feed.pages_asked() == [1, 2]
    assert Service.objects.get(source_id="v1-7").maximum_age_months == 60


def test_a_dry_run_of_a_feed_saves_nothing_and_a_second_run_changes_nothing(feed):
    feed.serve_v3([service_v3(n) for n in range(5)])
    assert run_feed(feed.url, dry_run=True).outcome == DirectoryImport.Outcome.CHECKED
    assert not Service.objects.exists()
    run_feed(feed.url)
    assert run_feed(feed.url).report["counts"]["unchanged"] == 5


def test_a_service_naming_only_its_organisation_is_given_it_from_the_feed(feed):
    records = [service_v3(n) for n in range(3)]
    for record in records:
        organization = record.pop("organization")
        record["organization_id"] = organization["id"]
    feed.serve_v3(records)
    feed.routes[f"/organizations/{organization['id']}"] = as_json(organization)
    run = run_feed(feed.url)
    assert run.outcome == DirectoryImport.Outcome.SAVED
    assert {s.organization.name for s in Service.objects.all()} == {"Invented Family Hubs"}
    # Asked once for the organisation, not once per service.
    assert feed.asked.count(f"/organizations/{organization['id']}") == 1


@pytest.mark.parametrize(
    ("reply", "problem"),
    [
        (Reply(b"oops", status=500), "/services?page=2&per_page=100 answered 500."),
        (
            Reply(b"<html><body>Sorry</body></html>", content_type="text/html"),
            "/services?page=2&per_page=100 is a web page, not JSON.",
        ),
        (Reply(b"{", content_type="application/json"), "is not valid JSON (line 1, column 2)."),
        (
            Reply(b"{}", content_type="text/plain"),
            "is not JSON (its content type is \u201ctext/plain\u201d).",
        ),
        (
            Reply(b"", status=302, headers={"Location": "https://elsewhere.example/services"}),
            "/services?page=2&per_page=100 redirects to another address: not followed.",
        ),
    ],
)
def test_a_failing_page_is_a_feed_problem_and_nothing_is_saved(feed, reply, problem):
    feed.serve_v3([service_v3(n) for n in range(150)])
    feed.routes["/services?page=2&per_page=100"] = reply
    run = run_feed(feed.url)
    assert run.outcome == DirectoryImport.Outcome.FAILED
    [line] = run.report["feed_problems"]
    assert line.endswith(problem)
    assert not Service.objects.exists()


def test_a_redirect_on_the_same_host_is_followed(feed):
    feed.serve_v3([service_v3(1)])
    feed.routes["/services?page=1&per_page=100"] = Reply(
        b"", status=301, headers={"Location": "/v2/services"}
    )
    feed.routes["/v2/services"] = as_json(page_v3([service_v3(1)], 1, 1, 100))
    assert run_feed(feed.url).outcome == DirectoryImport.Outcome.SAVED


def test_a_slow_page_times_out(feed, settings):
    settings.ORUK_FEED_TIMEOUT_SECONDS = 0.3
    feed.serve_v3([service_v3(1)])
    feed.routes[f"/services/{service_v3(1)['id']}"] = Reply(b"{}", hold=True)
    run = run_feed(feed.url)
    assert run.outcome == DirectoryImport.Outcome.FAILED
    assert run.report["feed_problems"] == [
        f"/services/{service_v3(1)['id']} did not answer within 0.3 seconds."
    ]


def test_a_feed_that_never_ends_is_stopped_at_the_page_cap(feed, settings):
    settings.ORUK_FEED_MAX_PAGES = 4
    for page in range(1, 10):
        body = page_v3([service_v3(page)], page, 99, 1)
        feed.routes[f"/services?page={page}&per_page=100"] = as_json(body)
    run = run_feed(feed.url)
    assert run.report["feed_problems"] == ["/services has more than 4 pages: it may never end."]
    assert feed.pages_asked() == [1, 2, 3, 4]


def test_a_body_over_the_size_limit_is_not_read(feed, settings):
    settings.ORUK_FEED_MAX_BYTES = 1024 * 1024
    big = json.dumps(page_v3([service_v3(1, description="x" * (1024 * 1024))], 1, 1, 100))
    feed.routes["/services?page=1&per_page=100"] = Reply(big.encode())
    run = run_feed(feed.url)
    assert run.report["feed_problems"] == ["/services?page=1&per_page=100 is larger than 1 MB."]


def test_duplicate_ids_across_pages_are_a_feed_problem(feed):
    feed.serve_v3([service_v3(n) for n in range(150)])
    feed.routes["/services?page=2&per_page=100"] = as_json(
        page_v3([service_v3(3), *[service_v3(n) for n in range(101, 150)]], 2, 2, 100)
    )
    run = run_feed(feed.url)
    assert run.report["feed_problems"] == [
        f"The id {service_v3(3)['id']} is given to more than one service."
    ]
    assert not Service.objects.exists()


def test_a_feed_that_cannot_be_reached_says_so():
    run = run_feed("http://127.0.0.1:9")
    assert run.outcome == DirectoryImport.Outcome.FAILED
    assert "could not be reached" in run.report["feed_problems"][0]


def test_requests_are_spaced_to_the_rate_limit(feed, settings, monkeypatch):
    settings.ORUK_FEED_REQUESTS_PER_SECOND = 4
    waits = []
    monkeypatch.setattr(fetching.time, "sleep", waits.append)
    feed.serve_v3([service_v3(n) for n in range(3)])
    run_feed(feed.url)
    # Four requests: each after the first waits for most of its quarter of a second.
    assert len(waits) == 3
    assert all(0.2 < wait <= 0.25 for wait in waits)


def test_the_command_reads_a_feed_and_exits_non_zero_when_it_cannot(feed, capsys):
    feed.serve_v3([service_v3(1)])
    call_command("oruk_import", feed.url)
    assert "1 created" in capsys.readouterr().out
    feed.routes["/services?page=1&per_page=100"] = Reply(b"", status=503)
    with pytest.raises(CommandError, match="could not be read"):
        call_command("oruk_import", feed.url)
    assert "Feed problem: /services?page=1&per_page=100 answered 503." in capsys.readouterr().out
    assert Service.objects.count() == 1
