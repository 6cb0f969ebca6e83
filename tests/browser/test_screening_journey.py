"""Step 2 in the browser, axe on every page: the PHQ-9 and its urgent concern; strengths, concerns
and a rater's result; corrections and closing; and, after the parent declined the conversation,
the EPDS from the printed form and a safeguarding concern straight from the family page."""

import importlib
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from screening import engine, services
from screening.models import ConcernCategory
from tests.factories import (
    BabyFactory,
    CaregiverFactory,
    ContactFactory,
    ConversationFactory,
    FamilyFactory,
)

from .conftest import assert_accessible, base_url_of, open_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def heading(page, text):
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def load_step_2_data():
    """The shipped definitions and the concern categories that a data migration adds."""
    # Tests in transactions flush the database after them, data migrations' rows included.
    services.instrument_definitions_load_shipped()
    migration = importlib.import_module("screening.migrations.0002_concern_categories")
    for position, (code, name) in enumerate(migration.CATEGORIES, start=1):
        ConcernCategory.objects.get_or_create(
            code=code, defaults={"name": name, "position": position}
        )


def team_lead_home(page, team_lead):
    """The team lead's home page, in a browser session of their own."""
    lead_page = open_page(page.context.browser, base_url_of(page))
    lead_page.goto("/")
    sign_in(lead_page, team_lead)
    heading(lead_page, "Caseload")
    return lead_page.context, lead_page


def test_hv_completes_phq9_sees_the_urgent_concern_and_acknowledges_it(page, hv, team_lead):
    load_step_2_data()
    phq9 = engine.load_definition(services.current_definition("phq9").definition)
    family = FamilyFactory(team=hv.team, named_hv=hv, name="Okafor")
    baby = BabyFactory(family=family, name="Ada")
    mother = CaregiverFactory(family=family, name="Grace Okafor")
    contact = ContactFactory(family=family, baby=baby, recorded_by=hv)
    ConversationFactory(contact=contact, caregiver=mother, consent_status="given")

    # Sign in and open the family.
    page.goto("/")
    sign_in(page, hv)
    heading(page, "Caseload")
    page.get_by_role("link", name="Okafor", exact=True).click()
    heading(page, "Okafor family")
    assert_accessible(page)

    # Step 2 at the contact.
    page.goto(reverse("screening_start", args=[contact.pk]))
    heading(page, "Strengths, needs and screening")
    assert_accessible(page)
    page.get_by_role("link", name="Patient Health Questionnaire-9").click()
    heading(page, "Patient Health Questionnaire-9")
    expect(page.get_by_role("group")).to_have_count(9)
    assert_accessible(page)

    # Saved too early: each missing answer is named and linked to its question.
    first = phq9.items[0]
    page.get_by_role("group", name=first.text, exact=True).get_by_label("Several days").check()
    page.get_by_role("button", name="Save and see the result").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Answer item 2")
    expect(summary).not_to_contain_text("Answer item 1 ")
    expect(summary).to_contain_text("Confirm that the parent agreed to complete this questionnaire")
    expect(
        page.get_by_role("group", name=first.text, exact=True).get_by_label("Several days")
    ).to_be_checked()
    assert_accessible(page)

    # The parent agreed to the questionnaire; their answers: item 9 above nought.
    page.get_by_label("The parent agreed to complete this questionnaire").check()
    for item in phq9.items[1:]:
        answer = "Several days" if item.id == "9" else "Not at all"
        page.get_by_role("group", name=item.text, exact=True).get_by_label(answer).check()
    page.get_by_role("button", name="Save and see the result").click()

    # The result, with the safety rule at the top.
    heading(page, "PHQ-9 result")
    callout = page.locator(".nhsuk-warning-callout")
    expect(callout.get_by_role("heading")).to_contain_text(
        "Urgent concern: PHQ-9 item 9: thoughts of being better off dead or of self-harm"
    )
    expect(callout).to_contain_text("assess their safety today")
    expect(page.locator("main")).to_contain_text("2 out of 27")
    expect(page.locator("main")).to_contain_text("Minimal")
    assert_accessible(page)

    # The team lead sees it at the top of their home page until it is acknowledged.
    lead_context, lead_page = team_lead_home(page, team_lead)
    urgent = lead_page.locator(".nhsuk-warning-callout")
    expect(urgent).to_contain_text("Urgent concern to acknowledge")
    expect(urgent).to_contain_text("Okafor")
    assert_accessible(lead_page)

    callout.get_by_role("button", name="Acknowledge the urgent concern").click()

    # Acknowledge it with the action taken.
    heading(page, "Acknowledge an urgent concern")
    expect(page.locator("main")).to_contain_text("Parental mental health")
    assert_accessible(page)
    page.get_by_role("button", name="Acknowledge concern").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter the action taken")
    assert_accessible(page)
    page.get_by_label("What action was taken?").fill(
        "Discussed with the parent, GP contacted the same day"
    )
    page.get_by_role("button", name="Acknowledge concern").click()

    # Back on the result: acknowledged, with who did what.
    heading(page, "PHQ-9 result")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "Urgent concern acknowledged"
    )
    expect(callout).to_contain_text("GP contacted the same day")
    expect(callout.get_by_role("button", name="Acknowledge the urgent concern")).to_have_count(0)
    assert_accessible(page)
    assert page.csp_violations == []

    # Acknowledged: it has left the team lead's home page.
    lead_page.reload()
    heading(lead_page, "Caseload")
    expect(lead_page.locator(".nhsuk-warning-callout")).to_have_count(0)
    lead_context.close()


