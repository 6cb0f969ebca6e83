"""The dashboard page and its CSV exports: who may see them, what they hold, what is logged."""

import csv
import datetime
import io
import itertools
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from attachment_app.audit.models import AccessLog
from attachment_app.charts import BAR_LABEL_RIGHT
from referrals.dashboard import Figure, Period

from . import test_dashboard_data as data

frozen_now = data.frozen_now
world = data.world

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("dashboard")
REFERRAL_LIST = reverse("dashboard_referral_list_export")
FIGURE_SLUGS = [
    "conversations",
    "consent",
    "concerns",
    "instruments",
    "urgent",
    "funnel",
    "stage-times",
    "services",
    "evidence",
    "workload",
]
#: Free text the fixture writes into notes, reasons and purposes: never in an export.
FREE_TEXT = ["free text", "Free text", "Called the GP", "Weigh the baby", "Please add"]


def figure_url(slug):
    return reverse("dashboard_figure_export", args=[slug])


def read_csv(response):
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    return text, list(csv.reader(io.StringIO(text)))


def signed_in(client, user):
    client.force_login(user)
    return client


# --- Who may see it -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin_user", "no_role_user"])
@pytest.mark.parametrize(
    "url", [DASHBOARD, REFERRAL_LIST, reverse("dashboard_figure_export", args=["consent"])]
)
def test_admins_and_users_without_a_role_get_not_found(client, request, role, url):
    signed_in(client, request.getfixturevalue(role))
    assert client.get(url).status_code == 404
    assert not AccessLog.objects.exists()


def test_signed_out_users_are_sent_to_sign_in(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]


def test_an_unknown_figure_is_not_found(client, team_lead):
    signed_in(client, team_lead)
    assert client.get(figure_url("names")).status_code == 404


def test_home_links_to_the_team_dashboard_or_the_hvs_own_figures(client, team_lead, hv):
    signed_in(client, team_lead)
    assert f'href="{DASHBOARD}">Team dashboard' in client.get(reverse("home")).content.decode()
    signed_in(client, hv)
    page = client.get(reverse("home")).content.decode()
    assert f'href="{DASHBOARD}">Your caseload\'s figures' in page


# --- The page -------------------------------------------------------------------------------------


def test_team_lead_sees_their_teams_attention_list_and_figures(client, world, team_lead):
    page = signed_in(client, team_lead).get(DASHBOARD).content.decode()
    assert "<h1>Team dashboard</h1>" in page
    assert "Figures for 1 January 2026 to 31 March 2026" in page
    for family in ("Ashworth", "Brook", "Carver"):
        assert f"{family} family" in page
    # Team B's family and its records never appear.
    assert "Elm" not in page
    assert "Domestic abuse" not in page
    assert reverse("referral_detail", args=[world.referrals.other_team.pk]) not in page
    assert reverse("referral_detail", args=[world.referrals.awaiting.pk]) in page
    assert reverse("concern_acknowledge", args=[world.waiting_concern.pk]) in page


def test_every_chart_has_a_title_a_description_and_a_table(client, world, team_lead):
    page = signed_in(client, team_lead).get(DASHBOARD).content.decode()
    charts = page.count('<svg class="nhsuk-u-margin-bottom-3"')
    # Every figure but two short tables: urgent concerns and the time between stages.
    assert charts == 8
    assert page.count('role="img" aria-labelledby="chart-') == charts
    assert page.count('<desc id="chart-') == charts
    assert page.count("The table after the chart gives every figure.") == charts
    # No style attribute anywhere: the CSP would block it.
    assert " style=" not in page


def test_the_contents_list_links_to_every_section_and_figure(client, world, team_lead):
    page = signed_in(client, team_lead).get(DASHBOARD).content.decode()
    contents = re.search(r'<nav class="nhsuk-contents-list".*?</nav>', page, re.S).group(0)
    targets = re.findall(r'class="nhsuk-contents-list__link" href="#([\w-]+)"', contents)
    assert targets[:2] == ["attention", "figures"]
    assert targets[-2:] == ["service-replies", "referral-list"]
    assert targets[2:-2] == [f"figure-{slug}" for slug in FIGURE_SLUGS]
    for target in targets:
        assert page.count(f'id="{target}"') == 1, target


