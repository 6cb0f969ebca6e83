"""The benchmark's seeder (``manage.py seed_scale``): a region's shape, records that hold
together, and the same rows for the same seed. Small runs: 300 families in two teams."""

import datetime
from io import StringIO
from statistics import median

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, Max
from psycopg import sql

from attachment_app.accounts.management.commands.seed_demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from attachment_app.accounts.models import Role, Team, User
from attachment_app.audit.models import AccessLog
from attachment_app.reminders.models import Reminder
from conversations.models import Baby, Caregiver, Contact, Conversation, Family
from conversations.services import family_refresh_schedule
from referrals.models import Referral
from referrals.scale.database import event_models
from referrals.scale.tables import TABLES
from referrals.workflow import TRANSITIONS
from screening import engine
from screening.models import ScreeningResult
from screening.services import instrument_definitions_load_shipped
from tests.factories_referrals import ServiceFactory

TODAY = datetime.date(2026, 3, 2)
FAMILIES, TEAMS = 300, 2


def seed(families=FAMILIES, teams=TEAMS, seed_value=7) -> str:
    out = StringIO()
    call_command(
        "seed_scale",
        "--families",
        str(families),
        "--teams",
        str(teams),
        "--seed",
        str(seed_value),
        "--today",
        TODAY.isoformat(),
        stdout=out,
    )
    return out.getvalue()


@pytest.fixture
def services(db):
    """The directory the referrals go to, and the questionnaires (which the seeder would load
    itself, but then a run rolled back would take their ids with it)."""
    instrument_definitions_load_shipped()
    return [ServiceFactory(response_working_days=days) for days in (None, 3, 10)]


@pytest.fixture
def seeded(services):
    seed()


def scale_families():
    return Family.objects.filter(team__name__startswith="Scale team ")


def test_each_team_has_ten_to_sixteen_health_visitors_and_a_team_lead(seeded):
    teams = Team.objects.filter(name__startswith="Scale team ").order_by("name")
    assert [team.name for team in teams] == ["Scale team 01", "Scale team 02"]
    for team in teams:
        hvs = team.members.filter(role=Role.HEALTH_VISITOR)
        assert 10 <= hvs.count() <= 16
        assert list(
            team.members.filter(role=Role.TEAM_LEAD).values_list("username", flat=True)
        ) == [f"scale.t{team.name[-2:]}.lead"]
        assert hvs.filter(username=f"scale.t{team.name[-2:]}.hv01").exists()


def test_staff_sign_in_as_the_demo_accounts_do(seeded):
    user = User.objects.get(username="scale.t02.hv03")
    assert user.check_password(DEMO_PASSWORD)
    assert user.is_active
    factor = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    assert factor.data == {"secret": DEMO_TOTP_SECRET}


def test_the_first_health_visitor_of_the_first_team_has_the_deepest_caseload(seeded):
    caseloads = dict(
        User.objects.filter(username__startswith="scale.", role=Role.HEALTH_VISITOR)
        .annotate(children=Count("named_families__babies"))
        .values_list("username", "children")
    )
    deepest = caseloads.pop("scale.t01.hv01")
    assert deepest > max(caseloads.values())
    assert deepest > 3 * median(caseloads.values())


def test_every_family_has_a_baby_and_a_mother(seeded):
    families = scale_families()
    assert families.count() == FAMILIES
    assert not families.filter(babies__isnull=True).exists()
    assert not families.exclude(caregivers__relationship=Caregiver.Relationship.MOTHER).exists()
    babies = Baby.objects.filter(family__in=families)
    assert babies.filter(date_of_birth__isnull=True).exists()  # some not yet born
    assert babies.filter(date_of_birth__isnull=False).exists()


def test_contacts_come_to_about_ten_a_family_in_the_three_years_before_the_day(seeded):
    contacts = Contact.objects.filter(family__in=scale_families())
    assert 8.5 <= contacts.count() / FAMILIES <= 11.5
    first = TODAY - datetime.timedelta(days=3 * 365)
    assert not contacts.filter(contact_date__lt=first).exists()
    assert not contacts.filter(contact_date__gte=TODAY).exists()
    kinds = set(contacts.values_list("contact_type", flat=True))
    assert {"antenatal", "new_birth", "six_to_eight_weeks", "additional"} <= kinds


def test_each_family_next_contact_is_what_the_schedule_service_works_out(seeded):
    families = list(scale_families().order_by("pk")[:100])
    with transaction.atomic():
        for family in families:
            stored = (family.next_contact_type, family.next_contact_opens)
            family_refresh_schedule(family=family)
            assert (family.next_contact_type, family.next_contact_opens) == stored, family.pk
        transaction.set_rollback(True)


def test_every_referral_moved_through_allowed_moves_to_its_status(seeded):
    allowed = {(move.source.value, move.target.value) for move in TRANSITIONS}
    referrals = Referral.objects.filter(family__in=scale_families()).prefetch_related("events")
    assert referrals.count() > 20
    for referral in referrals:
        events = sorted(referral.events.all(), key=lambda event: (event.at, event.pk))
        assert [event.kind for event in events[:1]] == ["created"]
        status = "draft"
        for event in events[1:]:
            if event.kind == "transition":
                assert (event.from_status, event.to_status) in allowed
                assert event.from_status == status
                status = event.to_status
            else:
                assert event.kind == "reviewed"
                assert event.from_status == event.to_status == status
        assert status == referral.status
        assert referral.version == len(events)
    assert len(set(referrals.values_list("status", flat=True))) >= 6


