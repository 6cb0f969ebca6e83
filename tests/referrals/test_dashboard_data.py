"""A small team whose dashboard figures were worked out by hand, shared by the dashboard tests.

The clock stands at noon on 31 March 2026 (London, still GMT), so the default period, the last
three months, runs from 1 January to 31 March 2026. Rows are written directly, each at the time
it says, so every figure below can be checked against a count done on paper:

Team A: the HV (families Ashworth and Brook), a second HV (family Carver), a family with no named
HV (Dunn), and the team lead. Team B has one family with a record of every kind, none of which
may ever show on team A's dashboard.
"""

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conversations.models import ContactType
from referrals import reminders as referral_reminders
from referrals.models import FollowUp, Referral, ReferralEvent
from screening import services as screening_services
from screening.models import Concern, ScreeningResult
from tests.factories import (
    BabyFactory,
    ContactFactory,
    ConversationFactory,
    FamilyFactory,
)
from tests.factories_referrals import ConcernFactory, ReferralFactory, ServiceFactory

LONDON = ZoneInfo("Europe/London")
NOW = datetime.datetime(2026, 3, 31, 12, 0, tzinfo=LONDON)
#: The bonding category's name as the data migration spells it (with an en dash).
BONDING = "Parent\u2013infant relationship and bonding"


