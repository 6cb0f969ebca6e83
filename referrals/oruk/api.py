"""The open ORUK 3.0 API under ``/api/oruk/``: the directory, read-only, for anyone (ADR 0012).

Open without signing in (``open_to_everyone``): the directory is public information and the
standard asks for an open API with ``Access-Control-Allow-Origin: *``. Only GET, HEAD and OPTIONS
are answered; any other method is a 405. Only directory records are read here, and only through
``publish`` are they written out, so nothing of a family, a referral or a user can appear.

Every answer carries a strong ETag (a hash of the body), a Last-Modified where the records shown
have a time they last changed, and a short public cache; a matching ``If-None-Match`` or
``If-Modified-Since`` gets a 304. Each endpoint runs the same number of queries whatever the page
size: lists fetch a count and a page, details prefetch what they nest.
"""

import datetime
import hashlib
import json
import math
import uuid
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, get_conditional_response
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.decorators import method_decorator
from django.utils.http import http_date
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from attachment_app.accounts.middleware import open_to_everyone
from referrals.eligibility import postcode_district, serves_district
from referrals.models import (
    Organization,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)

from . import publish
from .reading import POSTCODE_DISTRICT

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
#: How long anyone may keep a copy: the directory changes by the day, not the minute.
CACHE_SECONDS = 300
OPENAPI_FILE = Path(__file__).parent / "standard" / "openapi.json"


