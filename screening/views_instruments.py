"""Step 2 at a contact: choose an instrument, then complete it on one page.

A page names the stored version it scores with ``definition_row`` (an ``InstrumentDefinition``)
and that version as the engine reads it ``definition`` (an ``engine.Definition``); templates get
the latter as ``definition``.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from attachment_app.form_page import PageView
from attachment_app.nhsuk_forms.helpers import add_service_errors

from . import engine, services
from .forms import InstrumentForm, ResultEntryForm, item_field_name
from .models import InstrumentDefinition, ScreeningResult
from .selectors_contact import contact_for_page, step_two_at_contact
from .selectors_instruments import current_definition, wording
from .views_base import ContactFormPage


class StartScreeningView(PageView):
    """Step 2 at a contact: choose an instrument, record a strength or need, flag a concern."""

    template_name = "screening/screening_start.html"

    def load(self, contact_id: int) -> None:
        self.contact = contact_for_page(user=self.request.user, contact_id=contact_id)

    def get(self, request):
        return render(
            request,
            self.template_name,
            {
                "contact": self.contact,
                "family": self.contact.family,
                **step_two_at_contact(user=request.user, contact=self.contact),
            },
        )


class InstrumentFormPage(ContactFormPage):
    """One instrument on one page: the items as radios, or a rater's result for observations."""

    definition_row: InstrumentDefinition
    definition: engine.Definition

    def use_definition(self, definition_row: InstrumentDefinition) -> None:
        """Score with this stored version; its form, and the wording the page shows."""
        self.definition_row = definition_row
        self.definition = definition_row.parsed
        self.result_only = self.definition.kind == "result_only"
        self.form_class = ResultEntryForm if self.result_only else InstrumentForm
        # Wording an admin entered under the trust's licence (EPDS), shown in place of labels;
        # until all of it is entered, the page is for entering the answers from the printed form.
        self.wording = wording(definition_row)

    def form_kwargs(self) -> dict[str, Any]:
        kwargs = {**super().form_kwargs(), "definition": self.definition}
        if not self.result_only:
            kwargs["local_texts"] = self.wording.texts
            kwargs["local_options"] = self.wording.options
            kwargs["paper_form"] = self.wording.paper_form
        return kwargs

    def correction(self, form) -> dict[str, Any]:
        """For a correction, the result it supersedes and why, as the services take them."""
        return {}

    def perform(self, form) -> ScreeningResult:
        if self.result_only:
            return services.screening_result_record_entry(
                actor=self.actor,
                contact=self.contact,
                definition=self.definition_row,
                **form.entry(),
                **self.correction(form),
            )
        return services.screening_result_record(
            actor=self.actor,
            contact=self.contact,
            definition=self.definition_row,
            answers=form.answers(),
            parent_agreed=form.cleaned_data["parent_agreed"],
            **self.correction(form),
        )

    def success_url(self, result: ScreeningResult) -> str:
        return reverse("screening_result_detail", args=[result.pk])

    def show_errors(self, form, error: ValidationError) -> None:
        """The service's errors on the fieldsets they are about; the answers stay as given."""
        if self.result_only or not hasattr(error, "error_dict"):
            add_service_errors(form, error)
            return
        for key, texts in error.message_dict.items():
            name = key if key in form.fields else item_field_name(key)
            form.add_error(name if name in form.fields else None, texts)

    def context(self) -> dict[str, Any]:
        return {
            **super().context(),
            "definition": self.definition,
            "paper_form": self.wording.paper_form,
        }


class CompleteInstrumentView(InstrumentFormPage):
    """Complete the current version of an instrument at a contact; then the result."""

    keeps_drafts = True

    def load(self, contact_id: int, code: str) -> None:
        self.load_contact(contact_id)
        # After the contact is fetched in scope, so an unknown code never hides a 404 for scope.
        try:
            self.use_definition(current_definition(code))
        except InstrumentDefinition.DoesNotExist:
            raise Http404("No such instrument") from None
        self.template_name = (
            "screening/screening_complete_entry.html"
            if self.result_only
            else "screening/screening_complete.html"
        )
