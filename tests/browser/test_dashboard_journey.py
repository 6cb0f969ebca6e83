"""A team lead opens the dashboard from their home page, reads the charts, changes the period,
downloads a figure; a health visitor sees their own caseload's. axe on every page."""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from referrals.models import Referral, ReferralEvent
from tests.factories import BabyFactory, ContactFactory, ConversationFactory, FamilyFactory
from tests.factories_referrals import ConcernFactory, ReferralFactory, ServiceFactory

from .conftest import assert_accessible, sign_in
from .test_referral_journey import load_step_3_data
from .test_screening_journey import heading

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page, title):
    heading(page, title)
    assert_accessible(page)
    assert getattr(page, "csp_violations", []) == []


def make_team_records(hv, team_lead):
    """A family with a conversation, an urgent concern and a referral awaiting review."""
    load_step_3_data()
    family = FamilyFactory(team=hv.team, named_hv=hv, name="Okafor")
    BabyFactory(family=family, name="Ada")
    contact = ContactFactory(
        family=family, recorded_by=hv, contact_date=timezone.localdate() - datetime.timedelta(3)
    )
    ConversationFactory(contact=contact, consent_status="given", completed_at=timezone.now())
    ConcernFactory(family=family, raised_by=hv, urgent=True, severity="high")
    ConcernFactory(family=family, raised_by=hv, category_code="feeding_sleep_crying")
    service = ServiceFactory(name="Riverside Parent-Infant Team", interventions=["abc"])
    referral = ReferralFactory(family=family, service=service, created_by=hv)
    submitted = timezone.now() - datetime.timedelta(days=2)
    ReferralEvent.objects.create(
        referral=referral,
        kind="transition",
        from_status="draft",
        to_status="submitted",
        actor=hv,
        at=submitted,
    )
    Referral.objects.filter(pk=referral.pk).update(status="submitted", submitted_at=submitted)
    other = FamilyFactory(team=hv.team, named_hv=team_lead, name="Lindqvist")
    BabyFactory(family=other)
    ContactFactory(family=other, recorded_by=team_lead)
    return family


def charts_have_text_alternatives(page):
    charts = page.locator("main svg[role='img']")
    assert charts.count() >= 3
    for index in range(charts.count()):
        chart = charts.nth(index)
        title, description = chart.get_attribute("aria-labelledby").split()
        expect(page.locator(f"#{title}")).to_have_text(re.compile(r"\S"))
        expect(page.locator(f"#{description}")).to_contain_text("The table after the chart")
        # The same figures as a table, right after the chart.
        table = chart.locator("xpath=ancestor::section[1]//table")
        expect(table).to_have_count(1)


def test_team_lead_reads_the_dashboard_changes_the_period_and_downloads(
    page, hv, team_lead, tmp_path
):
    make_team_records(hv, team_lead)

    page.goto("/")
    sign_in(page, team_lead)
    heading(page, "Caseload")
    page.get_by_role("link", name="Team dashboard").click()
    check(page, "Team dashboard")

    # Needs attention now: each item links to the record.
    expect(page.get_by_role("heading", name="Referrals awaiting review (1)")).to_be_visible()
    expect(
        page.get_by_role("link", name="Okafor family: referral to Riverside Parent-Infant Team")
    ).to_be_visible()
    expect(
        page.get_by_role("heading", name="Urgent concerns awaiting acknowledgement (1)")
    ).to_be_visible()

    # Charts are images with a name and a description, each followed by its table.
    expect(page.get_by_role("img", name="Conversations by contact type: chart")).to_be_visible()
    expect(page.get_by_role("img", name="Referral funnel: chart")).to_be_visible()
    charts_have_text_alternatives(page)
    workload = page.get_by_role("table", name=re.compile("Caseload and overdue items"))
    expect(workload).to_contain_text(hv.get_full_name())

    # Another period: the last 12 months.
    page.get_by_text("Choose another period").click()
    page.get_by_label("Last 12 months").check()
    page.get_by_role("button", name="Show figures").click()
    today = timezone.localdate()
    expect(page.get_by_role("heading", name=re.compile(r"^Figures for "))).to_contain_text(
        f"to {today.day} {today:%B %Y}"
    )
    check(page, "Team dashboard")

    # Dates in the wrong order are explained, in an error summary that axe accepts.
    page.get_by_text("Choose another period").click()
    page.get_by_label("Between two dates").check()
    start = page.get_by_role("group", name="From")
    start.get_by_label("Day").fill("10")
    start.get_by_label("Month").fill("3")
    start.get_by_label("Year").fill("2026")
    end = page.get_by_role("group", name="To")
    end.get_by_label("Day").fill("1")
    end.get_by_label("Month").fill("3")
    end.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Show figures").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "The end date must be the same as or after the start date"
    )
    check(page, "Team dashboard")

    # One figure as CSV.
    page.goto("/dashboard/")
    with page.expect_download() as download_info:
        page.get_by_role(
            "link", name=re.compile("^Download as CSV.*consent to the conversation")
        ).click()
    saved = Path(tmp_path, "consent.csv")
    download_info.value.save_as(saved)
    lines = saved.read_text().splitlines()
    assert lines[0] == "Consent,Conversations,Share"
    assert lines[1] == "Consent given,1,100%"


def test_hv_sees_their_own_caseloads_dashboard(page, hv, team_lead):
    make_team_records(hv, team_lead)
    page.goto("/dashboard/")
    sign_in(page, hv)
    check(page, "Your caseload dashboard")
    charts_have_text_alternatives(page)
    expect(page.get_by_text("Lindqvist")).to_have_count(0)
    expect(page.get_by_label("Include babies' NHS numbers")).to_have_count(0)
