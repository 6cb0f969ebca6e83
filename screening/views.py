"""Step 2 for the health visitor: instruments, their results, concerns, strengths and needs.

Records come through ``visible_to(request.user)`` before anything else, so another team's record
is a 404 for every method. Forms check shape; the services score, check the parent's agreement to
each questionnaire and raise the urgent concerns. Nothing here waits for consent to the
relationship conversation: step 2 is open at every contact whatever was decided there, and a
concern can be flagged at a contact or straight from the family page.
"""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from attachment_app.accounts.typed_input import RESTORED_MESSAGE, RestoreTypedInputMixin
from attachment_app.nhsuk_forms.helpers import add_service_errors
from conversations.models import ConsentDecision, Contact, Conversation, Family

from . import engine, services
from .forms import (
    AcknowledgeConcernForm,
    CloseConcernForm,
    ConcernForm,
    InstrumentForm,
    ObservationForm,
    ResultEntryForm,
    item_field_name,
    item_legend,
)
from .models import Concern, InstrumentDefinition, Observation, ScreeningResult
from .ordering import in_instrument_order
from .selectors_instruments import (
    local_item_texts,
    local_option_texts,
    local_wording_complete,
    option_label,
    safety_rule_label,
)


def _current_definitions() -> list[InstrumentDefinition]:
    """The newest version of every instrument that is not retired, in the order offered."""
    newest = (
        InstrumentDefinition.objects.filter(retired_at__isnull=True)
        .order_by("code", "-version")
        .distinct("code")
    )
    return in_instrument_order(newest, code=lambda row: row.code, name=lambda row: row.name)


class _ContactPageView(RestoreTypedInputMixin, View):
    """A step 2 page for one contact: fetched in scope first, for every method."""

    template_name = ""

    def dispatch(self, request, *args, contact_id, **kwargs):
        self.contact = get_object_or_404(
            Contact.objects.visible_to(request.user).select_related("family", "baby"),
            pk=contact_id,
        )
        self.family = self.contact.family
        self.conversation = (
            Conversation.objects.visible_to(request.user).filter(contact=self.contact).first()
        )
        return super().dispatch(request, *args, **kwargs)

    @property
    def conversation_declined(self) -> bool:
        """The parent chose not to have the relationship conversation (or withdrew from it)."""
        conversation = self.conversation
        return conversation is not None and conversation.consent_status in (
            ConsentDecision.Decision.DECLINED,
            ConsentDecision.Decision.DEFERRED,
            ConsentDecision.Decision.WITHDRAWN,
        )

    def start_url(self) -> str:
        return reverse("screening_start", args=[self.contact.pk])

    def context(self, **extra) -> dict:
        return {
            "contact": self.contact,
            "family": self.family,
            "conversation": self.conversation,
            "restored": self.restored,
            "restored_message": RESTORED_MESSAGE,
            **extra,
        }


class StartScreeningView(_ContactPageView):
    """Step 2 at a contact: choose an instrument, record a strength or need, flag a concern."""

    template_name = "screening/screening_start.html"

    def get(self, request):
        definitions = _current_definitions()
        user = request.user
        results = (
            ScreeningResult.objects.visible_to(user)
            .filter(contact=self.contact)
            .select_related("definition", "superseded_by")
        )
        concerns = (
            Concern.objects.visible_to(user).filter(contact=self.contact).select_related("category")
        )
        observations = Observation.objects.visible_to(user).filter(contact=self.contact)
        return render(
            request,
            self.template_name,
            self.context(
                questionnaires=[d for d in definitions if d.kind == "items"],
                observational=[d for d in definitions if d.kind == "result_only"],
                results=list(results),
                concerns=list(concerns),
                observations=list(observations),
                conversation_declined=self.conversation_declined,
            ),
        )


