"""Add many invented families, with their records, to one demo team: for checking performance.

``seed_demo --scale N`` calls this after the ordinary demo data. Unlike the other demo commands
it writes rows directly with ``bulk_create`` (thousands of families in seconds), so it skips
the services' checks: what it makes is shaped like real use (contacts in their mandated
windows, consent before conversations, referrals through the workflow's moves with their
events) but is only for measuring pages. Every name is invented; babies have no NHS number.
Each run adds N more families, numbered on from the last run; a fixed seed makes the same
choices every time.
"""

import datetime
import random
from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from attachment_app.accounts.models import Role, Team, User
from attachment_app.reminders import workdays
from attachment_app.reminders.models import Reminder
from conversations.models import (
    Baby,
    Caregiver,
    ConsentDecision,
    ConsentParticipant,
    Contact,
    Conversation,
    Family,
)
from conversations.schedule import mandated_windows, next_mandated_contact
from screening import engine
from screening.models import Concern, ConcernCategory, InstrumentDefinition, ScreeningResult

from ... import reminders as referral_reminders
from ...models import FollowUp, Referral, ReferralEvent, Service
from ...workflow import Status

DEFAULT_TEAM = "Riverside Health Visiting Team"
NAME_PREFIX = "Scale"
BATCH = 1000
SEED = 20260401

#: How far each referral gets, with how often (out of the weights' sum).
OUTCOMES = [
    ("draft", 3),
    ("submitted", 10),
    ("returned", 4),
    ("ready", 2),
    ("sent", 12),
    ("acknowledged", 10),
    ("accepted", 12),
    ("completed", 15),
    ("declined", 6),
    ("withdrawn", 5),
]
#: The moves leading to each outcome (after "created"); who makes each: hv or lead.
PATHS = {
    "draft": [],
    "submitted": [("submitted", "hv")],
    "returned": [("submitted", "hv"), ("returned", "lead")],
    "ready": [("submitted", "hv"), ("ready", "lead")],
    "sent": [("submitted", "hv"), ("ready", "lead"), ("sent", "hv")],
    "acknowledged": [
        ("submitted", "hv"),
        ("ready", "lead"),
        ("sent", "hv"),
        ("acknowledged", "hv"),
    ],
    "accepted": [
        ("submitted", "hv"),
        ("ready", "lead"),
        ("sent", "hv"),
        ("acknowledged", "hv"),
        ("accepted", "hv"),
    ],
    "completed": [
        ("submitted", "hv"),
        ("ready", "lead"),
        ("sent", "hv"),
        ("acknowledged", "hv"),
        ("accepted", "hv"),
        ("completed", "hv"),
    ],
    "declined": [
        ("submitted", "hv"),
        ("ready", "lead"),
        ("sent", "hv"),
        ("acknowledged", "hv"),
        ("declined", "hv"),
    ],
    "withdrawn": [("submitted", "hv"), ("ready", "lead"), ("sent", "hv"), ("withdrawn", "hv")],
}
NOTES = {
    "returned": "Please add what the parent agreed to share.",
    "declined": "Outside the service's criteria.",
    "completed": "Support finished.",
    "withdrawn": "The family moved away.",
}


#: The tables this command fills.
FILLED = [
    Family,
    Baby,
    Caregiver,
    Contact,
    Conversation,
    ConsentDecision,
    ConsentParticipant,
    ScreeningResult,
    Concern,
    Referral,
    ReferralEvent,
    FollowUp,
]


@contextmanager
def dates_as_given(*fields):
    """Let ``bulk_create`` keep the dates set on the rows of ``auto_now_add`` fields."""
    saved = [(model_field, model_field.auto_now_add) for model_field in fields]
    for model_field, _ in saved:
        model_field.auto_now_add = False
    try:
        yield
    finally:
        for model_field, value in saved:
            model_field.auto_now_add = value


def _field(model, name):
    return model._meta.get_field(name)


