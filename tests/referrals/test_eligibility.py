"""Who a service is for, both ways it is asked: the warning the health visitor sees (and the
reason to refer anyway it then needs) and the directory's filter. Each edge is checked on both,
and on random families and services the two must agree."""

import datetime
from contextlib import contextmanager

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referrals import services
from referrals.eligibility import (
    FamilyCircumstances,
    age_in_months,
    eligibility_problems,
    eligible_filter,
    family_circumstances,
    postcode_district,
)
from referrals.models import Service, ServiceArea
from tests.factories import BabyFactory, FamilyFactory
from tests.factories_referrals import LocalAuthorityFactory, ServiceFactory

TODAY = datetime.date(2026, 11, 23)


def make_service(low, high, areas):
    """A service for babies ``low`` to ``high`` months old, with areas given as
    ``("district", "LS1")``, ``("national",)`` or ``("authority", ["LS1", "LS2"])`` (with the
    area's extent text as a third item, the authority's code if not); fetched as the warning reads
    it (areas and their authorities prefetched)."""
    service = ServiceFactory(minimum_age_months=low, maximum_age_months=high, districts=[])
    for kind, *detail in areas:
        if kind == "district":
            ServiceArea.objects.create(
                service=service,
                name=detail[0],
                extent_type=ServiceArea.ExtentType.POSTCODE_DISTRICT,
                extent=detail[0],
            )
        elif kind == "national":
            ServiceArea.objects.create(
                service=service, name="England", extent_type=ServiceArea.ExtentType.NATIONAL
            )
        else:
            authority = LocalAuthorityFactory(postcode_districts=detail[0])
            ServiceArea.objects.create(
                service=service,
                name=authority.name,
                extent_type=ServiceArea.ExtentType.LOCAL_AUTHORITY,
                extent=detail[1] if len(detail) > 1 else authority.code,
                local_authority=authority,
            )
    return Service.objects.prefetch_related("service_areas__local_authority").get(pk=service.pk)


def directory_takes(service: Service, facts: FamilyCircumstances) -> bool:
    """Whether the directory's filter (the SQL path) lists the service for these facts."""
    return Service.objects.filter(pk=service.pk).filter(eligible_filter(facts)).exists()


LS1 = [("district", "LS1")]

# (minimum, maximum, areas, ages, district, the warning's sentences)
CASES = {
    "exactly the minimum age": (3, 12, LS1, (3,), "LS1", []),
    "exactly the maximum age": (3, 12, LS1, (12,), "LS1", []),
    "a month under the minimum": (
        3,
        12,
        LS1,
        (2,),
        "LS1",
        ["It is for babies aged 3 to 12 months; this family's baby is 2 months."],
    ),
    "a month over the maximum": (
        3,
        12,
        LS1,
        (13,),
        "LS1",
        ["It is for babies aged 3 to 12 months; this family's baby is 13 months."],
    ),
    "a baby of one month, in the singular": (
        3,
        12,
        LS1,
        (1,),
        "LS1",
        ["It is for babies aged 3 to 12 months; this family's baby is 1 month."],
    ),
    "a minimum and a maximum of the same month": (6, 6, LS1, (6,), "LS1", []),
    "no maximum, however old": (6, None, LS1, (240,), "LS1", []),
    "no maximum, too young": (
        6,
        None,
        LS1,
        (5,),
        "LS1",
        ["It is for babies aged from 6 months; this family's baby is 5 months."],
    ),
    "no minimum, in pregnancy": (None, 12, LS1, (0,), "LS1", []),
    "no minimum, too old": (
        None,
        12,
        LS1,
        (13,),
        "LS1",
        ["It is for babies aged pregnancy to 12 months; this family's baby is 13 months."],
    ),
    "from pregnancy, too old": (
        0,
        1,
        LS1,
        (2,),
        "LS1",
        ["It is for babies aged pregnancy to 1 month; this family's baby is 2 months."],
    ),
    "no age limits at all": (None, None, LS1, (500,), "LS1", []),
    "no babies recorded: only the area decides": (12, 36, LS1, (), "LS1", []),
    "no babies recorded, and elsewhere": (
        12,
        36,
        LS1,
        (),
        "HX1",
        ["It does not list the postcode district HX1 among its areas."],
    ),
    "several babies, one of them fits": (3, 12, LS1, (2, 5), "LS1", []),
    "several babies, the last of them fits": (3, 12, LS1, (30, 2, 12), "LS1", []),
    "several babies, none fits": (
        3,
        12,
        LS1,
        (2, 30),
        "LS1",
        ["It is for babies aged 3 to 12 months; this family's babies are 2 months, 30 months."],
    ),
    "a national service takes any district": (0, 24, [("national",)], (1,), "TR19", []),
    "a national service still has its ages": (
        0,
        24,
        [("national",)],
        (25,),
        "TR19",
        ["It is for babies aged pregnancy to 24 months; this family's baby is 25 months."],
    ),
    "the family's own borough": (0, 24, [("authority", ["LS1", "LS2"])], (1,), "LS2", []),
    "another borough": (
        0,
        24,
        [("authority", ["HX1", "HX2"])],
        (1,),
        "LS1",
        ["It does not list the postcode district LS1 among its areas."],
    ),
    "a borough's area counts by the borough's districts, not by its extent text": (
        0,
        24,
        [("authority", ["HX1"], "LS1")],
        (1,),
        "LS1",
        ["It does not list the postcode district LS1 among its areas."],
    ),
    "a borough with no districts recorded": (
        0,
        24,
        [("authority", [])],
        (1,),
        "LS1",
        ["It does not list the postcode district LS1 among its areas."],
    ),
    "one of several areas fits": (
        0,
        24,
        [("district", "HX1"), ("authority", ["BD1"]), ("district", "LS1")],
        (1,),
        "LS1",
        [],
    ),
    "a district written in lower case": (0, 24, [("district", "ls1")], (1,), "LS1", []),
    "a district is not its longer neighbour": (
        0,
        24,
        [("district", "LS1")],
        (1,),
        "LS11",
        ["It does not list the postcode district LS11 among its areas."],
    ),
    "a service with no area": (
        0,
        24,
        [],
        (1,),
        "LS1",
        ["It does not list the postcode district LS1 among its areas."],
    ),
    "neither age nor area": (
        12,
        36,
        [("district", "HX1")],
        (3,),
        "LS1",
        [
            "It is for babies aged 12 to 36 months; this family's baby is 3 months.",
            "It does not list the postcode district LS1 among its areas.",
        ],
    ),
}