class CompleteInstrumentView(_ContactPageView):
    """One instrument on one page: the items as radios, or a rater's result for observations."""

    def dispatch(self, request, *args, code, **kwargs):
        self.code = code
        return super().dispatch(request, *args, **kwargs)

    def setup_definition(self) -> None:
        # After the contact is fetched in scope, so an unknown code never hides a 404 for scope.
        try:
            self.definition = services.current_definition(self.code)
        except InstrumentDefinition.DoesNotExist:
            raise Http404("No such instrument") from None
        self.loaded = engine.load_definition(self.definition.definition)
        self.result_only = self.loaded.kind == "result_only"
        self.setup_wording()

    def setup_wording(self) -> None:
        """Wording an admin entered under the trust's licence (EPDS), shown in place of labels;
        until all of it is entered, the page is for entering the answers from the printed form."""
        self.local_texts: dict[str, str] = local_item_texts(self.definition)
        self.local_options = local_option_texts(self.definition)
        self.paper_form = not local_wording_complete(self.definition, self.loaded)

    def make_form(self, data=None):
        if self.result_only:
            return ResultEntryForm(data, definition=self.loaded, cancel_url=self.start_url())
        return InstrumentForm(
            data,
            definition=self.loaded,
            cancel_url=self.start_url(),
            local_texts=self.local_texts,
            local_options=self.local_options,
            paper_form=self.paper_form,
        )

    def get(self, request):
        self.setup_definition()
        return self.render_form(self.make_form(self.restored_input()))

    def post(self, request):
        self.setup_definition()
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                result = self.record(form)
            except ValidationError as error:
                self.add_errors(form, error)
            else:
                return redirect("screening_result_detail", result.pk)
        return self.render_form(form)

    def record(self, form) -> ScreeningResult:
        if self.result_only:
            return services.screening_result_record_entry(
                actor=self.request.user,
                contact=self.contact,
                definition=self.definition,
                **form.entry(),
            )
        return services.screening_result_record(
            actor=self.request.user,
            contact=self.contact,
            definition=self.definition,
            answers=form.answers(),
            parent_agreed=form.cleaned_data["parent_agreed"],
        )

    def add_errors(self, form, error: ValidationError) -> None:
        """The service's errors on the fieldsets they are about; the answers stay as given."""
        if self.result_only or not hasattr(error, "error_dict"):
            add_service_errors(form, error)
            return
        for key, texts in error.message_dict.items():
            name = key if key in form.fields else item_field_name(key)
            form.add_error(name if name in form.fields else None, texts)

    def render_form(self, form):
        template = (
            "screening/screening_complete_entry.html"
            if self.result_only
            else "screening/screening_complete.html"
        )
        return render(
            self.request,
            template,
            self.context(
                form=form,
                definition=self.loaded,
                stored=self.definition,
                paper_form=self.paper_form,
            ),
        )


