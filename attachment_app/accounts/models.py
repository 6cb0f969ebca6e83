"""Users and teams. A user's role and team decide which records they may see."""

import pghistory
import pgtrigger
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models


@pghistory.track()
class Team(models.Model):
    """A health visiting team: the unit that owns families and their records."""

    name = models.CharField(max_length=120, unique=True)
    area = models.CharField(
        max_length=120, blank=True, help_text="The locality or area the team covers."
    )
    # How a service reaches the team about a referral: on the referral letter and the link page.
    phone = models.CharField("Phone number", max_length=30, blank=True)
    email = models.EmailField("Email address", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    HEALTH_VISITOR = "health_visitor", "Health visitor"
    TEAM_LEAD = "team_lead", "Team lead"
    ADMIN = "admin", "Admin"


#: Roles that work with families and so see their team's clinical records.
CLINICAL_ROLES = frozenset({Role.HEALTH_VISITOR, Role.TEAM_LEAD})


@pghistory.track(exclude=["password", "last_login"])
class User(AbstractUser):
    """A member of staff. Without a known role a user sees no records at all."""

    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )

    objects = UserManager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=["", *Role.values]),
                name="user_role_known",
            ),
            # A health visitor or team lead without a team would see nothing and own nothing.
            models.CheckConstraint(
                condition=~models.Q(role__in=sorted(CLINICAL_ROLES)) | models.Q(team__isnull=False),
                name="user_clinical_role_has_team",
            ),
        ]


class AccountEvent(models.Model):
    """Something that happened to an account: append-only, the account's history.

    Failed sign-ins are also what the throttle counts (``accounts.throttle``). Rows hold the
    username tried and the address, never a password or a code.
    """

    class Kind(models.TextChoices):
        INVITED = "invited", "Invited"
        INVITATION_USED = "invitation_used", "Invitation used"
        INVITATION_EXPIRED = "invitation_expired", "Expired invitation opened"
        ROLE_REQUESTED = "role_requested", "Role requested"
        ROLE_APPROVED = "role_approved", "Role approved"
        ROLE_REFUSED = "role_refused", "Role refused"
        FACTOR_ENROLLED = "factor_enrolled", "Second factor set up"
        FACTOR_REMOVED = "factor_removed", "Second factor removed"
        FACTOR_RESET = "factor_reset", "Second factor reset"
        DEACTIVATED = "deactivated", "Deactivated"
        PASSWORD_CHANGED = "password_changed", "Password changed"
        SIGN_IN_SUCCEEDED = "sign_in_succeeded", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        SIGN_IN_LOCKED = "sign_in_locked", "Sign-in refused: locked"

    at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    #: The account the event is about (empty for a failed sign-in with an unknown username).
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="account_events"
    )
    #: Who did it, when that is someone other than the account itself (an admin, a team lead).
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: The username as typed at sign-in, lower-cased: what the throttle counts by.
    username = models.CharField(max_length=150, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["user", "-at"], name="accountevent_user_at"),
            models.Index(
                fields=["username", "address", "at"],
                name="accountevent_signin_failures",
                condition=models.Q(kind__in=["sign_in_failed", "sign_in_succeeded"]),
            ),
            models.Index(
                fields=["address", "at"],
                name="accountevent_address_failures",
                condition=models.Q(kind="sign_in_failed"),
            ),
            models.Index(
                fields=["at"],
                name="accountevent_failures_at",
                condition=models.Q(kind="sign_in_failed"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=[
                        "invited",
                        "invitation_used",
                        "invitation_expired",
                        "role_requested",
                        "role_approved",
                        "role_refused",
                        "factor_enrolled",
                        "factor_removed",
                        "factor_reset",
                        "deactivated",
                        "password_changed",
                        "sign_in_succeeded",
                        "sign_in_failed",
                        "sign_in_locked",
                    ]
                ),
                name="accountevent_kind_known",
            )
        ]
        triggers = [
            pgtrigger.Protect(
                name="account_event_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.user_id or self.username} at {self.at}"


class Invitation(models.Model):
    """A one-time link for a new person to choose their own password. Only its hash is kept."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="invitations")
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.user_id}"


class RoleRequest(models.Model):
    """A request to give a person a role and team. It takes effect only once approved.

    A clinical role (health visitor or team lead of team T) is approved by a team lead of T, or
    by a second admin while T has no team lead; the admin role by a second admin. Nobody
    approves a request they made or one for themselves (``accounts.services``).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="role_requests")
    role = models.CharField(max_length=20, choices=Role.choices)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="role_requests"
    )
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "approved", "refused", "withdrawn"]),
                name="rolerequest_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="rolerequest_role_known"
            ),
            models.CheckConstraint(
                condition=~models.Q(role__in=sorted(CLINICAL_ROLES)) | models.Q(team__isnull=False),
                name="rolerequest_clinical_role_has_team",
            ),
            # A decision names someone other than the person who asked.
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | ~models.Q(decided_by=models.F("requested_by")),
                name="rolerequest_not_decided_by_requester",
            ),
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | ~models.Q(decided_by=models.F("user")),
                name="rolerequest_not_decided_by_subject",
            ),
            # One open request per person at a time.
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status="pending"),
                name="rolerequest_one_pending_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} for {self.user_id} ({self.status})"