def test_hv_records_a_strength_a_concern_and_a_rater_result(page, hv):
    load_step_2_data()
    family = FamilyFactory(team=hv.team, named_hv=hv, name="Okafor")
    contact = ContactFactory(family=family, recorded_by=hv)
    ConversationFactory(contact=contact, consent_status="given")
    not_asked = ContactFactory(family=family, recorded_by=hv)

    # Step 2 is open at a contact where the conversation was not started.
    page.goto(reverse("screening_start", args=[not_asked.pk]))
    sign_in(page, hv)
    heading(page, "Strengths, needs and screening")
    expect(page.get_by_role("link", name="Patient Health Questionnaire-9")).to_be_visible()
    assert_accessible(page)

    page.goto(reverse("screening_start", args=[contact.pk]))
    page.get_by_role("link", name="Record a strength or area of need").click()
    heading(page, "Record a strength or area of need")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter a description")
    assert_accessible(page)
    page.get_by_label("Strength", exact=True).check()
    page.get_by_label("Description").fill("Reads her baby's cues well")
    page.get_by_label("Tags").fill("cues, bonding")
    page.get_by_role("button", name="Save").click()
    heading(page, "Strengths, needs and screening")
    expect(page.locator("main")).to_contain_text("Reads her baby's cues well")

    page.get_by_role("link", name="Flag a concern").click()
    heading(page, "Flag a concern")
    page.get_by_role("button", name="Flag concern").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Select what the concern is")
    assert_accessible(page)
    page.get_by_label("Feeding, sleep or crying").check()
    page.get_by_label("Low").check()
    page.get_by_label("Note").fill("Feeds are long and tiring.")
    page.get_by_role("button", name="Flag concern").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Concern flagged")
    heading(page, "Concern")
    expect(page.get_by_role("button", name="Find services for the family")).to_be_visible()
    assert_accessible(page)
    page.get_by_role(
        "link", name="Return to strengths, needs and screening at this contact"
    ).click()
    heading(page, "Strengths, needs and screening")

    page.get_by_role("link", name="Keys to Interactive Parenting Scale").click()
    heading(page, "Keys to Interactive Parenting Scale")
    page.get_by_label("Mean item score").fill("9")
    page.get_by_role("button", name="Save result").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter who carried out")
    assert_accessible(page)
    assert page.csp_violations == []


def test_hv_corrects_a_result_and_closes_a_concern(page, hv):
    load_step_2_data()
    phq9 = engine.load_definition(services.current_definition("phq9").definition)
    family = FamilyFactory(team=hv.team, named_hv=hv, name="Okafor")
    contact = ContactFactory(family=family, recorded_by=hv)
    ConversationFactory(contact=contact, consent_status="given")
    answers = dict.fromkeys((item.id for item in phq9.items), "not_at_all")
    first = services.screening_result_record(
        parent_agreed=True,
        actor=hv,
        contact=contact,
        definition=services.current_definition("phq9"),
        answers=answers,
    )
    services.concern_raise(
        actor=hv,
        contact=contact,
        category=ConcernCategory.objects.get(code="feeding_sleep_crying"),
        severity="low",
        note="Feeds are long and tiring.",
    )

    # The result was recorded with item 2 on the wrong row: correct it from its page.
    page.goto(reverse("screening_result_detail", args=[first.pk]))
    sign_in(page, hv)
    heading(page, "PHQ-9 result")
    page.get_by_role("link", name="correct this result").click()
    heading(page, "Correct the PHQ-9 result")
    second = phq9.items[1]
    group = page.get_by_role("group", name=second.text, exact=True)
    expect(group.get_by_label("Not at all")).to_be_checked()
    assert_accessible(page)
    group.get_by_label("More than half the days").check()
    page.get_by_role("button", name="Save the correction").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Enter why you are correcting this result"
    )
    expect(group.get_by_label("More than half the days")).to_be_checked()
    assert_accessible(page)
    page.get_by_label("Why are you correcting this result?").fill(
        "Item 2 was entered on the wrong row."
    )
    page.get_by_role("button", name="Save the correction").click()

    # The correction, and the first result saying it was corrected, why and by whom.
    heading(page, "PHQ-9 result")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Result corrected")
    main = page.locator("main")
    expect(main).to_contain_text("2 out of 27")
    expect(main).to_contain_text("This result corrects the one recorded on")
    assert_accessible(page)
    page.get_by_role("link", name="See the result it replaces").click()
    expect(main).to_contain_text("This result was corrected on")
    expect(main).to_contain_text("Item 2 was entered on the wrong row.")
    expect(page.get_by_role("link", name="correct this result")).to_have_count(0)
    assert_accessible(page)

    # Close the concern from the contact's step 2 page, saying why.
    page.get_by_role("link", name="Return to strengths, needs and screening").click()
    heading(page, "Strengths, needs and screening")
    page.get_by_role("link", name="Close the feeding, sleep or crying concern").click()
    heading(page, "Close a concern")
    assert_accessible(page)
    page.get_by_role("button", name="Close concern").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Enter why the concern is being closed"
    )
    assert_accessible(page)
    page.get_by_label("Why is the concern being closed?").fill(
        "Feeds are shorter now; the parent agrees this is resolved."
    )
    page.get_by_role("button", name="Close concern").click()
    heading(page, "Strengths, needs and screening")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Concern closed")
    expect(page.locator("main")).to_contain_text("Closed")
    assert_accessible(page)

    # The family page lists it with the closed concerns.
    page.get_by_role("link", name="Return to the Okafor family").click()
    heading(page, "Okafor family")
    closed = page.get_by_role("table", name="Closed concerns")
    expect(closed).to_contain_text("Feeding, sleep or crying")
    assert_accessible(page)
    assert page.csp_violations == []


