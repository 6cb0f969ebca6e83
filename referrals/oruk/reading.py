"""Reading ORUK JSON: a service record of an ORUK 3.0 or v1 feed, read into plain incoming values.

Pure: no database and no network. A record is read into an ``Incoming`` service with the reasons
it must be refused, if any (a missing name, an invalid email or address, an unknown status, ages
the wrong way round …). Both versions' spellings are read: v1 feeds write ``eligibilitys`` and
``service_taxonomys`` (its reference implementation) or ``eligibilities`` and
``service_taxonomies`` (its schema), ``regular_schedules`` for opening times, and ages as
eligibility ranges; 3.0 gives ``minimum_age``/``maximum_age``, ``schedules`` and ``attributes``.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

#: The statuses of HSDS 3.0 (and v1), as the standard spells them.
STATUSES = ("active", "inactive", "defunct", "temporarily closed")

#: Our fields' lengths, so that a long value is refused with a reason, not cut short.
LIMITS = {
    "name": 200,
    "description": 4000,
    "organization name": 200,
    "organization description": 2000,
    "eligibility_description": 2000,
    "fees_description": 300,
    "schedule_description": 300,
    "phone": 30,
    "url": 200,
    "email": 254,
}

GSS_CODE = re.compile(r"^[ENSW]\d{8}$")
POSTCODE_DISTRICT = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?$")
NATIONAL_NAMES = {"national", "england", "uk", "united kingdom", "great britain"}
WEEKDAYS = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}

_email = EmailValidator()
_url = URLValidator(schemes=["http", "https"])


@dataclass
class IncomingOrganization:
    source_id: str
    name: str
    description: str = ""
    email: str = ""
    website: str = ""


@dataclass
class IncomingLocation:
    source_id: str
    name: str
    location_type: str = "physical"
    description: str = ""
    address_1: str = ""
    city: str = ""
    state_province: str = ""
    postal_code: str = ""
    country: str = "GB"
    latitude: Decimal | None = None
    longitude: Decimal | None = None


@dataclass
class IncomingTerm:
    """A category of the feed: its own id, name and the taxonomy (vocabulary) it belongs to."""

    source_id: str
    name: str
    vocabulary: str
    description: str = ""


@dataclass(frozen=True)
class IncomingArea:
    """Where the service takes families from, in our kinds: national, a district or an LA."""

    extent_type: str
    name: str
    extent: str = ""
    #: The area's id in the feed; two areas alike are the same area whatever their ids.
    source_id: str = field(default="", compare=False)


@dataclass
class Incoming:
    """A service as the feed gives it, in our fields, and what stops it being imported."""

    source_id: str
    name: str
    fields: dict[str, Any] = field(default_factory=dict)
    organization: IncomingOrganization | None = None
    #: The organisation's id when the record names it without its details.
    organization_ref: str = ""
    locations: list[IncomingLocation] = field(default_factory=list)
    terms: list[IncomingTerm] = field(default_factory=list)
    areas: list[IncomingArea] = field(default_factory=list)
    #: Reasons to refuse the record: one sentence each.
    problems: list[str] = field(default_factory=list)
    #: What the import could not use but does not refuse the record for.
    notes: list[str] = field(default_factory=list)


def text(value: Any) -> str:
    """A value as stripped text: numbers as digits, None and anything else as ""."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def record_id(record: Any) -> str:
    """A record's id as text, or "" when it has none a feed could be asked for again."""
    if not isinstance(record, dict):
        return ""
    return text(record.get("id"))[:200]


def _list(record: dict, *names: str) -> list[dict]:
    """The first of a record's lists under these names, with only its objects."""
    for name in names:
        value = record.get(name)
        if isinstance(value, list):
            return [item for item in value if isinstance(item, dict)]
    return []


def _age_months(value: Any, label: str, problems: list[str]) -> int | None:
    """An age in years (a number, maybe fractional) as whole months."""
    if value is None or value == "":
        return None
    try:
        years = Decimal(str(value))
    except InvalidOperation:
        problems.append(f"The {label} \u201c{text(value)[:40]}\u201d is not a number of years.")
        return None
    if not years.is_finite() or years < 0 or years > 130:
        problems.append(f"The {label} \u201c{text(value)[:40]}\u201d is not an age in years.")
        return None
    return int((years * 12).to_integral_value())


