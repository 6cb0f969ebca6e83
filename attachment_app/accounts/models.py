"""Users and teams. A user's role and team decide which records they may see."""

import pghistory
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models


@pghistory.track()
class Team(models.Model):
    """A health visiting team: the unit that owns families and their records."""

    name = models.CharField(max_length=120, unique=True)
    area = models.CharField(
        max_length=120, blank=True, help_text="The locality or area the team covers."
    )

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

    @property
    def is_clinical(self) -> bool:
        return self.role in CLINICAL_ROLES

    @property
    def is_team_lead(self) -> bool:
        return self.role == Role.TEAM_LEAD

    @property
    def is_directory_admin(self) -> bool:
        return self.role == Role.ADMIN