@pytest.mark.parametrize(
    ("low", "high", "areas", "ages", "district", "expected"), list(CASES.values()), ids=list(CASES)
)
def test_the_warning_and_the_directory_mean_the_same(
    db, low, high, areas, ages, district, expected
):
    service = make_service(low, high, areas)
    facts = FamilyCircumstances(ages_in_months=ages, postcode_district=district)
    assert eligibility_problems(service, facts) == expected
    assert directory_takes(service, facts) is (expected == [])


# --- From the family's record: babies' ages and the postcode ----------------------------------


@pytest.mark.parametrize(
    ("born", "months"),
    [
        (datetime.date(2026, 11, 23), 0),  # born today
        (datetime.date(2026, 10, 24), 0),  # a day short of a month
        (datetime.date(2026, 10, 23), 1),  # a month to the day
        (datetime.date(2025, 11, 23), 12),  # a year to the day
        (datetime.date(2025, 10, 23), 13),  # a year and a month
        (datetime.date(2025, 10, 24), 12),  # a day short of 13 months
        (datetime.date(2023, 11, 22), 36),
        (datetime.date(2026, 12, 1), 0),  # a date of birth after today counts as pregnancy
    ],
)
def test_a_babys_age_is_in_whole_months(born, months):
    assert age_in_months(BabyFactory.build(date_of_birth=born), TODAY) == months


def test_an_unborn_baby_with_only_an_expected_date_is_in_pregnancy():
    baby = BabyFactory.build(date_of_birth=None, expected_date=datetime.date(2027, 2, 1))
    assert age_in_months(baby, TODAY) == 0


@pytest.mark.parametrize(
    ("postcode", "district"),
    [("ls6 2ab", "LS6"), ("  LS11 5QT ", "LS11"), ("TR19", "TR19"), ("", ""), ("   ", "")],
)
def test_the_postcode_district_is_the_outward_code(postcode, district):
    assert postcode_district(postcode) == district


def test_the_familys_circumstances_list_its_babies_in_the_order_they_were_added(db):
    family = FamilyFactory(postcode="ls2 7ej")
    BabyFactory(family=family, date_of_birth=datetime.date(2024, 11, 23))
    BabyFactory(family=family, date_of_birth=None, expected_date=datetime.date(2027, 3, 1))
    BabyFactory(family=family, date_of_birth=datetime.date(2026, 8, 23))
    BabyFactory(family=FamilyFactory(), date_of_birth=datetime.date(2026, 1, 23))  # not theirs
    facts = family_circumstances(family, TODAY)
    assert facts == FamilyCircumstances(ages_in_months=(24, 0, 3), postcode_district="LS2")


def test_the_warning_names_the_babies_in_the_familys_order(db):
    family = FamilyFactory(postcode="LS1 4AP")
    BabyFactory(family=family, date_of_birth=datetime.date(2024, 11, 23))
    BabyFactory(family=family, date_of_birth=datetime.date(2026, 9, 23))
    service = make_service(3, 12, LS1)
    assert eligibility_problems(service, family_circumstances(family, TODAY)) == [
        "It is for babies aged 3 to 12 months; this family's babies are 24 months, 2 months."
    ]


