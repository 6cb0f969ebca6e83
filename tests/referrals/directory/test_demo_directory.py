"""The demo directory: made once, covering what the demo needs, and never in production."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from referrals.eligibility import FamilyCircumstances, eligible_filter
from referrals.models import LocalAuthority, Organization, Service, ServiceArea, TaxonomyTerm
from tests.referrals.directory.directory_data import TODAY

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo_directory", stdout=out)
    return out.getvalue()


def test_demo_directory_is_made_once(admin_user):
    assert "services created" in _seed()
    counts = (
        Service.objects.count(),
        Organization.objects.count(),
        ServiceArea.objects.count(),
        LocalAuthority.objects.count(),
    )
    assert 15 <= counts[0] <= 25
    assert "0 services created" in _seed()
    assert counts == (
        Service.objects.count(),
        Organization.objects.count(),
        ServiceArea.objects.count(),
        LocalAuthority.objects.count(),
    )


def test_demo_directory_covers_what_the_demo_needs(admin_user):
    _seed()
    assert set(LocalAuthority.objects.values_list("name", flat=True)) == {"Riverside", "Hillcrest"}
    # Every category and every intervention named for the demo is offered somewhere.
    used_terms = set(Service.objects.values_list("taxonomy_terms__code", flat=True))
    assert used_terms == set(TaxonomyTerm.objects.values_list("code", flat=True))
    offered = set(Service.objects.values_list("interventions__code", flat=True))
    assert {
        "vipp-sd",
        "vig",
        "parent-infant-psychotherapy",
        "circle-of-security",
        "watch-wait-wonder",
        "theraplay",
        "abc",
        "child-parent-psychotherapy",
    } <= offered
    team = Service.objects.get(interventions__code="vipp-sd")
    assert set(team.interventions.values_list("code", flat=True)) == {
        "vipp-sd",
        "vig",
        "parent-infant-psychotherapy",
    }
    national = Service.objects.filter(service_areas__extent_type="national")
    assert national.filter(accepts_referrals=False).exists()
    assert Service.objects.filter(status=Service.Status.DEFUNCT).count() == 1
    stale = Service.objects.filter(assured_date__lt=TODAY - datetime.timedelta(days=365))
    assert stale.count() >= 2
    # Families in both demo teams' districts find services that take them.
    for district in ["LS1", "LS9", "HX1", "HX9"]:
        facts = FamilyCircumstances(ages_in_months=(2,), postcode_district=district)
        local = Service.objects.referable().filter(eligible_filter(facts))
        assert local.filter(taxonomy_terms__code="perinatal-mental-health").exists(), district
        assert local.filter(taxonomy_terms__code="safeguarding").exists(), district
        assert local.filter(taxonomy_terms__code="family-support").exists(), district
    # Invented contact details only.
    for service in Service.objects.all():
        assert not service.email or service.email.endswith(".example.org")
        assert not service.url or ".example.org" in service.url


def test_demo_directory_needs_an_admin(db):
    with pytest.raises(CommandError, match="seed_demo"):
        _seed()
    assert not Service.objects.exists()


def test_demo_directory_is_never_made_in_production(admin_user, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        _seed()
    assert not Service.objects.exists()
