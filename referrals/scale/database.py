"""Writing the scale data into PostgreSQL: ids, ``COPY``, history rows, sequences and checks.

Everything runs in the caller's transaction, so a failure leaves nothing behind.

- Ids: each filled table is locked against other writers (``EXCLUSIVE``: reads go on) and the
  seeder numbers its rows on from the table's largest id, then moves the table's sequence past
  the last id it used. Numbering from the rows rather than from the sequence keeps the ids the
  same in two databases with the same rows, whatever ids a rolled-back transaction consumed.
- Triggers: the copies run with ``session_replication_role = replica``, set with ``SET LOCAL``
  so it ends with the transaction and touches no other session. That skips the history
  triggers, the append-only triggers (which only refuse UPDATE and DELETE) and the
  foreign-key triggers; check constraints and unique indexes still apply. ``check_references``
  then checks every foreign key of every table written, with one query each, before commit.
- History: ``write_history`` gives each seeded row of a tracked model the one "insert" event
  its trigger would have written, with one ``INSERT … SELECT`` per table.
"""

import time
from collections import defaultdict

from django.apps import apps
from pghistory.models import Context, Event
from psycopg import sql

from .tables import TABLES

#: When each tracked table's row came into being, for its history event: a column of the row
#: (``t``), or for babies and parents, which have none, the time the family was added (``f``).
CREATED_AT = {
    "family": ("t", "created_at"),
    "baby": ("f", "created_at"),
    "caregiver": ("f", "created_at"),
    "contact": ("t", "created_at"),
    "conversation": ("t", "created_at"),
    "screening_result": ("t", "recorded_at"),
    "concern": ("t", "raised_at"),
    "referral": ("t", "created_at"),
    "follow_up": ("t", "planned_at"),
    "signpost": ("t", "recorded_at"),
}

#: Every foreign key (of one column) of the given tables.
FOREIGN_KEYS = """
    SELECT con.conrelid::regclass::text, a.attname, con.confrelid::regclass::text, f.attname
    FROM pg_constraint con
    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
    JOIN pg_attribute f ON f.attrelid = con.confrelid AND f.attnum = con.confkey[1]
    WHERE con.contype = 'f' AND cardinality(con.conkey) = 1
      AND con.conrelid::regclass::text = ANY(%s)
    ORDER BY 1, 2
"""


