"""The caseload: what a health visitor sees first, how they search it and filter it."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from attachment_app.audit.models import AccessLog
from conversations.views_families import SEARCH_SESSION_KEY
from screening.models import Concern, ConcernCategory
from tests.factories import (
    BabyFactory,
    ContactFactory,
    ConversationFactory,
    FamilyFactory,
)

HOME = reverse("home")


def family_names(response) -> list[str]:
    return [row["family"].name for row in response.context["rows"]]


@pytest.fixture
def today():
    return timezone.localdate()


def test_hv_sees_own_families_first_then_the_rest_of_the_team(client, hv, other_hv, team_a):
    FamilyFactory(team=team_a, name="Abbott", named_hv=other_hv)
    FamilyFactory(team=team_a, name="Zhou", named_hv=hv)
    FamilyFactory(team=team_a, name="Brown", named_hv=None)
    FamilyFactory(team=team_a, name="Young", named_hv=hv)
    client.force_login(hv)
    assert family_names(client.get(HOME, {"families": "team"})) == [
        "Young",
        "Zhou",
        "Abbott",
        "Brown",
    ]


def test_an_hvs_caseload_opens_on_my_families(client, hv, other_hv, team_a):
    FamilyFactory(team=team_a, name="Abbott", named_hv=other_hv)
    FamilyFactory(team=team_a, name="Zhou", named_hv=hv)
    client.force_login(hv)
    response = client.get(HOME)
    assert family_names(response) == ["Zhou"]
    html = response.content.decode()
    assert re.search(r'<input type="radio" name="families" value="mine"[^>]* checked', html)
    assert "Your families" in html


def test_a_team_leads_caseload_opens_on_the_whole_team(client, team_lead, hv, team_a):
    FamilyFactory(team=team_a, name="Abbott", named_hv=hv)
    FamilyFactory(team=team_a, name="Zhou", named_hv=team_lead)
    client.force_login(team_lead)
    response = client.get(HOME)
    assert family_names(response) == ["Zhou", "Abbott"]
    html = response.content.decode()
    assert re.search(r'<input type="radio" name="families" value="team"[^>]* checked', html)


def test_an_hv_without_families_of_their_own_is_offered_the_team(client, hv, team_a):
    FamilyFactory(team=team_a, name="Abbott", named_hv=None)
    client.force_login(hv)
    html = client.get(HOME).content.decode()
    assert "You are not the named health visitor of any family yet" in html
    assert 'href="?families=team"' in html


def test_an_hvs_search_looks_across_the_team(client, hv, other_hv, team_a):
    FamilyFactory(team=team_a, name="Kowalski", named_hv=other_hv)
    client.force_login(hv)
    assert family_names(search(client, "Kowalski")) == ["Kowalski"]
    # Unless they chose their own families.
    assert family_names(client.get(HOME, {"families": "mine"})) == []


def test_caseload_leaves_out_other_teams_families(client, hv, team_a, team_b):
    FamilyFactory(team=team_a, name="Ours")
    FamilyFactory(team=team_b, name="Theirs")
    client.force_login(hv)
    response = client.get(HOME, {"families": "team"})
    assert family_names(response) == ["Ours"]
    assert "Theirs" not in response.content.decode()


def test_admin_is_told_there_is_nothing_clinical_here(client, admin_user, team_a):
    FamilyFactory(team=team_a, name="Hidden")
    client.force_login(admin_user)
    response = client.get(HOME)
    assert response.status_code == 200
    html = response.content.decode()
    assert "nothing clinical for you here" in html
    assert "Hidden" not in html


def test_caseload_shows_babys_age_or_due_date(client, hv, team_a, today):
    family = FamilyFactory(team=team_a, name="Okoro")
    BabyFactory(family=family, name="Ada", date_of_birth=today - timedelta(weeks=7))
    BabyFactory(
        family=FamilyFactory(team=team_a, name="Patel"),
        name="",
        date_of_birth=None,
        expected_date=today + timedelta(days=20),
    )
    client.force_login(hv)
    html = client.get(HOME, {"families": "team"}).content.decode()
    assert "Ada: 7 weeks" in html
    expected = today + timedelta(days=20)
    assert f"Unborn baby: Due {expected.day} {expected:%B %Y}" in html


@pytest.mark.parametrize(
    ("opens_in", "closes_in", "tag"),
    [
        (5, 10, "Upcoming"),
        (0, 4, "Due"),
        (-10, 0, "Due"),
        (-20, -1, "Overdue"),
    ],
)
def test_next_contact_shows_its_status_from_today(
    client, hv, team_a, today, opens_in, closes_in, tag
):
    FamilyFactory(
        team=team_a,
        next_contact_type="six_to_eight_weeks",
        next_contact_opens=today + timedelta(days=opens_in),
        next_contact_closes=today + timedelta(days=closes_in),
    )
    client.force_login(hv)
    response = client.get(HOME, {"families": "team"})
    row = response.context["rows"][0]
    assert row["next_contact"].status_label == tag
    assert f'nhsuk-tag {row["next_contact"].tag_class}">{tag}<' in response.content.decode()


def test_unfinished_conversations_link_to_where_they_can_be_resumed(client, hv, team_a):
    family = FamilyFactory(team=team_a)
    in_progress = ConversationFactory(contact=ContactFactory(family=family), consent_status="given")
    ConversationFactory(contact=ContactFactory(family=family), consent_status="declined")
    ConversationFactory(
        contact=ContactFactory(family=family),
        consent_status="given",
        completed_at=timezone.now(),
    )
    client.force_login(hv)
    response = client.get(HOME, {"families": "team"})
    assert response.context["rows"][0]["unfinished"] == [in_progress]
    assert reverse("conversation_detail", args=[in_progress.pk]) in response.content.decode()


# --- Search -----------------------------------------------------------------------------------


def search(client, query, follow=True):
    return client.post(HOME, {"query": query, "action": "search"}, follow=follow)


def test_search_is_posted_kept_in_the_session_and_never_in_the_url(client, hv, team_a):
    FamilyFactory(team=team_a, name="Kowalski")
    FamilyFactory(team=team_a, name="Nakamura")
    client.force_login(hv)
    response = search(client, "Kowalski", follow=False)
    assert response.status_code == 302
    assert "Kowalski" not in response["Location"]
    assert client.session[SEARCH_SESSION_KEY] == "Kowalski"
    # The search stays in force on the caseload until it is cleared.
    assert family_names(client.get(HOME)) == ["Kowalski"]


def test_clear_search_lists_every_family_again(client, hv, team_a):
    FamilyFactory(team=team_a, name="Kowalski")
    FamilyFactory(team=team_a, name="Nakamura")
    client.force_login(hv)
    search(client, "Kowalski")
    response = client.post(f"{HOME}?families=team", {"action": "clear"}, follow=True)
    assert SEARCH_SESSION_KEY not in client.session
    assert family_names(response) == ["Kowalski", "Nakamura"]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("kowalski", ["Kowalski"]),  # any case
        ("owals", ["Kowalski"]),  # part of the name
        ("Kowalsky", ["Kowalski"]),  # misspelt: trigram similarity
        ("Zofia", ["Kowalski"]),  # the baby's name
        ("999 000 0018", ["Nakamura"]),  # the baby's NHS number, typed with spaces
        ("ls14ap", ["Kowalski"]),  # postcode, typed without its space
        ("Smith", []),
    ],
)
def test_search_by_family_or_baby_name_nhs_number_or_postcode(client, hv, team_a, query, found):
    kowalski = FamilyFactory(team=team_a, name="Kowalski", postcode="LS1 4AP")
    BabyFactory(family=kowalski, name="Zofia")
    nakamura = FamilyFactory(team=team_a, name="Nakamura", postcode="LS2 7HY")
    BabyFactory(family=nakamura, name="Hana", nhs_number="9990000018")
    client.force_login(hv)
    assert family_names(search(client, query)) == found


def test_search_finds_a_family_once_however_many_babies_match(client, hv, team_a):
    family = FamilyFactory(team=team_a, name="Twins")
    BabyFactory(family=family, name="Rosa")
    BabyFactory(family=family, name="Rosalind")
    client.force_login(hv)
    assert family_names(search(client, "Rosa")) == ["Twins"]


def test_empty_search_shows_an_error(client, hv, team_a):
    client.force_login(hv)
    response = client.post(HOME, {"query": "", "action": "search"})
    assert response.status_code == 200
    assert "Enter a name, NHS number or postcode to search for" in response.content.decode()
    assert "nhsuk-error-summary" in response.content.decode()


def test_search_keeps_the_filters_in_the_redirect(client, hv, team_a):
    client.force_login(hv)
    response = client.post(f"{HOME}?families=mine&due=on&page=2", {"query": "x"})
    assert response["Location"] == f"{HOME}?families=mine&due=on"


def test_name_search_can_use_the_trigram_index(hv, team_a):
    """The name filter is on UPPER(name), the expression the gin_trgm_ops index is built on."""
    from conversations.selectors import caseload_families

    sql = str(caseload_families(user=hv, term="Kow", today=timezone.localdate()).query)
    assert 'UPPER("conversations_family"."name") %' in sql
    assert 'UPPER("conversations_family"."name")::text LIKE' in sql or (
        'UPPER("conversations_family"."name") LIKE' in sql
    )


# --- Filters ----------------------------------------------------------------------------------


def test_my_families_filter(client, hv, other_hv, team_a):
    FamilyFactory(team=team_a, name="Mine", named_hv=hv)
    FamilyFactory(team=team_a, name="Colleague's", named_hv=other_hv)
    client.force_login(hv)
    assert family_names(client.get(HOME, {"families": "mine"})) == ["Mine"]
    assert family_names(client.get(HOME, {"families": "team"})) == ["Mine", "Colleague's"]


def test_due_or_overdue_filter(client, hv, team_a, today):
    def family(name, opens_in):
        FamilyFactory(
            team=team_a,
            name=name,
            next_contact_type="new_birth",
            next_contact_opens=today + timedelta(days=opens_in),
            next_contact_closes=today + timedelta(days=opens_in + 4),
        )

    family("Due today", 0)
    family("Overdue", -30)
    family("Upcoming", 1)
    FamilyFactory(team=team_a, name="Nothing due")
    client.force_login(hv)
    assert family_names(client.get(HOME, {"families": "team", "due": "on"})) == [
        "Due today",
        "Overdue",
    ]


def test_unknown_filter_values_fall_back_to_the_default(client, hv, team_lead, team_a):
    FamilyFactory(team=team_a, name="Anyone")
    FamilyFactory(team=team_a, name="Hers", named_hv=hv)
    client.force_login(hv)
    assert family_names(client.get(HOME, {"families": "everyone"})) == ["Hers"]
    client.force_login(team_lead)
    assert family_names(client.get(HOME, {"families": "everyone"})) == ["Anyone", "Hers"]


# --- Pages and queries ------------------------------------------------------------------------


def test_caseload_is_paginated_25_a_page_keeping_filters(client, hv, team_a):
    FamilyFactory.create_batch(30, team=team_a)
    client.force_login(hv)
    first = client.get(HOME, {"families": "team"})
    assert len(first.context["rows"]) == 25
    html = first.content.decode()
    assert "nhsuk-pagination" in html
    assert 'href="?families=team&amp;page=2"' in html
    second = client.get(HOME, {"families": "team", "page": 2})
    assert len(second.context["rows"]) == 5
    # A page number past the end shows the last page rather than an error.
    assert client.get(HOME, {"families": "team", "page": 99}).context["page"].number == 2


def make_families(team, count, hv):
    for index in range(count):
        family = FamilyFactory(team=team, named_hv=hv if index % 2 else None)
        BabyFactory(family=family)
        BabyFactory(family=family, date_of_birth=None, expected_date=timezone.localdate())
        contact = ContactFactory(family=family)
        ConversationFactory(contact=contact, consent_status="given")
        Concern.objects.create(
            family=family,
            contact=contact,
            category=ConcernCategory.objects.get(code="safeguarding"),
            severity="high",
            urgent=True,
            raised_by=contact.recorded_by,
        )


@pytest.mark.parametrize("count", [5, 50])
def test_caseload_query_count_does_not_grow_with_families(
    client, hv, team_a, django_assert_num_queries, count
):
    make_families(team_a, count, hv)
    client.force_login(hv)
    client.get(HOME)  # warm up the session
    # Session, user, whether they have a second factor, count, families, babies, unfinished
    # conversations, urgent concerns awaiting acknowledgement, referrals returned to the HV,
    # follow-ups due on the listed families, the user's team and unread notifications (for the
    # header), the access-log row naming the families listed, and the session saved again in a
    # savepoint: 16, however many families.
    with django_assert_num_queries(16):
        response = client.get(HOME, {"families": "team"})
    assert len(response.context["rows"]) == min(count, 25)


def test_caseload_query_count_is_the_same_with_a_search(
    client, hv, team_a, django_assert_num_queries
):
    make_families(team_a, 30, hv)
    client.force_login(hv)
    search(client, "Family")
    with django_assert_num_queries(16):
        client.get(HOME)


# --- Data protection: a search term never reaches a URL ---------------------------------------

URL_ATTRIBUTES = re.compile(r'(?:href|action|src|formaction)="([^"]*)"')


@pytest.mark.parametrize("role", ["hv", "team_lead"])
def test_a_search_term_never_appears_in_any_url_or_the_access_log(request, client, team_a, role):
    user = request.getfixturevalue(role)
    family = FamilyFactory(team=team_a, name="Wojciechowska", postcode="LS6 2AB")
    BabyFactory(family=family, name="Zuzanna", nhs_number="9990000018")
    client.force_login(user)
    for term in ("Wojciechowska", "Zuzanna", "999 000 0018", "LS6 2AB"):
        posted = client.post(f"{HOME}?families=team", {"query": term, "action": "search"})
        assert posted.status_code == 302
        assert term not in posted["Location"]
        shown = client.get(posted["Location"])
        assert family_names(shown) == ["Wojciechowska"]
        urls = URL_ATTRIBUTES.findall(shown.content.decode())
        assert urls, "the page has links"
        for url in urls:
            for spelling in (term, term.replace(" ", "+"), term.replace(" ", "%20")):
                assert spelling.lower() not in url.lower()
    rows = list(AccessLog.objects.filter(user=user).values())
    assert any(row["action"] == "search" and family.pk in row["family_ids"] for row in rows)
    logged = repr(rows)
    for term in ("Wojciechowska", "Zuzanna", "9990000018", "LS6"):
        assert term.lower() not in logged.lower()
