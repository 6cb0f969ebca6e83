"""Reads of the service directory: search, one service, and what suggests itself for a family.

The directory is not clinical and not team-owned: every signed-in member of staff may read it.
Every function here runs a fixed number of queries, however many services match.
"""

import datetime
from dataclasses import dataclass, field

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

from .eligibility import FamilyCircumstances, eligible_filter
from .models import EVIDENCE_RANK, Intervention, Service, ServiceArea, TaxonomyTerm

#: After this long without assurance, a service's details may be out of date.
ASSURANCE_STALE_AFTER = datetime.timedelta(days=365)

#: No interventions offered: ranks after every evidence level.
NO_INTERVENTION_RANK = len(EVIDENCE_RANK)


def _best_evidence_rank() -> Coalesce:
    """The rank of the best-evidenced intervention a service offers (0 is strong)."""
    ranked = (
        Service.interventions.through.objects.filter(service_id=OuterRef("pk"))
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


@dataclass
class Suggestion:
    """A service suggested for a family, and why."""

    service: Service
    matched_categories: list[str] = field(default_factory=list)

    @property
    def interventions(self) -> list[Intervention]:
        return sorted(self.service.interventions.all(), key=lambda i: (i.evidence_rank, i.name))

    @property
    def best_intervention(self) -> Intervention | None:
        return next(iter(self.interventions), None)

    @property
    def reason(self) -> str:
        """One line on why it is suggested."""
        concerns = " and ".join(name.lower() for name in self.matched_categories)
        reason = f"Helps with the family's concern about {concerns}"
        best = self.best_intervention
        if best is not None:
            reason += (
                f"; offers {best.name}, an intervention with "
                f"{best.get_evidence_level_display().lower()} evidence"
            )
        return reason + "."


#: The most suggestions a family page shows; the directory search finds the rest.
SUGGESTION_LIMIT = 20


def suggested_services(
    *, category_ids: set[int], category_names: dict[int, str], facts: FamilyCircumstances
) -> list[Suggestion]:
    """Running services that help with these concerns and take this family, best evidence first."""
    if not category_ids:
        return []
    terms = TaxonomyTerm.concern_categories.through.objects.filter(
        concerncategory_id__in=category_ids
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
    suggestions = []
    for service in services[:SUGGESTION_LIMIT]:
        matched = {
            category.pk
            for term in service.taxonomy_terms.all()
            for category in term.concern_categories.all()
        } & category_ids
        suggestions.append(
            Suggestion(
                service=service,
                matched_categories=[category_names[pk] for pk in sorted(matched)],
            )
        )
    return suggestions
