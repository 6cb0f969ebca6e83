"""Forms for the admin's instrument pages. They check shape only: the engine and services judge
whether a definition or a piece of licensed text can be used."""

import json
import math

from django import forms
from django.core.exceptions import ValidationError

from attachment_app.nhsuk_forms.helpers import form_helper_with_buttons
from attachment_app.nhsuk_forms.layout import Field, Fieldset

from . import engine

#: A definition is a few tens of kilobytes; anything far bigger is not one.
DEFINITION_MAX_BYTES = 512 * 1024
#: A definition nests objects and lists a few levels deep (items, options, bands).
DEFINITION_MAX_DEPTH = 20
#: Scores and thresholds are small numbers: a literal longer than this is not one of them.
DEFINITION_MAX_NUMBER_LENGTH = 15


class DefinitionTooLarge(ValueError):
    """The text is not a definition's shape: too deep, or a number far too long."""


def _depth(value) -> int:
    """How deeply objects and lists nest in parsed JSON (a scalar is 0)."""
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


def _number(text: str):
    if len(text) > DEFINITION_MAX_NUMBER_LENGTH:
        raise DefinitionTooLarge(
            f"The definition has a number longer than {DEFINITION_MAX_NUMBER_LENGTH} digits"
        )
    if not any(c in text for c in ".eE"):
        return int(text)
    number = float(text)
    if not math.isfinite(number):
        raise DefinitionTooLarge("The definition has a number too large to use")
    return number


def _no_constant(name: str):
    raise DefinitionTooLarge(f"The definition has {name}, which is not a number JSON allows")


def parse_definition_json(text: str):
    """The JSON text parsed, within the size, depth and number limits; ``DefinitionTooLarge``
    or ``json.JSONDecodeError`` otherwise."""
    if len(text.encode("utf-8")) > DEFINITION_MAX_BYTES:
        raise DefinitionTooLarge("The definition must be smaller than 512 KB")
    too_deep = DefinitionTooLarge(
        f"The definition nests lists or objects more than {DEFINITION_MAX_DEPTH} levels deep"
    )
    try:
        data = json.loads(text, parse_int=_number, parse_float=_number, parse_constant=_no_constant)
    except RecursionError:
        # Nested far deeper than the parser's own stack allows.
        raise too_deep from None
    if _depth(data) > DEFINITION_MAX_DEPTH:
        raise too_deep
    return data


LICENCE_REFERENCE_LENGTH = 200
#: The file input without NHS.UK frontend's drop-zone enhancement (the template says why).
DEFINITION_FILE_TEMPLATE = "screening/definition_file_field.html"
ITEM_TEXT_LENGTH = 1000
OPTION_TEXT_LENGTH = 300


class InstrumentDefinitionForm(forms.Form):
    """A definition as a JSON file or pasted JSON: exactly one of the two."""

    definition_file = forms.FileField(
        label="Upload a definition file",
        help_text="A JSON file in the format described in screening/definitions/README.md",
        required=False,
    )
    definition_text = forms.CharField(
        label="Or paste the definition",
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        required=False,
    )

    def __init__(self, *args, cancel_url: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper_with_buttons(
            Field("definition_file", label_size="s", template=DEFINITION_FILE_TEMPLATE),
            Field("definition_text", label_size="s"),
            submit="Check and add definition",
            cancel_url=cancel_url,
        )

    def clean(self):
        cleaned = super().clean()
        upload, text = (
            cleaned.get("definition_file"),
            (cleaned.get("definition_text") or "").strip(),
        )
        if upload and text:
            raise ValidationError("Upload a file or paste the definition, not both")
        if not upload and not text:
            self.add_error("definition_file", "Upload a definition file or paste the definition")
            return cleaned
        source = "definition_file" if upload else "definition_text"
        if upload:
            if upload.size > DEFINITION_MAX_BYTES:
                self.add_error(source, "The file must be smaller than 512 KB")
                return cleaned
            try:
                text = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                self.add_error(source, "The file must be JSON text in UTF-8")
                return cleaned
        try:
            cleaned["data"] = parse_definition_json(text)
        except DefinitionTooLarge as error:
            self.add_error(source, str(error))
            return cleaned
        except json.JSONDecodeError as error:
            self.add_error(
                source,
                f"The definition is not valid JSON: {error.msg} at line {error.lineno}, "
                f"column {error.colno}",
            )
            return cleaned
        if not isinstance(cleaned["data"], dict):
            self.add_error(source, "The definition must be a JSON object ({ … })")
        cleaned["source"] = source
        return cleaned


class LocalItemTextForm(forms.Form):
    """The licence reference, then for each locally licensed item its wording and its answers'.

    Each item is a fieldset named as the service names it ("EPDS item 3"), holding a box for
    the item's wording and one for each answer, labelled with the answer's printed position and
    score so the admin can match it to the licensed copy.
    """

    licence_reference = forms.CharField(
        label="Licence reference",
        help_text="The reference of the trust's permission to use this wording, for example "
        "the licence or agreement number",
        max_length=LICENCE_REFERENCE_LENGTH,
        error_messages={
            "required": "Enter the licence reference",
            "max_length": f"The licence reference must be {LICENCE_REFERENCE_LENGTH} "
            "characters or fewer",
        },
    )

    def __init__(self, *args, definition: engine.Definition, cancel_url: str, **kwargs):
        super().__init__(*args, **kwargs)
        #: item id -> its wording's field; (item id, option value) -> that answer's field.
        self.item_fields: dict[str, str] = {}
        self.option_fields: dict[tuple[str, str], str] = {}
        fieldsets = []
        for item in definition.items:
            if not item.text_supplied_locally:
                continue
            name = definition.item_name(item)
            item_field = f"item_{item.id}"
            self.fields[item_field] = forms.CharField(
                label="Wording of the item",
                required=False,
                max_length=ITEM_TEXT_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={
                    "max_length": f"The wording of {name} must be {ITEM_TEXT_LENGTH} "
                    "characters or fewer"
                },
            )
            self.item_fields[item.id] = item_field
            option_fields = []
            for option in item.options:
                option_field = f"option_{item.id}_{option.value}"
                self.fields[option_field] = forms.CharField(
                    label=f"{option.label}, scores {option.score}",
                    required=False,
                    max_length=OPTION_TEXT_LENGTH,
                    error_messages={
                        "max_length": f"The wording of {name}, {option.label}, must be "
                        f"{OPTION_TEXT_LENGTH} characters or fewer"
                    },
                )
                self.option_fields[(item.id, option.value)] = option_field
                option_fields.append(Field(option_field, css_class="nhsuk-u-width-full"))
            fieldsets.append(Fieldset(name, Field(item_field), *option_fields, legend_size="m"))
        self.helper = form_helper_with_buttons(
            Field("licence_reference", label_size="s"),
            *fieldsets,
            submit="Save item text",
            cancel_url=cancel_url,
        )

    def texts(self) -> dict[str, str]:
        """Item id -> the wording entered."""
        return {
            item_id: self.cleaned_data.get(name, "") for item_id, name in self.item_fields.items()
        }

    def option_texts(self) -> dict[tuple[str, str], str]:
        """(item id, option value) -> the answer's wording entered."""
        return {key: self.cleaned_data.get(name, "") for key, name in self.option_fields.items()}
