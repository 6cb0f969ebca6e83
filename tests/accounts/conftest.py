"""Account fixtures: a second admin, and a person invited but given no role or team yet."""

import pytest

from tests.factories import AdminFactory, UserFactory


@pytest.fixture
def second_admin(db):
    return AdminFactory(username="admin.two")


@pytest.fixture
def newcomer(db):
    """A person an admin invited: no role, no team yet (with a second factor, to sign in)."""
    return UserFactory(username="new.person", role="", team=None)
