"""Writes for step 2. Each function is one business action, in one transaction.

The rules that keep families safe are enforced here: team scope, the parent's agreement to each
questionnaire, results that are never edited, and exactly one urgent concern for each safety rule
a result triggers.

What consent gates (the product brief, step 1): consent to the relationship conversation gates
the parent's answers and the reflection (``conversations.services``) and nothing here. A
questionnaire or an observational assessment is its own activity, recorded with the parent's
agreement to it. A concern is the practitioner's professional judgement and duty: it can always
be recorded, at a contact or straight from the family, with or without any consent.
"""

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from attachment_app import permissions
from attachment_app.accounts.models import User
from conversations.models import Contact, Family
from conversations.services import (
    check_contact_stands,
    check_may_record_for,
    earliest_plausible_date,
)

from . import engine, reminders
from .models import (
    Concern,
    ConcernCategory,
    InstrumentDefinition,
    LocalItemText,
    LocalOptionText,
    Observation,
    ScreeningResult,
)

# A read, kept importable from here for the callers that reach it through the services.
from .selectors_instruments import current_definition as current_definition
from .selectors_instruments import safety_rule_message

#: Refused for a concern marked entered in error: it is no longer acted on.
ENTERED_IN_ERROR = "This concern was marked as entered in error, so it is not acted on."


def _agreement_problem(parent_agreed: bool, loaded: engine.Definition) -> dict[str, str]:
    """A result is recorded only with the parent's agreement to that questionnaire or assessment."""
    if parent_agreed is True:
        return {}
    what = "this assessment" if loaded.kind == "result_only" else "complete this questionnaire"
    return {"parent_agreed": f"Confirm that the parent agreed to {what}"}


# --- Definitions ------------------------------------------------------------------------------


@transaction.atomic
def instrument_definition_add(*, data: Mapping, actor: User | None = None) -> InstrumentDefinition:
    """Validate a definition and store it as a new version; an existing version never changes."""
    try:
        definition = engine.load_definition(data)
    except engine.DefinitionError as error:
        raise ValidationError({"definition": error.problems}) from error
    if InstrumentDefinition.objects.filter(
        code=definition.code, version=definition.version
    ).exists():
        raise ValidationError(
            {
                "definition": f"{definition.name} version {definition.version} is already "
                "loaded. Give a changed definition a new version number."
            }
        )
    return InstrumentDefinition.objects.create(
        code=definition.code,
        version=definition.version,
        name=definition.name,
        kind=definition.kind,
        definition=dict(data),
        created_by=actor,
    )


def instrument_definitions_load_shipped() -> int:
    """Load the definitions shipped in the repository that are not loaded yet; return how many."""
    added = 0
    for definition in engine.load_shipped_definitions():
        with transaction.atomic():
            _, created = InstrumentDefinition.objects.get_or_create(
                code=definition.code,
                version=definition.version,
                defaults={
                    "name": definition.name,
                    "kind": definition.kind,
                    "definition": dict(definition.data),
                },
            )
        added += created
    return added


# --- Results ----------------------------------------------------------------------------------


@transaction.atomic
def screening_result_record(
    *,
    actor: User,
    contact: Contact,
    definition: InstrumentDefinition,
    answers: Mapping[str, str | None],
    parent_agreed: bool,
    supersedes: ScreeningResult | None = None,
    correction_reason: str = "",
) -> ScreeningResult:
    """Score and store a completed instrument, raising an urgent concern for each safety rule.

    ``parent_agreed``: the parent agreed to complete this questionnaire. It is asked for each
    result, whatever was decided about the relationship conversation.
    """
    check_may_record_for(actor, contact.family)
    check_contact_stands(contact)
    if definition.retired_at is not None:
        raise ValidationError({"definition": "This instrument version has been retired."})
    loaded = definition.parsed
    # Every problem at once: the agreement and each missing answer, in one error summary.
    problems = _agreement_problem(parent_agreed, loaded)
    try:
        scored = engine.score(loaded, answers)
    except engine.AnswerError as error:
        problems.update(error.problems)
    if problems:
        raise ValidationError(problems)
    if supersedes is not None:
        supersedes = _check_supersedable(supersedes, contact, correction_reason)
    result = ScreeningResult.objects.create(
        family_id=contact.family_id,
        contact=contact,
        definition=definition,
        answers=dict(answers),
        total=scored.total,
        scale_totals=scored.scale_totals,
        band=scored.band.label,
        positive=scored.positive,
        triggered_rules=[rule.id for rule in scored.triggered],
        parent_agreed=True,
        supersedes=supersedes,
        correction_reason=correction_reason.strip(),
        recorded_by=actor,
    )
    for rule in scored.triggered:
        unanswered = rule in scored.triggered_unanswered
        concern_raise_for_rule(result=result, rule=rule, actor=actor, unanswered=unanswered)
    return result


