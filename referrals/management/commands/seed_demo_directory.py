"""Create an invented service directory for the two demo teams' areas. Safe to run again.

Every organisation, service, address, email and phone number here is made up: emails use the
example.org domain and phone numbers come from the ranges Ofcom keeps for drama (0113 496 0xxx,
01632 960xxx, 0808 157 0xxx). The demo families live in postcode districts LS1-LS9 (Riverside)
and HX1-HX9 (Hillcrest), so the two invented local authorities cover exactly those.

Organisations are keyed by name and services by organisation and name; anything that exists is
left as it is, so a second run creates nothing. Writes go through the directory services, as
the demo admin.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from attachment_app.accounts.models import Role, User
from referrals import services_directory as services
from referrals.models import Intervention, LocalAuthority, Organization, Service, TaxonomyTerm

#: Invented local authorities. The codes use the E99 prefix, which no real GSS code has.
AUTHORITIES = {
    "riverside": ("E99000001", "Riverside", [f"LS{n}" for n in range(1, 10)]),
    "hillcrest": ("E99000002", "Hillcrest", [f"HX{n}" for n in range(1, 10)]),
}

TRUST = "Riverside and Hillcrest Community Health NHS Trust"
RIVERSIDE_COUNCIL = "Riverside Borough Council"
HILLCREST_COUNCIL = "Hillcrest Borough Council"
NATIONAL = "Early Years Information Service"

#: Name, description, email, website.
ORGANIZATIONS = [
    (
        TRUST,
        "The community health trust for both demo areas: health visiting, perinatal and "
        "infant mental health, and infant feeding.",
        "enquiries@rhch-trust.example.org",
        "https://rhch-trust.example.org",
    ),
    (
        RIVERSIDE_COUNCIL,
        "Runs the family hubs, early help and children's social care in Riverside.",
        "families@riverside-council.example.org",
        "https://riverside-council.example.org",
    ),
    (
        HILLCREST_COUNCIL,
        "Runs the family hubs, early help and children's social care in Hillcrest.",
        "families@hillcrest-council.example.org",
        "https://hillcrest-council.example.org",
    ),
    (
        NATIONAL,
        "A national source of information for parents-to-be and parents of young children.",
        "",
        "https://early-years-info.example.org",
    ),
    ("Northbank Medical Practice", "A GP practice in Riverside.", "", ""),
    ("Moorside Surgery", "A GP practice in Hillcrest.", "", ""),
    (
        "Safe Harbour",
        "A charity supporting people affected by domestic abuse in both areas.",
        "hello@safe-harbour.example.org",
        "https://safe-harbour.example.org",
    ),
    (
        "Playful Families",
        "A small charity offering play-based therapy for families.",
        "team@playful-families.example.org",
        "https://playful-families.example.org",
    ),
    (
        "Clearwater Recovery",
        "A charity offering drug and alcohol support to adults.",
        "referrals@clearwater.example.org",
        "https://clearwater.example.org",
    ),
    (
        "Hillcrest Parents Together",
        "A peer support group run by and for parents in Hillcrest.",
        "hello@parents-together.example.org",
        "",
    ),
]

#: Days since the details were last checked. Two are over a year, to show the warning.
FRESH, RECENT, STALE, VERY_STALE = 45, 150, 460, 610

#: Each service: its organisation and name, then the fields and areas it is saved with.
SERVICES = [
    {
        "organization": TRUST,
        "name": "Little Steps Parent\u2013Infant Relationship Team",
        "description": "Specialist practitioners who work with parents and babies together "
        "when their relationship is under strain: after a difficult birth, with a baby who is "
        "hard to settle, or when a parent feels disconnected. Sessions are at home or at the "
        "team's base.",
        "email": "little-steps@rhch-trust.example.org",
        "phone": "0113 496 0101",
        "referral_method": "email",
        "application_process": "Email the referral form with the family's consent and any "
        "screening results. The team phones the parent to arrange a first visit.",
        "response_working_days": 10,
        "minimum_age_months": 0,
        "maximum_age_months": 24,
        "referral_subjects": ["dyad", "parent"],
        "terms": ["parent-infant-relationship"],
        "interventions": ["vipp-sd", "vig", "parent-infant-psychotherapy"],
        "authorities": ["riverside", "hillcrest"],
        "assured": FRESH,
    },
    {
        "organization": TRUST,
        "name": "Perinatal Mental Health Service",
        "description": "Assessment and treatment for parents with moderate to severe mental "
        "health difficulties in pregnancy and the first two years after birth.",
        "url": "https://rhch-trust.example.org/perinatal",
        "phone": "0113 496 0102",
        "referral_method": "online_form",
        "application_process": "Use the online referral form. For a risk to life, phone the "
        "crisis line as well.",
        "response_working_days": 5,
        "minimum_age_months": 0,
        "maximum_age_months": 24,
        "referral_subjects": ["parent"],
        "terms": ["perinatal-mental-health"],
        "authorities": ["riverside", "hillcrest"],
        "assured": FRESH,
    },
    {
        "organization": TRUST,
        "name": "Infant Feeding Team",
        "description": "Specialist help with breastfeeding, bottle feeding and mixed feeding, "
        "including tongue-tie assessment, at drop-ins or at home.",
        "email": "infant-feeding@rhch-trust.example.org",
        "phone": "0113 496 0103",
        "referral_method": "email",
        "response_working_days": 3,
        "minimum_age_months": 0,
        "maximum_age_months": 12,
        "referral_subjects": ["dyad"],
        "schedule_description": "Drop-ins Tuesday and Thursday, 10am to midday",
        "terms": ["infant-feeding"],
        "authorities": ["riverside", "hillcrest"],
        "assured": RECENT,
    },
    {
        "organization": TRUST,
        "name": "Catch-up Coaching at Home (ABC)",
        "description": "Ten weekly home visits of Attachment and Biobehavioural Catch-up, "
        "with a coach who films and comments on everyday play and comforting.",
        "email": "little-steps@rhch-trust.example.org",
        "phone": "0113 496 0104",
        "referral_method": "email",
        "response_working_days": 10,
        "minimum_age_months": 6,
        "maximum_age_months": 24,
        "referral_subjects": ["dyad"],
        "terms": ["parent-infant-relationship", "parenting-programme"],
        "interventions": ["abc"],
        "authorities": ["riverside", "hillcrest"],
        "assured": FRESH,
    },
    {
        "organization": TRUST,
        "name": "Under Fives Therapy Service",
        "description": "Child\u2013parent psychotherapy for young children and their carers, often "
        "after frightening or traumatic experiences in the family.",
        "referral_method": "internal",
        "application_process": "Refer through the trust's internal referral system; discuss "
        "with the team's duty clinician first if unsure.",
        "response_working_days": 15,
        "minimum_age_months": 0,
        "maximum_age_months": 60,
        "referral_subjects": ["dyad"],
        "terms": ["parent-infant-relationship"],
        "interventions": ["child-parent-psychotherapy"],
        "authorities": ["riverside", "hillcrest"],
        "assured": RECENT,
    },
    {
        "organization": RIVERSIDE_COUNCIL,
        "name": "Riverside Family Hub",
        "description": "Stay and play, baby groups, parenting courses, benefits and housing "
        "advice, and a family support worker for families who need more help.",
        "email": "hub@riverside-council.example.org",
        "phone": "0113 496 0201",
        "referral_method": "phone",
        "schedule_description": "Monday to Friday, 9am to 5pm",
        "fees_description": "Free",
        "referral_subjects": ["parent", "dyad"],
        "terms": ["family-support", "information"],
        "authorities": ["riverside"],
        "assured": FRESH,
    },
    {
        "organization": RIVERSIDE_COUNCIL,
        "name": "Circle of Security Parenting Group",
        "description": "An eight-week group at the family hub, using Circle of Security to "
        "help parents understand what their child needs from them.",
        "email": "hub@riverside-council.example.org",
        "phone": "0113 496 0202",
        "referral_method": "email",
        "response_working_days": 10,
        "minimum_age_months": 0,
        "maximum_age_months": 72,
        "referral_subjects": ["parent"],
        "fees_description": "Free",
        "terms": ["parenting-programme", "parent-infant-relationship"],
        "interventions": ["circle-of-security"],
        "authorities": ["riverside"],
        "assured": RECENT,
    },
    {
        "organization": RIVERSIDE_COUNCIL,
        "name": "Riverside Children's Social Care Front Door",
        "description": "Where to raise a concern that a child may be at risk of harm, or to "
        "ask for advice about one.",
        "phone": "0113 496 0400",
        "referral_method": "phone",
        "application_process": "Phone first, then confirm in writing within 24 hours. If a "
        "child is in immediate danger, call 999.",
        "response_working_days": 1,
        "schedule_description": "24 hours; out of hours through the emergency duty team",
        "referral_subjects": ["baby", "parent"],
        "terms": ["safeguarding"],
        "authorities": ["riverside"],
        "assured": FRESH,
    },
    {
        "organization": RIVERSIDE_COUNCIL,
        "name": "Riverside Baby Massage Classes",
        "description": "Weekly baby massage classes at the family hub. No longer running.",
        "phone": "0113 496 0203",
        "referral_method": "phone",
        "minimum_age_months": 0,
        "maximum_age_months": 12,
        "terms": ["family-support"],
        "authorities": ["riverside"],
        "assured": RECENT,
        "retired": True,
    },
    {
        "organization": HILLCREST_COUNCIL,
        "name": "Hillcrest Family Hub",
        "description": "Baby and toddler groups, parenting support, infant feeding drop-ins "
        "and advice on money and housing, all in one place.",
        "email": "hub@hillcrest-council.example.org",
        "phone": "01632 960201",
        "referral_method": "phone",
        "schedule_description": "Monday to Friday, 8.30am to 4.30pm",
        "fees_description": "Free",
        "referral_subjects": ["parent", "dyad"],
        "terms": ["family-support", "information"],
        "authorities": ["hillcrest"],
        "assured": FRESH,
    },
    {
        "organization": HILLCREST_COUNCIL,
        "name": "Watch, Wait and Wonder Sessions",
        "description": "Weekly sessions in which the parent follows their child's play while a "
        "practitioner helps them think about what the child is feeling.",
        "email": "hub@hillcrest-council.example.org",
        "phone": "01632 960202",
        "referral_method": "email",
        "response_working_days": 10,
        "minimum_age_months": 0,
        "maximum_age_months": 48,
        "referral_subjects": ["dyad"],
        "terms": ["parenting-programme", "parent-infant-relationship"],
        "interventions": ["watch-wait-wonder"],
        "authorities": ["hillcrest"],
        "assured": RECENT,
    },
    {
        "organization": HILLCREST_COUNCIL,
        "name": "Hillcrest Early Help",
        "description": "A key worker for families facing several difficulties at once, who "
        "brings the right services together around them.",
        "url": "https://hillcrest-council.example.org/early-help",
        "phone": "01632 960203",
        "referral_method": "online_form",
        "response_working_days": 5,
        "referral_subjects": ["parent", "baby"],
        "terms": ["family-support"],
        "authorities": ["hillcrest"],
        "assured": FRESH,
    },
    {
        "organization": HILLCREST_COUNCIL,
        "name": "Hillcrest Children's Social Care Front Door",
        "description": "Where to raise a concern that a child may be at risk of harm, or to "
        "ask for advice about one.",
        "phone": "01632 960400",
        "referral_method": "phone",
        "application_process": "Phone first, then confirm in writing within 24 hours. If a "
        "child is in immediate danger, call 999.",
        "response_working_days": 1,
        "schedule_description": "24 hours; out of hours through the emergency duty team",
        "referral_subjects": ["baby", "parent"],
        "terms": ["safeguarding"],
        "authorities": ["hillcrest"],
        "assured": FRESH,
    },
    {
        "organization": NATIONAL,
        "name": "Start for Life information for parents",
        "description": "Information for parents on pregnancy, feeding, sleep, crying, play and "
        "looking after their own wellbeing. Parents can sign up for emails themselves.",
        "url": "https://early-years-info.example.org/start-for-life",
        "accepts_referrals": False,
        "minimum_age_months": 0,
        "maximum_age_months": 60,
        "fees_description": "Free",
        "terms": ["information"],
        "national": True,
        "assured": RECENT,
    },
    {
        "organization": NATIONAL,
        "name": "Crying and Sleep Support Line",
        "description": "A free phone line for parents who are finding their baby's crying or "
        "sleep hard to cope with.",
        "phone": "0808 157 0100",
        "accepts_referrals": False,
        "schedule_description": "Every day, 9am to 10pm",
        "fees_description": "Free",
        "minimum_age_months": 0,
        "maximum_age_months": 24,
        # A crying line is for crying: not "information", which also maps to family stress.
        "terms": ["infant-feeding"],
        "national": True,
        "assured": FRESH,
    },
    {
        "organization": "Northbank Medical Practice",
        "name": "Northbank Medical Practice",
        "description": "GP appointments for parents and babies, including the six to eight "
        "week check and postnatal review.",
        "phone": "0113 496 0301",
        "referral_method": "phone",
        "schedule_description": "Monday to Friday, 8am to 6.30pm",
        "referral_subjects": ["parent", "baby"],
        "terms": ["primary-care"],
        "districts": ["LS1", "LS2", "LS3", "LS4", "LS5"],
        "assured": RECENT,
    },
    {
        "organization": "Moorside Surgery",
        "name": "Moorside Surgery",
        "description": "GP appointments for parents and babies. The practice has a named GP "
        "for perinatal mental health.",
        "phone": "01632 960301",
        "referral_method": "phone",
        "schedule_description": "Monday to Friday, 8am to 6pm",
        "referral_subjects": ["parent", "baby"],
        "terms": ["primary-care"],
        "districts": ["HX1", "HX2", "HX3", "HX4", "HX5"],
        "assured": VERY_STALE,
    },
    {
        "organization": "Safe Harbour",
        "name": "Safe Harbour Domestic Abuse Service",
        "description": "Confidential support, safety planning and advocacy for anyone "
        "experiencing domestic abuse, including during pregnancy.",
        "phone": "0113 496 0500",
        "email": "referrals@safe-harbour.example.org",
        "referral_method": "phone",
        "application_process": "Only phone when it is safe to do so, and agree with the parent "
        "a safe way to contact them.",
        "response_working_days": 2,
        "referral_subjects": ["parent"],
        "terms": ["domestic-abuse"],
        "authorities": ["riverside", "hillcrest"],
        "assured": FRESH,
    },
    {
        "organization": "Playful Families",
        "name": "Theraplay for Families",
        "description": "Guided, structured play sessions for a carer and child together, "
        "over about twelve weeks.",
        "email": "team@playful-families.example.org",
        "phone": "01632 960600",
        "referral_method": "email",
        "response_working_days": 20,
        "minimum_age_months": 12,
        "maximum_age_months": 72,
        "referral_subjects": ["dyad"],
        "fees_description": "Free for families referred by health visitors",
        "terms": ["parenting-programme"],
        "interventions": ["theraplay"],
        "authorities": ["riverside", "hillcrest"],
        "assured": STALE,
    },
    {
        "organization": "Clearwater Recovery",
        "name": "Clearwater Drug and Alcohol Service",
        "description": "Support for parents who want to cut down or stop using drugs or "
        "alcohol, with a worker who specialises in pregnancy and early parenthood.",
        "email": "referrals@clearwater.example.org",
        "phone": "0113 496 0600",
        "referral_method": "email",
        "response_working_days": 5,
        "referral_subjects": ["parent"],
        "terms": ["substance-use"],
        "authorities": ["riverside", "hillcrest"],
        "assured": RECENT,
    },
    {
        "organization": "Hillcrest Parents Together",
        "name": "Parents Together Wellbeing Group",
        "description": "A weekly peer support group for parents who are feeling low or "
        "anxious since having a baby. Parents come along themselves.",
        "accepts_referrals": False,
        "schedule_description": "Wednesdays, 1pm to 2.30pm",
        "fees_description": "Free",
        "minimum_age_months": 0,
        "maximum_age_months": 24,
        "referral_subjects": ["parent"],
        "terms": ["perinatal-mental-health"],
        "districts": ["HX1", "HX2", "HX3", "HX4", "HX5", "HX6"],
        "assured": FRESH,
    },
]

#: Keys of a service spec that are not fields of the Service row.
_NOT_FIELDS = {
    "organization",
    "terms",
    "interventions",
    "authorities",
    "districts",
    "national",
    "assured",
    "retired",
}


class Command(BaseCommand):
    help = "Create an invented service directory for the demo teams' areas (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("The demo directory is never created in production.")
        # The demo admin from seed_demo if there is one, otherwise the first admin.
        admins = User.objects.filter(role=Role.ADMIN, is_active=True)
        actor = admins.filter(username="admin").first() or admins.order_by("pk").first()
        if actor is None:
            raise CommandError("Run seed_demo first: there is no admin to record the directory.")
        terms = {term.code: term for term in TaxonomyTerm.objects.all()}
        interventions = {item.code: item for item in Intervention.objects.all()}
        needed_terms = {code for spec in SERVICES for code in spec.get("terms", [])}
        needed_interventions = {code for spec in SERVICES for code in spec.get("interventions", [])}
        if not needed_terms <= terms.keys() or not needed_interventions <= interventions.keys():
            raise CommandError("Run migrate first: the categories and interventions are missing.")

        authorities = {}
        for key, (code, name, districts) in AUTHORITIES.items():
            authorities[key], _ = LocalAuthority.objects.get_or_create(
                code=code, defaults={"name": name, "postcode_districts": districts}
            )

        organizations = {}
        for name, description, email, website in ORGANIZATIONS:
            organizations[name] = Organization.objects.filter(name=name).first() or (
                services.organization_save(
                    actor=actor, name=name, description=description, email=email, website=website
                )
            )

        today = timezone.localdate()
        created = 0
        for spec in SERVICES:
            organization = organizations[spec["organization"]]
            if Service.objects.filter(organization=organization, name=spec["name"]).exists():
                continue
            service = services.service_save(
                actor=actor,
                organization=organization,
                assured_date=today - timedelta(days=spec["assured"]),
                assurer_email="directory@rhch-trust.example.org",
                taxonomy_terms=[terms[code] for code in spec.get("terms", [])],
                interventions=[interventions[code] for code in spec.get("interventions", [])],
                national=spec.get("national", False),
                postcode_districts=spec.get("districts", []),
                local_authorities=[authorities[key] for key in spec.get("authorities", [])],
                **{key: value for key, value in spec.items() if key not in _NOT_FIELDS},
            )
            if spec.get("retired"):
                services.service_retire(actor=actor, service=service)
            created += 1
        self.stdout.write(f"Demo directory: {created} services created.")
