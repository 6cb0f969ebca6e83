"""Seed a region's worth of invented families for the benchmark: ``seed_scale --families N
--teams T [--seed S] [--today YYYY-MM-DD]``.

Run it after ``migrate`` and ``seed_demo`` (whose directory gives the referrals their
services) in a database without scale data. It makes T teams of 10 to 16 health visitors and a
team lead each, named ``scale.t01.hv01`` … ``scale.t01.lead``, who sign in with ``seed_demo``'s
password and authenticator secret. ``scale.t01.hv01`` always has the deepest caseload (about
1,600 children at 100,000 families in 25 teams). Then N families, with about ten contacts each
over three years, conversations, questionnaires, concerns, referrals through the workflow,
follow-ups, signposting, reminders and access-log rows (``referrals.scale``). The same N, T,
seed and day give the same rows; every date is counted back from the day (today unless given).

The rows are written with PostgreSQL ``COPY``, in one transaction, with the triggers skipped for
that transaction only; the command then writes each seeded record's history itself, checks every
foreign key and moves the sequences on. Why the history is written rather than skipped: the
app reads it (a FHIR bulk export's ``_since`` looks at when records changed; a resubmitted
referral compares its snapshots), and the history tables are a large part of a real
database that a benchmark ought to carry. Each seeded row gets the one "insert" event its
trigger would have written, timed when the record was made and pointing at a pghistory context
that names this command, so seeded history can be told from real history. Later changes (a
referral's moves, a completed conversation) appear in the records and their events, not as
further history rows.

Why not the ORM: ``bulk_create`` with the history triggers on, in one transaction, slows down
batch by batch (``docs/performance.md``, "Why one large transaction slowed down").
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction

from attachment_app.accounts.management.commands.seed_demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from referrals.scale.seed import SeedError, seed_region


class Command(BaseCommand):
    help = "Seed N invented families in T teams, shaped like a region, for the benchmark."

    def add_arguments(self, parser):
        parser.add_argument("--families", type=int, required=True, metavar="N")
        parser.add_argument("--teams", type=int, required=True, metavar="T")
        parser.add_argument("--seed", type=int, default=20260401, metavar="S")
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            metavar="YYYY-MM-DD",
            help="The day the data runs up to (default: today).",
        )

    def handle(self, *args, families, teams, seed, today, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo data is never created in production.")
        if families < 1 or teams < 1:
            raise CommandError("Give at least one family and one team.")
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                seeded = seed_region(cursor, families=families, teams=teams, seed=seed, today=today)
        except SeedError as error:
            raise CommandError(str(error)) from None
        except DatabaseError as error:
            if "session_replication_role" in str(error):
                raise CommandError(
                    "seed_scale skips the triggers while it copies, which needs a database "
                    "superuser: point DATABASE_URL at one (as for migrate)."
                ) from error
            raise
        hvs = sum(len(team.hv_ids) for team in seeded.region.teams)
        self.stdout.write(
            f"Scale data: {families:,} families in {teams} teams ({hvs} health visitors, "
            f"{len(seeded.region.teams)} team leads) in {seeded.total_seconds:.1f} seconds "
            f"({seeded.making_seconds:.1f} making the rows in Python)."
        )
        self.stdout.write(f"Sign in as scale.t01.hv01 … with {DEMO_PASSWORD}, authenticator secret")
        self.stdout.write(f"{DEMO_TOTP_SECRET}; scale.t01.hv01 has the deepest caseload.")
        for table, count in sorted(seeded.counts.items()):
            took = seeded.seconds.get(table)
            self.stdout.write(
                f"  {table:<40} {count:>10,}" + (f"  {took:6.1f} s" if took is not None else "")
            )
        for label in ("checking foreign keys", "ANALYZE"):
            self.stdout.write(f"  {label:<40} {'':>10}  {seeded.seconds.get(label, 0):6.1f} s")
        for note in seeded.notes:
            self.stdout.write(note)
