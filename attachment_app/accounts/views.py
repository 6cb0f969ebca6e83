"""Signing out, setting up the second factor, and the pages that administer accounts.

Account pages are for admins (every account) and team leads (their own team's members and the
role requests for their team); anyone else gets a 404. Each change goes through ``services``
and asks for the second factor again if it was given more than 15 minutes ago.
"""

from allauth.account.utils import perform_login
from allauth.account.views import LoginView, LogoutView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View

from attachment_app import permissions
from attachment_app.form_page import FormPageView, PageView
from attachment_app.formatting import format_count
from attachment_app.pagination import page_links

from . import selectors, services
from .forms import (
    ChoosePasswordForm,
    DecisionForm,
    InvitePersonForm,
    ReasonForm,
    RoleRequestForm,
    TeamForm,
)
from .middleware import IDLE, LIMIT, SIGNED_OUT
from .models import Team
from .second_factor import FreshSecondFactorMixin, grace_until, has_second_factor

PEOPLE_PER_PAGE = 25
EVENTS_PER_PAGE = 50


def signed_out_reason(reason: str | None) -> str | None:
    """Why the session ended, in words for the sign-in page, from the page's ``signed_out``."""
    if reason == IDLE:
        idle = format_count(settings.SESSION_IDLE_TIMEOUT_MINUTES, "minute")
        return f"You were signed out because you had not done anything for {idle}."
    if reason == LIMIT:
        hours = format_count(int(settings.SESSION_ABSOLUTE_LIMIT.total_seconds() // 3600), "hour")
        return (
            f"You were signed out because you had been signed in for {hours}, "
            "the longest a session can last."
        )
    return None


class SignInView(LoginView):
    """allauth's sign-in page, saying why the person was signed out if a time limit did it."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["signed_out_reason"] = signed_out_reason(self.request.GET.get(SIGNED_OUT))
        return context


class SignOutView(LogoutView):
    """Sign out (POST only) and ask the browser to forget what it kept of the session."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response


class SetUpSecondFactorView(PageView):
    """Before anything else: choose an authenticator app or a passkey as the second factor."""

    def get(self, request):
        if has_second_factor(request.user):
            return redirect("mfa_index")
        return render(request, "accounts/second_factor_setup.html", {"grace_until": grace_until()})


@method_decorator(login_not_required, name="dispatch")
class AcceptInvitationView(View):
    """An invited person chooses their password, then sets up their second factor."""

    template_name = "accounts/invitation_accept.html"

    def dispatch(self, request, token):
        try:
            self.invitation = services.invitation_for_token(token)
        except services.InvitationProblem as problem:
            return render(
                request,
                "accounts/invitation_unusable.html",
                {"reason": problem.reason},
                status=410 if problem.reason != "unknown" else 404,
            )
        if request.user.is_authenticated:
            return render(request, "accounts/invitation_signed_in.html", status=409)
        return super().dispatch(request, token)

    def get(self, request, token):
        form = ChoosePasswordForm(user=self.invitation.user)
        return render(request, self.template_name, {"form": form, "person": self.invitation.user})

    def post(self, request, token):
        form = ChoosePasswordForm(request.POST, user=self.invitation.user)
        if form.is_valid():
            try:
                person = services.invitation_accept(
                    token=token, password=form.cleaned_data["password1"]
                )
            except services.InvitationProblem as problem:
                return render(
                    request, "accounts/invitation_unusable.html", {"reason": problem.reason}
                )
            # Signed in with the password just chosen; the second factor is set up next.
            return perform_login(request, person, redirect_url="/")
        return render(request, self.template_name, {"form": form, "person": self.invitation.user})


class _AccountsPage(PageView):
    """Admins and team leads only (admins alone where ``admins_only``); a 404 for anyone else,
    before anything is read."""

    admins_only = False

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if self.admins_only:
            allowed = permissions.may_change_accounts(user)
        else:
            allowed = permissions.may_manage_people(user)
        if not allowed:
            raise Http404("No such page.")
        return super().dispatch(request, *args, **kwargs)

    def person(self, person_id):
        return get_object_or_404(selectors.people_visible_to(self.request.user), pk=person_id)


class _AccountsListPage(_AccountsPage):
    """A list of accounts, requests or events, a page at a time."""

    template_name = ""
    per_page = PEOPLE_PER_PAGE

    def rows(self):
        raise NotImplementedError

    def context(self) -> dict:
        return {}

    def get(self, request):
        page = Paginator(self.rows(), self.per_page).get_page(request.GET.get("page"))
        return render(
            request,
            self.template_name,
            {"page": page, "pagination": page_links(page), **self.context()},
        )


class ListPeopleView(_AccountsListPage):
    """Every account an admin looks after, or a team lead's own team, with role and status."""

    template_name = "accounts/person_list.html"

    def rows(self):
        return selectors.people_visible_to(self.request.user)

    def context(self):
        return {"to_decide": selectors.role_requests_to_decide(self.request.user).count()}


class ShowPersonView(_AccountsPage):
    """One account: role, team, status, second factor, requests and history."""

    def load(self, person_id):
        self.subject = self.person(person_id)

    def get(self, request):
        person = self.subject
        events = selectors.account_events_visible_to(request.user).filter(user=person)
        requests = selectors.role_requests_visible_to(request.user).filter(user=person)
        return render(
            request,
            "accounts/person_detail.html",
            {
                "person": person,
                "has_factor": has_second_factor(person),
                "requests": requests[:10],
                "events": events[:20],
            },
        )


class _AccountFormPage(FreshSecondFactorMixin, _AccountsPage, FormPageView):
    """A change to an account or a team: the second factor within the last 15 minutes, then one
    form and one service call. The templates draw their own buttons."""

    def form_kwargs(self):
        return {}


class InvitePersonView(_AccountFormPage):
    """Create an account and email its owner a link to choose a password."""

    admins_only = True
    template_name = "accounts/person_invite.html"
    form_class = InvitePersonForm

    def perform(self, form):
        return services.person_invite(actor=self.request.user, **form.cleaned_data)

    def message(self, person):
        return f"Invitation sent to {person.email}"

    def success_url(self, person):
        return reverse("person_detail", args=[person.pk])


class _PersonFormPage(_AccountFormPage):
    """A change to one person's account, made by an admin; back to their page once made."""

    admins_only = True

    def load(self, person_id):
        self.subject = self.person(person_id)

    def context(self):
        return {"person": self.subject}

    def success_url(self, result):
        return reverse("person_detail", args=[self.subject.pk])


class DeactivatePersonView(_PersonFormPage):
    """Deactivate an account, with the reason."""

    template_name = "accounts/person_deactivate.html"
    form_class = ReasonForm

    def perform(self, form):
        services.person_deactivate(
            actor=self.request.user, person=self.subject, reason=form.cleaned_data["reason"]
        )

    def message(self, result):
        return f"{self.subject.get_full_name()}'s account deactivated"


class ResetSecondFactorView(_PersonFormPage):
    """Remove a person's second factor, with the reason, so they set up a new one."""

    template_name = "accounts/person_reset_second_factor.html"
    form_class = ReasonForm

    def perform(self, form):
        services.second_factor_reset(
            actor=self.request.user, person=self.subject, reason=form.cleaned_data["reason"]
        )

    def message(self, result):
        return f"{self.subject.get_full_name()}'s second factor reset: they were emailed"


class RequestRoleView(_PersonFormPage):
    """Ask for a role and team for a person: it waits for someone else's approval."""

    template_name = "accounts/person_request_role.html"
    form_class = RoleRequestForm
    success_message = "Role requested: it takes effect once approved"

    def initial(self):
        return {"role": self.subject.role or None, "team": self.subject.team_id}

    def perform(self, form):
        services.role_request_create(
            actor=self.request.user,
            person=self.subject,
            role=form.cleaned_data["role"],
            team=form.cleaned_data["team"],
        )


class ListRoleRequestsView(_AccountsListPage):
    """The role requests waiting for this person's decision."""

    template_name = "accounts/role_request_list.html"

    def rows(self):
        return selectors.role_requests_to_decide(self.request.user)


class DecideRoleRequestView(_AccountFormPage):
    """Approve or refuse a role request someone else made."""

    template_name = "accounts/role_request_decide.html"
    form_class = DecisionForm

    def load(self, request_id):
        self.role_request = get_object_or_404(
            selectors.role_requests_visible_to(self.request.user), pk=request_id
        )
        # The one who decided it may still reach it: a press sent again (a double press, a
        # resend) is answered as already saved, and a later visit goes back to the list.
        decided_here = self.role_request.decided_by_id == self.request.user.pk
        if not (decided_here or services.may_decide(self.request.user, self.role_request)):
            raise Http404("No such page.")

    def refuse(self):
        if self.role_request.decided_by_id is not None:
            messages.info(self.request, "This request has already been decided.")
            return redirect("role_request_list")
        return None

    def context(self):
        return {
            "role_request": self.role_request,
            # A clinical role gives access to every family of the team.
            "sees_families": permissions.role_is_clinical(self.role_request.role),
        }

    def perform(self, form):
        approve = form.cleaned_data["decision"] == DecisionForm.APPROVE
        try:
            services.role_request_decide(
                actor=self.request.user,
                request=self.role_request,
                approve=approve,
                reason=form.cleaned_data["reason"],
            )
        except PermissionDenied:
            raise Http404("No such page.") from None
        return approve

    def message(self, approve):
        name = self.role_request.user.get_full_name()
        return f"Role approved for {name}" if approve else f"Role refused for {name}"

    def success_url(self, approve):
        return reverse("role_request_list")


class ListAccountEventsView(_AccountsListPage):
    """The account history: every account for admins, the team's members for a team lead."""

    template_name = "accounts/account_event_list.html"
    per_page = EVENTS_PER_PAGE

    def rows(self):
        return selectors.account_events_visible_to(self.request.user)


class ListTeamsView(_AccountsPage):
    """Every team, to add one or rename one."""

    admins_only = True

    def get(self, request):
        return render(request, "accounts/team_list.html", {"teams": Team.objects.all()})


class SaveTeamView(_AccountFormPage):
    """Add a team, or rename one."""

    admins_only = True
    template_name = "accounts/team_form.html"
    form_class = TeamForm

    def load(self, team_id=None):
        self.team = get_object_or_404(Team, pk=team_id) if team_id else Team()

    def form_kwargs(self):
        return {"instance": self.team}

    def context(self):
        return {"team": self.team}

    def perform(self, form):
        return services.team_save(actor=self.request.user, team=form.save(commit=False))

    def message(self, team):
        return f"{team.name} saved"

    def success_url(self, team):
        return reverse("team_list")