def _check_length(name: str, value: str, problems: list[str]) -> None:
    limit = LIMITS[name]
    if len(value) > limit:
        problems.append(f"The {name.replace('_', ' ')} is longer than {limit:,} characters.")


def _email_of(value: Any, label: str, problems: list[str]) -> str:
    email = text(value)
    if email:
        try:
            _email(email)
        except ValidationError:
            problems.append(f"The {label} \u201c{email[:80]}\u201d is not a valid email address.")
    return email


def _url_of(value: Any, label: str, problems: list[str]) -> str:
    url = text(value)
    if url:
        try:
            _url(url)
        except ValidationError:
            problems.append(f"The {label} \u201c{url[:80]}\u201d is not a valid web address.")
        if len(url) > LIMITS["url"]:
            problems.append(f"The {label} is longer than {LIMITS['url']} characters.")
    return url


def _date_of(value: Any, label: str, problems: list[str]) -> datetime.date | None:
    raw = text(value)
    if not raw:
        return None
    try:
        return datetime.date.fromisoformat(raw[:10])
    except ValueError:
        problems.append(f"The {label} \u201c{raw[:40]}\u201d is not a date.")
        return None


def read_organization(record: Any, problems: list[str]) -> IncomingOrganization | None:
    """An organisation record (3.0 or v1), or None with a reason."""
    if not isinstance(record, dict):
        problems.append("The organisation is not a record.")
        return None
    source_id = record_id(record)
    name = text(record.get("name"))
    if not source_id:
        problems.append("The organisation has no id.")
    if not name:
        problems.append("The organisation has no name.")
    description = text(record.get("description"))
    _check_length("organization name", name, problems)
    _check_length("organization description", description, problems)
    return IncomingOrganization(
        source_id=source_id,
        name=name,
        description=description,
        email=_email_of(record.get("email"), "organisation's email", problems),
        website=_url_of(
            record.get("website") or record.get("url"), "organisation's website", problems
        ),
    )


def _coordinate(value: Any, limit: int) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    if not number.is_finite() or abs(number) > limit:
        return None
    return number.quantize(Decimal("0.000001"))


def read_location(record: dict) -> IncomingLocation | None:
    """A location with its first physical address (3.0 ``addresses``, v1 ``physical_addresses``)."""
    source_id = record_id(record)
    if not source_id:
        return None
    addresses = _list(record, "addresses", "physical_addresses")
    physical = [a for a in addresses if text(a.get("address_type")) in ("", "physical")]
    address = (physical or addresses or [{}])[0]
    location_type = text(record.get("location_type"))
    return IncomingLocation(
        source_id=source_id,
        name=text(record.get("name"))[:200] or text(address.get("address_1"))[:200] or "Location",
        location_type=location_type
        if location_type in ("physical", "postal", "virtual")
        else "physical",
        description=text(record.get("description"))[:2000],
        address_1=text(address.get("address_1"))[:200],
        city=text(address.get("city"))[:120],
        state_province=text(address.get("state_province"))[:120],
        postal_code=text(address.get("postal_code")).upper()[:8],
        country=(text(address.get("country")).upper()[:2] or "GB"),
        latitude=_coordinate(record.get("latitude"), 90)
        if record.get("latitude") is not None
        else None,
        longitude=(
            _coordinate(record.get("longitude"), 180)
            if record.get("longitude") is not None
            else None
        ),
    )


def _read_term(record: Any) -> IncomingTerm | None:
    if not isinstance(record, dict):
        return None
    source_id = record_id(record)
    name = text(record.get("name"))
    if not source_id or not name:
        return None
    vocabulary = (
        text(record.get("taxonomy"))
        or text(record.get("vocabulary"))
        or text(record.get("taxonomy_id"))
        or "uncategorised"
    )
    return IncomingTerm(
        source_id=source_id,
        name=name[:120],
        vocabulary=vocabulary[:60],
        description=text(record.get("description"))[:1000],
    )


def read_terms(record: dict) -> list[IncomingTerm]:
    """The service's categories: 3.0 attributes' terms, v1 service taxonomies, or plain terms."""
    candidates = [a.get("taxonomy_term") for a in _list(record, "attributes")]
    candidates += [
        t.get("taxonomy") for t in _list(record, "service_taxonomys", "service_taxonomies")
    ]
    candidates += _list(record, "taxonomy_terms")
    terms: dict[str, IncomingTerm] = {}
    for candidate in candidates:
        term = _read_term(candidate)
        if term and term.source_id not in terms:
            terms[term.source_id] = term
    return list(terms.values())


