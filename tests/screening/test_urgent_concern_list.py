"""Urgent concerns awaiting acknowledgement: the home page shows the oldest ten and how many
there are, with a link to the whole list; the whole list is paginated and team-scoped."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from attachment_app.audit.models import AccessLog
from screening.models import Concern, ConcernCategory
from tests.factories import FamilyFactory

pytestmark = pytest.mark.django_db

HOME = reverse("home")
WHOLE_LIST = reverse("urgent_concern_list")
FAMILY_LINK = re.compile(r'href="/families/\d+/"')


def raise_urgent(family, count, raised_by) -> list[Concern]:
    """``count`` urgent concerns awaiting acknowledgement, in one insert."""
    category = ConcernCategory.objects.get(code="safeguarding")
    return Concern.objects.bulk_create(
        Concern(family=family, category=category, severity="high", urgent=True, raised_by=raised_by)
        for _ in range(count)
    )


def callout(html: str) -> str:
    return html.split('<div class="nhsuk-warning-callout">')[1].split("</div>")[0]


def test_the_home_page_lists_ten_urgent_concerns_however_many_there_are(client, hv, team_a):
    family = FamilyFactory(team=team_a, named_hv=hv, name="Okafor")
    client.force_login(hv)
    raise_urgent(family, 5, hv)
    five = client.get(HOME).content.decode()
    assert len(FAMILY_LINK.findall(callout(five))) == 5
    assert f'href="{WHOLE_LIST}"' not in five
    assert "Showing the" not in five

    raise_urgent(family, 45, hv)
    fifty = client.get(HOME).content.decode()
    raise_urgent(family, 450, hv)
    five_hundred = client.get(HOME).content.decode()
    assert len(FAMILY_LINK.findall(callout(fifty))) == 10
    assert len(FAMILY_LINK.findall(callout(five_hundred))) == 10
    assert len(FAMILY_LINK.findall(five_hundred)) == len(FAMILY_LINK.findall(fifty))
    # The same ten oldest; only the count's extra digit, said twice, makes the page longer.
    assert len(five_hundred) - len(fifty) == 2
    assert "Showing the 10 oldest of 500." in callout(five_hundred)
    assert f'<a class="nhsuk-link" href="{WHOLE_LIST}">See all 500 urgent concerns' in five_hundred


def test_the_whole_list_link_appears_only_when_there_are_more_than_shown(client, hv, team_a):
    family = FamilyFactory(team=team_a, named_hv=hv)
    client.force_login(hv)
    raise_urgent(family, 10, hv)
    assert f'href="{WHOLE_LIST}"' not in client.get(HOME).content.decode()
    raise_urgent(family, 1, hv)
    page = client.get(HOME).content.decode()
    assert f'href="{WHOLE_LIST}"' in page
    assert "Showing the 10 oldest of 11." in page


def test_the_home_page_shows_the_oldest_first_whatever_order_they_were_recorded(client, hv, team_a):
    now = timezone.now()
    newest = FamilyFactory(team=team_a, named_hv=hv, name="Newest")
    oldest = FamilyFactory(team=team_a, named_hv=hv, name="Oldest")
    with time_machine.travel(now, tick=False):
        raise_urgent(newest, 10, hv)
    # Recorded after the others, raised a day before them.
    with time_machine.travel(now - timedelta(days=1), tick=False):
        (first,) = raise_urgent(oldest, 1, hv)
    client.force_login(hv)
    response = client.get(HOME)
    shown = response.context["urgent_concerns"]
    assert (shown.items[0], shown.total, len(shown.items)) == (first, 11, 10)
    assert callout(response.content.decode()).index("Oldest family") < callout(
        response.content.decode()
    ).index("Newest family")


def test_the_whole_list_is_paginated_oldest_first(client, team_lead, hv, team_a):
    family = FamilyFactory(team=team_a, named_hv=hv)
    concerns = raise_urgent(family, 30, hv)
    client.force_login(team_lead)
    first = client.get(WHOLE_LIST)
    assert first.status_code == 200
    assert first.context["concerns"] == concerns[:25]
    html = first.content.decode()
    assert "30 urgent concerns, page 1 of 2." in html
    assert 'aria-label="Pages of urgent concerns"' in html
    assert 'href="?page=2"' in html
    second = client.get(WHOLE_LIST, {"page": 2})
    assert second.context["concerns"] == concerns[25:]
    assert reverse("concern_acknowledge", args=[concerns[29].pk]) in second.content.decode()


def test_the_whole_list_says_so_when_nothing_waits(client, hv):
    client.force_login(hv)
    page = client.get(WHOLE_LIST).content.decode()
    assert "No urgent concern is waiting to be acknowledged." in page


def test_acknowledged_and_other_teams_concerns_are_never_listed(client, hv, hv_b, team_a, team_b):
    ours = FamilyFactory(team=team_a, named_hv=hv, name="Ours")
    theirs = FamilyFactory(team=team_b, named_hv=hv_b, name="Theirs")
    (waiting,) = raise_urgent(ours, 1, hv)
    (done,) = raise_urgent(ours, 1, hv)
    Concern.objects.filter(pk=done.pk).update(
        acknowledged_at=timezone.now(), acknowledged_by=hv, action_taken="GP told"
    )
    (elsewhere,) = raise_urgent(theirs, 1, hv_b)
    client.force_login(hv)
    assert client.get(WHOLE_LIST).context["concerns"] == [waiting]
    assert "Theirs" not in client.get(WHOLE_LIST).content.decode()
    client.force_login(hv_b)
    page = client.get(WHOLE_LIST)
    assert page.context["concerns"] == [elsewhere]
    assert "Ours" not in page.content.decode()


@pytest.mark.parametrize("who", ["admin_user", "no_role_user"])
def test_people_who_see_no_families_get_not_found(client, request, who, hv, team_a):
    raise_urgent(FamilyFactory(team=team_a, named_hv=hv), 1, hv)
    client.force_login(request.getfixturevalue(who))
    assert client.get(WHOLE_LIST).status_code == 404
    assert not AccessLog.objects.exists()


def test_the_whole_list_logs_the_families_it_showed(client, hv, team_a):
    shown = FamilyFactory(team=team_a, named_hv=hv)
    later = FamilyFactory(team=team_a, named_hv=hv)
    raise_urgent(shown, 25, hv)
    raise_urgent(later, 1, hv)
    client.force_login(hv)
    client.get(WHOLE_LIST)
    row = AccessLog.objects.get()
    assert (row.action, row.object_type, row.family_ids) == ("list", "accounts.team", [shown.pk])
    client.get(WHOLE_LIST, {"page": 2})
    assert AccessLog.objects.order_by("-pk").first().family_ids == [later.pk]


@pytest.mark.parametrize("count", [5, 50])
def test_the_whole_lists_query_count_does_not_grow_with_concerns(
    client, hv, team_a, django_assert_num_queries, count
):
    for _ in range(count):
        raise_urgent(FamilyFactory(team=team_a, named_hv=hv), 1, hv)
    client.force_login(hv)
    client.get(WHOLE_LIST)
    # Session, user, second factor, the count and the page of concerns, the team and unread
    # notifications (the header), the access-log row, and the session saved again in a
    # savepoint: 11, however many concerns.
    with django_assert_num_queries(11):
        response = client.get(WHOLE_LIST)
    assert len(response.context["concerns"]) == min(count, 25)
