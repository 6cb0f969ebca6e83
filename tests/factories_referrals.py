"""Factories for step 3: the directory, and a family's concerns to refer about.

Rows are built directly for setting tests up; code under test writes through the services.
"""

import datetime

import factory
from django.utils import timezone

from referrals import reminders as referral_reminders
from referrals.models import (
    Intervention,
    LocalAuthority,
    Organization,
    Referral,
    Service,
    ServiceArea,
    TaxonomyTerm,
)
from screening.models import Concern, ConcernCategory

from .factories import FamilyFactory, HealthVisitorFactory


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Test Organisation {n}")
    description = "An invented organisation for tests."


class LocalAuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalAuthority
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"E0{n:07d}")
    name = factory.Sequence(lambda n: f"Test Borough {n}")
    postcode_districts = factory.LazyFunction(lambda: ["LS1", "LS2"])


class ServiceFactory(factory.django.DjangoModelFactory):
    """An active service taking referrals by email for babies 0-24 months, serving LS1.

    Pass ``terms=[code, ...]``, ``interventions=[code, ...]`` and ``districts=[...]`` (or
    ``national=True``) to shape what it matches.
    """

    class Meta:
        model = Service
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Test Service {n}")
    description = "An invented service for tests."
    email = "referrals@example.invalid"
    status = Service.Status.ACTIVE
    accepts_referrals = True
    referral_method = Service.ReferralMethod.EMAIL
    response_working_days = 5
    minimum_age_months = 0
    maximum_age_months = 24
    assured_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))

    @factory.post_generation
    def terms(self, create, extracted, **kwargs):
        if create and extracted:
            self.taxonomy_terms.set(TaxonomyTerm.objects.filter(code__in=extracted))

    @factory.post_generation
    def interventions(self, create, extracted, **kwargs):
        if create and extracted:
            self.interventions.set(Intervention.objects.filter(code__in=extracted))

    @factory.post_generation
    def districts(self, create, extracted, **kwargs):
        if not create:
            return
        for district in ["LS1"] if extracted is None else extracted:
            ServiceArea.objects.create(
                service=self,
                name=district,
                extent_type=ServiceArea.ExtentType.POSTCODE_DISTRICT,
                extent=district,
            )

    @factory.post_generation
    def national(self, create, extracted, **kwargs):
        if create and extracted:
            ServiceArea.objects.create(
                service=self, name="England", extent_type=ServiceArea.ExtentType.NATIONAL
            )


class ConcernFactory(factory.django.DjangoModelFactory):
    """An open, non-urgent concern of a category given by code (default: parental mental health)."""

    class Meta:
        model = Concern

    class Params:
        category_code = "parental_mental_health"

    family = factory.SubFactory(FamilyFactory)
    contact = None
    category = factory.LazyAttribute(lambda o: ConcernCategory.objects.get(code=o.category_code))
    severity = Concern.Severity.MODERATE
    urgent = False
    note = ""
    raised_by = factory.SubFactory(
        HealthVisitorFactory, team=factory.SelfAttribute("..family.team")
    )


class ReferralFactory(factory.django.DjangoModelFactory):
    """A draft referral ready to submit (consent to share recorded: who, how, when); set
    ``status`` directly for lists. Tests of the workflow go through ``referral_transition``."""

    class Meta:
        model = Referral
        skip_postgeneration_save = True

    family = factory.SubFactory(FamilyFactory)
    service = factory.SubFactory(ServiceFactory)
    status = "draft"
    reason = "Low mood since the birth; the parent would like support."
    sharing_basis = Referral.SharingBasis.CONSENT
    # Consent from the family's first parent (if one is recorded yet), in person, two years ago
    # (so tests that travel back in time still find it in the past).
    consent_given_by = factory.LazyAttribute(
        lambda o: o.family.caregivers.order_by("pk").first() if o.family.pk else None
    )
    consent_method = Referral.ConsentMethod.IN_PERSON
    consent_given_on = factory.LazyFunction(
        lambda: timezone.localdate() - datetime.timedelta(days=730)
    )
    information_shared = "Contact details, baby's age, the EPDS result."
    # A referral made as declined or completed says why and how, as the database requires.
    decline_reason = factory.LazyAttribute(
        lambda o: "no_capacity" if o.status == "declined" else ""
    )
    outcome = factory.LazyAttribute(lambda o: "completed" if o.status == "completed" else "")
    created_by = factory.SubFactory(
        HealthVisitorFactory, team=factory.SelfAttribute("..family.team")
    )

    @factory.post_generation
    def response_reminders(self, create, extracted, **kwargs):
        """A referral made as sent has the reminders its sending would have written."""
        if create and self.status == "sent" and self.sent_at is not None:
            referral_reminders.referral_changed(self)
