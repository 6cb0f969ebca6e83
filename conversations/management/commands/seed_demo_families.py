"""Create invented demo families for each demo team, through the services. Safe to run again.

Every name, address and NHS number here is invented: NHS numbers come from the 999 range kept
for testing. Each family is keyed by its name within its team and skipped if it exists, so a
second run creates nothing. Dates are worked out from today (the services refuse future
contacts), and each family's details come from a random generator seeded with its own name, so
every run makes the same choices.
"""

import random
from datetime import timedelta

import nhs_number
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from attachment_app.accounts.models import CLINICAL_ROLES, Role, Team, User
from conversations import services
from conversations.models import Caregiver, Contact, ContactType, Family
from conversations.schedule import mandated_windows

#: Surname, a parent, a partner (or ""), two possible baby names, language, interpreter needed.
RIVERSIDE = """
Adeyemi|Funmilayo|Tunde|Tobi|Ayo|English|
Begum|Shirin|Rafiq|Aisha|Imran|Bengali|yes
Campbell|Kirsty|Ross|Isla|Finlay|English|
Dimitrov|Elena|Petar|Maria|Nikolai|Bulgarian|yes
Evans|Ffion|Rhys|Seren|Osian|Welsh|
Fernandes|Ana|Luis|Beatriz|Tiago|Portuguese|
Gallagher|Siobhan||Niamh|Cillian|English|
Hussain|Nadia|Asif|Zara|Yusuf|Urdu|
Ivanova|Olena|Dmytro|Sofiia|Maksym|Ukrainian|yes
Jackson|Chantelle|Marcus|Amara|Jayden|English|
Kaur|Harpreet|Manjit|Simran|Arjun|Punjabi|
Lewandowski|Agnieszka|Tomasz|Zofia|Jakub|Polish|yes
Mahmoud|Layla|Omar|Maryam|Adam|Arabic|yes
Nguyen|Linh|Minh|Mai|Bao|Vietnamese|
O'Brien|Aoife|Declan|Orla|Conor|English|
Patel|Priya|Nikhil|Anaya|Dev|Gujarati|
Quinn|Becky|Jordan|Poppy|Alfie|English|
Rahman|Farzana|Jamal|Inaya|Zayan|Bengali|
Santos|Juliana|Rafael|Larissa|Mateus|Portuguese|
Thompson|Gemma||Ruby|Harry|English|
Ukwu|Chiamaka|Emeka|Adaeze|Chidi|English|
Vaughan|Laura|Owen|Megan|Dylan|English|
Williams|Jade|Kyle|Lily|Mason|English|
Xu|Mei|Jun|Lian|Hao|Mandarin|yes
Yilmaz|Elif|Mehmet|Defne|Emir|Turkish|
Zielinska|Katarzyna|Piotr|Hanna|Antoni|Polish|
Ali|Hodan|Abdi|Hawa|Mohamed|Somali|yes
Brennan|Niamh|Sean|Cara|Ronan|English|
Chowdhury|Tahmina|Shafiq|Rumana|Rayan|Bengali|
Davies|Cerys|Tom|Elsie|Arthur|English|
"""

HILLCREST = """
Abubakar|Aisha|Ibrahim|Fatima|Musa|Hausa|yes
Bailey|Stacey|Dean|Evie|Jack|English|
Cohen|Miriam|Daniel|Eliana|Noah|English|
Dlamini|Thandiwe|Sipho|Naledi|Lwazi|English|
Edwards|Rebecca|Sam|Florence|George|English|
Farah|Amina|Hassan|Hibo|Ilyas|Somali|
Graham|Fiona||Eilidh|Callum|English|
Haddad|Rania|Karim|Lina|Sami|Arabic|
Islam|Sumaiya|Tanvir|Ayesha|Ibrahim|Bengali|
Jones|Bethan|Gareth|Mali|Ianto|Welsh|
Khan|Sana|Bilal|Hania|Ayaan|Urdu|
Lin|Xiaoling|Wei|Yuna|Kai|Mandarin|yes
MacLeod|Morag|Iain|Ailsa|Ruaridh|English|
Novak|Lucie|Martin|Ema|Jakub|Czech|
Osei|Abena|Kwame|Ama|Kofi|Twi|
Popescu|Ioana|Andrei|Maria|Luca|Romanian|yes
Reid|Shannon|Liam|Ella|Noah|English|
Singh|Gurpreet|Harjit|Jasleen|Veer|Punjabi|
Taylor|Charlotte|James|Olivia|Oscar|English|
Usman|Zainab|Tariq|Safa|Hamza|Urdu|
Varga|Eszter|Balazs|Lilla|Bence|Hungarian|yes
Walsh|Ciara|Patrick|Maeve|Fionn|English|
Wright|Danielle||Isabella|Theo|English|
Yusuf|Halima|Abdirahman|Sagal|Liban|Somali|
Zhang|Jing|Hao|Yiran|Ming|Mandarin|
Akhtar|Rubina|Naveed|Aleena|Zain|Urdu|
Byrne|Grainne|Eoin|Saoirse|Oisin|English|
Chen|Li|Feng|Xinyi|Ethan|Cantonese|yes
Duffy|Kerry|Mark|Sophie|Leo|English|
Mensah|Efua|Kojo|Akosua|Yaw|English|
"""

