"""Two database roles: the owner runs migrations; the app role serves the web and the workers.

The append-only triggers stop an UPDATE or DELETE of the audit rows, but a table's owner can
TRUNCATE it, disable its triggers or drop them. So the processes that serve users connect as an
**app role** that owns nothing: it may read and write the ordinary tables, but on the audit
tables (the access log, every pghistory event table and the other append-only records) it may
only INSERT and SELECT. ALTER, DISABLE TRIGGER and DROP need ownership, which it never has.

``grant_app_role`` (the ``grant_app_role`` command) is run by the owner after every ``migrate``,
so tables added by a migration get their grants; until then the app role cannot use them, which
fails loudly rather than leaving a new audit table open.
"""

import pghistory.models
import pgtrigger
from django.apps import apps
from django.db import connection
from psycopg import sql


class AppRoleRefused(Exception):
    """The role given cannot be the app role: it could erase the audit."""


def _protects_update_and_delete(model) -> bool:
    """Whether the model's protect triggers refuse both UPDATE and DELETE (together, or as a
    trigger each, an UPDATE trigger perhaps allowing only a mark as entered in error)."""
    operations = " ".join(
        str(trigger.operation)
        for trigger in getattr(model._meta, "triggers", [])
        if isinstance(trigger, pgtrigger.Protect)
    )
    return "UPDATE" in operations and "DELETE" in operations


#: The columns of a record's mark as entered in error: on an append-only table that has them
#: (screening results), the app role may update these and no others, and its trigger lets the
#: first mark through only.
ENTERED_IN_ERROR_COLUMNS = [
    "entered_in_error_at",
    "entered_in_error_by_id",
    "entered_in_error_reason",
]


def markable_tables() -> list[str]:
    """The append-only tables whose rows may be marked entered in error."""
    tables = set(append_only_tables())
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.db_table in tables
        and not issubclass(model, pghistory.models.Event)
        and {field.column for field in model._meta.concrete_fields} >= set(ENTERED_IN_ERROR_COLUMNS)
    )


def append_only_tables() -> list[str]:
    """The tables the app role may only insert into and read: the access log, the pghistory
    event tables and every table whose rows a trigger refuses to change or delete."""
    tables = {
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.managed
        and not model._meta.proxy
        and (issubclass(model, pghistory.models.Event) or _protects_update_and_delete(model))
    }
    return sorted(tables)


def _check_role(cursor, role: str) -> None:
    cursor.execute(
        "SELECT rolsuper, rolbypassrls, pg_has_role(%s, current_user, 'MEMBER') "
        "FROM pg_roles WHERE rolname = %s",
        [role, role],
    )
    row = cursor.fetchone()
    if row is None:
        raise AppRoleRefused(f"There is no database role {role!r}: create it first.")
    superuser, bypass_rls, member_of_owner = row
    if superuser or bypass_rls:
        raise AppRoleRefused(f"{role!r} is a superuser: the app role must be an ordinary role.")
    if member_of_owner:
        raise AppRoleRefused(f"{role!r} is the owner or a member of it: use a separate role.")


def create_app_role(role: str, password: str | None) -> bool:
    """Create ``role`` as a login role that owns nothing, if it does not exist; True if made."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone():
            return False
        statement = sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE").format(
            sql.Identifier(role)
        )
        if password:
            statement += sql.SQL(" PASSWORD {}").format(sql.Literal(password))
        cursor.execute(statement)
    return True


def grant_app_role(role: str) -> list[str]:
    """Give ``role`` what the web and worker processes need, and no more; return the
    append-only tables it may only insert into and read."""
    tables = append_only_tables()
    name = sql.Identifier(role)
    with connection.cursor() as cursor:
        _check_role(cursor, role)
        schema = sql.Identifier("public")
        cursor.execute(
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                sql.Identifier(connection.settings_dict["NAME"]), name
            )
        )
        cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, name))
        cursor.execute(
            sql.SQL(
                "REVOKE ALL ON ALL TABLES IN SCHEMA {0} FROM {1}; "
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {0} TO {1}; "
                "REVOKE ALL ON ALL SEQUENCES IN SCHEMA {0} FROM {1}; "
                "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {0} TO {1}"
            ).format(schema, name)
        )
        for table in tables:
            cursor.execute(
                sql.SQL("REVOKE UPDATE, DELETE ON {} FROM {}").format(sql.Identifier(table), name)
            )
        for table in markable_tables():
            cursor.execute(
                sql.SQL("GRANT UPDATE ({}) ON {} TO {}").format(
                    sql.SQL(", ").join(sql.Identifier(c) for c in ENTERED_IN_ERROR_COLUMNS),
                    sql.Identifier(table),
                    name,
                )
            )
    return tables
