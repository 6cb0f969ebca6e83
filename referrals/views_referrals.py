"""Referrals for health visitors and team leads: starting one, its page, changing it, moving it
along the workflow, and the team lead's reviews.

The referral (or the family) comes through ``visible_to(request.user)`` before anything else, so
another team's record is a 404 for every method, admins included. Who may make which move is
``attachment_app.permissions``'s question; the services ask it again and enforce every rule.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from attachment_app import permissions
from attachment_app.audit.access import families_named_in, note_listed
from attachment_app.form_page import ClinicianOnlyMixin, FormPageView, PageView
from attachment_app.pagination import page_links, query_without

from . import selectors, services, workflow
from .eligibility import eligibility_problems
from .forms import ReferralForm, TransitionForm
from .letter import referral_letter
from .models import Referral
from .views_services import FamilyFormPageView, directory_service

REFERRALS_PER_PAGE = 25
#: The moves that send a referral: each has a page of its own, not the transition page.
SENDING_ACTIONS = frozenset(t.action for t in workflow.TRANSITIONS if t.sending)


def referral_in_scope(user, referral_id: int) -> Referral:
    """The referral with what its pages show, if it is on the user's team; a 404 otherwise."""
    try:
        return selectors.referral_for_page(user=user, referral_id=referral_id)
    except Referral.DoesNotExist:
        raise Http404("No such referral") from None


def detail_url(referral: Referral) -> str:
    return reverse("referral_detail", args=[referral.pk])


class CreateReferralView(FamilyFormPageView):
    """Start a referral to a service as a draft."""

    keeps_drafts = True

    form_class = ReferralForm
    template_name = "referrals/referral_create.html"
    submit = "Save as draft"
    success_message = "Referral saved as a draft. Submit it when it is ready."

    def load(self, family_id: int, service_id: int) -> None:
        super().load(family_id=family_id)
        user = self.request.user
        self.service = directory_service(service_id)
        facts = selectors.family_facts(user=user, family=self.family, today=timezone.localdate())
        self.problems = eligibility_problems(self.service, facts)
        self.concerns = selectors.family_open_concerns(user=user, family=self.family)
        self.caregivers = selectors.family_caregivers(user=user, family=self.family)
        self.results = selectors.family_current_results(user=user, family=self.family)

    def cancel_url(self) -> str:
        return reverse("family_service_detail", args=[self.family.pk, self.service.pk])

    def form_kwargs(self) -> dict[str, Any]:
        return {
            **super().form_kwargs(),
            "family": self.family,
            "concerns": self.concerns,
            "caregivers": self.caregivers,
            "results": self.results,
            "eligibility_problems": self.problems,
        }

    def initial(self) -> dict[str, Any]:
        # No result is ticked: the health visitor chooses what the service may see.
        initial = {
            "urgency": Referral.Urgency.ROUTINE,
            # The referral is usually about every concern still open: untick what it is not.
            "concerns": [concern.pk for concern in self.concerns],
            "consent_given_on": timezone.localdate(),
        }
        if len(self.caregivers) == 1:
            initial["consent_given_by"] = self.caregivers[0].pk  # the one parent recorded
        return initial

    def perform(self, form):
        return services.referral_create(
            actor=self.request.user,
            family=self.family,
            service=self.service,
            concerns=form.cleaned_data.get("concerns", []),
            shared_results=form.cleaned_data.get("shared_results", []),
            **form.referral_fields(),
        )

    def success_url(self, result) -> str:
        return detail_url(result)

    def context(self) -> dict[str, Any]:
        return {**super().context(), "service": self.service, "problems": self.problems}


