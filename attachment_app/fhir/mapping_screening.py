"""Step 2: each current screening result as a ``QuestionnaireResponse`` with an ``Observation``
for its total and one for each safety rule it triggered, a correction as ``Provenance``, each
concern as a ``Flag``, and each strength or area of need as an ``Observation``.

Answers go out as their option codes and scores, never as wording: an EPDS response carries no
item or option text, whatever an admin has entered under the trust's licence.
"""

from decimal import Decimal, InvalidOperation

from . import ids, systems
from .mapping_common import (
    Resources,
    coding,
    concept,
    local_coding,
    local_identifier,
    when,
    without_empty,
)
from .questionnaires import answer_coding, band_coding, questionnaire

#: LOINC codes checked at a published source (docs/adr/0014): the totals and the one safety
#: item with a code of its own. Other instruments use our own code system only.
LOINC_TOTALS = {
    "phq9": ("44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]"),
    "gad7": ("70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]"),
}
LOINC_ITEMS = {("phq9", "9"): "44260-8"}
SURVEY = ("survey", "Survey")
SOCIAL_HISTORY = ("social-history", "Social History")
POSITIVE = {True: ("POS", "Positive"), False: ("NEG", "Negative")}
CRITICAL = ("AA", "Critical abnormal")
FLAG_PRIORITY = {"high": ("PH", "High priority"), "moderate": ("PM", "Medium priority")}
LOW_PRIORITY = ("PL", "Low priority")


def _status(result) -> str:
    return "amended" if result.supersedes_id else "final"


def _response_items(result, definition) -> list[dict]:
    if definition.kind == "result_only":
        items = []
        score = result.answers.get("score")
        if score not in (None, ""):
            items.append({"linkId": "score", "answer": [{"valueDecimal": float(score)}]})
        band = band_coding(definition, result.band)
        if band:
            items.append({"linkId": "band", "answer": [{"valueCoding": band}]})
        for link_id, value in (
            ("rater", result.rater),
            ("certification", result.certification),
            ("summary", result.summary),
        ):
            if value:
                items.append({"linkId": link_id, "answer": [{"valueString": value}]})
        return items
    items = []
    for item in definition.items:
        value = result.answers.get(item.id)
        if value in (None, ""):
            continue
        items.append(
            {
                "linkId": item.id,
                "answer": [{"valueCoding": answer_coding(definition, item.id, value)}],
            }
        )
    return items


def _response(resources: Resources, result, definition) -> dict:
    return without_empty(
        {
            "resourceType": "QuestionnaireResponse",
            "id": ids.resource_id("result", result.pk),
            "meta": {"profile": [systems.profile("QuestionnaireResponse")]},
            "identifier": local_identifier("screening-result", result.pk)[0],
            "questionnaire": f"{systems.questionnaire_url(definition.code)}|{definition.version}",
            "status": "amended" if result.supersedes_id else "completed",
            "subject": resources.subject(),
            "encounter": resources.encounter(result.contact_id),
            "authored": when(result.recorded_at),
            "author": resources.practitioner(result.recorded_by),
            "item": _response_items(result, definition),
        }
    )


def _total_value(result, definition) -> dict:
    if definition.kind == "result_only":
        try:
            score = Decimal(result.answers.get("score") or "")
        except InvalidOperation:
            band = band_coding(definition, result.band)
            return {"valueCodeableConcept": concept(band)} if band else {}
        return {"valueQuantity": {"value": float(score)}}
    return {} if result.total is None else {"valueInteger": result.total}


