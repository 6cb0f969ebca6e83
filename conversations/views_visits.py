"""Contacts and the step 1 conversation: consent, the three questions and the HV's reflection.

Each page saves as it goes, so a conversation can be left and resumed. Records come through
``visible_to(request.user)`` (another team's record is a 404 for every method), forms check the
shape of the input, and the services decide what may be recorded: without the parent's current
consent they raise ``ConsentRequired``, which these views turn into a message, never an error.
"""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from attachment_app.form_page import FormPageView, PageView

from . import selectors, services
from .forms_visits import (
    LATER,
    QUESTION_FEAR,
    QUESTION_JOY,
    QUESTION_WORDS,
    AnswersForm,
    ConsentForm,
    ContactForm,
    ReflectionForm,
)
from .models import ConsentDecision, Contact, Conversation, Family
from .schedule import DUE, OVERDUE
from .selectors import CONVERSATION_STATES

Decision = ConsentDecision.Decision

NEEDS_CONSENT_MESSAGE = (
    "The parent's consent is needed before their answers can be recorded. Ask them first."
)
WITHDRAWN_MESSAGE = "Consent was withdrawn: nothing more can be recorded in this conversation."
#: What the page says once a decision other than consent is recorded.
DECISION_RECORDED = {
    Decision.DECLINED: "Recorded that they would rather not talk about it",
    Decision.DEFERRED: "Recorded that they would like to talk about it another time",
}
#: Where each answer missing at completion is typed, for the error summary's links.
ANSWER_ANCHORS = {"word_1": "id_word_1", "joy": "id_joy", "fear": "id_fear"}


def _visible_conversation(request, conversation_id) -> Conversation:
    return get_object_or_404(
        Conversation.objects.visible_to(request.user).select_related(
            "family", "contact", "contact__baby"
        ),
        pk=conversation_id,
    )


def _state(conversation: Conversation) -> dict:
    label, tag_class = CONVERSATION_STATES[conversation.state]
    return {"label": label, "tag_class": tag_class}


def next_page_url(conversation: Conversation) -> str | None:
    """The first page of the conversation that still needs something, if it can go on."""
    status = conversation.consent_status
    if status in ("", Decision.DECLINED, Decision.DEFERRED):
        return reverse("conversation_consent", args=[conversation.pk])
    if status != Decision.GIVEN or conversation.completed_at is not None:
        return None
    if conversation.unanswered:
        return reverse("conversation_answers", args=[conversation.pk])
    return reverse("conversation_reflection", args=[conversation.pk])


# --- Contacts ---------------------------------------------------------------------------------


def contact_defaults(family: Family, today) -> dict:
    """What a new contact most likely is: today, and the mandated contact due now, if one is.

    Only a contact whose window has opened (due or overdue) is chosen for the HV: a visit
    before the next window opens is more likely an additional one, so nothing is assumed.
    """
    initial = {"contact_date": today}
    window = selectors.next_contact(family, today)
    if window is not None and window.status in (DUE, OVERDUE):
        initial["contact_type"] = family.next_contact_type
    return initial


def family_url(family: Family) -> str:
    return reverse("family_detail", args=[family.pk])


class CreateContactView(FormPageView):
    """Record a visit or other contact with a family, then offer the conversation."""

    template_name = "conversations/contact_create.html"
    form_class = ContactForm
    success_message = "Contact recorded"

    def load(self, family_id):
        self.family = get_object_or_404(Family.objects.visible_to(self.request.user), pk=family_id)

    def initial(self):
        return contact_defaults(self.family, timezone.localdate())

    def form_kwargs(self):
        return {"family": self.family, "cancel_url": family_url(self.family)}

    def perform(self, form):
        data = dict(form.cleaned_data)
        if "baby" not in data:
            babies = list(self.family.babies.all())
            data["baby"] = babies[0] if len(babies) == 1 else None
        return services.contact_record(actor=self.request.user, family=self.family, **data)

    def success_url(self, contact):
        return reverse("conversation_start", args=[contact.pk])

    def context(self):
        return {"family": self.family}


# --- The conversation -------------------------------------------------------------------------