class ApiError(Exception):
    """A request the API cannot answer, with the status and a sentence saying why."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _not_found(what: str) -> ApiError:
    return ApiError(404, f"There is no {what} with that id.")


def _json(data: Any) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).encode()


def _cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    return response


@method_decorator([open_to_everyone, csrf_exempt], name="dispatch")
class _OrukView(View):
    """One endpoint of the API: read-only, open, JSON, cached briefly, answered conditionally.

    CSRF protection guards a signed-in person's forms; these views change nothing and never read
    the session, so a POST is simply not allowed (405) rather than refused as a forgery.
    """

    http_method_names = ["get", "head", "options"]

    def dispatch(self, request, *args, **kwargs):
        try:
            response = super().dispatch(request, *args, **kwargs)
        except ApiError as error:
            response = HttpResponse(
                _json({"status": error.status, "message": error.message}),
                status=error.status,
                content_type="application/json",
            )
            add_never_cache_headers(response)
        return _cors(response)

    def http_method_not_allowed(self, request, *args, **kwargs):
        response = HttpResponse(
            _json({"status": 405, "message": "This API is read-only: only GET is answered."}),
            status=405,
            content_type="application/json",
        )
        response["Allow"] = "GET, HEAD, OPTIONS"
        add_never_cache_headers(response)
        return response

    def options(self, request, *args, **kwargs):
        response = super().options(request, *args, **kwargs)
        response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
        response["Access-Control-Max-Age"] = str(CACHE_SECONDS)
        return response

    def get(self, request, *args, **kwargs):
        data, last_modified = self.answer(request, **kwargs)
        return _answered(request, _json(data), last_modified)

    def answer(self, request, **kwargs) -> tuple[Any, datetime.datetime | None]:
        """The body, and when what it shows last changed (``None`` if unknown)."""
        raise NotImplementedError


def _answered(
    request, body: bytes, last_modified: datetime.datetime | None, content_type="application/json"
) -> HttpResponse:
    etag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
    response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    timestamp = int(last_modified.timestamp()) if last_modified else None
    if timestamp is not None:
        response["Last-Modified"] = http_date(timestamp)
    # A 304 when the caller already holds this very body (or one no older than it).
    return get_conditional_response(request, etag=etag, last_modified=timestamp, response=response)


def _latest(*times: datetime.datetime | None) -> datetime.datetime | None:
    known = [time for time in times if time is not None]
    return max(known) if known else None


def _uid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


# --- Query parameters -------------------------------------------------------------------------


def _whole_number(request, name: str, default: int) -> int:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ApiError(400, f"{name} must be a whole number of 1 or more.")
    return int(raw)


def _paging(request) -> tuple[int, int]:
    page = _whole_number(request, "page", 1)
    per_page = min(_whole_number(request, "per_page", DEFAULT_PER_PAGE), MAX_PER_PAGE)
    return page, per_page


def _age_in_months(request, name: str) -> Decimal | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        years = Decimal(raw)
    except InvalidOperation:
        years = Decimal("NaN")
    if not years.is_finite() or years < 0 or years > 130:
        raise ApiError(400, f"{name} must be an age in years, such as 2 or 0.5.")
    return years * 12


def _modified_after(request) -> datetime.datetime | None:
    raw = request.GET.get("modified_after", "").strip()
    if not raw:
        return None
    try:
        moment = parse_datetime(raw)
        if moment is None:
            day = parse_date(raw)
            moment = datetime.datetime.combine(day, datetime.time()) if day else None
    except ValueError:
        moment = None
    if moment is None:
        raise ApiError(400, "modified_after must be a date and time, such as 2025-01-31T09:00:00Z.")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _service_filter(request) -> Q:
    """The services the query asks for: text, category, taxonomy, change time, ages, postcode."""
    found = Q()
    words = (request.GET.get("text") or request.GET.get("search") or "").strip()
    if words:
        found &= Q(name__icontains=words) | Q(description__icontains=words)
    term_id = request.GET.get("taxonomy_term_id", "").strip()
    if term_id:
        term_uid = _uid(term_id)
        if term_uid is None:
            raise ApiError(400, "taxonomy_term_id must be the id of a taxonomy term.")
        found &= Q(taxonomy_terms__uid=term_uid)
    taxonomy = request.GET.get("taxonomy_id", "").strip()
    if taxonomy:
        if _uid(taxonomy) is None:
            raise ApiError(400, "taxonomy_id must be the id of a taxonomy.")
        vocabularies = [v for v in _vocabularies() if publish.taxonomy_id(v) == str(_uid(taxonomy))]
        found &= Q(
            Exists(
                Service.taxonomy_terms.through.objects.filter(
                    service=OuterRef("pk"), taxonomyterm__vocabulary__in=vocabularies
                )
            )
        )
    since = _modified_after(request)
    if since is not None:
        found &= Q(last_modified__gte=since)
    youngest = _age_in_months(request, "minimum_age")
    oldest = _age_in_months(request, "maximum_age")
    if youngest is not None and oldest is not None and youngest > oldest:
        raise ApiError(400, "minimum_age must not be more than maximum_age.")
    # A service matches when its age range overlaps the one asked for.
    if youngest is not None:
        found &= Q(maximum_age_months__isnull=True) | Q(maximum_age_months__gte=youngest)
    if oldest is not None:
        found &= Q(minimum_age_months__isnull=True) | Q(minimum_age_months__lte=oldest)
    postcode = request.GET.get("postcode", "").strip()
    if postcode:
        district = postcode_district(postcode)
        if not POSTCODE_DISTRICT.match(district):
            raise ApiError(400, "postcode must be a UK postcode or its district, such as LS6 2AB.")
        found &= Q(serves_district(district))
    return found


# --- Paging -----------------------------------------------------------------------------------


def _page(request, rows: QuerySet, item) -> tuple[dict[str, Any], list]:
    """A page of ``rows`` in the ORUK ``Page`` envelope, each written out by ``item``."""
    page, per_page = _paging(request)
    total = rows.count()
    shown = list(rows[(page - 1) * per_page : page * per_page]) if total else []
    total_pages = max(1, math.ceil(total / per_page))
    envelope = {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(shown),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not shown,
        "contents": [item(row) for row in shown],
    }
    return envelope, shown


# --- Fetching ---------------------------------------------------------------------------------


def _listed_services() -> QuerySet:
    return Service.objects.select_related("organization").order_by("name", "pk")


def _full_services(prefix: str = "") -> list:
    """What a whole service nests, prefetched (under ``prefix`` when the service is nested)."""
    return [
        Prefetch(
            f"{prefix}service_at_locations",
            queryset=ServiceAtLocation.objects.select_related("location").order_by(
                "location__name", "pk"
            ),
        ),
        Prefetch(
            f"{prefix}service_areas",
            queryset=ServiceArea.objects.select_related("local_authority").order_by(
                "extent_type", "name", "pk"
            ),
        ),
        Prefetch(f"{prefix}taxonomy_terms", queryset=TaxonomyTerm.objects.order_by("name", "pk")),
    ]


def _one(rows: QuerySet, uid: str, what: str):
    parsed = _uid(uid)
    found = rows.filter(uid=parsed).first() if parsed else None
    if found is None:
        raise _not_found(what)
    return found


def _vocabularies() -> list[str]:
    return list(
        TaxonomyTerm.objects.order_by("vocabulary").values_list("vocabulary", flat=True).distinct()
    )


def _service_times(services) -> datetime.datetime | None:
    return _latest(
        *(s.last_modified for s in services), *(s.organization.last_modified for s in services)
    )


# --- The endpoints ----------------------------------------------------------------------------


class ShowApiView(_OrukView):
    """``/``: which version of the standard this is and where its OpenAPI document is."""

    def answer(self, request, **kwargs):
        return {
            "version": publish.VERSION,
            "profile": publish.PROFILE_URL,
            "openapi_url": request.build_absolute_uri(reverse("oruk_openapi")),
        }, None


class ShowOpenApiView(_OrukView):
    """``/openapi.json``: the standard's OpenAPI document, as published (see its README)."""

    def get(self, request, *args, **kwargs):
        return _answered(request, _openapi_document(), None)


