"""The round trip: what the directory publishes imports back into an empty one as the same services.

The demo directory is published through ``/api/oruk/`` (the Django test client), every response
is kept and served as a feed from 127.0.0.1, the directory is emptied, the feed is imported, and
what is published then is compared with what was published first.
"""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from referrals.models import (
    DirectoryImport,
    Location,
    Organization,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)
from referrals.oruk.importing import directory_import_run, directory_import_start

from .feeds import FeedServer, Reply

pytestmark = pytest.mark.django_db

#: Stamps of the moment a record was saved, which an import cannot carry over.
MOMENTS = {"last_modified"}


def _published(client) -> dict[str, Reply]:
    """Every response a feed reader asks for, by path (with the query the importer sends)."""
    routes: dict[str, Reply] = {}
    page = 1
    while True:
        path = f"/services?page={page}&per_page=100"
        response = client.get("/api/oruk" + path)
        assert response.status_code == 200
        routes[path] = Reply(response.content)
        listing = response.json()
        for record in listing["contents"]:
            detail = client.get(f"/api/oruk/services/{record['id']}")
            assert detail.status_code == 200
            routes[f"/services/{record['id']}"] = Reply(detail.content)
        if listing["last_page"]:
            break
        page += 1
    return routes


def _services(routes: dict[str, Reply]) -> dict[str, dict]:
    return {
        path: _without_moments(json.loads(reply.body))
        for path, reply in routes.items()
        if path.startswith("/services/")
    }


def _without_moments(value):
    if isinstance(value, dict):
        return {k: _without_moments(v) for k, v in value.items() if k not in MOMENTS}
    if isinstance(value, list):
        return [_without_moments(v) for v in value]
    return value


def _empty_the_directory() -> None:
    ServiceAtLocation.objects.all().delete()
    ServiceArea.objects.all().delete()
    Service.objects.all().delete()
    Location.objects.all().delete()
    Organization.objects.all().delete()
    TaxonomyTerm.objects.all().delete()


def test_the_published_directory_imports_back_as_the_same_services(client, admin_user):
    call_command("seed_demo_directory", stdout=StringIO())
    first = _published(client)
    published = _services(first)
    assert len(published) == Service.objects.count() >= 15

    _empty_the_directory()
    with FeedServer() as feed:
        feed.routes.update(first)
        run = directory_import_run(
            run=directory_import_start(actor=None, source=feed.url, dry_run=False)
        )

    assert run.outcome == DirectoryImport.Outcome.SAVED, run.report
    assert run.report["counts"]["created"] == len(published)
    again = _services(_published(client))
    assert again.keys() == published.keys()
    for path, service in published.items():
        assert again[path] == service, path


def test_importing_what_we_publish_a_second_time_changes_nothing(client, admin_user):
    call_command("seed_demo_directory", stdout=StringIO())
    routes = _published(client)
    _empty_the_directory()
    with FeedServer() as feed:
        feed.routes.update(routes)
        directory_import_run(run=directory_import_start(actor=None, source=feed.url, dry_run=False))
        second = directory_import_run(
            run=directory_import_start(actor=None, source=feed.url, dry_run=False)
        )
    assert second.outcome == DirectoryImport.Outcome.SAVED, second.report
    counts = second.report["counts"]
    assert counts["unchanged"] == len(_services(routes))
    assert counts.get("changed", 0) == counts.get("created", 0) == 0
