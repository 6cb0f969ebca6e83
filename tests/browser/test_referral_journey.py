"""An HV refers a family with a perinatal mental health concern; the team lead returns it with a
comment, the HV is notified (naming the family), sees the comment where she changes the
referral and resubmits; the lead's queue says "Resubmitted" and what changed; the lead approves
(ready to send), the HV records that she phoned it through, and the service's replies. And
suggestions for a family with an urgent mental health concern and a low family-stress concern,
in the right order. axe on every page."""

import importlib
import re

import pytest
from django.apps import apps
from playwright.sync_api import expect

from attachment_app.reminders import services as reminder_services
from referrals.models import Referral
from tests.factories import BabyFactory, CaregiverFactory, FamilyFactory
from tests.factories_referrals import ConcernFactory, ServiceFactory

from .conftest import assert_accessible, sign_in
from .test_screening_journey import heading, load_step_2_data, team_lead_home

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def load_step_3_data():
    """The interventions and service categories a data migration adds (flushed between tests)."""
    load_step_2_data()
    migration = importlib.import_module("referrals.migrations.0002_interventions_and_categories")
    migration.add(apps, None)
    importlib.import_module("referrals.migrations.0004_evidence_source_in_full").spell_out(
        apps, None
    )


def run_the_reminder_sweep():
    """What the beat and the worker do every couple of minutes, done now, in-process."""
    reminder_services.reminders_sweep(enqueue=reminder_services.reminder_send)


def check(page, title):
    heading(page, title)
    assert_accessible(page)
    assert getattr(page, "csp_violations", []) == []


def test_referral_from_suggestion_to_acceptance(page, hv, team_lead):
    load_step_3_data()
    family = FamilyFactory(team=hv.team, named_hv=hv, name="Okafor", postcode="LS1 4AP")
    BabyFactory(family=family, name="Ada")
    CaregiverFactory(family=family, name="Grace Okafor")
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
    expect(suggestions.first).to_contain_text("A service for parental mental health")
    page.get_by_role("link", name="Riverside Perinatal Mental Health Team").click()
    check(page, "Riverside Perinatal Mental Health Team")

    # Refer, with consent to share: a mistake first, then the draft.
    page.get_by_role("link", name="Refer the family").click()
    check(page, "Refer to Riverside Perinatal Mental Health Team")
    # The open concern is ticked already; the consent questions wait for their answer.
    expect(page.get_by_label("Parental mental health", exact=False)).to_be_checked()
    expect(page.get_by_role("group", name="How consent was given")).to_be_hidden()
    expect(page.get_by_label("Why sharing without consent is justified")).to_be_hidden()
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter reason for referral")
    assert_accessible(page)
    page.get_by_label("Reason for referral").fill("Low mood since Ada's birth; EPDS 15.")
    page.get_by_label("Routine").check()
    page.get_by_label("The parent consents to sharing").check()
    expect(page.get_by_role("group", name="How consent was given")).to_be_visible()
    expect(page.get_by_label("Grace Okafor (mother)")).to_be_checked()
    page.get_by_label("In person").check()
    assert_accessible(page)
    page.get_by_label("What information will be shared").fill("Contact details, EPDS result.")
    page.get_by_role("button", name="Save as draft").click()
    check(page, "Referral to Riverside Perinatal Mental Health Team")
    expect(page.locator(".nhsuk-summary-list")).to_contain_text(
        "Consent to share given by Grace Okafor (mother), in person, on"
    )
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
    expect(lead.locator(".nhsuk-card")).to_contain_text("Basis for sharing: Consent to share")
    expect(lead.locator(".nhsuk-card")).not_to_contain_text("Resubmitted")
    lead.get_by_role("link", name=re.compile("^Return")).click()
    check(lead, "Return to the health visitor")
    lead.get_by_label("What needs changing").fill("Say whether she agreed to a home visit.")
    lead.get_by_role("button", name="Return to the health visitor").click()
    check(lead, "Referrals to review")
    lead.goto("/")
    heading(lead, "Caseload")
    expect(lead.locator("main")).not_to_contain_text("returned to you")
    expect(lead.locator("main")).to_contain_text("Referral you returned, waiting for the health")
    assert_accessible(lead)

    # The HV is told, in the app, which family's referral came back.
    run_the_reminder_sweep()
    page.goto("/")
    heading(page, "Caseload")
    expect(page.locator("main")).to_contain_text("Referral returned to you")
    page.get_by_role("link", name="Notifications 1 unread").click()
    check(page, "Notifications")
    page.get_by_role(
        "button",
        name="Referral for the Okafor family to Riverside Perinatal Mental Health Team was "
        "returned to you: see what needs changing",
    ).click()
    check(page, "Referral to Riverside Perinatal Mental Health Team")
    expect(page.locator(".nhsuk-inset-text")).to_contain_text("Say whether she agreed to a home")
    page.get_by_role("link", name="Change the referral").click()
    check(page, "Change the referral to Riverside Perinatal Mental Health Team")
    expect(page.locator(".nhsuk-warning-callout")).to_contain_text(
        "Say whether she agreed to a home visit."
    )
    # A returned referral's consent questions are open: its answer is chosen.
    expect(page.get_by_role("group", name="How consent was given")).to_be_visible()
    page.get_by_label("What information will be shared").fill(
        "Contact details, EPDS result; she agreed to a home visit."
    )
    page.get_by_role("button", name="Save changes").click()
    check(page, "Referral to Riverside Perinatal Mental Health Team")
    page.get_by_role("link", name="Resubmit for review").click()
    check(page, "Resubmit for review")
    page.get_by_role("button", name="Resubmit for review").click()
    # Saved once the page has gone on (the form first checks the connection).
    expect(page).to_have_url(re.compile(r"/referrals/\d+/$"))
    expect(page.locator("main")).to_contain_text("Awaiting team lead review")

    # The team lead sees it was resubmitted, and what changed, then approves.
    lead.goto("/referrals/review/")
    heading(lead, "Referrals to review")
    card = lead.locator(".nhsuk-card")
    expect(card.locator(".nhsuk-tag", has_text="Resubmitted")).to_be_visible()
    card.get_by_text("What changed since it was returned").click()
    changes = card.locator(".nhsuk-details__text")
    expect(changes).to_contain_text("Say whether she agreed to a home visit.")
    expect(changes).to_contain_text("Information shared")
    expect(changes).to_contain_text("Contact details, EPDS result; she agreed to a home visit.")
    assert_accessible(lead)
    lead.get_by_role("link", name=re.compile("^Approve")).click()
    check(lead, "Approve: ready to send")
    lead.get_by_role("button", name="Approve: ready to send").click()
    # Approved is ready to send, not sent: the referral page offers the sending.
    check(lead, "Referral to Riverside Perinatal Mental Health Team")
    expect(lead.locator(".nhsuk-summary-list")).to_contain_text("Ready to send")
    lead_context.close()

    # The HV phones it through and records that, then the service's replies.
    page.reload()
    page.get_by_role("link", name="Record that it was sent another way").click()
    check(page, "Record how the referral was sent")
    page.get_by_label("Phoned the service").check()
    page.get_by_role("button", name="Record as sent").click()
    check(page, "Referral to Riverside Perinatal Mental Health Team")
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("Sent to service")
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
        "ready",
        "sent",
        "acknowledged",
        "accepted",
    ]