def test_after_a_declined_conversation_the_epds_from_the_printed_form_and_a_safeguarding_concern(
    page, hv
):
    # Consent to the conversation gates its answers only (hazards H-037 and H-038).
    load_step_2_data()
    epds = engine.load_definition(services.current_definition("epds").definition)
    family = FamilyFactory(team=hv.team, named_hv=hv, name="Okafor")
    baby = BabyFactory(family=family, name="Ada")
    CaregiverFactory(family=family, name="Grace Okafor")
    ContactFactory(family=family, baby=baby, recorded_by=hv)

    # The parent would rather not talk about the relationship today.
    page.goto(reverse("family_detail", args=[family.pk]))
    sign_in(page, hv)
    heading(page, "Okafor family")
    page.get_by_role("link", name=re.compile("^Start conversation")).click()
    heading(page, "Start the conversation about the relationship")
    page.get_by_role("button", name="Start the conversation").click()
    heading(page, "Ask the parent's consent")
    page.get_by_label(re.compile("No, they would rather not")).check()
    page.get_by_role("button", name="Save and continue").click()
    heading(page, "Conversation about the relationship")
    expect(page.locator("main")).to_contain_text("Declined")
    assert_accessible(page)

    # Step 2 is still there; she agrees to fill in the trust's printed EPDS.
    page.get_by_role("link", name="Identify strengths and areas of need (step 2)").click()
    heading(page, "Strengths, needs and screening")
    expect(page.locator("main")).to_contain_text("did not take part in the conversation")
    assert_accessible(page)
    page.get_by_role("link", name="Edinburgh Postnatal Depression Scale").click()
    heading(page, "Edinburgh Postnatal Depression Scale")
    main = page.locator("main")
    expect(main).to_contain_text("enter the answers from the trust's printed EPDS form")
    expect(main).not_to_contain_text("text supplied under local licence")
    expect(main).not_to_contain_text("as printed")
    expect(main).not_to_contain_text("read the questions")
    expect(page.get_by_role("group", name=re.compile(r"^Question \d+$"))).to_have_count(10)
    assert_accessible(page)
    page.get_by_label("The parent agreed to complete this questionnaire").check()
    for item in epds.items:
        # Item 2 as the second printed answer (scores 1); every other item's answer scores 0.
        wanted = "Second answer (scores 1)" if item.id == "2" else re.compile(r"\(scores 0\)")
        page.get_by_role("group", name=f"Question {item.number}", exact=True).get_by_label(
            wanted
        ).check()
    page.get_by_role("button", name="Save and see the result").click()
    heading(page, "EPDS result")
    expect(main).to_contain_text("1 out of 30")
    expect(main).to_contain_text("Second answer (scores 1)")
    assert_accessible(page)

    # A safeguarding worry, flagged from the family page with no contact.
    page.get_by_role("link", name="Return to strengths, needs and screening").click()
    page.get_by_role("link", name="Return to the Okafor family").click()
    heading(page, "Okafor family")
    page.get_by_role("link", name="Flag a concern").click()
    heading(page, "Flag a concern")
    assert_accessible(page)
    page.get_by_label("Safeguarding").check()
    page.get_by_label("High").check()
    page.get_by_label("Note").fill("The health visiting office had a call from the nursery.")
    page.get_by_label("This is urgent").check()
    page.get_by_role("button", name="Flag concern").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Urgent concern flagged")
    heading(page, "Acknowledge an urgent concern")
    expect(page.get_by_role("button", name="Find services for the family")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Return to the Okafor family").click()
    heading(page, "Okafor family")
    open_concerns = page.get_by_role("table", name="Open concerns")
    expect(open_concerns).to_contain_text("Safeguarding")
    expect(open_concerns).to_contain_text("a call from the nursery")
    expect(open_concerns).to_contain_text("Awaiting acknowledgement")
    assert_accessible(page)
    assert page.csp_violations == []
