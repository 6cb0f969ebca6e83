"""The referral letter (referrals/letter.py): what the service is shown holds exactly what the
basis for sharing allows, on the ``Letter`` and on the staff page that prints it; and the
referral form's choice of which screening results go in it."""

import datetime
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conversations.models import Caregiver, ConsentDecision
from referrals import services
from referrals.letter import referral_letter
from referrals.models import Referral
from screening import services as screening_services
from screening.models import ConcernCategory
from tests.factories import (
    BabyFactory,
    CaregiverFactory,
    ContactFactory,
    ConversationFactory,
    FamilyFactory,
    TeamLeadFactory,
)
from tests.factories_referrals import ConcernFactory, ReferralFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()

#: Free text recorded about the family that the service must never see, each a string that
#: appears nowhere else.
SECRETS = {
    "linked concern's note": "Linked-concern note 8841",
    "other concern's note": "Other-concern note 8842",
    "action taken on the urgent concern": "Action-taken 8843",
    "observation at a contact": "Observation 8844",
    "consent decision note": "Consent-decision note 8845",
    "conversation's first word": "Conversation-word 8846",
    "conversation's joy": "Conversation-joy 8847",
    "conversation's fear": "Conversation-fear 8848",
    "conversation's reflection": "Reflection 8849",
    "eligibility override reason": "Override reason 8850",
    "team lead's return comment": "Return comment 8851",
    "team lead's approval comment": "Approval comment 8852",
    "follow-up purpose": "Follow-up purpose 8853",
    "signpost note": "Signpost note 8854",
}
#: What is recorded about the family but not chosen for this referral.
NOT_CHOSEN = {
    "other concern's category": "Domestic abuse",
    "other result's instrument": "Generalized Anxiety Disorder-7",
    "an item's wording": "Little interest or pleasure in doing things",
    "an answer's label": "Several days",
    "an answer's value": "several_days",
}


def phq9_answers(score: int) -> dict[str, str]:
    """PHQ-9 answers totalling ``score`` (up to 9), item 9 answered "not at all"."""
    return {str(n): "several_days" if n <= score else "not_at_all" for n in range(1, 10)}