def test_suggestions_follow_the_most_pressing_concern_first(page, hv):
    load_step_3_data()
    family = FamilyFactory(team=hv.team, named_hv=hv, name="Brennan", postcode="LS1 4AP")
    BabyFactory(family=family, name="Noah")
    ConcernFactory(
        family=family, raised_by=hv, category_code="family_stress_support", severity="low"
    )
    ConcernFactory(
        family=family,
        raised_by=hv,
        category_code="parental_mental_health",
        severity="high",
        urgent=True,
    )
    ServiceFactory(
        name="Parenting Together Group",
        terms=["parenting-programme"],
        interventions=["circle-of-security"],
    )
    ServiceFactory(name="Riverside Family Hub", terms=["family-support"])
    ServiceFactory(name="Northbank Surgery", terms=["primary-care"])
    ServiceFactory(name="Perinatal Mental Health Service", terms=["perinatal-mental-health"])
    ServiceFactory(
        name="Crying Support Line",
        terms=["infant-feeding"],
        accepts_referrals=False,
        referral_method="",
        national=True,
    )

    page.goto("/")
    sign_in(page, hv)
    heading(page, "Caseload")
    page.get_by_role("link", name="Brennan", exact=True).click()
    check(page, "Brennan family")
    page.get_by_role("link", name="Find services to signpost or refer to").click()
    check(page, "Services to signpost or refer to")

    groups = page.locator("main section")
    expect(groups.locator("h3")).to_have_text(
        ["Parental mental health", "Family stress and support"]
    )
    mental_health, family_stress = groups.nth(0), groups.nth(1)
    expect(mental_health.locator(".nhsuk-tag", has_text="Urgent")).to_be_visible()
    expect(mental_health.locator("h4")).to_have_text(
        ["Perinatal Mental Health Service", "Northbank Surgery"]
    )
    expect(family_stress.locator("h4")).to_have_text(
        ["Riverside Family Hub", "Parenting Together Group"]
    )
    expect(page.locator("main")).not_to_contain_text("Crying Support Line")

    # Where the evidence rating comes from, and what it means, for the HV who wants to know.
    family_stress.get_by_text("About this rating").click()
    rating = family_stress.locator(".nhsuk-details__text").first
    expect(rating).to_contain_text("Wright et al. 2023, NIHR Health Technology Assessment 27(2)")
    expect(rating).to_contain_text("Strong evidence: Good-quality research")
    page.get_by_text("How services are ordered").click()
    assert_accessible(page)
