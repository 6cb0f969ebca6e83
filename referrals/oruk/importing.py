"""Importing an ORUK feed or file into the directory: a report first, then the change.

An import is a ``DirectoryImport`` row: ``directory_import_start`` makes it, checking what an
admin typed; ``directory_import_run`` reads the source, makes the report and, unless it is a dry
run or the report refuses something, saves every change in one transaction;
``directory_import_confirm`` runs a checked import for real. Tasks and the command call these.

Records are matched by their source (the feed's base URL, or ``file:`` and the file's name) and
their id there, so a second import of the same data changes nothing. What the feed does not
carry is the directory's own and is never written by an import: local notes, interventions and
their evidence, how to refer and how soon a service replies, and the concern categories, which
come from the admin's mapping of each category (``TaxonomyTerm.concern_categories``) and from
categories an admin added here. A service that has left its feed is retired, never deleted.
"""

import hashlib
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

import pghistory
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import slugify

from attachment_app import permissions
from attachment_app.accounts.models import User

from ..models import (
    DirectoryFeed,
    DirectoryImport,
    LocalAuthority,
    Location,
    Organization,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)
from .fetching import FeedError, Limits, check_feed_url, parse_json, walk_feed
from .reading import (
    Incoming,
    IncomingArea,
    IncomingLocation,
    IncomingOrganization,
    IncomingTerm,
    read_listing,
    read_service,
)
from .report import Report, ServiceLine

logger = logging.getLogger(__name__)

#: The service fields a feed sets; every other field is the directory's own.
FEED_FIELDS = (
    "name",
    "description",
    "url",
    "email",
    "phone",
    "status",
    "minimum_age_months",
    "maximum_age_months",
    "eligibility_description",
    "fees_description",
    "schedule_description",
    "assured_date",
    "assurer_email",
)
ORGANIZATION_FIELDS = ("name", "description", "email", "website")
LOCATION_FIELDS = (
    "name",
    "location_type",
    "description",
    "address_1",
    "city",
    "state_province",
    "postal_code",
    "country",
    "latitude",
    "longitude",
)
#: How each extra part of a service is named in the report's list of changed fields.
PART_NAMES = {
    "organization": "organisation",
    "terms": "categories",
    "areas": "areas served",
    "locations": "locations",
}


# --- Starting and running -------------------------------------------------------------------


def _check_may_import(actor: User | None) -> None:
    # None is the system itself: a scheduled sync or the management command.
    if actor is not None and not permissions.may_manage_directory(actor):
        raise PermissionDenied("Only admins import into the service directory.")


def directory_import_start(
    *,
    actor: User | None,
    source: str,
    upload: bytes | None = None,
    feed: DirectoryFeed | None = None,
    dry_run: bool,
) -> DirectoryImport:
    """Make an import of a feed's base URL, or of an uploaded file named ``source``."""
    _check_may_import(actor)
    if feed is not None:
        source = feed.url
    if upload is not None:
        name = source.replace("\\", "/").rsplit("/", 1)[-1].strip()[:200]
        if not name:
            raise ValidationError({"upload": "Choose a JSON file of services."})
        if len(upload) > settings.ORUK_FEED_MAX_BYTES:
            limit = settings.ORUK_FEED_MAX_BYTES // (1024 * 1024)
            raise ValidationError({"upload": f"The file must be smaller than {limit} MB."})
        key = f"file:{name}"
    else:
        try:
            key = check_feed_url(source, https_only=settings.ORUK_FEED_HTTPS_ONLY)
        except ValueError as error:
            raise ValidationError({"source": str(error)}) from None
    return DirectoryImport.objects.create(
        feed=feed, source=key, dry_run=dry_run, requested_by=actor, upload=upload
    )


def directory_import_confirm(*, actor: User, checked: DirectoryImport) -> DirectoryImport:
    """A new import, saving this time, of what a dry run checked."""
    _check_may_import(actor)
    if not (checked.dry_run and checked.outcome == DirectoryImport.Outcome.CHECKED):
        raise ValidationError("Only a check that found nothing to refuse can be imported.")
    upload = bytes(checked.upload) if checked.upload is not None else None
    return DirectoryImport.objects.create(
        feed=checked.feed,
        source=checked.source,
        dry_run=False,
        requested_by=actor,
        upload=upload,
    )


