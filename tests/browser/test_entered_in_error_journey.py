"""A health visitor marks a duplicate screening result entered in error from the family page:
the form says the urgent concern it raised stays, the reason is required, and the family page
then lists the result under "Shown as entered in error" with who, when and why. axe and the CSP
are checked on the form and on the family page."""

import pytest
from playwright.sync_api import expect

from screening import services as screening_services
from screening.models import ScreeningResult
from tests.factories import ContactFactory, FamilyFactory

from .conftest import assert_accessible
from .test_screening_journey import heading, load_step_2_data, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_duplicate_result_is_marked_entered_in_error(page, hv):
    load_step_2_data()
    family = FamilyFactory(team=hv.team, named_hv=hv, name="Okafor")
    contact = ContactFactory(family=family, recorded_by=hv)
    phq9 = screening_services.current_definition("phq9")
    answers = {str(n): "not_at_all" for n in range(1, 9)} | {"9": "several_days"}
    for _ in range(2):  # sent twice
        duplicate = screening_services.screening_result_record(
            parent_agreed=True, actor=hv, contact=contact, definition=phq9, answers=answers
        )
    page.goto(f"/families/{family.pk}/")
    sign_in(page, hv)
    heading(page, "Okafor family")
    page.locator(f'a[href="/screening/results/{duplicate.pk}/entered-in-error/"]').click()
    heading(page, "Mark this screening result as entered in error")
    expect(page.get_by_text("stays open on the family's record").first).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Mark as entered in error").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Enter why it was entered in error"
    )
    assert_accessible(page)
    page.get_by_label("Why was it entered in error?").fill("The form was sent twice.")
    page.get_by_role("button", name="Mark as entered in error").click()

    heading(page, "Okafor family")
    expect(page.get_by_text("Screening result marked as entered in error")).to_be_visible()
    expect(page.get_by_role("heading", name="Shown as entered in error")).to_be_visible()
    page.get_by_text("See the records entered in error").click()
    expect(page.get_by_text("The form was sent twice.")).to_be_visible()
    assert_accessible(page)
    assert page.csp_violations == []
    duplicate.refresh_from_db()
    assert duplicate.entered_in_error_by == hv
    assert ScreeningResult.objects.current().filter(family=family).count() == 1
