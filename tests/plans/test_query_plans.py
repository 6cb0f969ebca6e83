"""No page's query reads a large table from end to end: each page's queries are explained by
PostgreSQL on a region of 12,000 families in 35 teams (about 120,000 contacts), and no plan may
hold a sequential scan of a table of over 10,000 rows.

At this size PostgreSQL's choice between an index and a full scan is the one it makes at a
region's size: a team is a few per cent of every table, so a scan of a whole table means a
missing or unusable index (a filter on an expression, a sort that cannot use one), not a small
table read quickly.

The dashboard is measured as it is used: its figures for a period are worked out once for the
team and kept for a few minutes (``DASHBOARD_FIGURES_SECONDS``), so the queries of each request
are those of what needs attention now. Working the figures out reads months of a team's
records through the team's families, and at this size PostgreSQL scans some whole tables to do
it; that cost falls once in five minutes for each team, not on each request.
"""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from attachment_app.accounts.models import User
from conversations.models import Family
from referrals.models import Referral
from screening.services import instrument_definitions_load_shipped
from tests.factories_referrals import ServiceFactory
from tests.signin import mark_second_factor_passed

pytestmark = pytest.mark.django_db

FAMILIES, TEAMS = 12_000, 35
#: A scan of a table with more rows than this is a finding.
LARGE = 10_000
#: Known, and not yet fixed: the caseload search looks for the term in babies' names too, and
#: PostgreSQL reads every baby of the region to find them (the trigram index on their names
#: cannot be narrowed to the team). docs/performance.md says what it would take.
KNOWN = {("search", "conversations_baby")}


@pytest.fixture
def region(db):
    instrument_definitions_load_shipped()
    for days in (None, 3, 10):
        ServiceFactory(response_working_days=days)
    call_command(
        "seed_scale",
        "--families",
        str(FAMILIES),
        "--teams",
        str(TEAMS),
        "--today",
        timezone.localdate().isoformat(),
        stdout=StringIO(),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _client(username: str) -> Client:
    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    mark_second_factor_passed(client, user)
    return client


def _large_tables() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples > %s", [LARGE]
        )
        return {row[0] for row in cursor.fetchall()}


def _scans(plan: dict) -> list[str]:
    found = []
    if plan.get("Node Type") == "Seq Scan":
        found.append(plan["Relation Name"])
    for child in plan.get("Plans", []):
        found.extend(_scans(child))
    return found


def _full_scans_of_large_tables(queries, large: set[str]) -> list[tuple[str, str]]:
    findings = []
    with connection.cursor() as cursor:
        for query in queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            for table in _scans(plan[0]["Plan"]):
                if table in large:
                    findings.append((table, sql[:300]))
    return findings


def _pages():
    """(who, how, url name, arguments) for each page a benchmark times."""
    hv = User.objects.get(username="scale.t01.hv02")
    family = (
        Family.objects.filter(named_hv=hv, referrals__isnull=False).order_by("pk").first()
        or Family.objects.filter(named_hv=hv).order_by("pk").first()
    )
    referral = Referral.objects.filter(family__team=hv.team).order_by("pk").first()
    return [
        (hv.username, "get", reverse("home"), {}),
        (hv.username, "get", reverse("home"), {"page": "8"}),
        (hv.username, "search", reverse("home"), {"query": family.name}),
        (hv.username, "get", reverse("family_detail", args=[family.pk]), {}),
        (hv.username, "get", reverse("family_services", args=[family.pk]), {}),
        (hv.username, "get", reverse("referral_detail", args=[referral.pk]), {}),
        ("scale.t01.lead", "get", reverse("home"), {"families": "team"}),
        ("scale.t01.lead", "get", reverse("referral_review_queue"), {}),
        ("scale.t01.lead", "get", reverse("dashboard"), {}),
        ("scale.t01.lead", "get", reverse("notification_list"), {}),
        (None, "get", reverse("oruk_service_list"), {"per_page": "50"}),
    ]


def test_no_page_reads_a_large_table_from_end_to_end(region, settings):
    settings.DASHBOARD_FIGURES_SECONDS = 300
    _client("scale.t01.lead").get(reverse("dashboard"))  # the figures, worked out and kept
    large = _large_tables()
    assert {"conversations_family", "conversations_contact"} <= large
    findings = []
    for who, how, url, data in _pages():
        client = _client(who) if who else Client()
        with CaptureQueriesContext(connection) as queries:
            if how == "search":
                client.post(url, data)
                response = client.get(url)
            else:
                response = client.get(url, data)
        assert response.status_code == 200, url
        findings += [
            (url, table, sql)
            for table, sql in _full_scans_of_large_tables(queries, large)
            if (how, table) not in KNOWN
        ]
    assert not findings, "\n".join(f"{url}: scan of {table}: {sql}" for url, table, sql in findings)
