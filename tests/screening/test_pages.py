"""The step 2 pages as a health visitor uses them: choose, complete, read the result, flag, act."""

import re
from datetime import date

import pytest
from django.urls import reverse

from attachment_app.audit.models import AccessLog
from screening import services
from screening.models import Concern, ConcernCategory, Observation, ScreeningResult
from tests.factories import ContactFactory, ConversationFactory, FamilyFactory

pytestmark = pytest.mark.django_db

#: The parent's agreement to the questionnaire is asked with every result.
AGREED = {"parent_agreed": "on"}
PHQ9_NONE = {f"item_{n}": "not_at_all" for n in range(1, 10)} | AGREED
EPDS_FIRST_ANSWERS = {f"item_{n}": "a" for n in range(1, 11)} | AGREED


@pytest.fixture(autouse=True)
def definitions(db):
    services.instrument_definitions_load_shipped()


@pytest.fixture
def family(team_a, hv):
    return FamilyFactory(team=team_a, named_hv=hv, name="Okafor")


@pytest.fixture
def contact(family, hv):
    contact = ContactFactory(family=family, recorded_by=hv)
    ConversationFactory(contact=contact, consent_status="given")
    return contact


def url(name, *args):
    return reverse(name, args=args)


def html_of(response) -> str:
    return response.content.decode()


def phq9(**answers):
    return {**PHQ9_NONE, **{f"item_{k}": v for k, v in answers.items()}}


# --- Choosing what to record ------------------------------------------------------------------


def test_start_page_lists_current_instruments_and_the_other_records(hv_client, contact):
    response = hv_client.get(url("screening_start", contact.pk))
    html = html_of(response)
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "Patient Health Questionnaire-9" in html
    assert url("screening_complete", contact.pk, "phq9") in html
    assert "Keys to Interactive Parenting Scale" in html
    assert url("observation_create", contact.pk) in html
    assert "Record a strength or area of need" in html
    assert url("concern_create", contact.pk) in html
    assert "Flag a concern" in html


def test_start_page_offers_only_the_newest_version_and_no_retired_instrument(hv_client, contact):
    from django.utils import timezone

    from screening.models import InstrumentDefinition

    phq9_v1 = InstrumentDefinition.objects.get(code="phq9", version=1)
    newer = dict(phq9_v1.definition, version=2, name="PHQ-9 second version")
    services.instrument_definition_add(data=newer)
    InstrumentDefinition.objects.filter(code="gad7").update(retired_at=timezone.now())
    html = html_of(hv_client.get(url("screening_start", contact.pk)))
    assert "PHQ-9 second version" in html
    assert "Patient Health Questionnaire-9" not in html
    assert url("screening_complete", contact.pk, "gad7") not in html


def test_start_page_is_open_at_a_contact_with_no_conversation(hv_client, family, hv):
    contact = ContactFactory(family=family, recorded_by=hv)
    response = hv_client.get(url("screening_start", contact.pk))
    html = html_of(response)
    assert response.status_code == 200
    assert "Record the parent's consent first" not in html
    assert url("screening_complete", contact.pk, "phq9") in html
    assert url("observation_create", contact.pk) in html
    assert url("concern_create", contact.pk) in html


@pytest.mark.parametrize("status", ["declined", "deferred", "withdrawn"])
def test_start_page_after_a_declined_conversation_offers_all_of_step_2(
    hv_client, family, hv, status
):
    contact = ContactFactory(family=family, recorded_by=hv)
    ConversationFactory(contact=contact, consent_status=status)
    html = html_of(hv_client.get(url("screening_start", contact.pk)))
    assert "did not take part in the conversation" in html
    assert url("screening_complete", contact.pk, "epds") in html
    assert url("observation_create", contact.pk) in html
    assert url("concern_create", contact.pk) in html


def test_questionnaires_are_listed_in_nice_cg192_order(hv_client, contact):
    html = html_of(hv_client.get(url("screening_start", contact.pk)))
    questionnaires = ["whooley", "gad2", "epds", "phq9", "gad7", "phq2"]
    positions = [html.index(url("screening_complete", contact.pk, code)) for code in questionnaires]
    assert positions == sorted(positions)
    observational = ["nbo", "adbb", "piios", "care_index", "kips", "asqse2"]
    positions = [html.index(url("screening_complete", contact.pk, code)) for code in observational]
    assert positions == sorted(positions)


