"""The service's side of a referral: its secure link, the emailed code, the letter, its replies.

These pages need no account (``login_not_required``). The link ``/s/<token>/`` is the only URL
that carries the token: opening it keeps the link's id in the session and moves to
``/service-referral/``, so the token is not repeated in later requests, logs or history.
Nothing is shown until the code emailed to the service's referral address has been entered in
this browser session; one code opens the referral for ``SERVICE_LINK_SESSION_MINUTES``.

A link that opens nothing (unknown, expired, stopped, locked or for a closed referral) gives
one calm page that does not say which, so it cannot tell anyone whether a referral exists.
Every page that reaches a real link writes an access-log row for the service
(``note_outside_access``), the code pages included.
"""

import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View

from attachment_app.audit.access import note_outside_access
from attachment_app.audit.models import AccessLog
from attachment_app.form_page import FormPageView
from attachment_app.submissions import services as submissions

from . import services, services_delivery, workflow
from .forms import ServiceCodeForm, TransitionForm
from .letter import referral_letter
from .models import ServiceLink
from .sending import masked_address

LINK_KEY = "service_link"
OPENED_KEY = "service_link_opened"


def _party(link: ServiceLink) -> str:
    return f"service-link:{link.pk}"


def _log(request, link: ServiceLink, detail: str, kind: str = AccessLog.Action.VIEW) -> None:
    note_outside_access(
        request,
        party=_party(link),
        record=link.referral,
        families=[link.referral.family_id],
        kind=kind,
        detail=detail,
    )


def unusable(request) -> HttpResponse:
    """The one page for every link that opens nothing."""
    return render(request, "referrals/service_link_unusable.html", status=404)


def _opened(request, link: ServiceLink) -> bool:
    """Whether this browser session entered a code for this link recently enough."""
    opened = request.session.get(OPENED_KEY) or {}
    when = opened.get(str(link.pk))
    if not when:
        return False
    age = timezone.now() - datetime.datetime.fromisoformat(when)
    return age < datetime.timedelta(minutes=settings.SERVICE_LINK_SESSION_MINUTES)


@method_decorator(login_not_required, name="dispatch")
class _ServiceLinkView(View):
    """A page of the service's side: the link comes from the session, or the calm page."""

    #: Whether the page needs the code to have been entered.
    needs_code = True

    def dispatch(self, request, *args, **kwargs):
        link_id = request.session.get(LINK_KEY)
        if not isinstance(link_id, int):
            return unusable(request)
        try:
            self.link = services_delivery.service_link_get(link_id)
        except services_delivery.LinkUnusable:
            return self.link_stopped(request, link_id)
        if self.needs_code and not _opened(request, self.link):
            return redirect("service_referral")
        return super().dispatch(request, *args, **kwargs)

    def link_stopped(self, request, link_id: int) -> HttpResponse:
        """A link that stopped working while in use: after the service's own closing reply,
        say thank you; otherwise the calm page."""
        closed = request.session.pop("service_link_closed", None)
        if closed:
            return render(
                request, "referrals/service_link_done.html", {"status": closed}, status=200
            )
        return unusable(request)

    @property
    def referral(self):
        return self.link.referral


@method_decorator(login_not_required, name="dispatch")
class OpenServiceLinkView(View):
    """``/s/<token>/``: find the link, keep it in the session, and move off the token's URL."""

    def get(self, request, token: str):
        try:
            link = services_delivery.service_link_find(token)
        except services_delivery.LinkUnusable:
            return unusable(request)
        request.session.cycle_key()
        request.session[LINK_KEY] = link.pk
        _log(request, link, "Service link opened")
        return redirect("service_referral")


class ShowServiceReferralView(_ServiceLinkView):
    """Before the code: where it will be sent. After it: the letter and the replies offered."""

    needs_code = False

    def get(self, request):
        link = self.link
        if not _opened(request, link):
            _log(request, link, "Asked for the code")
            return render(
                request,
                "referrals/service_link_start.html",
                {"link": link, "address": masked_address(link.address)},
            )
        _log(request, link, "Referral letter viewed")
        referral = self.referral
        return render(
            request,
            "referrals/service_referral.html",
            {
                "link": link,
                "referral": referral,
                "letter": referral_letter(referral),
                "replies": [
                    (t.action, service_label(t))
                    for t in workflow.service_moves_from(referral.status)
                ],
            },
        )


class SendServiceCodeView(_ServiceLinkView):
    """Email a new code to the service's referral address."""

    needs_code = False

    def post(self, request):
        try:
            services_delivery.service_link_send_code(link=self.link)
        except services_delivery.CodeTooSoon:
            messages.warning(request, "A code was sent less than a minute ago. Check the inbox.")
        except services_delivery.LinkUnusable:
            return unusable(request)
        except Exception:
            messages.error(
                request, "The code could not be sent just now. Try again in a few minutes."
            )
            return redirect("service_referral")
        _log(request, self.link, "Code emailed to the service", kind=AccessLog.Action.EDIT)
        return redirect("service_referral_verify")


