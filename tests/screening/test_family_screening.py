"""Step 2 on the family page (results and chart, concerns, strengths) and on the home page."""

import copy
import itertools
import re
from datetime import timedelta

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from attachment_app.charts import BAND_CHART_BOTTOM as CHART_BOTTOM
from attachment_app.charts import BAND_CHART_TOP as CHART_TOP
from screening import engine, services
from screening.models import (
    Concern,
    ConcernCategory,
    InstrumentDefinition,
    Observation,
    ScreeningResult,
)
from screening.selectors_family import (
    family_screening,
    result_chart,
    urgent_concerns_for_home,
)
from tests.factories import ContactFactory, FamilyFactory

pytestmark = pytest.mark.django_db

HOME = "/"


@pytest.fixture
def definitions():
    services.instrument_definitions_load_shipped()


@pytest.fixture
def family(team_a, hv):
    return FamilyFactory(team=team_a, name="Adeyemi", named_hv=hv)


def definition(code: str) -> InstrumentDefinition:
    return InstrumentDefinition.objects.get(code=code, version=1)


def band_of(row: InstrumentDefinition, total: int) -> str:
    loaded = engine.load_definition(row.definition)
    return next(band.label for band in loaded.bands if band.min <= total <= band.max)


def result(family, code, total, *, days_ago=0, positive=None, **fields):
    """A stored result (rows built directly: scoring is the services' tests' business)."""
    row = definition(code)
    contact = ContactFactory(
        family=family, contact_date=timezone.localdate() - timedelta(days=days_ago)
    )
    return ScreeningResult.objects.create(
        family=family,
        contact=contact,
        definition=row,
        total=total,
        band=band_of(row, total) if total is not None else fields.pop("band", ""),
        positive=positive,
        recorded_by=contact.recorded_by,
        **fields,
    )


def concern(family, category="parental_mental_health", **fields):
    return Concern.objects.create(
        family=family,
        category=ConcernCategory.objects.get(code=category),
        severity=fields.pop("severity", Concern.Severity.HIGH),
        raised_by=fields.pop("raised_by", None) or family.named_hv,
        **fields,
    )


def observation(family, kind, text, tags=()):
    contact = ContactFactory(family=family)
    return Observation.objects.create(
        family=family,
        contact=contact,
        kind=kind,
        text=text,
        tags=list(tags),
        recorded_by=contact.recorded_by,
    )


def url_exists(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def family_page(client, family):
    return client.get(reverse("family_detail", args=[family.pk]))


# --- Results and chart ------------------------------------------------------------------------


def test_family_page_lists_current_results_per_instrument_oldest_first(
    hv_client, family, definitions
):
    first = result(family, "phq9", 12, days_ago=60, positive=True)
    result(family, "phq9", 4, days_ago=30, positive=False)
    wrong = result(family, "gad7", 3, days_ago=20, positive=False)
    result(
        family,
        "gad7",
        11,
        days_ago=20,
        positive=True,
        supersedes=wrong,
        correction_reason="Item 4 was misread",
    )
    response = family_page(hv_client, family)
    instruments = response.context["screening"].instruments
    # In the order the instruments are offered (NICE CG192's), not by name.
    assert [i.name for i in instruments] == ["PHQ-9", "GAD-7"]
    assert [r.total for r in instruments[0].results] == [12, 4]
    assert [r.total for r in instruments[1].results] == [11]  # the correction only
    html = response.content.decode()
    assert "<h2>Screening results</h2>" in html
    assert first.contact.contact_date.strftime("%-d %B %Y") in html
    assert "Moderate" in html
    assert "Minimal" in html
    assert "Positive" in html
    assert "Negative" in html
    assert "Corrected" in html


def test_result_links_to_its_page_once_that_page_exists(hv_client, family, definitions):
    stored = result(family, "phq9", 4, positive=False)
    html = family_page(hv_client, family).content.decode()
    detail = url_exists("screening_result_detail", stored.pk)
    assert (detail is not None) == (f'href="{detail}"' in html)


def test_result_only_instrument_is_listed_without_a_chart(hv_client, family, definitions):
    result(family, "kips", None, band="High (4.0 to 5.0)", answers={"score": "4.25"})
    instrument = family_page(hv_client, family).context["screening"].instruments[0]
    assert instrument.name == "KIPS"
    assert instrument.chart is None


def test_chart_draws_totals_with_band_thresholds_and_a_text_alternative(
    hv_client, family, definitions
):
    for days_ago, total in [(90, 14), (60, 11), (30, 6)]:
        result(family, "epds", total, days_ago=days_ago, positive=total >= 10)
    html = family_page(hv_client, family).content.decode()
    svg = re.search(r"<svg[^>]*chart-epds[^>]*>.*?</svg>", html, re.S).group(0)
    assert 'aria-labelledby="chart-epds-title chart-epds-desc"' in svg
    assert '<title id="chart-epds-title">EPDS totals over time</title>' in svg
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S).group(1)
    assert "3 contacts" in desc
    assert "the latest is 6 (Below threshold)" in desc
    assert "at 10, 13" in desc
    # One dashed line where each band after the first starts, labelled with the band.
    assert svg.count('stroke-dasharray="6 4"') == 2
    assert "Possible depression" in svg
    assert "Probable depression" in svg
    assert svg.count("<circle") == 3
    # Presentation attributes only: the CSP forbids style attributes and <style>.
    assert "style=" not in svg
    assert "<style" not in html
    # The same results as a table.
    assert "EPDS results at each contact, oldest first" in html


