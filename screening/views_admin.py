"""The admin's instrument pages: list, add, preview and retire definitions; local item text.

Admins only: everyone else gets a 404, as for any record they may not see. These pages show
definitions, never results or anything else about a family. A page about one version names the
stored row ``definition_row`` and the version as the engine reads it ``definition``.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from attachment_app.form_page import AdminOnlyMixin, FormPageView, PageView
from attachment_app.nhsuk_forms.helpers import add_service_errors

from . import engine, services
from .forms_admin import InstrumentDefinitionForm, LocalItemTextForm
from .models import InstrumentDefinition, LocalItemText, LocalOptionText
from .selectors_instruments import instruments_for_admin, items_for_admin
from .views_base import ScreeningFormPage


class _DefinitionPage(PageView):
    """A page about one definition version, fetched after the admin check."""

    def load(self, definition_id: int) -> None:
        self.definition_row = get_object_or_404(InstrumentDefinition, pk=definition_id)
        self.definition = self.definition_row.parsed

    def local_items(self) -> list[engine.Item]:
        return [item for item in self.definition.items if item.text_supplied_locally]

    def detail_url(self) -> str:
        return reverse("instrument_definition_detail", args=[self.definition_row.pk])


class ListInstrumentsView(AdminOnlyMixin, PageView):
    """Every instrument with its versions, current or retired."""

    def get(self, request):
        return render(
            request,
            "screening/admin_instrument_list.html",
            {"instruments": instruments_for_admin()},
        )


class AddInstrumentDefinitionView(AdminOnlyMixin, ScreeningFormPage):
    """Upload or paste a definition; the engine checks it and lists every problem it finds."""

    template_name = "screening/admin_instrument_definition_add.html"
    form_class = InstrumentDefinitionForm

    def cancel_url(self) -> str:
        return reverse("instrument_list")

    def make_form(self, data=None):
        files = self.request.FILES if data is not None else None
        return InstrumentDefinitionForm(data, files, cancel_url=self.cancel_url())

    def perform(self, form) -> InstrumentDefinition:
        return services.instrument_definition_add(data=form.cleaned_data["data"], actor=self.actor)

    def show_errors(self, form, error: ValidationError) -> None:
        """Each problem the engine found, in the error summary, on the field used."""
        for problem in error.message_dict.get("definition", error.messages):
            form.add_error(form.cleaned_data["source"], problem)

    def success_url(self, row: InstrumentDefinition) -> str:
        return reverse("instrument_definition_detail", args=[row.pk])

    def message(self, row: InstrumentDefinition) -> str:
        return f"{row} added"


class ShowInstrumentDefinitionView(AdminOnlyMixin, _DefinitionPage):
    """One version as the engine reads it: items, scores, bands, rules, licence. Read only,
    but for the retire button, whose form (with its submission key) is the retire page's."""

    def get(self, request):
        return render(
            request,
            "screening/admin_instrument_definition_detail.html",
            {
                "row": self.definition_row,
                "definition": self.definition,
                "items": items_for_admin(self.definition_row),
                "has_local_items": bool(self.local_items()),
                "form": RetireInstrumentDefinitionView().form_for(),
            },
        )


class RetireInstrumentDefinitionView(AdminOnlyMixin, _DefinitionPage, FormPageView):
    """Stop offering a version for new results. POST only, from the version's page (which shows
    this form); results keep the version they used."""

    http_method_names = ["post"]
    form_class = forms.Form

    def form_kwargs(self) -> dict[str, Any]:
        return {}

    def refuse(self):
        if self.definition_row.retired_at is not None:
            messages.error(self.request, f"{self.definition_row} is already retired.")
            return redirect(self.detail_url())
        return None

    def perform(self, form) -> InstrumentDefinition:
        return services.instrument_definition_retire(
            actor=self.request.user, definition=self.definition_row
        )

    def success_url(self, result) -> str:
        return self.detail_url()

    def message(self, result) -> str:
        return f"{result} retired"

    def render_page(self, form):
        """The form is on the version's page: what refused it (retired meanwhile) is said there."""
        if form is not None and form.errors:
            refusals = [message for errors in form.errors.values() for message in errors]
            messages.error(self.request, " ".join(refusals))
        return redirect(self.detail_url())


class UpdateLocalItemTextView(AdminOnlyMixin, _DefinitionPage, ScreeningFormPage):
    """Enter the wording of items licensed locally (EPDS), with the licence reference."""

    template_name = "screening/admin_local_item_text_update.html"
    form_class = LocalItemTextForm

    def load(self, definition_id: int) -> None:
        super().load(definition_id)
        if not self.local_items():
            raise Http404("This instrument has no locally licensed text.")

    def cancel_url(self) -> str:
        return self.detail_url()

    def make_form(self, data=None) -> LocalItemTextForm:
        form = LocalItemTextForm(data, definition=self.definition, cancel_url=self.cancel_url())
        if data is None:
            form.initial = self.entered(form)
        return form

    def entered(self, form: LocalItemTextForm) -> dict[str, str]:
        """The wording entered so far, in the form's boxes, and the licence if there is one."""
        items = list(self.definition_row.local_item_texts.all())
        options = list(self.definition_row.local_option_texts.all())
        initial = {
            form.item_fields[row.item_id]: row.text
            for row in items
            if row.item_id in form.item_fields
        }
        initial.update(
            {
                form.option_fields[(row.item_id, row.option_value)]: row.text
                for row in options
                if (row.item_id, row.option_value) in form.option_fields
            }
        )
        rows: list[LocalItemText | LocalOptionText] = [*items, *options]
        references = {row.licence_reference for row in rows}
        if len(references) == 1:
            initial["licence_reference"] = references.pop()
        return initial

    def perform(self, form) -> None:
        services.local_item_text_save(
            actor=self.actor,
            definition=self.definition_row,
            texts=form.texts(),
            option_texts=form.option_texts(),
            licence_reference=form.cleaned_data["licence_reference"],
        )

    def show_errors(self, form, error: ValidationError) -> None:
        add_service_errors(form, _by_field(form, error))

    def success_url(self, result) -> str:
        return self.detail_url()

    def message(self, result) -> str:
        return f"Item text for {self.definition_row} saved"

    def context(self) -> dict[str, Any]:
        return {"row": self.definition_row, "definition": self.definition}


def _by_field(form: LocalItemTextForm, error: ValidationError) -> ValidationError:
    """The service names items by id; the form's boxes are ``item_<id>``."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {form.item_fields.get(key, key): value for key, value in error.message_dict.items()}
    )