class VerifyServiceCodeView(_ServiceLinkView):
    """Enter the code. Five wrong codes lock the link until the team sends a new one."""

    needs_code = False
    template_name = "referrals/service_link_code.html"

    def render_form(self, form) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {"form": form, "address": masked_address(self.link.address)},
        )

    def get(self, request):
        if _opened(request, self.link):
            return redirect("service_referral")
        return self.render_form(ServiceCodeForm())

    def post(self, request):
        form = ServiceCodeForm(request.POST)
        if not form.is_valid():
            return self.render_form(form)
        try:
            check = services_delivery.service_link_check_code(
                link=self.link, code=form.cleaned_data["code"]
            )
        except services_delivery.LinkUnusable:
            return unusable(request)
        if check.opened:
            _log(request, self.link, "Code accepted", kind=AccessLog.Action.EDIT)
            request.session.cycle_key()
            opened = request.session.get(OPENED_KEY) or {}
            opened[str(self.link.pk)] = timezone.now().isoformat()
            request.session[OPENED_KEY] = opened
            return redirect("service_referral")
        _log(request, self.link, "Code refused", kind=AccessLog.Action.EDIT)
        if check.locked:
            return unusable(request)
        if check.expired:
            form.add_error("code", "That code has expired. Send a new code and enter it.")
        else:
            tries = "1 more try" if check.tries_left == 1 else f"{check.tries_left} more tries"
            form.add_error("code", f"That code is not right. You have {tries}.")
        return self.render_form(form)


class ReplyToReferralView(_ServiceLinkView, FormPageView):
    """One reply from the service: acknowledge, accept, decline, record the outcome, withdraw.

    Each is a move through ``services.referral_transition`` with the link as the actor; the one
    form-page view handles the form, the service's refusals and a reply posted after someone
    else's (the version check lets one win and tells the other what happened).
    """

    template_name = "referrals/service_referral_reply.html"
    form_class = TransitionForm

    def load(self, action: str) -> None:
        self.action = action
        self.move = next(
            (t for t in workflow.service_moves_from(self.referral.status) if t.action == action),
            None,
        )
        # Moved on since the page was opened, the form is still the one that was shown.
        shown = self.move or next(
            (t for t in workflow.TRANSITIONS if t.action == action and t.by_service), None
        )
        if shown is None:
            raise Http404("No such reply")
        self.shown = shown
        self.submit = service_label(shown)

    def not_now(self) -> HttpResponse:
        messages.warning(
            self.request,
            "That reply cannot be made now: the referral shows as "
            f"\u201c{self.referral.get_status_display().lower()}\u201d.",
        )
        return redirect("service_referral")

    def refuse(self) -> HttpResponse | None:
        if self.request.method == "GET" and self.move is None:
            return self.not_now()
        return None

    def cancel_url(self) -> str:
        return reverse("service_referral")

    def submitter(self) -> submissions.Party:
        """The service, by its link: a key made for one link is refused for any other."""
        return submissions.Party(outside=f"service-link:{self.link.pk}")

    def form_kwargs(self) -> dict[str, Any]:
        return {
            **super().form_kwargs(),
            "note_label": self.shown.note_label,
            "note_required": self.shown.note_required,
            "warning": self.action in {"decline", "withdraw"},
            "asks": self.shown.asks,
            "by_service": True,
        }

    def initial(self) -> dict[str, Any]:
        return {"version": self.referral.version}

    def submit_form(self, form) -> HttpResponse:
        try:
            return super().submit_form(form)
        except PermissionDenied:
            return self.not_now()

    def perform(self, form):
        referral = services.referral_transition(
            link=self.link,
            referral=self.referral,
            action=self.action,
            note=form.cleaned_data.get("note", ""),
            expected_version=form.cleaned_data["version"],
            **form.reply_fields(),
        )
        _log(
            self.request,
            self.link,
            f"Reply: {referral.get_status_display()}",
            AccessLog.Action.EDIT,
        )
        return referral

    def message(self, result) -> str:
        status = result.get_status_display().lower()
        if not result.is_open:
            # The link opens nothing now: the next page thanks the service instead.
            self.request.session["service_link_closed"] = status
            return ""
        return f"Thank you. The referral now shows as \u201c{status}\u201d."

    def success_url(self, result) -> str:
        return reverse("service_referral")

    def stale(self, form, error) -> None:
        self.link = services_delivery.service_link_get(self.link.pk)
        super().stale(form, error)

    def context(self) -> dict[str, Any]:
        return {"referral": self.referral, "title": self.submit}


#: What the buttons say on the service's own pages (the staff's labels say "Record that…").
SERVICE_LABELS: dict[str, str] = {
    "acknowledge": "Acknowledge the referral",
    "accept": "Accept the referral",
    "decline": "Decline the referral",
    "complete": "Record the outcome",
    "withdraw": "Withdraw from the referral",
}


def service_label(transition: workflow.Transition) -> str:
    return SERVICE_LABELS.get(transition.action, transition.label)
