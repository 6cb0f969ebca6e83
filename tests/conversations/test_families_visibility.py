"""Team scope on every family URL that takes an id: own team allowed, everyone else a 404."""

import pytest
from django.urls import reverse

from attachment_app.audit.models import AccessLog
from conversations.models import Baby, Caregiver, Family
from tests.factories import BabyFactory, CaregiverFactory, FamilyFactory

ALLOWED = ["hv", "team_lead"]
REFUSED = ["hv_b", "team_lead_b", "admin_user", "no_role_user"]

#: (URL name, which record's id it takes). Every family URL with an id is here.
URLS = [
    ("family_detail", "family"),
    ("family_update", "family"),
    ("caregiver_create", "family"),
    ("caregiver_update", "caregiver"),
    ("baby_create", "family"),
    ("baby_update", "baby"),
    ("caregiver_entered_in_error", "caregiver"),
]
FORM_URLS = [(name, record) for name, record in URLS if name != "family_detail"]


@pytest.fixture
def records(team_a):
    family = FamilyFactory(team=team_a, name="Scoped")
    return {
        "family": family,
        "caregiver": CaregiverFactory(family=family, name="Scoped Carer"),
        "baby": BabyFactory(family=family, name="Scoped Baby"),
    }


def url_for(records, name, record):
    return reverse(name, args=[records[record].pk])


def test_every_family_url_with_an_id_is_in_the_matrix():
    from conversations import urls_families
    from tests.conversations.test_family_access_log import ACCESS_LOG_URLS

    with_ids = {p.name for p in urls_families.urlpatterns if p.pattern.converters}
    # The access report is for team leads only: its own matrix is in test_family_access_log.
    assert with_ids == {name for name, _ in URLS} | set(ACCESS_LOG_URLS)


@pytest.mark.parametrize("actor", ALLOWED)
@pytest.mark.parametrize(("name", "record"), URLS)
def test_own_team_may_open(client, request, records, actor, name, record):
    client.force_login(request.getfixturevalue(actor))
    assert client.get(url_for(records, name, record)).status_code == 200


@pytest.mark.parametrize("actor", REFUSED)
@pytest.mark.parametrize(("name", "record"), URLS)
def test_everyone_else_gets_not_found(client, request, records, actor, name, record):
    client.force_login(request.getfixturevalue(actor))
    response = client.get(url_for(records, name, record))
    assert response.status_code == 404
    assert "Scoped" not in response.content.decode()


@pytest.mark.parametrize("actor", ALLOWED)
@pytest.mark.parametrize(("name", "record"), FORM_URLS)
def test_own_team_may_post(client, request, records, actor, name, record):
    """An empty POST reaches the form (and is refused by it), so it shows the page again."""
    client.force_login(request.getfixturevalue(actor))
    response = client.post(url_for(records, name, record), {})
    assert response.status_code == 200
    assert "nhsuk-error-summary" in response.content.decode()


@pytest.mark.parametrize("actor", REFUSED)
@pytest.mark.parametrize(("name", "record"), FORM_URLS)
def test_everyone_else_cannot_post(client, request, records, actor, name, record):
    client.force_login(request.getfixturevalue(actor))
    # A POST that would be valid for the owning team still changes nothing.
    data = {
        "name": "Changed",
        "address_line_1": "1 Road",
        "postcode": "LS1 4AP",
        "relationship": "father",
        "preferred_language": "English",
        "sex": "male",
        "date_of_birth_day": "1",
        "date_of_birth_month": "1",
        "date_of_birth_year": "2025",
        "reason": "Changed",
    }
    response = client.post(url_for(records, name, record), data)
    assert response.status_code == 404
    assert not Family.objects.filter(name="Changed").exists()
    assert not Caregiver.objects.filter(name="Changed").exists()
    assert not Baby.objects.filter(name="Changed").exists()
    assert Caregiver.objects.count() == 1
    assert Baby.objects.count() == 1
    assert not Caregiver.objects.entered_in_error().exists()


def test_family_page_is_read_only(hv_client, records):
    """POST is not a way in: the family page answers it with 405 and opens nothing."""
    response = hv_client.post(reverse("family_detail", args=[records["family"].pk]))
    assert response.status_code == 405
    assert not AccessLog.objects.exists()


def test_missing_ids_are_not_found_too(hv_client):
    for name, _ in URLS:
        assert hv_client.get(reverse(name, args=[999999])).status_code == 404