STREETS = [
    "Mill Lane",
    "Church Street",
    "Victoria Road",
    "Albion Terrace",
    "Park View",
    "Beech Grove",
    "Canal Walk",
    "Station Road",
    "Orchard Close",
    "Hawthorn Avenue",
]

#: Per team: the town, the area names and the postcode districts its invented addresses use.
PLACES = {
    "Riverside Health Visiting Team": ("Riverside", ["Northbank", "Old Town", "Quayside"], "LS"),
    "Hillcrest Health Visiting Team": ("Hillcrest", ["Upper Hill", "Moorside", "Fernlea"], "HX"),
}

#: Each family's situation: the baby's age in days (negative: due in that many days) and the
#: mandated contacts that were recorded. Missing ones show as due or overdue on the caseload.
SCENARIOS = [
    (-98, []),
    (-60, ["antenatal"]),
    (-30, []),
    (5, ["antenatal"]),
    (12, ["antenatal"]),
    (20, ["antenatal", "new_birth"]),
    (45, ["antenatal", "new_birth"]),
    (72, ["antenatal", "new_birth"]),
    (120, ["antenatal", "new_birth", "six_to_eight_weeks"]),
    (290, ["new_birth", "six_to_eight_weeks"]),
    (330, ["antenatal", "new_birth", "six_to_eight_weeks"]),
    (430, ["antenatal", "new_birth", "six_to_eight_weeks", "nine_to_twelve_months"]),
    (745, ["new_birth", "six_to_eight_weeks", "nine_to_twelve_months"]),
    (800, ["antenatal", "new_birth", "six_to_eight_weeks"]),
    (35, ["new_birth"]),
]

#: How many days into its window each contact was recorded.
DAYS_INTO_WINDOW = {
    ContactType.ANTENATAL: 30,
    ContactType.NEW_BIRTH: 1,
    ContactType.SIX_TO_EIGHT_WEEKS: 4,
    ContactType.NINE_TO_TWELVE_MONTHS: 25,
    ContactType.TWO_YEARS: 20,
}

#: What the latest conversation of a family is, in turn; earlier ones were completed.
LATEST_STATES = [
    "completed",
    "declined",
    "in_progress",
    "completed",
    "deferred",
    "none",
    "withdrawn",
]

#: Words, joys and fears as a parent might say them at each contact, so that the three words
#: change over time in a way a health visitor would recognise.
WORDS = {
    ContactType.ANTENATAL: [
        ("nervous", "excited", "curious"),
        ("hopeful", "a bit scared", "protective"),
        ("unreal", "connected", "anxious"),
        ("tired", "ready", "impatient"),
    ],
    ContactType.NEW_BIRTH: [
        ("overwhelmed", "in love", "exhausted"),
        ("amazed", "sore", "protective"),
        ("unsure", "tender", "tired"),
        ("surreal", "happy", "worried"),
    ],
    ContactType.SIX_TO_EIGHT_WEEKS: [
        ("closer", "more confident", "tired"),
        ("learning", "calmer", "proud"),
        ("up and down", "loving", "stretched"),
        ("settled", "bonded", "sleepy"),
    ],
    ContactType.NINE_TO_TWELVE_MONTHS: [
        ("playful", "busy", "proud"),
        ("fun", "exhausting", "close"),
        ("confident", "joyful", "chaotic"),
    ],
    ContactType.TWO_YEARS: [
        ("strong-willed", "funny", "close"),
        ("tiring", "rewarding", "loving"),
    ],
}
ANTENATAL_JOYS = [
    "Feeling the baby kick when their dad talks to them.",
    "Seeing the scan and the little hand waving.",
    "Choosing names together in the evenings.",
]
ANTENATAL_FEARS = [
    "The birth, after last time.",
    "Not knowing what I'm doing at the start.",
    "That I won't cope with the nights on my own.",
]
JOYS = [
    "The first time she held my finger.",
    "His little smiles in the morning.",
    "Bath time together, she loves the water.",
    "When he falls asleep on my chest.",
    "Watching her dad sing to her.",
    "Hearing him babble back at me.",
    "How she reaches for me when I come in.",
]
FEARS = [
    "That I won't cope with the nights on my own.",
    "Something happening to her when I'm not watching.",
    "Going back to work and missing things.",
    "That I'll get ill again like last time.",
    "Him not feeding enough.",
    "Money, and the flat being too small.",
    "That she prefers her nan to me.",
]
REFLECTIONS = [
    "Warm, responsive interaction seen throughout the visit. Parent talks to baby often.",
    "Parent tired but attuned to baby's cues. Partner supportive. No concerns.",
    "Parent spoke openly about low mood in the evenings; agreed to talk again at next contact.",
    "Good eye contact and play. Parent proud of progress; grandparents helping with nights.",
    "Parent anxious about feeding; reassured and gave infant feeding information.",
]


