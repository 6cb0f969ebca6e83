"""The pages of a contact and of the step 1 conversation, as an HV uses them."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from attachment_app.audit.models import AccessLog
from conversations import services
from conversations.forms_visits import QUESTION_FEAR, QUESTION_JOY, QUESTION_WORDS
from conversations.models import Contact, Conversation
from tests.factories import BabyFactory, CaregiverFactory, ContactFactory, FamilyFactory

ANSWERS = {
    "word_1": "Close",
    "word_2": "Tired but happy",
    "word_3": "Learning",
    "joy": "When she smiles at me in the morning.",
    "fear": "That I will not know what she needs.",
}


@pytest.fixture
def family(team_a):
    return FamilyFactory(team=team_a, name="Okafor")


@pytest.fixture
def baby(family):
    return BabyFactory(family=family, name="Ada")


@pytest.fixture
def mother(family):
    return CaregiverFactory(family=family, name="Grace Okafor")


@pytest.fixture
def conversation(hv, family, baby, mother):
    contact = ContactFactory(family=family, baby=baby, recorded_by=hv)
    return services.conversation_start(actor=hv, contact=contact)


@pytest.fixture
def consented(hv, conversation, mother):
    services.consent_record(actor=hv, conversation=conversation, caregiver=mother, decision="given")
    conversation.refresh_from_db()
    return conversation


def page(client, name, obj, data=None):
    url = reverse(name, args=[obj.pk])
    return client.post(url, data) if data is not None else client.get(url)


def contact_data(**overrides):
    today = timezone.localdate()
    data = {
        "contact_date_day": str(today.day),
        "contact_date_month": str(today.month),
        "contact_date_year": str(today.year),
        "contact_type": "new_birth",
        "place": "home",
        "present": "Mother and baby",
    }
    return {**data, **overrides}


# --- Contacts ---------------------------------------------------------------------------------


def test_contact_page_asks_date_type_and_place(hv_client, family, baby):
    response = page(hv_client, "contact_create", family)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="contact_date_day"' in html
    assert "New birth visit (10 to 14 days)" in html
    assert "Virtual (phone or video)" in html
    # With one baby there is nothing to choose.
    assert 'name="baby"' not in html


def test_contact_page_asks_which_baby_when_there_are_several(hv_client, family, baby):
    BabyFactory(family=family, name="Obi")
    html = page(hv_client, "contact_create", family).content.decode()
    assert "Which baby was the contact about?" in html
    assert "Obi" in html


def test_recording_a_contact_offers_the_conversation(hv_client, hv, family, baby):
    response = page(hv_client, "contact_create", family, contact_data(interpreter_used="on"))
    contact = Contact.objects.get(family=family)
    assert response.status_code == 302
    assert response["Location"] == reverse("conversation_start", args=[contact.pk])
    assert contact.baby == baby
    assert contact.interpreter_used is True
    assert contact.recorded_by == hv
    offer = hv_client.get(response["Location"]).content.decode()
    assert "Start the conversation" in offer
    assert reverse("family_detail", args=[family.pk]) in offer


def test_contact_form_errors_keep_what_was_typed(hv_client, family, baby):
    response = page(
        hv_client, "contact_create", family, contact_data(contact_type="", present="Dad")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="nhsuk-error-summary"') == 1
    assert "Select the type of contact" in html
    assert 'value="Dad"' in html
    assert not Contact.objects.exists()


def test_contact_in_the_future_is_refused_by_the_service(hv_client, family, baby):
    tomorrow = timezone.localdate() + timedelta(days=1)
    data = contact_data(
        contact_date_day=str(tomorrow.day),
        contact_date_month=str(tomorrow.month),
        contact_date_year=str(tomorrow.year),
    )
    html = page(hv_client, "contact_create", family, data).content.decode()
    assert "Date of contact must be today or in the past." in html
    assert 'href="#id_contact_date_day"' in html
    assert f'value="{tomorrow.day}"' in html
    assert not Contact.objects.exists()


def test_contact_date_must_be_a_real_date(hv_client, family, baby):
    data = contact_data(contact_date_day="31", contact_date_month="2")
    html = page(hv_client, "contact_create", family, data).content.decode()
    assert "Date of contact must be a real date" in html


def test_starting_the_conversation_goes_to_consent(hv_client, family, baby):
    contact = ContactFactory(family=family, baby=baby)
    response = page(hv_client, "conversation_start", contact, {})
    conversation = Conversation.objects.get(contact=contact)
    assert response["Location"] == reverse("conversation_consent", args=[conversation.pk])


def test_starting_twice_opens_the_existing_conversation(hv_client, conversation):
    response = page(hv_client, "conversation_start", conversation.contact)
    assert response["Location"] == reverse("conversation_detail", args=[conversation.pk])
    page(hv_client, "conversation_start", conversation.contact, {})
    assert Conversation.objects.count() == 1


# --- Consent ----------------------------------------------------------------------------------


def test_consent_page_introduces_the_questions(hv_client, conversation, mother):
    html = page(hv_client, "conversation_consent", conversation).content.decode()
    assert "three short questions" in html
    assert "They can say no" in html
    assert "Grace Okafor" in html
    assert "Not today, they would like to talk another time" in html


def test_consent_given_goes_to_the_answers(hv_client, hv, conversation, mother):
    data = {"caregivers": mother.pk, "decision": "given", "note": ""}
    response = page(hv_client, "conversation_consent", conversation, data)
    assert response["Location"] == reverse("conversation_answers", args=[conversation.pk])
    decision = conversation.consent_decisions.get()
    assert (decision.recorded_by, decision.decision) == (hv, "given")
    assert list(decision.caregivers.all()) == [mother]


@pytest.mark.parametrize("decision", ["declined", "deferred"])
def test_declined_or_deferred_ends_respectfully(hv_client, conversation, mother, decision):
    data = {"caregivers": mother.pk, "decision": decision}
    response = page(hv_client, "conversation_consent", conversation, data)
    assert response["Location"] == reverse("conversation_detail", args=[conversation.pk])
    html = hv_client.get(response["Location"]).content.decode()
    assert "The parent chose not to talk about this today." in html
    assert "You can offer again at the next contact." in html
    assert reverse("family_detail", args=[conversation.family_id]) in html


def test_consent_without_a_choice_shows_errors(hv_client, conversation):
    html = page(hv_client, "conversation_consent", conversation, {"note": "Busy"}).content.decode()
    assert "Select whether they are happy to talk about it" in html
    assert "Busy" in html
    assert not conversation.consent_decisions.exists()


def test_consent_page_without_caregivers_asks_to_add_one(hv_client, hv, family, baby):
    contact = ContactFactory(family=family, baby=baby)
    conversation = services.conversation_start(actor=hv, contact=contact)
    html = page(hv_client, "conversation_consent", conversation).content.decode()
    assert reverse("caregiver_create", args=[family.pk]) in html


def test_consent_page_once_given_moves_on(hv_client, consented):
    response = page(hv_client, "conversation_consent", consented)
    assert response["Location"] == reverse("conversation_answers", args=[consented.pk])


# --- Answers ----------------------------------------------------------------------------------


def test_answers_page_asks_the_three_questions_word_for_word(hv_client, consented):
    html = page(hv_client, "conversation_answers", consented).content.decode()
    for question in (QUESTION_WORDS, QUESTION_JOY, QUESTION_FEAR):
        assert question in html
    assert "<legend" in html.split(QUESTION_WORDS)[0][-200:]
    for label in ("First word or phrase", "Second word or phrase", "Third word or phrase"):
        assert label in html
    assert "(optional)" not in html
    assert "Record the parent&#x27;s own words." in html


def test_answers_save_and_continue_goes_to_reflection(hv_client, consented):
    response = page(hv_client, "conversation_answers", consented, {**ANSWERS, "action": "continue"})
    assert response["Location"] == reverse("conversation_reflection", args=[consented.pk])
    consented.refresh_from_db()
    assert consented.words == ["Close", "Tired but happy", "Learning"]
    assert consented.joy == ANSWERS["joy"]


def test_answers_save_and_come_back_later_keeps_a_draft(hv_client, consented):
    data = {"word_1": "Close", "word_2": "", "word_3": "", "joy": "", "fear": "", "action": "later"}
    response = page(hv_client, "conversation_answers", consented, data)
    assert response["Location"] == reverse("family_detail", args=[consented.family_id])
    consented.refresh_from_db()
    assert consented.words == ["Close"]
    assert consented.completed_at is None
    html = page(hv_client, "conversation_answers", consented).content.decode()
    assert 'value="Close"' in html


def test_too_long_answer_is_shown_with_what_was_typed(hv_client, consented):
    data = {**ANSWERS, "word_1": "x" * 81}
    html = page(hv_client, "conversation_answers", consented, data).content.decode()
    assert "First word or phrase must be 80 characters or fewer" in html
    assert ANSWERS["joy"] in html
    consented.refresh_from_db()
    assert consented.joy == ""


def test_answers_without_consent_redirect_to_consent(hv_client, conversation):
    for response in (
        page(hv_client, "conversation_answers", conversation),
        page(hv_client, "conversation_answers", conversation, ANSWERS),
    ):
        assert response["Location"] == reverse("conversation_consent", args=[conversation.pk])
    conversation.refresh_from_db()
    assert conversation.word_1 == ""
    html = hv_client.get(reverse("conversation_consent", args=[conversation.pk])).content.decode()
    assert "consent is needed" in html


# --- Reflection and completion ----------------------------------------------------------------


def test_reflection_completes_the_conversation(hv_client, hv, consented):
    services.conversation_save_answers(actor=hv, conversation=consented, **ANSWERS)
    data = {"reflection": "Warm and attentive.", "raised_concern": "no", "action": "continue"}
    response = page(hv_client, "conversation_reflection", consented, data)
    assert response["Location"] == reverse("conversation_detail", args=[consented.pk])
    consented.refresh_from_db()
    assert consented.state == "completed"
    assert consented.raised_concern is False
    assert consented.reflection == "Warm and attentive."


def test_completion_with_missing_answers_links_back_to_them(hv_client, hv, consented):
    services.conversation_save_answers(
        actor=hv,
        conversation=consented,
        draft=True,
        **{**ANSWERS, "joy": "", "word_1": "", "word_2": "", "word_3": ""},
    )
    data = {"reflection": "Thoughtful", "raised_concern": "yes", "action": "continue"}
    response = page(hv_client, "conversation_reflection", consented, data)
    html = response.content.decode()
    answers_url = reverse("conversation_answers", args=[consented.pk])
    assert response.status_code == 200
    assert f'href="{answers_url}#id_word_1"' in html
    assert f'href="{answers_url}#id_joy"' in html
    assert "<title>Error: " in html
    assert html.count('class="nhsuk-error-summary"') == 1
    assert "Thoughtful" in html
    consented.refresh_from_db()
    assert consented.completed_at is None
    # The reflection was still saved: nothing typed is lost.
    assert consented.reflection == "Thoughtful"


def test_completion_without_the_concern_answer_marks_that_field(hv_client, hv, consented):
    services.conversation_save_answers(actor=hv, conversation=consented, **ANSWERS)
    html = page(
        hv_client, "conversation_reflection", consented, {"reflection": "", "action": "continue"}
    ).content.decode()
    assert 'href="#id_raised_concern_0"' in html
    assert "nhsuk-form-group--error" in html


def test_reflection_can_be_saved_for_later(hv_client, consented):
    data = {"reflection": "Half a thought", "action": "later"}
    response = page(hv_client, "conversation_reflection", consented, data)
    assert response["Location"] == reverse("family_detail", args=[consented.family_id])
    consented.refresh_from_db()
    assert consented.reflection == "Half a thought"
    assert consented.completed_at is None


def test_reflection_without_consent_redirects_to_consent(hv_client, conversation):
    response = page(hv_client, "conversation_reflection", conversation, {"raised_concern": "no"})
    assert response["Location"] == reverse("conversation_consent", args=[conversation.pk])


# --- Summary, resuming and withdrawal ---------------------------------------------------------


def test_summary_shows_consent_answers_and_next_step(hv_client, hv, consented, mother):
    services.conversation_save_answers(actor=hv, conversation=consented, **ANSWERS)
    services.conversation_save_reflection(
        actor=hv, conversation=consented, reflection="Warm", raised_concern=False
    )
    services.conversation_complete(actor=hv, conversation=consented)
    response = page(hv_client, "conversation_detail", consented)
    html = response.content.decode()
    assert "Consent given" in html
    assert "Grace Okafor" in html
    assert hv.get_full_name() in html
    for text in ("Close", "Tired but happy", "Learning", ANSWERS["joy"], "Warm", "Completed"):
        assert text in html
    assert reverse("screening_start", args=[consented.contact_id]) in html
    assert ">Continue<" not in html
    assert AccessLog.objects.filter(
        object_type="conversations.conversation", object_id=str(consented.pk), user=hv
    ).exists()


@pytest.mark.parametrize(
    ("answers", "next_page"),
    [({}, "conversation_answers"), (ANSWERS, "conversation_reflection")],
)
def test_unfinished_conversation_continues_at_the_first_incomplete_page(
    hv_client, hv, consented, answers, next_page
):
    if answers:
        services.conversation_save_answers(actor=hv, conversation=consented, **answers)
    html = page(hv_client, "conversation_detail", consented).content.decode()
    assert f'href="{reverse(next_page, args=[consented.pk])}"' in html
    assert ">Continue<" in html


def test_awaiting_consent_continues_at_consent(hv_client, conversation):
    html = page(hv_client, "conversation_detail", conversation).content.decode()
    assert f'href="{reverse("conversation_consent", args=[conversation.pk])}"' in html


def test_withdrawing_consent_stops_further_recording(hv_client, consented):
    confirm = page(hv_client, "conversation_withdraw", consented)
    assert "This cannot be undone" in confirm.content.decode()
    response = page(hv_client, "conversation_withdraw", consented, {})
    assert response["Location"] == reverse("conversation_detail", args=[consented.pk])
    consented.refresh_from_db()
    assert consented.consent_status == "withdrawn"
    assert consented.consent_decisions.last().decision == "withdrawn"

    for name in ("conversation_answers", "conversation_reflection"):
        response = page(hv_client, name, consented, {**ANSWERS, "raised_concern": "no"})
        assert response["Location"] == reverse("conversation_detail", args=[consented.pk])
        assert page(hv_client, name, consented).status_code == 302
    consented.refresh_from_db()
    assert consented.word_1 == ""
    html = hv_client.get(reverse("conversation_detail", args=[consented.pk])).content.decode()
    assert "Consent was withdrawn" in html
    assert "Withdraw consent" not in html


def test_withdrawing_before_consent_is_refused_politely(hv_client, conversation):
    response = page(hv_client, "conversation_withdraw", conversation, {})
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.consent_status == ""


def test_withdrawn_consent_page_goes_to_the_summary(hv_client, hv, consented, mother):
    services.consent_record(
        actor=hv, conversation=consented, caregiver=mother, decision="withdrawn"
    )
    response = page(hv_client, "conversation_consent", consented, {"decision": "given"})
    assert response["Location"] == reverse("conversation_detail", args=[consented.pk])


# --- Answers: each question answered or declined, errors on this page ------------------------

BLANK_ANSWERS = {"word_1": "", "word_2": "", "word_3": "", "joy": "", "fear": ""}


def test_blank_answers_show_the_error_summary_on_the_answers_page(hv_client, consented):
    response = page(
        hv_client, "conversation_answers", consented, {**BLANK_ANSWERS, "action": "continue"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="nhsuk-error-summary"') == 1
    assert "<title>Error: " in html
    for anchor in ("#id_word_1", "#id_joy", "#id_fear"):
        assert f'href="{anchor}"' in html
    assert "Enter what brings the parent the most joy, or select that they chose not to" in html
    consented.refresh_from_db()
    assert consented.unanswered == ["words", "joy", "fear"]


def test_errors_keep_what_was_typed_on_the_answers_page(hv_client, consented):
    data = {**BLANK_ANSWERS, "word_1": "Close", "joy_declined": "on", "action": "continue"}
    html = page(hv_client, "conversation_answers", consented, data).content.decode()
    assert 'value="Close"' in html
    assert re.search(r'<input type="checkbox" name="joy_declined"[^>]* checked>', html)
    assert not re.search(r'<input type="checkbox" name="fear_declined"[^>]* checked>', html)
    assert 'href="#id_fear"' in html
    assert 'href="#id_joy"' not in html


def test_each_question_offers_the_parent_chose_not_to_answer(hv_client, consented):
    html = page(hv_client, "conversation_answers", consented).content.decode()
    for name in ("words_declined", "joy_declined", "fear_declined"):
        assert f'name="{name}"' in html
    assert html.count('The parent chose not to answer<span class="nhsuk-u-visually-hidden">') == 3


def test_a_declined_question_is_saved_and_shown(hv_client, hv, consented):
    data = {**ANSWERS, "fear": "", "fear_declined": "on", "action": "continue"}
    response = page(hv_client, "conversation_answers", consented, data)
    assert response["Location"] == reverse("conversation_reflection", args=[consented.pk])
    consented.refresh_from_db()
    assert consented.fear_declined is True
    summary = page(hv_client, "conversation_detail", consented).content.decode()
    fear_row = summary.split(QUESTION_FEAR)[1][:300]
    assert "The parent chose not to answer" in fear_row
    family_page = hv_client.get(reverse("family_detail", args=[consented.family_id]))
    assert "Chose not to answer" in family_page.content.decode()


def test_an_answer_typed_and_declined_is_refused_on_the_page(hv_client, consented):
    data = {**ANSWERS, "joy_declined": "on", "action": "continue"}
    html = page(hv_client, "conversation_answers", consented, data).content.decode()
    assert "remove what is typed, or unselect it" in html
    consented.refresh_from_db()
    assert consented.joy == ""


def test_reflection_says_it_is_optional(hv_client, hv, consented):
    services.conversation_save_answers(actor=hv, conversation=consented, **ANSWERS)
    html = page(hv_client, "conversation_reflection", consented).content.decode()
    assert "Your reflection (optional)" in " ".join(html.split())
    assert "Did anything raise concern? (optional)" not in " ".join(html.split())


# --- Consent with both parents ----------------------------------------------------------------


def test_both_parents_can_be_recorded_as_taking_part(hv_client, hv, conversation, family, mother):
    father = CaregiverFactory(family=family, name="Sam Okafor", relationship="father")
    form = page(hv_client, "conversation_consent", conversation).content.decode()
    assert 'type="checkbox" name="caregivers"' in form
    # With two parents, nobody is ticked for the HV: who is there is never assumed.
    assert "checked" not in form.split("Who is taking part?")[1].split("</fieldset>")[0]
    data = {"caregivers": [mother.pk, father.pk], "decision": "given"}
    response = page(hv_client, "conversation_consent", conversation, data)
    assert response["Location"] == reverse("conversation_answers", args=[conversation.pk])
    answers = hv_client.get(response["Location"]).content.decode()
    assert "write down what Grace Okafor and Sam Okafor say" in answers
    summary = page(hv_client, "conversation_detail", conversation).content.decode()
    assert "Taking part" in summary
    assert "Grace Okafor (mother) and Sam Okafor (father)" in summary


def test_consent_without_anyone_taking_part_shows_an_error(hv_client, conversation, mother):
    CaregiverFactory(family=conversation.family, name="Sam Okafor", relationship="father")
    html = page(
        hv_client, "conversation_consent", conversation, {"decision": "given"}
    ).content.decode()
    assert "Select who is taking part in the conversation" in html
    assert 'href="#id_caregivers_0"' in html
    assert not conversation.consent_decisions.exists()


def test_the_only_parent_is_ticked_for_the_hv(hv_client, conversation, mother):
    form = page(hv_client, "conversation_consent", conversation).content.decode()
    fieldset = form.split("Who is taking part?")[1].split("</fieldset>")[0]
    assert "checked" in fieldset


def test_a_declined_conversation_says_what_was_recorded_and_leads_on(
    hv_client, conversation, mother
):
    data = {"caregivers": mother.pk, "decision": "declined"}
    response = page(hv_client, "conversation_consent", conversation, data)
    html = hv_client.get(response["Location"]).content.decode()
    assert "Recorded that they would rather not talk about it" in html
    assert reverse("family_detail", args=[conversation.family_id]) in html


# --- Defaults on the contact form -------------------------------------------------------------


def checked_radio(html: str, name: str) -> str | None:
    match = re.search(rf'<input type="radio" name="{name}" value="([^"]+)"[^>]* checked', html)
    return match.group(1) if match else None


def test_a_new_contact_starts_on_today_and_the_contact_that_is_due(hv_client, hv, family):
    today = timezone.localdate()
    services.baby_add(actor=hv, family=family, date_of_birth=today - timedelta(weeks=7))
    html = page(hv_client, "contact_create", family).content.decode()
    assert f'name="contact_date_day" value="{today.day}"' in html
    assert f'name="contact_date_month" value="{today.month}"' in html
    assert f'name="contact_date_year" value="{today.year}"' in html
    # 7 weeks old, no contact recorded: the new birth visit is overdue and still next.
    assert checked_radio(html, "contact_type") == "new_birth"


def test_the_6_to_8_week_contact_is_chosen_once_the_new_birth_visit_is_done(hv_client, hv, family):
    today = timezone.localdate()
    baby = services.baby_add(actor=hv, family=family, date_of_birth=today - timedelta(weeks=7))
    services.contact_record(
        actor=hv,
        family=family,
        baby=baby,
        contact_date=today - timedelta(weeks=5),
        contact_type="new_birth",
        place="home",
    )
    html = page(hv_client, "contact_create", family).content.decode()
    assert checked_radio(html, "contact_type") == "six_to_eight_weeks"


def test_no_contact_type_is_assumed_before_the_next_window_opens(hv_client, hv, family):
    today = timezone.localdate()
    services.baby_add(actor=hv, family=family, expected_date=today + timedelta(weeks=20))
    html = page(hv_client, "contact_create", family).content.decode()
    assert checked_radio(html, "contact_type") is None
    assert f'name="contact_date_day" value="{today.day}"' in html
