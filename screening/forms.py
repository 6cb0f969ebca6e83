"""Forms for step 2. They check shape only: scoring and the rules are in the engine and services.

An instrument's form is built from its engine definition, one radios fieldset per item, so a new
definition version needs no new code. Field names are the service's keyword names, except an
item's answer, which is ``item_<id>`` (see :func:`item_field_name`).
"""

from collections.abc import Mapping

from django import forms

from attachment_app.formatting import format_count
from attachment_app.nhsuk_forms.fields import DateInputField
from attachment_app.nhsuk_forms.helpers import form_helper, too_long
from attachment_app.nhsuk_forms.layout import ButtonGroup, ButtonLink, Field, Submit
from conversations.models import NOTE_LENGTH

from . import engine
from .models import Concern, ConcernCategory, Observation
from .selectors_instruments import item_legend, option_label

#: Every item is asked, so its legend has no "(optional)", even where a definition lets some
#: be missed: the engine, not the form, decides what may be left out and names what is missing.
ITEM_TEMPLATE = "screening/instrument_item_field.html"
#: How a tag list is typed and how long each tag may be (the model's limit).
TAG_LENGTH = 40
TAGS_LENGTH = 300
RATER_LENGTH = 120
CERTIFICATION_LENGTH = 200


def item_field_name(item_id: str) -> str:
    """The form field for an item: item ids are bare numbers, not usable as HTML ids."""
    return f"item_{item_id}"


#: The model's limit on why a result was corrected.
CORRECTION_REASON_LENGTH = 500


def _correction_reason_field() -> forms.CharField:
    return forms.CharField(
        label="Why are you correcting this result?",
        max_length=CORRECTION_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, item 4 was entered on the wrong row. The first result is kept "
        "and says it was corrected, with this reason.",
        error_messages={
            "required": "Enter why you are correcting this result",
            "max_length": too_long("The reason", CORRECTION_REASON_LENGTH),
        },
    )


def _agreement_field(label: str, required_message: str | None = None) -> forms.BooleanField:
    """The parent's agreement to this questionnaire or assessment, asked with every result:
    it is their own choice, whatever they decided about the relationship conversation.

    The service refuses a result without it. Where the service also names every missing answer
    (``required_message`` None), the form leaves the check to it, so that all the problems show
    at once; the field is still not marked "(optional)". Where the form itself requires the
    other fields, it requires this one too, for the same reason.
    """
    field = forms.BooleanField(
        label=label,
        required=required_message is not None,
        help_text="Ask the parent first. They can agree to this whether or not they took part in "
        "the conversation about their relationship with their baby.",
        error_messages={"required": required_message or ""},
    )
    field.conditionally_required = True
    return field


def _buttons(submit: str, cancel_url: str, *, correction: bool) -> list:
    """The reason for a correction, if this is one, then the buttons."""
    layout = []
    if correction:
        layout.append(Field("correction_reason", label_size="s"))
        submit = "Save the correction"
    layout.append(ButtonGroup(Submit(submit), ButtonLink("Cancel", cancel_url)))
    return layout