def directory_import_run(*, run: DirectoryImport) -> DirectoryImport:
    """Read the import's source, report on it, and save the changes unless told not to."""
    run = DirectoryImport.objects.get(pk=run.pk)
    if run.outcome != DirectoryImport.Outcome.RUNNING:
        return run
    report = Report(source=run.source)
    records = _read_source(run, report)
    plan = _plan(run.source, records, report) if not report.feed_problems else None
    if plan is not None and report.ok and not run.dry_run:
        try:
            _apply(plan, run)
        except _Changed as changed:
            report.feed_problems.append(str(changed))
    if report.feed_problems:
        outcome = DirectoryImport.Outcome.FAILED
        report.services = [line for line in report.services if line.action == "refused"]
    elif not report.ok:
        outcome = DirectoryImport.Outcome.REFUSED
    elif run.dry_run:
        outcome = DirectoryImport.Outcome.CHECKED
    else:
        outcome = DirectoryImport.Outcome.SAVED
    run.report = report.as_dict()
    run.outcome = outcome
    run.finished_at = timezone.now()
    fields = ["report", "outcome", "finished_at"]
    if outcome == DirectoryImport.Outcome.SAVED:
        run.upload = None
        fields.append("upload")
    run.save(update_fields=fields)
    logger.info("directory import %s: %s %s", run.pk, outcome, report.counts())
    return run


def _read_source(run: DirectoryImport, report: Report) -> list[Any]:
    if run.upload is not None:
        try:
            data = parse_json(
                bytes(run.upload), where="The file", max_bytes=settings.ORUK_FEED_MAX_BYTES
            )
            return read_listing(data).records
        except FeedError as error:
            report.feed_problems.append(str(error))
        except ValueError as error:
            report.feed_problems.append(str(error))
        return []
    walk = walk_feed(run.source, limits=Limits.from_settings())
    report.requests = walk.requests
    report.feed_problems += walk.problems
    return walk.records


# --- The plan: what would change --------------------------------------------------------------


@dataclass
class _Item:
    incoming: Incoming
    existing: Service | None
    line: ServiceLine
    areas: list[IncomingArea] = field(default_factory=list)


@dataclass
class _Plan:
    source: str
    items: list[_Item]
    retire: list[Service]
    authorities: dict[str, LocalAuthority]
    terms: dict[str, TaxonomyTerm]
    organizations: dict[str, Organization]
    locations: dict[str, Location]
    #: The newest change time of the source's services when planned, to notice a change between
    #: the plan and the save.
    mark: tuple[int, Any]


class _Changed(Exception):
    pass


def _existing_services(source: str):
    return (
        Service.objects.filter(source=source)
        .select_related("organization")
        .prefetch_related(
            Prefetch(
                "taxonomy_terms",
                queryset=TaxonomyTerm.objects.prefetch_related("concern_categories"),
            ),
            "service_areas",
            Prefetch(
                "service_at_locations",
                queryset=ServiceAtLocation.objects.select_related("location"),
            ),
        )
    )


def _mark(source: str) -> tuple[int, Any]:
    services = Service.objects.filter(source=source)
    newest = services.order_by("-last_modified").values_list("last_modified", flat=True).first()
    return services.count(), newest


def _plan(source: str, records: list[Any], report: Report) -> _Plan:
    incoming = [read_service(record) for record in records]
    seen: set[str] = set()
    for item in incoming:
        if item.source_id and item.source_id in seen:
            report.feed_problems.append(
                f"The id {item.source_id[:60]} is given to more than one service."
            )
        seen.add(item.source_id)
        if item.organization is None and item.organization_ref and not item.problems:
            item.problems.append(
                "The service names its organisation only by its id, and a file cannot be asked "
                "for it: include the organisation in the service."
            )
    existing = {service.source_id: service for service in _existing_services(source)}
    authorities = {
        la.code: la
        for la in LocalAuthority.objects.filter(
            code__in={
                a.extent for i in incoming for a in i.areas if a.extent_type == "local_authority"
            }
        )
    }
    terms = {
        t.source_id: t
        for t in TaxonomyTerm.objects.filter(source=source).prefetch_related("concern_categories")
    }
    local_terms = {
        str(t.uid): t
        # Ours, or another source's: a term of this source whose id became its uid is in ``terms``.
        for t in TaxonomyTerm.objects.filter(
            uid__in=[_uuid(t.source_id) for i in incoming for t in i.terms if _uuid(t.source_id)]
        )
        .exclude(source=source)
        .prefetch_related("concern_categories")
    }
    organizations = {o.source_id: o for o in Organization.objects.filter(source=source)}
    locations = {loc.source_id: loc for loc in Location.objects.filter(source=source)}

    items = []
    unmapped_terms: dict[str, str] = {}
    for item in incoming:
        line = ServiceLine(source_id=item.source_id, name=item.name[:200], action="unchanged")
        current = existing.get(item.source_id)
        if item.problems:
            line.action = "refused"
            line.reasons = list(item.problems)
            report.services.append(line)
            continue
        areas = []
        for area in item.areas:
            if area.extent_type == "local_authority" and area.extent not in authorities:
                item.notes.append(
                    f"The local authority code {area.extent} is not in the list of local "
                    "authorities: add it, or set where the service takes families from."
                )
                continue
            areas.append(area)
        if not areas and current is not None and current.service_areas.all():
            areas = [IncomingArea(*area) for area in _current_areas(current)]
            item.notes.append("The feed gives no area it can read: the areas already set are kept.")
        line.notes = list(item.notes)
        mapped = False
        for term in item.terms:
            known = local_terms.get(term.source_id) or terms.get(term.source_id)
            if known is not None and known.concern_categories.all():
                mapped = True
            else:
                unmapped_terms.setdefault(term.source_id, term.name)
        if current is not None:
            kept = [t for t in current.taxonomy_terms.all() if t.source != source]
            mapped = mapped or any(t.concern_categories.all() for t in kept)
        line.unmapped = not mapped
        if current is None:
            line.action = "created"
        else:
            changed = _changed_fields(item, current, areas, local_terms)
            if changed:
                line.action = "changed"
                line.fields = changed
        items.append(_Item(incoming=item, existing=current, line=line, areas=areas))
        report.services.append(line)

    retire = [
        service
        for source_id, service in existing.items()
        if source_id not in seen and service.status != Service.Status.DEFUNCT
    ]
    for service in retire:
        report.services.append(
            ServiceLine(source_id=service.source_id, name=service.name, action="retired")
        )
    report.unmapped_terms = [
        f"{name} ({source_id})"
        for source_id, name in sorted(unmapped_terms.items(), key=lambda kv: kv[1])
    ]
    return _Plan(
        source=source,
        items=items,
        retire=retire,
        authorities=authorities,
        terms={**terms, **local_terms},
        organizations=organizations,
        locations=locations,
        mark=_mark(source),
    )