@transaction.atomic
def screening_result_record_entry(
    *,
    actor: User,
    contact: Contact,
    definition: InstrumentDefinition,
    assessed_on: datetime.date | None,
    rater: str,
    certification: str = "",
    score: Decimal | None = None,
    band: str = "",
    summary: str,
    parent_agreed: bool,
    supersedes: ScreeningResult | None = None,
    correction_reason: str = "",
) -> ScreeningResult:
    """Store the result a trained rater entered for a result-only (observational) instrument.

    ``parent_agreed``: the parent agreed to the assessment (being observed with their baby).
    """
    check_may_record_for(actor, contact.family)
    check_contact_stands(contact)
    if definition.retired_at is not None:
        raise ValidationError({"definition": "This instrument version has been retired."})
    loaded = definition.parsed
    entry = loaded.result_entry
    if entry is None:
        raise ValidationError({"definition": f"{loaded.short_name} is scored from its answers."})
    if supersedes is not None:
        supersedes = _check_supersedable(supersedes, contact, correction_reason)
    rater, certification, summary = rater.strip(), certification.strip(), summary.strip()
    problems: dict[str, str] = _agreement_problem(parent_agreed, loaded)
    if assessed_on is None:
        problems["assessed_on"] = "Enter the date of the assessment."
    elif assessed_on > timezone.localdate():
        problems["assessed_on"] = "The date of the assessment must be today or in the past."
    elif assessed_on < earliest_plausible_date(timezone.localdate()):
        problems["assessed_on"] = "The date of the assessment must be within the last 6 years."
    if not rater:
        problems["rater"] = "Enter who carried out the assessment."
    if entry.certification_required and not certification:
        problems["certification"] = f"Enter the rater's {loaded.short_name} certification."
    if not summary:
        problems["summary"] = "Enter a summary of the result."
    try:
        engine.check_result_entry(loaded, score=score, band=band or None)
    except engine.AnswerError as error:
        problems.update(error.problems)
    if (entry.score or entry.band_choices) and score is None and not band:
        wanted = " or ".join(
            label.lower()
            for label in (entry.score and entry.score.label, entry.band_label)
            if label
        )
        problems["score" if entry.score else "band"] = f"Record the {wanted}."
    if problems:
        raise ValidationError(problems)
    # The model's total is whole: a score with decimals (the KIPS mean) is kept with the date in
    # ``answers``, which for a result-only instrument holds what the rater entered.
    whole = score is not None and score == score.to_integral_value()
    assessed = cast(datetime.date, assessed_on)  # a missing date raised a problem above
    return ScreeningResult.objects.create(
        family_id=contact.family_id,
        contact=contact,
        definition=definition,
        answers={
            "assessed_on": assessed.isoformat(),
            "score": None if score is None else str(score),
        },
        total=int(score) if score is not None and whole else None,
        band=band,
        positive=None,
        parent_agreed=True,
        rater=rater,
        certification=certification,
        summary=summary,
        supersedes=supersedes,
        correction_reason=correction_reason.strip(),
        recorded_by=actor,
    )


def _check_supersedable(old: ScreeningResult, contact: Contact, reason: str) -> ScreeningResult:
    old = ScreeningResult.objects.select_for_update().get(pk=old.pk)
    if old.family_id != contact.family_id:
        raise ValidationError({"supersedes": "A correction must be for the same family."})
    if old.is_entered_in_error:
        raise ValidationError(
            {"supersedes": "This result was marked as entered in error, so it is not corrected."}
        )
    if ScreeningResult.objects.filter(supersedes=old).exists():
        raise ValidationError({"supersedes": "This result has already been corrected."})
    if not reason.strip():
        raise ValidationError({"correction_reason": "Say why the result is being corrected."})
    return old