class Command(BaseCommand):
    help = "Add N invented families with their records to one demo team, in bulk (not idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("count", type=int, help="How many families to add.")
        parser.add_argument("--team", default=DEFAULT_TEAM, help="The demo team to add them to.")

    def handle(self, *args, count, team, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo data is never created in production.")
        if count < 1:
            raise CommandError("Give a number of families above 0.")
        try:
            team = Team.objects.get(name=team)
        except Team.DoesNotExist:
            raise CommandError(f"No team is called {team!r}: run seed_demo first.") from None
        hvs = list(User.objects.filter(team=team, role=Role.HEALTH_VISITOR, is_active=True))
        lead = User.objects.filter(team=team, role=Role.TEAM_LEAD, is_active=True).first()
        if not hvs or lead is None:
            raise CommandError("The team needs a health visitor and a team lead.")
        started = timezone.now()
        with transaction.atomic():
            made = Generator(team=team, hvs=sorted(hvs, key=lambda u: u.pk), lead=lead).run(count)
        # Fresh planner statistics, as autovacuum would gather later: without them PostgreSQL
        # plans the dashboard's queries as if the tables were still small.
        with connection.cursor() as cursor:
            for model in FILLED:
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')
        seconds = (timezone.now() - started).total_seconds()
        self.stdout.write(
            f"Scale data for {team.name}: "
            + ", ".join(f"{number} {name}" for name, number in made.items())
            + f" in {seconds:.1f} seconds."
        )


class Generator:
    """Builds the rows in memory, then inserts each model's rows in batches."""

    def __init__(self, *, team, hvs, lead):
        self.team, self.hvs, self.lead = team, hvs, lead
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.first = Family.objects.filter(team=team, name__startswith=f"{NAME_PREFIX} ").count()
        self.random = random.Random(SEED + self.first)  # noqa: S311 - invented data, not secrets
        self.categories = list(ConcernCategory.objects.filter(active=True))
        self.services = list(Service.objects.referable().filter(accepts_referrals=True))
        self.instruments = [
            (row, engine.load_definition(row.definition))
            for row in InstrumentDefinition.objects.filter(kind="items", retired_at__isnull=True)
        ]

    def moment(self, day: datetime.date) -> datetime.datetime:
        """A time in working hours on ``day``, never after now."""
        at = timezone.make_aware(
            datetime.datetime.combine(day, datetime.time(self.random.randint(9, 16)))
        ) + datetime.timedelta(minutes=self.random.randint(0, 59))
        return min(at, self.now)

    def run(self, count: int) -> dict[str, int]:
        families, babies, plans = [], [], []
        for index in range(self.first, self.first + count):
            family, baby, contacts = self.plan_family(index)
            families.append(family)
            babies.append(baby)
            plans.append(contacts)
        Family.objects.bulk_create(families, batch_size=BATCH)
        for family, baby in zip(families, babies, strict=True):
            baby.family = family
        Baby.objects.bulk_create(babies, batch_size=BATCH)
        caregivers = Caregiver.objects.bulk_create(
            [
                Caregiver(
                    family=family,
                    name=f"Parent {family.name}",
                    relationship=Caregiver.Relationship.MOTHER,
                )
                for family in families
            ],
            batch_size=BATCH,
        )
        contacts = []
        for family, baby, planned in zip(families, babies, plans, strict=True):
            for contact_type, day in planned:
                contacts.append(
                    Contact(
                        family=family,
                        baby=baby,
                        contact_date=day,
                        contact_type=contact_type,
                        place=Contact.Place.HOME,
                        recorded_by=family.named_hv,
                    )
                )
        Contact.objects.bulk_create(contacts, batch_size=BATCH)
        caregiver_of = {caregiver.family_id: caregiver for caregiver in caregivers}
        conversations, decisions = self.conversations(contacts, caregiver_of)
        results = self.results(conversations)
        concerns = self.concerns(families, contacts)
        referrals, events = self.referrals(families)
        follow_ups = self.follow_ups(families)
        return {
            "families": len(families),
            "contacts": len(contacts),
            "conversations": len(conversations),
            "consent decisions": len(decisions),
            "screening results": len(results),
            "concerns": len(concerns),
            "referrals": len(referrals),
            "referral events": len(events),
            "follow-ups": len(follow_ups),
        }

    def plan_family(self, index: int):
        """A family, its baby, and the contacts done so far (type and date)."""
        rng = self.random
        age = rng.randint(-90, 720)
        dob = self.today - datetime.timedelta(days=age) if age >= 0 else None
        expected = self.today - datetime.timedelta(days=age) if age < 0 else None
        done = []
        for window in mandated_windows(dob, expected):
            if window.opens > self.today or rng.random() > 0.85:
                continue
            latest = min(window.closes, self.today)
            done.append(
                (
                    window.contact_type,
                    window.opens
                    + datetime.timedelta(days=rng.randint(0, max(0, (latest - window.opens).days))),
                )
            )
        if done and rng.random() < 0.3:
            day = self.today - datetime.timedelta(days=rng.randint(0, 120))
            done.append(("additional", max(day, done[0][1])))
        following = next_mandated_contact(
            date_of_birth=dob, expected_date=expected, done={kind for kind, _ in done}
        )
        district = rng.randint(1, 9)
        family = Family(
            name=f"{NAME_PREFIX} {index + 1:05d}",
            team=self.team,
            named_hv=self.hvs[index % len(self.hvs)],
            address_line_1=f"{index + 1} Invented Street",
            town="Riverside",
            postcode=f"LS{district} {rng.randint(1, 9)}AA",
            area="Scale test",
            next_contact_type=following.contact_type if following else "",
            next_contact_opens=following.opens if following else None,
            next_contact_closes=following.closes if following else None,
        )
        baby = Baby(date_of_birth=dob, expected_date=expected, sex=Baby.Sex.NOT_KNOWN)
        return family, baby, done

    def conversations(self, contacts, caregiver_of):
        rng = self.random
        conversations = []
        for contact in contacts:
            if rng.random() > 0.85:
                continue
            status = rng.choices(
                ["given", "declined", "deferred", "withdrawn", ""], weights=[70, 10, 8, 2, 10]
            )[0]
            completed = status == "given" and rng.random() < 0.8
            conversations.append(
                Conversation(
                    family_id=contact.family_id,
                    contact=contact,
                    consent_status=status,
                    raised_concern=False if completed else None,
                    started_by=contact.recorded_by,
                    completed_at=self.moment(contact.contact_date) if completed else None,
                )
            )
        Conversation.objects.bulk_create(conversations, batch_size=BATCH)
        decisions = []
        for conversation in conversations:
            steps = {"given": ["given"], "withdrawn": ["given", "withdrawn"]}.get(
                conversation.consent_status,
                [conversation.consent_status] if conversation.consent_status else [],
            )
            decisions += [
                ConsentDecision(
                    conversation=conversation,
                    decision=decision,
                    recorded_by=conversation.started_by,
                )
                for decision in steps
            ]
        ConsentDecision.objects.bulk_create(decisions, batch_size=BATCH)
        ConsentParticipant.objects.bulk_create(
            (
                ConsentParticipant(
                    decision=decision, caregiver=caregiver_of[decision.conversation.family_id]
                )
                for decision in decisions
            ),
            batch_size=BATCH,
        )
        return conversations, decisions

    def results(self, conversations):
        rng = self.random
        if not self.instruments:
            return []
        results = []
        for conversation in conversations:
            if conversation.consent_status != "given" or rng.random() > 0.5:
                continue
            row, loaded = rng.choice(self.instruments)
            total = rng.randint(loaded.min_total, loaded.max_total)
            band = next((band for band in loaded.bands if band.min <= total <= band.max), None)
            results.append(
                ScreeningResult(
                    family_id=conversation.family_id,
                    contact=conversation.contact,
                    definition=row,
                    total=total,
                    band=band.label if band else "",
                    positive=bool(loaded.bands) and band is not loaded.bands[0],
                    recorded_by=conversation.started_by,
                    recorded_at=self.moment(conversation.contact.contact_date),
                )
            )
        with dates_as_given(_field(ScreeningResult, "recorded_at")):
            ScreeningResult.objects.bulk_create(results, batch_size=BATCH)
        return results

    def concerns(self, families, contacts):
        rng = self.random
        last_contact = {}
        for contact in contacts:
            last_contact[contact.family_id] = contact
        concerns = []
        for family in families:
            contact = last_contact.get(family.pk)
            if contact is None or not self.categories or rng.random() > 0.3:
                continue
            raised = self.moment(contact.contact_date)
            urgent = rng.random() < 0.05
            acknowledged = (
                raised + datetime.timedelta(hours=rng.randint(1, 30))
                if urgent and rng.random() < 0.8
                else None
            )
            if acknowledged and acknowledged > self.now:
                acknowledged = None
            concerns.append(
                Concern(
                    family=family,
                    contact=contact,
                    category=rng.choice(self.categories),
                    severity=rng.choice(["low", "moderate", "high"]),
                    urgent=urgent,
                    raised_by=family.named_hv,
                    raised_at=raised,
                    acknowledged_at=acknowledged,
                    acknowledged_by=family.named_hv if acknowledged else None,
                    action_taken="Discussed with the parent and the GP." if acknowledged else "",
                )
            )
        with dates_as_given(_field(Concern, "raised_at")):
            Concern.objects.bulk_create(concerns, batch_size=BATCH)
        return concerns

    def referrals(self, families):
        rng = self.random
        if not self.services:
            return [], []
        outcomes, weights = zip(*OUTCOMES, strict=True)
        referrals, paths = [], []
        for family in families:
            if rng.random() > 0.2:
                continue
            created = self.now - datetime.timedelta(
                days=rng.randint(1, 365), minutes=rng.randint(0, 600)
            )
            outcome = rng.choices(outcomes, weights=weights)[0]
            urgent = rng.random() < 0.1 and outcome not in {"submitted", "returned"}
            path = list(PATHS[outcome])
            if urgent and path:
                # Urgent referrals may be made ready without review, reviewed afterwards.
                path = [("ready", "hv"), *path[2:]]
            moves, at = [], created
            for status, who in path:
                at = at + datetime.timedelta(hours=rng.randint(2, 240))
                if at > self.now:
                    break
                moves.append((status, who, at))
            status = moves[-1][0] if moves else "draft"
            first = {move[0]: move[2] for move in reversed(moves)}
            referrals.append(
                Referral(
                    family=family,
                    service=rng.choice(self.services),
                    status=status,
                    urgency="urgent" if urgent else "routine",
                    reason="Invented referral for performance checks.",
                    sharing_basis=Referral.SharingBasis.CONSENT,
                    consent_method=Referral.ConsentMethod.IN_PERSON,
                    consent_given_on=created.date(),
                    information_shared="Contact details and the baby's age.",
                    needs_retrospective_review=urgent and "ready" in first,
                    decline_reason="not_eligible" if status == "declined" else "",
                    outcome="completed" if status == "completed" else "",
                    created_by=family.named_hv,
                    created_at=created,
                    submitted_at=first.get("submitted"),
                    sent_at=first.get("sent"),
                    status_changed_at=moves[-1][2] if moves else created,
                )
            )
            paths.append((created, moves))
        with dates_as_given(_field(Referral, "created_at"), _field(Referral, "status_changed_at")):
            Referral.objects.bulk_create(referrals, batch_size=BATCH)
        events = []
        for referral, (created, moves) in zip(referrals, paths, strict=True):
            hv = referral.created_by
            events.append(
                ReferralEvent(
                    referral=referral,
                    kind=ReferralEvent.Kind.CREATED,
                    to_status=Status.DRAFT,
                    actor=hv,
                    at=created,
                )
            )
            previous = Status.DRAFT
            for status, who, at in moves:
                events.append(
                    ReferralEvent(
                        referral=referral,
                        kind=ReferralEvent.Kind.TRANSITION,
                        from_status=previous,
                        to_status=status,
                        actor=self.lead if who == "lead" else hv,
                        at=at,
                        note=NOTES.get(status, ""),
                    )
                )
                previous = status
        ReferralEvent.objects.bulk_create(events, batch_size=BATCH)
        Reminder.objects.bulk_create(self.response_reminders(referrals), batch_size=BATCH)
        return referrals, events

    def response_reminders(self, referrals) -> list[Reminder]:
        """The "not acknowledged in time" reminders each sending writes (the late list reads
        them); those already due count as sent, so a demo does not start with a burst of mail."""
        reminders = []
        for referral in referrals:
            if referral.status != Status.SENT:
                continue
            days = referral_reminders.response_working_days(referral)
            for stage in (1, 2):
                due = workdays.working_days_later(referral.sent_at, days * stage)
                reminders.append(
                    Reminder(
                        rule=referral_reminders.RESPONSE,
                        subject_type=Referral._meta.label_lower,
                        subject_id=referral.pk,
                        key=referral.sent_at.isoformat(),
                        stage=stage,
                        due_at=due,
                        status=Reminder.Status.SENT if due <= self.now else Reminder.Status.PENDING,
                        sent_at=due if due <= self.now else None,
                    )
                )
        return reminders

    def follow_ups(self, families):
        rng = self.random
        follow_ups = []
        for family in families:
            if rng.random() > 0.1:
                continue
            due = self.today + datetime.timedelta(days=rng.randint(-30, 30))
            done = due < self.today and rng.random() < 0.6
            follow_ups.append(
                FollowUp(
                    family=family,
                    due_on=due,
                    purpose="Check how feeding is going.",
                    planned_by=family.named_hv,
                    done_at=self.moment(due) if done else None,
                    closed_by=family.named_hv if done else None,
                )
            )
        FollowUp.objects.bulk_create(follow_ups, batch_size=BATCH)
        return follow_ups