def _current_areas(service: Service) -> list[tuple[str, str, str]]:
    return [(a.extent_type, a.name, a.extent) for a in service.service_areas.all()]


def _area_keys(areas: list[IncomingArea]) -> list[tuple[str, str, str]]:
    return sorted((a.extent_type, a.name, a.extent) for a in areas)


def _changed_fields(
    item: Incoming,
    service: Service,
    areas: list[IncomingArea],
    local_terms: dict[str, TaxonomyTerm],
) -> list[str]:
    changed = [name for name in FEED_FIELDS if _value(item, name) != getattr(service, name)]
    organization = _organization_of(item)
    if service.organization.source_id != organization.source_id or any(
        getattr(service.organization, name) != getattr(organization, name)
        for name in ORGANIZATION_FIELDS
    ):
        changed.append(PART_NAMES["organization"])
    # The feed's own categories must match; a category of ours the feed names must be there.
    current = service.taxonomy_terms.all()
    wanted_own = {t.source_id for t in item.terms if t.source_id not in local_terms}
    wanted_ours = {t.source_id for t in item.terms if t.source_id in local_terms}
    if {t.source_id for t in current if t.source == service.source} != wanted_own or not (
        wanted_ours <= {str(t.uid) for t in current}
    ):
        changed.append(PART_NAMES["terms"])
    if sorted(_current_areas(service)) != _area_keys(areas):
        changed.append(PART_NAMES["areas"])
    at = {sal.location.source_id: sal.location for sal in service.service_at_locations.all()}
    if set(at) != {loc.source_id for loc in item.locations} or any(
        _location_differs(loc, at[loc.source_id]) for loc in item.locations
    ):
        changed.append(PART_NAMES["locations"])
    return changed


def _value(item: Incoming, name: str) -> Any:
    return item.name if name == "name" else item.fields[name]


def _location_differs(incoming: IncomingLocation, location: Location) -> bool:
    return any(getattr(incoming, name) != getattr(location, name) for name in LOCATION_FIELDS)


def _uuid(value: str) -> str:
    """The id as a canonical UUID when it is one (ORUK ids are), else ""."""
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        return ""


def _free_uid(model, value: str) -> uuid.UUID:
    """The incoming id as our id when it is a UUID nobody here has, so a round trip keeps ids."""
    candidate = _uuid(value)
    if candidate and not model.objects.filter(uid=candidate).exists():
        return uuid.UUID(candidate)
    return uuid.uuid4()


# --- Saving -----------------------------------------------------------------------------------


def _apply(plan: _Plan, run: DirectoryImport) -> None:
    with transaction.atomic(), pghistory.context(directory_import=run.pk, source=plan.source):
        # One import of a source at a time; a change made since the plan means planning again.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"oruk:{plan.source}"])
        if _mark(plan.source) != plan.mark:
            raise _Changed("The directory changed while the import was checked: run it again.")
        now = timezone.now()
        for item in plan.items:
            if item.line.action == "unchanged":
                continue
            organization = _save_organization(plan, _organization_of(item.incoming))
            terms = [_save_term(plan, term) for term in item.incoming.terms]
            locations = [_save_location(plan, loc) for loc in item.incoming.locations]
            _save_service(plan, item, organization, terms, locations)
        for service in plan.retire:
            service.status = Service.Status.DEFUNCT
            service.save(update_fields=["status", "last_modified"])
        in_use = Service.objects.filter(source=plan.source).exclude(status=Service.Status.DEFUNCT)
        Organization.objects.filter(source=plan.source, retired_at__isnull=True).exclude(
            services__in=in_use
        ).update(retired_at=now)