def concern_raise_for_rule(
    *, result: ScreeningResult, rule: engine.SafetyRule, actor: User, unanswered: bool = False
) -> Concern:
    """The urgent concern a safety rule raises: created once per result and rule.

    ``unanswered``: the rule fired because its item was left unanswered, so the concern says
    the question was not answered and asks the health visitor to ask the parent directly.
    """
    category = ConcernCategory.objects.get(code=rule.category)
    existing = Concern.objects.filter(source_result=result, source_rule=rule.id).first()
    if existing is not None:
        return existing
    note = safety_rule_message(
        result.definition, result.definition.parsed, rule, unanswered=unanswered
    )
    try:
        with transaction.atomic():
            concern = Concern.objects.create(
                family_id=result.family_id,
                contact_id=result.contact_id,
                category=category,
                severity=Concern.Severity.HIGH,
                urgent=True,
                note=note,
                source_result=result,
                source_rule=rule.id,
                raised_by=actor,
            )
            reminders.schedule_escalation(concern)
            return concern
    except IntegrityError:
        # Another request raised it between our check and our insert.
        return Concern.objects.get(source_result=result, source_rule=rule.id)


# --- Concerns and observations ----------------------------------------------------------------


@transaction.atomic
def concern_raise(
    *,
    actor: User,
    category: ConcernCategory,
    severity: str,
    contact: Contact | None = None,
    family: Family | None = None,
    note: str = "",
    urgent: bool = False,
) -> Concern:
    """Flag a concern about the family: at a contact, or straight from the family (no contact).

    No consent is asked for: a concern is the practitioner's judgement and duty, so that a
    safeguarding concern can always be recorded (hazard H-037).
    """
    if contact is not None:
        if family is not None and family.pk != contact.family_id:
            raise ValueError("The contact is not the family's.")
        family = contact.family
    if family is None:
        raise ValueError("A concern is about a family: give the family or the contact.")
    check_may_record_for(actor, family)
    if not category.active:
        raise ValidationError({"category": "Choose a category that is in use."})
    concern = Concern(
        family_id=family.pk,
        contact=contact,
        category=category,
        severity=severity,
        urgent=urgent,
        note=note.strip(),
        raised_by=actor,
    )
    concern.full_clean()
    concern.save()
    if concern.urgent:
        reminders.schedule_escalation(concern)
    return concern


@transaction.atomic
def concern_acknowledge(*, actor: User, concern: Concern, action_taken: str) -> Concern:
    """Record who acknowledged an urgent concern, when, and what they did."""
    concern = Concern.objects.select_for_update().select_related("family").get(pk=concern.pk)
    check_may_record_for(actor, concern.family)
    if concern.is_entered_in_error:
        raise ValidationError({"concern": ENTERED_IN_ERROR})
    if not concern.urgent:
        raise ValidationError({"concern": "Only urgent concerns need acknowledging."})
    if concern.acknowledged_at is not None:
        raise ValidationError({"concern": "This concern has already been acknowledged."})
    if not action_taken.strip():
        raise ValidationError({"action_taken": "Say what was done, for example who was contacted."})
    concern.acknowledged_at = timezone.now()
    concern.acknowledged_by = actor
    concern.action_taken = action_taken.strip()
    concern.save(update_fields=["acknowledged_at", "acknowledged_by", "action_taken"])
    reminders.cancel_escalation(concern)
    return concern


@transaction.atomic
def concern_close(*, actor: User, concern: Concern, reason: str) -> Concern:
    """Close a concern that needs no more attention, with who closed it, when and why.

    An urgent concern must be acknowledged first: closing is never a way round recording the
    action taken. Closing needs no current consent, so that a concern raised before consent was
    withdrawn can still be closed.
    """
    concern = Concern.objects.select_for_update().select_related("family").get(pk=concern.pk)
    check_may_record_for(actor, concern.family)
    if concern.is_entered_in_error:
        raise ValidationError({"concern": ENTERED_IN_ERROR})
    if concern.closed_at is not None:
        raise ValidationError({"concern": "This concern has already been closed."})
    if concern.urgent and concern.acknowledged_at is None:
        raise ValidationError(
            {
                "concern": "Acknowledge this urgent concern, with the action taken, before "
                "closing it."
            }
        )
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the concern is being closed."})
    concern.closed_at = timezone.now()
    concern.closed_by = actor
    concern.close_reason = reason
    concern.save(update_fields=["closed_at", "closed_by", "close_reason"])
    reminders.cancel_escalation(concern)
    return concern


