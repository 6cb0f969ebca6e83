"""Which requests showed a family's data, worked out in one place for every page.

``AccessLogMiddleware`` writes one access-log row for each signed-in request answered with a
page (status 200) that showed a family's data:

- a page whose URL names a family's record (``family_id``, ``contact_id``, ``referral_id`` …)
  is logged by the middleware alone, from the URL: a new page under such a URL is logged without
  a line of its own. Each app registers the URL parameters that name its records
  (``register_path_record`` in ``AppConfig.ready()``), so this app imports none of them.
  A page that takes a POST is a form (``edit``); other pages are ``view``; a view class may say
  otherwise with ``access_kind`` (an export, for example).
- a page that lists families without naming one (the caseload and its search, the review queue,
  the dashboard, its exports) says which families it listed with ``note_listed``; the
  middleware writes the row. A search is logged as a search, with the families it listed and
  never the term.

- a page for someone outside the staff, who is not signed in (a service opening a referral
  through its secure link), says who they are and what they were shown with
  ``note_outside_access``; the middleware writes that row whatever the response, since trying
  a code on a link is worth a row too.

A page that cannot be logged is not shown: a failed write turns the response into an error.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models

from .models import AccessLog
from .services import access_record

Kind = AccessLog.Action


@dataclass(frozen=True)
class PathRecord:
    """A URL parameter that names a record holding a family's data."""

    kwarg: str
    model: type[models.Model]
    #: The lookup from the record to its family's id: ``pk`` for a family itself.
    family_field: str
    label: str

    @property
    def object_type(self) -> str:
        return self.model._meta.label_lower

    def family_id(self, pk) -> int | None:
        if self.family_field == "pk":
            return int(pk)
        return (
            self.model._base_manager.filter(pk=pk).values_list(self.family_field, flat=True).first()
        )


_PATH_RECORDS: dict[str, PathRecord] = {}
#: Labels of the records lists are logged against (the team whose families were listed).
_LABELS: dict[str, str] = {"accounts.team": "Team's families"}


def register_path_record(
    *, kwarg: str, model: type[models.Model], label: str, family_field: str = "family_id"
) -> None:
    """Declare that URL parameter ``kwarg`` names a ``model`` row holding a family's data."""
    record = PathRecord(kwarg=kwarg, model=model, family_field=family_field, label=label)
    _PATH_RECORDS[kwarg] = record
    _LABELS[record.object_type] = label


def path_records() -> dict[str, PathRecord]:
    """The registered URL parameters and the records they name."""
    return dict(_PATH_RECORDS)


def record_label(object_type: str) -> str:
    """What a logged record is, in words, for the access report."""
    return _LABELS.get(object_type, object_type)


@dataclass
class Listing:
    """What a list page showed: which families, and as what kind of access."""

    kind: str
    families: set[int] = field(default_factory=set)
    record: models.Model | None = None
    detail: str = ""


def note_listed(
    request, *, families: Iterable, kind: str = Kind.LIST, record=None, detail: str = ""
) -> None:
    """Say which families (rows or ids) this response lists; the middleware logs them.

    ``record`` is what the list belongs to (by default the user's team); ``detail`` says what
    was listed, in words without personal data (by default the page's URL name). Called again
    in the same request, it adds to the listing.
    """
    ids = {getattr(family, "pk", family) for family in families}
    listing = getattr(request, "access_listing", None)
    if listing is None:
        request.access_listing = Listing(kind=kind, families=ids, record=record, detail=detail)
    else:
        listing.families |= ids


@dataclass
class OutsideAccess:
    """What a page showed someone outside the staff: who (no name), which record, which
    families, and what happened in words without personal data."""

    party: str
    record: models.Model
    families: set[int]
    kind: str
    detail: str


def note_outside_access(
    request,
    *,
    party: str,
    record: models.Model,
    families: Iterable[int],
    kind: str = Kind.VIEW,
    detail: str = "",
) -> None:
    """Say that this response showed ``record`` to ``party`` (``"service-link:42"``)."""
    request.outside_access = OutsideAccess(
        party=party, record=record, families=set(families), kind=kind, detail=detail
    )


def _kind_for_page(request, view_class) -> str:
    declared = getattr(view_class, "access_kind", None)
    if request.method == "POST":
        return Kind.EDIT
    if declared:
        return declared
    return Kind.EDIT if hasattr(view_class, "post") else Kind.VIEW


def record_access(request, response) -> AccessLog | None:
    """Write the access row this response calls for, if it showed a family's data."""
    outside: OutsideAccess | None = getattr(request, "outside_access", None)
    if outside is not None:
        return access_record(
            actor=None,
            outside_party=outside.party,
            obj=outside.record,
            action=outside.kind,
            family_ids=outside.families,
            detail=outside.detail,
        )
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    if response.status_code != 200 or match is None or not getattr(user, "is_authenticated", False):
        return None
    view_class = getattr(match.func, "view_class", None)
    page = match.url_name or ""
    listing: Listing | None = getattr(request, "access_listing", None)
    if listing is not None:
        record = listing.record if listing.record is not None else user.team
        return access_record(
            actor=user,
            obj=record,
            action=listing.kind,
            family_ids=listing.families,
            detail=listing.detail or page,
        )
    for kwarg, value in match.kwargs.items():
        path_record = _PATH_RECORDS.get(kwarg)
        if path_record is None:
            continue
        family_id = path_record.family_id(value)
        return access_record(
            actor=user,
            object_type=path_record.object_type,
            object_id=str(value),
            action=_kind_for_page(request, view_class),
            family_ids=[] if family_id is None else [family_id],
            detail=page,
        )
    return None


class AccessLogMiddleware:
    """Logs every response that showed a family's data (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        record_access(request, response)
        return response


def families_named_in(*values) -> set[int]:
    """The ``family_id`` of every record in these values (rows, lists of rows, dicts of them,
    or lists held in an ``items`` attribute), for pages that list records of many families."""
    found: set[int] = set()
    stack = list(values)
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list | tuple | set):
            stack.extend(value)
        elif isinstance(value, models.Model):
            family_id = getattr(value, "family_id", None)
            if family_id is not None:
                found.add(family_id)
        elif isinstance(getattr(value, "items", None), list):
            stack.extend(value.items)
    return found
