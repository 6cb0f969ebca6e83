"""Writes for step 1. Each function is one business action, in one transaction.

Views call these after a form has checked the shape of the input; the rules that protect
families (team scope, consent, dates, NHS numbers) are enforced here, so no caller can skip them.
"""

from collections.abc import Iterable
from datetime import date
from typing import TypeVar, cast

import nhs_number
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from attachment_app import permissions
from attachment_app.accounts.models import User
from attachment_app.accounts.scoping import check_may_record
from attachment_app.errors import ConsentRequired
from attachment_app.formatting import format_date
from attachment_app.reminders.services import reminder_cancel

from . import entered_in_error, reminders
from .cleaning import nhs_number_characters, only_digits, postcode_or_none
from .models import REASON_LENGTH as ENTERED_IN_ERROR_REASON_LENGTH
from .models import (
    Baby,
    Caregiver,
    ConsentDecision,
    ConsentParticipant,
    Contact,
    ContactType,
    Conversation,
    EnteredInError,
    Family,
)
from .schedule import ANTENATAL_LEAD, next_mandated_contact

Decision = ConsentDecision.Decision
Marked = TypeVar("Marked", bound=EnteredInError)

#: Plausible dates. Health visiting follows a child to about 2½ years, so a date of birth, a
#: contact or anything else recorded about the family lies within the last 6 years; a baby is
#: expected within the next 10 months. Anything further out is a typing slip (a year of 0001 or
#: 9999), and far dates would overflow the schedule's arithmetic.
YEARS_BACK = 6
EXPECTED_MONTHS_AHEAD = 10


def earliest_plausible_date(today: date) -> date:
    """The earliest date anything about a family may be recorded for."""
    return today - relativedelta(years=YEARS_BACK)


def check_recorded_date(field: str, label: str, value: date) -> None:
    """Refuse a date in the future or more than 6 years ago, naming the field by ``label``."""
    today = timezone.localdate()
    if value > today:
        raise ValidationError({field: f"{label} must be today or in the past."})
    if value < earliest_plausible_date(today):
        raise ValidationError({field: f"{label} must be within the last {YEARS_BACK} years."})


#: Consent decisions that may follow the current one. Withdrawal ends recording for good.
CONSENT_MOVES = {
    "": {Decision.GIVEN, Decision.DECLINED, Decision.DEFERRED},
    Decision.DECLINED: {Decision.GIVEN, Decision.DECLINED, Decision.DEFERRED},
    Decision.DEFERRED: {Decision.GIVEN, Decision.DECLINED, Decision.DEFERRED},
    Decision.GIVEN: {Decision.WITHDRAWN},
    Decision.WITHDRAWN: set(),
}


def check_may_record_for(actor: User, family: Family | None = None) -> None:
    """Refuse unless ``actor`` is a clinician (of ``family``'s team, when given).

    Every service that records something about a family, in this app and the later ones, calls
    this first.
    """
    check_may_record(actor, family.team_id if family is not None else None)


def check_contact_stands(contact: Contact | None) -> None:
    """Refuse to record anything at a contact marked entered in error."""
    if contact is not None and contact.entered_in_error_at is not None:
        raise ValidationError(
            "This contact was marked as entered in error: record this at another contact."
        )


def normalise_postcode(postcode: str) -> str:
    """Upper case with one space before the inward code, e.g. ``ls1 4ap`` → ``LS1 4AP``."""
    stored = postcode_or_none(postcode)
    if stored is None:
        raise ValidationError({"postcode": "Enter a real postcode, like LS1 4AP."})
    return stored


def clean_nhs_number(value: str | None, *, actor: User, baby: Baby | None = None) -> str | None:
    """A valid, unique 10-digit NHS number without spaces, or None when none is given."""
    if value is None or not value.strip():
        return None
    digits = nhs_number_characters(value)
    if not only_digits(digits):
        raise ValidationError({"nhs_number": "NHS number must contain only numbers."})
    if len(digits) != 10:
        raise ValidationError({"nhs_number": "NHS number must be 10 digits."})
    if not nhs_number.is_valid(digits):
        raise ValidationError(
            {
                "nhs_number": "This is not a valid NHS number: the last digit (the check digit) "
                "does not match. Check it was typed correctly."
            }
        )
    same_number = Baby.objects.filter(nhs_number=digits)
    if baby is not None and baby.pk:
        same_number = same_number.exclude(pk=baby.pk)
    clash = same_number.select_related("family").first()
    if clash is not None:
        if Baby.objects.visible_to(actor).filter(pk=clash.pk).exists():
            message = (
                f"This NHS number is already recorded for a baby in the {clash.family.name} family."
            )
        else:
            message = "This NHS number is already in use for another baby."
        raise ValidationError({"nhs_number": message})
    return digits