# --- Referring anyway needs a reason -------------------------------------------------------------


@pytest.fixture
def on_today():
    with time_machine.travel(datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC)):
        yield


@pytest.mark.usefixtures("on_today")
def test_a_baby_exactly_at_the_services_oldest_age_is_referred_without_a_reason(family, hv):
    # The family fixture's baby is replaced by one exactly 12 months old today.
    family.babies.update(date_of_birth=datetime.date(2025, 11, 23))
    service = make_service(3, 12, LS1)
    referral = services.referral_create(
        actor=hv, family=family, service=service, reason="x", urgency="routine"
    )
    assert referral.eligibility_override_reason == ""


@pytest.mark.usefixtures("on_today")
def test_a_baby_a_month_past_the_oldest_age_needs_a_reason_to_refer_anyway(family, hv):
    family.babies.update(date_of_birth=datetime.date(2025, 10, 23))
    service = make_service(3, 12, LS1)
    with pytest.raises(ValidationError) as error:
        services.referral_create(
            actor=hv, family=family, service=service, reason="x", urgency="routine"
        )
    assert error.value.message_dict == {
        "eligibility_override_reason": [
            "It is for babies aged 3 to 12 months; this family's baby is 13 months. "
            "Say why you are referring anyway, or choose another service."
        ]
    }
    referral = services.referral_create(
        actor=hv,
        family=family,
        service=service,
        reason="x",
        urgency="routine",
        eligibility_override_reason="The service lead agreed to see the family.",
    )
    assert referral.eligibility_override_reason == "The service lead agreed to see the family."


@pytest.mark.usefixtures("on_today")
def test_a_family_in_another_borough_needs_a_reason_to_refer_anyway(family, hv):
    service = make_service(None, None, [("authority", ["HX1"])])
    with pytest.raises(ValidationError) as error:
        services.referral_create(
            actor=hv, family=family, service=service, reason="x", urgency="routine"
        )
    assert error.value.message_dict["eligibility_override_reason"] == [
        "It does not list the postcode district LS1 among its areas. "
        "Say why you are referring anyway, or choose another service."
    ]


# --- The two paths agree on random families and services ---------------------------------------


@contextmanager
def rolled_back():
    """Rows made inside are gone afterwards, so no example sees another's."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


DISTRICTS = ["LS1", "LS2", "LS11", "HX1"]
ages = st.one_of(st.none(), st.integers(min_value=0, max_value=40))
babies = st.lists(
    st.one_of(
        st.just(None),  # unborn: only an expected date
        st.integers(min_value=-60, max_value=40 * 31),  # born this many days ago
    ),
    max_size=3,
)
areas = st.lists(
    st.one_of(
        st.just(("national",)),
        st.tuples(st.just("district"), st.sampled_from([*DISTRICTS, "ls1", "Ls2"])),
        st.tuples(
            st.just("authority"), st.lists(st.sampled_from(DISTRICTS), max_size=3, unique=True)
        ),
    ),
    max_size=3,
)
postcodes = st.one_of(
    st.just(""),
    st.builds(
        lambda district, lower: f"{district.lower() if lower else district} 1AA",
        st.sampled_from(DISTRICTS),
        st.booleans(),
    ),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(low=ages, high=ages, service_areas=areas, born_days_ago=babies, postcode=postcodes)
def test_the_warning_and_the_directory_agree_on_any_family_and_service(
    db, low, high, service_areas, born_days_ago, postcode
):
    if low is not None and high is not None and low > high:
        low, high = high, low
    with rolled_back():
        family = FamilyFactory(postcode=postcode)
        for days in born_days_ago:
            if days is None:
                BabyFactory(
                    family=family, date_of_birth=None, expected_date=datetime.date(2027, 1, 10)
                )
            else:
                BabyFactory(family=family, date_of_birth=TODAY - datetime.timedelta(days=days))
        service = make_service(low, high, service_areas)
        facts = family_circumstances(family, TODAY)
        assert len(facts.ages_in_months) == len(born_days_ago)
        assert directory_takes(service, facts) is (eligibility_problems(service, facts) == [])


@pytest.mark.parametrize(
    ("low", "high", "label"),
    [
        (None, None, "Any age"),
        (6, None, "From 6 months"),
        (1, None, "From 1 month"),
        (None, 12, "Pregnancy to 12 months"),
        (0, 1, "Pregnancy to 1 month"),
        (3, 12, "3 to 12 months"),
    ],
)
def test_the_age_range_is_written_with_the_right_plural(low, high, label):
    assert ServiceFactory.build(
        minimum_age_months=low, maximum_age_months=high
    ).age_range_label() == (label)
