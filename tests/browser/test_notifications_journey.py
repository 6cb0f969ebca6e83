"""A team lead sees a reminder's notification in the header, opens the list (where it names the
family and the service) and follows it; axe checks the list."""

import pytest
from playwright.sync_api import expect

from attachment_app.reminders.models import Notification, Reminder
from tests.factories import FamilyFactory
from tests.factories_referrals import ReferralFactory

from .conftest import assert_accessible, sign_in
from .test_screening_journey import heading

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_team_lead_opens_a_reminder_from_the_header(page, hv, team_lead):
    from django.utils import timezone

    from .test_referral_journey import load_step_3_data

    load_step_3_data()
    referral = ReferralFactory(family=FamilyFactory(team=hv.team, name="Okafor"), created_by=hv)
    reminder = Reminder.objects.create(
        rule="referral.review",
        subject_type="referrals.referral",
        subject_id=referral.pk,
        due_at=timezone.now(),
        status="sent",
    )
    Notification.objects.create(
        reminder=reminder,
        recipient=team_lead,
        title="A referral has waited 2 working days for your review",
        link=f"/referrals/{referral.pk}/",
    )

    page.goto("/")
    sign_in(page, team_lead)
    heading(page, "Caseload")
    page.get_by_role("link", name="Notifications 1 unread").click()
    heading(page, "Notifications")
    assert_accessible(page)
    page.get_by_role(
        "button",
        name=f"Referral for the Okafor family to {referral.service.name} has waited 2 working "
        "days for your review",
    ).click()
    heading(page, f"Referral to {referral.service.name}")
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    assert Notification.objects.get().read_at is not None
