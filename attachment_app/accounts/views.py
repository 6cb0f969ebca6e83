"""Signing out, setting up the second factor, and the pages that administer accounts.

Account pages are for admins (every account) and team leads (their own team's members and the
role requests for their team); anyone else gets a 404. Each change goes through ``services``
and asks for the second factor again if it was given more than 15 minutes ago.
"""

from allauth.account.utils import perform_login
from allauth.account.views import LogoutView
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.views import View

from attachment_app.pagination import page_links
from conversations.forms_families import add_service_errors

from . import selectors, services
from .forms import (
    ChoosePasswordForm,
    DecisionForm,
    InvitePersonForm,
    ReasonForm,
    RoleRequestForm,
    TeamForm,
)
from .models import Team
from .second_factor import FreshSecondFactorMixin, grace_until, has_second_factor

PEOPLE_PER_PAGE = 25
EVENTS_PER_PAGE = 50


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


class InvitePersonView(_AccountChangeView):
    admins_only = True
    template_name = "accounts/person_invite.html"

    def get(self, request):
        return render(request, self.template_name, {"form": InvitePersonForm()})

    def post(self, request):
        form = InvitePersonForm(request.POST)
        if form.is_valid():
            try:
                person = services.person_invite(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Invitation sent to {person.email}")
                return redirect("person_detail", person.pk)
        return render(request, self.template_name, {"form": form})


class _PersonReasonView(_AccountChangeView):
    """Ask for a reason, then apply ``change`` to the person (deactivate, reset a factor)."""

    admins_only = True
    template_name = ""

    def change(self, person, reason: str) -> None:
        raise NotImplementedError

    def done_message(self, person) -> str:
        raise NotImplementedError

    def get(self, request, person_id):
        person = self.person(person_id)
        return render(request, self.template_name, {"person": person, "form": ReasonForm()})

    def post(self, request, person_id):
        person = self.person(person_id)
        form = ReasonForm(request.POST)
        if form.is_valid():
            try:
                self.change(person, form.cleaned_data["reason"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, self.done_message(person))
                return redirect("person_detail", person.pk)
        return render(request, self.template_name, {"person": person, "form": form})


class DeactivatePersonView(_PersonReasonView):
    template_name = "accounts/person_deactivate.html"

    def change(self, person, reason):
        services.person_deactivate(actor=self.request.user, person=person, reason=reason)

    def done_message(self, person):
        return f"{person.get_full_name()}'s account deactivated"


class ResetSecondFactorView(_PersonReasonView):
    template_name = "accounts/person_reset_second_factor.html"

    def change(self, person, reason):
        services.second_factor_reset(actor=self.request.user, person=person, reason=reason)

    def done_message(self, person):
        return f"{person.get_full_name()}'s second factor reset: they were emailed"


class RequestRoleView(_AccountChangeView):
    admins_only = True
    template_name = "accounts/person_request_role.html"

    def get(self, request, person_id):
        person = self.person(person_id)
        form = RoleRequestForm(initial={"role": person.role or None, "team": person.team_id})
        return render(request, self.template_name, {"person": person, "form": form})

    def post(self, request, person_id):
        person = self.person(person_id)
        form = RoleRequestForm(request.POST)
        if form.is_valid():
            try:
                services.role_request_create(
                    actor=request.user,
                    person=person,
                    role=form.cleaned_data["role"],
                    team=form.cleaned_data["team"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Role requested: it takes effect once approved")
                return redirect("person_detail", person.pk)
        return render(request, self.template_name, {"person": person, "form": form})


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


class DecideRoleRequestView(_AccountChangeView):
    template_name = "accounts/role_request_decide.html"

    def load(self, request_id):
        role_request = get_object_or_404(
            selectors.role_requests_visible_to(self.request.user), pk=request_id
        )
        if not services.may_decide(self.request.user, role_request):
            raise Http404("No such page.")
        return role_request

    def get(self, request, request_id):
        role_request = self.load(request_id)
        return render(
            request, self.template_name, {"role_request": role_request, "form": DecisionForm()}
        )

    def post(self, request, request_id):
        role_request = self.load(request_id)
        form = DecisionForm(request.POST)
        if form.is_valid():
            approve = form.cleaned_data["decision"] == DecisionForm.APPROVE
            try:
                services.role_request_decide(
                    actor=request.user,
                    request=role_request,
                    approve=approve,
                    reason=form.cleaned_data["reason"],
                )
            except PermissionDenied:
                raise Http404("No such page.") from None
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                name = role_request.user.get_full_name()
                messages.success(
                    request, f"Role approved for {name}" if approve else f"Role refused for {name}"
                )
                return redirect("role_request_list")
        return render(request, self.template_name, {"role_request": role_request, "form": form})


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


class SaveTeamView(_AccountChangeView):
    """Add a team, or rename one."""

    admins_only = True
    template_name = "accounts/team_form.html"

    def team(self, team_id):
        return get_object_or_404(Team, pk=team_id) if team_id else Team()

    def get(self, request, team_id=None):
        team = self.team(team_id)
        return render(request, self.template_name, {"form": TeamForm(instance=team), "team": team})

    def post(self, request, team_id=None):
        team = self.team(team_id)
        form = TeamForm(request.POST, instance=team)
        if form.is_valid():
            try:
                services.team_save(actor=request.user, team=form.save(commit=False))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{team.name} saved")
                return redirect("team_list")
        return render(request, self.template_name, {"form": form, "team": team})
