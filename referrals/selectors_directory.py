"""Reads of the service directory: search, one service, and what suggests itself for a family.

The directory is not clinical and not team-owned: every signed-in member of staff may read it.
Every function here runs a fixed number of queries, however many services match.
"""

import datetime
from dataclasses import dataclass, field
from functools import partial

from django.db.models import (
    Case,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from .eligibility import FamilyCircumstances, area_serves, eligible_filter
from .models import EVIDENCE_RANK, Intervention, Service, ServiceArea, TaxonomyTerm

#: After this long without assurance, a service's details may be out of date.
ASSURANCE_STALE_AFTER = datetime.timedelta(days=365)

#: No interventions offered: ranks after every evidence level.
NO_INTERVENTION_RANK = len(EVIDENCE_RANK)


def _best_evidence_rank() -> Coalesce:
    """The rank of the best-evidenced intervention a service offers (0 is strong)."""
    # django-stubs does not see annotations on the many-to-many's own (through) model.
    ranked = (
        Service.interventions.through.objects.filter(  # type: ignore[misc]
            service_id=OuterRef("pk")
        )
        .annotate(
            rank=Case(
                *(
                    When(intervention__evidence_level=level, then=Value(rank))
                    for level, rank in EVIDENCE_RANK.items()
                ),
                default=Value(NO_INTERVENTION_RANK),
                output_field=IntegerField(),
            )
        )
        .order_by("rank")
        .values("rank")[:1]
    )
    return Coalesce(Subquery(ranked), Value(NO_INTERVENTION_RANK))


def with_details(services: QuerySet) -> QuerySet:
    """Services with what their listing shows, fetched in a fixed number of queries."""
    return services.select_related("organization").prefetch_related(
        Prefetch("interventions", queryset=Intervention.objects.order_by("evidence_level", "name")),
        Prefetch("taxonomy_terms", queryset=TaxonomyTerm.objects.order_by("name")),
        Prefetch(
            "service_areas",
            queryset=ServiceArea.objects.select_related("local_authority").order_by(
                "extent_type", "name"
            ),
        ),
    )


def directory_search(
    *, term: str = "", category: TaxonomyTerm | None = None, include_retired: bool = False
) -> QuerySet:
    """Services matching words in their name, organisation or description, in name order."""
    services = Service.objects.all() if include_retired else Service.objects.referable()
    for word in term.split():
        services = services.filter(
            Q(name__icontains=word)
            | Q(organization__name__icontains=word)
            | Q(description__icontains=word)
        )
    if category is not None:
        services = services.filter(taxonomy_terms=category)
    return with_details(services).order_by("name", "pk")


def is_assurance_stale(service: Service, today: datetime.date) -> bool:
    """Whether nobody has checked the service's details for over a year (or ever)."""
    return service.assured_date is None or today - service.assured_date > ASSURANCE_STALE_AFTER


#: How near a service's area is to the family, best first: its postcode district, its local
#: authority, all of England.
#: Keyed by the stored extent type (a plain string, equal to its ExtentType).
AREA_FIT: dict[str, int] = {
    ServiceArea.ExtentType.POSTCODE_DISTRICT: 0,
    ServiceArea.ExtentType.LOCAL_AUTHORITY: 1,
    ServiceArea.ExtentType.NATIONAL: 2,
}
AREA_LABEL = {0: "in the family's postcode district", 1: "across the local authority", 2: ""}

#: Concerns are taken most pressing first: urgent ones, then high, moderate and low severity.
SEVERITY_RANK = {"high": 0, "moderate": 1, "low": 2}


def concern_rank(concern) -> tuple:
    """Most pressing first: urgent, then by severity, then the newest (what the visit is about)."""
    return (
        0 if concern.urgent else 1,
        SEVERITY_RANK.get(concern.severity, len(SEVERITY_RANK)),
        -concern.raised_at.timestamp(),
        concern.pk,
    )


@dataclass
class ServiceHistory:
    """What has been done with a service for this family already."""

    #: (status label, started) of each referral to it, newest first.
    referrals: list[tuple[str, datetime.datetime]] = field(default_factory=list)
    signposted_on: datetime.date | None = None


@dataclass
class Suggestion:
    """A service suggested for one of the family's concerns, and how well it matches."""

    service: Service
    category_name: str
    #: How many concern categories the service's narrowest matching category covers: 1 means
    #: it is made for this concern; more means it is a general one.
    specificity: int
    #: 0: the family's postcode district, 1: its local authority, 2: all of England.
    area_fit: int
    evidence_rank: int
    #: Other open concerns of the family the service also helps with.
    also_for: list[str] = field(default_factory=list)
    history: ServiceHistory | None = None

    @property
    def interventions(self) -> list[Intervention]:
        return sorted(self.service.interventions.all(), key=lambda i: (i.evidence_rank, i.name))

    @property
    def best_intervention(self) -> Intervention | None:
        return next(iter(self.interventions), None)

    @property
    def is_specific(self) -> bool:
        return self.specificity == 1

    @property
    def reason(self) -> str:
        """One line on why it is suggested."""
        what = "A service for" if self.is_specific else "General support that includes"
        reason = f"{what} {self.category_name.lower()}"
        area = AREA_LABEL.get(self.area_fit, "")
        if area:
            reason += f", {area}"
        if self.also_for:
            reason += "; also helps with " + " and ".join(name.lower() for name in self.also_for)
        best = self.best_intervention
        if best is not None:
            reason += (
                f"; offers {best.name}, an intervention with "
                f"{best.get_evidence_level_display().lower()} evidence"
            )
        return reason + "."


@dataclass
class ConcernGroup:
    """The services suggested for one concern category of the family, best match first."""

    category_name: str
    #: The family's open concerns of this category, most pressing first.
    concerns: list
    suggestions: list[Suggestion] = field(default_factory=list)

    @property
    def lead(self):
        return self.concerns[0]

    @property
    def needs_referral(self) -> bool:
        """Urgent or high: the health visitor needs a service she can refer to."""
        return self.lead.urgent or self.lead.severity == "high"


#: The most services considered for a family (the best evidenced, if there are more), and the
#: most shown under one concern; the directory search finds the rest.
SUGGESTION_CANDIDATES = 200
SUGGESTIONS_PER_CONCERN = 10


def _suggestion_order(s: Suggestion, *, pressing: bool) -> tuple[bool, int, int, int, str, int]:
    """Best first: for a concern that needs a referral, services taking referrals; then the
    most specific, the nearest, the best evidenced, by name."""
    return (
        pressing and not s.service.accepts_referrals,
        s.specificity,
        s.area_fit,
        s.evidence_rank,
        s.service.name.lower(),
        s.service.pk,
    )


def _area_fit(service: Service, district: str) -> int:
    """How near the nearest of the service's areas that take the family is (see AREA_FIT)."""
    fits = [
        AREA_FIT[area.extent_type]
        for area in service.service_areas.all()
        if area_serves(area, district)
    ]
    return min(fits, default=len(AREA_FIT))


def suggested_services(*, concerns: list, facts: FamilyCircumstances) -> list[ConcernGroup]:
    """Running services that take this family, grouped by its open concerns.

    Groups come most pressing concern first (urgent, then high, moderate and low severity, then
    the newest). Within a group, services are ordered by how well they match, then by evidence:

    1. for an urgent or high concern, services that take referrals before signposting-only ones;
    2. a service made for the concern (its category covers that concern alone) before a general
       one (a category covering several concerns), the narrowest first;
    3. the nearest area: the family's postcode district, then its local authority, then England;
    4. the best-evidenced intervention offered (Wright et al. 2023), strong first;
    5. the name.

    A service that helps with several of the family's concerns appears under each. One query
    for the services and a fixed number of prefetches, however many match.
    """
    groups: dict[int, ConcernGroup] = {}
    for concern in sorted(concerns, key=concern_rank):
        group = groups.setdefault(
            concern.category_id, ConcernGroup(category_name=concern.category.name, concerns=[])
        )
        group.concerns.append(concern)
    if not groups:
        return []
    terms = TaxonomyTerm.concern_categories.through.objects.filter(
        concerncategory_id__in=list(groups)
    ).values("taxonomyterm_id")
    services = (
        Service.objects.referable()
        .filter(eligible_filter(facts))
        .filter(
            pk__in=Service.taxonomy_terms.through.objects.filter(
                taxonomyterm_id__in=Subquery(terms)
            ).values("service_id")
        )
        .annotate(evidence_rank=_best_evidence_rank())
        .order_by("evidence_rank", "name", "pk")
    )
    services = with_details(services).prefetch_related("taxonomy_terms__concern_categories")
    for service in services[:SUGGESTION_CANDIDATES]:
        # For each concern category: the breadth of the narrowest of the service's categories
        # that covers it.
        breadth: dict[int, int] = {}
        for term in service.taxonomy_terms.all():
            covered = [category.pk for category in term.concern_categories.all()]
            for category_id in covered:
                breadth[category_id] = min(breadth.get(category_id, len(covered)), len(covered))
        matched = [category_id for category_id in groups if category_id in breadth]
        area_fit = _area_fit(service, facts.postcode_district)
        for category_id in matched:
            groups[category_id].suggestions.append(
                Suggestion(
                    service=service,
                    category_name=groups[category_id].category_name,
                    specificity=breadth[category_id],
                    area_fit=area_fit,
                    evidence_rank=service.evidence_rank,
                    also_for=[
                        groups[other].category_name for other in matched if other != category_id
                    ],
                )
            )
    for group in groups.values():
        group.suggestions.sort(key=partial(_suggestion_order, pressing=group.needs_referral))
        del group.suggestions[SUGGESTIONS_PER_CONCERN:]
    return list(groups.values())