class StartConversationView(FormPageView):
    """Offer the conversation about the relationship for a contact (GET), or open it (POST).

    A form with no fields but its submission key: one press opens one conversation, and once
    a conversation is open for the contact the page goes to it.
    """

    template_name = "conversations/conversation_start.html"
    form_class = forms.Form

    def load(self, contact_id):
        self.contact = get_object_or_404(
            Contact.objects.visible_to(self.request.user).select_related("family", "baby"),
            pk=contact_id,
        )

    def existing(self) -> Conversation | None:
        visible = Conversation.objects.visible_to(self.request.user)
        return visible.filter(contact=self.contact).first()

    def refuse(self):
        conversation = self.existing()
        if conversation is not None:
            return redirect("conversation_detail", conversation.pk)
        return None

    def form_kwargs(self):
        return {}

    def perform(self, form):
        return services.conversation_start(actor=self.request.user, contact=self.contact)

    def success_url(self, result) -> str:
        return next_page_url(result) or conversation_url(result)

    def context(self):
        return {"contact": self.contact, "family": self.contact.family}


def conversation_url(conversation: Conversation) -> str:
    return reverse("conversation_detail", args=[conversation.pk])


class _ConversationPage(FormPageView):
    """A page of the conversation that records something, only while consent is given.

    Without the parent's current consent (not yet asked, declined, or withdrawn, perhaps by a
    colleague since the page was opened) it sends the user where they can go on, with a message.
    """

    def load(self, conversation_id):
        self.conversation = _visible_conversation(self.request, conversation_id)
        self.family = self.conversation.family

    def form_kwargs(self):
        return {}

    def refuse(self):
        if self.conversation.consent_status != Decision.GIVEN:
            return self.without_consent()
        return None

    def consent_required(self, error):
        return self.without_consent()

    def without_consent(self):
        """Send the user where they can go on when consent is not (or no longer) given."""
        if self.conversation.consent_status == Decision.WITHDRAWN:
            messages.warning(self.request, WITHDRAWN_MESSAGE)
            return redirect(conversation_url(self.conversation))
        messages.warning(self.request, NEEDS_CONSENT_MESSAGE)
        return redirect("conversation_consent", self.conversation.pk)

    @property
    def later(self) -> bool:
        """Whether "Save and come back later" was pressed."""
        return self.request.POST.get("action") == LATER

    def context(self):
        return {
            "conversation": self.conversation,
            "contact": self.conversation.contact,
            "family": self.family,
            "state": _state(self.conversation),
        }


class RecordConsentView(_ConversationPage):
    """Introduce the three questions and record the parent's decision."""

    keeps_drafts = True

    template_name = "conversations/conversation_consent.html"
    form_class = ConsentForm

    def refuse(self):
        """Once consent is given the page moves on; once withdrawn nothing more is asked."""
        status = self.conversation.consent_status
        if status == Decision.GIVEN:
            return redirect(next_page_url(self.conversation) or conversation_url(self.conversation))
        if status == Decision.WITHDRAWN:
            return self.without_consent()
        return None

    def initial(self):
        # Those who took part last time (a deferred conversation taken up again), or the only
        # parent or carer there is. With two, the HV ticks who is there: never assumed.
        if self.conversation.participants:
            return {"caregivers": [person.pk for person in self.conversation.participants]}
        caregivers = list(self.family.caregivers.in_record())
        if len(caregivers) == 1:
            return {"caregivers": [caregivers[0].pk]}
        return {}

    def form_kwargs(self):
        return {"family": self.family, "cancel_url": conversation_url(self.conversation)}

    def perform(self, form):
        return services.consent_record(
            actor=self.request.user, conversation=self.conversation, **form.cleaned_data
        )

    def success_url(self, entry):
        if entry.decision == Decision.GIVEN:
            return reverse("conversation_answers", args=[self.conversation.pk])
        return conversation_url(self.conversation)

    def message(self, entry):
        return DECISION_RECORDED.get(entry.decision, "")

    def context(self):
        return {**super().context(), "has_caregivers": self.family.caregivers.in_record().exists()}


class RecordAnswersView(_ConversationPage):
    """The three questions, in the parent's own words, each answered or declined.

    "Save and continue" needs every question answered or declined (the service checks, and the
    errors show here, above the questions); "Save and come back later" keeps a draft.
    """

    keeps_drafts = True

    template_name = "conversations/conversation_answers.html"
    form_class = AnswersForm

    def initial(self):
        return {name: getattr(self.conversation, name) for name in AnswersForm.base_fields}

    def perform(self, form):
        services.conversation_save_answers(
            actor=self.request.user,
            conversation=self.conversation,
            draft=self.later,
            **form.cleaned_data,
        )

    def success_url(self, result):
        if self.later:
            return family_url(self.family)
        return reverse("conversation_reflection", args=[self.conversation.pk])

    def message(self, result):
        if self.later:
            return "Answers saved. You can carry on from this page or from the caseload."
        return ""


