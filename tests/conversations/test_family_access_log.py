"""Who opened this record: the team lead of the family's team sees it and downloads it; the
download is logged too; everyone else gets a 404."""

import csv
import io

import pytest
from django.urls import reverse

from attachment_app.audit.models import AccessLog
from tests.factories import FamilyFactory

pytestmark = pytest.mark.django_db

ACCESS_LOG_URLS = ["family_access_log", "family_access_log_export"]
REFUSED = ["hv", "other_hv", "hv_b", "team_lead_b", "admin_user", "no_role_user"]


@pytest.fixture
def family(team_a, hv):
    return FamilyFactory(team=team_a, named_hv=hv, name="Ashworth")


def read_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("actor", REFUSED)
@pytest.mark.parametrize("name", ACCESS_LOG_URLS)
def test_only_the_team_lead_of_the_familys_team_may_see_who_opened_it(
    sign_in, request, family, actor, name
):
    sign_in(request.getfixturevalue(actor)).get(reverse("family_detail", args=[family.pk]))
    response = sign_in(request.getfixturevalue(actor)).get(reverse(name, args=[family.pk]))
    assert response.status_code == 404
    assert not AccessLog.objects.filter(object_id=str(family.pk), action="export").exists()


def test_the_report_lists_who_opened_the_record_and_how_newest_first(
    sign_in, family, hv, other_hv, team_lead
):
    sign_in(hv).get(reverse("family_detail", args=[family.pk]))
    sign_in(other_hv).get(reverse("family_update", args=[family.pk]))
    sign_in(hv).get(reverse("home"))  # the caseload lists the family
    response = sign_in(team_lead).get(reverse("family_access_log", args=[family.pk]))
    assert response.status_code == 200
    rows = [(row.username, row.action, row.page) for row in response.context["rows"]]
    assert rows == [
        ("hv.a", "Listed", "home"),
        ("hv.a2", "Opened a form", "family update"),
        ("hv.a", "Viewed", "family detail"),
    ]
    html = response.content.decode()
    assert "Who opened this record" in html
    assert reverse("family_access_log_export", args=[family.pk]) in html


def test_another_familys_accesses_are_not_in_the_report(sign_in, family, hv, team_lead, team_a):
    other = FamilyFactory(team=team_a, name="Brook")
    sign_in(hv).get(reverse("family_detail", args=[other.pk]))
    response = sign_in(team_lead).get(reverse("family_access_log", args=[family.pk]))
    assert response.context["rows"] == []


def test_the_download_has_every_access_and_is_itself_logged(sign_in, family, hv, team_lead):
    sign_in(hv).get(reverse("family_detail", args=[family.pk]))
    client = sign_in(team_lead)
    client.get(reverse("family_access_log", args=[family.pk]))
    response = client.get(reverse("family_access_log_export", args=[family.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    header, *body = read_csv(response)
    assert header == ["When", "Who", "Username", "Role", "What they did", "Record", "Page"]
    assert [(row[2], row[4], row[5]) for row in body] == [
        ("lead.a", "Viewed", "Family"),
        ("hv.a", "Viewed", "Family"),
    ]
    export = AccessLog.objects.latest("pk")
    assert (export.user, export.action) == (team_lead, AccessLog.Action.EXPORT)
    assert (export.object_type, export.object_id) == ("conversations.family", str(family.pk))
    assert export.family_ids == [family.pk]


def test_a_name_that_looks_like_a_formula_is_kept_as_text(sign_in, family, team_lead, hv):
    hv.first_name = "=HYPERLINK"
    hv.save()
    sign_in(hv).get(reverse("family_detail", args=[family.pk]))
    response = sign_in(team_lead).get(reverse("family_access_log_export", args=[family.pk]))
    _, *body = read_csv(response)
    assert body[0][1].startswith("'=HYPERLINK")


def test_the_family_page_links_to_the_report_for_team_leads_only(sign_in, family, hv, team_lead):
    link = reverse("family_access_log", args=[family.pk])
    assert (
        link in sign_in(team_lead).get(reverse("family_detail", args=[family.pk])).content.decode()
    )
    assert link not in sign_in(hv).get(reverse("family_detail", args=[family.pk])).content.decode()
