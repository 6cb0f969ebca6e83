"""Contacts and the step 1 conversation: consent, the three questions and the HV's reflection.

Each page saves as it goes, so a conversation can be left and resumed. Records come through
``visible_to(request.user)`` (another team's record is a 404 for every method), forms check the
shape of the input, and the services decide what may be recorded: without the parent's current
consent they raise ``ConsentRequired``, which these views turn into a message, never an error.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from attachment_app.accounts.typed_input import RESTORED_MESSAGE, RestoreTypedInputMixin
from attachment_app.nhsuk_forms.helpers import add_service_errors

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


class CreateContactView(RestoreTypedInputMixin, View):
    """Record a visit or other contact with a family, then offer the conversation."""

    template_name = "conversations/contact_create.html"

    def dispatch(self, request, *args, family_id, **kwargs):
        families = Family.objects.visible_to(request.user)
        self.family = get_object_or_404(families, pk=family_id)
        return super().dispatch(request, *args, **kwargs)

    def make_form(self, data=None):
        return ContactForm(
            data,
            initial=contact_defaults(self.family, timezone.localdate()),
            family=self.family,
            cancel_url=reverse("family_detail", args=[self.family.pk]),
        )

    def get(self, request):
        return self.render_form(self.make_form(self.restored_input()))

    def post(self, request):
        form = self.make_form(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            if "baby" not in data:
                babies = list(self.family.babies.all())
                data["baby"] = babies[0] if len(babies) == 1 else None
            try:
                contact = services.contact_record(actor=request.user, family=self.family, **data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Contact recorded")
                return redirect("conversation_start", contact.pk)
        return self.render_form(form)

    def render_form(self, form):
        return render(
            self.request,
            self.template_name,
            {"form": form, "family": self.family, "restored": self.restored},
        )


# --- The conversation -------------------------------------------------------------------------


class StartConversationView(View):
    """Offer the conversation about the relationship for a contact (GET), or open it (POST)."""

    template_name = "conversations/conversation_start.html"

    def dispatch(self, request, *args, contact_id, **kwargs):
        self.contact = get_object_or_404(
            Contact.objects.visible_to(request.user).select_related("family", "baby"),
            pk=contact_id,
        )
        return super().dispatch(request, *args, **kwargs)

    def existing(self) -> Conversation | None:
        visible = Conversation.objects.visible_to(self.request.user)
        return visible.filter(contact=self.contact).first()

    def get(self, request):
        conversation = self.existing()
        if conversation is not None:
            return redirect("conversation_detail", conversation.pk)
        return render(
            request, self.template_name, {"contact": self.contact, "family": self.contact.family}
        )

    def post(self, request):
        conversation = services.conversation_start(actor=request.user, contact=self.contact)
        return redirect(next_page_url(conversation) or conversation_url(conversation))


def conversation_url(conversation: Conversation) -> str:
    return reverse("conversation_detail", args=[conversation.pk])


class _ConversationPageView(RestoreTypedInputMixin, View):
    """A page of the conversation: fetched in scope before anything else, for every method."""

    template_name = ""

    def dispatch(self, request, *args, conversation_id, **kwargs):
        self.conversation = _visible_conversation(request, conversation_id)
        self.family = self.conversation.family
        return super().dispatch(request, *args, **kwargs)

    def family_url(self) -> str:
        return reverse("family_detail", args=[self.family.pk])

    def context(self, **extra) -> dict:
        return {
            "conversation": self.conversation,
            "contact": self.conversation.contact,
            "family": self.family,
            "state": _state(self.conversation),
            "restored": self.restored,
            "restored_message": RESTORED_MESSAGE,
            **extra,
        }

    def refuse_without_consent(self):
        """Send the user where they can go on when consent is not (or no longer) given."""
        if self.conversation.consent_status == Decision.WITHDRAWN:
            messages.warning(self.request, WITHDRAWN_MESSAGE)
            return redirect(conversation_url(self.conversation))
        messages.warning(self.request, NEEDS_CONSENT_MESSAGE)
        return redirect("conversation_consent", self.conversation.pk)


class RecordConsentView(_ConversationPageView):
    """Introduce the three questions and record the parent's decision."""

    template_name = "conversations/conversation_consent.html"

    def make_form(self, data=None):
        # Those who took part last time (a deferred conversation taken up again), or the only
        # parent or carer there is. With two, the HV ticks who is there: never assumed.
        caregivers = list(self.family.caregivers.all())
        initial = {}
        if self.conversation.participants:
            initial["caregivers"] = [person.pk for person in self.conversation.participants]
        elif len(caregivers) == 1:
            initial["caregivers"] = [caregivers[0].pk]
        return ConsentForm(
            data,
            initial=initial,
            family=self.family,
            cancel_url=conversation_url(self.conversation),
        )

    def gone_past_consent(self):
        if self.conversation.consent_status == Decision.GIVEN:
            return redirect(next_page_url(self.conversation) or conversation_url(self.conversation))
        if self.conversation.consent_status == Decision.WITHDRAWN:
            messages.warning(self.request, WITHDRAWN_MESSAGE)
            return redirect(conversation_url(self.conversation))
        return None

    def get(self, request):
        return self.gone_past_consent() or self.render_form(self.make_form(self.restored_input()))

    def post(self, request):
        refused = self.gone_past_consent()
        if refused:
            return refused
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                entry = services.consent_record(
                    actor=request.user, conversation=self.conversation, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if entry.decision == Decision.GIVEN:
                    return redirect("conversation_answers", self.conversation.pk)
                messages.success(request, DECISION_RECORDED[entry.decision])
                return redirect(conversation_url(self.conversation))
        return self.render_form(form)

    def render_form(self, form):
        return render(
            self.request,
            self.template_name,
            self.context(form=form, has_caregivers=self.family.caregivers.exists()),
        )


class RecordAnswersView(_ConversationPageView):
    """The three questions, in the parent's own words, each answered or declined.

    "Save and continue" needs every question answered or declined (the service checks, and the
    errors show here, above the questions); "Save and come back later" keeps a draft.
    """

    template_name = "conversations/conversation_answers.html"

    def get(self, request):
        if self.conversation.consent_status != Decision.GIVEN:
            return self.refuse_without_consent()
        data = self.restored_input()
        if data is not None:
            form = AnswersForm(data)
        else:
            fields = AnswersForm.base_fields
            form = AnswersForm(initial={name: getattr(self.conversation, name) for name in fields})
        return render(request, self.template_name, self.context(form=form))

    def post(self, request):
        form = AnswersForm(request.POST)
        if form.is_valid():
            later = request.POST.get("action") == LATER
            try:
                services.conversation_save_answers(
                    actor=request.user,
                    conversation=self.conversation,
                    draft=later,
                    **form.cleaned_data,
                )
            except services.ConsentRequired:
                return self.refuse_without_consent()
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if later:
                    messages.success(
                        request,
                        "Answers saved. You can carry on from this page or from the caseload.",
                    )
                    return redirect(self.family_url())
                return redirect("conversation_reflection", self.conversation.pk)
        return render(request, self.template_name, self.context(form=form))


class RecordReflectionView(_ConversationPageView):
    """The HV's reflection and whether anything raised concern; then step 1 is complete."""

    template_name = "conversations/conversation_reflection.html"

    def get(self, request):
        if self.conversation.consent_status != Decision.GIVEN:
            return self.refuse_without_consent()
        data = self.restored_input()
        if data is not None:
            form = ReflectionForm(data)
        else:
            form = ReflectionForm(initial=ReflectionForm.initial_for(self.conversation))
        return self.render_form(form)

    def post(self, request):
        form = ReflectionForm(request.POST)
        if not form.is_valid():
            return self.render_form(form)
        try:
            self.conversation = services.conversation_save_reflection(
                actor=request.user, conversation=self.conversation, **form.cleaned_data
            )
            if request.POST.get("action") == LATER:
                messages.success(
                    request, "Reflection saved. You can carry on from the family page."
                )
                return redirect(self.family_url())
            services.conversation_complete(actor=request.user, conversation=self.conversation)
        except services.ConsentRequired:
            return self.refuse_without_consent()
        except ValidationError as error:
            return self.render_form(form, error)
        messages.success(request, "Conversation completed")
        return redirect(conversation_url(self.conversation))

    def render_form(self, form, error: ValidationError | None = None):
        """The form, with what completion found missing: here, or on the answers page."""
        missing_answers = []
        if error is not None:
            answers_url = reverse("conversation_answers", args=[self.conversation.pk])
            for field, texts in error.message_dict.items():
                if field in form.fields:
                    form.add_error(field, texts)
                else:
                    anchor = ANSWER_ANCHORS.get(field, "")
                    missing_answers.extend(
                        {"text": text, "href": f"{answers_url}#{anchor}"} for text in texts
                    )
        return render(
            self.request,
            self.template_name,
            self.context(form=form, missing_answers=missing_answers),
        )


class ShowConversationView(View):
    """The conversation so far: consent, the parent's answers, the HV's reflection."""

    template_name = "conversations/conversation_detail.html"

    def dispatch(self, request, *args, conversation_id, **kwargs):
        # Fetch (and scope) first, so another team's conversation is a 404 for any method.
        self.conversation = _visible_conversation(request, conversation_id)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        conversation = self.conversation
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
                "can_change": conversation.consent_status == Decision.GIVEN,
                "questions": {
                    "words": QUESTION_WORDS,
                    "joy": QUESTION_JOY,
                    "fear": QUESTION_FEAR,
                },
            },
        )


class WithdrawConsentView(_ConversationPageView):
    """Record that the parent withdrew consent: nothing more is recorded after it."""

    template_name = "conversations/conversation_withdraw.html"

    def get(self, request):
        if self.conversation.consent_status != Decision.GIVEN:
            return self.not_given()
        return render(request, self.template_name, self.context())

    def post(self, request):
        if self.conversation.consent_status != Decision.GIVEN:
            return self.not_given()
        try:
            services.consent_record(
                actor=request.user, conversation=self.conversation, decision=Decision.WITHDRAWN
            )
        except ValidationError as error:
            for text in error.messages:
                messages.warning(request, text)
        else:
            messages.success(request, "Consent withdrawn. Nothing more will be recorded.")
        return redirect(conversation_url(self.conversation))

    def not_given(self):
        messages.warning(self.request, "Consent can only be withdrawn after it was given.")
        return redirect(conversation_url(self.conversation))
