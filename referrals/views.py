"""Step 3 for health visitors and team leads: suggested services, signposting, referrals and
their workflow, the team lead's review queue, and follow-ups.

Records come through ``visible_to(request.user)`` before anything else, so another team's record
is a 404 for every method, admins included. Forms check shape; the services enforce the rules.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from attachment_app.accounts.typed_input import RESTORED_MESSAGE, RestoreTypedInputMixin
from attachment_app.audit.access import families_named_in, note_listed
from attachment_app.nhsuk_forms.helpers import add_service_errors
from attachment_app.pagination import page_links, query_without
from conversations.models import Family

from . import selectors, services, workflow
from .eligibility import eligibility_problems
from .forms import (
    DirectorySearchForm,
    FollowUpCloseForm,
    FollowUpForm,
    ReferralForm,
    SignpostForm,
    TransitionForm,
)
from .models import FollowUp, Referral, Service
from .selectors_directory import directory_search, with_details

SERVICES_PER_PAGE = 20
REFERRALS_PER_PAGE = 25


def _family_url(family) -> str:
    return reverse("family_detail", args=[family.pk])


class _FamilyPageView(RestoreTypedInputMixin, View):
    """A step 3 page for one family: fetched in scope first, for every method."""

    template_name = ""

    def dispatch(self, request, *args, family_id, **kwargs):
        self.family = get_object_or_404(Family.objects.visible_to(request.user), pk=family_id)
        return super().dispatch(request, *args, **kwargs)

    def services_url(self) -> str:
        return reverse("family_services", args=[self.family.pk])

    def context(self, **extra) -> dict:
        return {
            "family": self.family,
            "restored": self.restored,
            "restored_message": RESTORED_MESSAGE,
            **extra,
        }


class ShowFamilyServicesView(_FamilyPageView):
    """Services suggested by the family's concerns, and a search of the whole directory."""

    template_name = "referrals/family_services.html"

    def get(self, request):
        found = selectors.suggestions_for_family(
            user=request.user, family=self.family, today=timezone.localdate()
        )
        search_form = DirectorySearchForm(request.GET or None)
        page = links = None
        if search_form.is_bound and search_form.is_valid():
            results = directory_search(
                term=search_form.cleaned_data["term"],
                category=search_form.cleaned_data["category"],
            )
            page = Paginator(results, SERVICES_PER_PAGE).get_page(request.GET.get("page"))
            links = page_links(page, query_without(request, "page"))
        return render(
            request,
            self.template_name,
            self.context(
                concerns=found.concerns,
                facts=found.facts,
                groups=found.groups,
                search_form=search_form,
                page=page,
                page_links=links,
            ),
        )


class _ServiceChoiceMixin:
    """A service chosen from the directory, named by its id in the URL (not personal data)."""

    def load_service(self, service_id) -> Service:
        return get_object_or_404(with_details(Service.objects.all()), pk=service_id)


class ShowFamilyServiceView(_ServiceChoiceMixin, _FamilyPageView):
    """One service, seen for one family: whether it takes them, and how to signpost or refer."""

    template_name = "referrals/family_service_detail.html"

    def get(self, request, service_id):
        service = self.load_service(service_id)
        facts = selectors.family_facts(
            user=request.user, family=self.family, today=timezone.localdate()
        )
        return render(
            request,
            self.template_name,
            self.context(
                service=service,
                problems=eligibility_problems(service, facts),
                back_url=self.services_url(),
            ),
        )