@pytest.fixture
def letter_world(team_a, hv, team_lead, service):
    """A family with something of every kind recorded, and a referral that is ready to send,
    sharing one concern and one result."""
    screening_services.instrument_definitions_load_shipped()
    team_a.phone = "0113 496 0000"
    team_a.email = "team-a@example.invalid"
    team_a.save()
    family = FamilyFactory(
        team=team_a,
        named_hv=hv,
        name="Ashworth",
        address_line_1="12 Letter Lane",
        address_line_2="Flat 3",
        town="Leeds",
        postcode="LS1 4AP",
    )
    mother = CaregiverFactory(
        family=family,
        name="Amara Ashworth",
        phone="07700 900111",
        email="amara@example.invalid",
        preferred_language="Polish",
        interpreter_needed=True,
    )
    partner = CaregiverFactory(
        family=family,
        name="Sam Ashworth",
        relationship=Caregiver.Relationship.PARTNER,
        phone="07700 900222",
    )
    born = BabyFactory(
        family=family, name="Rosa", date_of_birth=TODAY - datetime.timedelta(days=40)
    )
    born.nhs_number = "4857773456"
    born.save()
    unborn = BabyFactory(
        family=family, name="", date_of_birth=None, expected_date=TODAY + datetime.timedelta(90)
    )
    contact = ContactFactory(family=family, recorded_by=hv, baby=born)
    conversation = ConversationFactory(
        contact=contact,
        consent_status="given",
        word_1=SECRETS["conversation's first word"],
        joy=SECRETS["conversation's joy"],
        fear=SECRETS["conversation's fear"],
        reflection=SECRETS["conversation's reflection"],
    )
    ConsentDecision.objects.create(
        conversation=conversation,
        decision="given",
        note=SECRETS["consent decision note"],
        recorded_by=hv,
    ).caregivers.set([mother])
    phq9 = screening_services.current_definition("phq9")
    shared = screening_services.screening_result_record(
        parent_agreed=True, actor=hv, contact=contact, definition=phq9, answers=phq9_answers(6)
    )
    not_shared = screening_services.screening_result_record(
        parent_agreed=True,
        actor=hv,
        contact=contact,
        definition=screening_services.current_definition("gad7"),
        answers={str(n): "several_days" for n in range(1, 8)},
    )
    # Item 9 above nought: an urgent concern, acknowledged, not linked to the referral.
    urgent_result = screening_services.screening_result_record(
        parent_agreed=True,
        actor=hv,
        contact=contact,
        definition=phq9,
        answers=phq9_answers(0) | {"9": "several_days"},
    )
    screening_services.concern_acknowledge(
        actor=hv,
        concern=urgent_result.concerns.get(),
        action_taken=SECRETS["action taken on the urgent concern"],
    )
    linked = ConcernFactory(
        family=family, raised_by=hv, severity="high", note=SECRETS["linked concern's note"]
    )
    ConcernFactory(
        family=family,
        raised_by=hv,
        category=ConcernCategory.objects.get(name=NOT_CHOSEN["other concern's category"]),
        note=SECRETS["other concern's note"],
    )
    screening_services.observation_record(
        actor=hv, contact=contact, kind="need", text=SECRETS["observation at a contact"]
    )
    services.follow_up_plan(
        actor=hv, family=family, due_on=TODAY, purpose=SECRETS["follow-up purpose"]
    )
    services.signpost_record(
        actor=hv,
        family=family,
        service=service,
        given_on=TODAY,
        note=SECRETS["signpost note"],
    )
    referral = services.referral_create(
        actor=hv,
        family=family,
        service=service,
        concerns=[linked],
        shared_results=[shared],
        reason="Low mood since the birth; she would like to talk to someone.",
        urgency="routine",
        sharing_basis="consent",
        consent_given_by=mother,
        consent_method="phone",
        consent_given_on=TODAY - datetime.timedelta(days=2),
        information_shared="She would like a call after 10am.",
        eligibility_override_reason=SECRETS["eligibility override reason"],
    )
    second_lead = TeamLeadFactory(team=team_a, username="lead.a2")
    for actor, action, note in [
        (hv, "submit", ""),
        (team_lead, "return", SECRETS["team lead's return comment"]),
        (hv, "resubmit", ""),
        (second_lead, "approve", SECRETS["team lead's approval comment"]),
    ]:
        referral.refresh_from_db()
        services.referral_transition(
            actor=actor, referral=referral, action=action, note=note, expected_version=None
        )
    referral.refresh_from_db()
    return SimpleNamespace(
        family=family,
        referral=referral,
        mother=mother,
        partner=partner,
        born=born,
        unborn=unborn,
        shared=shared,
        not_shared=not_shared,
        linked=linked,
    )


def letter_url(referral) -> str:
    return reverse("referral_letter", args=[referral.pk])


def letter_text(letter) -> str:
    """Every value the letter holds, as one string."""
    return repr(letter)


# --- What the letter holds ---------------------------------------------------------------------


def test_the_letter_holds_the_referral_the_referrer_and_the_team(letter_world, hv, service):
    referral = letter_world.referral
    letter = referral_letter(Referral.objects.get(pk=referral.pk))
    assert letter.reference == f"SR-{referral.pk:06d}"
    assert letter.ready_on == TODAY
    assert letter.sent_on is None
    assert (letter.service, letter.organisation) == (service.name, service.organization.name)
    assert (letter.urgent, letter.urgency) == (False, "Routine")
    assert (letter.referrer.name, letter.referrer.email) == (hv.get_full_name(), hv.email)
    assert (letter.team.name, letter.team.area) == ("Team A", hv.team.area)
    assert (letter.team.phone, letter.team.email) == ("0113 496 0000", "team-a@example.invalid")
    assert letter.reason == "Low mood since the birth; she would like to talk to someone."
    assert letter.information_shared == "She would like a call after 10am."


def test_the_letter_holds_only_the_linked_concerns_and_the_chosen_results(letter_world):
    letter = referral_letter(letter_world.referral)
    (concern,) = letter.concerns
    assert (concern.category, concern.urgent, concern.level) == (
        letter_world.linked.category.name,
        False,
        "High",
    )
    assert concern.raised_on == TODAY
    (result,) = letter.results
    assert (result.instrument, result.completed_on, result.total, result.band) == (
        "Patient Health Questionnaire-9",
        letter_world.shared.contact.contact_date,
        6,
        "Mild",
    )