def test_chart_geometry_follows_the_range_of_totals(family, definitions):
    epds = engine.load_definition(definition("epds").definition)
    rows = [result(family, "epds", 0, days_ago=9), result(family, "epds", 30, days_ago=1)]
    chart = result_chart(epds, rows)
    assert [p.y for p in chart.points] == [CHART_BOTTOM, CHART_TOP]
    assert chart.points[0].x < chart.points[1].x
    at_10 = CHART_BOTTOM - 10 / 30 * (CHART_BOTTOM - CHART_TOP)
    assert [t.value for t in chart.thresholds] == [10, 13]
    assert chart.thresholds[0].y == pytest.approx(at_10, abs=0.1)
    single = result_chart(epds, rows[:1])
    assert single.points[0].x == (single.left + single.right) / 2
    assert result_chart(epds, []) is None


ITEM_INSTRUMENTS = ["epds", "phq9", "gad7", "gad2", "phq2", "whooley"]
#: 14-unit text: its capitals rise about 10 units above the baseline, descenders 4 below.
ASCENT, DESCENT = 10, 4


def assert_names_inside_their_bands(chart, definition):
    bands = chart.bands
    assert [band.label for band in bands] == [band.label for band in definition.bands]
    # The strips tile the plot from its bottom to its top, lowest band first.
    assert bands[0].bottom == chart.bottom
    assert bands[-1].top == chart.top
    for lower, upper in itertools.pairwise(bands):
        assert upper.bottom == lower.top
    for band in bands:
        assert " ".join(band.lines) == band.label  # the whole name, never cut short
        for line, y in band.line_ys:
            assert band.top <= y - ASCENT, (band.label, line)
            assert y + DESCENT <= band.bottom, (band.label, line)
            assert chart.band_x + len(line) * 7.5 <= chart.width, line


@pytest.mark.parametrize("code", ITEM_INSTRUMENTS)
def test_band_names_sit_inside_their_bands(family, definitions, code):
    loaded = engine.load_definition(definition(code).definition)
    rows = [result(family, code, loaded.min_total, days_ago=2), result(family, code, 1)]
    assert_names_inside_their_bands(result_chart(loaded, rows), loaded)


def test_long_band_names_wrap_and_thin_bands_make_the_chart_taller(family, definitions):
    data = copy.deepcopy(definition("epds").definition)
    data["bands"][1]["label"] = "Possible depression: talk it through with the family today"
    data["bands"][2]["label"] = "Probable depression"
    loaded = engine.load_definition(data)
    chart = result_chart(loaded, [result(family, "epds", 11)])
    assert_names_inside_their_bands(chart, loaded)
    assert len(chart.bands[1].lines) == 3
    # Three lines in a band of 3 totals out of 30 need a taller plot than usual.
    assert chart.bottom > CHART_BOTTOM
    assert chart.height == chart.bottom + 32
    assert chart.points[0].y < chart.bands[1].bottom


