"""The family page and the forms that add and change families, parents and carers, and babies."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from attachment_app.audit.models import AccessLog
from conversations.models import Baby, Caregiver, ContactType, Family
from screening.models import (
    Concern,
    ConcernCategory,
    InstrumentDefinition,
    Observation,
    ScreeningResult,
)
from screening.services import instrument_definitions_load_shipped
from tests.factories import (
    BabyFactory,
    CaregiverFactory,
    ContactFactory,
    ConversationFactory,
    FamilyFactory,
)

VALID_NHS_NUMBER = "9990000018"  # synthetic range, passes the modulus 11 check


@pytest.fixture
def family(team_a, hv):
    return FamilyFactory(team=team_a, name="Adeyemi", named_hv=hv)


def date_parts(name: str, value) -> dict:
    return {f"{name}_day": value.day, f"{name}_month": value.month, f"{name}_year": value.year}


# --- The family page --------------------------------------------------------------------------


def test_family_page_shows_people_contacts_and_conversation_states(hv_client, family):
    CaregiverFactory(family=family, name="Funmi Adeyemi", interpreter_needed=True)
    BabyFactory(family=family, name="Tobi", nhs_number=VALID_NHS_NUMBER)
    today = timezone.localdate()
    contacts = [
        ContactFactory(family=family, contact_date=today - timedelta(days=days))
        for days in (40, 30, 20, 10, 0)
    ]
    ConversationFactory(contact=contacts[0], consent_status="declined")
    ConversationFactory(contact=contacts[1], consent_status="given")
    ConversationFactory(
        contact=contacts[2], consent_status="given", completed_at=timezone.now(), word_1="tired"
    )
    ConversationFactory(contact=contacts[3], consent_status="deferred")

    response = hv_client.get(reverse("family_detail", args=[family.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Adeyemi family</h1>" in html
    assert "Funmi Adeyemi" in html
    assert "Interpreter needed" in html
    assert "999 000 0018" in html
    for label in ("Declined", "In progress", "Completed", "Deferred"):
        assert f">{label}</strong>" in html
    # The newest contact has no conversation yet: it can be started from here.
    assert reverse("conversation_start", args=[contacts[4].pk]) in html
    assert reverse("contact_create", args=[family.pk]) in html
    # Contacts newest first.
    rows = [row["contact"] for row in response.context["contacts"]]
    assert rows == list(reversed(contacts))


def test_three_words_over_time_shows_in_progress_and_completed_oldest_first(hv_client, family):
    today = timezone.localdate()

    def conversation(days_ago, contact_type, **fields):
        contact = ContactFactory(
            family=family, contact_date=today - timedelta(days=days_ago), contact_type=contact_type
        )
        return ConversationFactory(contact=contact, **fields)

    later = conversation(
        10,
        ContactType.SIX_TO_EIGHT_WEEKS,
        consent_status="given",
        word_1="closer",
        word_2="calmer",
        word_3="proud",
        joy="Her smiles",
        fear="Going back to work",
    )
    earlier = conversation(
        60,
        ContactType.ANTENATAL,
        consent_status="given",
        completed_at=timezone.now(),
        word_1="anxious",
        word_2="excited",
        word_3="unsure",
        joy="Feeling her kick",
        fear="The birth",
    )
    conversation(30, ContactType.NEW_BIRTH, consent_status="declined", word_1="unshown")

    response = hv_client.get(reverse("family_detail", args=[family.pk]))
    entries = response.context["words_over_time"]
    assert [entry["conversation"] for entry in entries] == [earlier, later]
    assert entries[0]["contact_label"] == "Antenatal (from 28 weeks)"
    html = response.content.decode()
    assert "anxious, excited, unsure" in html
    assert "closer, calmer, proud" in html
    assert html.index("anxious, excited, unsure") < html.index("closer, calmer, proud")
    assert "Going back to work" in html
    assert "unshown" not in html


def test_every_opening_of_a_family_page_is_written_to_the_access_log(hv_client, hv, family):
    url = reverse("family_detail", args=[family.pk])
    hv_client.get(url)
    hv_client.get(url)
    entries = AccessLog.objects.filter(object_type="conversations.family", object_id=str(family.pk))
    assert entries.count() == 2
    assert {entry.user_id for entry in entries} == {hv.pk}


def test_other_teams_family_page_writes_no_access_log_row(client, hv_b, family):
    client.force_login(hv_b)
    assert client.get(reverse("family_detail", args=[family.pk])).status_code == 404
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("count", [5, 50])
def test_family_page_query_count_does_not_grow_with_contacts(
    hv_client, hv, family, django_assert_num_queries, count
):
    instrument_definitions_load_shipped()
    phq9 = InstrumentDefinition.objects.get(code="phq9", version=1)
    category = ConcernCategory.objects.get(code="parental_mental_health")
    CaregiverFactory.create_batch(2, family=family)
    baby = BabyFactory(family=family)
    for index in range(count):
        contact = ContactFactory(family=family, baby=baby)
        if index % 2:
            ConversationFactory(contact=contact, consent_status="given", word_1="calm")
        # Step 2 on the same page: a result, a concern and a strength at every contact.
        ScreeningResult.objects.create(
            family=family, contact=contact, definition=phq9, total=index % 27, recorded_by=hv
        )
        Concern.objects.create(
            family=family, contact=contact, category=category, severity="low", raised_by=hv
        )
        Observation.objects.create(
            family=family, contact=contact, kind="strength", text="Calm", recorded_by=hv
        )
    url = reverse("family_detail", args=[family.pk])
    hv_client.get(url)
    # Session, user, whether they have a second factor, family, caregivers, babies, contacts
    # (with their conversations), screening results, their definitions, concerns, strengths and
    # needs, the results entered in error, referrals, signposting, follow-ups, the access log
    # row, the user's team and unread notifications for the header, and the session saved in a
    # savepoint (3): 21, the same for 5 contacts or 50.
    with django_assert_num_queries(21):
        response = hv_client.get(url)
    assert len(response.context["contacts"]) == count
    assert len(response.context["screening"].instruments[0].results) == count


# --- Adding and changing a family -------------------------------------------------------------

FAMILY_FORM = {
    "name": "Nowak",
    "address_line_1": "12 Mill Lane",
    "town": "Riverside",
    "postcode": "ls2 7hy",
    "area": "North",
}


def test_hv_adds_a_family_and_is_its_named_hv_by_default(hv_client, hv):
    form = hv_client.get(reverse("family_create")).context["form"]
    assert form.initial["named_hv"] == hv.pk
    response = hv_client.post(reverse("family_create"), {**FAMILY_FORM, "named_hv": hv.pk})
    family = Family.objects.get(name="Nowak")
    assert response.status_code == 302
    assert response["Location"] == reverse("family_detail", args=[family.pk])
    assert family.team == hv.team
    assert family.named_hv == hv
    assert family.postcode == "LS2 7HY"


def test_named_hv_choices_are_the_teams_clinical_staff(
    hv_client, hv, other_hv, team_lead, hv_b, admin_user
):
    choices = hv_client.get(reverse("family_create")).context["form"].fields["named_hv"].queryset
    assert set(choices) == {hv, other_hv, team_lead}


def test_hv_from_another_team_cannot_be_named(hv_client, hv_b):
    response = hv_client.post(reverse("family_create"), {**FAMILY_FORM, "named_hv": hv_b.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Family.objects.exists()


def test_admin_cannot_add_a_family(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("family_create")).status_code == 403
    assert client.post(reverse("family_create"), FAMILY_FORM).status_code == 403


def test_hv_changes_a_familys_details(hv_client, family, other_hv):
    url = reverse("family_update", args=[family.pk])
    assert hv_client.get(url).context["form"].initial["name"] == "Adeyemi"
    response = hv_client.post(url, {**FAMILY_FORM, "named_hv": other_hv.pk})
    assert response.status_code == 302
    family.refresh_from_db()
    assert (family.name, family.named_hv, family.postcode) == ("Nowak", other_hv, "LS2 7HY")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "Enter family name"),
        ({"address_line_1": ""}, "Enter address line 1"),
        ({"postcode": "ABC"}, "Enter a real postcode, like LS1 4AP."),
        ({"name": "x" * 121}, "Family name must be 120 characters or fewer"),
    ],
)
def test_bad_family_details_are_shown_in_the_error_summary_keeping_the_input(
    hv_client, changes, message
):
    data = {**FAMILY_FORM, **changes}
    response = hv_client.post(reverse("family_create"), data)
    assert response.status_code == 200
    html = response.content.decode()
    summary = html[html.index("nhsuk-error-summary") : html.index("<h1")]
    assert message in summary
    assert 'value="12 Mill Lane"' in html or changes.get("address_line_1") == ""
    assert html.count('class="nhsuk-error-summary"') == 1
    assert "<title>Error: " in html
    assert not Family.objects.exists()


# --- Parents and carers -----------------------------------------------------------------------

CAREGIVER_FORM = {
    "name": "Ewa Nowak",
    "relationship": "mother",
    "phone": "07700 900456",
    "email": "ewa@example.com",
    "preferred_language": "Polish",
    "interpreter_needed": "on",
}


def test_hv_adds_and_changes_a_caregiver(hv_client, family):
    response = hv_client.post(reverse("caregiver_create", args=[family.pk]), CAREGIVER_FORM)
    assert response.status_code == 302
    caregiver = Caregiver.objects.get(family=family)
    assert caregiver.interpreter_needed
    assert caregiver.preferred_language == "Polish"

    url = reverse("caregiver_update", args=[caregiver.pk])
    assert hv_client.get(url).context["form"].initial["name"] == "Ewa Nowak"
    data = {**CAREGIVER_FORM, "relationship": "grandparent"}
    del data["interpreter_needed"]
    assert hv_client.post(url, data).status_code == 302
    caregiver.refresh_from_db()
    assert caregiver.relationship == "grandparent"
    assert not caregiver.interpreter_needed


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "Enter full name"),
        ({"relationship": ""}, "Select the relationship to the baby"),
        ({"email": "not-an-email"}, "Enter an email address in the correct format"),
        ({"phone": "0" * 31}, "Phone number must be 30 characters or fewer"),
    ],
)
def test_bad_caregiver_details_are_shown_keeping_the_input(hv_client, family, changes, message):
    response = hv_client.post(
        reverse("caregiver_create", args=[family.pk]), {**CAREGIVER_FORM, **changes}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html[html.index("nhsuk-error-summary") : html.index("<h1")]
    assert 'value="Polish"' in html
    assert not Caregiver.objects.exists()


# --- Babies -----------------------------------------------------------------------------------


def baby_form(**changes):
    today = timezone.localdate()
    data = {
        "name": "Lena",
        **date_parts("date_of_birth", today - timedelta(days=12)),
        "sex": "female",
        "nhs_number": "999 000 0018",
    }
    data.update(changes)
    return data


def test_hv_adds_a_baby_and_the_schedule_is_refreshed(hv_client, family):
    response = hv_client.post(reverse("baby_create", args=[family.pk]), baby_form())
    assert response.status_code == 302
    baby = Baby.objects.get(family=family)
    assert baby.nhs_number == VALID_NHS_NUMBER
    family.refresh_from_db()
    assert family.next_contact_type == "new_birth"


def test_hv_adds_an_unborn_baby_then_records_the_birth(hv_client, family):
    today = timezone.localdate()
    data = baby_form(
        name="",
        nhs_number="",
        date_of_birth_day="",
        date_of_birth_month="",
        date_of_birth_year="",
        **date_parts("expected_date", today + timedelta(weeks=10)),
    )
    assert hv_client.post(reverse("baby_create", args=[family.pk]), data).status_code == 302
    baby = Baby.objects.get(family=family)
    assert baby.date_of_birth is None
    family.refresh_from_db()
    assert family.next_contact_type == "antenatal"

    url = reverse("baby_update", args=[baby.pk])
    born = today - timedelta(days=1)
    data = baby_form(name="Noor", **date_parts("date_of_birth", born))
    assert hv_client.post(url, data).status_code == 302
    baby.refresh_from_db()
    assert (baby.name, baby.date_of_birth) == ("Noor", born)
    family.refresh_from_db()
    assert family.next_contact_type == "new_birth"


def test_saving_a_baby_unchanged_keeps_its_own_nhs_number(hv_client, family):
    baby = BabyFactory(family=family, nhs_number=VALID_NHS_NUMBER)
    url = reverse("baby_update", args=[baby.pk])
    initial = hv_client.get(url).context["form"].initial
    assert initial["nhs_number"] == VALID_NHS_NUMBER
    response = hv_client.post(url, baby_form(name=baby.name, nhs_number=VALID_NHS_NUMBER))
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"nhs_number": "999 000 0017"}, "the last digit (the check digit) does not match"),
        ({"nhs_number": "99900000AB"}, "NHS number must contain only numbers."),
        ({"nhs_number": "999000001"}, "NHS number must be 10 digits."),
        (
            {"date_of_birth_day": "", "date_of_birth_month": "", "date_of_birth_year": ""},
            "Enter the date of birth, or the expected date if not yet born.",
        ),
        ({"date_of_birth_month": ""}, "Date of birth must include a month"),
        ({"date_of_birth_day": "31", "date_of_birth_month": "2"}, "must be a real date"),
        ({"name": "x" * 121}, "Baby&#x27;s name must be 120 characters or fewer"),
    ],
)
def test_bad_baby_details_are_shown_in_the_error_summary_keeping_the_input(
    hv_client, family, changes, message
):
    data = baby_form(**changes)
    response = hv_client.post(reverse("baby_create", args=[family.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html[html.index("nhsuk-error-summary") : html.index("<h1")]
    assert f'value="{data["nhs_number"]}"' in html
    assert not Baby.objects.exists()


def test_future_date_of_birth_is_refused(hv_client, family):
    tomorrow = timezone.localdate() + timedelta(days=1)
    data = baby_form(**date_parts("date_of_birth", tomorrow))
    response = hv_client.post(reverse("baby_create", args=[family.pk]), data)
    html = response.content.decode()
    assert "Date of birth must be today or in the past." in html
    assert f'value="{tomorrow.year}"' in html


def test_expected_date_more_than_ten_months_ahead_is_refused(hv_client, family):
    far = timezone.localdate() + timedelta(days=320)
    data = baby_form(
        date_of_birth_day="",
        date_of_birth_month="",
        date_of_birth_year="",
        **date_parts("expected_date", far),
    )
    response = hv_client.post(reverse("baby_create", args=[family.pk]), data)
    assert "Expected date must be within the next 10 months." in response.content.decode()
    assert not family.babies.exists()


def test_duplicate_nhs_number_names_the_family_when_it_is_visible(hv_client, family, team_a):
    BabyFactory(family=FamilyFactory(team=team_a, name="Lindqvist"), nhs_number=VALID_NHS_NUMBER)
    response = hv_client.post(reverse("baby_create", args=[family.pk]), baby_form())
    assert "already recorded for a baby in the Lindqvist family" in response.content.decode()


def test_duplicate_nhs_number_in_another_team_does_not_say_where(hv_client, family, team_b):
    BabyFactory(family=FamilyFactory(team=team_b, name="Secret"), nhs_number=VALID_NHS_NUMBER)
    response = hv_client.post(reverse("baby_create", args=[family.pk]), baby_form())
    html = response.content.decode()
    assert "This NHS number is already in use for another baby." in html
    assert "Secret" not in html


def test_the_add_family_form_shows_the_hv_as_named_hv(hv_client, hv, other_hv):
    html = hv_client.get(reverse("family_create")).content.decode()
    assert re.search(rf'<option value="{hv.pk}" selected>', html)
    assert not re.search(rf'<option value="{other_hv.pk}" selected>', html)


def test_a_team_lead_adding_a_family_chooses_its_named_hv(client, team_lead, hv):
    client.force_login(team_lead)
    html = client.get(reverse("family_create")).content.decode()
    assert not re.search(r"<option value=\"\d+\" selected>", html)
