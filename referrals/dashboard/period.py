"""What every dashboard read is bounded by: the period, and whose records it counts.

Every read starts from ``visible_to(user)``, so a team lead sees their own team and nobody else's;
a health visitor's reads are narrowed further to the families they are the named health visitor
for.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Q

from attachment_app import permissions
from attachment_app.formatting import format_date

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both days included, in London time."""

    start: datetime.date
    end: datetime.date

    @property
    def start_at(self) -> datetime.datetime:
        return datetime.datetime.combine(self.start, datetime.time(), tzinfo=LONDON)

    @property
    def end_before(self) -> datetime.datetime:
        """The first moment after the period."""
        following = self.end + datetime.timedelta(days=1)
        return datetime.datetime.combine(following, datetime.time(), tzinfo=LONDON)

    def moments(self, field_name: str) -> Q:
        """A filter for a datetime field inside the period."""
        return Q(**{f"{field_name}__gte": self.start_at, f"{field_name}__lt": self.end_before})

    def days(self, field_name: str) -> Q:
        """A filter for a date field inside the period."""
        return Q(**{f"{field_name}__range": (self.start, self.end)})

    @property
    def label(self) -> str:
        return f"{format_date(self.start)} to {format_date(self.end)}"


# --- Scope ---------------------------------------------------------------------------------------


def may_see_dashboard(user) -> bool:
    """Health visitors and team leads with a team; everyone else gets a 404."""
    return permissions.is_clinician(user)


def scoped(queryset, user, family_path: str = "family"):
    """``visible_to(user)``, narrowed to the user's own caseload unless they lead the team."""
    rows = queryset.visible_to(user)
    if permissions.sees_team_figures(user):
        return rows
    lookup = f"{family_path}__named_hv" if family_path else "named_hv"
    return rows.filter(**{lookup: user})


def scope_label(user) -> str:
    return "your team" if permissions.sees_team_figures(user) else "the families on your caseload"
