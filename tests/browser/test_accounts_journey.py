"""Account administration with the second factor, in the browser; axe checks every page.

An admin invites a person, who chooses a password and sets up an authenticator app; an admin
resets someone's second factor and they set up a new one; a team lead approves the role an admin
asked for a new member of their team.
"""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from attachment_app.accounts.models import Role, User
from tests.factories import TEST_TOTP_SECRET, AdminFactory, FamilyFactory, UserFactory

from .conftest import (
    assert_accessible,
    enter_code,
    fresh_totp_code,
    open_page,
    sign_in,
    sign_out,
    submit_password,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: The invited person's password: long, and not like their names.
NEW_PASSWORD = "violet-harbour-lantern-58"


def heading(page, text):
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def success_banner(page):
    return page.locator(".nhsuk-notification-banner--success")


def set_up_the_authenticator_app(page, person) -> str:
    """From the "Set up your second factor" page: choose the app, type the key's code (a wrong
    one first), see the recovery codes and continue. Returns the app's key."""
    heading(page, "Set up your second factor")
    assert_accessible(page)
    page.get_by_role("link", name="An authenticator app").click()
    heading(page, "Set up an authenticator app")
    expect(page.locator("img.totp-qr")).to_be_visible()
    secret = page.locator("code.totp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    assert_accessible(page)

    right = fresh_totp_code(person, secret)
    enter_code(page, person, code=f"{(int(right) + 1) % 1_000_000:06d}")
    page.get_by_role("button", name="Set up the app").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    assert_accessible(page)
    enter_code(page, person, code=right)
    page.get_by_role("button", name="Set up the app").click()

    expect(page).to_have_url(re.compile(r"/account/second-factor/recovery-codes/$"))
    heading(page, "Your recovery codes")
    expect(page.locator(".recovery-codes li")).not_to_have_count(0)
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/$"))
    return secret


def open_people(page):
    """From the home page (checked by axe first) to the list of people."""
    assert_accessible(page)
    people = re.compile(r"People, roles and teams|Your team's members")
    page.get_by_role("link", name=people).click()
    expect(page).to_have_url(re.compile(r"/people/$"))
    assert_accessible(page)


def test_admin_invites_a_person_who_sets_up_the_app_and_signs_in_again(
    page, browser, live_server, mailoutbox
):
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"
    admin = AdminFactory(username="admin.fatima", first_name="Fatima")

    # The admin invites a person, forgetting the username first.
    page.goto("/")
    sign_in(page, admin, check_accessibility=True)
    heading(page, "Welcome, Fatima")
    open_people(page)
    heading(page, "People")
    page.get_by_role("link", name="Invite a person").click()
    heading(page, "Invite a person")
    assert_accessible(page)
    page.get_by_label("First name").fill("Amara")
    page.get_by_label("Last name").fill("Okafor")
    page.get_by_label("Email address").fill("Amara.Okafor@example.nhs.uk")
    page.get_by_role("button", name="Send the invitation").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Enter a username")
    assert_accessible(page)
    page.get_by_label("Username").fill("amara.okafor")
    page.get_by_role("button", name="Send the invitation").click()
    heading(page, "Amara Okafor")
    expect(success_banner(page)).to_contain_text("Invitation sent to amara.okafor@example.nhs.uk")
    expect(page.locator("main")).to_contain_text("Not set up yet")
    assert_accessible(page)

    # The email holds a one-time link.
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["amara.okafor@example.nhs.uk"]
    link = re.search(r"/invitation/[\w-]+/", email.body)
    assert link, email.body

    # She opens it on her own device, chooses a password (mistyping it once) and sets up the app.
    amara = open_page(browser, live_server.url)
    try:
        amara.goto(link.group(0))
        heading(amara, "Choose your password")
        expect(amara.locator("main")).to_contain_text("amara.okafor")
        assert_accessible(amara)
        amara.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
        amara.get_by_label("Password again").fill(NEW_PASSWORD + "x")
        amara.get_by_role("button", name="Continue").click()
        expect(amara.locator(".nhsuk-error-summary")).to_contain_text("do not match")
        assert_accessible(amara)
        amara.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
        amara.get_by_label("Password again").fill(NEW_PASSWORD)
        amara.get_by_role("button", name="Continue").click()

        person = User.objects.get(username="amara.okafor")
        expect(amara).to_have_url(re.compile(r"/account/second-factor/set-up/$"))
        secret = set_up_the_authenticator_app(amara, person)
        heading(amara, "Welcome, Amara")
        assert_accessible(amara)

        # The link works once only.
        sign_out(amara)
        assert_accessible(amara)
        amara.goto(link.group(0))
        heading(amara, "This invitation has been used")
        assert_accessible(amara)

        # She signs in with her password and a new code from the app.
        sign_in(amara, person, secret, password=NEW_PASSWORD, check_accessibility=True)
        heading(amara, "Welcome, Amara")
        assert_accessible(amara)
        assert amara.csp_violations == []
    finally:
        amara.context.close()

    # The admin sees her account set up, and the history of it.
    page.reload()
    expect(page.locator("main")).to_contain_text("Set up")
    expect(page.locator("main")).not_to_contain_text("Not set up yet")
    assert_accessible(page)
    page.goto(reverse("account_event_list"))
    heading(page, "Account history")
    expect(page.locator("main")).to_contain_text("amara.okafor")
    assert_accessible(page)
    assert page.csp_violations == []


def test_admin_resets_a_second_factor_and_the_person_sets_up_a_new_one(
    page, browser, live_server, hv, mailoutbox
):
    admin = AdminFactory(username="admin.fatima", first_name="Fatima")
    FamilyFactory(team=hv.team, named_hv=hv, name="Okafor")

    # The admin finds the health visitor and resets her second factor, giving a reason.
    page.goto("/")
    sign_in(page, admin, check_accessibility=True)
    open_people(page)
    page.get_by_role("link", name=hv.get_full_name()).click()
    heading(page, hv.get_full_name())
    expect(page.locator("main")).to_contain_text("Set up")
    assert_accessible(page)
    page.get_by_role("link", name="Reset their second factor").click()
    heading(page, "Reset their second factor")
    assert_accessible(page)
    page.get_by_role("button", name="Reset the second factor").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter the reason")
    assert_accessible(page)
    page.get_by_label("Reason").fill("Lost her phone; she phoned from the clinic, ID checked")
    page.get_by_role("button", name="Reset the second factor").click()
    heading(page, hv.get_full_name())
    expect(success_banner(page)).to_contain_text("second factor reset")
    expect(page.locator("main")).to_contain_text("Not set up yet")
    expect(page.get_by_role("link", name="Reset their second factor")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Lost her phone")
    assert_accessible(page)
    assert [email.to for email in mailoutbox] == [[hv.email]]
    assert page.csp_violations == []

    # She signs in with her password and is made to set up a new factor before anything else.
    hv_page = open_page(browser, live_server.url)
    try:
        hv_page.goto("/")
        submit_password(hv_page, hv, check_accessibility=True)
        expect(hv_page).to_have_url(re.compile(r"/account/second-factor/set-up/$"))
        hv_page.goto(reverse("family_create"))
        expect(hv_page).to_have_url(re.compile(r"/account/second-factor/set-up/$"))
        secret = set_up_the_authenticator_app(hv_page, hv)
        heading(hv_page, "Caseload")
        expect(hv_page.get_by_role("link", name="Okafor")).to_be_visible()
        assert_accessible(hv_page)
        assert secret != TEST_TOTP_SECRET
        assert Authenticator.objects.filter(user=hv, type=Authenticator.Type.TOTP).count() == 1
        assert hv_page.csp_violations == []
    finally:
        hv_page.context.close()


def test_team_lead_approves_the_role_an_admin_asked_for_a_new_member(
    page, browser, live_server, team_a, team_b, team_lead
):
    admin = AdminFactory(username="admin.fatima", first_name="Fatima")
    member = UserFactory(
        role="", team=None, username="new.member", first_name="Nia", last_name="Adeyemi"
    )
    FamilyFactory(team=team_a, name="Okafor")

    # The new member signs in: nothing is theirs to see yet.
    member_page = open_page(browser, live_server.url)
    try:
        member_page.goto("/")
        sign_in(member_page, member, check_accessibility=True)
        heading(member_page, "Welcome, Nia")
        expect(member_page.get_by_role("link", name="Okafor")).to_have_count(0)
        assert_accessible(member_page)

        # The admin asks for the health visitor role in Team A (forgetting the team first).
        page.goto("/")
        sign_in(page, admin, check_accessibility=True)
        open_people(page)
        page.get_by_role("link", name="Nia Adeyemi").click()
        heading(page, "Nia Adeyemi")
        assert_accessible(page)
        page.get_by_role("link", name=re.compile("Request a role and team")).click()
        heading(page, "Request a role and team")
        assert_accessible(page)
        page.get_by_label(Role.HEALTH_VISITOR.label, exact=True).check()
        page.get_by_role("button", name="Request the role").click()
        expect(page.locator(".nhsuk-error-summary")).to_contain_text("Choose the team")
        assert_accessible(page)
        page.get_by_role("combobox", name=re.compile(r"^Team")).select_option(label="Team A")
        page.get_by_role("button", name="Request the role").click()
        heading(page, "Nia Adeyemi")
        expect(success_banner(page)).to_contain_text("Role requested")
        expect(page.locator("main")).to_contain_text("None yet")
        assert_accessible(page)

        # The admin may not decide it: Team A has a team lead.
        page.goto(reverse("role_request_list"))
        heading(page, "Role requests waiting for your decision")
        expect(page.get_by_role("link", name=re.compile("Decide"))).to_have_count(0)
        assert_accessible(page)
        assert page.csp_violations == []

        # The team lead of Team A approves it.
        lead = open_page(browser, live_server.url)
        try:
            lead.goto("/")
            sign_in(lead, team_lead, check_accessibility=True)
            heading(lead, "Caseload")
            open_people(lead)
            heading(lead, "Your team's members")
            lead.get_by_role("link", name="1 role request waiting for your decision").click()
            heading(lead, "Role requests waiting for your decision")
            assert_accessible(lead)
            lead.get_by_role("link", name=re.compile("Decide")).click()
            heading(lead, "Nia Adeyemi: Health visitor, Team A")
            assert_accessible(lead)
            lead.get_by_role("button", name="Save the decision").click()
            expect(lead.locator(".nhsuk-error-summary")).to_contain_text("Select approve or refuse")
            assert_accessible(lead)
            lead.get_by_label("Approve").check()
            lead.get_by_role("button", name="Save the decision").click()
            heading(lead, "Role requests waiting for your decision")
            expect(success_banner(lead)).to_contain_text("Role approved for Nia Adeyemi")
            expect(lead.locator("main")).to_contain_text("no role requests waiting")
            assert_accessible(lead)
            assert lead.csp_violations == []
        finally:
            lead.context.close()

        # The member's next page is Team A's caseload: none of the families is hers yet, so
        # her own families (the default for a health visitor) lead on to the team's.
        member_page.goto("/")
        heading(member_page, "Caseload")
        expect(member_page.locator("header")).to_contain_text("Team A")
        member_page.get_by_role("link", name="Show your team's families").click()
        expect(member_page.get_by_role("link", name="Okafor")).to_be_visible()
        assert_accessible(member_page)
        assert member_page.csp_violations == []
    finally:
        member_page.context.close()

    member.refresh_from_db()
    assert (member.role, member.team) == (Role.HEALTH_VISITOR, team_a)
