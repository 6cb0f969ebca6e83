"""Who may do what: every rule that turns on a person's role, named, in one place (ADR 0009).

Views, services and templates ask these questions; none of them compares a role itself
(``tests/test_permissions.py`` fails if one does). Which *records* a person sees is the other
half, and stays where it is: ``visible_to(user)`` scopes every query to the team (ADR 0002), and
nothing here widens it. So ``may_record_for(user, family)`` is asked about a family already
fetched in scope, and says whether this person may write about it.

Templates read the person's own permissions as ``may`` (``{% if may.review_referrals %}``),
from :func:`attachment_app.context_processors.service`; a page about one record is given the
answers about that record by its view.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from attachment_app.accounts.models import CLINICAL_ROLES, Role, User

if TYPE_CHECKING:
    from conversations.models import Family
    from referrals.models import Referral
    from referrals.workflow import Transition


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


# --- Roles --------------------------------------------------------------------------------------


def is_clinician(user: Any) -> bool:
    """An active health visitor or team lead of a team: who works with families."""
    return (
        _active(user)
        and getattr(user, "role", None) in CLINICAL_ROLES
        and getattr(user, "team_id", None) is not None
    )


def is_team_lead(user: Any) -> bool:
    return is_clinician(user) and user.role == Role.TEAM_LEAD


def is_health_visitor(user: Any) -> bool:
    return is_clinician(user) and user.role == Role.HEALTH_VISITOR


def is_admin(user: Any) -> bool:
    """An active admin: keeps the directory, the instruments and the accounts; sees no family."""
    return _active(user) and getattr(user, "role", None) == Role.ADMIN


def role_is_clinical(role: str) -> bool:
    """Whether a role (as chosen on a form or in a request) works with a team's families."""
    return role in CLINICAL_ROLES


def role_is_admin(role: str) -> bool:
    return role == Role.ADMIN


def team_leads(team_id: int) -> QuerySet[User]:
    """The active team leads of a team."""
    return User.objects.filter(team_id=team_id, role=Role.TEAM_LEAD, is_active=True)


def health_visitors(team_id: int) -> QuerySet[User]:
    """The active health visitors of a team."""
    return User.objects.filter(team_id=team_id, role=Role.HEALTH_VISITOR, is_active=True)


def clinicians(team_id: int) -> QuerySet[User]:
    """The active health visitors and team leads of a team."""
    return User.objects.filter(team_id=team_id, role__in=sorted(CLINICAL_ROLES), is_active=True)


def admins() -> QuerySet[User]:
    """The active admins (for example, those who may be told about a directory feed)."""
    return User.objects.filter(role=Role.ADMIN, is_active=True)


def teams_with_a_lead() -> QuerySet[User, Any]:
    """The team ids that have an active team lead (for a subquery)."""
    return User.objects.filter(role=Role.TEAM_LEAD, is_active=True).values("team_id")


def clinical_role_filter(field: str = "role") -> Q:
    """A filter for rows whose ``field`` holds a role that works with families (a request's)."""
    return Q(**{f"{field}__in": sorted(CLINICAL_ROLES)})


# --- Families ------------------------------------------------------------------------------------


def may_add_family(user: Any) -> bool:
    return is_clinician(user)


def may_record_for(user: Any, family: Family) -> bool:
    """Whether this person may record about this family: a clinician of the family's team."""
    return is_clinician(user) and family.team_id == user.team_id


def may_mark_entered_in_error(user: Any, family: Family) -> bool:
    """Whether this person may mark a record of this family as entered in error: a health
    visitor or team lead of the family's team (nothing is deleted; the mark says who)."""
    return is_clinician(user) and family.team_id == user.team_id


def may_see_access_log(user: Any, family: Family) -> bool:
    """Who opened a family's record: for the team leads of the family's team."""
    return is_team_lead(user) and family.team_id == user.team_id


def may_export_record(user: Any, family: Family) -> bool:
    """The family's record as FHIR for the trust's EPR: a clinician of the family's team."""
    return is_clinician(user) and family.team_id == user.team_id


def may_bulk_export(user: Any) -> bool:
    """A bulk FHIR export of the team's families: team leads, of their own team."""
    return is_team_lead(user)


