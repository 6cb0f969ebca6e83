"""The one rule that turns a user into what they may see.

Every sensitive model's queryset has ``visible_to(user)``, and every one of them filters
through :func:`team_scope`. Health visitors and team leads see their own team's records;
admins, users without a known role and signed-out users see none.
"""

from django.core.exceptions import PermissionDenied
from django.db import models

from attachment_app import permissions

#: A filter that matches no row. Django answers it without a query.
NOTHING = models.Q(pk__in=[])


def team_scope(user, team_field: str = "team") -> models.Q:
    """The filter limiting a sensitive queryset to the rows of the user's own team."""
    if permissions.is_clinician(user):
        return models.Q(**{team_field: user.team_id})
    return NOTHING


def check_may_record(user, team_id: int | None = None) -> None:
    """Refuse unless ``user`` is an active HV or team lead (of team ``team_id``, when given).

    The write-side twin of :func:`team_scope`: every service that records something about a
    family calls it, so reading and writing follow the same rule.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied("Sign in to record this.")
    if not permissions.is_clinician(user):
        raise PermissionDenied("Only health visitors and team leads record families' details.")
    if team_id is not None and team_id != user.team_id:
        raise PermissionDenied("This family belongs to another team.")


class TeamScopedQuerySet(models.QuerySet):
    """A queryset of records owned by a team; ``team_field`` is the lookup to that team."""

    team_field = "team"

    def visible_to(self, user):
        """The rows this user may see: their own team's, or none."""
        return self.filter(team_scope(user, self.team_field))