def _total(resources: Resources, result, definition, response: dict, members: list) -> dict | None:
    value = _total_value(result, definition)
    if not value:
        return None
    codings = []
    if definition.code in LOINC_TOTALS:
        codings.append(coding(systems.LOINC, *LOINC_TOTALS[definition.code]))
    name = f"{definition.short_name} total score"
    codings.append(local_coding("instrument-totals", f"{definition.code}-total", name))
    interpretation = []
    band = band_coding(definition, result.band)
    if band:
        interpretation.append(concept(band, text=result.band))
    if result.positive is not None:
        interpretation.append(
            concept(coding(systems.V3_OBSERVATION_INTERPRETATION, *POSITIVE[result.positive]))
        )
    return without_empty(
        {
            "resourceType": "Observation",
            "id": ids.resource_id("result-total", result.pk),
            "meta": {"profile": [systems.profile("Observation")]},
            "identifier": local_identifier("screening-result", result.pk),
            "status": _status(result),
            "category": [concept(coding(systems.OBSERVATION_CATEGORY, *SURVEY))],
            "code": concept(*codings, text=name),
            "subject": resources.subject(),
            "encounter": resources.encounter(result.contact_id),
            "effectiveDateTime": when(result.recorded_at),
            "performer": [resources.practitioner(result.recorded_by)],
            **value,
            "interpretation": interpretation,
            "hasMember": members,
            "derivedFrom": [ids.reference(response["id"])],
        }
    )


def _safety(resources: Resources, result, definition, rule, response: dict) -> dict:
    label = definition.rule_label(rule)
    codings = []
    if (definition.code, rule.item) in LOINC_ITEMS:
        codings.append(coding(systems.LOINC, LOINC_ITEMS[(definition.code, rule.item)]))
    codings.append(local_coding("instrument-items", f"{definition.code}-item-{rule.item}", label))
    value = result.answers.get(rule.item)
    if value in (None, ""):
        answer = {
            "dataAbsentReason": concept(
                coding(systems.DATA_ABSENT_REASON, "asked-unknown", "Asked But Unknown")
            )
        }
    else:
        answer = {"valueInteger": definition.item(rule.item).option(value).score}
    return without_empty(
        {
            "resourceType": "Observation",
            "id": ids.resource_id("result-safety", result.pk, rule.id),
            "meta": {"profile": [systems.profile("Observation")]},
            "status": _status(result),
            "category": [concept(coding(systems.OBSERVATION_CATEGORY, *SURVEY))],
            "code": concept(*codings, text=label),
            "subject": resources.subject(),
            "encounter": resources.encounter(result.contact_id),
            "effectiveDateTime": when(result.recorded_at),
            "performer": [resources.practitioner(result.recorded_by)],
            **answer,
            "interpretation": [
                concept(coding(systems.V3_OBSERVATION_INTERPRETATION, *CRITICAL), text=rule.message)
            ],
            "derivedFrom": [ids.reference(response["id"])],
        }
    )


def _correction(resources: Resources, result, definition, targets: list[dict]) -> dict:
    replaced = result.supersedes
    return without_empty(
        {
            "resourceType": "Provenance",
            "id": ids.resource_id("result-correction", result.pk),
            "target": targets,
            "recorded": when(result.recorded_at),
            "activity": concept(coding(systems.V3_DATA_OPERATION, "UPDATE", "revise")),
            "reason": [{"text": result.correction_reason}] if result.correction_reason else [],
            "agent": [{"who": resources.practitioner(result.recorded_by)}],
            "entity": [
                {
                    "role": "revision",
                    "what": {
                        "identifier": local_identifier("screening-result", replaced.pk)[0],
                        "display": (
                            f"The {definition.short_name} result recorded "
                            f"{when(replaced.recorded_at)}, which this one corrects"
                        ),
                    },
                }
            ],
        }
    )


def _result_resources(resources: Resources, result) -> None:
    definition = result.definition.parsed
    resources.add(questionnaire(definition))
    response = resources.add(_response(resources, result, definition))
    resources.result_responses[result.pk] = response
    rules = {rule.id: rule for rule in definition.safety_rules}
    members = []
    for rule_id in result.triggered_rules:
        if rule_id in rules:
            safety = resources.add(_safety(resources, result, definition, rules[rule_id], response))
            members.append(ids.reference(safety["id"]))
    total = _total(resources, result, definition, response, members)
    if total:
        resources.add(total)
    if result.supersedes_id:
        targets = [ids.reference(response["id"])]
        if total:
            targets.append(ids.reference(total["id"]))
        resources.add(_correction(resources, result, definition, targets))