class ShowReferralView(PageView):
    """A referral: what it says, where it is in the workflow, its history, and what can be done."""

    template_name = "referrals/referral_detail.html"

    def load(self, referral_id: int) -> None:
        self.referral = referral_in_scope(self.request.user, referral_id)

    def get(self, request):
        referral = self.referral
        user = request.user
        is_author = selectors.is_author(referral, user)
        awaits_review_after_sending = (
            referral.needs_retrospective_review and not referral.retrospectively_reviewed_at
        )
        return render(
            request,
            self.template_name,
            {
                "referral": referral,
                "family": referral.family,
                "actions": permissions.transitions_for(
                    user,
                    workflow.moves_from(referral.status, urgent=referral.is_urgent),
                    is_author=is_author,
                ),
                "may_edit": referral.status in workflow.EDITABLE_STATUSES,
                "may_review": permissions.may_review_after_sending(user, is_author=is_author)
                and awaits_review_after_sending,
                # A team lead's own referral: say who reviews it, rather than offer nothing.
                "reviewed_by_another": permissions.may_review_referrals(user)
                and is_author
                and (referral.status == workflow.Status.SUBMITTED or awaits_review_after_sending),
                "return_comment": selectors.latest_return_comment(referral),
                "return_changes": selectors.with_return_changes([referral])[0].return_changes,
                "events": list(referral.events.all()),
                "statuses": dict(workflow.Status.choices),
                "sending": selectors.sending_state(referral),
            },
        )


class ShowReferralLetterView(PageView):
    """The referral letter as the service is shown it, to read or print."""

    template_name = "referrals/referral_letter.html"

    def load(self, referral_id: int) -> None:
        self.referral = referral_in_scope(self.request.user, referral_id)

    def get(self, request):
        referral = self.referral
        return render(
            request,
            self.template_name,
            {"referral": referral, "family": referral.family, "letter": referral_letter(referral)},
        )


class ReferralFormPageView(FormPageView):
    """A form about one referral, posted with the version it was opened on.

    What ``refuse_opening`` refuses is refused when the form is opened. A form posted against a
    referral that has since moved on goes to the service all the same: its version check says
    who changed the referral, and the form keeps what was typed.
    """

    def load(self, *args: Any, **url_kwargs: Any) -> None:
        # A subclass's own load names the rest of its URL and calls this with referral_id.
        self.referral = referral_in_scope(self.request.user, url_kwargs["referral_id"])

    @property
    def family(self):
        return self.referral.family

    def refuse(self) -> HttpResponse | None:
        if self.request.method == "POST":
            return None
        return self.refuse_opening()

    def refuse_opening(self) -> HttpResponse | None:
        """A response instead of the form when the referral is past this page."""
        return None

    def refused(self, refusal: PermissionDenied) -> HttpResponse:
        """The service refused the person the change: by default a 403."""
        raise refusal

    def submit_form(self, form) -> HttpResponse:
        try:
            return super().submit_form(form)
        except PermissionDenied as refusal:
            return self.refused(refusal)

    def cancel_url(self) -> str:
        return detail_url(self.referral)

    def success_url(self, result) -> str:
        return detail_url(self.referral)

    def stale(self, form, error) -> None:
        """Someone else changed the referral first: show it as it is now, keep what was typed."""
        self.referral = referral_in_scope(self.request.user, self.referral.pk)
        super().stale(form, error)

    def context(self) -> dict[str, Any]:
        return {"referral": self.referral, "family": self.family}


