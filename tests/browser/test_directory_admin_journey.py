"""An admin adds a service to the directory (putting a mistake right first), changes it and
retires it; axe checks every page on the way."""

import datetime
import importlib
import re

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from referrals.models import Service
from screening.models import ConcernCategory
from tests.factories import AdminFactory
from tests.factories_referrals import LocalAuthorityFactory, OrganizationFactory, ServiceFactory

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def heading(page, text):
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def load_directory_lists():
    """The concern categories, service categories and interventions that data migrations add."""
    # Tests in transactions flush the database after them, data migrations' rows included.
    categories = importlib.import_module("screening.migrations.0002_concern_categories")
    for position, (code, name) in enumerate(categories.CATEGORIES, start=1):
        ConcernCategory.objects.get_or_create(
            code=code, defaults={"name": name, "position": position}
        )
    directory = importlib.import_module("referrals.migrations.0002_interventions_and_categories")
    directory.add(apps, None)


def test_admin_adds_changes_and_retires_a_service(page):
    load_directory_lists()
    admin = AdminFactory(username="admin.fatima", first_name="Fatima")
    OrganizationFactory(name="Riverside Family Services")
    LocalAuthorityFactory(code="E99000001", name="Riverside", postcode_districts=["LS1", "LS2"])
    ServiceFactory(
        name="Moorside Surgery",
        assured_date=timezone.localdate() - datetime.timedelta(days=500),
        terms=["primary-care"],
        interventions=["vig"],
    )

    # From the admin's home page to the directory.
    page.goto("/")
    sign_in(page, admin)
    heading(page, "Welcome, Fatima")
    page.get_by_role("link", name="Manage the service directory").click()
    heading(page, "Service directory")
    expect(page.locator(".nhsuk-warning-callout")).to_contain_text("1 service to check")
    expect(page.locator("main")).to_contain_text("Check details")
    assert_accessible(page)

    # Search with no match, then clear it.
    page.get_by_label("Search by name, organisation or description").fill("bonding")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="No services found")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Clear search and filters").click()

    # Add a service, forgetting where it takes families from.
    page.get_by_role("link", name="Add a service").click()
    heading(page, "Add a service")
    assert_accessible(page)
    page.get_by_label("Organisation").select_option(label="Riverside Family Services")
    page.get_by_label("Name", exact=True).fill("Bonding Together")
    page.get_by_label("Description").fill("Home visits for parents and babies.")
    page.get_by_label("Email address (optional)", exact=True).fill("bonding@example.org")
    page.get_by_role("group", name="How to refer").get_by_label("Email").check()
    page.get_by_label("Youngest age in months").fill("0")
    page.get_by_label("Oldest age in months").fill("24")
    page.get_by_label("Parent and baby together").check()
    page.get_by_label("Parent\u2013infant relationship support").check()
    page.get_by_label("Circle of Security (strong evidence)").check()
    page.get_by_role("button", name="Save service").click()

    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Say where the service takes families from")
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_label("Name", exact=True)).to_have_value("Bonding Together")
    expect(page.get_by_label("Circle of Security (strong evidence)")).to_be_checked()
    assert_accessible(page)
    summary.get_by_role("link", name="Say where the service takes families from").click()
    expect(page.get_by_label("Serves everywhere in England")).to_be_focused()

    # Put it right and save.
    page.get_by_label("Postcode districts").fill("ls6, LS7")
    page.get_by_label("Riverside (LS1, LS2)").check()
    assured = page.get_by_role("group", name="Last assured")
    assured.get_by_label("Day").fill("2")
    assured.get_by_label("Month").fill("3")
    assured.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Save service").click()

    heading(page, "Bonding Together")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "Bonding Together added to the directory"
    )
    main = page.locator("main")
    expect(main).to_contain_text("Riverside (local authority), LS6, LS7")
    expect(main).to_contain_text("Circle of Security")
    expect(main).to_contain_text("Strong evidence")
    expect(main).to_contain_text("Pregnancy to 24 months")
    assert_accessible(page)

    # Change it.
    page.get_by_role("link", name="Change Bonding Together").click()
    heading(page, "Change Bonding Together")
    expect(page.get_by_label("Postcode districts")).to_have_value("LS6, LS7")
    assert_accessible(page)
    page.get_by_label("Name", exact=True).fill("Bonding Together Group")
    page.get_by_label("Temporarily closed").check()
    page.get_by_role("button", name="Save service").click()
    heading(page, "Bonding Together Group")
    expect(main).to_contain_text("Temporarily closed")
    assert_accessible(page)

    # Retire it.
    page.get_by_role("link", name="Retire Bonding Together Group").click()
    heading(page, "Retire Bonding Together Group")
    assert_accessible(page)
    page.get_by_role("button", name="Retire service").click()
    heading(page, "Bonding Together Group")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("retired")
    expect(page.get_by_role("link", name="Retire Bonding Together Group")).to_have_count(0)
    assert Service.objects.get(name="Bonding Together Group").status == Service.Status.DEFUNCT

    # It has left the list, unless retired services are asked for.
    page.get_by_role("link", name="Back to the service directory").click()
    heading(page, "Service directory")
    expect(main).not_to_contain_text("Bonding Together Group")
    page.get_by_label("Include retired services").check()
    page.get_by_role("button", name="Search").click()
    expect(main).to_contain_text("Bonding Together Group")
    assert_accessible(page)

    # The organisation pages.
    page.get_by_role("link", name="Manage organisations").click()
    heading(page, "Organisations")
    assert_accessible(page)
    page.get_by_role("link", name="Add an organisation").click()
    heading(page, "Add an organisation")
    page.get_by_role("button", name="Save organisation").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter name")
    assert_accessible(page)
    page.get_by_label("Name", exact=True).fill("Hillcrest Parents Together")
    page.get_by_role("button", name="Save organisation").click()
    heading(page, "Organisations")
    page.get_by_role("link", name="Retire Hillcrest Parents Together").click()
    heading(page, "Retire Hillcrest Parents Together")
    assert_accessible(page)
    page.get_by_role("button", name="Retire organisation").click()
    heading(page, "Organisations")
    expect(main).to_contain_text("Retired")
    assert page.csp_violations == []
