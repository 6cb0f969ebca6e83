"""The record out: a family's record as FHIR R4 in UK Core shapes, instruments as Questionnaires.

The mapping modules are pure (records in, plain dicts out): ``loading`` fetches what one or many
families hold, ``mapping`` turns it into resources and a Bundle, ``questionnaires`` turns an
instrument definition into a ``Questionnaire``. The command, the family page's download and the
team's bulk export all call the same functions (ADR 0014).
"""