class Database:
    """The seeder's writes, with how long each table took."""

    def __init__(self, cursor):
        self.cursor = cursor
        self.seconds: dict[str, float] = defaultdict(float)
        #: Every table written: (primary key column, first key written).
        self.written: dict[str, tuple[str, int]] = {}

    def run(self, query: sql.Composable, params=(), *, timed: str = ""):
        """Run a composed statement; add its time to ``timed``; return the first row, if any."""
        started = time.perf_counter()
        self.cursor.execute(query.as_string(self.cursor.connection), params)
        if timed:
            self.seconds[timed] += time.perf_counter() - started
        return self.cursor.fetchone() if self.cursor.description else None

    def first_ids(self, tables: list[str]) -> dict[str, int]:
        """Lock ``tables`` against other writers; the id after each one's largest."""
        found = {}
        for table in tables:
            name = sql.Identifier(table)
            self.run(sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(name))
            found[table] = self.run(
                sql.SQL("SELECT COALESCE(MAX(id), 0) + 1 FROM {}").format(name)
            )[0]
        return found

    def skip_triggers(self, skip: bool) -> None:
        """Triggers off (``replica``) or back on (``origin``) until the transaction ends."""
        role = "replica" if skip else "origin"
        self.cursor.execute(f"SET LOCAL session_replication_role = {role}")

    def copy(self, name: str, rows: list[tuple]) -> None:
        """``COPY`` one table's rows (text format: psycopg writes each value)."""
        if not rows:
            return
        model, columns = TABLES[name]
        table = model._meta.db_table
        started = time.perf_counter()
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        with self.cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        self.seconds[table] += time.perf_counter() - started
        self.written.setdefault(table, ("id", rows[0][0]))

    def start_context(self, context_id, metadata: str) -> None:
        """The pghistory context the seeded history rows point at, naming the seeder."""
        self.run(
            sql.SQL(
                "INSERT INTO {} (id, created_at, updated_at, metadata) "
                "VALUES (%s, now(), now(), %s)"
            ).format(sql.Identifier(Context._meta.db_table)),
            [context_id, metadata],
        )

    def write_history(self, first_ids: dict[str, int], context_id) -> dict[str, int]:
        """One "insert" event for each seeded row of a tracked model; how many, by event table."""
        made = {}
        family_table = sql.Identifier(TABLES["family"][0]._meta.db_table)
        for name, (model, _) in TABLES.items():
            table = model._meta.db_table
            if table not in self.written:
                continue
            created = sql.Identifier(*CREATED_AT[name]) if name in CREATED_AT else None
            for event_model in event_models(model):
                event_table = event_model._meta.db_table
                columns, values = [], []
                for field in event_model._meta.concrete_fields:
                    if field.column == "pgh_id":
                        continue  # an identity column: numbered by the database
                    columns.append(sql.Identifier(field.column))
                    values.append(
                        {
                            "pgh_created_at": created,
                            "pgh_label": sql.Literal("insert"),
                            "pgh_obj_id": sql.Identifier("t", "id"),
                            "pgh_context_id": sql.Placeholder(),
                        }.get(field.column)
                        or sql.Identifier("t", field.column)
                    )
                join = (
                    sql.SQL(" JOIN {} f ON f.id = t.family_id").format(family_table)
                    if CREATED_AT[name][0] == "f"
                    else sql.SQL("")
                )
                first_event = self.run(
                    sql.SQL("SELECT COALESCE(MAX(pgh_id), 0) + 1 FROM {}").format(
                        sql.Identifier(event_table)
                    )
                )[0]
                self.run(
                    sql.SQL(
                        "INSERT INTO {} ({}) SELECT {} FROM {} t{} WHERE t.id >= %s ORDER BY t.id"
                    ).format(
                        sql.Identifier(event_table),
                        sql.SQL(", ").join(columns),
                        sql.SQL(", ").join(values),
                        sql.Identifier(table),
                        join,
                    ),
                    [context_id, first_ids[name]],
                    timed=event_table,
                )
                made[event_table] = self.cursor.rowcount
                self.written[event_table] = ("pgh_id", first_event)
        return made

    def note_written(self, table: str, first_id: int) -> None:
        """A table written another way (the staff, through the ORM), for the checks."""
        self.written.setdefault(table, ("id", first_id))

    def check_references(self) -> list[str]:
        """Every foreign key of the rows written that points at no row, in words."""
        self.cursor.execute(FOREIGN_KEYS, [list(self.written)])
        problems = []
        for child, column, parent, parent_column in self.cursor.fetchall():
            key, first = self.written[child]
            missing = self.run(
                sql.SQL(
                    "SELECT count(*) FROM {child} c WHERE c.{key} >= %s AND c.{column} IS NOT NULL "
                    "AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.{parent_column} = c.{column})"
                ).format(
                    child=sql.Identifier(child),
                    key=sql.Identifier(key),
                    column=sql.Identifier(column),
                    parent=sql.Identifier(parent),
                    parent_column=sql.Identifier(parent_column),
                ),
                [first],
                timed="checking foreign keys",
            )[0]
            if missing:
                problems.append(f"{missing} rows of {child}.{column} point at no {parent} row.")
        return problems

    def move_sequences(self, last_ids: dict[str, int]) -> None:
        """Each table's sequence past the last id used, so the next ordinary insert works."""
        for table, last in last_ids.items():
            self.cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = self.cursor.fetchone()[0]
            self.cursor.execute(
                "SELECT setval(%s, GREATEST(%s, pg_sequence_last_value(%s::regclass)))",
                [sequence, last, sequence],
            )

    def analyze(self) -> None:
        """Fresh planner statistics for every table written, as autovacuum would gather later."""
        for table in self.written:
            self.run(sql.SQL("ANALYZE {}").format(sql.Identifier(table)), timed="ANALYZE")


def event_models(model) -> list:
    """The pghistory event models that keep ``model``'s history."""
    return [
        candidate
        for candidate in apps.get_models()
        if issubclass(candidate, Event) and getattr(candidate, "pgh_tracked_model", None) is model
    ]