def _organization_of(item: Incoming) -> IncomingOrganization:
    if item.organization is None:  # refused in the plan, so never here
        raise ValueError("A service without its organisation cannot be saved.")
    return item.organization


def _save_organization(plan: _Plan, incoming: IncomingOrganization) -> Organization:
    organization = plan.organizations.get(incoming.source_id)
    values = {name: getattr(incoming, name) for name in ORGANIZATION_FIELDS}
    if organization is None:
        organization = Organization.objects.create(
            uid=_free_uid(Organization, incoming.source_id),
            source=plan.source,
            source_id=incoming.source_id,
            **values,
        )
        plan.organizations[incoming.source_id] = organization
    elif organization.retired_at is not None or any(
        getattr(organization, k) != v for k, v in values.items()
    ):
        for name, value in values.items():
            setattr(organization, name, value)
        organization.retired_at = None
        organization.save()
    return organization


def _term_code(source: str, term: IncomingTerm) -> str:
    digest = hashlib.sha256(f"{source}\n{term.source_id}".encode()).hexdigest()[:8]
    return f"{slugify(term.name)[:48] or 'category'}-{digest}"


def _save_term(plan: _Plan, incoming: IncomingTerm) -> TaxonomyTerm:
    term = plan.terms.get(incoming.source_id)
    if term is None:
        term = TaxonomyTerm.objects.create(
            uid=_free_uid(TaxonomyTerm, incoming.source_id),
            source=plan.source,
            source_id=incoming.source_id,
            code=_term_code(plan.source, incoming),
            name=incoming.name,
            description=incoming.description,
            vocabulary=incoming.vocabulary,
        )
        plan.terms[incoming.source_id] = term
    elif term.source == plan.source and (
        term.name,
        term.description,
        term.vocabulary,
    ) != (incoming.name, incoming.description, incoming.vocabulary):
        term.name, term.description = incoming.name, incoming.description
        term.vocabulary = incoming.vocabulary
        term.save(update_fields=["name", "description", "vocabulary"])
    return term


def _save_location(plan: _Plan, incoming: IncomingLocation) -> Location:
    location = plan.locations.get(incoming.source_id)
    values = {name: getattr(incoming, name) for name in LOCATION_FIELDS}
    if location is None:
        location = Location.objects.create(
            uid=_free_uid(Location, incoming.source_id),
            source=plan.source,
            source_id=incoming.source_id,
            **values,
        )
        plan.locations[incoming.source_id] = location
    elif _location_differs(incoming, location):
        for name, value in values.items():
            setattr(location, name, value)
        location.save()
    return location


def _save_service(
    plan: _Plan,
    item: _Item,
    organization: Organization,
    terms: list[TaxonomyTerm],
    locations: list[Location],
) -> None:
    incoming = item.incoming
    values = {name: _value(incoming, name) for name in FEED_FIELDS}
    service = item.existing
    if service is None:
        # A feed does not say how professionals refer: signposting only, until an admin says.
        service = Service(
            uid=_free_uid(Service, incoming.source_id),
            source=plan.source,
            source_id=incoming.source_id,
            accepts_referrals=False,
            referral_method="",
        )
    for name, value in values.items():
        setattr(service, name, value)
    service.organization = organization
    service.save()
    kept = (
        [t for t in service.taxonomy_terms.all() if t.source != plan.source]
        if item.existing
        else []
    )
    service.taxonomy_terms.set({*kept, *terms})
    if item.existing is None or sorted(_current_areas(service)) != _area_keys(item.areas):
        service.service_areas.all().delete()
        ServiceArea.objects.bulk_create(
            ServiceArea(
                uid=_free_uid(ServiceArea, area.source_id),
                service=service,
                extent_type=area.extent_type,
                name=area.name,
                extent=area.extent if area.extent_type != "national" else "",
                local_authority=(
                    plan.authorities.get(area.extent)
                    if area.extent_type == "local_authority"
                    else None
                ),
            )
            for area in item.areas
        )
    wanted = {location.pk for location in locations}
    ServiceAtLocation.objects.filter(service=service).exclude(location__in=wanted).delete()
    have = set(
        ServiceAtLocation.objects.filter(service=service).values_list("location_id", flat=True)
    )
    ServiceAtLocation.objects.bulk_create(
        ServiceAtLocation(service=service, location_id=pk) for pk in wanted - have
    )
