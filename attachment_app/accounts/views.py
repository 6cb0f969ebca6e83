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
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View

from attachment_app.nhsuk_forms.helpers import add_service_errors
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


def _count(number: int, unit: str) -> str:
    return f"{number} {unit}{'' if number == 1 else 's'}"


def signed_out_reason(reason: str | None) -> str | None:
    """Why the session ended, in words for the sign-in page, from the page's ``signed_out``."""
    if reason == IDLE:
        idle = _count(settings.SESSION_IDLE_TIMEOUT_MINUTES, "minute")
        return f"You were signed out because you had not done anything for {idle}."
    if reason == LIMIT:
        hours = int(settings.SESSION_ABSOLUTE_LIMIT.total_seconds() // 3600)
        return (
            f"You were signed out because you had been signed in for {_count(hours, 'hour')}, "
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


class SetUpSecondFactorView(View):
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


class _AccountsView(View):
    """Admins and team leads only; a 404 for anyone else, before anything is read."""

    admins_only = False

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        allowed = user.is_directory_admin or (user.is_team_lead and not self.admins_only)
        if not allowed:
            raise Http404("No such page.")
        return super().dispatch(request, *args, **kwargs)

    def person(self, person_id):
        return get_object_or_404(selectors.people_visible_to(self.request.user), pk=person_id)


class _AccountChangeView(FreshSecondFactorMixin, _AccountsView):
    """A change to an account: the second factor within the last 15 minutes."""


class ListPeopleView(_AccountsView):
    """Every account an admin looks after, or a team lead's own team, with role and status."""

    def get(self, request):
        people = selectors.people_visible_to(request.user)
        page = Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
        return render(
            request,
            "accounts/person_list.html",
            {
                "page": page,
                "pagination": page_links(page),
                "to_decide": selectors.role_requests_to_decide(request.user).count(),
            },
        )


class ShowPersonView(_AccountsView):
    """One account: role, team, status, second factor, requests and history."""

    def get(self, request, person_id):
        person = self.person(person_id)
        events = selectors.account_events_visible_to(request.user).filter(user=person)
        return render(
            request,
            "accounts/person_detail.html",
            {
                "person": person,
                "has_factor": has_second_factor(person),
                "requests": selectors.role_requests_visible_to(request.user).filter(user=person)[
                    :10
                ],
                "events": events[:20],
            },
        )


class _AccountFormView(_AccountChangeView):
    """One account change page: the form, one service call in ``save``, a success message.

    ``load`` fetches what the page is about (after the role check) for its template; a
    service's ValidationError is shown on the form, which keeps what was typed.
    """

    template_name = ""

    def load(self, **kwargs) -> dict:
        return {}

    def make_form(self, data=None):
        raise NotImplementedError

    def save(self, form) -> tuple[str, str]:
        """Make the change; return the success message and where to go next."""
        raise NotImplementedError

    def get(self, request, **kwargs):
        self.about = self.load(**kwargs)
        return self.show(self.make_form())

    def post(self, request, **kwargs):
        self.about = self.load(**kwargs)
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                message, next_url = self.save(form)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, message)
                return redirect(next_url)
        return self.show(form)

    def show(self, form):
        return render(self.request, self.template_name, {**self.about, "form": form})


class InvitePersonView(_AccountFormView):
    admins_only = True
    template_name = "accounts/person_invite.html"

    def make_form(self, data=None):
        return InvitePersonForm(data)

    def save(self, form):
        person = services.person_invite(actor=self.request.user, **form.cleaned_data)
        return f"Invitation sent to {person.email}", reverse("person_detail", args=[person.pk])


class _PersonFormView(_AccountFormView):
    """A change to one person's account, made by an admin."""

    admins_only = True

    def load(self, person_id):
        self.subject = self.person(person_id)
        return {"person": self.subject}

    def done_url(self) -> str:
        return reverse("person_detail", args=[self.subject.pk])


class DeactivatePersonView(_PersonFormView):
    template_name = "accounts/person_deactivate.html"

    def make_form(self, data=None):
        return ReasonForm(data)

    def save(self, form):
        services.person_deactivate(
            actor=self.request.user, person=self.subject, reason=form.cleaned_data["reason"]
        )
        return f"{self.subject.get_full_name()}'s account deactivated", self.done_url()


class ResetSecondFactorView(_PersonFormView):
    template_name = "accounts/person_reset_second_factor.html"

    def make_form(self, data=None):
        return ReasonForm(data)

    def save(self, form):
        services.second_factor_reset(
            actor=self.request.user, person=self.subject, reason=form.cleaned_data["reason"]
        )
        name = self.subject.get_full_name()
        return f"{name}'s second factor reset: they were emailed", self.done_url()


class RequestRoleView(_PersonFormView):
    template_name = "accounts/person_request_role.html"

    def make_form(self, data=None):
        person = self.subject
        return RoleRequestForm(data, initial={"role": person.role or None, "team": person.team_id})

    def save(self, form):
        services.role_request_create(
            actor=self.request.user,
            person=self.subject,
            role=form.cleaned_data["role"],
            team=form.cleaned_data["team"],
        )
        return "Role requested: it takes effect once approved", self.done_url()


class ListRoleRequestsView(_AccountsView):
    """The role requests waiting for this person's decision."""

    def get(self, request):
        waiting = selectors.role_requests_to_decide(request.user)
        page = Paginator(waiting, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
        return render(
            request,
            "accounts/role_request_list.html",
            {"page": page, "pagination": page_links(page)},
        )


class DecideRoleRequestView(_AccountFormView):
    template_name = "accounts/role_request_decide.html"

    def load(self, request_id):
        self.role_request = get_object_or_404(
            selectors.role_requests_visible_to(self.request.user), pk=request_id
        )
        if not services.may_decide(self.request.user, self.role_request):
            raise Http404("No such page.")
        return {"role_request": self.role_request}

    def make_form(self, data=None):
        return DecisionForm(data)

    def save(self, form):
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
        name = self.role_request.user.get_full_name()
        message = f"Role approved for {name}" if approve else f"Role refused for {name}"
        return message, reverse("role_request_list")


class ListAccountEventsView(_AccountsView):
    """The account history: every account for admins, the team's members for a team lead."""

    def get(self, request):
        events = selectors.account_events_visible_to(request.user)
        page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
        return render(
            request,
            "accounts/account_event_list.html",
            {"page": page, "pagination": page_links(page)},
        )


class ListTeamsView(_AccountsView):
    admins_only = True

    def get(self, request):
        return render(request, "accounts/team_list.html", {"teams": Team.objects.all()})


class SaveTeamView(_AccountFormView):
    """Add a team, or rename one."""

    admins_only = True
    template_name = "accounts/team_form.html"

    def load(self, team_id=None):
        self.team = get_object_or_404(Team, pk=team_id) if team_id else Team()
        return {"team": self.team}

    def make_form(self, data=None):
        return TeamForm(data, instance=self.team)

    def save(self, form):
        team = services.team_save(actor=self.request.user, team=form.save(commit=False))
        return f"{team.name} saved", reverse("team_list")
