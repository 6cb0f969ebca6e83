"""An HV records a contact and the step 1 conversation over two sittings; axe checks each page."""

import re

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.utils import timezone
from playwright.sync_api import expect

from conversations.forms_visits import QUESTION_FEAR, QUESTION_JOY, QUESTION_WORDS
from tests.factories import BabyFactory, CaregiverFactory, FamilyFactory

from .conftest import assert_accessible, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def heading(page, text):
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def test_hv_records_a_contact_and_the_conversation_over_two_sittings(page, hv):
    family = FamilyFactory(team=hv.team, named_hv=hv, name="Okafor")
    BabyFactory(family=family, name="Ada")
    CaregiverFactory(family=family, name="Grace Okafor")
    FamilyFactory(team=hv.team, name="Someone Else")
    recovery_codes = RecoveryCodes.activate(hv).generate_codes()

    # Sign in and find the family on the caseload.
    page.goto("/")
    sign_in(page, hv)
    heading(page, "Caseload")
    assert_accessible(page)
    page.get_by_label(re.compile("Search by family name")).fill("okafor")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("link", name="Someone Else")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name="Okafor").click()
    heading(page, "Okafor family")
    assert_accessible(page)

    # Record a contact; a mistake first, shown in the error summary. The date starts as today.
    page.get_by_role("link", name="Record a contact").click()
    heading(page, "Record a contact")
    assert_accessible(page)
    page.get_by_role("button", name="Save contact").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Select where the contact took place"
    )
    assert_accessible(page)
    today = timezone.localdate()
    page.get_by_label("Day", exact=True).fill(str(today.day))
    page.get_by_label("Month", exact=True).fill(str(today.month))
    page.get_by_label("Year", exact=True).fill(str(today.year))
    page.get_by_label("New birth visit (10 to 14 days)").check()
    page.get_by_label("Home", exact=True).check()
    page.get_by_label("Who was present").fill("Mother and baby")
    page.get_by_role("button", name="Save contact").click()

    # Offered the conversation; the parent agrees.
    heading(page, "Start the conversation about the relationship")
    assert_accessible(page)
    page.get_by_role("button", name="Start the conversation").click()
    heading(page, "Ask the parent's consent")
    assert_accessible(page)
    expect(page.get_by_label(re.compile("Grace Okafor"))).to_be_checked()
    page.get_by_label("Yes, they are happy to talk about it now").check()
    page.get_by_role("button", name="Save and continue").click()

    # The three questions, word for word; save and come back later.
    heading(page, "The parent's answers")
    expect(page.locator("legend", has_text=QUESTION_WORDS)).to_have_count(1)
    assert_accessible(page)
    page.get_by_label("First word or phrase").fill("Close")
    page.get_by_label("Second word or phrase").fill("Tired but happy")
    page.get_by_label("Third word or phrase").fill("Learning together")
    page.get_by_label(QUESTION_JOY).fill("Her smile in the morning.")
    page.get_by_label(QUESTION_FEAR).fill("Not knowing what she needs.")
    page.get_by_role("button", name="Save and come back later").click()
    heading(page, "Okafor family")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Answers saved")

    # Sign out, and back in later: with a recovery code this time (her phone is elsewhere),
    # since the authenticator code she gave a moment ago cannot be used twice.
    sign_out(page)
    page.goto("/")
    sign_in(page, hv, code=recovery_codes[0])
    heading(page, "Caseload")
    page.get_by_role("link", name=re.compile("Resume conversation")).click()
    heading(page, "Conversation about the relationship")
    expect(page.locator("main")).to_contain_text("In progress")
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()

    # The reflection completes step 1.
    heading(page, "Your reflection")
    assert_accessible(page)
    page.get_by_label("Your reflection").fill("Warm, attentive, tired.")
    page.get_by_role("group", name="Did anything raise concern?").get_by_label("No").check()
    page.get_by_role("button", name="Save and complete").click()
    heading(page, "Conversation about the relationship")
    main = page.locator("main")
    expect(main).to_contain_text("Completed")
    expect(main).to_contain_text("Consent given")
    expect(
        main.get_by_role("link", name="Identify strengths and areas of need (step 2)")
    ).to_be_visible()
    assert_accessible(page)

    # The family page shows the parent's three words.
    page.get_by_role("link", name="Back to the Okafor family").click()
    heading(page, "Okafor family")
    expect(page.locator("main")).to_contain_text("Close, Tired but happy, Learning together")
    assert_accessible(page)
    assert page.csp_violations == []
