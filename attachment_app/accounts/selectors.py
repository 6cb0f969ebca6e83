"""Reads for account administration, scoped to who is asking."""

from django.db.models import Q, QuerySet

from .models import CLINICAL_ROLES, AccountEvent, RoleRequest, User


def people_visible_to(user: User) -> QuerySet[User]:
    """Admins see every account; a team lead their own team's members; anyone else nobody."""
    people = User.objects.select_related("team").order_by("last_name", "first_name", "username")
    if user.is_directory_admin:
        return people
    if user.is_team_lead:
        return people.filter(team_id=user.team_id)
    return people.none()


def role_requests_visible_to(user: User) -> QuerySet[RoleRequest]:
    """Admins see every request; a team lead the requests for a role in their own team."""
    requests = RoleRequest.objects.select_related("user", "team", "requested_by", "decided_by")
    if user.is_directory_admin:
        return requests
    if user.is_team_lead:
        return requests.filter(team_id=user.team_id, role__in=sorted(CLINICAL_ROLES))
    return requests.none()


def role_requests_to_decide(user: User) -> QuerySet[RoleRequest]:
    """The waiting requests ``user`` may approve or refuse (never their own, never about them)."""
    waiting = role_requests_visible_to(user).filter(status=RoleRequest.Status.PENDING)
    waiting = waiting.exclude(Q(user_id=user.pk) | Q(requested_by_id=user.pk))
    if user.is_team_lead:
        return waiting
    # An admin decides admin-role requests, and clinical ones for teams with no team lead.
    teams_with_lead = User.objects.filter(role="team_lead", is_active=True).values("team_id")
    return waiting.filter(
        ~Q(role__in=sorted(CLINICAL_ROLES)) | ~Q(team_id__in=teams_with_lead)
    ).order_by("requested_at")


def account_events_visible_to(user: User) -> QuerySet[AccountEvent]:
    """Admins see the whole account history; a team lead their own team's members' history."""
    events = AccountEvent.objects.select_related("user", "actor")
    if user.is_directory_admin:
        return events
    if user.is_team_lead:
        return events.filter(user__team_id=user.team_id)
    return events.none()
