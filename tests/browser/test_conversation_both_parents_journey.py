"""Both parents take part; a blank answers page is refused on that page; a question declined.

Then the caseload opens on the HV's own families, and after the idle limit the sign-in page
says why she was signed out. axe checks every page, and no page breaks the CSP.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from playwright.sync_api import expect

from conversations import services
from conversations.forms_visits import QUESTION_FEAR
from tests.factories import CaregiverFactory, FamilyFactory

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def heading(page, text):
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def test_both_parents_take_part_and_the_answers_page_shows_its_own_errors(page, hv):
    family = FamilyFactory(team=hv.team, named_hv=hv, name="Okafor")
    # Added through the service, which works out the family's next mandated contact.
    services.baby_add(
        actor=hv, family=family, name="Ada", date_of_birth=timezone.localdate() - timedelta(days=11)
    )
    CaregiverFactory(family=family, name="Grace Okafor", relationship="mother")
    CaregiverFactory(family=family, name="Sam Okafor", relationship="father")
    FamilyFactory(team=hv.team, name="Colleague", named_hv=None)

    page.goto(f"/families/{family.pk}/")
    sign_in(page, hv)
    heading(page, "Okafor family")
    assert_accessible(page)

    # The contact starts on today and on the new birth visit, which is due.
    page.get_by_role("link", name="Record a contact").click()
    heading(page, "Record a contact")
    today = timezone.localdate()
    expect(page.get_by_label("Day", exact=True)).to_have_value(str(today.day))
    expect(page.get_by_label("Year", exact=True)).to_have_value(str(today.year))
    expect(page.get_by_label("New birth visit (10 to 14 days)")).to_be_checked()
    assert_accessible(page)
    page.get_by_label("Home", exact=True).check()
    page.get_by_role("button", name="Save contact").click()
    heading(page, "Start the conversation about the relationship")
    page.get_by_role("button", name="Start the conversation").click()

    # Both parents are there: the HV ticks both, nobody is ticked for her.
    heading(page, "Ask the parent's consent")
    taking_part = page.get_by_role("group", name=re.compile("Who is taking part"))
    expect(taking_part.get_by_role("checkbox", checked=True)).to_have_count(0)
    assert_accessible(page)
    taking_part.get_by_label(re.compile("Grace Okafor")).check()
    taking_part.get_by_label(re.compile("Sam Okafor")).check()
    page.get_by_label("Yes, they are happy to talk about it now").check()
    page.get_by_role("button", name="Save and continue").click()

    # A blank page is refused here, with the error summary above the questions.
    heading(page, "The parent's answers")
    expect(page.locator("main")).to_contain_text("write down what Grace Okafor and Sam Okafor say")
    assert_accessible(page)
    page.get_by_role("button", name="Save and continue").click()
    heading(page, "The parent's answers")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary.get_by_role("link")).to_have_count(3)
    expect(summary).to_contain_text("Enter the parent's biggest fear")
    expect(page).to_have_title(re.compile("^Error: "))
    assert_accessible(page)

    # One phrase answers the first question; the fear question is one they chose not to answer.
    summary.get_by_role("link", name=re.compile("at least one word")).click()
    expect(page.get_by_label("First word or phrase")).to_be_focused()
    page.get_by_label("First word or phrase").fill("Close")
    page.get_by_label(re.compile("What brings you the most joy")).fill("Her first smile.")
    page.get_by_label("The parent chose not to answer the biggest fear").check()
    page.get_by_role("button", name="Save and continue").click()

    heading(page, "Your reflection")
    expect(page.get_by_label(re.compile(r"Your reflection \(optional\)"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("group", name="Did anything raise concern?").get_by_label("No").check()
    page.get_by_role("button", name="Save and complete").click()

    # The conversation says who took part and which question was declined.
    heading(page, "Conversation about the relationship")
    main = page.locator("main")
    expect(main).to_contain_text("Completed")
    expect(main).to_contain_text("Grace Okafor (mother) and Sam Okafor (father)")
    fear_row = main.locator(".nhsuk-summary-list__row", has_text=QUESTION_FEAR)
    expect(fear_row).to_contain_text("The parent chose not to answer")
    assert_accessible(page)

    page.get_by_role("link", name="Back to the Okafor family").click()
    heading(page, "Okafor family")
    expect(main).to_contain_text("Chose not to answer")
    assert_accessible(page)

    # The caseload opens on her own families.
    page.goto("/")
    heading(page, "Caseload")
    expect(page.get_by_label("My families")).to_be_checked()
    expect(page.get_by_role("link", name="Okafor")).to_be_visible()
    expect(page.get_by_role("link", name="Colleague")).to_have_count(0)
    assert_accessible(page)

    # Half an hour without doing anything: the sign-in page says why she was signed out.
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    page.goto(f"/families/{family.pk}/")
    heading(page, "Sign in")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "You were signed out because you had not done anything for 30 minutes."
    )
    assert "Okafor" not in page.url
    assert_accessible(page)
    assert page.csp_violations == []