def parse(table: str) -> list[dict]:
    rows = []
    for line in table.strip().splitlines():
        surname, parent, partner, baby_1, baby_2, language, interpreter = line.split("|")
        rows.append(
            {
                "surname": surname,
                "parent": parent,
                "partner": partner,
                "baby_names": (baby_1, baby_2),
                "language": language,
                "interpreter": interpreter == "yes",
            }
        )
    return rows


FAMILIES = {
    "Riverside Health Visiting Team": parse(RIVERSIDE),
    "Hillcrest Health Visiting Team": parse(HILLCREST),
}


def synthetic_nhs_number(serial: int) -> str:
    """A valid NHS number in the 999 test range: 999, six digits from ``serial``, a check digit.

    Serials whose check digit would be 10 (no valid number) move on to the next serial.
    """
    while True:
        body = f"999{serial % 1_000_000:06d}"
        total = sum(
            int(digit) * weight for digit, weight in zip(body, range(10, 1, -1), strict=True)
        )
        check = 11 - total % 11
        if check != 10:
            number = f"{body}{0 if check == 11 else check}"
            assert nhs_number.is_valid(number)  # noqa: S101 - a bug here must stop the command
            return number
        serial += 1


class Command(BaseCommand):
    help = "Create about 30 invented families per demo team, with contacts and conversations."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo families are never created in production.")
        today = timezone.localdate()
        created = 0
        for team_index, (team_name, families) in enumerate(FAMILIES.items()):
            team = Team.objects.filter(name=team_name).first()
            if team is None:
                raise CommandError(f"Run seed_demo first: {team_name} does not exist.")
            staff = list(
                User.objects.filter(
                    team=team, role__in=sorted(CLINICAL_ROLES), is_active=True
                ).order_by("role", "username")
            )
            hvs = [user for user in staff if user.role == Role.HEALTH_VISITOR] or staff
            existing = set(Family.objects.filter(team=team).values_list("name", flat=True))
            for index, spec in enumerate(families):
                if spec["surname"] in existing:
                    continue
                with transaction.atomic():
                    self.create_family(
                        spec,
                        team=team,
                        hv=hvs[index % len(hvs)],
                        index=index,
                        serial=team_index * 1000 + index * 10,
                        today=today,
                    )
                created += 1
        self.stdout.write(f"Demo families: {created} created.")

    def create_family(self, spec, *, team, hv, index, serial, today):
        rng = random.Random(f"{team.name}/{spec['surname']}")  # noqa: S311 - not for security
        town, areas, district = PLACES[team.name]
        family = services.family_create(
            actor=hv,
            name=spec["surname"],
            address_line_1=f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
            town=town,
            postcode=f"{district}{rng.randint(1, 9)} {rng.randint(1, 9)}"
            f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
            area=rng.choice(areas),
            named_hv=hv,
        )
        parent = services.caregiver_add(
            actor=hv,
            family=family,
            name=f"{spec['parent']} {spec['surname']}",
            relationship=Caregiver.Relationship.MOTHER,
            phone=f"07700 900{rng.randint(0, 999):03d}",
            preferred_language=spec["language"],
            interpreter_needed=spec["interpreter"],
        )
        taking_part = [parent]
        if spec["partner"]:
            partner = services.caregiver_add(
                actor=hv,
                family=family,
                name=f"{spec['partner']} {spec['surname']}",
                relationship=rng.choice(
                    [Caregiver.Relationship.FATHER, Caregiver.Relationship.PARTNER]
                ),
                phone=f"07700 900{rng.randint(0, 999):03d}",
                preferred_language=spec["language"],
            )
            # In every other family with two parents, both take part in the conversations.
            if index % 2:
                taking_part.append(partner)

        age, done = SCENARIOS[index % len(SCENARIOS)]
        born = today - timedelta(days=age) if age >= 0 else None
        expected = (
            today - timedelta(days=age) if age < 0 else born + timedelta(rng.randint(-14, 10))
        )
        babies = [
            services.baby_add(
                actor=hv,
                family=family,
                name=spec["baby_names"][0] if born else "",
                date_of_birth=born,
                expected_date=expected,
                sex=rng.choice(["female", "male"]) if born else "not_known",
                # Newborns and some others have no NHS number recorded yet.
                nhs_number=synthetic_nhs_number(serial) if born and age > 7 and index % 8 else None,
            )
        ]
        if born and index % 11 == 5:  # twins
            babies.append(
                services.baby_add(
                    actor=hv,
                    family=family,
                    name=spec["baby_names"][1],
                    date_of_birth=born,
                    expected_date=expected,
                    sex=rng.choice(["female", "male"]),
                    nhs_number=synthetic_nhs_number(serial + 1) if age > 7 else None,
                )
            )

        contacts = self.record_contacts(
            family, babies[0], done, hv=hv, today=today, rng=rng, for_every_baby=len(babies) > 1
        )
        self.record_conversations(contacts, taking_part, hv=hv, index=index, rng=rng)

    def record_contacts(
        self, family, baby, done, *, hv, today, rng, for_every_baby=False
    ) -> list[Contact]:
        """The mandated contacts this family had, each on a plausible day in its window.

        Twins are seen together, so their contacts are recorded for the family, not one baby.
        """
        # A baby born before the antenatal contact could be recorded has its windows from birth;
        # the antenatal window is worked out from the expected date.
        windows = {w.contact_type: w for w in mandated_windows(None, baby.expected_date)}
        windows.update(
            {w.contact_type: w for w in mandated_windows(baby.date_of_birth, baby.expected_date)}
        )
        contacts = []
        for contact_type in done:
            window = windows[contact_type]
            contact_date = min(
                window.opens + timedelta(days=DAYS_INTO_WINDOW[contact_type]),
                window.closes,
                today - timedelta(days=1),
            )
            if baby.date_of_birth and contact_type == ContactType.ANTENATAL:
                contact_date = min(contact_date, baby.date_of_birth - timedelta(days=7))
            contacts.append(
                services.contact_record(
                    actor=hv,
                    family=family,
                    baby=None if for_every_baby else baby,
                    contact_date=contact_date,
                    contact_type=contact_type,
                    place=(
                        Contact.Place.HOME
                        if contact_type in {ContactType.ANTENATAL, ContactType.NEW_BIRTH}
                        else rng.choice([Contact.Place.HOME, Contact.Place.CLINIC])
                    ),
                    present=(
                        "Mother and babies"
                        if for_every_baby
                        else "Mother and baby"
                        if baby.date_of_birth
                        else "Mother"
                    ),
                )
            )
        return sorted(contacts, key=lambda contact: contact.contact_date)

    def record_conversations(self, contacts, taking_part, *, hv, index, rng) -> None:
        """Earlier contacts' conversations completed; the latest one in this family's state."""
        latest_state = LATEST_STATES[index % len(LATEST_STATES)]
        for position, contact in enumerate(contacts):
            state = latest_state if position == len(contacts) - 1 else "completed"
            if state == "none":
                continue
            conversation = services.conversation_start(actor=hv, contact=contact)
            if state in {"declined", "deferred"}:
                services.consent_record(
                    actor=hv,
                    conversation=conversation,
                    caregivers=taking_part,
                    decision=state,
                    note="Would rather talk another time." if state == "deferred" else "",
                )
                continue
            services.consent_record(
                actor=hv, conversation=conversation, caregivers=taking_part, decision="given"
            )
            words = rng.choice(WORDS[contact.contact_type])
            antenatal = contact.contact_type == ContactType.ANTENATAL
            if state == "in_progress" and index % 2:
                continue  # consent given, nothing written yet
            services.conversation_save_answers(
                actor=hv,
                conversation=conversation,
                word_1=words[0],
                word_2=words[1],
                word_3=words[2],
                joy=rng.choice(ANTENATAL_JOYS if antenatal else JOYS),
                fear=rng.choice(ANTENATAL_FEARS if antenatal else FEARS),
            )
            if state == "in_progress":
                continue
            if state == "withdrawn":
                services.consent_record(
                    actor=hv,
                    conversation=conversation,
                    decision="withdrawn",
                    note="Parent asked that nothing more is recorded.",
                )
                continue
            reflection = rng.choice(REFLECTIONS)
            services.conversation_save_reflection(
                actor=hv,
                conversation=conversation,
                reflection=reflection,
                raised_concern="low mood" in reflection,
            )
            services.conversation_complete(actor=hv, conversation=conversation)