def test_screening_results_are_scored_as_the_engine_scores_their_answers(seeded):
    results = ScreeningResult.objects.filter(family__in=scale_families()).select_related(
        "definition"
    )
    assert results.count() > 50
    for result in results[:200]:
        again = engine.score(result.definition.parsed, result.answers)
        assert (result.total, result.band, result.positive) == (
            again.total,
            again.band.label,
            again.positive,
        )
        assert result.triggered_rules == [rule.id for rule in again.triggered]
        for rule_id in result.triggered_rules:
            assert result.concerns.filter(source_rule=rule_id, urgent=True).exists()


def test_reminders_and_access_rows_are_there_for_the_records(seeded):
    families = scale_families()
    conversations = Conversation.objects.filter(family__in=families, consent_status="given")
    reminders = Reminder.objects.filter(
        subject_type="conversations.conversation", subject_id__in=conversations.values("pk")
    )
    assert reminders.count() == conversations.count()
    rules = set(Reminder.objects.values_list("rule", flat=True))
    assert {"conversation.unfinished", "referral.response", "follow_up.overdue"} <= rules
    statuses = set(Reminder.objects.values_list("status", flat=True))
    assert {"sent", "cancelled"} <= statuses
    family = families.order_by("pk").first()
    views = AccessLog.objects.for_family(family.pk).filter(action="view")
    assert views.count() == family.contacts.count()


def test_every_foreign_key_of_the_seeded_rows_points_at_a_row(seeded):
    checked = 0
    for model, _ in TABLES.values():
        for field in model._meta.concrete_fields:
            if not field.is_relation or not field.db_constraint:
                continue
            target = field.related_model._base_manager.values(field.target_field.attname)
            orphans = model._base_manager.filter(**{f"{field.attname}__isnull": False}).exclude(
                **{f"{field.attname}__in": target}
            )
            assert not orphans.exists(), f"{model._meta.db_table}.{field.column}"
            checked += 1
    assert checked > 40


def test_each_seeded_record_has_one_insert_event_in_its_history(seeded):
    for model, _ in TABLES.values():
        for event_model in event_models(model):
            seeded_rows = model._base_manager.count()
            events = event_model.objects.filter(pgh_label="insert")
            # Rows made before the seed (the demo data, none here) have theirs from the trigger.
            assert events.values("pgh_obj_id").distinct().count() == seeded_rows
            assert events.count() == seeded_rows
            assert not events.filter(pgh_context__isnull=True).exists()


def test_the_sequences_are_moved_past_the_seeded_ids(seeded, team_a):
    with connection.cursor() as cursor:
        for model, _ in TABLES.values():
            table = model._meta.db_table
            cursor.execute(
                "SELECT pg_sequence_last_value(pg_get_serial_sequence(%s, 'id')::regclass)",
                [table],
            )
            last = cursor.fetchone()[0]
            assert last >= model._base_manager.aggregate(top=Max("pk"))["top"], table
    family = Family.objects.create(
        team=team_a, name="After", address_line_1="1 Road", postcode="LS1"
    )
    assert family.pk > scale_families().aggregate(top=Max("pk"))["top"]
    # The triggers are back on: an ordinary insert has its history again.
    assert family.events.filter(pgh_label="insert", pgh_context__isnull=True).exists()


FINGERPRINTED = [
    "family",
    "baby",
    "caregiver",
    "contact",
    "conversation",
    "screening_result",
    "concern",
    "referral",
    "referral_event",
    "follow_up",
    "reminder",
    "access_log",
]


def digest() -> str:
    """A fingerprint of the seeded rows of the main tables, ids included."""
    parts = []
    with connection.cursor() as cursor:
        for name in FINGERPRINTED:
            model, columns = TABLES[name]
            query = sql.SQL("SELECT md5(string_agg(concat_ws('|', {}), ',' ORDER BY id)) FROM {}")
            cursor.execute(
                query.format(
                    sql.SQL(", ").join(map(sql.Identifier, columns)),
                    sql.Identifier(model._meta.db_table),
                ).as_string(cursor.connection)
            )
            parts.append(cursor.fetchone()[0])
    return ",".join(parts)


class Undone(Exception):
    pass


def seed_and_undo(seed_value) -> str:
    """Seed, take the fingerprint, then roll the seed back."""
    try:
        with transaction.atomic():
            seed(seed_value=seed_value)
            found = digest()
            raise Undone
    except Undone:
        return found


def test_the_same_seed_gives_the_same_rows_and_another_seed_others(services):
    first = seed_and_undo(7)
    assert not scale_families().exists()
    assert seed_and_undo(7) == first
    assert seed_and_undo(8) != first


def test_a_second_run_is_refused(seeded):
    with pytest.raises(CommandError, match="already has scale data"):
        seed()


def test_refused_in_production(settings, services):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="never created in production"):
        seed()
    assert not scale_families().exists()
