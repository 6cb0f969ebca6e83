"""The URLs of the code systems, profiles and extensions the export uses.

National and international ones are written out; our own (for codes no national system has:
the mandated contact types, concern categories, instrument answers …) live under the
deployment's ``FHIR_BASE_URL``.
"""

from django.conf import settings

NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number"
NHS_NUMBER_VERIFICATION_EXTENSION = (
    "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus"
)
NHS_NUMBER_VERIFICATION_SYSTEM = (
    "https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland"
)
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
V3_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
V3_ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
V3_PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
V3_DATA_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
V3_OBSERVATION_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"
FLAG_PRIORITY_EXTENSION = "http://hl7.org/fhir/StructureDefinition/flag-priority"
FLAG_PRIORITY_SYSTEM = "http://terminology.hl7.org/CodeSystem/flag-priority-code"
DATA_ABSENT_REASON = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
ITEM_WEIGHT_EXTENSION = "http://hl7.org/fhir/StructureDefinition/itemWeight"
MIN_VALUE_EXTENSION = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE_EXTENSION = "http://hl7.org/fhir/StructureDefinition/maxValue"
MAX_DECIMAL_PLACES_EXTENSION = "http://hl7.org/fhir/StructureDefinition/maxDecimalPlaces"

UK_CORE_PROFILE = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-{}"


def profile(resource_type: str) -> str:
    """The UK Core profile a resource of this type is shaped to."""
    return UK_CORE_PROFILE.format(resource_type)


def local(path: str) -> str:
    """One of our own code systems, extensions, identifier systems or canonical URLs."""
    return f"{settings.FHIR_BASE_URL.rstrip('/')}/{path.lstrip('/')}"


def questionnaire_url(code: str) -> str:
    """The canonical URL of an instrument's Questionnaire (its version goes after ``|``)."""
    return local(f"Questionnaire/{code}")


#: Our own Questionnaire of the relationship conversation's three questions (step 1).
CONVERSATION_QUESTIONNAIRE_VERSION = "1"


def conversation_questionnaire_url() -> str:
    """The canonical URL, with its version, that a conversation's answers respond to."""
    url = local("Questionnaire/starting-relationships-conversation")
    return f"{url}|{CONVERSATION_QUESTIONNAIRE_VERSION}"
