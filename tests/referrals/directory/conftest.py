"""Directory fixtures: a fixed day, a signed-in admin, an organisation and a local authority."""

import datetime

import pytest

from tests.factories_referrals import LocalAuthorityFactory, OrganizationFactory


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 16, 10, tzinfo=datetime.UTC))


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def organization(db):
    return OrganizationFactory(name="Riverside Family Services")


@pytest.fixture
def authority(db):
    return LocalAuthorityFactory(code="E99000001", name="Riverside", postcode_districts=["LS1"])
