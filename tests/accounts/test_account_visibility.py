"""Who sees which account pages, and that the lists cost the same number of queries however
many rows they show.

Admins see every account; a team lead their own team's members, their history and the role
requests for their team; anyone else (and a team lead for another team's people) gets a 404,
for a GET and for a POST, with nothing written.
"""

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attachment_app.accounts import services
from attachment_app.accounts.models import AccountEvent, Invitation, Role, RoleRequest, Team, User
from attachment_app.accounts.urls import people as PEOPLE_URLS
from tests.factories import AdminFactory, HealthVisitorFactory, UserFactory
from tests.signin import SecondFactorClient

Kind = AccountEvent.Kind

#: Pages a team lead may open (showing only their own team).
TEAM_LEAD_PAGES = {"person_list", "role_request_list", "account_event_list"}

#: Pages with no POST handler.
GET_ONLY = {"person_list", "person_detail", "role_request_list", "account_event_list", "team_list"}

#: A POST each page would act on, if the person were allowed to.
POSTS = {
    "person_invite": {
        "first_name": "Eve",
        "last_name": "Intruder",
        "email": "eve@example.invalid",
        "username": "eve.intruder",
    },
    "person_deactivate": {"reason": "Because I can"},
    "person_reset_second_factor": {"reason": "Because I can"},
    "person_request_role": {"role": Role.TEAM_LEAD, "team": "TEAM"},
    "role_request_decide": {"decision": "approve", "reason": ""},
    "team_create": {"name": "Eve's team"},
    "team_update": {"name": "Renamed by Eve"},
}


def signed_in(user) -> SecondFactorClient:
    browser = SecondFactorClient()
    browser.force_login(user)
    return browser


def snapshot(person: User) -> tuple:
    """Everything a page of account administration could write."""
    person.refresh_from_db()
    return (
        User.objects.count(),
        AccountEvent.objects.exclude(kind=Kind.SIGN_IN_SUCCEEDED).count(),
        RoleRequest.objects.values_list("pk", "status", "decided_by").order_by("pk").first(),
        RoleRequest.objects.count(),
        Invitation.objects.count(),
        list(Team.objects.values_list("pk", "name").order_by("pk")),
        Authenticator.objects.filter(user=person).count(),
        (person.is_active, person.role, person.team_id),
    )


@pytest.fixture
def team_a_person(team_a):
    """The team A member the pages are about."""
    return HealthVisitorFactory(team=team_a, username="hv.target")


@pytest.fixture
def waiting_request(team_a, team_a_person):
    # Asked for by an admin who is not the one looking, for team A (which has no lead here).
    asking_admin = AdminFactory(username="admin.asking")
    return services.role_request_create(
        actor=asking_admin, person=team_a_person, role=Role.TEAM_LEAD, team=team_a
    )


def people_pages(person, role_request, team):
    """Every /people/ and /teams/ page, about team A's person, request and team."""
    values = {"person_id": person.pk, "request_id": role_request.pk, "team_id": team.pk}
    pages = []
    for pattern in PEOPLE_URLS:
        kwargs = {name: values[name] for name in pattern.pattern.converters}
        pages.append((pattern.name, reverse(pattern.name, kwargs=kwargs)))
    assert {name for name, _ in pages} >= set(POSTS) | TEAM_LEAD_PAGES
    return pages


def post_data(name, team):
    data = dict(POSTS.get(name, {}))
    if data.get("team") == "TEAM":
        data["team"] = team.pk
    return data


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", ["hv", "no_role_user", "hv_b", "team_lead_b"])
def test_people_pages_are_a_404_and_write_nothing_for_those_without_a_say(
    request, viewer, team_a, team_a_person, waiting_request
):
    user = request.getfixturevalue(viewer)
    browser = signed_in(user)
    before = snapshot(team_a_person)
    opened = []
    for name, path in people_pages(team_a_person, waiting_request, team_a):
        if user.role == "team_lead" and name in TEAM_LEAD_PAGES:
            continue  # their own team's lists: see the tests below
        get = browser.get(path)
        post = browser.post(path, post_data(name, team_a))
        # A page that takes no POST may say so (405) to whoever may open it: that tells
        # nothing about the person, whose id it never reads.
        refused_post = {404, 405} if name in GET_ONLY else {404}
        if get.status_code != 404 or post.status_code not in refused_post:
            opened.append((name, get.status_code, post.status_code))
    assert opened == []
    assert snapshot(team_a_person) == before
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_team_lead_of_another_team_sees_nothing_of_team_a_in_the_lists(
    team_lead_b, hv_b, team_a_person, waiting_request
):
    AccountEvent.objects.create(
        kind=Kind.SIGN_IN_FAILED,
        user=team_a_person,
        username=team_a_person.username,
        detail="team-a-marker",
    )
    browser = signed_in(team_lead_b)
    people = browser.get(reverse("person_list"))
    assert people.status_code == 200
    shown = {person.pk for person in people.context["page"].object_list}
    assert shown == {team_lead_b.pk, hv_b.pk}
    assert team_a_person.username not in people.content.decode()
    history = browser.get(reverse("account_event_list")).content.decode()
    assert "team-a-marker" not in history
    assert team_a_person.username not in history
    requests = browser.get(reverse("role_request_list")).context["page"].object_list
    assert list(requests) == []