def test_chart_labels_are_wrapped_whole_never_cut_short():
    period = Period(datetime.date(2026, 4, 1), datetime.date(2026, 4, 30))
    long_name = "Parent-infant relationship service for families in the north of the city"
    figure = Figure(
        slug="services",
        title="Referrals by service",
        columns=["Service", "Referrals"],
        rows=[[long_name, 3], ["Short", 1], ["Baby Buddy", 0]],
        chart_columns=[1],
    ).draw(period)
    rows = figure.chart.rows
    assert [" ".join(line for line, _ in row.lines) for row in rows] == [
        long_name,
        "Short",
        "Baby Buddy",
    ]
    assert len(rows[0].lines) == 3
    baselines = [y for row in rows for _, y in row.lines]
    # Every line has a baseline of its own, one under the other, and fits left of the bars.
    assert baselines == sorted(baselines)
    assert all(later - earlier >= 16 for earlier, later in itertools.pairwise(baselines))
    assert all(len(line) * 7.5 <= BAR_LABEL_RIGHT for row in rows for line, _ in row.lines)
    # Each row's bar sits beside its label, and rows do not overlap.
    for row, following in itertools.pairwise(rows):
        assert row.bars[0].y + row.bars[0].height < following.bars[0].y
        assert row.lines[-1][1] < following.lines[0][1]
    assert figure.chart.height > rows[-1].lines[-1][1]


def test_the_page_never_shortens_a_chart_label(client, world, team_lead):
    page = signed_in(client, team_lead).get(DASHBOARD).content.decode()
    for svg in re.findall(r"<svg.*?</svg>", page, re.S):
        assert "\u2026" not in svg


def test_hv_sees_only_their_caseload(client, world, hv):
    page = signed_in(client, hv).get(DASHBOARD).content.decode()
    assert "<h1>Your caseload dashboard</h1>" in page
    assert "the families on your caseload" in page
    assert "Ashworth family" in page
    assert "Carver family" not in page
    assert "Elm" not in page


def test_a_period_can_be_chosen_and_a_wrong_one_is_explained(client, world, team_lead):
    signed_in(client, team_lead)
    page = client.get(DASHBOARD, {"period": "12"}).content.decode()
    assert "Figures for 1 April 2025 to 31 March 2026" in page
    page = client.get(
        DASHBOARD,
        {
            "period": "custom",
            **{"start_day": "5", "start_month": "3", "start_year": "2026"},
            **{"end_day": "1", "end_month": "3", "end_year": "2026"},
        },
    ).content.decode()
    assert "There is a problem" in page
    assert "The end date must be the same as or after the start date" in page
    assert "<title>Error: " in page


def test_export_links_keep_the_period(client, world, team_lead):
    page = signed_in(client, team_lead).get(DASHBOARD, {"period": "1"}).content.decode()
    assert f'href="{figure_url("consent")}?period=1"' in page
    assert '<input type="hidden" name="period" value="1">' in page


def test_only_team_leads_are_offered_nhs_numbers(client, world, team_lead, hv):
    assert 'name="nhs_numbers"' in signed_in(client, team_lead).get(DASHBOARD).content.decode()
    assert 'name="nhs_numbers"' not in signed_in(client, hv).get(DASHBOARD).content.decode()


# --- Exports -------------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", FIGURE_SLUGS)
def test_each_figure_exports_its_table_and_is_logged(client, world, team_lead, slug):
    response = signed_in(client, team_lead).get(figure_url(slug))
    assert response.status_code == 200
    text, rows = read_csv(response)
    figure = data_figure(team_lead, slug)
    assert rows[0] == figure.columns
    assert rows[1:] == [[str(cell) for cell in row] for row in figure.rows]
    assert not any(words in text for words in FREE_TEXT)
    log = AccessLog.objects.get()
    assert (log.user, log.action) == (team_lead, AccessLog.Action.EXPORT)
    assert (log.object_type, log.object_id) == ("accounts.team", str(team_lead.team_id))
    assert log.detail == f"Dashboard figure {slug}, team, 2026-01-01 to 2026-03-31"


def data_figure(user, slug):
    from referrals import dashboard

    return dashboard.figure(
        slug,
        user=user,
        period=dashboard.Period(data.d(2026, 1, 1), data.d(2026, 3, 31)),
        today=data.d(2026, 3, 31),
    )


def test_consent_export_rows(client, world, team_lead):
    _, rows = read_csv(signed_in(client, team_lead).get(figure_url("consent")))
    assert rows == [
        ["Consent", "Conversations", "Share"],
        ["Consent given", "1", "25%"],
        ["Declined", "1", "25%"],
        ["Deferred to a later contact", "1", "25%"],
        ["Consent withdrawn", "0", "0%"],
        ["Not yet asked", "1", "25%"],
    ]


def test_referral_list_has_the_periods_referrals_and_no_free_text(client, world, team_lead):
    text, rows = read_csv(signed_in(client, team_lead).get(REFERRAL_LIST))
    header, body = rows[0], rows[1:]
    assert header == [
        "Referral ID",
        "Family ID",
        "Named health visitor",
        "Service",
        "Organisation",
        "Urgency",
        "Status",
        "Sharing basis",
        "Created",
        "First submitted",
        "Sent",
        "Acknowledged",
        "Accepted",
        "Declined",
        "Completed",
        "Withdrawn",
    ]
    referrals = world.referrals
    expected = [referrals.completed, referrals.declined, referrals.late, referrals.awaiting]
    expected.append(referrals.withdrawn)
    assert sorted(int(row[0]) for row in body) == sorted(r.pk for r in expected)
    assert not any(words in text for words in FREE_TEXT)
    assert "9990000018" not in text
    completed = next(row for row in body if row[0] == str(referrals.completed.pk))
    assert completed[6] == "completed"
    assert completed[9:16] == [
        "2026-01-06 09:00",
        "2026-01-08 09:00",
        "2026-01-12 09:00",
        "2026-01-20 09:00",
        "",
        "2026-03-01 09:00",
        "",
    ]
    log = AccessLog.objects.get()
    assert log.detail == "Dashboard referral list, team, 2026-01-01 to 2026-03-31"


