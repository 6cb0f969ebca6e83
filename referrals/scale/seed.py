"""Seed a region: the staff through the ORM, then every family's records through ``COPY``.

``seed_region`` is what ``manage.py seed_scale`` runs, inside one transaction. The steps:

1. lock the filled tables and number on from their largest ids (``database``);
2. the teams, their staff (password and authenticator as ``seed_demo``'s) through the ORM,
   their history written by the usual triggers;
3. the families in chunks: each chunk's rows made in Python (``records``) and copied, table by
   table, with the triggers skipped;
4. one "insert" history event per seeded row of a tracked model, in SQL;
5. triggers back on; every foreign key checked; sequences moved on; ANALYZE.
"""

import datetime
import json
import time
import uuid
from dataclasses import dataclass, field

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from attachment_app.accounts.management.commands.seed_demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from attachment_app.accounts.models import Team, User
from attachment_app.reminders import workdays
from conversations.models import Baby
from screening.models import ConcernCategory
from screening.selectors_instruments import current_definitions, safety_rule_message
from screening.services import instrument_definitions_load_shipped

from ..models import Service
from . import answers, records, region
from .database import Database
from .tables import TABLES, Rows, check_columns

CHUNK = 5000
#: Rows of the caseload list in the access log: one page of families, once a week per HV.
CASELOAD_PAGE = 25


class SeedError(Exception):
    """The data cannot be seeded here; the message says why."""


@dataclass
class Seeded:
    """What was written, how many rows of each table, and where the time went."""

    region: region.Region
    counts: dict[str, int]
    seconds: dict[str, float]
    making_seconds: float
    total_seconds: float
    notes: list[str] = field(default_factory=list)


def reference(seed: int) -> records.Reference:
    """What the rows point at: categories, services and the current questionnaires."""
    instrument_definitions_load_shipped()
    instruments = {}
    for row in current_definitions():
        if row.kind != "items":
            continue
        loaded = row.parsed
        instruments[row.code] = answers.make_pool(
            row.pk,
            loaded,
            seed=seed,
            notes=lambda rule, row=row, loaded=loaded: safety_rule_message(
                row, loaded, rule, unanswered=False
            ),
        )
    referable = Service.objects.referable().order_by("pk")
    return records.Reference(
        category_ids=dict(ConcernCategory.objects.values_list("code", "pk")),
        active_category_ids=tuple(
            ConcernCategory.objects.filter(active=True).order_by("pk").values_list("pk", flat=True)
        ),
        services=tuple(
            (pk, settings.DEFAULT_RESPONSE_WORKING_DAYS if days is None else days)
            for pk, days in referable.filter(accepts_referrals=True).values_list(
                "pk", "response_working_days"
            )
        ),
        signpost_service_ids=tuple(referable.values_list("pk", flat=True)),
        instruments=instruments,
    )