def _check_baby_dates(date_of_birth: date | None, expected_date: date | None) -> None:
    today = timezone.localdate()
    if date_of_birth is None and expected_date is None:
        raise ValidationError(
            {"date_of_birth": "Enter the date of birth, or the expected date if not yet born."}
        )
    if date_of_birth is not None:
        check_recorded_date("date_of_birth", "Date of birth", date_of_birth)
    if expected_date is not None:
        if expected_date > today + relativedelta(months=EXPECTED_MONTHS_AHEAD):
            raise ValidationError(
                {
                    "expected_date": "Expected date must be within the next "
                    f"{EXPECTED_MONTHS_AHEAD} months."
                }
            )
        if expected_date < earliest_plausible_date(today):
            raise ValidationError(
                {"expected_date": f"Expected date must be within the last {YEARS_BACK} years."}
            )


def family_refresh_schedule(*, family: Family) -> None:
    """Recompute the family's next mandated contact from its babies and recorded contacts."""
    done_by_baby: dict[int | None, set[str]] = {}
    contacts = Contact.objects.in_record().filter(family=family)
    for baby_id, contact_type in contacts.values_list("baby_id", "contact_type"):
        done_by_baby.setdefault(baby_id, set()).add(contact_type)
    family_wide = done_by_baby.get(None, set())
    windows = []
    for baby in family.babies.all():
        window = next_mandated_contact(
            date_of_birth=baby.date_of_birth,
            expected_date=baby.expected_date,
            done=done_by_baby.get(baby.pk, set()) | family_wide,
        )
        if window is not None:
            windows.append(window)
    window = min(windows, key=lambda w: w.opens, default=None)
    family.next_contact_type = window.contact_type if window else ""
    family.next_contact_opens = window.opens if window else None
    family.next_contact_closes = window.closes if window else None
    family.save(update_fields=["next_contact_type", "next_contact_opens", "next_contact_closes"])


# --- Families ---------------------------------------------------------------------------------


@transaction.atomic
def family_create(
    *,
    actor: User,
    name: str,
    address_line_1: str,
    postcode: str,
    address_line_2: str = "",
    town: str = "",
    area: str = "",
    named_hv: User | None = None,
) -> Family:
    """Add a family to the actor's team caseload; an HV adding it becomes its named HV."""
    check_may_record_for(actor)
    if named_hv is None and permissions.named_hv_by_default(actor):
        named_hv = actor
    _check_named_hv(actor, named_hv)
    family = Family(
        name=name.strip(),
        # A clinical user (checked above) has a team: constraint user_clinical_role_has_team.
        team_id=cast(int, actor.team_id),
        named_hv=named_hv,
        address_line_1=address_line_1.strip(),
        address_line_2=address_line_2.strip(),
        town=town.strip(),
        postcode=normalise_postcode(postcode),
        area=area.strip(),
    )
    family.full_clean()
    family.save()
    return family


def _check_named_hv(actor: User, named_hv: User | None) -> None:
    if named_hv is not None and not permissions.may_be_named_hv(named_hv, actor.team_id):
        raise ValidationError({"named_hv": "Choose a health visitor from your own team."})