def test_nhs_numbers_only_when_a_team_lead_ticks_the_box(client, world, team_lead):
    _, rows = read_csv(signed_in(client, team_lead).get(REFERRAL_LIST, {"nhs_numbers": "on"}))
    assert rows[0][-1] == "Babies' NHS numbers"
    by_id = {row[0]: row[-1] for row in rows[1:]}
    assert by_id[str(world.referrals.completed.pk)] == "9990000018"
    assert by_id[str(world.referrals.late.pk)] == ""
    log = AccessLog.objects.get()
    assert log.detail == (
        "Dashboard referral list with NHS numbers, team, 2026-01-01 to 2026-03-31"
    )


def test_an_hv_cannot_add_nhs_numbers_and_gets_only_their_caseloads_referrals(client, world, hv):
    text, rows = read_csv(signed_in(client, hv).get(REFERRAL_LIST, {"nhs_numbers": "on"}))
    assert "Babies' NHS numbers" not in rows[0]
    assert "9990000018" not in text
    referrals = world.referrals
    assert sorted(int(row[0]) for row in rows[1:]) == sorted(
        [referrals.completed.pk, referrals.declined.pk, referrals.awaiting.pk]
    )
    log = AccessLog.objects.get()
    assert (log.user, log.action) == (hv, AccessLog.Action.EXPORT)
    assert log.detail == "Dashboard referral list, own caseload, 2026-01-01 to 2026-03-31"


def test_another_teams_lead_exports_none_of_this_teams_records(client, world, team_lead_b):
    signed_in(client, team_lead_b)
    _, rows = read_csv(client.get(REFERRAL_LIST, {"nhs_numbers": "on"}))
    assert [int(row[0]) for row in rows[1:]] == [world.referrals.other_team.pk]
    _, rows = read_csv(client.get(figure_url("workload")))
    assert [row[0] for row in rows[1:]] == [world.families.elm.named_hv.get_full_name()]
    _, rows = read_csv(client.get(figure_url("funnel")))
    assert rows[1] == ["Submitted (or sent urgently)", "1"]


def test_an_export_for_an_invalid_period_is_refused_and_not_logged(client, world, team_lead):
    signed_in(client, team_lead)
    response = client.get(
        figure_url("consent"),
        {"period": "custom", "start_day": "40", "start_month": "1", "start_year": "2026"},
    )
    assert response.status_code == 400
    assert not AccessLog.objects.exists()


def test_exported_cells_never_start_a_formula(client, world, team_lead):
    from tests.factories_referrals import ServiceFactory

    world.referrals.late.service = ServiceFactory(name='=HYPERLINK("x")')
    world.referrals.late.save(update_fields=["service"])
    _, rows = read_csv(signed_in(client, team_lead).get(REFERRAL_LIST))
    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("x")' in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


def test_team_lead_sees_unread_reminders_by_health_visitor_and_hv_only_their_own(
    client, team_a, hv, other_hv, team_lead
):
    from attachment_app.reminders.models import Notification, Reminder

    now = timezone.now()
    for n, person in enumerate([hv, hv, other_hv]):
        reminder = Reminder.objects.create(
            rule="referral.review", subject_type="referrals.referral", subject_id=n, due_at=now
        )
        Notification.objects.create(reminder=reminder, recipient=person, title="t", link="/")
    read = Notification.objects.filter(recipient=other_hv).update(read_at=now)
    assert read == 1

    client.force_login(team_lead)
    rows = client.get(reverse("dashboard")).context["attention"]["reminders_by_hv"]
    assert [(row["username"], row["unread"]) for row in rows] == [("hv.a", 2)]

    client.force_login(other_hv)
    assert client.get(reverse("dashboard")).context["attention"]["reminders_by_hv"] == []


def test_nhs_numbers_ask_for_the_second_factor_again_after_fifteen_minutes(
    client, world, team_lead
):
    import time

    from tests.signin import mark_second_factor_passed

    client.force_login(team_lead)
    mark_second_factor_passed(client, team_lead, at=time.time() - 16 * 60)
    response = client.get(REFERRAL_LIST, {"nhs_numbers": "on"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert not AccessLog.objects.exists()
    # Without NHS numbers the export needs nothing more.
    assert client.get(REFERRAL_LIST).status_code == 200
