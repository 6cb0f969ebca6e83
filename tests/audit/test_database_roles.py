"""The app role (the web and worker processes' database role) cannot erase the audit: each
forbidden statement is tried on a real connection as that role and fails."""

import secrets

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from psycopg import sql

from attachment_app.accounts.models import User
from attachment_app.audit.models import AccessLog
from attachment_app.audit.roles import AppRoleRefused, append_only_tables, grant_app_role
from attachment_app.audit.services import access_record

ACCESS_LOG = AccessLog._meta.db_table
USER_EVENTS = User.pgh_event_model._meta.db_table


@pytest.fixture
def app_role(transactional_db):
    """A login role for this test database only, granted as the deployment grants it."""
    role = f"{connection.settings_dict['NAME']}_app"[:63]
    password = secrets.token_urlsafe(16)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if not cursor.fetchone():
            cursor.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        cursor.execute(
            sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(role), sql.Literal(password))
        )
    call_command("grant_app_role", role, verbosity=0)
    yield role, password
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        cursor.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def connect_as(role: str, password: str) -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        dbname=db["NAME"],
        user=role,
        password=password,
        autocommit=True,
        connect_timeout=5,
    )


FORBIDDEN = [
    ("UPDATE {t} SET object_id = 'forged'", ACCESS_LOG),
    ("DELETE FROM {t}", ACCESS_LOG),
    ("TRUNCATE {t}", ACCESS_LOG),
    ("ALTER TABLE {t} DISABLE TRIGGER ALL", ACCESS_LOG),
    ("ALTER TABLE {t} DISABLE TRIGGER USER", ACCESS_LOG),
    ("DROP TRIGGER IF EXISTS pgtrigger_access_log_append_only_d3c16 ON {t}", ACCESS_LOG),
    ("ALTER TABLE {t} OWNER TO CURRENT_USER", ACCESS_LOG),
    ("DROP TABLE {t}", ACCESS_LOG),
    ("UPDATE {t} SET first_name = 'forged'", USER_EVENTS),
    ("DELETE FROM {t}", USER_EVENTS),
    ("TRUNCATE {t}", USER_EVENTS),
    ("ALTER TABLE {t} DISABLE TRIGGER ALL", USER_EVENTS),
]


@pytest.mark.parametrize(("statement", "table"), FORBIDDEN)
def test_the_app_role_cannot_erase_or_rewrite_the_audit(app_role, hv, team_a, statement, table):
    access_record(actor=hv, obj=team_a)
    hv.first_name = "Changed"
    hv.save()  # one change-history event
    before = (AccessLog.objects.count(), User.pgh_event_model.objects.count())
    with connect_as(*app_role) as app, pytest.raises(psycopg.errors.InsufficientPrivilege):
        app.execute(sql.SQL(statement).format(t=sql.Identifier(table)))
    assert (AccessLog.objects.count(), User.pgh_event_model.objects.count()) == before
    assert AccessLog.objects.get().object_id == str(team_a.pk)


def test_the_app_role_may_insert_and_read_the_audit_and_use_ordinary_tables(app_role, hv):
    with connect_as(*app_role) as app:
        app.execute(
            sql.SQL(
                "INSERT INTO {} (at, user_id, action, object_type, object_id, family_ids, detail)"
                " VALUES (now(), %s, 'view', 'conversations.family', '1', '{{1}}', '')"
            ).format(sql.Identifier(ACCESS_LOG)),
            [hv.pk],
        )
        assert app.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(ACCESS_LOG))
        ).fetchone() == (1,)
        # An ordinary table: the app changes it (and the trigger writes its history as the app).
        app.execute("UPDATE accounts_user SET first_name = 'Renamed' WHERE id = %s", [hv.pk])
    hv.refresh_from_db()
    assert hv.first_name == "Renamed"
    assert User.pgh_event_model.objects.filter(pgh_obj=hv, first_name="Renamed").exists()


def test_every_append_only_table_is_kept_from_the_app_role(app_role):
    tables = append_only_tables()
    assert {ACCESS_LOG, USER_EVENTS, "conversations_consentdecision"} <= set(tables)
    role, _ = app_role
    with connection.cursor() as cursor:
        for table in tables:
            privileges = ["INSERT", "SELECT", "UPDATE", "DELETE", "TRUNCATE", "TRIGGER"]
            cursor.execute(
                "SELECT " + ", ".join("has_table_privilege(%s, %s, %s)" for _ in privileges),
                [value for privilege in privileges for value in (role, table, privilege)],
            )
            assert cursor.fetchone() == (True, True, False, False, False, False), table


def test_a_superuser_is_refused_as_the_app_role(transactional_db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolname FROM pg_roles WHERE rolsuper LIMIT 1")
        (superuser,) = cursor.fetchone()
    with pytest.raises(AppRoleRefused):
        grant_app_role(superuser)


def test_the_app_role_may_mark_a_result_entered_in_error_and_change_it_no_other_way(
    app_role, hv, team_a
):
    """A screening result is append-only: the app role may only set its mark as entered in
    error (a column grant), and the trigger lets that through once."""
    from screening import services as screening_services
    from screening.models import ScreeningResult
    from tests.factories import ContactFactory, FamilyFactory

    screening_services.instrument_definitions_load_shipped()
    contact = ContactFactory(family=FamilyFactory(team=team_a), recorded_by=hv)
    result = screening_services.screening_result_record(
        parent_agreed=True,
        actor=hv,
        contact=contact,
        definition=screening_services.current_definition("phq9"),
        answers={str(n): "not_at_all" for n in range(1, 10)},
    )
    table = sql.Identifier(ScreeningResult._meta.db_table)
    mark = sql.SQL(
        "UPDATE {} SET entered_in_error_at = now(), entered_in_error_by_id = %s, "
        "entered_in_error_reason = %s WHERE id = %s"
    ).format(table)
    with connect_as(*app_role) as app:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute(sql.SQL("UPDATE {} SET total = 0 WHERE id = %s").format(table), [result.pk])
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute(sql.SQL("DELETE FROM {} WHERE id = %s").format(table), [result.pk])
        app.execute(mark, [hv.pk, "Sent twice.", result.pk])
        with pytest.raises(psycopg.errors.RaiseException):
            app.execute(mark, [hv.pk, "Rewritten.", result.pk])
    total = result.total
    result.refresh_from_db()
    assert result.entered_in_error_reason == "Sent twice."
    assert result.total == total
