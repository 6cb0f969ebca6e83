"""Shared fixtures: two teams and a user of every role."""

import pytest

from .factories import (
    AdminFactory,
    HealthVisitorFactory,
    TeamFactory,
    TeamLeadFactory,
    UserFactory,
)


@pytest.fixture
def team_a(db):
    return TeamFactory(name="Team A")


@pytest.fixture
def team_b(db):
    return TeamFactory(name="Team B")


@pytest.fixture
def hv(team_a):
    """A health visitor in team A."""
    return HealthVisitorFactory(team=team_a, username="hv.a")


@pytest.fixture
def other_hv(team_a):
    """A second health visitor in team A."""
    return HealthVisitorFactory(team=team_a, username="hv.a2")


@pytest.fixture
def team_lead(team_a):
    return TeamLeadFactory(team=team_a, username="lead.a")


@pytest.fixture
def hv_b(team_b):
    """A health visitor in team B."""
    return HealthVisitorFactory(team=team_b, username="hv.b")


@pytest.fixture
def team_lead_b(team_b):
    return TeamLeadFactory(team=team_b, username="lead.b")


@pytest.fixture
def admin_user(db):
    return AdminFactory(username="admin.user")


@pytest.fixture
def no_role_user(team_a):
    """A user whose role was never set: they must see nothing."""
    return UserFactory(role="", team=team_a, username="norole")


@pytest.fixture
def hv_client(client, hv):
    client.force_login(hv)
    return client


@pytest.fixture
def sign_in(client):
    """``sign_in(user)``: the test client, signed in as ``user``. New tests sign in through
    this one place, so a change to how sign-in works is made here."""

    def signed_in(user):
        client.logout()
        client.force_login(user)
        return client

    return signed_in


@pytest.fixture(scope="session", autouse=True)
def end_stray_database_sessions(django_db_setup, django_db_blocker):
    """In-process Celery workers and test threads keep database connections of their own; end
    them before the test database is dropped, so the run finishes without a teardown error."""
    yield
    with django_db_blocker.unblock():
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
