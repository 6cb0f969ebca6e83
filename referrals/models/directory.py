"""The service directory: organisations, their services, where they serve and what they offer.

It follows the Open Referral UK (HSDS 3.0) data standard closely: organisation, service,
location, service at location, service area, schedule, taxonomy term. Field names keep the
standard's where they mean the same thing, so import and export are a mapping. The directory is
shared by every team and configured by admins; it holds no personal data.
"""

import uuid

import pghistory
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models

from attachment_app.formatting import format_count
from screening.models import ConcernCategory


class FromSource(models.Model):
    """Where a directory record came from when it was imported from an Open Referral UK feed.

    ``source`` is the feed's base URL (or ``file:`` and a file's name) and ``source_id`` the
    record's id there; an import matches records by the two. Both are blank for a record an admin
    added here.
    """

    source = models.CharField(max_length=300, blank=True, editable=False)
    source_id = models.CharField("ID at the source", max_length=200, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def is_imported(self) -> bool:
        return bool(self.source)


def _once_per_source(name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=["source", "source_id"], condition=~models.Q(source=""), name=name
    )


class EvidenceLevel(models.TextChoices):
    """How strong the evidence is for an intervention (Wright et al. 2023, NIHR HTA 27(2))."""

    STRONG = "strong", "Strong"
    INTERMEDIATE = "intermediate", "Intermediate"
    WEAK = "weak", "Weak or none"


#: Sort order: the best-evidenced interventions first.
EVIDENCE_RANK = {EvidenceLevel.STRONG: 0, EvidenceLevel.INTERMEDIATE: 1, EvidenceLevel.WEAK: 2}

#: Where the ratings come from, in words for the health visitor (an intervention's own
#: ``evidence_source`` is shown when an admin has set one).
EVIDENCE_SOURCE = (
    "Wright et al. 2023, Interventions for children with attachment difficulties: a survey and "
    "systematic review, NIHR Health Technology Assessment 27(2)"
)

#: What each level means, in our own words, for the details under an evidence tag.
EVIDENCE_MEANING = {
    EvidenceLevel.STRONG: "Good-quality research, including randomised controlled trials, "
    "consistently shows that it helps.",
    EvidenceLevel.INTERMEDIATE: "Some good-quality research shows that it helps, but there is "
    "less of it or the results are mixed.",
    EvidenceLevel.WEAK: "There is little or no good-quality research showing that it helps. "
    "That does not mean it does not work: it has not been shown to.",
}


class Intervention(models.Model):
    """A parent-infant relationship intervention and the strength of its evidence."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(max_length=1000)
    evidence_level = models.CharField(max_length=20, choices=EvidenceLevel.choices)
    evidence_source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(evidence_level__in=EvidenceLevel.values),
                name="intervention_evidence_level_known",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def evidence_rank(self) -> int:
        return EVIDENCE_RANK[self.evidence_level]

    @property
    def evidence_meaning(self) -> str:
        return EVIDENCE_MEANING.get(self.evidence_level, "")

    @property
    def evidence_citation(self) -> str:
        return self.evidence_source or EVIDENCE_SOURCE


class TaxonomyTerm(FromSource):
    """A category of service (HSDS taxonomy_term), mapped to the concerns it can help with."""

    uid = models.UUIDField("ID", default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(max_length=1000, blank=True)
    vocabulary = models.CharField(max_length=60, default="starting-relationships")
    concern_categories = models.ManyToManyField(
        ConcernCategory,
        blank=True,
        related_name="+",
        help_text="Services with this term are suggested for families with these concerns.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [_once_per_source("taxonomy_term_once_per_source")]

    def __str__(self) -> str:
        return self.name


class LocalAuthority(models.Model):
    """A local authority and the postcode districts it covers, for services it commissions."""

    code = models.CharField(
        "GSS code", max_length=9, unique=True, help_text="For example E08000035."
    )
    name = models.CharField(max_length=120)
    postcode_districts = ArrayField(
        models.CharField(max_length=4),
        default=list,
        blank=True,
        help_text="The outward codes of its postcodes, for example LS1, LS6.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class Organization(FromSource):
    """An organisation that runs services (HSDS organization)."""

    uid = models.UUIDField("ID", default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    description = models.TextField(max_length=2000, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    last_modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["retired_at", "name"], name="organization_current")]
        constraints = [_once_per_source("organization_once_per_source")]

    def __str__(self) -> str:
        return self.name


#: A response time of 0 working days says nothing; a service that does not say is left blank.
RESPONSE_TIME_AT_LEAST_ONE = (
    "The expected response time must be at least 1 working day. "
    "Leave it blank if the service does not say."
)


class ServiceQuerySet(models.QuerySet):
    def referable(self):
        """Services a family can be signposted or referred to now."""
        return self.filter(status=Service.Status.ACTIVE, organization__retired_at__isnull=True)


@pghistory.track()
class Service(FromSource):
    """A service families can be signposted or referred to (HSDS service)."""

    class Status(models.TextChoices):
        # The HSDS 3.0 values, spelt as the standard spells them.
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"
        DEFUNCT = "defunct", "Retired"
        TEMPORARILY_CLOSED = "temporarily closed", "Temporarily closed"

    class ReferralMethod(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"
        ONLINE_FORM = "online_form", "Online form"
        INTERNAL = "internal", "Internal (within the trust)"

    class Subject(models.TextChoices):
        PARENT = "parent", "Parent or carer"
        BABY = "baby", "Baby"
        DYAD = "dyad", "Parent and baby together"

    uid = models.UUIDField("ID", default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, verbose_name="Organisation", on_delete=models.PROTECT, related_name="services"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(max_length=4000)
    url = models.URLField("Website", blank=True)
    email = models.EmailField("Email address", blank=True)
    phone = models.CharField("Phone number", max_length=30, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    accepts_referrals = models.BooleanField(
        "Accepts referrals from professionals",
        default=True,
        help_text="If not, families can be signposted to it but not referred.",
    )
    referral_method = models.CharField(
        "How to refer", max_length=20, choices=ReferralMethod.choices, blank=True
    )
    application_process = models.TextField("Referral instructions", max_length=2000, blank=True)
    # Blank when the service does not say (the default applies); 0 would mean "due at once".
    response_working_days = models.PositiveSmallIntegerField(
        "Expected response time in working days",
        null=True,
        blank=True,
        validators=[MinValueValidator(1, message=RESPONSE_TIME_AT_LEAST_ONE)],
    )
    # HSDS gives ages in years; a baby's needs change by the month, so months are kept here and
    # converted when exported.
    minimum_age_months = models.PositiveSmallIntegerField(
        "Youngest age in months",
        null=True,
        blank=True,
        help_text="Leave blank if there is no lower limit. 0 includes pregnancy.",
    )
    maximum_age_months = models.PositiveSmallIntegerField(
        "Oldest age in months", null=True, blank=True, help_text="Leave blank if there is no limit."
    )
    referral_subjects = ArrayField(
        models.CharField(max_length=10, choices=Subject.choices),
        verbose_name="Who may be referred",
        default=list,
        blank=True,
    )
    eligibility_description = models.TextField(max_length=2000, blank=True)
    fees_description = models.CharField("Cost", max_length=300, blank=True)
    schedule_description = models.CharField("Opening times", max_length=300, blank=True)
    assured_date = models.DateField("Last assured", null=True, blank=True)
    assurer_email = models.EmailField("Assured by (email)", blank=True)
    taxonomy_terms = models.ManyToManyField(
        TaxonomyTerm, verbose_name="Categories", blank=True, related_name="services"
    )
    interventions = models.ManyToManyField(Intervention, blank=True, related_name="services")
    # Kept here whatever a feed says: notes for health visitors about this service.
    local_notes = models.TextField(
        "Local notes",
        max_length=2000,
        blank=True,
        help_text="For health visitors: what to know about this service locally. "
        "Never published and never changed by an import.",
    )
    last_modified = models.DateTimeField(auto_now=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["status", "name"], name="service_status_name"),
            models.Index(fields=["last_modified", "id"], name="service_modified"),
        ]
        constraints = [
            _once_per_source("service_once_per_source"),
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["active", "inactive", "defunct", "temporarily closed"]
                ),
                name="service_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(minimum_age_months__isnull=True)
                | models.Q(maximum_age_months__isnull=True)
                | models.Q(minimum_age_months__lte=models.F("maximum_age_months")),
                name="service_age_range_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(accepts_referrals=False) | ~models.Q(referral_method=""),
                name="service_referrals_have_method",
            ),
            models.CheckConstraint(
                condition=models.Q(response_working_days__isnull=True)
                | models.Q(response_working_days__gte=1),
                name="service_response_time_a_working_day_or_more",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_referable(self) -> bool:
        return self.status == self.Status.ACTIVE and self.organization.retired_at is None

    def age_range_label(self) -> str:
        low, high = self.minimum_age_months, self.maximum_age_months
        if low is None and high is None:
            return "Any age"
        if high is None:
            return f"From {format_count(low, 'month')}"
        if low is None or low == 0:
            return f"Pregnancy to {format_count(high, 'month')}"
        return f"{low} to {format_count(high, 'month')}"


class ServiceArea(models.Model):
    """Where a service takes families from (HSDS service_area)."""

    class ExtentType(models.TextChoices):
        NATIONAL = "national", "Everywhere in England"
        POSTCODE_DISTRICT = "postcode_district", "Postcode district"
        LOCAL_AUTHORITY = "local_authority", "Local authority"

    uid = models.UUIDField("ID", default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_areas")
    name = models.CharField(max_length=120)
    extent_type = models.CharField(max_length=20, choices=ExtentType.choices)
    extent = models.CharField(max_length=20, blank=True)
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["extent_type", "name"]
        indexes = [models.Index(fields=["extent_type", "extent"], name="service_area_extent")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(extent_type="national")
                | models.Q(extent_type="postcode_district", local_authority__isnull=True)
                & ~models.Q(extent="")
                | models.Q(extent_type="local_authority", local_authority__isnull=False),
                name="service_area_extent_complete",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Location(FromSource):
    """A place where services are delivered (HSDS location with its one address)."""

    class LocationType(models.TextChoices):
        PHYSICAL = "physical", "A place families can go to"
        POSTAL = "postal", "A postal address"
        VIRTUAL = "virtual", "Online or by phone"

    uid = models.UUIDField("ID", default=uuid.uuid4, unique=True, editable=False)
    location_type = models.CharField(
        max_length=10, choices=LocationType.choices, default=LocationType.PHYSICAL
    )
    name = models.CharField(max_length=200)
    description = models.TextField(max_length=2000, blank=True)
    address_1 = models.CharField("Address", max_length=200, blank=True)
    city = models.CharField("Town or city", max_length=120, blank=True)
    state_province = models.CharField("County", max_length=120, blank=True)
    postal_code = models.CharField("Postcode", max_length=8, blank=True)
    country = models.CharField(max_length=2, default="GB")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [_once_per_source("location_once_per_source")]

    def __str__(self) -> str:
        return self.name


class ServiceAtLocation(models.Model):
    """A service offered at a location (HSDS service_at_location)."""

    uid = models.UUIDField("ID", default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="service_at_locations"
    )
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "location"], name="service_at_location_once")
        ]

    def __str__(self) -> str:
        return f"{self.service} at {self.location}"