def test_the_letter_holds_the_familys_contact_details(letter_world):
    family = referral_letter(letter_world.referral).family
    assert family.name == "Ashworth"
    assert family.address == ("12 Letter Lane", "Flat 3", "Leeds", "LS1 4AP")
    mother, partner = family.caregivers
    assert (
        mother.name,
        mother.relationship,
        mother.phone,
        mother.email,
        mother.preferred_language,
        mother.interpreter_needed,
    ) == ("Amara Ashworth", "Mother", "07700 900111", "amara@example.invalid", "Polish", True)
    assert (partner.name, partner.relationship, partner.interpreter_needed) == (
        "Sam Ashworth",
        "Partner of parent",
        False,
    )
    born, unborn = family.babies
    assert (born.name, born.born_on, born.due_on, born.nhs_number) == (
        "Rosa",
        letter_world.born.date_of_birth,
        None,
        "485 777 3456",
    )
    assert (unborn.name, unborn.born_on, unborn.due_on, unborn.nhs_number) == (
        "Unborn baby",
        None,
        letter_world.unborn.expected_date,
        "",
    )


def test_consent_names_who_gave_it_how_and_when(letter_world):
    basis = referral_letter(letter_world.referral).basis
    assert (basis.consent, basis.safeguarding) == (True, False)
    assert basis.consent_given_by == "Amara Ashworth (mother)"
    assert basis.consent_method == "By phone"
    assert basis.consent_given_on == TODAY - datetime.timedelta(days=2)
    assert basis.safeguarding_justification == ""


def test_safeguarding_gives_the_justification_and_no_consent(family, service, hv):
    referral = ReferralFactory(
        family=family,
        service=service,
        created_by=hv,
        sharing_basis=Referral.SharingBasis.SAFEGUARDING,
        safeguarding_justification="Risk to the baby if the partner is told.",
        consent_given_by=None,
        consent_method="",
        consent_given_on=None,
    )
    basis = referral_letter(referral).basis
    assert (basis.consent, basis.safeguarding) == (False, True)
    assert basis.safeguarding_justification == "Risk to the baby if the partner is told."
    assert (basis.consent_given_by, basis.consent_method, basis.consent_given_on) == ("", "", None)


def test_a_sent_referral_is_dated_the_day_it_was_sent(letter_world):
    sent_at = timezone.now() - datetime.timedelta(days=1)
    Referral.objects.filter(pk=letter_world.referral.pk).update(status="sent", sent_at=sent_at)
    letter = referral_letter(Referral.objects.get(pk=letter_world.referral.pk))
    assert letter.sent_on == timezone.localdate(sent_at)
    assert letter.ready_on == TODAY


def test_a_draft_is_not_dated(referral):
    letter = referral_letter(referral)
    assert (letter.ready_on, letter.sent_on) == (None, None)


def test_the_letter_holds_nothing_else(letter_world):
    text = letter_text(referral_letter(letter_world.referral))
    for what, secret in [*SECRETS.items(), *NOT_CHOSEN.items()]:
        assert secret not in text, what


# --- The staff page ----------------------------------------------------------------------------


def test_the_letter_page_shows_the_letter(letter_world, client, hv):
    client.force_login(hv)
    response = client.get(letter_url(letter_world.referral))
    page = response.content.decode()
    assert response.status_code == 200
    for shown in [
        f"SR-{letter_world.referral.pk:06d}",
        "Team A",
        "0113 496 0000",
        "team-a@example.invalid",
        hv.email,
        "Low mood since the birth",
        "She would like a call after 10am.",
        "Parental mental health: high severity",
        "Patient Health Questionnaire-9",
        "total 6, Mild",
        "12 Letter Lane",
        "Flat 3",
        "LS1 4AP",
        "Amara Ashworth",
        "Polish",
        "07700 900222",
        "485 777 3456",
        "Unborn baby",
        "Due date",
        "The parent consents to sharing",
        "Amara Ashworth (mother)",
        "By phone",
        "Print this page",
    ]:
        assert shown in page, shown


def test_the_letter_page_shows_nothing_else(letter_world, client, hv):
    client.force_login(hv)
    # The staff's own referral page does show some of it: the strings are really recorded.
    staff_page = client.get(reverse("referral_detail", args=[letter_world.referral.pk]))
    for what in ["eligibility override reason", "team lead's return comment"]:
        assert SECRETS[what] in staff_page.content.decode(), what
    page = client.get(letter_url(letter_world.referral)).content.decode()
    for what, text in [*SECRETS.items(), *NOT_CHOSEN.items()]:
        assert text not in page, what


