"""Where services' replies to referrals are shown: the service page for a family, the list of
services for a family, and the dashboard; what each says, whose referrals it counts, and that
none gains queries with more services or referrals.

The referrals are those of ``test_response_figures`` (counted by hand there), seen on Monday
1 February 2027 at midday.
"""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from referrals.dashboard import SERVICES_LISTED
from referrals.models import Service
from referrals.response_figures import ServiceRecords
from referrals.templatetags.service_replies import service_replies as replies_line
from tests.factories import BabyFactory, FamilyFactory
from tests.factories_referrals import ServiceFactory
from tests.reminders.conftest import at

from . import test_response_figures as figures

pytestmark = pytest.mark.django_db

services = figures.services
NOW = figures.NOW
COUNTED_LINE = (
    "Usually acknowledges in 1 working day and decides in 3; accepted 3 of the 5 it decided "
    "(60%). Based on 7 referrals from all teams in the last 12 months."
)
NOT_ENOUGH_LINE = "Not enough referrals yet to show how quickly it replies."


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def family_b(team_b, hv_b):
    family = FamilyFactory(team=team_b, named_hv=hv_b, name="Brightwater", postcode="LS1 4AP")
    BabyFactory(family=family)
    return family


def service_page(client, user, family, service):
    client.force_login(user)
    response = client.get(reverse("family_service_detail", args=[family.pk, service.pk]))
    assert response.status_code == 200
    return response.content.decode()


def section(page: str, heading: str) -> str:
    """The page from ``heading`` to the next heading of its level or above."""
    start = page.index(heading)
    following = re.search(r"<h[12][ >]", page[start + len(heading) :])
    return page[start : start + len(heading) + following.start()] if following else page[start:]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


# --- The service page ----------------------------------------------------------------------


def test_service_page_shows_how_the_service_replies(client, services, family, hv):
    counted, _, _ = services
    replies = text(section(service_page(client, hv, family, counted), "How it replies to"))
    assert "Referrals in the last 12 months 7, from all teams" in replies
    assert "Usually acknowledges In 1 working day" in replies
    assert "Usually decides In 3 working days" in replies
    assert "Accepted 3 of the 5 it decided (60%)" in replies
    assert "Not enough referrals yet" not in replies


def test_service_page_with_too_few_referrals_says_there_are_not_enough(
    client, services, family, hv
):
    _, few, _ = services
    replies = text(section(service_page(client, hv, family, few), "How it replies to"))
    assert (
        "Not enough referrals yet to show how quickly it replies: fewer than 5 from all teams "
        "in the last 12 months." in replies
    )
    assert "Usually acknowledges" not in replies.split("How these figures")[0]


def test_service_page_counts_other_teams_referrals_but_names_none_of_their_families(
    client, services, family_b, hv_b
):
    counted, _, _ = services
    page = service_page(client, hv_b, family_b, counted)
    # Team B made one of the seven referrals; the record is the service's, so all seven count.
    assert "7, from all teams" in page
    for name in counted.referrals.exclude(family__team=family_b.team).values_list(
        "family__name", flat=True
    ):
        assert name not in page


def test_a_listed_signposting_only_service_without_referrals_gets_no_line():
    signposting = Service(pk=1, accepts_referrals=False)
    assert replies_line(ServiceRecords(), signposting)["shown"] is False
    referable = Service(pk=1, accepts_referrals=True)
    shown = replies_line(ServiceRecords(), referable)
    assert shown["shown"] is True
    assert shown["record"].summary == NOT_ENOUGH_LINE


def test_service_page_query_count_does_not_grow_with_referrals(client, family, hv, team_b):
    service = ServiceFactory(name="Growing")
    other_family = FamilyFactory(team=team_b)
    counts = []
    for first, last in [(0, 2), (2, 30)]:
        for n in range(first, last):
            figures.sent_referral(
                service,
                other_family,
                at(2027, 1, 4, 10, 0) + datetime.timedelta(hours=n),
                [("acknowledged", at(2027, 1, 6, 10, 0)), ("accepted", at(2027, 1, 8, 10, 0))],
            )
        service_page(client, hv, family, service)
        with CaptureQueriesContext(connection) as queries:
            page = service_page(client, hv, family, service)
        counts.append(len(queries))
    assert "30, from all teams" in page
    assert counts[0] == counts[1]


# --- The list of services for a family -------------------------------------------------------


def test_services_list_gives_each_service_its_line(client, services, family, hv, concern):
    counted, few, _ = services
    suggested = ServiceFactory(name="Suggested", terms=["perinatal-mental-health"])
    for day in range(4, 9):
        figures.sent_referral(
            suggested, family, at(2027, 1, day, 10, 0), [("declined", at(2027, 1, day, 15, 0))]
        )
    client.force_login(hv)
    page = client.get(reverse("family_services", args=[family.pk]), {"term": "e"})
    cards = {
        name: text(card)
        for card in re.findall(
            r'<div class="nhsuk-card">.*?</div>\s*</div>', page.content.decode(), re.S
        )
        for name in [counted.name, few.name, suggested.name]
        if f">{name}</a>" in card
    }
    assert COUNTED_LINE in cards[counted.name]
    assert NOT_ENOUGH_LINE in cards[few.name]
    assert (
        "Usually acknowledges on the same working day and decides on the same working day; "
        "accepted 0 of the 5 it decided (0%)." in cards[suggested.name]
    )


