"""Step 3 fixtures: a family of team A with a baby and a concern, and a service for it."""

import pytest

from tests.factories import BabyFactory, FamilyFactory
from tests.factories_referrals import ConcernFactory, ReferralFactory, ServiceFactory


@pytest.fixture
def family(team_a, hv):
    family = FamilyFactory(team=team_a, named_hv=hv, name="Ashworth", postcode="LS1 4AP")
    BabyFactory(family=family)
    return family


@pytest.fixture
def concern(family, hv):
    return ConcernFactory(family=family, raised_by=hv)


@pytest.fixture
def service(db):
    return ServiceFactory(
        name="Perinatal Mental Health Team",
        terms=["perinatal-mental-health"],
        interventions=["vig"],
    )


@pytest.fixture
def referral(family, service, hv, concern):
    referral = ReferralFactory(family=family, service=service, created_by=hv)
    referral.concerns.set([concern])
    return referral