# --- Completing an instrument -----------------------------------------------------------------


def test_instrument_page_has_the_preamble_and_one_fieldset_per_item(hv_client, contact):
    response = hv_client.get(url("screening_complete", contact.pk, "phq9"))
    html = html_of(response)
    assert response.status_code == 200
    assert "Over the last 2 weeks, how often have you been bothered" in html
    assert html.count('<fieldset class="nhsuk-fieldset"') == 9
    assert "Thoughts that you would be better off dead or of hurting yourself" in html
    assert 'name="item_9" value="nearly_every_day"' in html
    assert "More than half the days" in html
    assert "(optional)" not in html
    # The attribution the PHQ's authors ask to keep with the questions.
    assert "No permission is required to reproduce" in html


def test_epds_without_licensed_wording_is_for_entering_the_printed_form(hv_client, contact):
    # Hazard H-038: placeholder wording is never offered as something to read to a parent.
    html = html_of(hv_client.get(url("screening_complete", contact.pk, "epds")))
    assert "enter the answers from the trust's printed EPDS form" in html
    assert html.index("printed EPDS form") < html.index('<fieldset class="nhsuk-fieldset"')
    assert "text supplied under local licence" not in html
    assert "as printed" not in html
    main = html.lower().split("<main", 1)[1]
    assert not re.search(r"\bread\b|aloud|out to them|ask the parent each question", main)
    for number in range(1, 11):
        assert re.search(rf"<legend[^>]*>\s*Question {number}\s*</legend>", html)
    assert re.search(r'for="id_item_1_0"[^>]*>\s*First answer \(scores 0\)', html)
    assert re.search(r'for="id_item_1_3"[^>]*>\s*Fourth answer \(scores 3\)', html)
    # Item 3 is reverse keyed: its first printed answer scores 3.
    assert re.search(r'for="id_item_3_0"[^>]*>\s*First answer \(scores 3\)', html)


def test_unknown_instrument_is_not_found(hv_client, contact):
    response = hv_client.get(url("screening_complete", contact.pk, "nonesuch"))
    assert response.status_code == 404


@pytest.mark.parametrize("status", ["declined", "deferred", "withdrawn"])
def test_a_questionnaire_is_recorded_after_a_declined_conversation(hv_client, family, hv, status):
    contact = ContactFactory(family=family, recorded_by=hv)
    ConversationFactory(contact=contact, consent_status=status)
    assert hv_client.get(url("screening_complete", contact.pk, "epds")).status_code == 200
    response = hv_client.post(url("screening_complete", contact.pk, "epds"), EPDS_FIRST_ANSWERS)
    # The first printed answer scores 0, or 3 on the seven reverse-keyed items.
    result = ScreeningResult.objects.get()
    assert response["Location"] == url("screening_result_detail", result.pk)
    assert (result.contact, result.parent_agreed, result.total) == (contact, True, 21)


def test_a_questionnaire_without_the_parents_agreement_records_nothing(hv_client, contact):
    data = phq9(**{"9": "several_days"})
    del data["parent_agreed"], data["item_4"]
    response = hv_client.post(url("screening_complete", contact.pk, "phq9"), data)
    html = html_of(response)
    assert response.status_code == 200
    wanted = "Confirm that the parent agreed to complete this questionnaire"
    assert f'href="#id_parent_agreed">{wanted}' in html
    # Shown with the other problems at once, not one after the other.
    assert 'href="#id_item_4_0">Answer item 4' in html
    assert "The parent agreed to complete this questionnaire (optional)" not in html
    assert "The parent agreed to complete this questionnaire" in html
    assert re.search(r'value="several_days"[^>]*id="id_item_9_1" checked', html)
    assert ScreeningResult.objects.count() == 0
    assert Concern.objects.count() == 0


