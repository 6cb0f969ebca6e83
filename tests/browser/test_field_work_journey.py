"""Forms on a poor connection, in the browser (static/js/field-work.mjs); axe on every page.

Save with no connection waits and sends once when it returns; a draft kept as the HV types is
offered when she comes back, to her alone; Back then Save again is "already saved"; leaving
with typing kept nowhere asks first; a draft typed offline is sent when the connection returns.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from attachment_app.submissions.models import Draft, Submission
from conversations.forms_visits import QUESTION_FEAR, QUESTION_JOY
from conversations.models import Contact, Conversation
from screening.models import Concern, ConcernCategory
from tests.factories import (
    BabyFactory,
    CaregiverFactory,
    ContactFactory,
    ConversationFactory,
    FamilyFactory,
)

from .conftest import assert_accessible, base_url_of, open_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_CONNECTION = "Not saved yet \u2014 no connection. Keep this page open."
DRAFT_SAVED = re.compile(r"^Draft saved at \d{1,2}(:\d\d)?(am|pm)$")


def heading(page, text):
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def save_status(page):
    return page.locator(".app-save-status")


def conversation_with_consent(hv):
    family = FamilyFactory(team=hv.team, named_hv=hv, name="Okafor")
    baby = BabyFactory(family=family, name="Ada")
    mother = CaregiverFactory(family=family, name="Grace Okafor")
    contact = ContactFactory(family=family, baby=baby, recorded_by=hv)
    return ConversationFactory(contact=contact, caregiver=mother, consent_status="given")


def record_dialogs(page) -> list[str]:
    """The types of the dialogs the page opens, each accepted (the page goes where it was
    going), so a test can say there were none, or which."""
    seen: list[str] = []

    def accept(dialog):
        seen.append(dialog.type)
        dialog.accept()

    page.on("dialog", accept)
    return seen


def test_save_with_no_connection_waits_and_sends_the_answers_once_when_it_returns(page, hv):
    conversation = conversation_with_consent(hv)
    answers_path = reverse("conversation_answers", args=[conversation.pk])
    events = conversation.events.count()

    page.goto(answers_path)
    sign_in(page, hv)
    heading(page, "The parent's answers")
    assert_accessible(page)
    page.get_by_label("First word or phrase").fill("Close")
    page.get_by_label("Second word or phrase").fill("Tired but happy")
    page.get_by_label("Third word or phrase").fill("Learning together")
    page.get_by_label(QUESTION_JOY).fill("Her smile in the morning.")
    page.get_by_label(QUESTION_FEAR).fill("Not knowing what she needs.")

    # The connection drops: Save says so and the page stays, with what was typed.
    page.context.set_offline(True)
    page.get_by_role("button", name="Save and continue").click()
    expect(save_status(page)).to_have_text(NO_CONNECTION)
    assert page.url == base_url_of(page) + answers_path
    expect(page.get_by_label("Second word or phrase")).to_have_value("Tired but happy")
    expect(page.get_by_label(QUESTION_FEAR)).to_have_value("Not knowing what she needs.")
    assert_accessible(page)
    assert Submission.objects.count() == 0

    # It comes back: the page goes on by itself, and the answers are saved once.
    page.context.set_offline(False)
    expect(page).to_have_url(re.compile(reverse("conversation_reflection", args=[conversation.pk])))
    heading(page, "Your reflection")
    assert_accessible(page)
    conversation.refresh_from_db()
    assert [conversation.word_1, conversation.word_2, conversation.word_3] == [
        "Close",
        "Tired but happy",
        "Learning together",
    ]
    assert conversation.fear == "Not knowing what she needs."
    assert conversation.events.count() == events + 1
    assert list(Submission.objects.values_list("path", flat=True)) == [answers_path]
    assert not Draft.objects.exists()
    assert page.csp_violations == []


def test_a_draft_is_offered_when_the_hv_comes_back_to_her_alone(page, hv, other_hv):
    family = FamilyFactory(team=hv.team, named_hv=hv, name="Okafor")
    safeguarding, _ = ConcernCategory.objects.get_or_create(
        code="safeguarding", defaults={"name": "Safeguarding", "position": 8}
    )
    concern_path = reverse("family_concern_create", args=[family.pk])
    note = "The health visitor heard shouting from the flat next door on the phone call."
    dialogs = record_dialogs(page)

    page.goto(concern_path)
    sign_in(page, hv)
    heading(page, "Flag a concern")
    assert_accessible(page)
    page.get_by_label("Safeguarding").check()
    page.get_by_label("Moderate").check()
    page.get_by_label("Note").fill(note)
    expect(save_status(page)).to_have_text(DRAFT_SAVED)
    assert_accessible(page)
    draft = Draft.objects.get()
    assert (draft.user, draft.path, draft.data["note"]) == (hv, concern_path, [note])

    # Leaving asks nothing: the draft is kept.
    page.get_by_role("link", name="Back to the Okafor family").click()
    heading(page, "Okafor family")
    assert dialogs == []

    # Coming back, the page offers the draft (on a phone too).
    page.goto(concern_path)
    heading(page, "Flag a concern")
    banner = page.get_by_role("region", name="Important")
    expect(banner).to_contain_text("You have a draft of this page from")
    expect(page.get_by_label("Note")).to_have_value("")
    assert_accessible(page)

    # Another HV of the team opening the same page sees no draft.
    other = open_page(page.context.browser, base_url_of(page))
    other.goto(concern_path)
    sign_in(other, other_hv)
    heading(other, "Flag a concern")
    expect(other.locator("main")).not_to_contain_text("draft")
    expect(other.get_by_label("Note")).to_have_value("")
    other.context.close()

    # Using the draft fills the form; saving the page deletes the draft.
    banner.get_by_role("button", name="Use the draft").click()
    expect(page.get_by_role("region", name="Important")).to_contain_text("This is your draft from")
    expect(page.get_by_label("Note")).to_have_value(note)
    expect(page.get_by_label("Safeguarding")).to_be_checked()
    expect(page.get_by_label("Moderate")).to_be_checked()
    assert_accessible(page)
    page.get_by_role("button", name="Flag concern").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("Concern flagged")
    assert_accessible(page)
    concern = Concern.objects.get()
    assert (concern.note, concern.category) == (note, safeguarding)
    assert not Draft.objects.exists()
    assert dialogs == []
    assert page.csp_violations == []


def test_back_then_save_again_is_already_saved_and_makes_no_second_contact(page, hv):
    family = FamilyFactory(team=hv.team, named_hv=hv, name="Okafor")
    BabyFactory(family=family, name="Ada")
    CaregiverFactory(family=family, name="Grace Okafor")

    page.goto(reverse("contact_create", args=[family.pk]))
    sign_in(page, hv)
    heading(page, "Record a contact")
    assert_accessible(page)
    page.get_by_label("New birth visit (10 to 14 days)").check()
    page.get_by_label("Home", exact=True).check()
    page.get_by_label("Who was present").fill("Mother and baby")
    page.get_by_role("button", name="Save contact").click()
    heading(page, "Start the conversation about the relationship")
    assert_accessible(page)
    assert Contact.objects.count() == 1

    # Back: the browser shows the form again, without what was typed (it keeps none of it).
    page.go_back()
    heading(page, "Record a contact")
    expect(page.get_by_label("Who was present")).to_have_value("")
    assert_accessible(page)

    # The same again, saved again: already saved, and still one contact.
    page.get_by_label("New birth visit (10 to 14 days)").check()
    page.get_by_label("Home", exact=True).check()
    page.get_by_label("Who was present").fill("Mother and baby")
    page.get_by_role("button", name="Save contact").click()
    heading(page, "Start the conversation about the relationship")
    expect(page.get_by_role("region", name="Important")).to_contain_text(
        re.compile(r"This was already saved at .+\. It has not been saved a second time\.")
    )
    assert_accessible(page)
    assert Contact.objects.count() == 1

    # Back, and Save with something else: not saved unseen; the page says it was saved before.
    page.go_back()
    heading(page, "Record a contact")
    page.get_by_role("button", name="Save contact").click()
    heading(page, "Record a contact")
    expect(page.locator("main")).to_contain_text("You already saved this form at")
    expect(page.get_by_role("link", name="see what was saved")).to_have_attribute(
        "href", reverse("conversation_start", args=[Contact.objects.get().pk])
    )
    assert_accessible(page)
    assert Contact.objects.count() == 1
    assert Submission.objects.count() == 1
    assert page.csp_violations == []


def test_leaving_with_typing_saved_nowhere_asks_first_and_not_after_a_save(page, hv):
    family = FamilyFactory(team=hv.team, named_hv=hv, name="Okafor")
    BabyFactory(family=family, name="Ada")
    CaregiverFactory(family=family, name="Grace Okafor")
    dialogs: list[str] = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.goto(reverse("contact_create", args=[family.pk]))
    sign_in(page, hv)
    heading(page, "Record a contact")
    assert_accessible(page)

    # Typed, kept nowhere (this page keeps no drafts): the browser asks, and she stays.
    page.get_by_label("Who was present").fill("Mother and baby")
    page.on("dialog", stay)
    with page.expect_event("dialog"):
        page.get_by_role("link", name="Back to the Okafor family").click()
    assert dialogs == ["beforeunload"]
    heading(page, "Record a contact")
    expect(page.get_by_label("Who was present")).to_have_value("Mother and baby")

    # Saved: nothing is asked on the way out.
    page.get_by_label("New birth visit (10 to 14 days)").check()
    page.get_by_label("Home", exact=True).check()
    page.get_by_role("button", name="Save contact").click()
    heading(page, "Start the conversation about the relationship")
    page.get_by_role("link", name="Back to the Okafor family").click()
    heading(page, "Okafor family")
    assert dialogs == ["beforeunload"]
    assert Contact.objects.count() == 1


def test_a_draft_typed_with_no_connection_is_sent_when_it_returns(page, hv):
    conversation = conversation_with_consent(hv)
    answers_path = reverse("conversation_answers", args=[conversation.pk])

    page.goto(answers_path)
    sign_in(page, hv)
    heading(page, "The parent's answers")
    page.context.set_offline(True)
    page.get_by_label("First word or phrase").fill("Close")
    expect(save_status(page)).to_have_text(NO_CONNECTION)
    assert_accessible(page)
    assert not Draft.objects.exists()

    page.context.set_offline(False)
    expect(save_status(page)).to_have_text(DRAFT_SAVED)
    draft = Draft.objects.get()
    assert (draft.user, draft.path, draft.data["word_1"]) == (hv, answers_path, ["Close"])
    conversation.refresh_from_db()
    assert conversation.word_1 == ""
    assert not Submission.objects.exists()
    assert Conversation.objects.count() == 1