@pytest.mark.django_db
def test_admins_see_every_account_page(admin_user, hv_b, team_a, team_a_person, waiting_request):
    browser = signed_in(admin_user)
    for name, path in people_pages(team_a_person, waiting_request, team_a):
        assert browser.get(path).status_code == 200, name
    shown = browser.get(reverse("person_list")).content.decode()
    for person in (team_a_person, hv_b, admin_user):
        assert person.username in shown
    assert signed_in(admin_user).get(reverse("person_detail", args=[hv_b.pk])).status_code == 200
    history = browser.get(reverse("account_event_list")).context["page"].object_list
    assert {event.user_id for event in history} >= {team_a_person.pk}


@pytest.mark.django_db
def test_a_team_lead_sees_only_their_own_teams_members_and_their_history(
    team_lead, hv, other_hv, hv_b, team_lead_b, admin_user
):
    for person in (hv, hv_b, admin_user):
        AccountEvent.objects.create(
            kind=Kind.SIGN_IN_FAILED,
            user=person,
            username=person.username,
            detail=f"marker-{person.username}",
        )
    browser = signed_in(team_lead)
    people = browser.get(reverse("person_list"))
    assert {p.pk for p in people.context["page"].object_list} == {team_lead.pk, hv.pk, other_hv.pk}
    assert browser.get(reverse("person_detail", args=[hv.pk])).status_code == 200
    for outsider in (hv_b, team_lead_b, admin_user):
        assert browser.get(reverse("person_detail", args=[outsider.pk])).status_code == 404
    history = browser.get(reverse("account_event_list"))
    events = list(history.context["page"].object_list)
    assert events, "the team's own history is shown"
    assert {event.user_id for event in events} <= {team_lead.pk, hv.pk, other_hv.pk}
    body = history.content.decode()
    assert "marker-hv.a" in body
    assert "marker-hv.b" not in body
    assert "marker-admin.user" not in body
    detail = browser.get(reverse("person_detail", args=[hv.pk])).content.decode()
    assert "marker-hv.a" in detail


@pytest.mark.django_db
def test_a_team_lead_cannot_open_the_admin_only_pages(team_lead, hv, team_a):
    browser = signed_in(team_lead)
    before = snapshot(hv)
    for name, args in [
        ("person_invite", []),
        ("person_deactivate", [hv.pk]),
        ("person_reset_second_factor", [hv.pk]),
        ("person_request_role", [hv.pk]),
        ("team_list", []),
        ("team_create", []),
        ("team_update", [team_a.pk]),
    ]:
        path = reverse(name, args=args)
        assert browser.get(path).status_code == 404, name
        assert browser.post(path, post_data(name, team_a)).status_code == 404, name
    assert snapshot(hv) == before


@pytest.mark.django_db
def test_a_team_lead_of_another_team_cannot_decide_team_as_request(
    team_lead_b, team_a, team_a_person, waiting_request
):
    path = reverse("role_request_decide", args=[waiting_request.pk])
    browser = signed_in(team_lead_b)
    assert browser.get(path).status_code == 404
    assert browser.post(path, {"decision": "approve"}).status_code == 404
    team_a_person.refresh_from_db()
    assert team_a_person.role == Role.HEALTH_VISITOR
    waiting_request.refresh_from_db()
    assert waiting_request.status == RoleRequest.Status.PENDING


# --- Queries ----------------------------------------------------------------------------------


def queries_for(browser, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = browser.get(path)
    assert response.status_code == 200
    return len(captured.captured_queries)


def add_people(count, team):
    for _ in range(count):
        UserFactory(team=team, role=Role.HEALTH_VISITOR, second_factor=False)


def add_events(count, actor):
    for n in range(count):
        person = UserFactory(role="", team=None, second_factor=False)
        AccountEvent.objects.create(
            kind=Kind.ROLE_REQUESTED,
            user=person,
            actor=actor,
            username=person.username,
            detail=f"event {n}",
        )


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", ["admin_user", "team_lead"])
def test_the_people_list_costs_the_same_queries_for_5_or_30_people(request, viewer, team_a):
    user = request.getfixturevalue(viewer)
    browser = signed_in(user)
    add_people(5, team_a)
    few = queries_for(browser, reverse("person_list"))
    add_people(25, team_a)
    response = browser.get(reverse("person_list"))
    assert len(response.context["page"].object_list) == 25  # a full page, not 5
    many = queries_for(browser, reverse("person_list"))
    assert many == few


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", ["admin_user", "team_lead"])
def test_the_account_history_costs_the_same_queries_for_5_or_30_events(
    request, viewer, team_a, admin_user
):
    user = request.getfixturevalue(viewer)
    browser = signed_in(user)
    if user.role == "team_lead":
        # A team lead's history is their team's: the events are about team A's members.
        def add(count):
            for n in range(count):
                person = UserFactory(team=team_a, second_factor=False)
                AccountEvent.objects.create(
                    kind=Kind.ROLE_APPROVED,
                    user=person,
                    actor=admin_user,
                    username=person.username,
                    detail=f"event {n}",
                )
    else:

        def add(count):
            add_events(count, admin_user)

    add(5)
    few = queries_for(browser, reverse("account_event_list"))
    add(25)
    shown = browser.get(reverse("account_event_list")).context["page"].object_list
    assert len(shown) >= 30
    many = queries_for(browser, reverse("account_event_list"))
    assert many == few