class CorrectScreeningResultView(CompleteInstrumentView):
    """Correct a result: the instrument again, filled in as recorded, and why it is corrected.

    The new result supersedes the old one, which is kept and says it was corrected; only a
    current result can be corrected. The correction is scored with the version that scored the
    old result, or, if that version has been retired, with the instrument's current version.
    """

    ALREADY_CORRECTED = (
        "This result has already been corrected, so it cannot be corrected again. "
        "Open the corrected result to correct it instead."
    )
    NOT_OFFERED = (
        "This instrument is no longer offered, so the result cannot be corrected. "
        "Ask an administrator if it needs to be."
    )

    def dispatch(self, request, *args, result_id, **kwargs):
        self.old = get_object_or_404(
            ScreeningResult.objects.visible_to(request.user).select_related(
                "definition", "recorded_by"
            ),
            pk=result_id,
        )
        return super().dispatch(
            request,
            *args,
            contact_id=self.old.contact_id,
            code=self.old.definition.code,
            **kwargs,
        )

    def result_url(self) -> str:
        return reverse("screening_result_detail", args=[self.old.pk])

    def setup_definition(self) -> None:
        # The version that scored the old result, unless it has been retired since.
        if self.old.definition.retired_at is None:
            self.definition = self.old.definition
        else:
            try:
                self.definition = services.current_definition(self.code)
            except InstrumentDefinition.DoesNotExist:
                raise _CannotCorrect(self.NOT_OFFERED) from None
        self.loaded = engine.load_definition(self.definition.definition)
        self.result_only = self.loaded.kind == "result_only"
        self.setup_wording()

    def check_correctable(self) -> None:
        corrected = (
            ScreeningResult.objects.visible_to(self.request.user).filter(supersedes=self.old)
        ).exists()
        if corrected:
            raise _CannotCorrect(self.ALREADY_CORRECTED)

    def initial(self) -> dict:
        """The old result as the form's starting values."""
        old = self.old
        if not self.result_only:
            return {
                "parent_agreed": bool(old.parent_agreed),
                **{item_field_name(key): value for key, value in old.answers.items() if value},
            }
        score = old.answers.get("score")
        return {
            "parent_agreed": bool(old.parent_agreed),
            "assessed_on": _assessed_on(old),
            "rater": old.rater,
            "certification": old.certification,
            "score": Decimal(score) if score else None,
            "band": old.band,
            "summary": old.summary,
        }

    def make_form(self, data=None):
        options = {
            "definition": self.loaded,
            "cancel_url": self.result_url(),
            "correction": True,
            "initial": None if data is not None else self.initial(),
        }
        if self.result_only:
            return ResultEntryForm(data, **options)
        return InstrumentForm(
            data,
            local_texts=self.local_texts,
            local_options=self.local_options,
            paper_form=self.paper_form,
            **options,
        )

    def get(self, request):
        try:
            self.check_correctable()
            self.setup_definition()
        except _CannotCorrect as refusal:
            return self.refuse(str(refusal))
        return self.render_form(self.make_form(self.restored_input()))

    def post(self, request):
        try:
            self.check_correctable()
            self.setup_definition()
        except _CannotCorrect as refusal:
            return self.refuse(str(refusal))
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                result = self.record(form)
            except ValidationError as error:
                # Corrected by someone else since the page was opened.
                if "supersedes" in getattr(error, "error_dict", {}):
                    return self.refuse(self.ALREADY_CORRECTED)
                self.add_errors(form, error)
            else:
                messages.success(request, "Result corrected")
                return redirect("screening_result_detail", result.pk)
        return self.render_form(form)

    def record(self, form) -> ScreeningResult:
        correction = {
            "supersedes": self.old,
            "correction_reason": form.cleaned_data["correction_reason"],
        }
        if self.result_only:
            return services.screening_result_record_entry(
                actor=self.request.user,
                contact=self.contact,
                definition=self.definition,
                **form.entry(),
                **correction,
            )
        return services.screening_result_record(
            actor=self.request.user,
            contact=self.contact,
            definition=self.definition,
            answers=form.answers(),
            parent_agreed=form.cleaned_data["parent_agreed"],
            **correction,
        )

    def refuse(self, message: str):
        """Back to the old result, which links to its correction if there is one."""
        messages.warning(self.request, message)
        return redirect(self.result_url())

    def render_form(self, form):
        return render(
            self.request,
            "screening/screening_result_correct.html",
            self.context(
                form=form,
                definition=self.loaded,
                stored=self.definition,
                old=self.old,
                new_version=self.definition.pk != self.old.definition_id,
                paper_form=self.paper_form,
            ),
        )


class _CannotCorrect(Exception):
    """Why a result cannot be corrected, in words for the user."""


class ShowScreeningResultView(View):
    """A result: total, band and what it means, any safety rule first, and what to offer next."""

    template_name = "screening/screening_result_detail.html"

    def dispatch(self, request, *args, result_id, **kwargs):
        self.result = get_object_or_404(
            ScreeningResult.objects.visible_to(request.user).select_related(
                "definition", "contact", "family", "recorded_by", "supersedes"
            ),
            pk=result_id,
        )
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        result = self.result
        # The version that scored it, never the current one: a new version does not rescore.
        loaded = engine.load_definition(result.definition.definition)
        concerns = {
            concern.source_rule: concern
            for concern in Concern.objects.visible_to(request.user)
            .filter(source_result=result)
            .select_related("acknowledged_by")
        }
        safety = [
            {
                "rule": rule,
                "label": safety_rule_label(result.definition, loaded, rule),
                "concern": concerns.get(rule.id),
            }
            for rule in loaded.safety_rules
            if rule.id in result.triggered_rules
        ]
        corrected_by = (
            ScreeningResult.objects.visible_to(request.user)
            .filter(supersedes=result)
            .select_related("recorded_by")
            .first()
        )
        return render(
            request,
            self.template_name,
            {
                "result": result,
                "definition": loaded,
                "contact": result.contact,
                "family": result.family,
                "band": _band(loaded, result),
                "answers": _answers(loaded, result),
                "assessed_on": _assessed_on(result),
                "scales": [
                    {"name": scale.name, "total": result.scale_totals.get(scale.id)}
                    for scale in loaded.scales
                ],
                "safety": safety,
                "suggestions": _suggestions(loaded, result),
                "corrected_by": corrected_by,
            },
        )


