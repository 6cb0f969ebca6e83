"""The test database under mutation testing (``scripts/mutate``): one of its own for every run.

mutmut runs each mutant's tests in a process of their own, two at a time, and a test session
ends by ending every other session on its database (``end_stray_database_sessions`` in
tests/conftest.py). So no two runs may share a database. A run whose tests use the database gets
a fresh copy of the template that ``scripts/mutate`` migrated once (``CREATE DATABASE ...
TEMPLATE`` takes a fraction of a second, where migrating takes many), dropped when it ends. A run
of tests without the database still connects once, at the end: it borrows an empty database
from a small pool, one run at a time each (a file lock, freed even if the run is killed).

``scripts/mutate`` puts this fixture in the root conftest.py of mutmut's copy of the project,
where it takes the place of pytest-django's own, and drops what is left when it finishes.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import psycopg
import pytest

#: Fixtures through which a test uses the database.
DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}
#: Empty databases lent to runs without database tests: more than mutmut runs at once.
POOL_SIZE = 4


def uses_the_database(items: list[pytest.Item]) -> bool:
    return any(
        DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        or item.get_closest_marker("django_db")
        for item in items
    )


def _admin(settings_dict: dict) -> psycopg.Connection:
    """A connection to the server's ``postgres`` database, as the test database's user."""
    return psycopg.connect(
        dbname="postgres",
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
        autocommit=True,
        connect_timeout=10,
    )


def _borrow(template: str) -> tuple[str, IO[str]]:
    """The name of a free pooled database, and the lock that keeps it ours until closed."""
    for blocking in (False, True):  # a free one if there is one, else wait for the first
        for slot in range(POOL_SIZE):
            lock = (Path(tempfile.gettempdir()) / f"{template}-pool-{slot}.lock").open("w")
            try:
                fcntl.flock(lock, fcntl.LOCK_EX if blocking else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock.close()
                continue
            return f"{template}_pool_{slot}", lock
    raise AssertionError("unreachable: the blocking lock returns")


def _use(name: str) -> None:
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    for alias in connections:
        settings.DATABASES[alias]["NAME"] = name
        connections[alias].settings_dict["NAME"] = name


@pytest.fixture(scope="session")
def django_db_setup(request: pytest.FixtureRequest) -> Iterator[None]:
    from django.conf import settings
    from django.db import connections

    settings_dict = settings.DATABASES["default"]
    template = settings_dict["NAME"]
    if uses_the_database(request.session.items):
        name = f"{template}_{os.getpid()}"
        with _admin(settings_dict) as admin:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        _use(name)
        try:
            yield
        finally:
            connections.close_all()
            _use(template)
            with _admin(settings_dict) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    name, lock = _borrow(template)
    with _admin(settings_dict) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
    _use(name)
    try:
        yield
    finally:
        connections.close_all()
        _use(template)
        lock.close()