@transaction.atomic
def family_update(*, actor: User, family: Family, **fields) -> Family:
    """Change a family's details or its named health visitor."""
    family = Family.objects.select_for_update().get(pk=family.pk)
    check_may_record_for(actor, family)
    allowed = {"name", "address_line_1", "address_line_2", "town", "postcode", "area", "named_hv"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Cannot change {sorted(unknown)} here.")
    if "postcode" in fields:
        fields["postcode"] = normalise_postcode(fields["postcode"])
    if "named_hv" in fields:
        _check_named_hv(actor, fields["named_hv"])
    for field, value in fields.items():
        setattr(family, field, value.strip() if isinstance(value, str) else value)
    family.full_clean()
    family.save()
    return family


@transaction.atomic
def caregiver_add(*, actor: User, family: Family, **fields) -> Caregiver:
    """Add a parent or carer to a family."""
    check_may_record_for(actor, family)
    caregiver = Caregiver(family=family, **fields)
    caregiver.full_clean()
    caregiver.save()
    return caregiver


@transaction.atomic
def caregiver_update(*, actor: User, caregiver: Caregiver, **fields) -> Caregiver:
    """Change a parent's or carer's details."""
    check_may_record_for(actor, caregiver.family)
    for field, value in fields.items():
        setattr(caregiver, field, value)
    caregiver.full_clean()
    caregiver.save()
    return caregiver


@transaction.atomic
def baby_add(
    *,
    actor: User,
    family: Family,
    name: str = "",
    date_of_birth: date | None = None,
    expected_date: date | None = None,
    sex: str = Baby.Sex.NOT_KNOWN,
    nhs_number: str | None = None,
) -> Baby:
    """Add a baby (born or expected) to a family."""
    check_may_record_for(actor, family)
    _check_baby_dates(date_of_birth, expected_date)
    baby = Baby(
        family=family,
        name=name.strip(),
        date_of_birth=date_of_birth,
        expected_date=expected_date,
        sex=sex,
        nhs_number=clean_nhs_number(nhs_number, actor=actor),
    )
    baby.full_clean(validate_unique=False)
    baby.save()
    family_refresh_schedule(family=family)
    return baby


@transaction.atomic
def baby_update(*, actor: User, baby: Baby, **fields) -> Baby:
    """Change a baby's details, for example the date of birth once born."""
    baby = Baby.objects.select_for_update().get(pk=baby.pk)
    check_may_record_for(actor, baby.family)
    if "nhs_number" in fields:
        fields["nhs_number"] = clean_nhs_number(fields["nhs_number"], actor=actor, baby=baby)
    for field, value in fields.items():
        setattr(baby, field, value.strip() if isinstance(value, str) else value)
    _check_baby_dates(baby.date_of_birth, baby.expected_date)
    baby.full_clean(validate_unique=False)
    baby.save()
    family_refresh_schedule(family=baby.family)
    return baby


# --- Contacts ---------------------------------------------------------------------------------


@transaction.atomic
def contact_record(
    *,
    actor: User,
    family: Family,
    contact_date: date,
    contact_type: str,
    place: str,
    present: str = "",
    interpreter_used: bool = False,
    baby: Baby | None = None,
) -> Contact:
    """Record a visit or other contact with a family."""
    check_may_record_for(actor, family)
    check_recorded_date("contact_date", "Date of contact", contact_date)
    if baby is not None and baby.family_id != family.pk:
        raise ValidationError({"baby": "Choose a baby of this family."})
    babies = [baby] if baby is not None else list(family.babies.all())
    starts = [b.date_of_birth or b.expected_date for b in babies]
    earliest = [start - ANTENATAL_LEAD for start in starts if start is not None]
    if earliest and contact_date < min(earliest):
        raise ValidationError(
            {
                "contact_date": "Date of contact must be no earlier than 28 weeks of pregnancy "
                f"({format_date(min(earliest))})."
            }
        )
    born = baby.date_of_birth if baby is not None else None
    if contact_type == ContactType.ANTENATAL and born and contact_date >= born:
        raise ValidationError(
            {"contact_type": "An antenatal contact must be before the baby's birth."}
        )
    contact = Contact(
        family=family,
        baby=baby,
        contact_date=contact_date,
        contact_type=contact_type,
        place=place,
        present=present.strip(),
        interpreter_used=interpreter_used,
        recorded_by=actor,
    )
    contact.full_clean()
    contact.save()
    family_refresh_schedule(family=family)
    return contact


# --- The conversation -------------------------------------------------------------------------


@transaction.atomic
def conversation_start(*, actor: User, contact: Contact) -> Conversation:
    """Open the relationship conversation for a contact (or return the one already open)."""
    check_may_record_for(actor, contact.family)
    check_contact_stands(contact)
    conversation, _ = Conversation.objects.get_or_create(
        contact=contact, defaults={"family_id": contact.family_id, "started_by": actor}
    )
    return conversation


def _locked(conversation: Conversation) -> Conversation:
    return Conversation.objects.select_for_update().select_related("family").get(pk=conversation.pk)


def _taking_part(
    conversation: Conversation, caregivers: Iterable[Caregiver], caregiver: Caregiver | None
) -> list[Caregiver]:
    """The parents or carers named as taking part: one or more, each of this family."""
    named = {c.pk: c for c in [*caregivers, *([caregiver] if caregiver is not None else [])]}
    if not named:
        raise ValidationError({"caregivers": "Select who is taking part in the conversation."})
    if any(c.family_id != conversation.family_id for c in named.values()):
        raise ValidationError({"caregivers": "Choose parents or carers of this family."})
    if any(c.is_entered_in_error for c in named.values()):
        raise ValidationError(
            {"caregivers": "Choose parents or carers who were not entered in error."}
        )
    return sorted(named.values(), key=lambda c: c.pk)


@transaction.atomic
def consent_record(
    *,
    actor: User,
    conversation: Conversation,
    decision: str,
    caregivers: Iterable[Caregiver] = (),
    caregiver: Caregiver | None = None,
    note: str = "",
) -> ConsentDecision:
    """Record the decision of those taking part: consent given, declined, deferred or withdrawn.

    ``caregivers`` are everyone taking part (one or both parents, or other carers of the
    family); ``caregiver`` is the same for one. A withdrawal is recorded for those who gave
    consent, whoever is named.
    """
    conversation = _locked(conversation)
    check_may_record_for(actor, conversation.family)
    if decision not in CONSENT_MOVES.get(conversation.consent_status, set()):
        if conversation.consent_status == Decision.WITHDRAWN:
            message = "Consent was withdrawn: nothing more can be recorded in this conversation."
        elif decision == Decision.WITHDRAWN:
            message = "Consent can only be withdrawn after it was given."
        else:
            message = "Consent was already given. To stop, record that it was withdrawn."
        raise ValidationError({"decision": message})
    if decision == Decision.WITHDRAWN:
        taking_part = conversation.participants
    else:
        taking_part = _taking_part(conversation, caregivers, caregiver)
    entry = ConsentDecision.objects.create(
        conversation=conversation, decision=decision, note=note.strip(), recorded_by=actor
    )
    ConsentParticipant.objects.bulk_create(
        ConsentParticipant(decision=entry, caregiver=person) for person in taking_part
    )
    conversation.consent_status = decision
    conversation.save(update_fields=["consent_status", "updated_at"])
    if decision == Decision.GIVEN and conversation.completed_at is None:
        reminders.schedule_unfinished(conversation, entry.recorded_at)
    else:
        reminders.cancel_unfinished(conversation)
    return entry


def check_consent(conversation: Conversation) -> None:
    """Refuse (``ConsentRequired``) unless the parent's consent is given now."""
    if conversation.consent_status != Decision.GIVEN:
        raise ConsentRequired(
            "The parent's consent is needed before anything is recorded in this conversation."
        )


#: What each question needs when it is neither answered nor declined (keyed by its first field).
UNANSWERED = {
    "words": (
        "word_1",
        "Enter at least one word or phrase the parent used, or select that they chose not to "
        "answer",
    ),
    "joy": (
        "joy",
        "Enter what brings the parent the most joy, or select that they chose not to answer",
    ),
    "fear": ("fear", "Enter the parent's biggest fear, or select that they chose not to answer"),
}
#: A question cannot be both answered and declined.
ANSWERED_AND_DECLINED = (
    "You selected that the parent chose not to answer this question: remove what is typed, or "
    "unselect it"
)


def _check_answers(conversation: Conversation, *, draft: bool) -> None:
    errors = {}
    if conversation.words_declined and conversation.words:
        errors["word_1"] = ANSWERED_AND_DECLINED
    if conversation.joy_declined and conversation.joy:
        errors["joy"] = ANSWERED_AND_DECLINED
    if conversation.fear_declined and conversation.fear:
        errors["fear"] = ANSWERED_AND_DECLINED
    if not draft:
        for question in conversation.unanswered:
            field, message = UNANSWERED[question]
            errors.setdefault(field, message)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def conversation_save_answers(
    *,
    actor: User,
    conversation: Conversation,
    word_1: str,
    word_2: str,
    word_3: str,
    joy: str,
    fear: str,
    words_declined: bool = False,
    joy_declined: bool = False,
    fear_declined: bool = False,
    draft: bool = False,
) -> Conversation:
    """Save the parent's answers to the three questions, in their own words.

    Each question is answered (for the three words, at least one) or marked as one the parent
    chose not to answer. A ``draft`` ("save and come back later") may leave questions open.
    """
    conversation = _locked(conversation)
    check_may_record_for(actor, conversation.family)
    check_consent(conversation)
    # The phrases in the order the parent said them, gaps closed up.
    words = [word.strip() for word in (word_1, word_2, word_3) if word.strip()]
    words += [""] * (3 - len(words))
    conversation.word_1, conversation.word_2, conversation.word_3 = words
    conversation.joy = joy.strip()
    conversation.fear = fear.strip()
    conversation.words_declined = words_declined
    conversation.joy_declined = joy_declined
    conversation.fear_declined = fear_declined
    _check_answers(conversation, draft=draft)
    conversation.full_clean()
    conversation.save()
    return conversation


@transaction.atomic
def conversation_save_reflection(
    *, actor: User, conversation: Conversation, reflection: str, raised_concern: bool | None
) -> Conversation:
    """Save the health visitor's reflection and whether anything raised concern."""
    conversation = _locked(conversation)
    check_may_record_for(actor, conversation.family)
    check_consent(conversation)
    conversation.reflection = reflection.strip()
    conversation.raised_concern = raised_concern
    conversation.full_clean()
    conversation.save()
    return conversation


@transaction.atomic
def conversation_complete(*, actor: User, conversation: Conversation) -> Conversation:
    """Finish step 1, once every answer and the reflection are in."""
    conversation = _locked(conversation)
    check_may_record_for(actor, conversation.family)
    check_consent(conversation)
    missing = dict(UNANSWERED[question] for question in conversation.unanswered)
    if conversation.raised_concern is None:
        missing["raised_concern"] = "Select whether anything raised concern."
    if missing:
        raise ValidationError(missing)
    if conversation.completed_at is None:
        conversation.completed_at = timezone.now()
        conversation.save(update_fields=["completed_at", "updated_at"])
        reminders.cancel_unfinished(conversation)
    return conversation


# --- Entered in error -------------------------------------------------------------------------


@transaction.atomic
def record_mark_entered_in_error(*, actor: User, record: Marked, reason: str) -> Marked:
    """Mark a record of the family as entered in error: who, when and why, on the row.

    Nothing is deleted. The record leaves every list, count, figure and export (they read
    ``in_record()``), its reminders are cancelled and no new one is made for it. Refused for a
    record marked already, without a reason, or while other records still hang on it (the
    kind's blockers name what to do first).
    """
    kind = entered_in_error.kind_of(record)
    model = type(record)
    record = (
        model._default_manager.select_for_update(of=("self",))
        .select_related("family")
        .get(pk=record.pk)
    )
    family = record.family  # type: ignore[attr-defined]
    check_may_record_for(actor, family)
    if record.entered_in_error_at is not None:
        raise ValidationError(
            f"This {kind.noun} was already marked as entered in error on "
            f"{format_date(timezone.localdate(record.entered_in_error_at))}. It cannot be "
            "marked again."
        )
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": f"Enter why the {kind.noun} was entered in error"})
    if len(reason) > ENTERED_IN_ERROR_REASON_LENGTH:
        raise ValidationError(
            {"reason": f"Reason must be {ENTERED_IN_ERROR_REASON_LENGTH} characters or fewer"}
        )
    blockers = entered_in_error.blockers_for(record)
    if blockers:
        raise ValidationError(blockers)
    record.entered_in_error_at = timezone.now()
    record.entered_in_error_by = actor
    record.entered_in_error_reason = reason
    record.save(
        update_fields=["entered_in_error_at", "entered_in_error_by", "entered_in_error_reason"]
    )
    reminder_cancel(subject=record)
    for effect in kind.effects:
        effect(record)
    return record
