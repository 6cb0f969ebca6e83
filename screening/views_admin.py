"""The admin's instrument pages: list, add, preview and retire definitions; local item text.

Admins only: everyone else gets a 404, as for any record they may not see. These pages show
definitions, never results or anything else about a family.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from attachment_app.nhsuk_forms.helpers import add_service_errors

from . import engine, services
from .forms_admin import InstrumentDefinitionForm, LocalItemTextForm
from .models import InstrumentDefinition
from .selectors_instruments import (
    instruments_for_admin,
    item_label,
    local_item_texts,
    local_option_texts,
    option_label,
)


class _AdminOnlyView(View):
    """Refuse everyone but admins with a 404, for any method, before anything is read."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_directory_admin:
            raise Http404("No such page.")
        self.load(**kwargs)
        return super().dispatch(request, *args, **kwargs)

    def load(self, **kwargs) -> None:
        """Fetch what the page is about (after the role check)."""


class _DefinitionView(_AdminOnlyView):
    """A page about one definition version."""

    def load(self, definition_id):
        self.row = get_object_or_404(InstrumentDefinition, pk=definition_id)
        self.definition = engine.load_definition(self.row.definition)

    def local_items(self) -> list[engine.Item]:
        return [item for item in self.definition.items if item.text_supplied_locally]


class ListInstrumentsView(_AdminOnlyView):
    """Every instrument with its versions, current or retired."""

    def get(self, request):
        return render(
            request,
            "screening/admin_instrument_list.html",
            {"instruments": instruments_for_admin()},
        )


class AddInstrumentDefinitionView(_AdminOnlyView):
    """Upload or paste a definition; the engine checks it and lists every problem it finds."""

    template_name = "screening/admin_instrument_definition_add.html"

    def get(self, request):
        return self.render_form(InstrumentDefinitionForm(cancel_url=reverse("instrument_list")))

    def post(self, request):
        form = InstrumentDefinitionForm(
            request.POST, request.FILES, cancel_url=reverse("instrument_list")
        )
        if form.is_valid():
            try:
                row = services.instrument_definition_add(
                    data=form.cleaned_data["data"], actor=request.user
                )
            except ValidationError as error:
                # Each problem the engine found, in the error summary, on the field used.
                for problem in error.message_dict.get("definition", error.messages):
                    form.add_error(form.cleaned_data["source"], problem)
            else:
                messages.success(request, f"{row} added")
                return redirect("instrument_definition_detail", row.pk)
        return self.render_form(form)

    def render_form(self, form):
        return render(self.request, self.template_name, {"form": form})


class ShowInstrumentDefinitionView(_DefinitionView):
    """One version as the engine reads it: items, scores, bands, rules, licence. Read only."""

    def get(self, request, definition_id):
        texts = local_item_texts(self.row)
        local_options = local_option_texts(self.row)
        items = []
        for item in self.definition.items:
            options = [
                {"option": option, "wording": option_label(item, option, local_options)}
                for option in item.options
            ]
            items.append(
                {
                    "item": item,
                    "wording": item_label(self.row, item),
                    "local_text_entered": item.id in texts,
                    "local_options_entered": sum(
                        (item.id, option.value) in local_options for option in item.options
                    ),
                    "options": options,
                    "reverse_keyed": item.id in self.definition.reverse_keyed,
                }
            )
        return render(
            request,
            "screening/admin_instrument_definition_detail.html",
            {
                "row": self.row,
                "definition": self.definition,
                "items": items,
                "has_local_items": bool(self.local_items()),
            },
        )


class RetireInstrumentDefinitionView(_DefinitionView):
    """Stop offering a version for new results. POST only; results keep the version they used."""

    def post(self, request, definition_id):
        try:
            services.instrument_definition_retire(actor=request.user, definition=self.row)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{self.row} retired")
        return redirect("instrument_definition_detail", self.row.pk)


class UpdateLocalItemTextView(_DefinitionView):
    """Enter the wording of items licensed locally (EPDS), with the licence reference."""

    template_name = "screening/admin_local_item_text_update.html"

    def load(self, definition_id):
        super().load(definition_id)
        if not self.local_items():
            raise Http404("This instrument has no locally licensed text.")

    def get(self, request, definition_id):
        form = self.make_form()
        items = list(self.row.local_item_texts.all())
        options = list(self.row.local_option_texts.all())
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
        references = {row.licence_reference for row in [*items, *options]}
        if len(references) == 1:
            initial["licence_reference"] = references.pop()
        form.initial = initial
        return self.render_form(form)

    def post(self, request, definition_id):
        form = self.make_form(data=request.POST)
        if form.is_valid():
            try:
                services.local_item_text_save(
                    actor=request.user,
                    definition=self.row,
                    texts=form.texts(),
                    option_texts=form.option_texts(),
                    licence_reference=form.cleaned_data["licence_reference"],
                )
            except ValidationError as error:
                add_service_errors(form, _by_field(form, error))
            else:
                messages.success(request, f"Item text for {self.row} saved")
                return redirect("instrument_definition_detail", self.row.pk)
        return self.render_form(form)

    def make_form(self, **kwargs) -> LocalItemTextForm:
        return LocalItemTextForm(
            definition=self.definition,
            cancel_url=reverse("instrument_definition_detail", args=[self.row.pk]),
            **kwargs,
        )

    def render_form(self, form):
        return render(
            self.request,
            self.template_name,
            {"form": form, "row": self.row, "definition": self.definition},
        )


def _by_field(form: LocalItemTextForm, error: ValidationError) -> ValidationError:
    """The service names items by id; the form's boxes are ``item_<id>``."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {form.item_fields.get(key, key): value for key, value in error.message_dict.items()}
    )
