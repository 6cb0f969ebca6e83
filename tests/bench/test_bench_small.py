"""`make bench` in small (``--quick``): S only, a few dozen families and a few requests a page,
against this test database, so the harness is run by every `make test` and cannot rot.

It seeds the database, serves it under gunicorn with the production settings, signs in through
the real pages, times every page and write, runs the concurrent mix and the reminder sweep with
real workers, and prints its tables. No timing is asserted: only that it all ran and that every
page answered 200 and every write its redirect.
"""

import json
import os
import socket
import subprocess
import sys
from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from psycopg import sql

from screening.models import ConcernCategory
from scripts.bench import pages

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


#: The migrations that put in the rows the seeders need (concern categories, the directory's
#: interventions and taxonomy), as in tests/test_submitted_once.py.
SEEDING_MIGRATIONS = [
    ("screening.migrations.0002_concern_categories", "add_categories"),
    ("referrals.migrations.0002_interventions_and_categories", "add"),
    ("referrals.migrations.0004_evidence_source_in_full", "spell_out"),
]


@pytest.fixture
def migrations_rows(transactional_db):
    """The migrations' rows, put back where an earlier test with real transactions emptied
    them (such a test empties every table after it)."""
    if not ConcernCategory.objects.exists():
        for module, function in SEEDING_MIGRATIONS:
            getattr(import_module(module), function)(apps, None)


@pytest.fixture
def bench_role(transactional_db):
    """The role the benchmark's servers connect as, for this test database only."""
    role = f"{connection.settings_dict['NAME']}_bench"[:63]
    yield role
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone():
            cursor.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
            cursor.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def test_the_quick_benchmark_runs_end_to_end_and_every_page_answers(
    migrations_rows, bench_role, tmp_path
):
    db = connection.settings_dict
    server = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/postgres"
    results_file = tmp_path / "results.json"
    env = {**os.environ, "DATABASE_URL": server, "REDIS_URL": settings.REDIS_URL}
    command = [sys.executable, "-m", "scripts.bench", "--quick", "--s-database", db["NAME"]]
    command += ["--app-role", bench_role, "--port", str(free_port()), "--redis-db", "12"]
    command += ["--output", "", "--json", str(results_file)]
    done = subprocess.run(
        command,
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Targets met:" in done.stdout

    results = json.loads(results_file.read_text())
    assert results["sizes"] == ["S"]
    assert set(results["pages"]) == {page.key for page in pages.PAGES}
    for key, by_size in results["pages"].items():
        assert by_size["S"]["statuses"] == [200], key
        assert by_size["S"]["requests"] == 3, key
        assert f"| {results['labels'][key]} (" in done.stdout
    # W2 needs a submitted referral that can be resubmitted, which a few dozen families may
    # not have: then the run says why it was left out.
    assert set(results["writes"]) in ({"W1", "W2", "W2b", "W3"}, {"W1", "W3"})
    assert ("W2" in results["writes"]) != ("W2" in results["write_notes"])
    for key, by_size in results["writes"].items():
        assert by_size["S"]["statuses"] == [302], key

    mix = results["mix"]["S"]
    assert mix["all"]["requests"] > 0
    assert mix["all"]["failures"] == 0
    assert {"caseload", "family", "review", "search"} <= set(mix)

    sweep = results["sweep"]
    assert sweep["enqueued"] >= sweep["due"] == 50
    assert sweep["left"] == 0
    assert sweep["delivered"] + sweep["cancelled"] == 50