def test_services_list_query_count_does_not_grow_with_services_and_referrals(
    client, family, hv, concern, team_b
):
    other_family = FamilyFactory(team=team_b)
    client.force_login(hv)
    url = reverse("family_services", args=[family.pk])
    counts = []
    for first, last in [(0, 3), (3, 30)]:
        for n in range(first, last):
            service = ServiceFactory(name=f"Listed {n:02d}", terms=["perinatal-mental-health"])
            for hour in range(n % 4 + 1):
                figures.sent_referral(
                    service,
                    other_family,
                    at(2027, 1, 11, 9 + hour, 0),
                    [("acknowledged", at(2027, 1, 12, 10, 0))],
                )
        client.get(url, {"term": "Listed"})
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"term": "Listed"})
        assert len(response.context["replies"]) == min(last, 20)  # a page of search results
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- The dashboard ---------------------------------------------------------------------------


def replies_table(client, **query) -> tuple[str, list[list[str]]]:
    """The dashboard's "How services reply" section, and its table's rows as text."""
    response = client.get(reverse("dashboard"), query)
    assert response.status_code == 200
    found = section(response.content.decode(), '<h2 id="service-replies">')
    body = found.split('<tbody class="nhsuk-table__body">')[1] if "<tbody" in found else ""
    rows = [
        [text(cell) for cell in re.findall(r"<span>(.*?)</span>", row, re.S)]
        for row in re.findall(r'<tr class="nhsuk-table__row" role="row">(.*?)</tr>', body, re.S)
    ]
    return found, rows


def test_dashboard_lists_the_services_the_team_referred_to_with_their_records(
    client, services, team_lead
):
    client.force_login(team_lead)
    found, rows = replies_table(client)
    assert "How services reply" in found
    # Team A's referrals of the period: six to Counted (the seventh of its record is team B's),
    # four to Few. The figures are each service's own, from all teams.
    assert rows == [
        ["Counted", "7", "1", "3", "60% (3 of 5)"],
        ["Few", "4", *["Not enough referrals yet"] * 3],
    ]


def test_dashboard_for_another_team_lists_only_the_services_it_referred_to(
    client, services, team_lead_b
):
    client.force_login(team_lead_b)
    _, rows = replies_table(client)
    # Team B's one referral went to Counted; the figures are still the service's, all teams'.
    assert rows == [["Counted", "7", "1", "3", "60% (3 of 5)"]]


def test_a_health_visitors_dashboard_lists_the_services_their_families_were_referred_to(
    client, services, hv, team_a
):
    _, few, _ = services
    own = FamilyFactory(team=team_a, named_hv=hv)
    figures.sent_referral(few, own, at(2027, 1, 26, 10, 0), [])
    client.force_login(hv)
    _, rows = replies_table(client)
    assert rows == [["Few", "5", "0", "None decided yet", "None decided yet"]]


def test_dashboard_says_when_the_period_sent_no_referral(client, team_lead):
    client.force_login(team_lead)
    found, rows = replies_table(client)
    assert rows == []
    assert "No referral was submitted or sent in this period." in found


def test_dashboard_lists_at_most_the_services_referred_to_most(client, team_lead, team_a):
    family = FamilyFactory(team=team_a)
    busiest = ServiceFactory(name="Zebra Busiest")
    for hour in range(3):
        figures.sent_referral(busiest, family, at(2027, 1, 25, 9 + hour, 0), [])
    for n in range(SERVICES_LISTED + 1):
        figures.sent_referral(
            ServiceFactory(name=f"Service {n:02d}"), family, at(2027, 1, 25, 9, 0), []
        )
    client.force_login(team_lead)
    found, rows = replies_table(client)
    assert len(rows) == SERVICES_LISTED
    assert rows[0][0] == "Zebra Busiest"
    assert [row[0] for row in rows[1:]] == [f"Service {n:02d}" for n in range(SERVICES_LISTED - 1)]
    assert "And 2 more services with fewer referrals in the period" in text(found)


def test_dashboard_query_count_does_not_grow_with_services_and_referrals(
    client, team_lead, team_a, team_b
):
    family = FamilyFactory(team=team_a)
    other_family = FamilyFactory(team=team_b)
    client.force_login(team_lead)
    counts = []
    for first, last in [(0, 2), (2, SERVICES_LISTED + 5)]:
        for n in range(first, last):
            service = ServiceFactory(name=f"Referred {n:02d}")
            figures.sent_referral(
                service, family, at(2027, 1, 18, 10, 0), [("accepted", at(2027, 1, 19, 10, 0))]
            )
            for hour in range(n % 6):
                figures.sent_referral(
                    service,
                    other_family,
                    at(2027, 1, 11, 9 + hour, 0),
                    [("acknowledged", at(2027, 1, 12, 10, 0))],
                )
        replies_table(client)
        with CaptureQueriesContext(connection) as queries:
            _, rows = replies_table(client)
        counts.append(len(queries))
    assert len(rows) == SERVICES_LISTED
    assert counts[0] == counts[1]