@cache
def _openapi_document() -> bytes:
    return OPENAPI_FILE.read_bytes()


class ListServicesView(_OrukView):
    """``/services``: a page of services, their own fields and organisation, filtered."""

    def answer(self, request, **kwargs):
        rows = _listed_services().filter(_service_filter(request))
        envelope, shown = _page(request, rows, publish.service_item)
        return envelope, _service_times(shown)


class ShowServiceView(_OrukView):
    """``/services/{id}``: the whole service."""

    def answer(self, request, uid, **kwargs):
        service = _one(_listed_services().prefetch_related(*_full_services()), uid, "service")
        return publish.service_full(service), _service_times([service])


class ListOrganizationsView(_OrukView):
    """``/organizations``: a page of organisations, their own fields."""

    def answer(self, request, **kwargs):
        envelope, shown = _page(
            request, Organization.objects.order_by("name", "pk"), publish.organization_item
        )
        return envelope, _latest(*(o.last_modified for o in shown))


class ShowOrganizationView(_OrukView):
    """``/organizations/{id}``: an organisation with its services' own fields."""

    def answer(self, request, uid, **kwargs):
        organization = _one(
            Organization.objects.prefetch_related(
                Prefetch("services", queryset=Service.objects.order_by("name", "pk"))
            ),
            uid,
            "organisation",
        )
        services = list(organization.services.all())
        return (
            publish.organization_full(organization, services),
            _latest(organization.last_modified, *(s.last_modified for s in services)),
        )


def _listed_at_locations() -> QuerySet:
    return ServiceAtLocation.objects.select_related("service__organization", "location").order_by(
        "service__name", "location__name", "pk"
    )


class ListServiceAtLocationsView(_OrukView):
    """``/service_at_locations``: a page of services at locations, with the same filters as
    ``/services``."""

    def answer(self, request, **kwargs):
        services = Service.objects.filter(_service_filter(request))
        rows = _listed_at_locations().filter(service__in=services)
        envelope, shown = _page(request, rows, publish.service_at_location_listed)
        return envelope, _service_times([row.service for row in shown])


class ShowServiceAtLocationView(_OrukView):
    """``/service_at_locations/{id}``: a service at a location, with the whole service."""

    def answer(self, request, uid, **kwargs):
        at_location = _one(
            _listed_at_locations().prefetch_related(*_full_services("service__")),
            uid,
            "service at a location",
        )
        return (
            publish.service_at_location_full(at_location),
            _service_times([at_location.service]),
        )


class ListTaxonomiesView(_OrukView):
    """``/taxonomies``: the vocabularies the directory's categories come from."""

    def answer(self, request, **kwargs):
        page, per_page = _paging(request)
        vocabularies = _vocabularies()
        shown = vocabularies[(page - 1) * per_page : page * per_page]
        total_pages = max(1, math.ceil(len(vocabularies) / per_page))
        return {
            "total_items": len(vocabularies),
            "total_pages": total_pages,
            "page_number": page,
            "size": len(shown),
            "first_page": page == 1,
            "last_page": page >= total_pages,
            "empty": not shown,
            "contents": [publish.taxonomy_full(vocabulary) for vocabulary in shown],
        }, None


class ShowTaxonomyView(_OrukView):
    """``/taxonomies/{id}``: a vocabulary with its terms."""

    def answer(self, request, uid, **kwargs):
        wanted = _uid(uid)
        matching = [v for v in _vocabularies() if wanted and publish.taxonomy_id(v) == str(wanted)]
        if not matching:
            raise _not_found("taxonomy")
        (vocabulary,) = matching
        terms = list(TaxonomyTerm.objects.filter(vocabulary=vocabulary).order_by("name", "pk"))
        return publish.taxonomy_full(vocabulary, terms), None


class ListTaxonomyTermsView(_OrukView):
    """``/taxonomy_terms``: a page of the directory's categories of service."""

    def answer(self, request, **kwargs):
        rows = TaxonomyTerm.objects.order_by("vocabulary", "name", "pk")
        envelope, _ = _page(request, rows, publish.taxonomy_term_full)
        return envelope, None


class ShowTaxonomyTermView(_OrukView):
    """``/taxonomy_terms/{id}``: one category of service."""

    def answer(self, request, uid, **kwargs):
        term = _one(TaxonomyTerm.objects.all(), uid, "taxonomy term")
        return publish.taxonomy_term_full(term), None