def _band(loaded: engine.Definition, result: ScreeningResult):
    """The band the result fell in, with its meaning; for entered results, the chosen band."""
    if loaded.result_entry is not None:
        choices = loaded.result_entry.band_choices
        return next((choice for choice in choices if choice.label == result.band), None)
    return next((band for band in loaded.bands if band.label == result.band), None)


def _assessed_on(result: ScreeningResult) -> datetime.date | None:
    """For a rater's result, the date of the assessment, as entered."""
    entered = result.answers.get("assessed_on") if result.definition.kind == "result_only" else None
    return datetime.date.fromisoformat(entered) if entered else None


def _answers(loaded: engine.Definition, result: ScreeningResult) -> list[dict]:
    """Each item's wording and the answer given, in the order asked.

    Until the licensed wording is entered in full, items by number and answers by their printed
    position, as on the page they were entered from.
    """
    if not loaded.items:
        return []
    paper_form = not local_wording_complete(result.definition, loaded)
    local_texts = {} if paper_form else local_item_texts(result.definition)
    local_options = {} if paper_form else local_option_texts(result.definition)
    answers = []
    for item in loaded.items:
        option = item.option(result.answers.get(item.id) or "")
        answers.append(
            {
                "item": item_legend(loaded, item, local_texts, paper_form=paper_form),
                "option": option,
                "option_label": option
                and option_label(item, option, local_options, paper_form=paper_form),
            }
        )
    return answers


def _suggestions(loaded: engine.Definition, result: ScreeningResult) -> list[dict]:
    """What the definition suggests offering next, as links for the same contact."""
    if result.positive is None:
        return []
    when = "positive" if result.positive else "negative"
    wanted = [s for s in loaded.suggestions if s.when == when]
    names = {definition.code: definition.name for definition in _current_definitions()}
    return [
        {
            "reason": suggestion.reason,
            "links": [
                {
                    "name": names[code],
                    "url": reverse("screening_complete", args=[result.contact_id, code]),
                }
                for code in suggestion.suggest
                # A suggested instrument that has since been retired is not offered.
                if code in names
            ],
        }
        for suggestion in wanted
    ]


class _FlagConcernMixin:
    """Flag a concern, urgent if it cannot wait; then the concern's page, which leads on to
    services for the family. No consent is asked for (hazard H-037)."""

    template_name = "screening/concern_create.html"

    def make_form(self, data=None):
        return ConcernForm(data, cancel_url=self.cancel_url())

    def get(self, request):
        return self.render_form(self.make_form(self.restored_input()))

    def post(self, request):
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                concern = self.raise_concern(form)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if concern.urgent:
                    messages.success(
                        request,
                        "Urgent concern flagged. It shows on your home page and your team "
                        "lead's until one of you records the action taken.",
                    )
                else:
                    messages.success(request, "Concern flagged")
                return redirect("concern_acknowledge", concern.pk)
        return self.render_form(form)

    def render_form(self, form):
        return render(self.request, self.template_name, self.context(form=form))


class CreateConcernView(_FlagConcernMixin, _ContactPageView):
    """Flag a concern about the family at this contact, whatever was decided about consent."""

    def cancel_url(self) -> str:
        return self.start_url()

    def raise_concern(self, form) -> Concern:
        return services.concern_raise(
            actor=self.request.user, contact=self.contact, **form.cleaned_data
        )


class CreateFamilyConcernView(_FlagConcernMixin, RestoreTypedInputMixin, View):
    """Flag a concern straight from the family page, with no contact: a safeguarding worry
    heard on the phone or from another professional is recorded when it arises."""

    def dispatch(self, request, *args, family_id, **kwargs):
        self.family = get_object_or_404(Family.objects.visible_to(request.user), pk=family_id)
        return super().dispatch(request, *args, **kwargs)

    def cancel_url(self) -> str:
        return reverse("family_detail", args=[self.family.pk])

    def raise_concern(self, form) -> Concern:
        return services.concern_raise(
            actor=self.request.user, family=self.family, **form.cleaned_data
        )

    def context(self, **extra) -> dict:
        return {
            "family": self.family,
            "contact": None,
            "back_url": self.cancel_url(),
            "restored": self.restored,
            "restored_message": RESTORED_MESSAGE,
            **extra,
        }