def test_the_letter_page_says_safeguarding(family, service, hv, client):
    referral = ReferralFactory(
        family=family,
        service=service,
        created_by=hv,
        sharing_basis=Referral.SharingBasis.SAFEGUARDING,
        safeguarding_justification="Risk to the baby if the partner is told.",
        consent_given_by=None,
        consent_method="",
        consent_given_on=None,
    )
    client.force_login(hv)
    page = client.get(letter_url(referral)).content.decode()
    assert "Safeguarding: shared without consent" in page
    assert "Risk to the baby if the partner is told." in page
    assert "Who gave consent" not in page
    assert "Not ready to send yet" in page


def test_the_referral_page_links_to_the_letter(referral, client, hv):
    client.force_login(hv)
    page = client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
    assert f'href="{letter_url(referral)}"' in page
    assert "View or print the referral letter" in page


def test_the_print_button_has_no_inline_script_and_waits_for_the_module(referral, client, hv):
    client.force_login(hv)
    page = client.get(letter_url(referral)).content.decode()
    button = page[page.index("<button", page.index("<h1")) : page.index("Print this page")]
    assert "data-app-print" in button
    assert " hidden" in button
    assert "onclick" not in page


def test_the_printed_page_is_the_letter_only():
    from django.conf import settings

    css = (settings.BASE_DIR / "static" / "css" / "app.css").read_text()
    rules = css[css.index("@media print") :]
    for hidden in [".nhsuk-header", ".nhsuk-footer", ".nhsuk-back-link", ".nhsuk-button"]:
        assert hidden in rules, hidden
    assert ".app-no-print" in rules
    script = (settings.BASE_DIR / "static" / "js" / "app.mjs").read_text()
    assert "[data-app-print]" in script
    assert "window.print()" in script


