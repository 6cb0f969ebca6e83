"""Writes for the service directory: organisations and services, added, changed and retired.

Admins configure the directory and nothing else; it is shared by every team and holds no
personal data. Each function is one business action, in one transaction.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from attachment_app import permissions
from attachment_app.accounts.models import User

from .models import LocalAuthority, Organization, Service, ServiceArea


def _check_may_manage_directory(actor: User) -> None:
    if not permissions.may_manage_directory(actor):
        raise PermissionDenied("Only admins configure the service directory.")


@transaction.atomic
def organization_save(
    *, actor: User, organization: Organization | None = None, **fields
) -> Organization:
    """Add an organisation, or change one."""
    _check_may_manage_directory(actor)
    organization = organization or Organization()
    for name, value in fields.items():
        setattr(organization, name, value.strip() if isinstance(value, str) else value)
    organization.full_clean()
    organization.save()
    return organization


@transaction.atomic
def organization_retire(*, actor: User, organization: Organization) -> Organization:
    """Retire an organisation: its services can no longer be chosen for new referrals."""
    _check_may_manage_directory(actor)
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if organization.retired_at is None:
        organization.retired_at = timezone.now()
        organization.save(update_fields=["retired_at", "last_modified"])
    return organization


def parse_postcode_districts(text: str) -> list[str]:
    """Postcode districts from text separated by commas or spaces, checked and upper-cased."""
    districts = []
    for part in text.replace(",", " ").split():
        district = part.strip().upper()
        if not (2 <= len(district) <= 4 and district[0].isalpha() and district[-1].isalnum()):
            raise ValidationError(
                {"postcode_districts": f"\u201c{part}\u201d is not a postcode district like LS6."}
            )
        if district not in districts:
            districts.append(district)
    return districts


def service_rule_problems(
    *,
    accepts_referrals: bool,
    referral_method: str,
    minimum_age_months: int | None,
    maximum_age_months: int | None,
    serves_somewhere: bool,
) -> dict[str, list[str]]:
    """What does not add up in a service's details, by field ("areas" for where it serves).

    ``service_save`` refuses a service with any of these; forms ask too, so that an admin
    sees them alongside every other mistake at once.
    """
    problems = {}
    low, high = minimum_age_months, maximum_age_months
    if low is not None and high is not None and low > high:
        problems["maximum_age_months"] = [
            "The oldest age must be the same as the youngest age or more."
        ]
    if accepts_referrals and not referral_method:
        problems["referral_method"] = [
            "Say how professionals refer, or that the service does not take referrals."
        ]
    if not serves_somewhere:
        problems["areas"] = ["Say where the service takes families from."]
    return problems


@transaction.atomic
def service_save(
    *,
    actor: User,
    service: Service | None = None,
    taxonomy_terms: Iterable = (),
    interventions: Iterable = (),
    national: bool = False,
    postcode_districts: Iterable[str] = (),
    local_authorities: Iterable[LocalAuthority] = (),
    **fields,
) -> Service:
    """Add a service, or change one, with its categories, interventions and areas served."""
    _check_may_manage_directory(actor)
    service = service or Service()
    for name, value in fields.items():
        setattr(service, name, value.strip() if isinstance(value, str) else value)
    if not service.accepts_referrals:
        service.referral_method = service.referral_method or ""
    problems = {}
    try:
        # The check constraints are tested below instead, each with a message for its field.
        service.full_clean(validate_constraints=False)
    except ValidationError as error:
        problems.update(error.message_dict)
    problems.update(
        service_rule_problems(
            accepts_referrals=service.accepts_referrals,
            referral_method=service.referral_method,
            minimum_age_months=service.minimum_age_months,
            maximum_age_months=service.maximum_age_months,
            serves_somewhere=bool(national or postcode_districts or local_authorities),
        )
    )
    if problems:
        raise ValidationError(problems)
    service.save()
    service.taxonomy_terms.set(taxonomy_terms)
    service.interventions.set(interventions)
    service.service_areas.all().delete()
    areas = []
    if national:
        areas.append(
            ServiceArea(
                service=service, name="England", extent_type=ServiceArea.ExtentType.NATIONAL
            )
        )
    areas += [
        ServiceArea(
            service=service,
            name=district,
            extent_type=ServiceArea.ExtentType.POSTCODE_DISTRICT,
            extent=district,
        )
        for district in postcode_districts
    ]
    areas += [
        ServiceArea(
            service=service,
            name=authority.name,
            extent_type=ServiceArea.ExtentType.LOCAL_AUTHORITY,
            extent=authority.code,
            local_authority=authority,
        )
        for authority in local_authorities
    ]
    ServiceArea.objects.bulk_create(areas)
    return service


@transaction.atomic
def service_retire(*, actor: User, service: Service) -> Service:
    """Retire a service: it stays on past referrals but cannot be chosen for new ones."""
    _check_may_manage_directory(actor)
    service = Service.objects.select_for_update().get(pk=service.pk)
    service.status = Service.Status.DEFUNCT
    service.save(update_fields=["status", "last_modified"])
    return service
