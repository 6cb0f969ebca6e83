"""Services for families, babies and NHS numbers, and the schedule they keep on the family."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conversations import services
from conversations.models import ContactType
from tests.factories import BabyFactory, FamilyFactory

VALID = "9990000018"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def family(team_a, hv):
    return FamilyFactory(team=team_a, named_hv=hv)


def message(error: ValidationError, field: str) -> str:
    return " ".join(error.message_dict[field])


# --- NHS numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("9990000018", "9990000018"),
        ("999 000 0018", "9990000018"),
        ("999-000-0018", "9990000018"),
        (" 9990000026 ", "9990000026"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_valid_nhs_numbers_are_stored_as_ten_digits(hv, typed, stored):
    assert services.clean_nhs_number(typed, actor=hv) == stored


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("9990000017", "the check digit"),  # wrong check digit
        ("9990000010", "the check digit"),  # check digit would be 10: never valid
        ("99900000AB", "only numbers"),
        ("999000001", "must be 10 digits"),
        ("99900000188", "must be 10 digits"),
        (
            "\uff19\uff19\uff19\uff10\uff10\uff10\uff10\uff10\uff11\uff18",
            "only numbers",
        ),  # full width
    ],
)
def test_invalid_nhs_numbers_are_refused_with_the_reason(hv, typed, reason):
    with pytest.raises(ValidationError) as caught:
        services.clean_nhs_number(typed, actor=hv)
    assert reason in message(caught.value, "nhs_number")


def test_duplicate_nhs_number_in_own_team_names_the_family(hv, team_a):
    BabyFactory(family=FamilyFactory(team=team_a, name="Mensah"), nhs_number=VALID)
    with pytest.raises(ValidationError) as caught:
        services.clean_nhs_number(VALID, actor=hv)
    assert "in the Mensah family" in message(caught.value, "nhs_number")


def test_duplicate_nhs_number_in_another_team_is_refused_without_saying_where(hv, team_b):
    BabyFactory(family=FamilyFactory(team=team_b, name="Hidden"), nhs_number=VALID)
    with pytest.raises(ValidationError) as caught:
        services.clean_nhs_number(VALID, actor=hv)
    text = message(caught.value, "nhs_number")
    assert "already in use for another baby" in text
    assert "Hidden" not in text


def test_a_babys_own_nhs_number_is_not_a_duplicate(hv, family):
    baby = BabyFactory(family=family, nhs_number=VALID)
    updated = services.baby_update(actor=hv, baby=baby, nhs_number="999 000 0018")
    assert updated.nhs_number == VALID


# --- Babies and dates -------------------------------------------------------------------------


def test_baby_born_today_is_accepted(hv, family, today):
    assert services.baby_add(actor=hv, family=family, date_of_birth=today).is_born


def test_future_date_of_birth_is_refused(hv, family, today):
    with pytest.raises(ValidationError) as caught:
        services.baby_add(actor=hv, family=family, date_of_birth=today + timedelta(days=1))
    assert "today or in the past" in message(caught.value, "date_of_birth")


@pytest.mark.parametrize(("days_past_ten_months", "ok"), [(0, True), (1, False)])
def test_expected_date_at_most_ten_months_ahead(hv, family, today, days_past_ten_months, ok):
    from dateutil.relativedelta import relativedelta

    expected = today + relativedelta(months=10) + timedelta(days=days_past_ten_months)
    if ok:
        assert services.baby_add(actor=hv, family=family, expected_date=expected)
    else:
        with pytest.raises(ValidationError) as caught:
            services.baby_add(actor=hv, family=family, expected_date=expected)
        assert message(caught.value, "expected_date") == (
            "Expected date must be within the next 10 months."
        )


@pytest.mark.parametrize(("days_before_six_years", "ok"), [(0, True), (1, False)])
def test_date_of_birth_within_the_last_six_years(hv, family, today, days_before_six_years, ok):
    from dateutil.relativedelta import relativedelta

    born = today - relativedelta(years=6) - timedelta(days=days_before_six_years)
    if ok:
        assert services.baby_add(actor=hv, family=family, date_of_birth=born)
    else:
        with pytest.raises(ValidationError) as caught:
            services.baby_add(actor=hv, family=family, date_of_birth=born)
        assert message(caught.value, "date_of_birth") == (
            "Date of birth must be within the last 6 years."
        )


def test_a_baby_born_in_the_year_one_is_refused_and_not_saved(hv, family):
    import datetime

    with pytest.raises(ValidationError):
        services.baby_add(actor=hv, family=family, date_of_birth=datetime.date(1, 1, 1))
    with pytest.raises(ValidationError):
        services.baby_add(actor=hv, family=family, expected_date=datetime.date(1, 1, 1))
    assert not family.babies.exists()


def test_a_contact_in_the_future_or_before_six_years_ago_is_refused(hv, family, today):
    import datetime

    for day, text in [
        (today + timedelta(days=1), "Date of contact must be today or in the past."),
        (datetime.date(1, 1, 1), "Date of contact must be within the last 6 years."),
    ]:
        with pytest.raises(ValidationError) as caught:
            services.contact_record(
                actor=hv,
                family=family,
                contact_date=day,
                contact_type="additional",
                place="home",
            )
        assert message(caught.value, "contact_date") == text
    assert not family.contacts.exists()


def test_baby_needs_a_date_of_birth_or_an_expected_date(hv, family):
    with pytest.raises(ValidationError) as caught:
        services.baby_add(actor=hv, family=family, name="Nameless")
    assert "date_of_birth" in caught.value.message_dict


def test_over_long_baby_name_is_refused(hv, family, today):
    with pytest.raises(ValidationError) as caught:
        services.baby_add(actor=hv, family=family, name="x" * 121, date_of_birth=today)
    assert "name" in caught.value.message_dict


def test_baby_cannot_be_added_to_another_teams_family(hv_b, family, today):
    with pytest.raises(PermissionDenied):
        services.baby_add(actor=hv_b, family=family, date_of_birth=today)


# --- Families ---------------------------------------------------------------------------------


def test_hv_creating_a_family_becomes_its_named_hv(hv):
    family = services.family_create(
        actor=hv, name=" Ng ", address_line_1="3 Elm Row", postcode="ls14ap"
    )
    assert (family.name, family.named_hv, family.team, family.postcode) == (
        "Ng",
        hv,
        hv.team,
        "LS1 4AP",
    )


def test_team_lead_may_name_a_health_visitor_of_their_team(team_lead, hv):
    family = services.family_create(
        actor=team_lead, name="Ng", address_line_1="3 Elm Row", postcode="LS1 4AP", named_hv=hv
    )
    assert family.named_hv == hv


def test_named_hv_from_another_team_is_refused(hv, hv_b):
    with pytest.raises(ValidationError) as caught:
        services.family_create(
            actor=hv, name="Ng", address_line_1="3 Elm Row", postcode="LS1 4AP", named_hv=hv_b
        )
    assert "own team" in message(caught.value, "named_hv")


def test_admin_cannot_be_named_hv(hv, admin_user, family):
    with pytest.raises(ValidationError):
        services.family_update(actor=hv, family=family, named_hv=admin_user)


def test_admin_cannot_create_a_family(admin_user):
    with pytest.raises(PermissionDenied):
        services.family_create(
            actor=admin_user, name="Ng", address_line_1="3 Elm Row", postcode="LS1 4AP"
        )


@pytest.mark.parametrize(
    "postcode", ["", "ABC", "LS1 AAA", "TOOLONG12", "LS1 4A", "1LS 4AP", "LS1 4A1"]
)
def test_postcode_must_look_real(hv, family, postcode):
    with pytest.raises(ValidationError) as caught:
        services.family_update(actor=hv, family=family, postcode=postcode)
    assert "postcode" in caught.value.message_dict


def test_other_team_cannot_update_a_family(hv_b, family):
    with pytest.raises(PermissionDenied):
        services.family_update(actor=hv_b, family=family, name="Taken")


def test_caregiver_add_and_update(hv, family):
    caregiver = services.caregiver_add(
        actor=hv, family=family, name="Siân Jones", relationship="mother"
    )
    services.caregiver_update(actor=hv, caregiver=caregiver, preferred_language="Welsh")
    caregiver.refresh_from_db()
    assert caregiver.preferred_language == "Welsh"


def test_caregiver_relationship_must_be_known(hv, family):
    with pytest.raises(ValidationError) as caught:
        services.caregiver_add(actor=hv, family=family, name="Sam", relationship="neighbour")
    assert "relationship" in caught.value.message_dict


# --- The schedule kept on the family ----------------------------------------------------------


def test_adding_a_baby_sets_the_next_contact(hv, family, today):
    born = today - timedelta(days=3)
    services.baby_add(actor=hv, family=family, date_of_birth=born)
    family.refresh_from_db()
    assert family.next_contact_type == "new_birth"
    assert family.next_contact_opens == born + timedelta(days=10)
    assert family.next_contact_closes == born + timedelta(days=14)


def test_recording_a_contact_moves_the_next_contact_on(hv, family, today):
    born = today - timedelta(days=12)
    baby = services.baby_add(actor=hv, family=family, date_of_birth=born)
    services.contact_record(
        actor=hv,
        family=family,
        baby=baby,
        contact_date=today,
        contact_type=ContactType.NEW_BIRTH,
        place="home",
    )
    family.refresh_from_db()
    assert family.next_contact_type == "six_to_eight_weeks"
    assert family.next_contact_opens == born + timedelta(weeks=6)


def test_next_contact_is_the_earliest_across_babies(hv, family, today):
    services.baby_add(actor=hv, family=family, date_of_birth=today - timedelta(days=400))
    services.baby_add(actor=hv, family=family, expected_date=today + timedelta(weeks=8))
    family.refresh_from_db()
    # The unborn baby's antenatal window opened 4 weeks ago; the older child has had no contact
    # at all, so their new birth visit is still next (long overdue) and opened earlier still.
    assert family.next_contact_type == "new_birth"
    assert family.next_contact_opens == today - timedelta(days=390)


def test_recording_the_birth_replaces_the_antenatal_contact(hv, family, today):
    baby = services.baby_add(actor=hv, family=family, expected_date=today + timedelta(weeks=4))
    family.refresh_from_db()
    assert family.next_contact_type == "antenatal"
    services.baby_update(actor=hv, baby=baby, date_of_birth=today)
    family.refresh_from_db()
    assert family.next_contact_type == "new_birth"


def test_family_without_babies_has_no_next_contact(hv, family):
    services.family_refresh_schedule(family=family)
    family.refresh_from_db()
    assert family.next_contact_type == ""
    assert family.next_contact_opens is None


def test_answers_can_be_saved_before_the_reflection(hv, family, today):
    """raised_concern stays unknown until the reflection; saving answers must not need it."""
    caregiver = services.caregiver_add(actor=hv, family=family, name="Kim", relationship="mother")
    contact = services.contact_record(
        actor=hv, family=family, contact_date=today, contact_type="additional", place="home"
    )
    conversation = services.conversation_start(actor=hv, contact=contact)
    services.consent_record(
        actor=hv, conversation=conversation, caregiver=caregiver, decision="given"
    )
    saved = services.conversation_save_answers(
        actor=hv, conversation=conversation, word_1="a", word_2="b", word_3="c", joy="j", fear="f"
    )
    assert saved.raised_concern is None
    assert saved.words == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("ls14ap", "LS1 4AP"), ("M1 1AE", "M1 1AE"), ("sw1a 2aa", "SW1A 2AA"), ("B33 8TH", "B33 8TH")],
)
def test_postcodes_are_stored_in_the_standard_form(typed, stored):
    assert services.normalise_postcode(typed) == stored