class CreateSignpostView(_FamilyPageView):
    """Record information given to the parent, about a directory service or another resource."""

    template_name = "referrals/signpost_create.html"

    def setup_service(self):
        service_id = self.request.GET.get("service")
        self.service = None
        if service_id:
            if not service_id.isdigit():
                raise Http404("No such service")
            self.service = get_object_or_404(Service.objects.all(), pk=int(service_id))

    def make_form(self, data=None):
        return SignpostForm(
            data,
            service=self.service,
            cancel_url=self.services_url(),
            initial={"given_on": timezone.localdate()},
        )

    def get(self, request):
        self.setup_service()
        return self.render_form(self.make_form(self.restored_input()))

    def post(self, request):
        self.setup_service()
        form = self.make_form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.signpost_record(
                    actor=request.user,
                    family=self.family,
                    service=self.service,
                    resource_name=data.get("resource_name", ""),
                    resource_url=data.get("resource_url", ""),
                    given_on=data["given_on"],
                    note=data["note"],
                    form_token=data["form_token"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Signposting recorded")
                return redirect(_family_url(self.family))
        return self.render_form(form)

    def render_form(self, form):
        return render(
            self.request, self.template_name, self.context(form=form, service=self.service)
        )


class CreateReferralView(_ServiceChoiceMixin, _FamilyPageView):
    """Start a referral to a service as a draft."""

    template_name = "referrals/referral_create.html"

    def make_form(self, data=None):
        concerns = selectors.family_open_concerns(user=self.request.user, family=self.family)
        caregivers = selectors.family_caregivers(user=self.request.user, family=self.family)
        initial = {
            "urgency": Referral.Urgency.ROUTINE,
            # The referral is usually about every concern still open: untick what it is not.
            "concerns": [concern.pk for concern in concerns],
            "consent_given_on": timezone.localdate(),
        }
        if len(caregivers) == 1:
            initial["consent_given_by"] = caregivers[0].pk  # the one parent recorded
        return ReferralForm(
            data,
            family=self.family,
            concerns=concerns,
            caregivers=caregivers,
            eligibility_problems=self.problems,
            cancel_url=reverse("family_service_detail", args=[self.family.pk, self.service.pk]),
            submit="Save as draft",
            initial=initial,
        )

    def setup_service(self, service_id):
        self.service = self.load_service(service_id)
        facts = selectors.family_facts(
            user=self.request.user, family=self.family, today=timezone.localdate()
        )
        self.problems = eligibility_problems(self.service, facts)

    def get(self, request, service_id):
        self.setup_service(service_id)
        return self.render_form(self.make_form(self.restored_input()))

    def post(self, request, service_id):
        self.setup_service(service_id)
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                referral = services.referral_create(
                    actor=request.user,
                    family=self.family,
                    service=self.service,
                    concerns=form.cleaned_data.get("concerns", []),
                    form_token=form.cleaned_data["form_token"],
                    **form.referral_fields(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Referral saved as a draft. Submit it when it is ready.")
                return redirect("referral_detail", referral.pk)
        return self.render_form(form)

    def render_form(self, form):
        return render(
            self.request,
            self.template_name,
            self.context(form=form, service=self.service, problems=self.problems),
        )


class _ReferralPageView(RestoreTypedInputMixin, View):
    """A page about one referral, fetched in scope first, for every method."""

    template_name = ""

    def dispatch(self, request, *args, referral_id, **kwargs):
        try:
            self.referral = selectors.referral_for_page(user=request.user, referral_id=referral_id)
        except Referral.DoesNotExist:
            raise Http404("No such referral") from None
        self.family = self.referral.family
        return super().dispatch(request, *args, **kwargs)

    def detail_url(self) -> str:
        return reverse("referral_detail", args=[self.referral.pk])

    def context(self, **extra) -> dict:
        return {
            "referral": self.referral,
            "family": self.family,
            "restored": self.restored,
            "restored_message": RESTORED_MESSAGE,
            **extra,
        }

    def stale(self, error: services.StaleReferral, form):
        """Someone else changed the referral first: say so, keep what was typed."""
        self.referral = selectors.referral_for_page(
            user=self.request.user, referral_id=self.referral.pk
        )
        form.add_error(None, str(error))
        data = form.data.copy()
        data["version"] = self.referral.version
        form.data = data
        return form


class ShowReferralView(_ReferralPageView):
    """A referral: what it says, where it is in the workflow, its history, and what can be done."""

    template_name = "referrals/referral_detail.html"

    def get(self, request):
        referral = self.referral
        is_author = selectors.is_author(referral, request.user)
        actions = workflow.available(
            referral.status, role=request.user.role, urgent=referral.is_urgent, is_author=is_author
        )
        may_review = (
            workflow.may_review_after_sending(role=request.user.role, is_author=is_author)
            and referral.needs_retrospective_review
            and referral.retrospectively_reviewed_at is None
        )
        # A team lead's own referral: say who reviews it, rather than offer nothing.
        reviewed_by_another = (
            request.user.is_team_lead
            and is_author
            and (
                referral.status == workflow.Status.SUBMITTED
                or (
                    referral.needs_retrospective_review and not referral.retrospectively_reviewed_at
                )
            )
        )
        return render(
            request,
            self.template_name,
            self.context(
                actions=actions,
                may_edit=referral.status in workflow.EDITABLE_STATUSES,
                may_review=may_review,
                reviewed_by_another=reviewed_by_another,
                return_comment=selectors.latest_return_comment(referral),
                return_changes=selectors.with_return_changes([referral])[0].return_changes,
                events=list(referral.events.all()),
                statuses=dict(workflow.Status.choices),
            ),
        )


class UpdateReferralView(_ReferralPageView):
    """Change a draft or returned referral, with the team lead's comment if it was returned."""

    template_name = "referrals/referral_update.html"

    def dispatch(self, request, *args, **kwargs):
        self.problems = None
        return super().dispatch(request, *args, **kwargs)

    def eligibility(self) -> list[str]:
        if self.problems is None:
            facts = selectors.family_facts(
                user=self.request.user, family=self.family, today=timezone.localdate()
            )
            self.problems = eligibility_problems(self.referral.service, facts)
        return self.problems

    def make_form(self, data=None):
        referral = self.referral
        initial = {
            "version": referral.version,
            "concerns": [concern.pk for concern in referral.concerns.all()],
            **{
                name: getattr(referral, name)
                for name in services.REFERRAL_FIELDS
                if name != "consent_given_by"
            },
            "consent_given_by": referral.consent_given_by_id,
            "consent_given_on": referral.consent_given_on or timezone.localdate(),
            "refer_anyway": bool(referral.eligibility_override_reason),
        }
        return ReferralForm(
            data,
            family=self.family,
            concerns=selectors.family_open_concerns(
                user=self.request.user, family=self.family, linked=referral.concerns.all()
            ),
            caregivers=selectors.family_caregivers(user=self.request.user, family=self.family),
            eligibility_problems=self.eligibility(),
            cancel_url=self.detail_url(),
            submit="Save changes",
            initial=initial,
        )

    def refuse(self):
        messages.warning(self.request, "Only a draft or a returned referral can be changed.")
        return redirect(self.detail_url())

    def get(self, request):
        if self.referral.status not in workflow.EDITABLE_STATUSES:
            return self.refuse()
        return self.render_form(self.make_form(self.restored_input()))

    def post(self, request):
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                services.referral_update(
                    actor=request.user,
                    referral=self.referral,
                    expected_version=form.cleaned_data["version"],
                    concerns=form.cleaned_data.get("concerns", []),
                    **form.referral_fields(),
                )
            except services.StaleReferral as error:
                form = self.stale(error, form)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Referral changed")
                return redirect(self.detail_url())
        return self.render_form(form)

    def render_form(self, form):
        returned = None
        if self.referral.status == workflow.Status.RETURNED:
            returned = selectors.latest_return(self.referral)
        return render(
            self.request,
            self.template_name,
            self.context(form=form, problems=self.eligibility(), returned=returned),
        )


class TransitionReferralView(_ReferralPageView):
    """One move along the workflow, confirmed on its own page (with a note where it needs one)."""

    template_name = "referrals/referral_transition.html"

    def dispatch(self, request, *args, action, **kwargs):
        if action not in workflow.ACTIONS:
            raise Http404("No such action")
        self.action = action
        return super().dispatch(request, *args, **kwargs)

    def transition(self) -> workflow.Transition | None:
        return workflow.find(self.action, self.referral.status)

    def make_form(self, transition, data=None):
        return TransitionForm(
            data,
            note_label=transition.note_label,
            note_required=transition.note_required,
            submit=transition.label,
            cancel_url=self.detail_url(),
            warning=transition.action == "withdraw",
            initial={"version": self.referral.version},
        )

    def not_now(self):
        messages.warning(
            self.request,
            "That cannot be done to this referral now. It shows as "
            f"\u201c{self.referral.get_status_display().lower()}\u201d.",
        )
        return redirect(self.detail_url())

    def get(self, request):
        transition = self.transition()
        if transition is None or not workflow.may_act(
            transition,
            role=request.user.role,
            is_author=selectors.is_author(self.referral, request.user),
        ):
            return self.not_now()
        return self.render_form(transition, self.make_form(transition, self.restored_input()))

    def post(self, request):
        transition = self.transition()
        if transition is None:
            # Someone moved it on since the page was opened: the service's version check would
            # say the same, but there is no form to keep for a move that no longer exists.
            transition = next(t for t in workflow.TRANSITIONS if t.action == self.action)
        form = self.make_form(transition, request.POST)
        if form.is_valid():
            try:
                services.referral_transition(
                    actor=request.user,
                    referral=self.referral,
                    action=self.action,
                    note=form.cleaned_data.get("note", ""),
                    expected_version=form.cleaned_data["version"],
                )
            except services.StaleReferral as error:
                form = self.stale(error, form)
            except PermissionDenied:
                return self.not_now()
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                referral = self.referral
                referral.refresh_from_db(fields=["status"])
                messages.success(request, f"Referral: {referral.get_status_display().lower()}")
                if request.user.is_team_lead and self.action in {"approve", "return"}:
                    return redirect("referral_review_queue")
                return redirect(self.detail_url())
        return self.render_form(transition, form)

    def render_form(self, transition, form):
        return render(
            self.request,
            self.template_name,
            self.context(form=form, transition=transition),
        )


class ReviewSentReferralView(_ReferralPageView):
    """A team lead's look at an urgent referral that went without review."""

    template_name = "referrals/referral_review_after_sending.html"

    def make_form(self, data=None):
        return TransitionForm(
            data,
            note_label="Comment (optional)",
            note_required=False,
            submit="Mark as reviewed",
            cancel_url=self.detail_url(),
            initial={"version": self.referral.version},
        )

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_team_lead:
            raise Http404("Team leads only")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        if not workflow.may_review_after_sending(
            role=request.user.role, is_author=selectors.is_author(self.referral, request.user)
        ):
            messages.warning(
                request, "You sent this referral, so another team lead of your team reviews it."
            )
            return redirect(self.detail_url())
        return render(request, self.template_name, self.context(form=self.make_form()))

    def post(self, request):
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                services.referral_mark_reviewed(
                    actor=request.user,
                    referral=self.referral,
                    note=form.cleaned_data.get("note", ""),
                    expected_version=form.cleaned_data["version"],
                )
            except services.StaleReferral as error:
                form = self.stale(error, form)
            except PermissionDenied as refusal:
                messages.warning(request, str(refusal))
                return redirect(self.detail_url())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Referral marked as reviewed")
                return redirect("referral_review_queue")
        return render(request, self.template_name, self.context(form=form))


class ShowReviewQueueView(View):
    """The team lead's queue: referrals awaiting review, oldest first, and urgent ones sent
    without review."""

    template_name = "referrals/referral_review_queue.html"

    def get(self, request):
        if not request.user.is_team_lead:
            raise Http404("Team leads only")
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


class CreateFollowUpView(_FamilyPageView):
    """Plan a follow-up contact by the team."""

    template_name = "referrals/follow_up_create.html"

    def make_form(self, data=None):
        return FollowUpForm(data, cancel_url=_family_url(self.family))

    def get(self, request):
        return self.render_form(self.make_form(self.restored_input()))

    def post(self, request):
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                services.follow_up_plan(actor=request.user, family=self.family, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Follow-up planned. It shows on the caseload when due.")
                return redirect(_family_url(self.family))
        return self.render_form(form)

    def render_form(self, form):
        return render(self.request, self.template_name, self.context(form=form))


class CloseFollowUpView(RestoreTypedInputMixin, View):
    """Mark a follow-up done, or cancel it."""

    template_name = "referrals/follow_up_close.html"

    def dispatch(self, request, *args, follow_up_id, **kwargs):
        self.follow_up = get_object_or_404(
            FollowUp.objects.visible_to(request.user).select_related("family"), pk=follow_up_id
        )
        self.family = self.follow_up.family
        return super().dispatch(request, *args, **kwargs)

    def make_form(self, data=None):
        return FollowUpCloseForm(data, cancel_url=_family_url(self.family))

    def get(self, request):
        if not self.follow_up.is_open:
            messages.info(request, "This follow-up is already closed.")
            return redirect(_family_url(self.family))
        return self.render_form(self.make_form(self.restored_input()))

    def post(self, request):
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                services.follow_up_close(
                    actor=request.user,
                    follow_up=self.follow_up,
                    done=form.cleaned_data["outcome"] == "done",
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Follow-up closed")
                return redirect(_family_url(self.family))
        return self.render_form(form)

    def render_form(self, form):
        return render(
            self.request,
            self.template_name,
            {
                "family": self.family,
                "follow_up": self.follow_up,
                "form": form,
                "restored": self.restored,
                "restored_message": RESTORED_MESSAGE,
            },
        )
