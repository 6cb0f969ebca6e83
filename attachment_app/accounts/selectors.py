"""Reads for account administration, scoped to who is asking."""

from typing import cast

from django.db.models import Q, QuerySet

from attachment_app import permissions

from .models import AccountEvent, RoleRequest, User


def _own_team(user: User) -> int:
    # A team lead has a team: constraint user_clinical_role_has_team.
    return cast(int, user.team_id)


def people_visible_to(user: User) -> QuerySet[User]:
    """Admins see every account; a team lead their own team's members; anyone else nobody."""
    people = User.objects.select_related("team").order_by("last_name", "first_name", "username")
    if permissions.sees_every_account(user):
        return people
    if permissions.is_team_lead(user):
        return people.filter(team_id=_own_team(user))
    return people.none()


def role_requests_visible_to(user: User) -> QuerySet[RoleRequest]:
    """Admins see every request; a team lead the requests for a role in their own team."""
    requests = RoleRequest.objects.select_related("user", "team", "requested_by", "decided_by")
    if permissions.sees_every_account(user):
        return requests
    if permissions.is_team_lead(user):
        return requests.filter(permissions.clinical_role_filter(), team_id=_own_team(user))
    return requests.none()


def role_requests_to_decide(user: User) -> QuerySet[RoleRequest]:
    """The waiting requests ``user`` may approve or refuse (never their own, never about them)."""
    waiting = role_requests_visible_to(user).filter(status=RoleRequest.Status.PENDING)
    waiting = waiting.exclude(Q(user_id=user.pk) | Q(requested_by_id=user.pk))
    if permissions.is_team_lead(user):
        return waiting
    # An admin decides admin-role requests, and clinical ones for teams with no team lead.
    return waiting.filter(
        ~permissions.clinical_role_filter() | ~Q(team_id__in=permissions.teams_with_a_lead())
    ).order_by("requested_at")


def account_events_visible_to(user: User) -> QuerySet[AccountEvent]:
    """Admins see the whole account history; a team lead their own team's members' history."""
    events = AccountEvent.objects.select_related("user", "actor")
    if permissions.sees_every_account(user):
        return events
    if permissions.is_team_lead(user):
        return events.filter(user__team_id=_own_team(user))
    return events.none()
