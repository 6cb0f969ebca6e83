"""Every record of one invented family, made as rows ready for ``COPY``: no query, no save.

A family gets one to three children (some not yet born), one or two parents, the mandated
contacts whose windows fell in the three years before the seed's day (``conversations.schedule``)
and further contacts, so about ten contacts a family. Only three or four mandated contacts of a
family fall in a three-year window, so the further ones are about twice as many (the research
found 1.6 for each mandated contact in the median area, from 0.1 to 8.5), and many more for the
families with targeted support. At a contact there may be a conversation with its
consent decisions, questionnaires scored by the engine (``answers``), and concerns; a fifth of
the families has a referral moved through the workflow with its events, a few have follow-ups
and signposting. The reminders the services would have scheduled are there too, sent,
cancelled or waiting as their subjects moved on, and the access log has a row for each page a
health visitor would have opened to record them.

Each family's choices come from its own random stream (the seed and the family's index), so a
family is the same whatever else is seeded around it; only its ids, its babies' NHS numbers and
its health visitor depend on what else is seeded.
Nothing happens on or after the seed's day: its midnight is the data's "now".
"""

import datetime
import random
from dataclasses import dataclass

from conversations.schedule import ANTENATAL_LEAD, mandated_windows, next_mandated_contact

from . import at_contact, support, texts
from .tables import NOT_IN_ERROR, Rows

DAY = datetime.timedelta(days=1)
MINUTE = datetime.timedelta(minutes=1)
PERIOD_DAYS = 3 * 365
#: Children leave the health visiting caseload at five.
AGE_LIMIT_DAYS = 5 * 365 - 1

#: How often each mandated contact was done when its window fell in the period.
DONE = {
    "antenatal": 0.7,
    "new_birth": 0.95,
    "six_to_eight_weeks": 0.9,
    "nine_to_twelve_months": 0.85,
    "two_years": 0.8,
}
#: Further contacts for each mandated one, by level of support (universal, universal plus,
#: partnership plus) and how many families get each.
FURTHER = [(0.62, 1.2), (0.90, 2.8), (1.0, 6.4)]
CONVERSATION_SHARE = 0.85
CONCERN_SHARE = 0.3
FOLLOW_UP_SHARE = 0.12
SIGNPOST_SHARE = 0.25

FAMILY = "conversations.family"


@dataclass(frozen=True)
class Reference:
    """What the rows point at that the seeder does not make: categories, services, instruments."""

    #: Every concern category's id by its code (a safety rule names its category by code).
    category_ids: dict[str, int]
    #: The categories in use, for the concerns a health visitor raises.
    active_category_ids: tuple[int, ...]
    #: Services that take referrals: (id, response time in working days).
    services: tuple[tuple[int, int], ...]
    #: Every active service, for signposting.
    signpost_service_ids: tuple[int, ...]
    #: Current instruments scored from items, by code (``answers.Instrument``).
    instruments: dict


@dataclass
class Visit:
    """A contact as the rest of the family's records need it."""

    id: int
    day: datetime.date
    kind: str
    at: datetime.datetime
    by: int


