"""Account administration: each function is one business action, in one transaction.

The rule that keeps families safe from the admin role: a role takes effect only when someone
other than the person who asked approves it. A clinical role for team T needs a team lead of T
(or, while T has none, a second admin); the admin role needs a second admin. Nobody approves a
request they made or one about themselves, so no single account can give itself, or an account
it controls, access to families. Superuser and staff flags, permissions and groups are never
set here. Every event is appended to the account history.
"""

from __future__ import annotations

import hashlib
import secrets
from urllib.parse import urljoin

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from attachment_app import permissions

from .models import AccountEvent, Invitation, Role, RoleRequest, Team, User

Kind = AccountEvent.Kind
Status = RoleRequest.Status


def account_event_record(
    kind: str, *, user: User | None, actor: User | None = None, detail: str = ""
) -> AccountEvent:
    """Append an event to ``user``'s account history (``actor``: who did it, if not them)."""
    return AccountEvent.objects.create(
        kind=kind, user=user, actor=actor, username=user.username if user else "", detail=detail
    )


def _check_admin(actor: User) -> None:
    if not permissions.may_change_accounts(actor):
        raise PermissionDenied


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _invitation_url(token: str) -> str:
    return urljoin(settings.SITE_URL, reverse("invitation_accept", args=[token]))


