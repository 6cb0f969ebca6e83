"""Suggested services: concern matching, eligibility by age and area, strong evidence first."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from referrals import selectors
from referrals.eligibility import (
    FamilyCircumstances,
    age_in_months,
    eligibility_problems,
    postcode_district,
)
from referrals.models import Service, ServiceArea
from referrals.selectors_directory import SUGGESTION_LIMIT
from tests.factories import BabyFactory, FamilyFactory
from tests.factories_referrals import ConcernFactory, LocalAuthorityFactory, ServiceFactory


def suggested(user, family):
    found = selectors.suggestions_for_family(user=user, family=family, today=timezone.localdate())
    return [suggestion.service.name for suggestion in found.suggestions], found


@pytest.fixture
def baby_family(team_a, hv):
    """A family in LS1 with a baby of 3 months and a perinatal mental health concern."""
    family = FamilyFactory(team=team_a, postcode="LS1 4AP")
    BabyFactory(family=family, date_of_birth=timezone.localdate() - datetime.timedelta(days=95))
    ConcernFactory(family=family, category_code="parental_mental_health")
    return family


def test_services_for_the_concern_are_suggested_and_others_are_not(hv, baby_family):
    ServiceFactory(name="Mood", terms=["perinatal-mental-health"])
    ServiceFactory(name="Feeding", terms=["infant-feeding"])
    names, _ = suggested(hv, baby_family)
    assert names == ["Mood"]


def test_strong_evidence_comes_first_then_intermediate_then_weak_then_none(hv, baby_family):
    ServiceFactory(name="A none", terms=["perinatal-mental-health"])
    ServiceFactory(name="B weak", terms=["perinatal-mental-health"], interventions=["theraplay"])
    ServiceFactory(name="C intermediate", terms=["perinatal-mental-health"], interventions=["vig"])
    ServiceFactory(
        name="D strong", terms=["perinatal-mental-health"], interventions=["theraplay", "vipp-sd"]
    )
    names, found = suggested(hv, baby_family)
    assert names == ["D strong", "C intermediate", "B weak", "A none"]
    assert found.suggestions[0].reason == (
        "Helps with the family's concern about parental mental health; offers "
        "Video-feedback Intervention to promote Positive Parenting and Sensitive Discipline "
        "(VIPP-SD), an intervention with strong evidence."
    )


@pytest.mark.parametrize(
    ("low", "high", "suggested_for_3_months"),
    [(0, 24, True), (3, 3, True), (4, 24, False), (None, 2, False), (None, None, True)],
)
def test_age_range_in_months_decides(hv, baby_family, low, high, suggested_for_3_months):
    ServiceFactory(
        name="Ages",
        terms=["perinatal-mental-health"],
        minimum_age_months=low,
        maximum_age_months=high,
    )
    names, _ = suggested(hv, baby_family)
    assert (names == ["Ages"]) is suggested_for_3_months


def test_unborn_baby_counts_as_pregnancy(hv, team_a):
    family = FamilyFactory(team=team_a, postcode="LS1 4AP")
    BabyFactory(
        family=family,
        date_of_birth=None,
        expected_date=timezone.localdate() + datetime.timedelta(days=40),
    )
    ConcernFactory(family=family)
    ServiceFactory(name="Antenatal", terms=["perinatal-mental-health"], maximum_age_months=0)
    ServiceFactory(name="Toddlers", terms=["perinatal-mental-health"], minimum_age_months=12)
    names, _ = suggested(hv, family)
    assert names == ["Antenatal"]


@pytest.mark.parametrize(
    ("areas", "expected"),
    [
        ({"districts": ["LS1"]}, True),
        ({"districts": ["LS2", "ls1"]}, True),
        ({"districts": ["LS11"]}, False),
        ({"districts": [], "national": True}, True),
        ({"districts": []}, False),
    ],
)
def test_area_by_postcode_district(hv, baby_family, areas, expected):
    ServiceFactory(name="Area", terms=["perinatal-mental-health"], **areas)
    names, _ = suggested(hv, baby_family)
    assert (names == ["Area"]) is expected


def test_area_by_local_authority(hv, baby_family):
    borough = LocalAuthorityFactory(postcode_districts=["LS1", "LS2"])
    elsewhere = LocalAuthorityFactory(postcode_districts=["HX1"])
    for name, authority in [("Ours", borough), ("Theirs", elsewhere)]:
        service = ServiceFactory(name=name, terms=["perinatal-mental-health"], districts=[])
        ServiceArea.objects.create(
            service=service,
            name=authority.name,
            extent_type="local_authority",
            extent=authority.code,
            local_authority=authority,
        )
    names, _ = suggested(hv, baby_family)
    assert names == ["Ours"]


def test_retired_and_closed_services_are_not_suggested(hv, baby_family):
    ServiceFactory(name="Retired", terms=["perinatal-mental-health"], status="defunct")
    ServiceFactory(name="Closed", terms=["perinatal-mental-health"], status="temporarily closed")
    retired_org = ServiceFactory(name="Org gone", terms=["perinatal-mental-health"])
    retired_org.organization.retired_at = timezone.now()
    retired_org.organization.save()
    names, _ = suggested(hv, baby_family)
    assert names == []


def test_closed_concerns_do_not_suggest(hv, baby_family):
    baby_family.concerns.update(closed_at=timezone.now(), close_reason="Resolved", closed_by=hv)
    ServiceFactory(name="Mood", terms=["perinatal-mental-health"])
    names, found = suggested(hv, baby_family)
    assert names == []
    assert found.concerns == []


def test_another_teams_concerns_are_never_read(hv_b, baby_family):
    ServiceFactory(name="Mood", terms=["perinatal-mental-health"])
    names, found = suggested(hv_b, baby_family)
    assert found.concerns == []
    assert names == []


def test_eligibility_problems_say_what_does_not_fit(db):
    service = ServiceFactory(minimum_age_months=12, maximum_age_months=36, districts=["HX1"])
    service = Service.objects.prefetch_related("service_areas").get(pk=service.pk)
    problems = eligibility_problems(service, FamilyCircumstances((3,), "LS1"))
    assert problems == [
        "It is for babies aged 12 to 36 months; this family's baby is 3 months.",
        "It does not list the postcode district LS1 among its areas.",
    ]
    assert eligibility_problems(service, FamilyCircumstances((14,), "HX1")) == []


@pytest.mark.parametrize(
    ("born_days_ago", "months"), [(0, 0), (30, 0), (31, 1), (95, 3), (400, 13)]
)
def test_age_in_whole_months(born_days_ago, months):
    today = datetime.date(2026, 11, 23)
    baby = BabyFactory.build(date_of_birth=today - datetime.timedelta(days=born_days_ago))
    assert age_in_months(baby, today) == months


def test_postcode_district_is_the_outward_code():
    assert postcode_district("ls6 2ab") == "LS6"
    assert postcode_district("") == ""


def make_services(first, last):
    for n in range(first, last):
        ServiceFactory(
            name=f"Service {n:02d}",
            terms=["perinatal-mental-health", "family-support"],
            interventions=["vig", "theraplay"],
            districts=["LS1", "LS2"],
        )


def test_suggestions_page_query_count_does_not_grow_with_services(client, hv, baby_family):
    client.force_login(hv)
    url = f"/families/{baby_family.pk}/services/?term=Service"
    counts = []
    for first, last in [(0, 5), (5, 50)]:
        make_services(first, last)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert len(response.context["suggestions"]) == min(last, SUGGESTION_LIMIT)
        assert len(response.context["page"].object_list) == min(last, 20)
        counts.append(len(queries))
    assert counts[0] == counts[1]