def test_missing_answers_are_named_on_their_fieldsets_and_answers_kept(hv_client, contact):
    data = phq9(**{"1": "several_days", "9": "several_days"})
    del data["item_3"], data["item_5"]
    response = hv_client.post(url("screening_complete", contact.pk, "phq9"), data)
    html = html_of(response)
    assert response.status_code == 200
    assert html.count('class="nhsuk-error-summary"') == 1
    assert html.index("nhsuk-error-summary") < html.index("<h1")
    assert 'href="#id_item_3_0">Answer item 3 (Trouble falling or staying asleep' in html
    assert 'href="#id_item_5_0">Answer item 5' in html
    assert html.count("nhsuk-form-group--error") == 2
    assert 'name="parent_agreed" id="id_parent_agreed" checked' in html or re.search(
        r'name="parent_agreed"[^>]*checked', html
    )
    assert re.search(r'value="several_days"[^>]*id="id_item_1_1" checked', html)
    assert "<title>Error: " in html
    assert ScreeningResult.objects.count() == 0
    assert Concern.objects.count() == 0


def test_answer_that_is_not_offered_is_refused(hv_client, contact):
    data = phq9(**{"4": "always"})
    html = html_of(hv_client.post(url("screening_complete", contact.pk, "phq9"), data))
    assert "Choose one of the answers offered" in html
    assert ScreeningResult.objects.count() == 0


def test_completed_instrument_shows_total_band_and_meaning(hv_client, contact):
    data = phq9(
        **{"1": "nearly_every_day", "2": "nearly_every_day", "3": "more_than_half_the_days"}
    )
    response = hv_client.post(url("screening_complete", contact.pk, "phq9"), data)
    result = ScreeningResult.objects.get()
    assert response["Location"] == url("screening_result_detail", result.pk)
    html = html_of(hv_client.get(response["Location"]))
    assert "8 out of 27" in html
    assert "Mild" in html
    assert "Some signs of depression, below the usual threshold of 10" in html
    assert "Negative" in html
    assert "nhsuk-warning-callout" not in html
    assert AccessLog.objects.filter(object_id=str(result.pk)).count() == 1


def test_phq9_item_9_shows_the_safety_rule_and_raises_one_urgent_concern(hv_client, contact):
    data = phq9(**{"9": "several_days"})
    response = hv_client.post(url("screening_complete", contact.pk, "phq9"), data)
    result = ScreeningResult.objects.get()
    concern = Concern.objects.get()
    assert (concern.urgent, concern.source_result, concern.category.code) == (
        True,
        result,
        "parental_mental_health",
    )
    html = html_of(hv_client.get(response["Location"]))
    callout = html.index("nhsuk-warning-callout")
    assert callout < html.index("nhsuk-summary-list")
    assert "assess their safety today" in html
    # The banner names the rule that fired, in the app's own words, not only the category.
    rule = "PHQ-9 item 9: thoughts of being better off dead or of self-harm"
    assert re.search(rf"Urgent concern: {rule}\s*</span>", html)
    assert url("concern_acknowledge", concern.pk) in html
    assert "1 out of 27" in html
    # Opening the result again raises nothing more.
    hv_client.get(response["Location"])
    assert Concern.objects.count() == 1


def test_positive_whooley_suggests_epds_or_phq9_for_the_same_contact(hv_client, contact):
    data = {"item_1": "yes", "item_2": "no"} | AGREED
    response = hv_client.post(url("screening_complete", contact.pk, "whooley"), data)
    html = html_of(hv_client.get(response["Location"]))
    assert "Positive" in html
    assert "What to offer next" in html
    assert url("screening_complete", contact.pk, "epds") in html
    assert url("screening_complete", contact.pk, "phq9") in html
    assert url("screening_complete", contact.pk, "gad2") in html


def test_negative_whooley_suggests_only_the_gad2(hv_client, contact):
    # NICE CG192 suggests the GAD-2 at the same contacts whatever the answers (version 2).
    data = {"item_1": "no", "item_2": "no"} | AGREED
    response = hv_client.post(url("screening_complete", contact.pk, "whooley"), data)
    assert ScreeningResult.objects.get().definition.version == 2
    html = html_of(hv_client.get(response["Location"]))
    assert "What to offer next" in html
    assert url("screening_complete", contact.pk, "gad2") in html
    assert url("screening_complete", contact.pk, "epds") not in html
    assert url("screening_complete", contact.pk, "phq9") not in html


