"""Suggested services: grouped by the family's concerns (most pressing first), matched by age
and area, ordered by how well they fit and then by evidence; marked when already used."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
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
from referrals.models import Service, ServiceArea, Signpost
from referrals.selectors_directory import SUGGESTIONS_PER_CONCERN
from tests.factories import BabyFactory, FamilyFactory
from tests.factories_referrals import (
    ConcernFactory,
    LocalAuthorityFactory,
    ReferralFactory,
    ServiceFactory,
)


def suggested(user, family):
    """The names suggested under the family's first (most pressing) concern, and all found."""
    found = selectors.suggestions_for_family(user=user, family=family, today=timezone.localdate())
    first = found.groups[0].suggestions if found.groups else []
    return [suggestion.service.name for suggestion in first], found


def grouped(found):
    return [
        (group.category_name, [suggestion.service.name for suggestion in group.suggestions])
        for group in found.groups
    ]


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
    assert found.groups[0].suggestions[0].reason == (
        "A service for parental mental health, in the family's postcode district; offers "
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
    assert found.groups == []


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


# --- Grouping by concern, and the order within a group ----------------------------------------


def test_groups_come_urgent_first_then_by_severity_then_newest(hv, team_a):
    family = FamilyFactory(team=team_a, postcode="LS1 4AP")
    BabyFactory(family=family)
    ConcernFactory(family=family, category_code="family_stress_support", severity="low")
    ConcernFactory(family=family, category_code="feeding_sleep_crying", severity="high")
    ConcernFactory(family=family, category_code="relationship_bonding", severity="moderate")
    ConcernFactory(
        family=family, category_code="parental_mental_health", severity="moderate", urgent=True
    )
    ConcernFactory(family=family, category_code="baby_cues_behaviour", severity="low")
    _, found = suggested(hv, family)
    assert [group.category_name for group in found.groups] == [
        "Parental mental health",  # urgent
        "Feeding, sleep or crying",  # high
        "Parent\u2013infant relationship and bonding",  # moderate
        "Baby's cues and behaviour",  # low, raised after family stress: newer first
        "Family stress and support",
    ]


def test_two_concerns_of_one_category_make_one_group_led_by_the_more_pressing(hv, baby_family):
    ConcernFactory(family=baby_family, category_code="parental_mental_health", severity="high")
    ServiceFactory(name="Mood", terms=["perinatal-mental-health"])
    _, found = suggested(hv, baby_family)
    (group,) = found.groups
    assert [concern.severity for concern in group.concerns] == ["high", "moderate"]
    assert group.needs_referral
    assert [s.service.name for s in group.suggestions] == ["Mood"]


def test_a_service_made_for_the_concern_comes_before_a_general_one_however_strong(hv, baby_family):
    # primary-care covers mental health and substance use; perinatal-mental-health only the one.
    ServiceFactory(name="A general", terms=["primary-care"], interventions=["vipp-sd"])
    ServiceFactory(name="B specific", terms=["perinatal-mental-health"])
    names, found = suggested(hv, baby_family)
    assert names == ["B specific", "A general"]
    assert (
        found.groups[0]
        .suggestions[1]
        .reason.startswith("General support that includes parental mental health")
    )


def test_the_nearest_area_comes_first_district_then_local_authority_then_england(hv, baby_family):
    borough = LocalAuthorityFactory(postcode_districts=["LS1", "LS2"])
    ServiceFactory(name="A England", terms=["perinatal-mental-health"], districts=[], national=True)
    county = ServiceFactory(name="B borough", terms=["perinatal-mental-health"], districts=[])
    ServiceArea.objects.create(
        service=county,
        name=borough.name,
        extent_type="local_authority",
        extent=borough.code,
        local_authority=borough,
    )
    ServiceFactory(name="C district", terms=["perinatal-mental-health"], districts=["LS1"])
    # Evidence only decides among equally near services.
    ServiceFactory(
        name="D district strong",
        terms=["perinatal-mental-health"],
        interventions=["abc"],
        districts=["LS1"],
    )
    names, found = suggested(hv, baby_family)
    assert names == ["D district strong", "C district", "B borough", "A England"]
    assert [s.area_fit for s in found.groups[0].suggestions] == [0, 0, 1, 2]


def test_for_an_urgent_concern_services_taking_referrals_come_before_signposting_only(hv, team_a):
    family = FamilyFactory(team=team_a, postcode="LS1 4AP")
    BabyFactory(family=family)
    ConcernFactory(family=family, category_code="parental_mental_health", urgent=True)
    ConcernFactory(family=family, category_code="family_stress_support", severity="low")
    ServiceFactory(
        name="A peer group",
        terms=["perinatal-mental-health", "family-support"],
        accepts_referrals=False,
        referral_method="",
    )
    ServiceFactory(name="B perinatal team", terms=["perinatal-mental-health"], districts=[])
    ServiceFactory(name="B perinatal team area", terms=["perinatal-mental-health"], national=True)
    _, found = suggested(hv, family)
    assert grouped(found) == [
        ("Parental mental health", ["B perinatal team area", "A peer group"]),
        # Low severity: signposting is as good as referring, so nearness decides.
        ("Family stress and support", ["A peer group"]),
    ]
    peer = found.groups[0].suggestions[1]
    assert peer.also_for == ["Family stress and support"]


def test_a_service_for_several_concerns_appears_under_each(hv, team_a):
    family = FamilyFactory(team=team_a, postcode="LS1 4AP")
    BabyFactory(family=family)
    ConcernFactory(family=family, category_code="relationship_bonding")
    ConcernFactory(family=family, category_code="baby_cues_behaviour", severity="low")
    ServiceFactory(name="Little Steps", terms=["parent-infant-relationship"])
    _, found = suggested(hv, family)
    assert grouped(found) == [
        ("Parent\u2013infant relationship and bonding", ["Little Steps"]),
        ("Baby's cues and behaviour", ["Little Steps"]),
    ]


def test_services_already_referred_to_or_signposted_are_marked(hv, baby_family):
    referred = ServiceFactory(name="Mood", terms=["perinatal-mental-health"])
    signposted = ServiceFactory(name="Group", terms=["perinatal-mental-health"])
    ServiceFactory(name="New", terms=["perinatal-mental-health"])
    ReferralFactory(family=baby_family, service=referred, created_by=hv, status="submitted")
    for days_ago in (10, 3):
        Signpost.objects.create(
            family=baby_family,
            service=signposted,
            given_on=timezone.localdate() - datetime.timedelta(days=days_ago),
            recorded_by=hv,
        )
    _, found = suggested(hv, baby_family)
    history = {s.service.name: s.history for s in found.groups[0].suggestions}
    assert [label for label, _ in history["Mood"].referrals] == ["Awaiting team lead review"]
    assert history["Mood"].signposted_on is None
    assert history["Group"].referrals == []
    assert history["Group"].signposted_on == timezone.localdate() - datetime.timedelta(days=3)
    assert history["New"] is None


def test_another_teams_referrals_never_mark_a_service(hv, hv_b, baby_family, team_b):
    service = ServiceFactory(name="Mood", terms=["perinatal-mental-health"])
    other = FamilyFactory(team=team_b, postcode="LS1 4AP")
    ReferralFactory(family=other, service=service, created_by=hv_b)
    _, found = suggested(hv, baby_family)
    assert found.groups[0].suggestions[0].history is None


def test_demo_directory_offers_no_crying_line_for_family_stress(admin_user, hv, team_a):
    call_command("seed_demo_directory", stdout=StringIO())
    family = FamilyFactory(team=team_a, postcode="LS6 2AB")
    BabyFactory(family=family, date_of_birth=timezone.localdate() - datetime.timedelta(days=60))
    ConcernFactory(family=family, category_code="family_stress_support", severity="low")
    ConcernFactory(family=family, category_code="parental_mental_health", urgent=True)
    ConcernFactory(family=family, category_code="feeding_sleep_crying", severity="low")
    _, found = suggested(hv, family)
    groups = dict(grouped(found))
    assert "Crying and Sleep Support Line" not in groups["Family stress and support"]
    assert "Crying and Sleep Support Line" in groups["Feeding, sleep or crying"]
    assert groups["Parental mental health"][0] == "Perinatal Mental Health Service"


def make_services(first, last):
    for n in range(first, last):
        ServiceFactory(
            name=f"Service {n:02d}",
            terms=["perinatal-mental-health", "family-support"],
            interventions=["vig", "theraplay"],
            districts=["LS1", "LS2"],
        )


def test_suggestions_page_query_count_does_not_grow_with_services(client, hv, baby_family):
    ConcernFactory(family=baby_family, category_code="family_stress_support", severity="low")
    client.force_login(hv)
    url = f"/families/{baby_family.pk}/services/?term=Service"
    counts = []
    for first, last in [(0, 5), (5, 50)]:
        make_services(first, last)
        ReferralFactory(
            family=baby_family, service=Service.objects.get(name=f"Service {first:02d}")
        )
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        groups = response.context["groups"]
        assert [len(group.suggestions) for group in groups] == [
            min(last, SUGGESTIONS_PER_CONCERN)
        ] * 2
        assert len(response.context["page"].object_list) == min(last, 20)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_services_page_shows_groups_marks_and_where_evidence_comes_from(client, hv, baby_family):
    service = ServiceFactory(
        name="Mood", terms=["perinatal-mental-health"], interventions=["vipp-sd"]
    )
    ReferralFactory(family=baby_family, service=service, created_by=hv, status="returned")
    client.force_login(hv)
    page = client.get(f"/families/{baby_family.pk}/services/").content.decode()
    assert '<h3 id="concern-1">Parental mental health</h3>' in page
    assert "Moderate severity" in page
    assert "Returned to health visitor".lower() in page
    assert '<summary class="nhsuk-details__summary">' in page
    assert "Wright et al. 2023, NIHR Health Technology Assessment 27(2)" in page
    assert "consistently shows that it helps" in page
