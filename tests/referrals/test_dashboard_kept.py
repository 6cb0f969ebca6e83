"""The dashboard keeps a period's figures for a few minutes; what needs attention is always read
afresh, and one team's or one health visitor's figures are never shown to another."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import FamilyFactory, HealthVisitorFactory, TeamLeadFactory
from tests.factories_referrals import ConcernFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keep_figures(settings):
    settings.DASHBOARD_FIGURES_SECONDS = 300


def _get(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def _figures(page: str) -> str:
    return page[page.index('<h2 id="figures">') : page.index('<h2 id="referral-list">')]


def test_the_figures_are_worked_out_once_and_kept_but_attention_is_read_every_time(client, world):
    first, first_queries = _get(client, world.team_lead)
    urgent_family = FamilyFactory(team=world.team, name="Zephyrine")
    ConcernFactory(family=urgent_family, raised_by=world.hv, urgent=True)
    second, second_queries = _get(client, world.team_lead)
    assert second_queries < first_queries
    assert _figures(second) == _figures(first), "the figures are the ones worked out first"
    assert "Zephyrine" not in first
    assert "Zephyrine" in second, "a new urgent concern needs attention at once"
    assert "These figures were worked out at" in second


def test_kept_figures_are_worked_out_again_after_their_time(client, world):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _, first_queries = _get(client, world.team_lead)
        _, kept_queries = _get(client, world.team_lead)
        clock.shift(timedelta(seconds=301))
        _, later_queries = _get(client, world.team_lead)
    assert kept_queries < first_queries
    assert later_queries >= first_queries, "worked out again, not read from the cache"


def test_figures_are_kept_apart_for_each_team_and_each_health_visitor(client, world, team_b):
    _, lead_queries = _get(client, world.team_lead)
    _, second_lead_queries = _get(client, world.second_lead)
    assert second_lead_queries < lead_queries, "team leads of one team share the team's figures"
    _, other_team_queries = _get(client, TeamLeadFactory(team=team_b))
    assert other_team_queries == lead_queries, "another team's lead gets their own team's"
    _, hv_queries = _get(client, world.hv)
    _, other_hv_queries = _get(client, HealthVisitorFactory(team=world.team))
    assert other_hv_queries == hv_queries, "each health visitor gets their own caseload's"
