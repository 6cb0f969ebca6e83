"""The page that marks a record of the family as entered in error, one for every kind.

Each app routes its own URL here with the kind's model label (``as_view(kind=…)``). The record
is fetched through ``visible_to``, so another team's record and any record for an admin is a
404, and the page asks ``permissions.may_mark_entered_in_error`` about the family.
"""

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from attachment_app import permissions
from attachment_app.form_page import FormPageView

from . import entered_in_error, services
from .forms_entered_in_error import EnteredInErrorForm
from .models import EnteredInError, Family


class MarkEnteredInErrorView(FormPageView):
    """Mark one record as entered in error, with a reason; back to the family page after."""

    template_name = "conversations/entered_in_error.html"
    form_class = EnteredInErrorForm
    submit = "Mark as entered in error"
    #: The kind's model label, given by the URL pattern.
    kind = ""

    record: EnteredInError
    family: Family

    def load(self, **url_kwargs: Any) -> None:
        self.record_kind = entered_in_error.kind_for(self.kind)
        (record_id,) = url_kwargs.values()
        queryset = self.record_kind.model._default_manager.visible_to(  # type: ignore[attr-defined]
            self.request.user
        ).select_related("family", "entered_in_error_by", *self.record_kind.related)
        self.record = get_object_or_404(queryset, pk=record_id)
        self.family = self.record.family  # type: ignore[attr-defined]
        if not permissions.may_mark_entered_in_error(self.request.user, self.family):
            raise Http404("No such record")

    def has_form(self) -> bool:
        """Not for a record marked already, nor one other records still hang on."""
        return not self.record.is_entered_in_error and not self.blockers

    @property
    def blockers(self) -> list[str]:
        if not hasattr(self, "_blockers"):
            self._blockers = (
                []
                if self.record.is_entered_in_error
                else entered_in_error.blockers_for(self.record)
            )
        return self._blockers

    def cancel_url(self) -> str:
        return reverse("family_detail", args=[self.family.pk])

    def perform(self, form) -> EnteredInError:
        return services.record_mark_entered_in_error(
            actor=self.request.user, record=self.record, reason=form.cleaned_data["reason"]
        )

    def success_url(self, result) -> str:
        return reverse("family_detail", args=[self.family.pk]) + "#entered-in-error"

    def message(self, result) -> str:
        noun = self.record_kind.noun
        return f"{noun[0].upper()}{noun[1:]} marked as entered in error"

    def context(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "record": self.record,
            "noun": self.record_kind.noun,
            "what": str(self.record),
            "blockers": self.blockers,
            "consequences": (
                []
                if self.record.is_entered_in_error
                else entered_in_error.consequences_for(self.record)
            ),
            "back_url": self.cancel_url(),
        }