@transaction.atomic
def person_invite(
    *, actor: User, first_name: str, last_name: str, email: str, username: str
) -> User:
    """Create an account with no password and email its owner a one-time link to choose one."""
    _check_admin(actor)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "That username is taken: choose another"})
    person = User(
        username=username, first_name=first_name, last_name=last_name, email=email, role=""
    )
    person.set_unusable_password()
    person.save()
    token = secrets.token_urlsafe(32)
    Invitation.objects.create(
        user=person,
        invited_by=actor,
        token_hash=_token_hash(token),
        expires_at=timezone.now() + settings.INVITATION_VALID_FOR,
    )
    account_event_record(Kind.INVITED, user=person, actor=actor)
    hours = int(settings.INVITATION_VALID_FOR.total_seconds() // 3600)
    link = _invitation_url(token)
    transaction.on_commit(
        lambda: send_mail(
            subject=f"You have been invited to {settings.SERVICE_NAME}",
            message=(
                f"You have been given an account on {settings.SERVICE_NAME}.\n\n"
                f"Choose your password here: {link}\n\n"
                f"The link works once, for {hours} hours. Then you will set up a second "
                "factor: an authenticator app on your phone, or a passkey.\n\n"
                "If you did not expect this email, tell your team lead."
            ),
            from_email=None,
            recipient_list=[email],
        )
    )
    return person


class InvitationProblem(Exception):
    """The link cannot be used: ``reason`` is "unknown", "used", "expired" or "inactive"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def invitation_for_token(token: str) -> Invitation:
    """The invitation a link stands for, if it can still be used; else ``InvitationProblem``."""
    invitation = (
        Invitation.objects.select_related("user").filter(token_hash=_token_hash(token)).first()
    )
    if invitation is None:
        raise InvitationProblem("unknown")
    if invitation.used_at is not None:
        raise InvitationProblem("used")
    if not invitation.user.is_active:
        raise InvitationProblem("inactive")
    if invitation.expires_at <= timezone.now():
        account_event_record(Kind.INVITATION_EXPIRED, user=invitation.user)
        raise InvitationProblem("expired")
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str) -> User:
    """Use an invitation once: set the password the person chose."""
    invitation = invitation_for_token(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.used_at is not None:
        raise InvitationProblem("used")
    person = invitation.user
    person.set_password(password)
    person.save(update_fields=["password"])
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    account_event_record(Kind.INVITATION_USED, user=person)
    return person


@transaction.atomic
def person_deactivate(*, actor: User, person: User, reason: str) -> User:
    """Deactivate an account: every session of it ends at its next request, for good."""
    _check_admin(actor)
    if person.pk == actor.pk:
        raise ValidationError("You cannot deactivate your own account")
    person = User.objects.select_for_update().get(pk=person.pk)
    if not person.is_active:
        raise ValidationError("This account is already deactivated")
    person.is_active = False
    person.save(update_fields=["is_active"])
    _end_sessions(person)
    RoleRequest.objects.filter(user=person, status=Status.PENDING).update(
        status=Status.WITHDRAWN, decided_at=timezone.now(), reason="Account deactivated"
    )
    account_event_record(Kind.DEACTIVATED, user=person, actor=actor, detail=reason)
    return person


def _end_sessions(person: User) -> None:
    """Delete every live session of ``person``, so none comes back if the account ever does.

    Sessions last at most the absolute limit (12 hours), so the live ones are few to read.
    """
    from django.contrib.sessions.models import Session

    live = Session.objects.filter(expire_date__gt=timezone.now())
    ended = [
        s.pk for s in live.iterator() if s.get_decoded().get("_auth_user_id") == str(person.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()


@transaction.atomic
def second_factor_reset(*, actor: User, person: User, reason: str) -> None:
    """Remove a person's authenticators; they must set up a new one before anything else."""
    _check_admin(actor)
    if person.pk == actor.pk:
        raise ValidationError("You cannot reset your own second factor: ask another admin")
    removed = Authenticator.objects.filter(user=person).delete()[0]
    if not removed:
        raise ValidationError("This person has no second factor to reset")
    # A session on the lost device must not set up a factor of its own: sign them out
    # everywhere, so the new factor is set up only after the password again.
    _end_sessions(person)
    account_event_record(Kind.FACTOR_RESET, user=person, actor=actor, detail=reason)
    if person.email:
        transaction.on_commit(
            lambda: send_mail(
                subject=f"Your second factor for {settings.SERVICE_NAME} was reset",
                message=(
                    f"An admin reset the second factor of your {settings.SERVICE_NAME} account. "
                    "Next time you use the service you will be asked to set up a new one.\n\n"
                    "If you did not ask for this, tell your team lead straight away."
                ),
                from_email=None,
                recipient_list=[person.email],
            )
        )


@transaction.atomic
def role_request_create(*, actor: User, person: User, role: str, team: Team | None) -> RoleRequest:
    """Ask for a role and team for a person; it waits for someone else's approval."""
    _check_admin(actor)
    if not person.is_active:
        raise ValidationError("This account is deactivated")
    if permissions.role_is_clinical(role) and team is None:
        raise ValidationError({"team": "Choose the team for a health visitor or team lead"})
    if permissions.role_is_admin(role):
        team = None
    if person.role == role and person.team_id == (team.pk if team else None):
        raise ValidationError("This person already has that role and team")
    if RoleRequest.objects.filter(user=person, status=Status.PENDING).exists():
        raise ValidationError("This person already has a request waiting for approval")
    request = RoleRequest.objects.create(user=person, role=role, team=team, requested_by=actor)
    label = Role(role).label + (f", {team.name}" if team else "")
    account_event_record(Kind.ROLE_REQUESTED, user=person, actor=actor, detail=label)
    return request


def may_decide(actor: User, request: RoleRequest) -> bool:
    """Whether ``actor`` may approve or refuse ``request``: never their own, never about them."""
    if not actor.is_active or request.status != Status.PENDING:
        return False
    if actor.pk in (request.user_id, request.requested_by_id):
        return False
    if permissions.role_is_clinical(request.role):
        if permissions.is_team_lead(actor) and actor.team_id == request.team_id:
            return True
        # A second admin decides for a team with no team lead.
        return permissions.is_admin(actor) and (
            request.team_id is None or not permissions.team_leads(request.team_id).exists()
        )
    return permissions.is_admin(actor)


@transaction.atomic
def role_request_decide(*, actor: User, request: RoleRequest, approve: bool, reason: str = ""):
    """Approve (the role takes effect at once) or refuse a waiting request."""
    request = RoleRequest.objects.select_for_update().select_related("user").get(pk=request.pk)
    if not may_decide(actor, request):
        raise PermissionDenied
    person = User.objects.select_for_update().get(pk=request.user_id)
    if approve and not person.is_active:
        raise ValidationError("This account has been deactivated, so the role cannot be given")
    if not approve and not reason.strip():
        raise ValidationError({"reason": "Enter the reason for refusing"})
    request.status = Status.APPROVED if approve else Status.REFUSED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.reason = reason.strip()
    request.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    label = request.get_role_display() + (f", {request.team.name}" if request.team else "")
    if approve:
        person.role = request.role
        person.team = request.team
        person.save(update_fields=["role", "team"])
        account_event_record(Kind.ROLE_APPROVED, user=person, actor=actor, detail=label)
    else:
        account_event_record(
            Kind.ROLE_REFUSED, user=person, actor=actor, detail=f"{label}: {request.reason}"[:200]
        )
    return request


@transaction.atomic
def team_save(*, actor: User, team: Team) -> Team:
    """Add or rename a team."""
    _check_admin(actor)
    team.full_clean()
    team.save()
    return team