def test_the_chart_svg_names_every_band_inside_its_strip(hv_client, family, definitions):
    for days_ago, total in [(60, 22), (30, 12), (1, 3)]:
        result(family, "phq9", total, days_ago=days_ago, positive=total >= 10)
    html = family_page(hv_client, family).content.decode()
    svg = re.search(r"<svg[^>]*>(?:(?!</svg>).)*chart-phq9.*?</svg>", html, re.S).group(0)
    strips = re.findall(
        r'<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"[^>]*/>\s*'
        r"<text[^>]*>(.*?)</text>",
        svg,
        re.S,
    )
    names = []
    for top, height, text in strips:
        lines = re.findall(r'<tspan x="[\d.]+" y="([\d.]+)">(.*?)</tspan>', text)
        for y, _ in lines:
            assert float(top) <= float(y) - ASCENT
            assert float(y) + DESCENT <= float(top) + float(height)
        names.append(" ".join(line for _, line in lines))
    assert names == ["Minimal", "Mild", "Moderate", "Moderately severe", "Severe"]
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S).group(1)
    assert "Moderately severe (15 to 19)" in desc


def test_family_with_no_step_2_records_says_so(hv_client, family):
    html = family_page(hv_client, family).content.decode()
    assert "No screening result has been recorded yet." in html
    assert "No open concern." in html
    assert "None recorded yet." in html
    assert 'role="img"' not in html.split("<h2>Screening results</h2>")[1]


# --- Concerns and observations ----------------------------------------------------------------


def test_concerns_open_and_closed_with_urgency_and_acknowledgement(
    hv_client, hv, family, definitions
):
    waiting = concern(family, urgent=True, note="Item 10 scored 2")
    concern(
        family,
        "domestic_abuse",
        urgent=True,
        acknowledged_at=timezone.now(),
        acknowledged_by=hv,
        action_taken="Discussed with parent, GP contacted same day",
    )
    concern(family, "feeding_sleep_crying", severity=Concern.Severity.LOW)
    concern(
        family,
        "safeguarding",
        severity=Concern.Severity.MODERATE,
        closed_at=timezone.now(),
        closed_by=hv,
        close_reason="Support in place",
    )
    response = family_page(hv_client, family)
    screening = response.context["screening"]
    assert len(screening.open_concerns) == 3
    assert [c.category.code for c in screening.closed_concerns] == ["safeguarding"]
    html = response.content.decode()
    concerns_html = html.split("<h2>Concerns</h2>")[1].split("<h2>")[0]
    assert concerns_html.count(">Urgent</strong>") == 2
    assert "Awaiting acknowledgement" in concerns_html
    assert "Discussed with parent, GP contacted same day" in concerns_html
    assert "Item 10 scored 2" in concerns_html
    assert "Closed concerns" in concerns_html
    acknowledge = url_exists("concern_acknowledge", waiting.pk)
    assert (acknowledge is not None) == (f'href="{acknowledge}"' in concerns_html)


def test_strengths_and_areas_of_need_with_their_tags(hv_client, family):
    observation(family, Observation.Kind.STRENGTH, "Warm, responsive play", ["play", "bonding"])
    observation(family, Observation.Kind.NEED, "Little sleep since the birth", ["sleep"])
    html = family_page(hv_client, family).content.decode()
    section = html.split("<h2>Strengths and areas of need</h2>")[1].split("<h2>")[0]
    strengths, needs = section.split("Areas of need")
    assert "Warm, responsive play" in strengths
    assert ">bonding</strong>" in strengths
    assert "Little sleep since the birth" in needs
    assert ">sleep</strong>" in needs


def test_family_screening_reads_only_what_the_user_may_see(
    hv, hv_b, admin_user, family, definitions
):
    result(family, "phq9", 4)
    concern(family, urgent=True)
    observation(family, Observation.Kind.STRENGTH, "Calm")
    own = family_screening(user=hv, family=family)["screening"]
    assert (len(own.instruments), len(own.open_concerns), len(own.strengths)) == (1, 1, 1)
    for outsider in (hv_b, admin_user):
        seen = family_screening(user=outsider, family=family)["screening"]
        assert seen.instruments == []
        assert seen.open_concerns == []
        assert seen.strengths == []


