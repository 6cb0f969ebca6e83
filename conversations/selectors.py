"""Reads for step 1: the caseload and the family page.

Each selector starts from ``visible_to(user)``, so nothing here can reach another team's
records, and fetches what its page shows in a fixed number of queries however many rows there
are (``select_related`` / ``prefetch_related``), so a long caseload or a long history stays fast.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import cast

from dateutil.relativedelta import relativedelta
from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Upper
from django.shortcuts import get_object_or_404

from attachment_app.formatting import format_count, format_date

from .cleaning import nhs_number_or_none, postcode_or_none
from .entered_in_error import MarkedEntry, entries
from .models import Baby, Caregiver, Contact, ContactType, Conversation, Family
from .schedule import ContactWindow

#: How each conversation state reads, and the NHS.UK tag colour that goes with it.
CONVERSATION_STATES = {
    "awaiting_consent": ("Awaiting consent", "nhsuk-tag--grey"),
    "given": ("In progress", "nhsuk-tag--blue"),
    "declined": ("Declined", "nhsuk-tag--white"),
    "deferred": ("Deferred", "nhsuk-tag--yellow"),
    "withdrawn": ("Consent withdrawn", "nhsuk-tag--orange"),
    "completed": ("Completed", "nhsuk-tag--green"),
}

#: How the next mandated contact's status reads, and its tag colour.
CONTACT_STATUSES = {
    "upcoming": ("Upcoming", "nhsuk-tag--grey"),
    "due": ("Due", "nhsuk-tag--blue"),
    "overdue": ("Overdue", "nhsuk-tag--red"),
}

MINE = "mine"
TEAM = "team"


# --- Search -----------------------------------------------------------------------------------


def _name_matches(term: str) -> Q:
    """Names like the term: similar (trigram) or containing it, both on ``UPPER(name)``.

    Both lookups compare ``UPPER(name)`` with an upper-cased term so that PostgreSQL can use
    the ``gin_trgm_ops`` index on ``UPPER(name)`` (``%`` and ``LIKE`` are both served by it).
    """
    upper = term.upper()
    return Q(upper_name__trigram_similar=upper) | Q(upper_name__contains=upper)


def caseload_search(families: QuerySet, term: str) -> QuerySet:
    """Families whose name, baby's name, baby's NHS number or postcode match the search term."""
    term = " ".join(term.split())
    if not term:
        return families
    matches = _name_matches(term)
    babies = Baby.objects.annotate(upper_name=Upper("name")).filter(family=OuterRef("pk"))
    baby_matches = _name_matches(term)
    digits = nhs_number_or_none(term)
    if digits:
        baby_matches |= Q(nhs_number=digits)
    matches |= Q(Exists(babies.filter(baby_matches)))
    postcode = postcode_or_none(term)
    if postcode:
        matches |= Q(postcode=postcode)
    return families.annotate(upper_name=Upper("name")).filter(matches)


# --- Caseload ---------------------------------------------------------------------------------


def caseload_families(
    *, user, term: str = "", families: str = TEAM, due_only: bool = False, today: date
) -> QuerySet:
    """The user's team caseload, their own named families first, ready for the caseload page."""
    queryset = Family.objects.visible_to(user)
    if families == MINE:
        queryset = queryset.filter(named_hv=user)
    if due_only:
        queryset = queryset.filter(next_contact_opens__lte=today)
    queryset = caseload_search(queryset, term)
    unfinished = (
        Conversation.objects.unfinished()
        .select_related("contact")
        .order_by("contact__contact_date", "pk")
    )
    return (
        queryset.select_related("named_hv")
        .prefetch_related(
            Prefetch("babies", queryset=Baby.objects.order_by("pk")),
            Prefetch("conversations", queryset=unfinished, to_attr="unfinished_conversations"),
        )
        .annotate(
            is_mine=Case(
                When(named_hv=user.pk, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("is_mine", "name", "pk")
    )


@dataclass(frozen=True)
class NextContact:
    """The family's next mandated contact and whether it is due, as the caseload shows it."""

    label: str
    opens: date
    closes: date
    status: str

    @property
    def status_label(self) -> str:
        return CONTACT_STATUSES[self.status][0]

    @property
    def tag_class(self) -> str:
        return CONTACT_STATUSES[self.status][1]


def next_contact(family: Family, today: date) -> NextContact | None:
    """The family's stored next mandated contact, with its status on ``today``."""
    if (
        not family.next_contact_type
        or family.next_contact_opens is None
        or family.next_contact_closes is None
    ):
        return None
    window = ContactWindow(
        family.next_contact_type, family.next_contact_opens, family.next_contact_closes
    )
    return NextContact(
        label=contact_type_label(family.next_contact_type),
        opens=window.opens,
        closes=window.closes,
        status=window.status(today),
    )


def contact_type_label(value: str) -> str:
    try:
        return ContactType(value).label
    except ValueError:
        return value


def baby_age(baby: Baby, today: date) -> str:
    """The baby's age in the units a health visitor uses, or when the baby is due."""
    if baby.date_of_birth is None:
        # A baby not yet born has an expected date (constraint baby_has_birth_or_expected_date).
        expected = cast(date, baby.expected_date)
        verb = "Due" if expected >= today else "Was due"
        return f"{verb} {format_date(expected)}"
    days = (today - baby.date_of_birth).days
    age = relativedelta(today, baby.date_of_birth)
    if days < 28:
        return format_count(days, "day")
    if days < 13 * 7:
        return format_count(days // 7, "week")
    if age.years < 2:
        return format_count(age.years * 12 + age.months, "month")
    if age.months == 0:
        return format_count(age.years, "year")
    return f"{format_count(age.years, 'year')}, {format_count(age.months, 'month')}"


# --- Family page ------------------------------------------------------------------------------


def family_for_page(*, user, family_id: int) -> Family:
    """One visible family with everything its page shows (404 if not visible to the user)."""
    return get_object_or_404(
        Family.objects.visible_to(user)
        .select_related("named_hv")
        .prefetch_related(
            # Every caregiver and contact, those entered in error too: the page shows them in
            # their own section, from the same two queries.
            Prefetch(
                "caregivers", queryset=Caregiver.objects.select_related("entered_in_error_by")
            ),
            Prefetch("babies", queryset=Baby.objects.order_by("pk")),
            Prefetch("contacts", queryset=family_contacts()),
        ),
        pk=family_id,
    )


def family_contacts():
    """A family's contacts, newest first, each with its baby, recorder and conversation."""
    return Contact.objects.select_related(
        "baby", "recorded_by", "conversation", "entered_in_error_by"
    ).order_by("-contact_date", "-pk")


def contacts_in_record(family: Family) -> list[Contact]:
    """The family's contacts that stand, from those :func:`family_for_page` prefetched."""
    return [contact for contact in family.contacts.all() if not contact.is_entered_in_error]


def caregivers_in_record(family: Family) -> list[Caregiver]:
    """The family's parents and carers that stand, from those prefetched."""
    return [person for person in family.caregivers.all() if not person.is_entered_in_error]


def step_one_entered_in_error(family: Family) -> list[MarkedEntry]:
    """The family's contacts and parents or carers marked entered in error (no query)."""
    contacts = [contact for contact in family.contacts.all() if contact.is_entered_in_error]
    people = [person for person in family.caregivers.all() if person.is_entered_in_error]
    return entries("Parent or carer", people) + entries("Contact", contacts)


def conversation_of(contact):
    """The contact's conversation, or None (without a query once ``family_contacts`` ran)."""
    try:
        return contact.conversation
    except Conversation.DoesNotExist:
        return None


def words_over_time(family: Family) -> list[Conversation]:
    """In-progress and completed conversations, oldest contact first: the three words over time.

    Reads the contacts already prefetched by :func:`family_for_page`.
    """
    conversations = [
        conversation
        for contact in contacts_in_record(family)
        if (conversation := conversation_of(contact)) is not None
        and conversation.state in {"given", "completed"}
    ]
    return sorted(conversations, key=lambda c: (c.contact.contact_date, c.contact.pk))


# --- What later steps add to the family and home pages ----------------------------------------
# Dependencies run one way (conversations ← screening ← referrals), so this app never imports a
# later one: each registers a reader from its AppConfig.ready(), and the page merges what the
# readers return into its context. A reader takes keyword arguments, reads through
# ``visible_to(user)`` and runs a fixed number of queries.

_family_page_readers: list[Callable[..., dict]] = []
_home_page_readers: list[Callable[..., dict]] = []
_caseload_readers: list[Callable[..., dict]] = []


def register_family_page_reader(reader: Callable[..., dict]) -> None:
    """Add ``reader(user=, family=)``'s context to every family page."""
    if reader not in _family_page_readers:
        _family_page_readers.append(reader)


def register_home_page_reader(reader: Callable[..., dict]) -> None:
    """Add ``reader(user=)``'s context to a clinical user's home page (the caseload)."""
    if reader not in _home_page_readers:
        _home_page_readers.append(reader)


def register_caseload_reader(reader: Callable[..., dict]) -> None:
    """Add ``reader(user=, families=, today=)``'s notes (by family id) to the caseload rows."""
    if reader not in _caseload_readers:
        _caseload_readers.append(reader)


def caseload_row_notes(*, user, families: list[Family], today: date) -> dict[int, list]:
    """What later steps note against each family on a caseload page, by family id."""
    notes: dict[int, list] = {}
    for reader in _caseload_readers:
        for family_id, items in reader(user=user, families=families, today=today).items():
            notes.setdefault(family_id, []).extend(items)
    return notes


def family_page_extras(*, user, family: Family) -> dict:
    """What later steps show on the family page. Their records entered in error (a reader's
    ``entered_in_error`` list) are gathered into one list for the page's own section."""
    extras: dict = {}
    marked: list[MarkedEntry] = []
    for reader in _family_page_readers:
        found = reader(user=user, family=family)
        marked.extend(found.pop("entered_in_error", []))
        extras.update(found)
    extras["entered_in_error"] = marked
    return extras


def home_page_extras(*, user) -> dict:
    """What later steps show at the top of a clinical user's home page."""
    extras: dict = {}
    for reader in _home_page_readers:
        extras.update(reader(user=user))
    return extras