def test_a_rule_without_a_label_takes_it_from_a_newer_version_or_names_its_item(
    hv, hv_client, contact, admin_user
):
    # A database that loaded version 1 before labels existed: its stored rule has none.
    from screening.models import InstrumentDefinition

    v1 = InstrumentDefinition.objects.get(code="phq9", version=1)
    unlabelled = dict(v1.definition)
    unlabelled["safety_rules"] = [
        {k: v for k, v in rule.items() if k != "label"} for rule in v1.definition["safety_rules"]
    ]
    InstrumentDefinition.objects.filter(pk=v1.pk).update(definition=unlabelled)
    result = services.screening_result_record(
        parent_agreed=True,
        actor=hv,
        contact=contact,
        definition=v1,
        answers=dict.fromkeys([str(n) for n in range(1, 9)], "not_at_all") | {"9": "several_days"},
    )
    page = url("screening_result_detail", result.pk)
    assert re.search(r"Urgent concern: PHQ-9 item 9\s*</span>", html_of(hv_client.get(page)))
    newer = dict(v1.definition, version=2)
    newer["safety_rules"] = [dict(v1.definition["safety_rules"][0], label="Newer words")]
    services.instrument_definition_add(data=newer, actor=admin_user)
    assert "Urgent concern: Newer words" in html_of(hv_client.get(page))


# --- Concerns ---------------------------------------------------------------------------------


def test_concern_page_offers_the_active_categories(hv_client, contact):
    ConcernCategory.objects.filter(code="substance_use").update(active=False)
    html = html_of(hv_client.get(url("concern_create", contact.pk)))
    assert "Parental mental health" in html
    assert "Substance use" not in html
    assert 'name="urgent"' in html


def test_concern_without_choices_keeps_the_note(hv_client, contact):
    response = hv_client.post(url("concern_create", contact.pk), {"note": "Kept note"})
    html = html_of(response)
    assert "Select what the concern is about" in html
    assert "Select how serious the concern is" in html
    assert "Kept note" in html
    assert Concern.objects.count() == 0


def test_urgent_concern_is_raised(hv_client, hv, contact):
    category = ConcernCategory.objects.get(code="domestic_abuse")
    data = {"category": category.pk, "severity": "high", "note": "Disclosed", "urgent": "on"}
    response = hv_client.post(url("concern_create", contact.pk), data)
    concern = Concern.objects.get()
    assert response["Location"] == url("concern_acknowledge", concern.pk)
    assert (concern.category, concern.urgent, concern.raised_by) == (category, True, hv)
    html = html_of(hv_client.get(response["Location"]))
    assert "Urgent concern flagged" in html
    assert 'name="action_taken"' in html


@pytest.mark.parametrize("urgent", [True, False])
def test_after_flagging_a_concern_the_page_leads_on_to_services(hv_client, contact, urgent):
    category = ConcernCategory.objects.get(code="family_stress_support")
    data = {"category": category.pk, "severity": "moderate", "note": "Money worries"}
    if urgent:
        data["urgent"] = "on"
    response = hv_client.post(url("concern_create", contact.pk), data, follow=True)
    html = html_of(response)
    assert "Concern flagged" in html if not urgent else "Urgent concern flagged" in html
    assert url("family_services", contact.family_id) in html
    assert "Find services for the family" in html
    assert url("screening_start", contact.pk) in html
    assert url("family_detail", contact.family_id) in html


def test_a_concern_is_flagged_at_a_contact_after_a_declined_conversation(hv_client, family, hv):
    contact = ContactFactory(family=family, recorded_by=hv)
    ConversationFactory(contact=contact, consent_status="declined")
    category = ConcernCategory.objects.get(code="domestic_abuse")
    data = {"category": category.pk, "severity": "high", "note": "Disclosed", "urgent": "on"}
    assert hv_client.get(url("concern_create", contact.pk)).status_code == 200
    hv_client.post(url("concern_create", contact.pk), data)
    assert Concern.objects.get().contact == contact


# --- The steps lead on ------------------------------------------------------------------------


def test_a_reflection_that_raised_concern_leads_to_flagging_one(hv_client, contact):
    conversation = contact.conversation
    conversation.raised_concern = True
    conversation.save(update_fields=["raised_concern"])
    html = html_of(hv_client.get(url("conversation_detail", conversation.pk)))
    flag = html.index(f'href="{url("concern_create", contact.pk)}"')
    assert 'class="nhsuk-button"' in html[html.rindex("<a", 0, flag) : flag]
    assert "You noted that something raised concern" in html


