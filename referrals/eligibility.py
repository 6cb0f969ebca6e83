"""Who a service is for: the baby's age in months and the family's area.

Used twice with the same meaning: in SQL to narrow the directory to services a family is eligible
for, and in Python to tell the health visitor why a chosen service may not take the family.
"""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import Exists, OuterRef, Q

from attachment_app.formatting import format_count
from conversations.models import Baby, Family

from .models import Service, ServiceArea


@dataclass(frozen=True)
class FamilyCircumstances:
    """What eligibility is judged on: the babies' ages in months and the postcode district."""

    ages_in_months: tuple[int, ...]
    postcode_district: str


def postcode_district(postcode: str) -> str:
    """The outward code of a postcode: ``LS6 2AB`` → ``LS6``."""
    parts = postcode.strip().upper().split()
    return parts[0] if parts else ""


def age_in_months(baby: Baby, today: datetime.date) -> int:
    """Whole months since birth; 0 for a baby not yet born (services for pregnancy start at 0)."""
    if baby.date_of_birth is None or baby.date_of_birth > today:
        return 0
    delta = relativedelta(today, baby.date_of_birth)
    return delta.years * 12 + delta.months


def circumstances(family: Family, babies, today: datetime.date) -> FamilyCircumstances:
    """The family's circumstances on ``today``, from babies already fetched."""
    return FamilyCircumstances(
        ages_in_months=tuple(age_in_months(baby, today) for baby in babies),
        postcode_district=postcode_district(family.postcode),
    )


def _area_matches(district: str) -> Q:
    return (
        Q(extent_type=ServiceArea.ExtentType.NATIONAL)
        | Q(extent_type=ServiceArea.ExtentType.POSTCODE_DISTRICT, extent__iexact=district)
        | Q(
            extent_type=ServiceArea.ExtentType.LOCAL_AUTHORITY,
            local_authority__postcode_districts__contains=[district],
        )
    )


def serves_district(district: str) -> Exists:
    """A filter on ``Service``: one of its areas covers the postcode district (the district
    itself, a local authority it is in, or all of England)."""
    areas = ServiceArea.objects.filter(service=OuterRef("pk"))
    return Exists(areas.filter(_area_matches(district)))


def eligible_filter(facts: FamilyCircumstances) -> Q:
    """A filter on ``Service`` for the services that take a family in these circumstances."""
    serves_area = serves_district(facts.postcode_district)
    if not facts.ages_in_months:
        # Nobody's age to check: the area decides.
        return Q(serves_area)
    fits_age = Q()
    for age in facts.ages_in_months:
        fits_age |= (Q(minimum_age_months__isnull=True) | Q(minimum_age_months__lte=age)) & (
            Q(maximum_age_months__isnull=True) | Q(maximum_age_months__gte=age)
        )
    return Q(serves_area) & fits_age


def eligibility_problems(service: Service, facts: FamilyCircumstances) -> list[str]:
    """Why the service may not take this family, in plain words; empty when it will.

    ``service.service_areas`` (with their local authorities) should be prefetched.
    """
    problems = []
    ages = facts.ages_in_months
    low, high = service.minimum_age_months, service.maximum_age_months
    if ages and not any(
        (low is None or low <= age) and (high is None or age <= high) for age in ages
    ):
        ages_text = ", ".join(format_count(age, "month") for age in ages)
        problems.append(
            f"It is for babies aged {service.age_range_label().lower()}; "
            f"this family's {'baby is' if len(ages) == 1 else 'babies are'} {ages_text}."
        )
    district = facts.postcode_district
    if not any(area_serves(area, district) for area in service.service_areas.all()):
        problems.append(f"It does not list the postcode district {district} among its areas.")
    return problems


def area_serves(area: ServiceArea, district: str) -> bool:
    if area.extent_type == ServiceArea.ExtentType.NATIONAL:
        return True
    if area.extent_type == ServiceArea.ExtentType.POSTCODE_DISTRICT:
        return area.extent.upper() == district
    return area.local_authority is not None and district in area.local_authority.postcode_districts


def family_circumstances(family: Family, today: datetime.date) -> FamilyCircumstances:
    """The family's circumstances, reading its babies (one query)."""
    return circumstances(family, Baby.objects.filter(family=family).order_by("pk"), today)