def seed_region(
    cursor, *, families: int, teams: int, seed: int, today: datetime.date | None = None
) -> Seeded:
    """Seed ``families`` families in ``teams`` teams; call inside a transaction."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    problems = check_columns()
    if problems:
        raise SeedError(" ".join(problems))
    if (
        Team.objects.filter(name__startswith="Scale team ").exists()
        or User.objects.filter(username__startswith="scale.").exists()
    ):
        raise SeedError("This database already has scale data: seed a fresh one.")
    known = reference(seed)
    database = Database(cursor)
    tables = {name: model._meta.db_table for name, (model, _) in TABLES.items()}
    first = database.first_ids([Team._meta.db_table, User._meta.db_table, *tables.values()])
    plan = region.plan_region(
        families=families,
        teams=teams,
        seed=seed,
        team_ids=first[Team._meta.db_table],
        user_ids=first[User._meta.db_table],
    )
    period_start = today - datetime.timedelta(days=records.PERIOD_DAYS)
    _add_staff(plan, period_start, database)
    taken = [
        number
        for number in Baby.objects.filter(nhs_number__startswith="999").values_list(
            "nhs_number", flat=True
        )
        if number
    ]
    rows = Rows(
        first_ids={name: first[table] for name, table in tables.items()},
        today=today,
        tz=workdays.LONDON,
        taken_nhs_numbers=taken,
    )
    maker = records.Family(seed=seed, today=today, reference=known, rows=rows)
    database.skip_triggers(True)
    making = 0.0
    for chunk_start in range(0, families, CHUNK):
        chunk_started = time.perf_counter()
        for index in range(chunk_start, min(families, chunk_start + CHUNK)):
            hv_id = plan.named_hvs[index]
            maker.make(index, team=plan.team_of[hv_id], hv_id=hv_id)
        if chunk_start + CHUNK >= families:
            _caseload_lists(rows, plan, maker)
        making += time.perf_counter() - chunk_started
        for name, pending in rows.pending():
            database.copy(name, pending)
        rows.clear()
    context_id = uuid.uuid5(uuid.NAMESPACE_URL, f"seed_scale:{families}:{teams}:{seed}:{today}")
    metadata = {"command": "seed_scale", "families": families, "teams": teams, "seed": seed}
    database.start_context(context_id, json.dumps(metadata))
    history = database.write_history(
        {name: first[table] for name, table in tables.items()}, context_id
    )
    database.skip_triggers(False)
    broken = database.check_references()
    if broken:
        raise SeedError(" ".join(broken))
    database.move_sequences(
        {
            tables[name]: rows.ids[name] - 1
            for name in TABLES
            if rows.ids[name] > rows.first_ids[name]
        }
        | {
            Team._meta.db_table: plan.teams[-1].id,
            User._meta.db_table: plan.members[-1].id,
        }
    )
    database.analyze()
    counts = {tables[name]: count for name, count in rows.made.items()} | history
    counts[Team._meta.db_table] = len(plan.teams)
    counts[User._meta.db_table] = len(plan.members)
    notes = []
    if not known.services:
        notes.append("No service takes referrals (run seed_demo first): no referrals were made.")
    if not known.instruments:
        notes.append("No questionnaire is loaded: no screening results were made.")
    return Seeded(
        region=plan,
        counts=counts,
        seconds=dict(database.seconds),
        making_seconds=making,
        total_seconds=time.perf_counter() - started,
        notes=notes,
    )


def _add_staff(plan: region.Region, joined: datetime.date, database: Database) -> None:
    """The teams and their staff, who sign in as the demo accounts do (``seed_demo``)."""
    Team.objects.bulk_create(
        Team(id=team.id, name=team.name, area=team.area, phone=team.phone, email=team.email)
        for team in plan.teams
    )
    # One hash for everyone: the password is the same, and hashing it hundreds of times over
    # would take minutes.
    password = make_password(DEMO_PASSWORD)
    date_joined = datetime.datetime.combine(joined, datetime.time(8), tzinfo=workdays.LONDON)
    User.objects.bulk_create(
        User(
            id=member.id,
            username=member.username,
            first_name=member.first_name,
            last_name=member.last_name,
            email=f"{member.username}@example.invalid",
            role=member.role,
            team_id=member.team_id,
            password=password,
            is_active=True,
            date_joined=date_joined,
        )
        for member in plan.members
    )
    Authenticator.objects.bulk_create(
        Authenticator(
            user_id=member.id,
            type=Authenticator.Type.TOTP,
            data={"secret": DEMO_TOTP_SECRET},
        )
        for member in plan.members
    )
    database.note_written(Team._meta.db_table, plan.teams[0].id)
    database.note_written(User._meta.db_table, plan.members[0].id)


def _caseload_lists(rows: Rows, plan: region.Region, maker: records.Family) -> None:
    """Each health visitor's caseload, one page of it, opened every Monday of the period."""
    families_of: dict[int, list[int]] = {}
    first_family = rows.first_ids["family"]
    for index, hv_id in enumerate(plan.named_hvs):
        families_of.setdefault(hv_id, []).append(first_family + index)
    rng = maker.rng
    rng.seed(f"{maker.seed}:caseload lists")
    monday = maker.start + datetime.timedelta(days=-maker.start.weekday() % 7)
    for hv_id in sorted(families_of):
        ids = families_of[hv_id]
        team = plan.team_of[hv_id]
        day, page = monday, 0
        while day <= maker.end:
            minute = rng.randrange(60)
            at = datetime.datetime(day.year, day.month, day.day, 9, minute, tzinfo=maker.tz)
            shown = ids[page * CASELOAD_PAGE % len(ids) :][:CASELOAD_PAGE]
            rows.access_log.append(
                (
                    rows.take("access_log"),
                    at,
                    "list",
                    "accounts.team",
                    str(team.id),
                    "home",
                    hv_id,
                    shown,
                    "",
                )
            )
            day += datetime.timedelta(days=7)
            page += 1
