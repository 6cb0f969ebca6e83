"""Sending a referral that is ready to send, and the service's secure link, for the staff.

Each page fetches the referral through ``referral_in_scope`` first (another team's is a 404).
Sending by email hands the email to the worker: the referral page says it is waiting for the
mail server until the worker has handed it over, and only then shows it as sent.
"""

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from . import services_delivery, workflow
from .forms import ConfirmForm, RecordSentForm
from .sending import email_problem
from .views_referrals import ReferralFormPageView, detail_url


class _SendingPageView(ReferralFormPageView):
    """A page that sends a referral that is ready to send."""

    def refuse_opening(self) -> HttpResponse | None:
        if self.referral.status == workflow.Status.READY:
            return None
        messages.warning(
            self.request,
            "Only a referral that is ready to send can be sent. It shows as "
            f"\u201c{self.referral.get_status_display().lower()}\u201d.",
        )
        return redirect(detail_url(self.referral))

    def initial(self) -> dict[str, Any]:
        return {"version": self.referral.version}


class SendByEmailView(_SendingPageView):
    """Email the service that a referral is waiting, with its secure link."""

    form_class = ConfirmForm
    template_name = "referrals/referral_send_email.html"
    submit = "Send by email"

    def refuse_opening(self) -> HttpResponse | None:
        refused = super().refuse_opening()
        if refused is not None:
            return refused
        problem = email_problem(self.referral.service)
        if not problem:
            return None
        messages.warning(self.request, problem + " Record how it was sent instead.")
        return redirect(detail_url(self.referral))

    def perform(self, form):
        return services_delivery.referral_send_by_email(
            actor=self.request.user,
            referral=self.referral,
            expected_version=form.cleaned_data["version"],
        )

    def message(self, result) -> str:
        return (
            "The referral email is on its way. The referral shows as sent once the mail "
            "server has taken it, usually within a minute."
        )


class RecordSentView(_SendingPageView):
    """Record that the referral went to the service another way, and when."""

    form_class = RecordSentForm
    template_name = "referrals/referral_record_sent.html"
    submit = "Record as sent"
    success_message = "Referral: sent to service"

    def initial(self) -> dict[str, Any]:
        return {**super().initial(), "sent_on": timezone.localdate()}

    def perform(self, form):
        data = form.cleaned_data
        return services_delivery.referral_record_sent(
            actor=self.request.user,
            referral=self.referral,
            expected_version=data["version"],
            method=data["method"],
            sent_on=data["sent_on"],
            note=data.get("note", ""),
        )


class _LinkPageView(ReferralFormPageView):
    """A confirmation page about the service's secure link."""

    form_class = ConfirmForm

    def initial(self) -> dict[str, Any]:
        return {"version": self.referral.version}

    def refuse_opening(self) -> HttpResponse | None:
        if self.referral.status in workflow.REPLY_STATUSES:
            return None
        messages.warning(self.request, "The service's link is only for a referral it can reply to.")
        return redirect(detail_url(self.referral))


class ReissueServiceLinkView(_LinkPageView):
    """Email the service a new link; the old one stops working."""

    template_name = "referrals/service_link_reissue.html"
    submit = "Send a new link"
    success_message = "A new link is on its way to the service. The old link no longer works."

    def refuse_opening(self) -> HttpResponse | None:
        refused = super().refuse_opening()
        if refused is not None:
            return refused
        problem = email_problem(self.referral.service)
        if not problem:
            return None
        messages.warning(self.request, problem)
        return redirect(detail_url(self.referral))

    def perform(self, form):
        return services_delivery.service_link_reissue(
            actor=self.request.user, referral=self.referral
        )


class RevokeServiceLinkView(_LinkPageView):
    """Stop the service's link working at once."""

    template_name = "referrals/service_link_revoke.html"
    submit = "Stop the link working"
    success_message = "The service's link no longer works"

    def refuse_opening(self) -> HttpResponse | None:
        refused = super().refuse_opening()
        if refused is not None:
            return refused
        if self.link is not None:
            return None
        messages.warning(self.request, "The service has no working link for this referral.")
        return redirect(detail_url(self.referral))

    def load(self, referral_id: int) -> None:
        super().load(referral_id=referral_id)
        self.link = self.referral.service_links.live().first()

    def perform(self, form):
        if self.link is None:
            return None
        return services_delivery.service_link_revoke(actor=self.request.user, link=self.link)
