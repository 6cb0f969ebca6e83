"""The referral letter: what a service is shown about a referral, and nothing more.

A referral shares what its basis for sharing allows (the parent's consent, or a recorded
safeguarding justification) with one service. The letter is that and only that, whether it is
printed by the team or opened by the service through its secure link, so both read it from here
and nothing the service sees is put together anywhere else. What is in it, and why:

- **Reference and date**: so the service and the team can name the referral to each other;
  dated the day it became ready to send, or the day it was sent.
- **Referrer and team, with contact details**: who to call back about it. The referrer is the
  health visitor who made the referral; the team is the family's (name, area, phone, email).
- **Service and organisation, urgency**: whom it is for and how soon it needs looking at.
- **Reason and what is shared**: the health visitor's own words for the service
  (``reason``, ``information_shared``), written to be read by it.
- **Concerns linked to the referral**: their category, whether urgent (or their severity) and
  the date raised. Not a concern's note, its action taken or its closing reason: those are the
  team's working notes and were not written for the service.
- **Screening results the health visitor chose to share** (``Referral.shared_results``): the
  instrument, the date it was completed, the total and the band. Never the answers, the item
  wording or the result's summary, and no other result of the family.
- **The family's contact details**: the family name and address; each parent or carer (name,
  relationship, phone, email, preferred language, whether an interpreter is needed); each baby
  (name, date of birth or due date, NHS number if recorded). The service needs them to reach
  the family and to know whom it is caring for.
- **The basis for sharing**: consent (who gave it, how and when) or the safeguarding
  justification, so the service knows on what terms it holds the information.

Nothing else reaches it: not the family's other concerns or results, contact records, the
relationship conversation's answers or reflection, the reason to refer outside eligibility,
the team lead's review comments or any workflow note. Each part is copied field by field into
the frozen dataclasses below, so a template given a ``Letter`` cannot reach a model and what it
holds beyond them.

``referral_letter`` takes no user and checks nothing: its callers have authorised access
first. The staff page fetches the referral through ``visible_to(user)`` (another team's is a
404); the service's page reaches it only through its verified secure link. It runs a fixed
number of queries whatever the family holds, and uses what the caller fetched already.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from screening.models import Concern, ScreeningResult

from .models import Referral
from .workflow import Status


@dataclass(frozen=True)
class Referrer:
    name: str
    email: str


@dataclass(frozen=True)
class TeamContact:
    name: str
    area: str
    phone: str
    email: str


@dataclass(frozen=True)
class LetterConcern:
    category: str
    urgent: bool
    #: "Urgent" for an urgent concern, otherwise its severity ("High", "Moderate", "Low").
    level: str
    raised_on: datetime.date


@dataclass(frozen=True)
class LetterResult:
    instrument: str
    completed_on: datetime.date
    total: int | None
    band: str


@dataclass(frozen=True)
class LetterCaregiver:
    name: str
    relationship: str
    phone: str
    email: str
    preferred_language: str
    interpreter_needed: bool


@dataclass(frozen=True)
class LetterBaby:
    name: str
    born_on: datetime.date | None
    due_on: datetime.date | None
    #: Spaced as it is written (485 777 3456); blank if not recorded.
    nhs_number: str


@dataclass(frozen=True)
class LetterFamily:
    name: str
    #: The address lines that are filled in, the postcode last.
    address: tuple[str, ...]
    caregivers: tuple[LetterCaregiver, ...]
    babies: tuple[LetterBaby, ...]


@dataclass(frozen=True)
class SharingBasis:
    """Consent (who, how, when) or the safeguarding justification; neither on an early draft."""

    consent: bool
    safeguarding: bool
    consent_given_by: str
    consent_method: str
    consent_given_on: datetime.date | None
    safeguarding_justification: str


@dataclass(frozen=True)
class Letter:
    reference: str
    #: The day it became ready to send, and the day it was sent (None until then).
    ready_on: datetime.date | None
    sent_on: datetime.date | None
    service: str
    organisation: str
    urgent: bool
    urgency: str
    referrer: Referrer
    team: TeamContact
    reason: str
    information_shared: str
    concerns: tuple[LetterConcern, ...]
    results: tuple[LetterResult, ...]
    family: LetterFamily
    basis: SharingBasis


def reference(referral: Referral) -> str:
    """How the team and the service name a referral to each other: SR-000042."""
    return f"SR-{referral.pk:06d}"


#: What the letter reads besides the referral's own columns. A lookup the caller has fetched
#: already (the staff page's ``selectors.referral_for_page``) is not fetched again.
_LOOKUPS = (
    "family__team",
    "family__caregivers",
    "family__babies",
    "service__organization",
    "created_by",
    "consent_given_by",
    "events",
    Prefetch("concerns", queryset=Concern.objects.select_related("category")),
    Prefetch(
        "shared_results", queryset=ScreeningResult.objects.select_related("definition", "contact")
    ),
)


def referral_letter(referral: Referral) -> Letter:
    """The letter the service is shown for ``referral`` (access already authorised)."""
    prefetch_related_objects([referral], *_LOOKUPS)
    family, team, author = referral.family, referral.family.team, referral.created_by
    return Letter(
        reference=reference(referral),
        ready_on=_ready_on(referral),
        sent_on=timezone.localdate(referral.sent_at) if referral.sent_at else None,
        service=referral.service.name,
        organisation=referral.service.organization.name,
        urgent=referral.is_urgent,
        urgency=referral.get_urgency_display(),
        referrer=Referrer(name=author.get_full_name() or author.username, email=author.email),
        team=TeamContact(name=team.name, area=team.area, phone=team.phone, email=team.email),
        reason=referral.reason,
        information_shared=referral.information_shared,
        concerns=_concerns(referral),
        results=_results(referral),
        family=LetterFamily(
            name=family.name,
            address=_address(family),
            caregivers=tuple(
                LetterCaregiver(
                    name=caregiver.name,
                    relationship=caregiver.get_relationship_display(),
                    phone=caregiver.phone,
                    email=caregiver.email,
                    preferred_language=caregiver.preferred_language,
                    interpreter_needed=caregiver.interpreter_needed,
                )
                for caregiver in sorted(family.caregivers.all(), key=lambda c: c.pk)
                if not caregiver.is_entered_in_error
            ),
            babies=tuple(
                LetterBaby(
                    name=baby.display_name,
                    born_on=baby.date_of_birth,
                    due_on=None if baby.date_of_birth else baby.expected_date,
                    nhs_number=_spaced(baby.nhs_number or ""),
                )
                for baby in sorted(family.babies.all(), key=lambda b: b.pk)
            ),
        ),
        basis=_basis(referral),
    )


def _address(family) -> tuple[str, ...]:
    """The lines filled in, the postcode last."""
    lines = (family.address_line_1, family.address_line_2, family.town, family.postcode)
    return tuple(line for line in lines if line)


def _ready_on(referral: Referral) -> datetime.date | None:
    """The day of its latest move to "ready to send" (events prefetched)."""
    moments = [event.at for event in referral.events.all() if event.to_status == Status.READY]
    return timezone.localdate(max(moments)) if moments else None


def _concerns(referral: Referral) -> tuple[LetterConcern, ...]:
    """The linked concerns, urgent first, then the newest."""
    concerns = sorted(referral.concerns.all(), key=lambda c: (c.raised_at, c.pk), reverse=True)
    concerns.sort(key=lambda c: not c.urgent)
    return tuple(
        LetterConcern(
            category=concern.category.name,
            urgent=concern.urgent,
            level="Urgent" if concern.urgent else concern.get_severity_display(),
            raised_on=timezone.localdate(concern.raised_at),
        )
        for concern in concerns
    )


def _results(referral: Referral) -> tuple[LetterResult, ...]:
    """The results chosen to share, the newest first."""
    results = sorted(
        referral.shared_results.all(),
        key=lambda r: (r.contact.contact_date, r.recorded_at, r.pk),
        reverse=True,
    )
    return tuple(
        LetterResult(
            instrument=result.definition.name,
            completed_on=result.contact.contact_date,
            total=result.total,
            band=result.band,
        )
        for result in results
    )


def _basis(referral: Referral) -> SharingBasis:
    consent = referral.sharing_basis == Referral.SharingBasis.CONSENT
    safeguarding = referral.sharing_basis == Referral.SharingBasis.SAFEGUARDING
    giver = referral.consent_given_by if consent else None
    return SharingBasis(
        consent=consent,
        safeguarding=safeguarding,
        consent_given_by=f"{giver.name} ({giver.get_relationship_display().lower()})"
        if giver
        else "",
        consent_method=referral.get_consent_method_display() if consent else "",
        consent_given_on=referral.consent_given_on if consent else None,
        safeguarding_justification=referral.safeguarding_justification if safeguarding else "",
    )


def _spaced(nhs_number: str) -> str:
    """An NHS number in its written groups of 3, 3 and 4 digits."""
    if len(nhs_number) != 10:
        return nhs_number
    return f"{nhs_number[:3]} {nhs_number[3:6]} {nhs_number[6:]}"