@pytest.mark.parametrize("who", ["hv_b", "team_lead_b", "admin_user", "no_role_user"])
def test_another_teams_letter_is_404_for_everyone(referral, client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(letter_url(referral)).status_code == 404


def test_opening_the_letter_is_written_to_the_access_log(referral, client, team_lead):
    from attachment_app.audit.models import AccessLog

    client.force_login(team_lead)
    client.get(letter_url(referral))
    row = AccessLog.objects.get(user=team_lead)
    assert (row.object_type, row.object_id, row.action) == (
        "referrals.referral",
        str(referral.pk),
        AccessLog.Action.VIEW,
    )
    assert row.family_ids == [referral.family_id]


def _grow(world, hv, count):
    """``count`` more linked concerns, shared results, parents and babies on the referral."""
    phq9 = screening_services.current_definition("phq9")
    for n in range(count):
        contact = ContactFactory(family=world.family, recorded_by=hv)
        result = screening_services.screening_result_record(
            parent_agreed=True, actor=hv, contact=contact, definition=phq9, answers=phq9_answers(n)
        )
        world.referral.shared_results.add(result)
        world.referral.concerns.add(ConcernFactory(family=world.family, raised_by=hv))
        CaregiverFactory(family=world.family)
        BabyFactory(family=world.family)


def test_the_letter_pages_query_count_does_not_grow_with_the_family(letter_world, client, hv):
    client.force_login(hv)
    url = letter_url(letter_world.referral)
    counts = []
    for more in [0, 3]:
        _grow(letter_world, hv, more)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        counts.append(len(queries))
    assert len(response.context["letter"].results) == 4
    assert len(response.context["letter"].concerns) == 4
    assert counts[0] == counts[1]


def test_the_letter_of_a_bare_referral_takes_a_fixed_number_of_queries(letter_world, hv):
    counts = []
    for more in [0, 3]:
        _grow(letter_world, hv, more)
        referral = Referral.objects.get(pk=letter_world.referral.pk)
        with CaptureQueriesContext(connection) as queries:
            letter = referral_letter(referral)
        counts.append(len(queries))
    assert len(letter.family.caregivers) == 5
    assert counts[0] == counts[1]


# --- Choosing the results to share -------------------------------------------------------------

REFERRAL_FORM = {
    "reason": "Low mood since the birth; she would like to talk to someone.",
    "urgency": "routine",
    "sharing_basis": "consent",
    "consent_method": "in_person",
    "consent_given_on_day": TODAY.day,
    "consent_given_on_month": TODAY.month,
    "consent_given_on_year": TODAY.year,
    "information_shared": "Contact details.",
}
RESULTS_QUESTION = "Which screening results will be shared with the service?"


def create_url(family, service):
    return reverse("referral_create", args=[family.pk, service.pk])


@pytest.fixture
def results(family, hv):
    """Two current PHQ-9 results of the family, the second newer, and a corrected one."""
    screening_services.instrument_definitions_load_shipped()
    phq9 = screening_services.current_definition("phq9")
    older = ContactFactory(
        family=family, recorded_by=hv, contact_date=TODAY - datetime.timedelta(days=20)
    )
    newer = ContactFactory(family=family, recorded_by=hv, contact_date=TODAY)
    first = screening_services.screening_result_record(
        parent_agreed=True, actor=hv, contact=older, definition=phq9, answers=phq9_answers(3)
    )
    wrong = screening_services.screening_result_record(
        parent_agreed=True, actor=hv, contact=newer, definition=phq9, answers=phq9_answers(8)
    )
    second = screening_services.screening_result_record(
        parent_agreed=True,
        actor=hv,
        contact=newer,
        definition=phq9,
        answers=phq9_answers(7),
        supersedes=wrong,
        correction_reason="Entered item 8 wrongly.",
    )
    return SimpleNamespace(first=first, second=second, corrected=wrong)


def test_the_form_lists_the_current_results_newest_first_none_ticked(
    client, hv, family, service, results
):
    client.force_login(hv)
    response = client.get(create_url(family, service))
    field = response.context["form"]["shared_results"]
    assert field.label == RESULTS_QUESTION
    choices = [(int(str(choice.data["value"])), choice.choice_label) for choice in field]
    assert choices == [
        (
            results.second.pk,
            f"Patient Health Questionnaire-9, {results.second.contact.contact_date:%-d %B %Y}: "
            "total 7, Mild",
        ),
        (
            results.first.pk,
            f"Patient Health Questionnaire-9, {results.first.contact.contact_date:%-d %B %Y}: "
            "total 3, Minimal",
        ),
    ]
    assert not response.context["form"].initial.get("shared_results")
    page = response.content.decode()
    assert "Only the results you tick go in the referral letter" in page
    assert 'name="shared_results"' in page
    assert not any('name="shared_results"' in tag and "checked" in tag for tag in _inputs(page))


def _inputs(page: str) -> list[str]:
    return [page[start : page.index(">", start)] for start in _positions(page, "<input")]


def _positions(text: str, needle: str) -> list[int]:
    positions, start = [], text.find(needle)
    while start != -1:
        positions.append(start)
        start = text.find(needle, start + 1)
    return positions


def test_the_question_is_left_out_when_the_family_has_no_results(client, hv, family, service):
    client.force_login(hv)
    response = client.get(create_url(family, service))
    assert "shared_results" not in response.context["form"].fields
    assert RESULTS_QUESTION not in response.content.decode()


def test_the_chosen_results_are_saved_and_shown_on_the_referral(
    client, hv, family, service, results
):
    client.force_login(hv)
    client.post(create_url(family, service), REFERRAL_FORM | {"shared_results": [results.first.pk]})
    referral = Referral.objects.get()
    assert list(referral.shared_results.all()) == [results.first]
    page = client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
    assert "Results shared" in page
    assert "total 3, Minimal" in page
    assert "total 7, Mild" not in page


def test_another_familys_result_is_refused_and_nothing_saved(client, hv, family, service, results):
    other_family = FamilyFactory(team=family.team)
    contact = ContactFactory(family=other_family, recorded_by=hv)
    theirs = screening_services.screening_result_record(
        parent_agreed=True,
        actor=hv,
        contact=contact,
        definition=screening_services.current_definition("phq9"),
        answers=phq9_answers(2),
    )
    client.force_login(hv)
    for refused in [theirs, results.corrected]:
        response = client.post(
            create_url(family, service), REFERRAL_FORM | {"shared_results": [refused.pk]}
        )
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
    assert not Referral.objects.exists()


def test_changing_a_referral_shows_its_choice_and_saves_a_new_one(
    client, hv, family, service, results
):
    referral = services.referral_create(
        actor=hv,
        family=family,
        service=service,
        shared_results=[results.first],
        reason="Low mood.",
        urgency="routine",
    )
    url = reverse("referral_update", args=[referral.pk])
    client.force_login(hv)
    form = client.get(url).context["form"]
    assert form.initial["shared_results"] == [results.first.pk]
    client.post(
        url,
        REFERRAL_FORM | {"version": referral.version, "shared_results": [results.second.pk]},
    )
    assert list(referral.shared_results.all()) == [results.second]
    client.post(url, REFERRAL_FORM | {"version": referral.version + 1})
    assert list(referral.shared_results.all()) == []