def read_area(record: dict) -> IncomingArea | None:
    """A service area in our kinds, or None when it cannot be understood."""
    area = _area_kind(record)
    if area is None:
        return None
    return IncomingArea(area.extent_type, area.name, area.extent, source_id=record_id(record))


def _area_kind(record: dict) -> IncomingArea | None:
    name = text(record.get("name")) or text(record.get("service_area"))
    extent = text(record.get("extent"))
    extent_type = text(record.get("extent_type")).lower()
    if extent_type == "national" or (not extent and name.lower() in NATIONAL_NAMES):
        return IncomingArea("national", name[:120] or "England")
    if extent_type == "local_authority" or GSS_CODE.match(extent.upper()):
        if GSS_CODE.match(extent.upper()):
            return IncomingArea("local_authority", name[:120] or extent.upper(), extent.upper())
        return None
    district = extent.upper() or name.upper()
    if POSTCODE_DISTRICT.match(district):
        return IncomingArea("postcode_district", district, district)
    return None


def _areas(record: dict, notes: list[str]) -> list[IncomingArea]:
    areas: list[IncomingArea] = []
    for area_record in _list(record, "service_areas"):
        area = read_area(area_record)
        if area is None:
            label = text(area_record.get("name")) or text(area_record.get("service_area"))
            label = label or text(area_record.get("extent"))
            notes.append(
                f"The service area \u201c{label[:80]}\u201d is not a postcode district, a local "
                "authority's code or England: set where the service takes families from."
            )
        elif area not in areas:
            areas.append(area)
    return areas


def _time(value: Any) -> str:
    raw = text(value)
    match = re.match(r"^(\d{1,2}):(\d{2})", raw)
    if not match:
        return raw
    hour, minute = int(match[1]), int(match[2])
    suffix = "am" if hour < 12 else "pm"
    hour12 = hour % 12 or 12
    return f"{hour12}{suffix}" if minute == 0 else f"{hour12}:{minute:02d}{suffix}"


def _schedule_text(record: dict) -> str:
    """Opening times in words: the schedules' descriptions, or their days and hours."""
    parts = []
    for schedule in _list(record, "schedules", "regular_schedules"):
        description = text(schedule.get("description"))
        if description:
            parts.append(description)
            continue
        day = text(schedule.get("weekday")) or text(schedule.get("byday"))
        days = ", ".join(WEEKDAYS.get(d.strip().upper(), d.strip()) for d in day.split(",") if d)
        hours = " to ".join(
            t for t in (_time(schedule.get("opens_at")), _time(schedule.get("closes_at"))) if t
        )
        if days or hours:
            parts.append(" ".join(p for p in (days, hours) if p))
    return "; ".join(dict.fromkeys(parts))


def _fees_text(record: dict) -> str:
    fees = text(record.get("fees")) or text(record.get("fees_description"))
    if fees:
        return fees
    options = []
    for option in _list(record, "cost_options"):
        words = text(option.get("amount_description")) or text(option.get("option"))
        amount = option.get("amount")
        if not words and isinstance(amount, int | float) and not isinstance(amount, bool):
            words = "Free" if amount == 0 else f"\u00a3{amount:,.2f}"
        if words:
            options.append(words)
    return "; ".join(dict.fromkeys(options))


def _phone(record: dict) -> str:
    phones = _list(record, "phones")
    for contact in _list(record, "contacts"):
        phones += _list(contact, "phones")
    for phone in phones:
        number = text(phone.get("number"))
        if number:
            return number
    return ""


def _v1_ages(record: dict, problems: list[str]) -> tuple[int | None, int | None]:
    """v1 eligibility ranges as one range: the youngest minimum to the oldest maximum."""
    lows, highs, open_high = [], [], False
    for eligibility in _list(record, "eligibilitys", "eligibilities"):
        low = _age_months(eligibility.get("minimum_age"), "youngest age", problems)
        high = _age_months(eligibility.get("maximum_age"), "oldest age", problems)
        if low is not None:
            lows.append(low)
        if high is None:
            open_high = True
        else:
            highs.append(high)
    return (min(lows) if lows else None), (None if open_high or not highs else max(highs))


