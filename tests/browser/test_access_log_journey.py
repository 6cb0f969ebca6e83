"""A team lead opens a family, follows "Who opened this record", reads who opened it and when;
axe and the CSP are checked on the report."""

import pytest
from playwright.sync_api import expect

from attachment_app.audit.models import AccessLog
from tests.factories import FamilyFactory

from .conftest import assert_accessible
from .test_screening_journey import heading, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_team_lead_reads_who_opened_a_familys_record(page, hv, team_lead):
    family = FamilyFactory(team=team_lead.team, named_hv=hv, name="Okafor")
    page.goto(f"/families/{family.pk}/")
    sign_in(page, team_lead)
    heading(page, "Okafor family")
    page.get_by_role("link", name="Who opened this record").click()
    heading(page, "Who opened this record")
    table = page.get_by_role("table", name="Who opened the Okafor family's record (1 in all)")
    expect(table).to_be_visible()
    expect(table.get_by_role("cell").filter(has_text="Viewed")).to_have_count(1)
    expect(page.get_by_role("link", name="Download as CSV (every row)")).to_be_visible()
    assert_accessible(page)
    assert page.csp_violations == []
    # The family page and the report itself are in the log.
    assert list(AccessLog.objects.order_by("pk").values_list("user", "detail")) == [
        (team_lead.pk, "family_detail"),
        (team_lead.pk, "family_access_log"),
    ]