def test_no_concern_in_the_reflection_offers_no_flag_button(hv_client, contact):
    conversation = contact.conversation
    conversation.raised_concern = False
    conversation.save(update_fields=["raised_concern"])
    html = html_of(hv_client.get(url("conversation_detail", conversation.pk)))
    assert url("concern_create", contact.pk) not in html
    assert url("screening_start", contact.pk) in html


@pytest.mark.parametrize("status", ["", "given", "declined", "deferred", "withdrawn"])
def test_step_2_is_offered_from_a_conversation_whatever_its_consent(hv_client, family, hv, status):
    contact = ContactFactory(family=family, recorded_by=hv)
    conversation = ConversationFactory(contact=contact, consent_status=status)
    html = html_of(hv_client.get(url("conversation_detail", conversation.pk)))
    assert url("screening_start", contact.pk) in html
    assert "Identify strengths and areas of need (step 2)" in html


# --- Flagging a concern from the family page, with no contact ---------------------------------


def test_the_family_page_offers_to_flag_a_concern_and_step_2_at_each_contact(hv_client, family, hv):
    older = ContactFactory(family=family, recorded_by=hv, contact_date=date(2026, 1, 5))
    newer = ContactFactory(family=family, recorded_by=hv, contact_date=date(2026, 2, 9))
    ConversationFactory(contact=newer, consent_status="declined")
    html = html_of(hv_client.get(url("family_detail", family.pk)))
    assert url("family_concern_create", family.pk) in html
    assert "Flag a concern" in html
    assert "At the latest contact, 9 February 2026" in html
    assert url("screening_start", newer.pk) in html
    assert url("screening_start", older.pk) in html


def test_a_safeguarding_concern_is_flagged_from_the_family_page(hv_client, hv, family):
    page = hv_client.get(url("family_concern_create", family.pk))
    html = html_of(page)
    assert page.status_code == 200
    assert "<h1>Flag a concern</h1>" in html
    assert url("family_detail", family.pk) in html
    category = ConcernCategory.objects.get(code="safeguarding")
    data = {"category": category.pk, "severity": "high", "note": "Call from school", "urgent": "on"}
    response = hv_client.post(url("family_concern_create", family.pk), data)
    concern = Concern.objects.get()
    assert response["Location"] == url("concern_acknowledge", concern.pk)
    assert (concern.family, concern.contact, concern.urgent) == (family, None, True)
    assert (concern.raised_by, concern.note) == (hv, "Call from school")
    html = html_of(hv_client.get(response["Location"]))
    assert "Okafor family" in html
    assert url("family_services", family.pk) in html
    family_page = html_of(hv_client.get(url("family_detail", family.pk)))
    assert "Call from school" in family_page
    assert url("concern_acknowledge", concern.pk) in family_page


def test_a_concern_from_the_family_page_with_errors_keeps_the_note(hv_client, family):
    response = hv_client.post(url("family_concern_create", family.pk), {"note": "Kept note"})
    html = html_of(response)
    assert "Select what the concern is about" in html
    assert "Kept note" in html
    assert Concern.objects.count() == 0


def test_the_home_page_lists_an_urgent_concern_with_no_contact(hv_client, hv, family):
    services.concern_raise(
        actor=hv,
        family=family,
        category=ConcernCategory.objects.get(code="safeguarding"),
        severity="high",
        urgent=True,
    )
    html = html_of(hv_client.get(url("home")))
    assert "Okafor family</a>:" in html
    assert "safeguarding, raised" in html


def test_the_home_page_names_the_safety_rule_that_raised_an_urgent_concern(hv_client, contact):
    hv_client.post(url("screening_complete", contact.pk, "phq9"), phq9(**{"9": "several_days"}))
    html = html_of(hv_client.get(url("home")))
    assert "(PHQ-9 item 9: thoughts of being better off dead or of self-harm), raised" in html


@pytest.fixture
def urgent(hv, contact):
    category = ConcernCategory.objects.get(code="safeguarding")
    return services.concern_raise(
        actor=hv, contact=contact, category=category, severity="high", note="Bruise", urgent=True
    )


def test_acknowledge_page_shows_the_concern_and_asks_the_action(hv_client, urgent):
    html = html_of(hv_client.get(url("concern_acknowledge", urgent.pk)))
    assert "Acknowledge an urgent concern" in html
    assert "Safeguarding" in html
    assert "Bruise" in html
    assert "What action was taken?" in html