def at(year, month, day, hour=9, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def contact(family, kind, day, *, consent=None, completed=False):
    """A contact on ``day``, with a conversation when ``consent`` is given ("" = not asked)."""
    made = ContactFactory(
        family=family, contact_type=kind, contact_date=day, recorded_by=family.named_hv
    )
    if consent is not None:
        ConversationFactory(
            contact=made,
            consent_status=consent,
            completed_at=at(day.year, day.month, day.day, 15) if completed else None,
        )
    return made


def concern(family, category, severity, raised, *, urgent=False, acknowledged=None):
    with time_machine.travel(raised, tick=False):
        made = ConcernFactory(
            family=family,
            category_code=category,
            severity=severity,
            urgent=urgent,
            note="Free text that must never be exported.",
            raised_by=family.named_hv,
        )
    if acknowledged:
        Concern.objects.filter(pk=made.pk).update(
            acknowledged_at=acknowledged,
            acknowledged_by=made.raised_by,
            action_taken="Called the GP.",
        )
    return made


def result(family, made_contact, code, positive, recorded, *, supersedes=None):
    definition = screening_services.current_definition(code)
    with time_machine.travel(recorded, tick=False):
        return ScreeningResult.objects.create(
            family=family,
            contact=made_contact,
            definition=definition,
            total=1,
            positive=positive,
            recorded_by=made_contact.recorded_by,
            supersedes=supersedes,
            correction_reason="Entered wrongly." if supersedes else "",
        )


def referral(family, service, moves, *, created, urgent=False, lead=None):
    """A referral that made ``moves`` ([(to_status, at), ...]) after being created."""
    with time_machine.travel(created, tick=False):
        made = ReferralFactory(
            family=family,
            service=service,
            created_by=family.named_hv or lead,
            urgency="urgent" if urgent else "routine",
            reason="A reason in free text that must never be exported.",
            information_shared="What was shared, in free text.",
        )
    ReferralEvent.objects.create(
        referral=made, kind="created", to_status="draft", actor=made.created_by, at=created
    )
    status = "draft"
    for to_status, moment in moves:
        ReferralEvent.objects.create(
            referral=made,
            kind="transition",
            from_status=status,
            to_status=to_status,
            actor=made.created_by,
            at=moment,
            note="A note in free text.",
        )
        status = to_status
    first = dict(reversed(moves))
    Referral.objects.filter(pk=made.pk).update(
        status=status,
        submitted_at=first.get("submitted"),
        sent_at=first.get("sent"),
        decline_reason="no_capacity" if status == "declined" else "",
        outcome="completed" if status == "completed" else "",
    )
    made.refresh_from_db()
    if status == "sent":
        # The reminders its sending would have written, which the late list reads.
        referral_reminders.referral_changed(made)
    return made


def follow_up(family, due, *, done=False):
    return FollowUp.objects.create(
        family=family,
        due_on=due,
        purpose="Weigh the baby.",
        planned_by=family.named_hv,
        done_at=at(due.year, due.month, due.day) if done else None,
    )


def d(year, month, day) -> datetime.date:
    return datetime.date(year, month, day)


@pytest.fixture
def world(frozen_now, team_a, team_b, hv, other_hv, team_lead, hv_b):
    """Team A's records for the hand-computed figures, and team B's that must stay hidden."""
    screening_services.instrument_definitions_load_shipped()
    ashworth = FamilyFactory(
        team=team_a, named_hv=hv, name="Ashworth", next_contact_closes=d(2026, 3, 1)
    )
    brook = FamilyFactory(team=team_a, named_hv=hv, name="Brook")
    carver = FamilyFactory(
        team=team_a, named_hv=other_hv, name="Carver", next_contact_closes=d(2026, 4, 10)
    )
    dunn = FamilyFactory(team=team_a, named_hv=None, name="Dunn")
    elm = FamilyFactory(team=team_b, named_hv=hv_b, name="Elm", next_contact_closes=d(2026, 1, 1))
    for family in (ashworth, brook, carver, dunn):
        BabyFactory(family=family, nhs_number=None)
    BabyFactory(family=ashworth, nhs_number="9990000018")

    # Contacts and conversations.
    a_new_birth = contact(
        ashworth, ContactType.NEW_BIRTH, d(2026, 1, 10), consent="given", completed=True
    )
    contact(ashworth, ContactType.SIX_TO_EIGHT_WEEKS, d(2026, 2, 20), consent="declined")
    b_antenatal = contact(brook, ContactType.ANTENATAL, d(2026, 3, 1), consent="deferred")
    b_old = contact(brook, ContactType.NEW_BIRTH, d(2025, 12, 15), consent="given")
    contact(carver, ContactType.ADDITIONAL, d(2026, 3, 15))
    c_new_birth = contact(carver, ContactType.NEW_BIRTH, d(2026, 2, 1), consent="")
    e_new_birth = contact(
        elm, ContactType.NEW_BIRTH, d(2026, 2, 1), consent="given", completed=True
    )

    # Concerns: two urgent ones acknowledged after 3 and 24 hours, one still waiting.
    concern(ashworth, "parental_mental_health", "moderate", at(2026, 1, 15))
    concern(
        ashworth,
        "relationship_bonding",
        "high",
        at(2026, 2, 1, 10),
        urgent=True,
        acknowledged=at(2026, 2, 1, 13),
    )
    concern(
        carver,
        "parental_mental_health",
        "low",
        at(2026, 3, 10),
        urgent=True,
        acknowledged=at(2026, 3, 11),
    )
    waiting = concern(brook, "feeding_sleep_crying", "low", at(2026, 3, 30), urgent=True)
    concern(brook, "parental_mental_health", "high", at(2025, 12, 1))
    concern(elm, "domestic_abuse", "high", at(2026, 2, 2), urgent=True)

    # Screening: the first EPDS was corrected, so only the correction counts.
    result(ashworth, a_new_birth, "phq9", True, at(2026, 1, 10, 11))
    result(ashworth, a_new_birth, "phq9", False, at(2026, 1, 10, 12))
    result(carver, c_new_birth, "whooley", True, at(2026, 2, 1, 11))
    wrong = result(brook, b_antenatal, "epds", True, at(2026, 3, 1, 11))
    result(brook, b_antenatal, "epds", False, at(2026, 3, 1, 12), supersedes=wrong)
    result(brook, b_old, "phq9", True, at(2025, 12, 15, 11))
    result(elm, e_new_birth, "phq9", True, at(2026, 2, 1, 11))

    # Services: one offers a strong and an intermediate intervention, one none.
    strong = ServiceFactory(name="Home Coaching", interventions=["vig", "abc"])
    plain = ServiceFactory(name="Baby Group")

    referrals = SimpleNamespace(
        completed=referral(
            ashworth,
            strong,
            [
                ("submitted", at(2026, 1, 6)),
                ("sent", at(2026, 1, 8)),
                ("acknowledged", at(2026, 1, 12)),
                ("accepted", at(2026, 1, 20)),
                ("completed", at(2026, 3, 1)),
            ],
            created=at(2026, 1, 5),
        ),
        declined=referral(
            brook,
            plain,
            [
                ("submitted", at(2026, 2, 10)),
                ("sent", at(2026, 2, 14)),
                ("acknowledged", at(2026, 2, 16)),
                ("declined", at(2026, 2, 20)),
            ],
            created=at(2026, 2, 9),
        ),
        # Sent urgently on Monday 2 March; 5 working days, so due on Monday 9 March at 9am.
        late=referral(
            carver, strong, [("sent", at(2026, 3, 2))], created=at(2026, 3, 2, 8), urgent=True
        ),
        awaiting=referral(
            ashworth, plain, [("submitted", at(2026, 3, 25))], created=at(2026, 3, 24)
        ),
        before=referral(
            brook,
            strong,
            [("submitted", at(2025, 12, 20)), ("sent", at(2026, 1, 3))],
            created=at(2025, 12, 19),
        ),
        draft=referral(brook, plain, [], created=at(2026, 3, 3)),
        withdrawn=referral(
            carver,
            plain,
            [("submitted", at(2026, 2, 1)), ("withdrawn", at(2026, 2, 3))],
            created=at(2026, 1, 30),
        ),
        other_team=referral(
            elm,
            strong,
            [("submitted", at(2026, 2, 1)), ("sent", at(2026, 2, 2))],
            created=at(2026, 1, 31),
        ),
    )

    follow_ups = SimpleNamespace(
        ashworth_overdue=follow_up(ashworth, d(2026, 3, 20)),
        carver_overdue=follow_up(carver, d(2026, 3, 30)),
        brook_later=follow_up(brook, d(2026, 4, 5)),
        ashworth_done=follow_up(ashworth, d(2026, 3, 1), done=True),
        elm_overdue=follow_up(elm, d(2026, 3, 1)),
    )
    return SimpleNamespace(
        families=SimpleNamespace(ashworth=ashworth, brook=brook, carver=carver, dunn=dunn, elm=elm),
        waiting_concern=waiting,
        services=SimpleNamespace(strong=strong, plain=plain),
        referrals=referrals,
        follow_ups=follow_ups,
    )
