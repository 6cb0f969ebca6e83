"""Who a reminder goes to, decided when it is sent: only people who may see its subject then.

The subject's owning app passes the team that owns the subject now and the health visitors
connected to it; anyone who has left that team, or been deactivated, is dropped.
"""

from attachment_app import permissions
from attachment_app.accounts.models import User


def team_leads(team_id: int | None) -> list[User]:
    """The active team leads of a team."""
    if team_id is None:
        return []
    return list(permissions.team_leads(team_id))


def health_visitor(team_id: int | None, *candidates: User | None) -> list[User]:
    """The first candidate who is an active clinician of the team now, as a one-item list."""
    for user in candidates:
        if user is not None and permissions.is_clinician(user) and user.team_id == team_id:
            return [user]
    return []


def unique(*groups: list[User]) -> list[User]:
    seen, users = set(), []
    for group in groups:
        for user in group:
            if user.pk not in seen:
                seen.add(user.pk)
                users.append(user)
    return users