class CreateObservationView(_ContactPageView):
    """Record a strength of the family or an area where they need support."""

    template_name = "screening/observation_create.html"

    def make_form(self, data=None):
        return ObservationForm(data, cancel_url=self.start_url())

    def get(self, request):
        return self.render_form(self.make_form(self.restored_input()))

    def post(self, request):
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                observation = services.observation_record(
                    actor=request.user, contact=self.contact, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{observation.get_kind_display()} recorded")
                return redirect(self.start_url())
        return self.render_form(form)

    def render_form(self, form):
        return render(self.request, self.template_name, self.context(form=form))


class _ConcernPageView(RestoreTypedInputMixin, View):
    """A page about one concern, fetched in scope first, for every method."""

    template_name = ""

    def dispatch(self, request, *args, concern_id, **kwargs):
        self.concern = get_object_or_404(
            Concern.objects.visible_to(request.user).select_related(
                "family",
                "contact",
                "category",
                "source_result__definition",
                "raised_by",
                "acknowledged_by",
                "closed_by",
            ),
            pk=concern_id,
        )
        return super().dispatch(request, *args, **kwargs)

    def back_url(self) -> str:
        """Where the concern came from: its result, else its contact's step 2 page."""
        concern = self.concern
        if concern.source_result_id:
            return reverse("screening_result_detail", args=[concern.source_result_id])
        if concern.contact_id:
            return reverse("screening_start", args=[concern.contact_id])
        return reverse("family_detail", args=[concern.family_id])

    def render_page(self, form, **extra):
        return render(
            self.request,
            self.template_name,
            {
                "concern": self.concern,
                "family": self.concern.family,
                "contact": self.concern.contact,
                "form": form,
                "back_url": self.back_url(),
                "restored": self.restored,
                "restored_message": RESTORED_MESSAGE,
                "may_close": self.may_close,
                **extra,
            },
        )

    @property
    def needs_acknowledging(self) -> bool:
        return self.concern.urgent and self.concern.acknowledged_at is None

    @property
    def may_close(self) -> bool:
        """Open, and not an urgent concern still awaiting acknowledgement."""
        return self.concern.closed_at is None and not self.needs_acknowledging


class AcknowledgeConcernView(_ConcernPageView):
    """Record what was done about an urgent concern: by the family's HV or their team lead.

    For a concern that needs no acknowledging (any more), this is the concern's own page.
    """

    template_name = "screening/concern_acknowledge.html"

    def make_form(self, data=None):
        return AcknowledgeConcernForm(data, cancel_url=self.back_url())

    def get(self, request):
        form = self.make_form(self.restored_input()) if self.needs_acknowledging else None
        return self.render_page(form)

    def post(self, request):
        if not self.needs_acknowledging:
            return self.render_page(None)
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                services.concern_acknowledge(
                    actor=request.user, concern=self.concern, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Urgent concern acknowledged")
                return redirect(self.back_url())
        return self.render_page(form)


class CloseConcernView(_ConcernPageView):
    """Close a concern that needs no more attention, saying why: the family's HV or team lead.

    An urgent concern is acknowledged, with the action taken, before it can be closed; until
    then this page says so and links to the acknowledgement instead of offering the form.
    """

    template_name = "screening/concern_close.html"
    #: ``?from=family`` when the family page linked here, so saving goes back there. A fixed
    #: choice, never a URL taken from the request.
    FROM_FAMILY = "family"

    def back_url(self) -> str:
        if self.request.GET.get("from") == self.FROM_FAMILY:
            return reverse("family_detail", args=[self.concern.family_id])
        return super().back_url()

    def make_form(self, data=None):
        return CloseConcernForm(data, cancel_url=self.back_url())

    def get(self, request):
        form = self.make_form(self.restored_input()) if self.may_close else None
        return self.render_page(form)

    def post(self, request):
        if not self.may_close:
            return self.render_page(None)
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                services.concern_close(
                    actor=request.user, concern=self.concern, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Concern closed")
                return redirect(self.back_url())
        return self.render_page(form)