def test_acknowledging_without_an_action_is_refused(hv_client, urgent):
    response = hv_client.post(url("concern_acknowledge", urgent.pk), {"action_taken": "  "})
    assert "Enter the action taken" in html_of(response)
    urgent.refresh_from_db()
    assert urgent.acknowledged_at is None


@pytest.mark.parametrize("actor", ["hv", "team_lead"])
def test_hv_or_team_lead_acknowledge_with_who_when_and_what(client, request, urgent, actor):
    user = request.getfixturevalue(actor)
    client.force_login(user)
    data = {"action_taken": "Discussed with parent, GP contacted same day"}
    response = client.post(url("concern_acknowledge", urgent.pk), data)
    assert response["Location"] == url("screening_start", urgent.contact_id)
    urgent.refresh_from_db()
    assert urgent.acknowledged_by == user
    assert urgent.acknowledged_at is not None
    assert urgent.action_taken == "Discussed with parent, GP contacted same day"
    html = html_of(client.get(url("concern_acknowledge", urgent.pk)))
    assert "GP contacted same day" in html
    assert 'name="action_taken"' not in html


def test_acknowledging_twice_changes_nothing(hv_client, hv, urgent):
    services.concern_acknowledge(actor=hv, concern=urgent, action_taken="First")
    hv_client.post(url("concern_acknowledge", urgent.pk), {"action_taken": "Second"})
    urgent.refresh_from_db()
    assert urgent.action_taken == "First"


def test_acknowledged_safety_concern_shows_on_the_result(hv_client, hv, contact):
    hv_client.post(url("screening_complete", contact.pk, "phq9"), phq9(**{"9": "several_days"}))
    concern = Concern.objects.get()
    response = hv_client.post(
        url("concern_acknowledge", concern.pk), {"action_taken": "Crisis team called"}
    )
    assert response["Location"] == url("screening_result_detail", concern.source_result_id)
    html = html_of(hv_client.get(response["Location"]))
    assert "Crisis team called" in html
    assert url("concern_acknowledge", concern.pk) not in html


# --- Strengths and areas of need --------------------------------------------------------------


def test_observation_is_recorded_with_its_tags(hv_client, hv, contact):
    data = {"kind": "strength", "text": "Reads her cues well", "tags": "Bonding, cues , ,"}
    response = hv_client.post(url("observation_create", contact.pk), data)
    assert response["Location"] == url("screening_start", contact.pk)
    observation = Observation.objects.get()
    assert (observation.kind, observation.tags) == ("strength", ["bonding", "cues"])
    html = html_of(hv_client.get(response["Location"]))
    assert "Reads her cues well" in html
    assert "Strength recorded" in html


def test_observation_errors_keep_what_was_typed(hv_client, contact):
    response = hv_client.post(url("observation_create", contact.pk), {"tags": "sleep"})
    html = html_of(response)
    assert "Select whether this is a strength or an area of need" in html
    assert "Enter a description" in html
    assert 'value="sleep"' in html
    assert Observation.objects.count() == 0


def test_observation_is_recorded_at_a_contact_with_no_conversation(hv_client, family, hv):
    contact = ContactFactory(family=family, recorded_by=hv)
    data = {"kind": "need", "text": "Support"}
    response = hv_client.post(url("observation_create", contact.pk), data)
    assert response["Location"] == url("screening_start", contact.pk)
    assert Observation.objects.get().contact == contact


def test_epds_shows_the_wording_an_admin_entered_under_local_licence(
    hv_client, contact, admin_user
):
    from screening.models import InstrumentDefinition

    epds = InstrumentDefinition.objects.filter(code="epds").order_by("-version").first()
    services.local_item_text_save(
        actor=admin_user,
        definition=epds,
        texts={"1": "Locally licensed wording for the first item"},
        licence_reference="Trust licence 2026/17",
    )
    html = html_of(hv_client.get(url("screening_complete", contact.pk, "epds")))
    # Only part of the wording is entered, so the page is still for the printed form.
    assert "Locally licensed wording for the first item" not in html
    assert "printed EPDS form" in html
    assert re.search(r"<legend[^>]*>\s*Question 1\s*</legend>", html)
