"""Forms for contacts and the step 1 conversation. They check shape only: rules are in services.

Field names are the keyword names of the service that saves them, so a view passes
``form.cleaned_data`` straight through (the date, choices and booleans already converted).
"""

from django import forms
from django.utils.html import format_html

from attachment_app.formatting import format_date
from attachment_app.nhsuk_forms.fields import DateInputField
from attachment_app.nhsuk_forms.helpers import form_helper, too_long
from attachment_app.nhsuk_forms.layout import ButtonGroup, ButtonLink, Field, Fieldset, Submit

from .models import ANSWER_LENGTH, NOTE_LENGTH, WORD_LENGTH, ConsentDecision, Contact, ContactType

#: The three questions of step 1, in the exact wording the parent is asked.
QUESTION_WORDS = (
    "What three words or phrases would you use to describe your relationship with your baby?"
)
QUESTION_JOY = "What brings you the most joy in the relationship with your baby?"
QUESTION_FEAR = "What is your biggest fear about your relationship with your baby?"
OWN_WORDS_HINT = "Record the parent's own words."
WORDS_HINT = (
    "Record the parent's own words, one word or phrase in each box. If they find only one or "
    "two, that is their answer."
)
CHOSE_NOT_TO_ANSWER = "The parent chose not to answer"

#: Answers may be saved unfinished or declined, so their fields are not required. They are still
#: questions the parent is asked, so this template leaves out the "(optional)" the pack adds.
QUESTION_TEMPLATE = "conversations/conversation_question_field.html"

#: Which button was pressed on the pages that can be left and resumed.
CONTINUE = "continue"
LATER = "later"

YES_NO = [("yes", "Yes"), ("no", "No")]


def _buttons(*buttons) -> ButtonGroup:
    return ButtonGroup(*buttons)


class ContactForm(forms.Form):
    """Record a visit or other contact with a family."""

    contact_date = DateInputField(
        label="Date of contact", help_text="For example, 27 3 2026.", required=True
    )
    contact_type = forms.ChoiceField(
        label="Type of contact",
        choices=ContactType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of contact"},
    )
    place = forms.ChoiceField(
        label="Where did the contact take place?",
        choices=Contact.Place.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select where the contact took place"},
    )
    baby = forms.ModelChoiceField(
        label="Which baby was the contact about?",
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select which baby the contact was about"},
    )
    present = forms.CharField(
        label="Who was present",
        required=False,
        max_length=300,
        help_text="For example, mother, father and baby.",
        error_messages={"max_length": too_long("Who was present", 300)},
    )
    interpreter_used = forms.BooleanField(label="An interpreter was used", required=False)

    def __init__(self, *args, family, cancel_url: str, **kwargs):
        super().__init__(*args, **kwargs)
        babies = list(family.babies.all())
        if len(babies) > 1:
            self.fields["baby"].queryset = family.babies.all()
            self.fields["baby"].label_from_instance = _baby_label
            baby_field = [Field("baby", label_size="s")]
        else:
            # With one baby (or none yet) there is nothing to ask: the view fills it in.
            del self.fields["baby"]
            baby_field = []
        self.helper = form_helper(
            Field("contact_date", label_size="s"),
            Field("contact_type", label_size="s"),
            Field("place", label_size="s"),
            *baby_field,
            Field("present", css_class="nhsuk-u-width-two-thirds", autocomplete="off"),
            Field("interpreter_used"),
            _buttons(Submit("Save contact"), ButtonLink("Cancel", cancel_url)),
        )


def _baby_label(baby) -> str:
    if baby.date_of_birth:
        return f"{baby.display_name}, born {format_date(baby.date_of_birth)}"
    return f"{baby.display_name}, due {format_date(baby.expected_date)}"


def caregiver_label(caregiver) -> str:
    """A parent or carer as the consent page and the conversation name them."""
    return f"{caregiver.name} ({caregiver.get_relationship_display().lower()})"