def _acknowledgement(resources: Resources, concern) -> dict:
    return {
        "url": systems.local("StructureDefinition/urgent-concern-acknowledgement"),
        "extension": without_empty_list(
            [
                {"url": "acknowledgedAt", "valueDateTime": when(concern.acknowledged_at)},
                {
                    "url": "acknowledgedBy",
                    "valueReference": resources.practitioner(concern.acknowledged_by),
                },
                {"url": "actionTaken", "valueString": concern.action_taken},
            ]
        ),
    }


def without_empty_list(extensions: list[dict]) -> list[dict]:
    return [
        extension
        for extension in extensions
        if all(value not in (None, "") for value in extension.values())
    ]


def _flag(resources: Resources, concern) -> dict:
    priority = FLAG_PRIORITY.get(concern.severity, LOW_PRIORITY)
    extensions = [
        {
            "url": systems.FLAG_PRIORITY_EXTENSION,
            "valueCodeableConcept": concept(coding(systems.FLAG_PRIORITY_SYSTEM, *priority)),
        },
        {"url": systems.local("StructureDefinition/urgent"), "valueBoolean": concern.urgent},
        {
            "url": systems.local("StructureDefinition/severity"),
            "valueCoding": local_coding(
                "concern-severity", concern.severity, concern.get_severity_display()
            ),
        },
    ]
    if concern.acknowledged_at is not None:
        extensions.append(_acknowledgement(resources, concern))
    if concern.note:
        extensions.append(
            {"url": systems.local("StructureDefinition/note"), "valueString": concern.note}
        )
    if concern.closed_at is not None and concern.close_reason:
        extensions.append(
            {
                "url": systems.local("StructureDefinition/close-reason"),
                "valueString": concern.close_reason,
            }
        )
    if concern.source_result_id in resources.result_responses:
        extensions.append(
            {
                "url": systems.local("StructureDefinition/raised-from"),
                "valueReference": ids.reference(
                    resources.result_responses[concern.source_result_id]["id"]
                ),
            }
        )
    category = "safety" if concern.urgent else "clinical"
    return without_empty(
        {
            "resourceType": "Flag",
            "id": ids.resource_id("concern", concern.pk),
            "meta": {"profile": [systems.profile("Flag")]},
            "extension": extensions,
            "identifier": local_identifier("concern", concern.pk),
            "status": "inactive" if concern.closed_at else "active",
            "category": [
                concept(coding(systems.FLAG_CATEGORY, category, category.title())),
            ],
            "code": concept(
                local_coding("concern-category", concern.category.code, concern.category.name),
                text=concern.category.name,
            ),
            "subject": resources.subject(),
            "period": without_empty(
                {"start": when(concern.raised_at), "end": when(concern.closed_at)}
            ),
            "encounter": resources.encounter(concern.contact_id),
            "author": resources.practitioner(concern.raised_by),
        }
    )


def _strength_or_need(resources: Resources, observation) -> dict:
    """A strength of the family or an area of need, in the health visitor's words."""
    return without_empty(
        {
            "resourceType": "Observation",
            "id": ids.resource_id("strength-or-need", observation.pk),
            "meta": {"profile": [systems.profile("Observation")]},
            "identifier": local_identifier("strength-or-need", observation.pk),
            "status": "final",
            "category": [concept(coding(systems.OBSERVATION_CATEGORY, *SOCIAL_HISTORY))],
            "code": concept(
                local_coding(
                    "family-observation", observation.kind, observation.get_kind_display()
                ),
                text=observation.get_kind_display(),
            ),
            "subject": resources.subject(),
            "encounter": resources.encounter(observation.contact_id),
            "effectiveDateTime": when(observation.recorded_at),
            "performer": [resources.practitioner(observation.recorded_by)],
            "valueString": observation.text,
            "note": [{"text": f"Tags: {', '.join(observation.tags)}"}] if observation.tags else [],
        }
    )


def screening_resources(resources: Resources) -> None:
    for result in resources.record.results:
        _result_resources(resources, result)
    for concern in resources.record.concerns:
        resources.flags[concern.pk] = resources.add(_flag(resources, concern))
    for observation in resources.record.observations:
        resources.add(_strength_or_need(resources, observation))
