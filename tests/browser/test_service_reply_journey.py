"""A referral that reaches the service and comes back: the team lead approves it, it is sent by
email (the worker's task run here), the service opens the link on a phone-width screen, enters
the emailed code, accepts, later records the outcome; the health visitor sees both replies in
the history and in her notifications, and the service's reply figures. axe on every page."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from referrals import services
from referrals.models import ReferralDelivery
from tests.factories import BabyFactory, CaregiverFactory, FamilyFactory
from tests.factories_referrals import ConcernFactory, ReferralFactory, ServiceFactory
from tests.referrals.sending import code_in

from .conftest import assert_accessible, base_url_of, open_page, sign_in, sign_out
from .test_referral_journey import check, load_step_3_data, run_the_reminder_sweep
from .test_screening_journey import heading

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_service_replies_through_its_link(page, browser, hv, team_lead):
    load_step_3_data()
    mail.outbox.clear()
    family = FamilyFactory(team=hv.team, named_hv=hv, name="Okafor", postcode="LS1 4AP")
    BabyFactory(family=family, name="Ada")
    CaregiverFactory(family=family, name="Grace Okafor")
    concern = ConcernFactory(family=family, raised_by=hv, category_code="parental_mental_health")
    service = ServiceFactory(name="Little Steps", terms=["perinatal-mental-health"])
    referral = ReferralFactory(family=family, service=service, created_by=hv)
    referral.concerns.set([concern])
    services.referral_transition(
        actor=hv, referral=referral, action="submit", expected_version=None
    )

    # The team lead approves: ready to send, not sent.
    page.goto(f"/referrals/{referral.pk}/")
    sign_in(page, team_lead)
    check(page, "Referral to Little Steps")
    page.get_by_role("link", name="Approve: ready to send").click()
    check(page, "Approve: ready to send")
    page.get_by_role("button", name="Approve: ready to send").click()
    check(page, "Referral to Little Steps")
    expect(page.locator("main")).to_contain_text("Ready to send")

    # Sent by email: waiting for the mail server until the worker has handed it over.
    page.get_by_role("link", name="Send it to the service by email").click()
    check(page, "Send the referral by email")
    page.get_by_role("button", name="Send by email").click()
    check(page, "Referral to Little Steps")
    expect(page.locator("main")).to_contain_text("Sending by email to")
    delivery = ReferralDelivery.objects.get(referral=referral)
    from referrals import services_delivery

    assert services_delivery.delivery_send(delivery.pk) == "sent"
    page.reload()
    check(page, "Referral to Little Steps")
    expect(page.locator("main")).to_contain_text("Sent to service")
    expect(page.locator("main")).to_contain_text("The service's secure link")
    (email,) = mail.outbox
    link = re.search(r"https?://[^/\s]+(/s/[A-Za-z0-9_-]+/)", email.body).group(1)

    # The service, on a phone, with no account.
    phone = open_page(browser, base_url_of(page))
    phone.set_viewport_size({"width": 390, "height": 844})
    try:
        phone.goto(link)
        check(phone, "Open the referral")
        phone.get_by_role("button", name="Email me a code").click()
        check(phone, "Enter the code")
        phone.get_by_label("Code").fill(code_in(mail.outbox[-1].body))
        phone.get_by_role("button", name="Open the referral").click()
        check(phone, "Referral from " + hv.team.name)
        expect(phone.locator("main")).to_contain_text("Okafor")

        phone.get_by_role("link", name="Accept the referral").click()
        check(phone, "Accept the referral")
        soon = timezone.localdate() + datetime.timedelta(days=5)
        phone.get_by_label("Day").fill(str(soon.day))
        phone.get_by_label("Month").fill(str(soon.month))
        phone.get_by_label("Year").fill(str(soon.year))
        phone.get_by_role("button", name="Accept the referral").click()
        check(phone, "Referral from " + hv.team.name)
        expect(phone.locator("main")).to_contain_text("accepted by service")

        phone.get_by_role("link", name="Record the outcome").click()
        check(phone, "Record the outcome")
        phone.get_by_label("Support completed").check()
        phone.get_by_label("Summary of the outcome").fill("Six sessions; the parent feels closer.")
        phone.get_by_role("button", name="Record the outcome").click()
        heading(phone, "Your reply has been recorded")
        assert_accessible(phone)
    finally:
        phone.context.close()

    # The health visitor hears of both replies and sees them in the history.
    sign_out(page)
    run_the_reminder_sweep()
    page.goto(f"/referrals/{referral.pk}/")
    sign_in(page, hv)
    check(page, "Referral to Little Steps")
    history = page.locator("main")
    expect(history).to_contain_text("Little Steps (through its secure link)")
    expect(history).to_contain_text("Completed")
    page.goto("/notifications/")
    assert_accessible(page)
    expect(page.locator("main")).to_contain_text("Little Steps accepted the referral")
    expect(page.locator("main")).to_contain_text("Little Steps recorded the outcome of")

    # And the service's record of replies where services are chosen.
    page.goto(f"/families/{family.pk}/services/{service.pk}/")
    assert_accessible(page)
    expect(page.locator("main")).to_contain_text("replies to referrals")