def named_hv_by_default(user: Any) -> bool:
    """A health visitor who adds a family is its named HV unless they choose another."""
    return is_health_visitor(user)


def caseload_opens_on_own_families(user: Any) -> bool:
    """A health visitor's caseload opens on their own families; a team lead's on the team's."""
    return is_health_visitor(user)


def may_be_named_hv(user: Any, family_team_id: int | None) -> bool:
    return is_clinician(user) and user.team_id == family_team_id


# --- Referrals -----------------------------------------------------------------------------------


def may_make_transition(user: Any, transition: Transition, *, is_author: bool) -> bool:
    """Whether this person may make a workflow move (the family's team is checked apart).

    ``is_author``: they created, submitted or sent the referral; separated moves are then
    another team lead's (ADR 0007).
    """
    if not is_clinician(user):
        return False
    if transition.separated and is_author:
        return False
    if transition.team_lead_only:
        return is_team_lead(user)
    return True


def transitions_for(user: Any, moves: Iterable[Transition], *, is_author: bool) -> list[Transition]:
    """Of the table's ``moves`` (``workflow.moves_from``), those this person may make."""
    return [move for move in moves if may_make_transition(user, move, is_author=is_author)]


#: The review of an urgent referral sent without one is separated from its author too.
REVIEW_AFTER_SENDING_SEPARATED = True


def may_review_after_sending(user: Any, *, is_author: bool) -> bool:
    """The review of an urgent referral sent without one: another team lead's."""
    if REVIEW_AFTER_SENDING_SEPARATED and is_author:
        return False
    return is_team_lead(user)


def may_review_referral(user: Any, referral: Referral, *, is_author: bool) -> bool:
    """Whether this person may approve or return this referral: a team lead of its team who
    did not create or submit it (``is_author``: ``referrals.selectors.is_author``)."""
    return is_team_lead(user) and referral.family.team_id == user.team_id and not is_author


def may_review_referrals(user: Any) -> bool:
    """The review queue: team leads."""
    return is_team_lead(user)


def sees_team_figures(user: Any) -> bool:
    """The dashboard shows the whole team to a team lead, a health visitor their caseload."""
    return is_team_lead(user)


def may_export_referral_list(user: Any) -> bool:
    """The referral list with NHS numbers, for a team lead's audit."""
    return is_team_lead(user)


# --- Administration ------------------------------------------------------------------------------


def may_manage_directory(user: Any) -> bool:
    return is_admin(user)


def may_manage_instruments(user: Any) -> bool:
    return is_admin(user)


def may_manage_people(user: Any) -> bool:
    """The people pages: every account for an admin, the team's members for a team lead."""
    return is_admin(user) or is_team_lead(user)


def may_change_accounts(user: Any) -> bool:
    """Invitations, deactivation and second-factor resets: admins only."""
    return is_admin(user)


def may_manage_reference_lists(user: Any) -> bool:
    """Django's admin, for the reference lists (concern categories, local authorities …)."""
    return is_admin(user)


def sees_every_account(user: Any) -> bool:
    """Every account, request and account event for an admin; a team lead sees the team's."""
    return is_admin(user)


# --- For templates -------------------------------------------------------------------------------


class PersonPermissions:
    """``may`` in every template: what the signed-in person may do, asked when read."""

    def __init__(self, user: Any):
        self._user = user

    @property
    def add_family(self) -> bool:
        return may_add_family(self._user)

    @property
    def review_referrals(self) -> bool:
        return may_review_referrals(self._user)

    @property
    def see_team_figures(self) -> bool:
        return sees_team_figures(self._user)

    @property
    def export_referral_list(self) -> bool:
        return may_export_referral_list(self._user)

    @property
    def bulk_export(self) -> bool:
        return may_bulk_export(self._user)

    @property
    def manage_people(self) -> bool:
        return may_manage_people(self._user)

    @property
    def manage_directory(self) -> bool:
        return may_manage_directory(self._user)

    @property
    def manage_instruments(self) -> bool:
        return may_manage_instruments(self._user)

    @property
    def work_with_families(self) -> bool:
        return is_clinician(self._user)

    @property
    def change_accounts(self) -> bool:
        return may_change_accounts(self._user)

    @property
    def see_every_account(self) -> bool:
        return sees_every_account(self._user)