class Family:
    """Makes one family's rows into ``rows``, taking ids from ``rows.ids``."""

    def __init__(self, *, seed: int, today: datetime.date, reference: Reference, rows: Rows):
        self.seed, self.today, self.reference, self.rows = seed, today, reference, rows
        self.tz, self.now = rows.tz, rows.now
        self.start = today - datetime.timedelta(days=PERIOD_DAYS)
        self.end = today - DAY
        self.rng = random.Random()  # noqa: S311 - invented data, not secrets
        self.nhs_serial = 200_000

    # --- Helpers ------------------------------------------------------------------------------

    def moment(self, day: datetime.date) -> datetime.datetime:
        """A time in working hours (9am to 5pm, London) on ``day``."""
        minute = self.rng.randrange(480)
        return datetime.datetime(
            day.year, day.month, day.day, 9 + minute // 60, minute % 60, tzinfo=self.tz
        )

    def day_between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        return first + datetime.timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def nhs_number(self) -> str | None:
        """A valid number in the 999 test range, never one already in the database."""
        while self.nhs_serial < 1_000_000:
            body = f"999{self.nhs_serial:06d}"
            self.nhs_serial += 1
            weights = range(10, 1, -1)
            total = sum(int(digit) * weight for digit, weight in zip(body, weights, strict=True))
            check = 11 - total % 11
            if check == 10:
                continue
            number = f"{body}{0 if check == 11 else check}"
            if number not in self.rows.taken_nhs_numbers:
                return number
        return None

    # --- The family ---------------------------------------------------------------------------

    def make(self, index: int, *, team, hv_id: int) -> None:
        """The family at ``index``, on ``hv_id``'s caseload in ``team`` (a ``TeamPlan``)."""
        rng = self.rng
        rng.seed(self.seed * 1_000_003 + index)
        rows = self.rows
        family_id = rows.take("family")
        surname = rng.choice(texts.SURNAMES)
        if rng.random() < 0.06:
            surname = f"{surname}-{rng.choice(texts.SURNAMES)}"
        babies = self.babies(family_id)
        mother, partner, interpreter = self.caregivers(family_id, surname)
        planned, done_by_baby = self.plan_contacts(babies)
        first_day = planned[0][0] if planned else self.first_possible(babies)
        created_day = max(self.start, first_day - datetime.timedelta(days=rng.randint(0, 14)))
        created = datetime.datetime(
            created_day.year,
            created_day.month,
            created_day.day,
            8,
            rng.randrange(60),
            tzinfo=self.tz,
        )
        windows = [
            window
            for baby_id, dob, expected in babies
            if (
                window := next_mandated_contact(
                    date_of_birth=dob, expected_date=expected, done=done_by_baby.get(baby_id, set())
                )
            )
            is not None
        ]
        following = min(windows, key=lambda window: window.opens, default=None)
        district = f"{team.postcode_area}{rng.randint(1, team.districts)}"
        rows.family.append(
            (
                family_id,
                surname,
                f"{rng.randint(1, 180)} {rng.choice(texts.STREETS)} "
                f"{rng.choice(texts.STREET_KINDS)}",
                "",
                team.area,
                f"{district} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
                f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
                team.area,
                following.contact_type if following else "",
                following.opens if following else None,
                following.closes if following else None,
                created,
                created,
                hv_id,
                team.id,
            )
        )
        visits = self.contacts(family_id, planned, hv_id, team, interpreter, partner is not None)
        concern_at = -1
        if visits and self.reference.active_category_ids and rng.random() < CONCERN_SHARE:
            concern_at = rng.randrange(len(visits))
        concerns: list[tuple[int, datetime.datetime]] = []
        for position, visit in enumerate(visits):
            raised = at_contact.results(self, family_id, visit, concerns)
            if position == concern_at:
                at_contact.concern(self, family_id, visit, concerns)
                raised = True
            if rng.random() < CONVERSATION_SHARE:
                at_contact.conversation(self, family_id, visit, mother, partner, raised)
        if visits:
            support.add_referral(self, family_id, visits, team, hv_id, mother, concerns)
            if rng.random() < FOLLOW_UP_SHARE:
                support.follow_up(self, family_id, rng.choice(visits), hv_id)
            if rng.random() < SIGNPOST_SHARE:
                support.signpost(self, family_id, rng.choice(visits))

    def first_possible(self, babies) -> datetime.date:
        """For a family with no contact yet: when it could first have been seen."""
        earliest = min((dob or expected) for _, dob, expected in babies)
        return min(self.end, max(self.start, earliest - ANTENATAL_LEAD))

    def babies(
        self, family_id: int
    ) -> list[tuple[int, datetime.date | None, datetime.date | None]]:
        """One to three children, oldest first; a negative age is a baby not yet born."""
        rng, rows = self.rng, self.rows
        roll = rng.random()
        count = 1 if roll < 0.72 else 2 if roll < 0.94 else 3
        ages = [rng.randint(-90, 4 * 365)]
        made: list[tuple[int, datetime.date | None, datetime.date | None]] = []
        for _ in range(count - 1):
            older = ages[-1] + (0 if rng.random() < 0.03 else rng.randint(450, 1400))
            if older > AGE_LIMIT_DAYS:
                break
            ages.append(older)
        for age in reversed(ages):
            baby_id = rows.take("baby")
            if age >= 0:
                dob = self.today - datetime.timedelta(days=age)
                expected = dob + datetime.timedelta(days=rng.randint(-14, 14))
                roll = rng.random()
                sex = "female" if roll < 0.49 else "male" if roll < 0.98 else "not_known"
                name = rng.choice(texts.FIRST_NAMES)
                rows.baby.append((baby_id, name, dob, expected, sex, self.nhs_number(), family_id))
                made.append((baby_id, dob, expected))
            else:
                expected = self.today - datetime.timedelta(days=age)
                rows.baby.append((baby_id, "", None, expected, "not_known", None, family_id))
                made.append((baby_id, None, expected))
        return made

    def caregivers(self, family_id: int, surname: str) -> tuple[int, int | None, bool]:
        """The mother, and a father or partner in most families; whether an interpreter is
        needed."""
        rng, rows = self.rng, self.rows
        english = rng.random() < 0.88
        language = "English" if english else rng.choice(texts.LANGUAGES)
        interpreter = not english and rng.random() < 0.5
        relationships = ["mother"]
        if rng.random() < 0.55:
            relationships.append("father" if rng.random() < 0.8 else "partner")
        made: list[int] = []
        for relationship in relationships:
            caregiver_id = rows.take("caregiver")
            first = rng.choice(texts.PARENT_NAMES)
            last = surname if rng.random() < 0.8 else rng.choice(texts.SURNAMES)
            email = (
                f"{first}.{''.join(c for c in last if c.isalpha())}@example.invalid".lower()
                if rng.random() < 0.6
                else ""
            )
            rows.caregiver.append(
                (
                    caregiver_id,
                    f"{first} {last}",
                    relationship,
                    f"07700 900{rng.randrange(1000):03d}",
                    email,
                    language,
                    interpreter,
                    family_id,
                    *NOT_IN_ERROR,
                )
            )
            made.append(caregiver_id)
        return made[0], made[1] if len(made) > 1 else None, interpreter

    def plan_contacts(self, babies):
        """The mandated contacts done in the period, in their windows (a few late), and the
        further ones; as (day, type, baby id) in date order, with the types done per baby."""
        rng = self.rng
        planned = []
        done_by_baby: dict[int, set[str]] = {}
        for baby_id, dob, expected in babies:
            # From the birth (or the expected date before it): the antenatal window too, which
            # a born baby went through before birth.
            for window in mandated_windows(None, dob or expected):
                if window.opens > self.end or window.closes < self.start:
                    continue
                if rng.random() > DONE[window.contact_type]:
                    continue
                first, last = max(window.opens, self.start), min(window.closes, self.end)
                day = self.day_between(first, last)
                if last == window.closes and rng.random() < 0.1:
                    day = min(self.end, window.closes + datetime.timedelta(days=rng.randint(1, 21)))
                planned.append((day, window.contact_type, baby_id))
                done_by_baby.setdefault(baby_id, set()).add(window.contact_type)
        mandated = len(planned)
        if mandated:
            roll = rng.random()
            factor = next(factor for share, factor in FURTHER if roll < share)
            further = round(mandated * factor * rng.uniform(0.6, 1.4))
            first = min(day for day, _, _ in planned)
            # From when each baby was first on the caseload (the antenatal window's opening).
            known_from = [
                (baby_id, (dob or expected) - ANTENATAL_LEAD) for baby_id, dob, expected in babies
            ]
            for _ in range(further):
                day = self.day_between(first, self.end)
                # About the youngest baby known by then, or the family as a whole.
                about = [baby_id for baby_id, since in known_from if since <= day]
                baby_id = about[-1] if about and rng.random() < 0.6 else None
                planned.append((day, "additional", baby_id))
        planned.sort(key=lambda plan: plan[0])
        return planned, done_by_baby

    def contacts(self, family_id, planned, hv_id, team, interpreter, two_parents) -> list[Visit]:
        """The contacts, recorded by the family's HV or now and then a colleague in the team,
        with the two pages the HV opened to record each in the access log."""
        rng, rows = self.rng, self.rows
        visits = []
        for day, kind, baby_id in planned:
            contact_id = rows.take("contact")
            at = self.moment(day)
            by = hv_id if rng.random() < 0.88 else rng.choice(team.hv_ids)
            roll = rng.random()
            place = (
                "home"
                if kind == "new_birth" or roll < 0.55
                else "clinic"
                if roll < 0.85
                else "virtual"
            )
            present = rng.choice(texts.PRESENT[:3] if two_parents else texts.PRESENT[:1])
            rows.contact.append(
                (
                    contact_id,
                    day,
                    kind,
                    place,
                    present,
                    interpreter and rng.random() < 0.8,
                    at,
                    baby_id,
                    by,
                    family_id,
                    *NOT_IN_ERROR,
                )
            )
            rows.access(at - 3 * MINUTE, by, "view", FAMILY, family_id, family_id, "family_detail")
            rows.access(at, by, "edit", FAMILY, family_id, family_id, "contact_create")
            visits.append(Visit(contact_id, day, kind, at, by))
        return visits
