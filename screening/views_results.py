"""A screening result's page, and correcting a result.

The result page reads the version that scored the result; a correction is a new result that
supersedes the old one, scored with the version ``selectors_results.correction_definition``
chooses. The old result is kept and says it was corrected.
"""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from attachment_app import permissions
from attachment_app.form_page import PageView

from . import selectors_results
from .forms import item_field_name
from .models import ScreeningResult
from .selectors_results import ALREADY_CORRECTED, CannotCorrect
from .views_instruments import InstrumentFormPage


class ShowScreeningResultView(PageView):
    """A result: total, band and what it means, any safety rule first, and what to offer next."""

    template_name = "screening/screening_result_detail.html"

    def load(self, result_id: int) -> None:
        self.result = get_object_or_404(
            ScreeningResult.objects.visible_to(self.request.user).select_related(
                "definition",
                "contact",
                "family",
                "recorded_by",
                "supersedes",
                "entered_in_error_by",
            ),
            pk=result_id,
        )

    def get(self, request):
        result = self.result
        page = selectors_results.result_page(user=request.user, result=result)
        return render(
            request,
            self.template_name,
            {
                **page,
                "result": result,
                "may_mark_entered_in_error": permissions.may_mark_entered_in_error(
                    request.user, result.family
                ),
                "contact": result.contact,
                "family": result.family,
                "suggestions": [
                    {
                        "reason": suggestion.reason,
                        "links": [
                            {
                                "name": name,
                                "url": reverse(
                                    "screening_complete", args=[result.contact_id, code]
                                ),
                            }
                            for code, name in suggestion.instruments
                        ],
                    }
                    for suggestion in page["suggestions"]
                ],
            },
        )


class CorrectScreeningResultView(InstrumentFormPage):
    """Correct a result: the instrument again, filled in as recorded, and why it is corrected.

    Only a current result can be corrected; otherwise, and when the instrument is no longer
    offered, the result's page says why.
    """

    template_name = "screening/screening_result_correct.html"
    success_message = "Result corrected"

    def load(self, result_id: int) -> None:
        self.old = get_object_or_404(
            ScreeningResult.objects.visible_to(self.request.user).select_related(
                "definition", "recorded_by"
            ),
            pk=result_id,
        )
        self.load_contact(self.old.contact_id)

    def refuse(self):
        try:
            self.check_correctable()
            self.use_definition(selectors_results.correction_definition(self.old))
        except CannotCorrect as refusal:
            return self.back_to_result(str(refusal))
        return None

    def check_correctable(self) -> None:
        selectors_results.check_correctable(user=self.request.user, result=self.old)

    def result_url(self) -> str:
        return reverse("screening_result_detail", args=[self.old.pk])

    def cancel_url(self) -> str:
        return self.result_url()

    def form_kwargs(self) -> dict[str, Any]:
        return {**super().form_kwargs(), "correction": True}

    def initial(self) -> dict[str, Any]:
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
            "assessed_on": selectors_results.assessed_on(old),
            "rater": old.rater,
            "certification": old.certification,
            "score": Decimal(score) if score else None,
            "band": old.band,
            "summary": old.summary,
        }

    def correction(self, form) -> dict[str, Any]:
        return {"supersedes": self.old, "correction_reason": form.cleaned_data["correction_reason"]}

    def submit_form(self, form):
        try:
            return super().submit_form(form)
        except CannotCorrect as refusal:
            return self.back_to_result(str(refusal))

    def perform(self, form) -> ScreeningResult:
        try:
            return super().perform(form)
        except ValidationError as error:
            # Corrected by someone else since the page was opened.
            if "supersedes" in getattr(error, "error_dict", {}):
                raise CannotCorrect(ALREADY_CORRECTED) from error
            raise

    def back_to_result(self, message: str):
        """Back to the old result, which links to its correction if there is one."""
        messages.warning(self.request, message)
        return redirect(self.result_url())

    def context(self) -> dict[str, Any]:
        return {
            **super().context(),
            "old": self.old,
            "new_version": self.definition_row.pk != self.old.definition_id,
        }
