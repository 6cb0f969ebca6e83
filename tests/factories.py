"""Factories for the records tests need. One per model, with realistic defaults."""

from datetime import timedelta

import factory
from allauth.mfa.models import Authenticator
from django.utils import timezone

from attachment_app.accounts.models import Role, Team, User
from conversations.models import (
    Baby,
    Caregiver,
    ConsentDecision,
    Contact,
    ContactType,
    Conversation,
    Family,
)

TEST_PASSWORD = "a-test-password-9217"
#: The authenticator app secret of every user the factories make (base32, as apps take it).
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Test Team {n}")
    area = factory.Sequence(lambda n: f"Area {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.invalid")
    role = Role.HEALTH_VISITOR
    team = factory.SubFactory(TeamFactory)
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def second_factor(user, create, extracted, **kwargs):
        """An authenticator app set up with TEST_TOTP_SECRET, unless ``second_factor=False``."""
        if create and extracted is not False:
            Authenticator.objects.create(
                user=user, type=Authenticator.Type.TOTP, data={"secret": TEST_TOTP_SECRET}
            )


class HealthVisitorFactory(UserFactory):
    role = Role.HEALTH_VISITOR


class TeamLeadFactory(UserFactory):
    role = Role.TEAM_LEAD


class AdminFactory(UserFactory):
    role = Role.ADMIN
    team = None


# --- Step 1: families and their records ---------------------------------------------------------
# These build rows directly, for setting up tests; code under test writes through the services.


class FamilyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Family

    name = factory.Sequence(lambda n: f"Family {n}")
    team = factory.SubFactory(TeamFactory)
    named_hv = None
    address_line_1 = factory.Sequence(lambda n: f"{n + 1} Test Street")
    town = "Testville"
    postcode = "LS1 4AP"


class CaregiverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Caregiver

    family = factory.SubFactory(FamilyFactory)
    name = factory.Faker("name", locale="en_GB")
    relationship = Caregiver.Relationship.MOTHER
    phone = "07700 900123"


class BabyFactory(factory.django.DjangoModelFactory):
    """A baby born 30 days ago, with no NHS number unless given one."""

    class Meta:
        model = Baby

    family = factory.SubFactory(FamilyFactory)
    name = factory.Faker("first_name", locale="en_GB")
    date_of_birth = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    expected_date = None
    sex = Baby.Sex.FEMALE
    nhs_number = None


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    family = factory.SubFactory(FamilyFactory)
    baby = None
    contact_date = factory.LazyFunction(timezone.localdate)
    contact_type = ContactType.NEW_BIRTH
    place = Contact.Place.HOME
    recorded_by = factory.SubFactory(
        HealthVisitorFactory, team=factory.SelfAttribute("..family.team")
    )


def _decision_for(conversation: Conversation, caregivers: list[Caregiver]) -> None:
    if not conversation.consent_status:
        raise ValueError("Name who took part only with the consent_status they decided.")
    decision = ConsentDecision.objects.create(
        conversation=conversation,
        decision=conversation.consent_status,
        recorded_by=conversation.started_by,
    )
    decision.caregivers.set(caregivers)


class ConversationFactory(factory.django.DjangoModelFactory):
    """A conversation awaiting consent; pass ``consent_status`` and answers for other states.

    This sets ``consent_status`` directly: enough for lists and pages that show the state.
    ``caregiver=`` (or ``caregivers=[...]``) also adds one ConsentDecision with that status for
    those taking part. Tests of the consent gate go through the services.
    """

    class Meta:
        model = Conversation
        skip_postgeneration_save = True

    contact = factory.SubFactory(ContactFactory)
    family = factory.SelfAttribute("contact.family")
    started_by = factory.SelfAttribute("contact.recorded_by")
    consent_status = ""

    @factory.post_generation
    def caregivers(self, create, extracted, **kwargs):
        if extracted:
            _decision_for(self, list(extracted))

    @factory.post_generation
    def caregiver(self, create, extracted, **kwargs):
        if extracted is not None:
            _decision_for(self, [extracted])