class InstrumentForm(forms.Form):
    """The answers to an instrument's items, one radios fieldset per item.

    With ``correction=True`` it also asks why an earlier result is being corrected.
    """

    def __init__(
        self,
        *args,
        definition: engine.Definition,
        cancel_url: str,
        local_texts: Mapping[str, str] | None = None,
        local_options: Mapping[tuple[str, str], str] | None = None,
        correction: bool = False,
        paper_form: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.fields["parent_agreed"] = _agreement_field(
            "The parent agreed to complete this questionnaire"
        )
        layout = [Field("parent_agreed")]
        for item in definition.items:
            name = item_field_name(item.id)
            self.fields[name] = forms.ChoiceField(
                label=item_legend(definition, item, local_texts, paper_form=paper_form),
                choices=[
                    (
                        option.value,
                        option_label(item, option, local_options, paper_form=paper_form),
                    )
                    for option in item.options
                ],
                required=False,
                widget=forms.RadioSelect,
                error_messages={
                    "invalid_choice": (
                        f"Choose one of the answers offered for {definition.item_name(item)}"
                    )
                },
            )
            layout.append(Field(name, label_size="s", template=ITEM_TEMPLATE))
        if correction:
            self.fields["correction_reason"] = _correction_reason_field()
        self.helper = form_helper(
            *layout, *_buttons("Save and see the result", cancel_url, correction=correction)
        )

    def answers(self) -> dict[str, str | None]:
        """Answers by item id, as the service scores them; an unanswered item is None."""
        return {
            item.id: self.cleaned_data.get(item_field_name(item.id)) or None
            for item in self.definition.items
        }


class ResultEntryForm(forms.Form):
    """The result a trained rater records for an observational (result-only) instrument.

    With ``correction=True`` it also asks why an earlier result is being corrected.
    """

    assessed_on = DateInputField(
        label="Date of the assessment", help_text="For example, 27 3 2026.", required=True
    )
    rater = forms.CharField(
        label="Who carried out the assessment",
        max_length=RATER_LENGTH,
        error_messages={
            "required": "Enter who carried out the assessment",
            "max_length": too_long("Who carried out the assessment", RATER_LENGTH),
        },
    )
    certification = forms.CharField(
        label="Rater's certification",
        max_length=CERTIFICATION_LENGTH,
        help_text="For example, the training completed and when.",
        error_messages={
            "required": "Enter the rater's certification",
            "max_length": too_long("Rater's certification", CERTIFICATION_LENGTH),
        },
    )
    score = forms.DecimalField(
        required=False,
        error_messages={"invalid": "Enter the score as a number"},
    )
    band = forms.ChoiceField(required=False, widget=forms.RadioSelect)
    summary = forms.CharField(
        label="Summary",
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the assessment showed, in plain words.",
        error_messages={
            "required": "Enter a summary of the result",
            "max_length": too_long("Summary", NOTE_LENGTH),
        },
    )

    def __init__(
        self,
        *args,
        definition: engine.Definition,
        cancel_url: str,
        correction: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        entry = definition.result_entry
        self.fields["parent_agreed"] = _agreement_field(
            "The parent agreed to this assessment",
            "Confirm that the parent agreed to this assessment",
        )
        layout = [
            Field("parent_agreed"),
            Field("assessed_on", label_size="s"),
            Field("rater", css_class="nhsuk-u-width-two-thirds", autocomplete="off"),
        ]
        self.fields["certification"].required = entry.certification_required
        layout.append(Field("certification", css_class="nhsuk-u-width-two-thirds"))
        if entry.score is not None:
            self.fields["score"].label = entry.score.label
            self.fields["score"].help_text = _score_hint(entry.score)
            layout.append(Field("score", css_class="nhsuk-input--width-5", inputmode="decimal"))
        else:
            del self.fields["score"]
        if entry.band_choices:
            self.fields["band"].label = entry.band_label or "Band"
            self.fields["band"].choices = [(c.label, c.label) for c in entry.band_choices]
            hints = {choice.label: choice.meaning for choice in entry.band_choices}
            layout.append(Field("band", label_size="s", item_hints=hints))
        else:
            del self.fields["band"]
        layout.append(Field("summary"))
        if correction:
            self.fields["correction_reason"] = _correction_reason_field()
        layout.extend(_buttons("Save result", cancel_url, correction=correction))
        self.helper = form_helper(*layout)

    def entry(self) -> dict:
        """The cleaned values under the service's keyword names."""
        data = self.cleaned_data
        return {
            "parent_agreed": bool(data.get("parent_agreed")),
            "assessed_on": data.get("assessed_on"),
            "rater": data.get("rater", ""),
            "certification": data.get("certification", ""),
            "score": data.get("score"),
            "band": data.get("band", ""),
            "summary": data.get("summary", ""),
        }


def _score_hint(score: engine.ScoreField) -> str:
    places = (
        "a whole number"
        if score.decimals == 0
        else f"up to {format_count(score.decimals, 'decimal place')}"
    )
    if score.min is not None and score.max is not None:
        return f"From {score.min} to {score.max}, as {places}."
    if score.min is not None:
        return f"{score.min} or more, as {places}."
    if score.max is not None:
        return f"Up to {score.max}, as {places}."
    return f"As {places}."


class ConcernForm(forms.Form):
    """A concern about the family, flagged at a contact."""

    category = forms.ModelChoiceField(
        label="What is the concern about?",
        queryset=ConcernCategory.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select what the concern is about"},
    )
    severity = forms.ChoiceField(
        label="How serious is it?",
        choices=Concern.Severity.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how serious the concern is"},
    )
    note = forms.CharField(
        label="Note",
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What you saw or heard, and what you have done so far.",
        error_messages={
            "required": "Enter a note about the concern",
            "max_length": too_long("Note", NOTE_LENGTH),
        },
    )
    urgent = forms.BooleanField(
        label="This is urgent",
        required=False,
        help_text=(
            "An urgent concern shows at the top of your home page and your team lead's until "
            "one of you records the action taken."
        ),
    )

    def __init__(self, *args, cancel_url: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = ConcernCategory.objects.filter(active=True)
        self.helper = form_helper(
            Field("category", label_size="s"),
            Field("severity", label_size="s"),
            Field("note"),
            Field("urgent"),
            ButtonGroup(Submit("Flag concern"), ButtonLink("Cancel", cancel_url)),
        )


class AcknowledgeConcernForm(forms.Form):
    """What was done about an urgent concern."""

    action_taken = forms.CharField(
        label="What action was taken?",
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="For example, discussed with the parent, GP contacted the same day.",
        error_messages={
            "required": "Enter the action taken",
            "max_length": too_long("The action taken", NOTE_LENGTH),
        },
    )

    def __init__(self, *args, cancel_url: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field("action_taken", label_size="s"),
            ButtonGroup(Submit("Acknowledge concern"), ButtonLink("Cancel", cancel_url)),
        )


class CloseConcernForm(forms.Form):
    """Why a concern needs no more attention."""

    reason = forms.CharField(
        label="Why is the concern being closed?",
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="For example, feeding is now going well and the parent agrees it is resolved.",
        error_messages={
            "required": "Enter why the concern is being closed",
            "max_length": too_long("The reason", NOTE_LENGTH),
        },
    )

    def __init__(self, *args, cancel_url: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field("reason", label_size="s"),
            ButtonGroup(Submit("Close concern"), ButtonLink("Cancel", cancel_url)),
        )


class ObservationForm(forms.Form):
    """A strength of the family or an area where they need support."""

    kind = forms.ChoiceField(
        label="Is this a strength or an area of need?",
        choices=Observation.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether this is a strength or an area of need"},
    )
    text = forms.CharField(
        label="Description",
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Enter a description",
            "max_length": too_long("Description", NOTE_LENGTH),
        },
    )
    tags = forms.CharField(
        label="Tags",
        required=False,
        max_length=TAGS_LENGTH,
        help_text="Separate tags with commas, for example: feeding, sleep, family support.",
        error_messages={"max_length": too_long("Tags", TAGS_LENGTH)},
    )

    def __init__(self, *args, cancel_url: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field("kind", label_size="s"),
            Field("text"),
            Field("tags", css_class="nhsuk-u-width-two-thirds", autocomplete="off"),
            ButtonGroup(Submit("Save"), ButtonLink("Cancel", cancel_url)),
        )

    def clean_tags(self) -> list[str]:
        tags = [tag.strip() for tag in self.cleaned_data["tags"].split(",") if tag.strip()]
        too_long = [tag for tag in tags if len(tag) > TAG_LENGTH]
        if too_long:
            raise forms.ValidationError(
                f"Each tag must be {TAG_LENGTH} characters or fewer: shorten “{too_long[0]}”"
            )
        return tags
