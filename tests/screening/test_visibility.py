"""Team scope on every step 2 URL: own team allowed, everyone else (admins too) a 404."""

import pytest
from django.urls import reverse

from attachment_app.audit.models import AccessLog
from screening import services
from screening.models import Concern, ConcernCategory, Observation, ScreeningResult
from tests.factories import ContactFactory, ConversationFactory, FamilyFactory

ALLOWED = ["hv", "team_lead"]
REFUSED = ["hv_b", "team_lead_b", "admin_user", "no_role_user"]

#: (URL name, which record's id it takes, any further arguments). Every URL of screening.urls.
URLS = [
    ("screening_start", "contact", ()),
    ("screening_complete", "contact", ("phq9",)),
    ("screening_complete", "contact", ("kips",)),
    ("screening_result_detail", "result", ()),
    ("screening_result_correct", "result", ()),
    ("concern_create", "contact", ()),
    ("family_concern_create", "family", ()),
    ("concern_acknowledge", "concern", ()),
    ("concern_close", "open_concern", ()),
    ("observation_create", "contact", ()),
    ("screening_result_entered_in_error", "result", ()),
    ("concern_entered_in_error", "open_concern", ()),
    ("observation_entered_in_error", "observation", ()),
]

#: Lists of the team's records, with no record in the URL: their scope (another team's rows never
#: listed; admins and users without a role get a 404) is tested with them.
LIST_PAGES = {"urgent_concern_list"}  # tests/screening/test_urgent_concern_list.py

PHQ9_ITEM_9 = {f"item_{n}": "not_at_all" for n in range(1, 9)} | {
    "item_9": "nearly_every_day",
    "parent_agreed": "on",
}


def posts(records) -> dict:
    """What each form would save if the user were allowed to."""
    category = ConcernCategory.objects.get(code="safeguarding")
    return {
        "screening_start": {},
        "screening_complete": PHQ9_ITEM_9
        | {
            "assessed_on_day": "1",
            "assessed_on_month": "1",
            "assessed_on_year": "2026",
            "rater": "Leaked",
            "certification": "Leaked",
            "score": "3",
            "summary": "Leaked",
        },
        "screening_result_detail": {},
        "screening_result_correct": PHQ9_ITEM_9 | {"correction_reason": "Leaked"},
        "concern_create": {
            "category": category.pk,
            "severity": "high",
            "note": "Leaked",
            "urgent": "on",
        },
        "family_concern_create": {
            "category": category.pk,
            "severity": "high",
            "note": "Leaked",
            "urgent": "on",
        },
        "concern_acknowledge": {"action_taken": "Leaked"},
        "concern_close": {"reason": "Leaked"},
        "observation_create": {"kind": "strength", "text": "Leaked", "tags": "leaked"},
        "screening_result_entered_in_error": {"reason": "Leaked"},
        "concern_entered_in_error": {"reason": "Leaked"},
        "observation_entered_in_error": {"reason": "Leaked"},
    }


@pytest.fixture
def records(team_a, hv):
    services.instrument_definitions_load_shipped()
    family = FamilyFactory(team=team_a, name="Scoped")
    contact = ContactFactory(family=family, recorded_by=hv)
    ConversationFactory(contact=contact, consent_status="given")
    answers = dict.fromkeys([str(n) for n in range(1, 9)], "not_at_all") | {"9": "several_days"}
    result = services.screening_result_record(
        parent_agreed=True,
        actor=hv,
        contact=contact,
        definition=services.current_definition("phq9"),
        answers=answers,
    )
    open_concern = services.concern_raise(
        actor=hv,
        contact=contact,
        category=ConcernCategory.objects.get(code="feeding_sleep_crying"),
        severity="low",
        note="Scoped note",
    )
    observation = services.observation_record(
        actor=hv, contact=contact, kind="need", text="Scoped need"
    )
    return {
        "family": family,
        "contact": contact,
        "observation": observation,
        "result": result,
        "concern": Concern.objects.get(source_result=result),
        "open_concern": open_concern,
    }


def url_for(records, name, record, extra):
    return reverse(name, args=[records[record].pk, *extra])


def state():
    concern = Concern.objects.get(source_result__isnull=False)
    return (
        ScreeningResult.objects.count(),
        ScreeningResult.objects.entered_in_error().count(),
        Concern.objects.count(),
        Concern.objects.entered_in_error().count(),
        Observation.objects.count(),
        Observation.objects.entered_in_error().count(),
        concern.acknowledged_at,
        concern.action_taken,
        Concern.objects.filter(closed_at__isnull=False).count(),
        AccessLog.objects.count(),
    )


def test_every_screening_url_is_in_the_matrix():
    from screening import urls

    assert {p.name for p in urls.urlpatterns} == {name for name, _, _ in URLS} | LIST_PAGES


@pytest.mark.parametrize("actor", ALLOWED)
@pytest.mark.parametrize(("name", "record", "extra"), URLS)
def test_own_team_may_open(client, request, records, actor, name, record, extra):
    client.force_login(request.getfixturevalue(actor))
    response = client.get(url_for(records, name, record, extra))
    assert response.status_code == 200
    assert "Scoped" in response.content.decode()


@pytest.mark.parametrize("actor", REFUSED)
@pytest.mark.parametrize(("name", "record", "extra"), URLS)
def test_everyone_else_gets_not_found_on_get(client, request, records, actor, name, record, extra):
    client.force_login(request.getfixturevalue(actor))
    response = client.get(url_for(records, name, record, extra))
    assert response.status_code == 404
    assert "Scoped" not in response.content.decode()


@pytest.mark.parametrize("actor", REFUSED)
@pytest.mark.parametrize(("name", "record", "extra"), URLS)
def test_everyone_else_gets_not_found_on_post_and_nothing_changes(
    client, request, records, actor, name, record, extra
):
    client.force_login(request.getfixturevalue(actor))
    before = state()
    response = client.post(url_for(records, name, record, extra), posts(records)[name])
    assert response.status_code == 404
    assert state() == before


@pytest.mark.parametrize("actor", ALLOWED)
def test_own_team_post_does_change_things(client, request, records, actor):
    # The refused POSTs above would have saved: the same data saves for the family's team.
    client.force_login(request.getfixturevalue(actor))
    contact = records["contact"]
    data = posts(records)
    client.post(reverse("observation_create", args=[contact.pk]), data["observation_create"])
    client.post(
        reverse("concern_acknowledge", args=[records["concern"].pk]), data["concern_acknowledge"]
    )
    client.post(reverse("concern_close", args=[records["open_concern"].pk]), data["concern_close"])
    assert Observation.objects.count() == 2  # the records' own need and this strength
    records["concern"].refresh_from_db()
    assert records["concern"].action_taken == "Leaked"
    records["open_concern"].refresh_from_db()
    assert records["open_concern"].close_reason == "Leaked"
    before = Concern.objects.count()
    client.post(
        reverse("family_concern_create", args=[records["family"].pk]),
        data["family_concern_create"],
    )
    assert Concern.objects.filter(contact__isnull=True).count() == 1
    assert Concern.objects.count() == before + 1