class RecordReflectionView(_ConversationPage):
    """The HV's reflection and whether anything raised concern; then step 1 is complete."""

    keeps_drafts = True

    template_name = "conversations/conversation_reflection.html"
    form_class = ReflectionForm
    #: What completion found missing on the answers page, for the error summary's links.
    missing_answers: list[dict] = []

    def initial(self):
        return ReflectionForm.initial_for(self.conversation)

    def perform(self, form):
        self.conversation = services.conversation_save_reflection(
            actor=self.request.user, conversation=self.conversation, **form.cleaned_data
        )
        if not self.later:
            services.conversation_complete(actor=self.request.user, conversation=self.conversation)

    def success_url(self, result):
        return family_url(self.family) if self.later else conversation_url(self.conversation)

    def message(self, result):
        if self.later:
            return "Reflection saved. You can carry on from the family page."
        return "Conversation completed"

    def show_errors(self, form, error):
        """What completion found missing: on this page's fields, or linked to the answers page."""
        answers_url = reverse("conversation_answers", args=[self.conversation.pk])
        self.missing_answers = []
        for field, texts in error.message_dict.items():
            if field in form.fields:
                form.add_error(field, texts)
            else:
                anchor = ANSWER_ANCHORS.get(field, "")
                self.missing_answers.extend(
                    {"text": text, "href": f"{answers_url}#{anchor}"} for text in texts
                )

    def context(self):
        return {**super().context(), "missing_answers": self.missing_answers}


class ShowConversationView(PageView):
    """The conversation so far: consent, the parent's answers, the HV's reflection."""

    template_name = "conversations/conversation_detail.html"

    def load(self, conversation_id):
        self.conversation = _visible_conversation(self.request, conversation_id)

    def get(self, request):
        conversation = self.conversation
        can_change = conversation.consent_status == Decision.GIVEN
        decisions = list(
            conversation.consent_decisions.select_related("recorded_by").prefetch_related(
                "caregivers"
            )
        )
        return render(
            request,
            self.template_name,
            {
                "conversation": conversation,
                "contact": conversation.contact,
                "family": conversation.family,
                "state": _state(conversation),
                "decisions": decisions,
                "participants": decisions[-1].caregivers.all() if decisions else [],
                "next_url": next_page_url(conversation),
                "can_change": can_change,
                # Where each answer is changed, while consent stands; no links after it.
                "change_urls": change_urls(conversation) if can_change else {},
                "read_only": not can_change,
                "questions": {
                    "words": QUESTION_WORDS,
                    "joy": QUESTION_JOY,
                    "fear": QUESTION_FEAR,
                },
            },
        )


def change_urls(conversation: Conversation) -> dict[str, str]:
    """The page and place where each recorded answer of the conversation is changed."""
    answers = reverse("conversation_answers", args=[conversation.pk])
    reflection = reverse("conversation_reflection", args=[conversation.pk])
    return {
        "words": f"{answers}#id_word_1",
        "joy": f"{answers}#id_joy",
        "fear": f"{answers}#id_fear",
        "reflection": reflection,
    }


class WithdrawConsentView(_ConversationPage):
    """Record that the parent withdrew consent: nothing more is recorded after it.

    The page asks for confirmation only: its form has no fields.
    """

    template_name = "conversations/conversation_withdraw.html"
    form_class = forms.Form
    success_message = "Consent withdrawn. Nothing more will be recorded."

    #: Set when the service refused the withdrawal (someone recorded a decision first).
    refused_by_service = False

    def refuse(self):
        if self.conversation.consent_status != Decision.GIVEN:
            messages.warning(self.request, "Consent can only be withdrawn after it was given.")
            return redirect(conversation_url(self.conversation))
        return None

    def perform(self, form):
        services.consent_record(
            actor=self.request.user, conversation=self.conversation, decision=Decision.WITHDRAWN
        )

    def success_url(self, result):
        return conversation_url(self.conversation)

    def show_errors(self, form, error):
        """Someone recorded a decision first: say why, on the conversation's page."""
        for text in error.messages:
            messages.warning(self.request, text)
        self.refused_by_service = True

    def render_page(self, form):
        if self.refused_by_service:
            return redirect(conversation_url(self.conversation))
        return super().render_page(form)