@transaction.atomic
def observation_record(
    *, actor: User, contact: Contact, kind: str, text: str, tags: list[str] | None = None
) -> Observation:
    """Record a strength of the family or an area of need, seen at this contact."""
    check_may_record_for(actor, contact.family)
    check_contact_stands(contact)
    observation = Observation(
        family_id=contact.family_id,
        contact=contact,
        kind=kind,
        text=text.strip(),
        tags=sorted({tag.strip().lower() for tag in tags or [] if tag.strip()}),
        recorded_by=actor,
    )
    observation.full_clean()
    observation.save()
    return observation


# --- Admin: retiring versions and locally licensed item text -----------------------------------


def _check_admin(actor: User) -> None:
    if not permissions.may_manage_instruments(actor):
        raise PermissionDenied("Only admins manage instrument definitions.")


@transaction.atomic
def instrument_definition_retire(*, actor: User, definition: InstrumentDefinition):
    """Stop offering a version for new results; results scored with it keep pointing at it."""
    _check_admin(actor)
    definition = InstrumentDefinition.objects.select_for_update().get(pk=definition.pk)
    if definition.retired_at is not None:
        raise ValidationError({"definition": f"{definition} is already retired."})
    definition.retired_at = timezone.now()
    definition.save(update_fields=["retired_at"])
    return definition


@transaction.atomic
def local_item_text_save(
    *,
    actor: User,
    definition: InstrumentDefinition,
    texts: Mapping[str, str],
    licence_reference: str,
    option_texts: Mapping[tuple[str, str], str] | None = None,
) -> list[LocalItemText | LocalOptionText]:
    """Store the locally licensed wording of a definition's items and answers, with the licence.

    ``texts`` maps item ids to wording and ``option_texts`` maps (item id, option value) to an
    answer's wording; a blank entry leaves that one as it was. Only items the definition marks
    ``text_supplied_locally``, and their options, take local text.
    """
    _check_admin(actor)
    loaded = definition.parsed
    local = {item.id: item for item in loaded.items if item.text_supplied_locally}
    licence_reference = licence_reference.strip()
    texts = {item_id: (text or "").strip() for item_id, text in texts.items()}
    option_texts = {key: (text or "").strip() for key, text in (option_texts or {}).items()}
    problems: dict[str, str] = {}
    if not licence_reference:
        problems["licence_reference"] = "Enter the reference of the licence the text is used under."
    for item_id in texts:
        if item_id not in local:
            problems[item_id] = (
                f"{loaded.short_name} has no item {item_id!r} whose text is supplied locally."
            )
    for item_id, value in option_texts:
        item = local.get(item_id)
        if item is None or item.option(value) is None:
            problems[f"{item_id}:{value}"] = (
                f"{loaded.short_name} has no answer {value!r} to an item {item_id!r} whose "
                "text is supplied locally."
            )
    if not problems and not any(texts.values()) and not any(option_texts.values()):
        problems["texts"] = "Enter the text of at least one item or answer."
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    saved: list[LocalItemText | LocalOptionText] = []
    existing = {row.item_id: row for row in definition.local_item_texts.select_for_update()}
    for item_id, text in texts.items():
        row = existing.get(item_id) or LocalItemText(definition=definition, item_id=item_id)
        if _local_text_set(row, text, licence_reference, actor, now):
            saved.append(row)
    existing_options = {
        (row.item_id, row.option_value): row
        for row in definition.local_option_texts.select_for_update()
    }
    for (item_id, value), text in option_texts.items():
        option_row = existing_options.get((item_id, value)) or LocalOptionText(
            definition=definition, item_id=item_id, option_value=value
        )
        if _local_text_set(option_row, text, licence_reference, actor, now):
            saved.append(option_row)
    return saved


def _local_text_set(
    row: LocalItemText | LocalOptionText,
    text: str,
    licence_reference: str,
    actor: User,
    now: datetime.datetime,
) -> bool:
    """Save new or changed wording on the row; True if it was saved. Blank keeps what is there."""
    if not text or (row.pk and (row.text, row.licence_reference) == (text, licence_reference)):
        return False
    row.text = text
    row.licence_reference = licence_reference
    row.entered_by = actor
    row.entered_at = now
    row.full_clean()
    row.save()
    return True
