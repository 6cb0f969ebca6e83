"""Validates instrument definitions and scores answers against them.

Pure Python with no Django import: the rules a clinician relies on (reverse keys, bands, safety
rules) are tested with tables of worked examples, and the same code serves a migration, a
management command, an admin upload and a form. The definition format is described in
`screening/definitions/README.md`.

- :mod:`.model`: what a definition and a result are made of;
- :mod:`.loading`: reading and validating a definition (``load_definition``), the shipped files;
- :mod:`.checks` and :mod:`.rule_checks`: the checks, each problem in plain words;
- :mod:`.scoring`: ``score`` and ``check_result_entry``.
"""

from .loading import DEFINITIONS_DIR, load_definition, load_shipped_definitions
from .model import (
    COMPLETED_BY,
    KINDS,
    LICENCE_LOCAL,
    LICENCE_NICE,
    LICENCE_PROPRIETARY,
    LICENCE_PUBLIC_DOMAIN,
    LICENCES,
    OPERATORS,
    POSITIVE_TYPES,
    RULE_LABEL_LENGTH,
    SEVERITIES,
    SUGGEST_WHEN,
    AnswerError,
    Band,
    BandChoice,
    Definition,
    DefinitionError,
    Item,
    Option,
    PositiveRule,
    Result,
    ResultEntry,
    SafetyRule,
    Scale,
    ScoreField,
    Suggestion,
)
from .scoring import check_result_entry, score

__all__ = [
    "COMPLETED_BY",
    "DEFINITIONS_DIR",
    "KINDS",
    "LICENCES",
    "LICENCE_LOCAL",
    "LICENCE_NICE",
    "LICENCE_PROPRIETARY",
    "LICENCE_PUBLIC_DOMAIN",
    "OPERATORS",
    "POSITIVE_TYPES",
    "RULE_LABEL_LENGTH",
    "SEVERITIES",
    "SUGGEST_WHEN",
    "AnswerError",
    "Band",
    "BandChoice",
    "Definition",
    "DefinitionError",
    "Item",
    "Option",
    "PositiveRule",
    "Result",
    "ResultEntry",
    "SafetyRule",
    "Scale",
    "ScoreField",
    "Suggestion",
    "check_result_entry",
    "load_definition",
    "load_shipped_definitions",
    "score",
]
