"""Follow-ups: a contact by the team planned for a date, and closing it once done or no longer
needed.

The family or the follow-up comes through ``visible_to(request.user)`` before anything else, so
another team's record is a 404 for every method, admins included.
"""

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect

from attachment_app.form_page import FormPageView

from . import services
from .forms import FollowUpCloseForm, FollowUpForm
from .models import FollowUp
from .views_services import FamilyFormPageView, family_url


class CreateFollowUpView(FamilyFormPageView):
    """Plan a follow-up contact by the team."""

    form_class = FollowUpForm
    template_name = "referrals/follow_up_create.html"
    submit = "Plan follow-up"
    success_message = "Follow-up planned. It shows on the caseload when due."

    def perform(self, form):
        return services.follow_up_plan(
            actor=self.request.user, family=self.family, **form.cleaned_data
        )


class CloseFollowUpView(FormPageView):
    """Mark a follow-up done, or cancel it."""

    form_class = FollowUpCloseForm
    template_name = "referrals/follow_up_close.html"
    success_message = "Follow-up closed"

    def load(self, follow_up_id: int) -> None:
        self.follow_up = get_object_or_404(
            FollowUp.objects.visible_to(self.request.user).select_related("family"),
            pk=follow_up_id,
        )
        self.family = self.follow_up.family

    def refuse(self) -> HttpResponse | None:
        # Closed since the form was opened: the service says so on the form.
        if self.request.method == "POST" or (
            self.follow_up.is_open and not self.follow_up.is_entered_in_error
        ):
            return None
        if self.follow_up.is_entered_in_error:
            messages.info(self.request, "This follow-up was marked as entered in error.")
            return redirect(family_url(self.family))
        messages.info(self.request, "This follow-up is already closed.")
        return redirect(family_url(self.family))

    def cancel_url(self) -> str:
        return family_url(self.family)

    def perform(self, form):
        return services.follow_up_close(
            actor=self.request.user,
            follow_up=self.follow_up,
            done=form.cleaned_data["outcome"] == "done",
            note=form.cleaned_data["note"],
        )

    def success_url(self, result) -> str:
        return family_url(self.family)

    def context(self) -> dict[str, Any]:
        return {"family": self.family, "follow_up": self.follow_up}
