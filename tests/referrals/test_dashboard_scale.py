"""The dashboard's query count does not grow with the data, and ``seed_demo --scale`` fills a team.

The data comes from the scale generator itself, so the same rows that are timed at 5,000
families are counted here at 5 and 50.
"""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conversations.models import Contact, Conversation, Family
from referrals.models import Referral, ReferralEvent
from screening import services as screening_services
from screening.models import Concern, ScreeningResult
from tests.factories import HealthVisitorFactory, TeamFactory, TeamLeadFactory
from tests.factories_referrals import ServiceFactory

pytestmark = pytest.mark.django_db

TEAM = "Scale Team"


@pytest.fixture
def scale_team(db):
    team = TeamFactory(name=TEAM)
    HealthVisitorFactory(team=team, username="hv.scale.1")
    HealthVisitorFactory(team=team, username="hv.scale.2")
    lead = TeamLeadFactory(team=team, username="lead.scale")
    screening_services.instrument_definitions_load_shipped()
    ServiceFactory(name="Coaching", interventions=["abc"], response_working_days=3)
    ServiceFactory(name="Group", response_working_days=None)
    return lead


def add_families(count):
    call_command("seed_demo_scale", count, team=TEAM, stdout=io.StringIO())


def dashboard_queries(client, user, **query):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboard"), query)
    assert response.status_code == 200
    return len(queries)


def test_scale_generator_fills_a_team_with_every_kind_of_record(scale_team):
    add_families(50)
    team = scale_team.team
    assert Family.objects.filter(team=team).count() == 50
    assert Contact.objects.filter(family__team=team).exists()
    assert Conversation.objects.filter(family__team=team).exists()
    assert ScreeningResult.objects.filter(family__team=team).exists()
    assert Concern.objects.filter(family__team=team).exists()
    referrals = Referral.objects.filter(family__team=team)
    assert referrals.exists()
    # Every referral has its history, starting with its creation.
    created = ReferralEvent.objects.filter(referral__in=referrals, kind="created").count()
    assert created == referrals.count()
    # Every referral past the draft stage has at least one move recorded.
    assert not referrals.exclude(status="draft").exclude(events__kind="transition").exists()


def test_a_second_run_adds_families_numbered_on(scale_team):
    add_families(3)
    add_families(2)
    names = list(Family.objects.filter(team=scale_team.team).values_list("name", flat=True))
    assert sorted(names) == [f"Scale {n:05d}" for n in range(1, 6)]


@pytest.mark.parametrize("period", [{}, {"period": "12"}])
def test_team_lead_dashboard_query_count_does_not_grow_with_the_data(client, scale_team, period):
    add_families(5)
    few = dashboard_queries(client, scale_team, **period)
    add_families(45)
    many = dashboard_queries(client, scale_team, **period)
    assert few == many
    assert many <= 35


def test_hv_dashboard_query_count_does_not_grow_with_the_data(client, scale_team):
    hv = scale_team.team.members.filter(role="health_visitor").first()
    add_families(5)
    few = dashboard_queries(client, hv, period="12")
    add_families(45)
    assert dashboard_queries(client, hv, period="12") == few


def test_referral_list_export_query_count_does_not_grow_with_the_data(client, scale_team):
    client.force_login(scale_team)
    url = reverse("dashboard_referral_list_export")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, {"period": "12", "nhs_numbers": "on"})
            b"".join(response.streaming_content)
        return len(captured)

    add_families(5)
    few = queries()
    add_families(45)
    assert queries() == few