class UpdateReferralView(ReferralFormPageView):
    """Change a draft or returned referral, with the team lead's comment if it was returned."""

    keeps_drafts = True

    form_class = ReferralForm
    template_name = "referrals/referral_update.html"
    submit = "Save changes"
    success_message = "Referral changed"

    def load(self, referral_id: int) -> None:
        super().load(referral_id=referral_id)
        facts = selectors.family_facts(
            user=self.request.user, family=self.family, today=timezone.localdate()
        )
        self.problems = eligibility_problems(self.referral.service, facts)

    def refuse_opening(self) -> HttpResponse | None:
        if self.referral.status in workflow.EDITABLE_STATUSES:
            return None
        messages.warning(self.request, "Only a draft or a returned referral can be changed.")
        return redirect(detail_url(self.referral))

    def form_kwargs(self) -> dict[str, Any]:
        user, referral = self.request.user, self.referral
        return {
            **super().form_kwargs(),
            "family": self.family,
            "concerns": selectors.family_open_concerns(
                user=user, family=self.family, linked=referral.concerns.all()
            ),
            "caregivers": selectors.family_caregivers(user=user, family=self.family),
            "results": selectors.family_current_results(user=user, family=self.family),
            "eligibility_problems": self.problems,
        }

    def initial(self) -> dict[str, Any]:
        referral = self.referral
        return {
            "version": referral.version,
            "concerns": [concern.pk for concern in referral.concerns.all()],
            "shared_results": [result.pk for result in referral.shared_results.all()],
            **{
                name: getattr(referral, name)
                for name in services.REFERRAL_FIELDS
                if name != "consent_given_by"
            },
            "consent_given_by": referral.consent_given_by_id,
            "consent_given_on": referral.consent_given_on or timezone.localdate(),
            "refer_anyway": bool(referral.eligibility_override_reason),
        }

    def perform(self, form):
        return services.referral_update(
            actor=self.request.user,
            referral=self.referral,
            expected_version=form.cleaned_data["version"],
            concerns=form.cleaned_data.get("concerns", []),
            shared_results=form.cleaned_data.get("shared_results", []),
            **form.referral_fields(),
        )

    def context(self) -> dict[str, Any]:
        returned = None
        if self.referral.status == workflow.Status.RETURNED:
            returned = selectors.latest_return(self.referral)
        return {**super().context(), "problems": self.problems, "returned": returned}


class TransitionReferralView(ReferralFormPageView):
    """One move along the workflow, confirmed on its own page (with a note where it needs one)."""

    form_class = TransitionForm
    template_name = "referrals/referral_transition.html"

    def load(self, referral_id: int, action: str) -> None:
        if action not in workflow.ACTIONS or action in SENDING_ACTIONS:
            # Sending has pages of its own (views_sending).
            raise Http404("No such action")
        self.action = action
        super().load(referral_id=referral_id)
        self.move = workflow.find(action, self.referral.status)
        # Moved on since the page was opened, the form is still the one that was shown: the
        # service's version check says what happened.
        self.shown = self.move or next(t for t in workflow.TRANSITIONS if t.action == action)
        self.submit = self.shown.label

    def not_now(self) -> HttpResponse:
        messages.warning(
            self.request,
            "That cannot be done to this referral now. It shows as "
            f"\u201c{self.referral.get_status_display().lower()}\u201d.",
        )
        return redirect(detail_url(self.referral))

    def refuse_opening(self) -> HttpResponse | None:
        offered = workflow.moves_from(self.referral.status, urgent=self.referral.is_urgent)
        if self.move in offered and permissions.may_make_transition(
            self.request.user,
            self.move,
            is_author=selectors.is_author(self.referral, self.request.user),
        ):
            return None
        return self.not_now()

    def refused(self, refusal: PermissionDenied) -> HttpResponse:
        return self.not_now()

    def form_kwargs(self) -> dict[str, Any]:
        return {
            **super().form_kwargs(),
            "note_label": self.shown.note_label,
            "note_required": self.shown.note_required,
            "warning": self.shown.action == "withdraw",
            "asks": self.shown.asks,
        }

    def initial(self) -> dict[str, Any]:
        return {"version": self.referral.version}

    def perform(self, form):
        return services.referral_transition(
            actor=self.request.user,
            referral=self.referral,
            action=self.action,
            note=form.cleaned_data.get("note", ""),
            expected_version=form.cleaned_data["version"],
            **form.reply_fields(),
        )

    def message(self, result) -> str:
        if result.status == workflow.Status.READY:
            return "Referral: ready to send. Send it to the service now."
        return f"Referral: {result.get_status_display().lower()}"

    def success_url(self, result) -> str:
        # After an approval the referral page offers the sending; a return goes back to the queue.
        if self.action == "return" and permissions.may_review_referrals(self.request.user):
            return reverse("referral_review_queue")
        return super().success_url(result)

    def context(self) -> dict[str, Any]:
        return {**super().context(), "transition": self.shown}