@pytest.mark.parametrize("count", [5, 50])
def test_family_page_query_count_does_not_grow_with_step_2_records(
    hv_client, family, definitions, django_assert_num_queries, count
):
    for index in range(count):
        code = ("phq9", "epds", "gad7")[index % 3]
        stored = result(family, code, index % 7, days_ago=index, positive=False)
        concern(family, urgent=bool(index % 2), source_result=stored, source_rule=f"r{index}")
        observation(family, ("strength", "need")[index % 2], f"Note {index}", ["tag"])
    url = reverse("family_detail", args=[family.pk])
    hv_client.get(url)
    # The same page as test_families_record's count (step 1, these step 2 reads, and step 3's
    # referrals, signposting and follow-ups): 21, the same for 5 or 50 of each.
    with django_assert_num_queries(21):
        response = hv_client.get(url)
    screening = response.context["screening"]
    assert sum(len(i.results) for i in screening.instruments) == count
    assert len(screening.open_concerns) == count


# --- Home page: urgent concerns awaiting acknowledgement -------------------------------------


def test_urgent_concerns_awaiting_acknowledgement_top_the_home_page(
    client, hv, team_lead, hv_b, family, team_b, definitions
):
    waiting = concern(family, urgent=True)
    concern(
        family,
        "safeguarding",
        urgent=True,
        acknowledged_at=timezone.now(),
        acknowledged_by=hv,
        action_taken="Safeguarding lead told",
    )
    concern(family, "feeding_sleep_crying", severity=Concern.Severity.LOW)
    other_team = FamilyFactory(team=team_b, name="Elsewhere")
    concern(other_team, urgent=True, raised_by=hv_b)
    for user in (hv, team_lead):
        client.force_login(user)
        response = client.get(HOME)
        assert response.context["urgent_concerns"].items == [waiting]
        html = response.content.decode()
        callout = html.split('<div class="nhsuk-warning-callout">')[1].split("</div>")[0]
        assert "Urgent concern to acknowledge" in callout
        assert f'href="{reverse("family_detail", args=[family.pk])}"' in callout
        assert "Adeyemi family" in callout
        assert "parental mental health" in callout
        assert "Elsewhere" not in html
        # Above the caseload's search and list.
        assert html.index("nhsuk-warning-callout") < html.index('name="query"')
        acknowledge = url_exists("concern_acknowledge", waiting.pk)
        assert (acknowledge is not None) == (f'href="{acknowledge}"' in callout)


def test_no_callout_once_acknowledged(client, hv, family, definitions):
    waiting = concern(family, urgent=True)
    services.concern_acknowledge(actor=hv, concern=waiting, action_taken="GP contacted same day")
    client.force_login(hv)
    response = client.get(HOME)
    assert response.context["urgent_concerns"].total == 0
    assert "nhsuk-warning-callout" not in response.content.decode()


def test_admins_and_users_without_a_role_see_no_urgent_concerns(
    client, admin_user, no_role_user, family, definitions
):
    concern(family, urgent=True)
    for user in (admin_user, no_role_user):
        found = urgent_concerns_for_home(user=user)["urgent_concerns"]
        assert (found.items, found.total) == ([], 0)
        client.force_login(user)
        assert "Adeyemi" not in client.get(HOME).content.decode()


@pytest.mark.parametrize("count", [5, 50])
def test_home_page_query_count_does_not_grow_with_urgent_concerns(
    client, hv, team_a, definitions, django_assert_num_queries, count
):
    for _ in range(count):
        family = FamilyFactory(team=team_a, named_hv=hv)
        concern(family, urgent=True, contact=ContactFactory(family=family))
    client.force_login(hv)
    client.get(HOME)
    # The caseload's count (see test_families_caseload), the urgent concerns among them.
    with django_assert_num_queries(16):
        response = client.get(HOME)
    # The oldest ten, and how many in all.
    assert len(response.context["urgent_concerns"].items) == min(count, 10)
    assert response.context["urgent_concerns"].total == count
