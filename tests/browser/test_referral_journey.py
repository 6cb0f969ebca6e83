"""An HV refers a family with a perinatal mental health concern; the team lead returns it, the HV
resubmits, the team lead approves, the HV records the service's replies. axe on every page."""

import importlib
import re

import pytest
from django.apps import apps
from playwright.sync_api import expect

from referrals.models import Referral
from tests.factories import BabyFactory, FamilyFactory
from tests.factories_referrals import ConcernFactory, ServiceFactory

from .conftest import assert_accessible, sign_in
from .test_screening_journey import heading, load_step_2_data, team_lead_home

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def load_step_3_data():
    """The interventions and service categories a data migration adds (flushed between tests)."""
    load_step_2_data()
    migration = importlib.import_module("referrals.migrations.0002_interventions_and_categories")
    migration.add(apps, None)


def check(page, title):
    heading(page, title)
    assert_accessible(page)
    assert getattr(page, "csp_violations", []) == []


def test_referral_from_suggestion_to_acceptance(page, hv, team_lead):
    load_step_3_data()
    family = FamilyFactory(team=hv.team, named_hv=hv, name="Okafor", postcode="LS1 4AP")
    BabyFactory(family=family, name="Ada")
    ConcernFactory(family=family, raised_by=hv, category_code="parental_mental_health")
    ServiceFactory(
        name="Riverside Perinatal Mental Health Team",
        terms=["perinatal-mental-health"],
        interventions=["vig", "parent-infant-psychotherapy"],
    )
    ServiceFactory(name="Feeding Clinic", terms=["infant-feeding"])

    page.goto("/")
    sign_in(page, hv)
    heading(page, "Caseload")
    page.get_by_role("link", name="Okafor", exact=True).click()
    check(page, "Okafor family")

    # Suggested services for the family's concern, with their evidence.
    page.get_by_role("link", name="Find services to signpost or refer to").click()
    check(page, "Services to signpost or refer to")
    suggestions = page.locator(".nhsuk-card")
    expect(suggestions).to_have_count(1)
    expect(suggestions.first).to_contain_text("Strong evidence")
    expect(suggestions.first).to_contain_text("Helps with the family's concern about parental")
    page.get_by_role("link", name="Riverside Perinatal Mental Health Team").click()
    check(page, "Riverside Perinatal Mental Health Team")

    # Refer, with consent to share: a mistake first, then the draft.
    page.get_by_role("link", name="Refer the family").click()
    check(page, "Refer to Riverside Perinatal Mental Health Team")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter reason for referral")
    assert_accessible(page)
    page.get_by_label("Reason for referral").fill("Low mood since Ada's birth; EPDS 15.")
    page.get_by_label("Parental mental health", exact=False).check()
    page.get_by_label("Routine").check()
    page.get_by_label("The parent consents to sharing").check()
    page.get_by_label("What information will be shared").fill("Contact details, EPDS result.")
    page.get_by_role("button", name="Save as draft").click()
    check(page, "Referral to Riverside Perinatal Mental Health Team")
    page.get_by_role("link", name="Submit for review").click()
    check(page, "Submit for review")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("Awaiting team lead review")

    # The team lead returns it with a comment.
    lead_context, lead = team_lead_home(page, team_lead)
    expect(lead.get_by_text("1 referral awaiting your review")).to_be_visible()
    lead.get_by_role("link", name="Review referrals").click()
    check(lead, "Referrals to review")
    expect(lead.locator(".nhsuk-card")).to_contain_text("Parental mental health")
    lead.get_by_role("link", name=re.compile("^Return")).click()
    check(lead, "Return to the health visitor")
    lead.get_by_label("What needs changing").fill("Say whether she agreed to a home visit.")
    lead.get_by_role("button", name="Return to the health visitor").click()
    check(lead, "Referrals to review")

    # The HV sees it returned, edits it and resubmits.
    page.goto("/")
    heading(page, "Caseload")
    page.get_by_role("link", name=re.compile("Okafor family: referral to")).click()
    check(page, "Referral to Riverside Perinatal Mental Health Team")
    expect(page.locator(".nhsuk-inset-text")).to_contain_text("Say whether she agreed to a home")
    page.get_by_role("link", name="Change the referral").click()
    check(page, "Change the referral to Riverside Perinatal Mental Health Team")
    page.get_by_label("What information will be shared").fill(
        "Contact details, EPDS result; she agreed to a home visit."
    )
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("link", name="Resubmit for review").click()
    page.get_by_role("button", name="Resubmit for review").click()

    # The team lead approves.
    lead.goto("/referrals/review/")
    lead.get_by_role("link", name=re.compile("^Approve")).click()
    check(lead, "Approve and send")
    lead.get_by_role("button", name="Approve and send").click()
    expect(lead.get_by_text("No referral is waiting for review.")).to_be_visible()
    lead_context.close()

    # The HV records the service's replies.
    page.reload()
    page.get_by_role("link", name="Record that the service acknowledged it").click()
    check(page, "Record that the service acknowledged it")
    page.get_by_role("button", name="Record that the service acknowledged it").click()
    page.get_by_role("link", name="Record that the service accepted it").click()
    page.get_by_label("Note (optional)").fill("First appointment on Monday.")
    page.get_by_role("button", name="Record that the service accepted it").click()
    check(page, "Referral to Riverside Perinatal Mental Health Team")
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("Accepted by service")
    expect(page.locator("ol.nhsuk-list")).to_contain_text("First appointment on Monday.")

    referral = Referral.objects.get()
    assert referral.status == "accepted"
    assert [e.to_status for e in referral.events.all()] == [
        "draft",
        "submitted",
        "returned",
        "returned",
        "submitted",
        "sent",
        "acknowledged",
        "accepted",
    ]