class ReviewSentReferralView(ReferralFormPageView):
    """A team lead's look at an urgent referral that went without review."""

    form_class = TransitionForm
    template_name = "referrals/referral_review_after_sending.html"
    submit = "Mark as reviewed"
    success_message = "Referral marked as reviewed"

    def load(self, referral_id: int) -> None:
        if not permissions.may_review_referrals(self.request.user):
            raise Http404("Team leads only")
        super().load(referral_id=referral_id)

    def refuse_opening(self) -> HttpResponse | None:
        user = self.request.user
        if permissions.may_review_after_sending(
            user, is_author=selectors.is_author(self.referral, user)
        ):
            return None
        messages.warning(
            self.request, "You sent this referral, so another team lead of your team reviews it."
        )
        return redirect(detail_url(self.referral))

    def refused(self, refusal: PermissionDenied) -> HttpResponse:
        messages.warning(self.request, str(refusal))
        return redirect(detail_url(self.referral))

    def form_kwargs(self) -> dict[str, Any]:
        return {**super().form_kwargs(), "note_label": "Comment (optional)", "note_required": False}

    def initial(self) -> dict[str, Any]:
        return {"version": self.referral.version}

    def perform(self, form):
        return services.referral_mark_reviewed(
            actor=self.request.user,
            referral=self.referral,
            note=form.cleaned_data.get("note", ""),
            expected_version=form.cleaned_data["version"],
        )

    def success_url(self, result) -> str:
        return reverse("referral_review_queue")


class ListReturnedReferralsView(ClinicianOnlyMixin, PageView):
    """Every referral returned to the user, and for a team lead every one she returned that
    waits for the health visitor, longest waiting first, a page at a time: the home page
    shows the oldest few and links here. Health visitors and team leads; everyone else
    (admins too) gets a 404."""

    template_name = "referrals/returned_referral_list.html"

    def get(self, request):
        user = request.user
        returned = Paginator(selectors.returned_to_user(user=user), REFERRALS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        returned_by_you = None
        if permissions.may_review_referrals(user):
            returned_by_you = Paginator(
                selectors.returned_by_user(user=user), REFERRALS_PER_PAGE
            ).get_page(request.GET.get("by_you_page"))
        note_listed(
            request, families=families_named_in(list(returned), list(returned_by_you or []))
        )
        return render(
            request,
            self.template_name,
            {
                "returned": returned,
                "returned_links": page_links(returned, query_without(request, "page")),
                "returned_by_you": returned_by_you,
                "returned_by_you_links": page_links(
                    returned_by_you, query_without(request, "by_you_page"), param="by_you_page"
                )
                if returned_by_you is not None
                else None,
            },
        )


class ShowReviewQueueView(PageView):
    """The team lead's queue: referrals awaiting review, oldest first, and urgent ones sent
    without review."""

    template_name = "referrals/referral_review_queue.html"

    def load(self) -> None:
        if not permissions.may_review_referrals(self.request.user):
            raise Http404("Team leads only")

    def get(self, request):
        queue = Paginator(selectors.review_queue(user=request.user), REFERRALS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        retrospective = Paginator(
            selectors.retrospective_queue(user=request.user), REFERRALS_PER_PAGE
        ).get_page(request.GET.get("sent_page"))
        awaiting = selectors.with_return_changes(queue.object_list)
        note_listed(request, families=families_named_in(awaiting, list(retrospective)))
        return render(
            request,
            self.template_name,
            {
                "queue": queue,
                "awaiting": awaiting,
                "queue_links": page_links(queue, query_without(request, "page")),
                "retrospective": retrospective,
                "retrospective_links": page_links(
                    retrospective, query_without(request, "sent_page"), param="sent_page"
                ),
                "now": timezone.now(),
            },
        )