def read_service(record: Any) -> Incoming:
    """A service record of a feed, read; ``problems`` says why it must be refused, if it must."""
    if not isinstance(record, dict):
        return Incoming(source_id="", name="", problems=["The record is not a service."])
    problems: list[str] = []
    notes: list[str] = []
    source_id = record_id(record)
    name = text(record.get("name"))
    if not source_id:
        problems.append("The service has no id.")
    if not name:
        problems.append("The service has no name.")
    _check_length("name", name, problems)
    status = text(record.get("status")).lower()
    if not status:
        problems.append("The service has no status.")
    elif status not in STATUSES:
        problems.append(
            f"The status \u201c{text(record.get('status'))[:40]}\u201d is not one of "
            "active, inactive, defunct or temporarily closed."
        )
    description = text(record.get("description"))
    _check_length("description", description, problems)

    if "minimum_age" in record or "maximum_age" in record:
        low = _age_months(record.get("minimum_age"), "youngest age", problems)
        high = _age_months(record.get("maximum_age"), "oldest age", problems)
    else:
        low, high = _v1_ages(record, problems)
    if low is not None and high is not None and low > high:
        problems.append("The youngest age is older than the oldest age.")

    fields: dict[str, Any] = {
        "description": description,
        "url": _url_of(record.get("url"), "website", problems),
        "email": _email_of(record.get("email"), "email", problems),
        "phone": _phone(record),
        "status": status,
        "minimum_age_months": low,
        "maximum_age_months": high,
        "eligibility_description": text(record.get("eligibility_description")),
        "fees_description": _fees_text(record),
        "schedule_description": _schedule_text(record),
        "assured_date": _date_of(record.get("assured_date"), "date last assured", problems),
        "assurer_email": _email_of(record.get("assurer_email"), "assurer's email", problems),
    }
    for name_ in ("eligibility_description", "fees_description", "schedule_description", "phone"):
        _check_length(name_, fields[name_], problems)

    organization = None
    organization_ref = ""
    if isinstance(record.get("organization"), dict):
        organization = read_organization(record["organization"], problems)
    elif text(record.get("organization_id")):
        organization_ref = text(record.get("organization_id"))[:200]
    else:
        problems.append("The service names no organisation that runs it.")

    locations: list[IncomingLocation] = []
    for at_location in _list(record, "service_at_locations"):
        location = at_location.get("location")
        if isinstance(location, dict):
            read = read_location(location)
            if read and all(read.source_id != other.source_id for other in locations):
                locations.append(read)

    return Incoming(
        source_id=source_id,
        name=name,
        fields=fields,
        organization=organization,
        organization_ref=organization_ref,
        locations=locations,
        terms=read_terms(record),
        areas=_areas(record, notes),
        problems=problems,
        notes=notes,
    )


@dataclass
class Listing:
    """A page of a feed's ``/services`` (or a file): its records and where it sits in the feed."""

    records: list[Any]
    page_number: int = 1
    total_pages: int = 1
    last_page: bool = True


def read_listing(data: Any) -> Listing:
    """A ``/services`` page in the 3.0 or v1 envelope, a list of services, or a single service.

    Raises ``ValueError`` with a sentence when the JSON is none of these.
    """
    if isinstance(data, list):
        return Listing(records=data)
    if not isinstance(data, dict):
        raise ValueError("The JSON is not a service, a list of services or a page of services.")
    if isinstance(data.get("contents"), list):  # ORUK 3.0
        return _paged(data, data["contents"], "page_number", "total_pages", "last_page")
    if isinstance(data.get("content"), list):  # ORUK v1
        return _paged(data, data["content"], "number", "totalPages", "last")
    if "name" in data or "id" in data:
        return Listing(records=[data])
    raise ValueError("The JSON is not a service, a list of services or a page of services.")


def _number(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _paged(data: dict, records: list, number: str, total: str, last: str) -> Listing:
    page_number = _number(data.get(number), 1)
    total_pages = _number(data.get(total), page_number)
    last_page = data.get(last)
    if not isinstance(last_page, bool):
        last_page = page_number >= total_pages
    return Listing(
        records=records, page_number=page_number, total_pages=total_pages, last_page=last_page
    )