class ConsentForm(forms.Form):
    """The decision of the parents or carers taking part in the conversation."""

    caregivers = forms.ModelMultipleChoiceField(
        label="Who is taking part?",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select everyone who is taking part. Both parents can take part together.",
        error_messages={"required": "Select who is taking part in the conversation"},
    )
    decision = forms.ChoiceField(
        label="Are they happy to talk about their relationship with their baby?",
        choices=[
            (ConsentDecision.Decision.GIVEN, "Yes, they are happy to talk about it now"),
            (ConsentDecision.Decision.DECLINED, "No, they would rather not talk about it"),
            (ConsentDecision.Decision.DEFERRED, "Not today, they would like to talk another time"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether they are happy to talk about it"},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, a better time to offer again.",
        error_messages={"max_length": too_long("Note", 500)},
    )

    def __init__(self, *args, family, cancel_url: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["caregivers"].queryset = family.caregivers.in_record()
        self.fields["caregivers"].label_from_instance = caregiver_label
        self.helper = form_helper(
            Field("caregivers", label_size="s"),
            Field("decision", label_size="s"),
            Field("note"),
            _buttons(Submit("Save and continue"), ButtonLink("Cancel", cancel_url)),
        )


def _answer(label: str, limit: int, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=limit,
        error_messages={"max_length": too_long(label, limit)},
        **kwargs,
    )


def _declined(question: str) -> forms.BooleanField:
    """ "The parent chose not to answer", named for its question for screen reader users."""
    return forms.BooleanField(
        label=format_html(
            '{}<span class="nhsuk-u-visually-hidden"> {}</span>',
            CHOSE_NOT_TO_ANSWER,
            question,
        ),
        required=False,
    )


class AnswersForm(forms.Form):
    """The parent's answers to the three questions, each answered or declined.

    The service decides what is enough: on "Save and continue" every question is answered (one
    phrase answers the first) or marked as one the parent chose not to answer; "Save and come
    back later" keeps whatever there is.
    """

    word_1 = _answer("First word or phrase", WORD_LENGTH)
    word_2 = _answer("Second word or phrase", WORD_LENGTH)
    word_3 = _answer("Third word or phrase", WORD_LENGTH)
    words_declined = _declined("the three words or phrases")
    joy = _answer(QUESTION_JOY, ANSWER_LENGTH, widget=forms.Textarea(attrs={"rows": 4}))
    joy_declined = _declined("what brings the most joy")
    fear = _answer(QUESTION_FEAR, ANSWER_LENGTH, widget=forms.Textarea(attrs={"rows": 4}))
    fear_declined = _declined("the biggest fear")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("joy", "fear"):
            self.fields[name].help_text = OWN_WORDS_HINT
        words = [
            Field(name, css_class="nhsuk-input--width-20", template=QUESTION_TEMPLATE)
            for name in ("word_1", "word_2", "word_3")
        ]
        self.helper = form_helper(
            Fieldset(
                QUESTION_WORDS,
                *words,
                Field("words_declined"),
                legend_size="m",
                hint=WORDS_HINT,
                css_id="three-words",
            ),
            Field("joy", label_size="m", template=QUESTION_TEMPLATE),
            Field("joy_declined"),
            Field("fear", label_size="m", template=QUESTION_TEMPLATE),
            Field("fear_declined"),
            _buttons(
                Submit("Save and continue", name="action", value=CONTINUE),
                Submit("Save and come back later", name="action", value=LATER, variant="secondary"),
            ),
        )


class ReflectionForm(forms.Form):
    """The health visitor's own reflection on the conversation."""

    reflection = forms.CharField(
        label="Your reflection",
        required=False,
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What stood out to you in what the parent said and how they said it.",
        error_messages={"max_length": too_long("Your reflection", NOTE_LENGTH)},
    )
    raised_concern = forms.TypedChoiceField(
        label="Did anything raise concern?",
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            # The reflection may be left empty, so its label says "(optional)".
            Field("reflection", label_size="s"),
            Field("raised_concern", label_size="s", inline=True, template=QUESTION_TEMPLATE),
            _buttons(
                Submit("Save and complete", name="action", value=CONTINUE),
                Submit("Save and come back later", name="action", value=LATER, variant="secondary"),
            ),
        )

    @staticmethod
    def initial_for(conversation) -> dict:
        """The form's initial values from a saved conversation."""
        concern = {True: "yes", False: "no"}.get(conversation.raised_concern)
        return {"reflection": conversation.reflection, "raised_concern": concern}
