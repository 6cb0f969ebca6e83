"""Factories for the records tests need. One per model, with realistic defaults."""

import factory

from attachment_app.accounts.models import Role, Team, User

TEST_PASSWORD = "a-test-password-9217"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Test Team {n}")
    area = factory.Sequence(lambda n: f"Area {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.invalid")
    role = Role.HEALTH_VISITOR
    team = factory.SubFactory(TeamFactory)
    password = factory.django.Password(TEST_PASSWORD)


class HealthVisitorFactory(UserFactory):
    role = Role.HEALTH_VISITOR


class TeamLeadFactory(UserFactory):
    role = Role.TEAM_LEAD


class AdminFactory(UserFactory):
    role = Role.ADMIN
    team = None
    is_staff = True
