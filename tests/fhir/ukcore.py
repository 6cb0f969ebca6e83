"""UK Core rules the FHIR models do not know, checked by the tests apart from the mapping.

Written from the UK Core guidance (docs/adr/0014 names the sources), not from the code: the NHS
number's system and modulus 11 check, its verification extension and code, the profiles, and
the codes each resource must carry.
"""

from fhir.resources.R4B import get_fhir_model_class

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
VERIFICATION_URL = (
    "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus"
)
VERIFICATION_SYSTEMS = {
    "https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland",
    "https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatus",
}
VERIFICATION_CODES = {f"0{n}" for n in range(1, 9)}


def modulus_11_ok(number: str) -> bool:
    """The NHS number check digit: weights 10 down to 2 on the first nine digits."""
    if len(number) != 10 or not number.isdigit():
        return False
    total = sum(
        int(digit) * weight for digit, weight in zip(number[:9], range(10, 1, -1), strict=True)
    )
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(number[9])


def validate(resource: dict):
    """The resource parsed by the fhir.resources R4B model of its type (raises if invalid)."""
    model = get_fhir_model_class(resource["resourceType"])
    return model.model_validate(resource)


def nhs_number_problems(patient: dict) -> list[str]:
    problems = []
    for identifier in patient.get("identifier", []):
        if identifier.get("system") != NHS_NUMBER_SYSTEM:
            continue
        if not modulus_11_ok(identifier.get("value", "")):
            problems.append(f"NHS number {identifier.get('value')!r} fails modulus 11")
        extensions = [e for e in identifier.get("extension", []) if e["url"] == VERIFICATION_URL]
        if len(extensions) != 1:
            problems.append("an NHS number needs exactly one verification status")
            continue
        codings = extensions[0]["valueCodeableConcept"]["coding"]
        if not any(
            c["system"] in VERIFICATION_SYSTEMS and c["code"] in VERIFICATION_CODES for c in codings
        ):
            problems.append(f"verification status {codings} is not a UK Core code")
    return problems


def references(value) -> list[str]:
    """Every ``reference`` string anywhere inside a resource."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                found.append(item)
            else:
                found.extend(references(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(references(item))
    return found


def empty_elements(value, path: str = "") -> list[str]:
    """Paths of elements that are empty (FHIR allows no empty string, list or object)."""
    found = []
    if isinstance(value, dict):
        if not value:
            found.append(path)
        for key, item in value.items():
            found.extend(empty_elements(item, f"{path}.{key}"))
    elif isinstance(value, list):
        if not value:
            found.append(path)
        for index, item in enumerate(value):
            found.extend(empty_elements(item, f"{path}[{index}]"))
    elif value is None or value == "":
        found.append(path)
    return found
