"""Returned referrals: the home page shows the ten that have waited longest and how many there
are, with a link to the whole list; the whole list is paginated and team-scoped."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from attachment_app.audit.models import AccessLog
from referrals.models import Referral, ReferralEvent
from tests.factories import FamilyFactory
from tests.factories_referrals import ReferralFactory

pytestmark = pytest.mark.django_db

HOME = reverse("home")
WHOLE_LIST = reverse("returned_referral_list")
REFERRAL_LINK = re.compile(r'href="/referrals/\d+/"')


def make_returned(family, service, count, *, created_by, returned_by) -> list[Referral]:
    """``count`` referrals by ``created_by`` that ``returned_by`` returned, in two inserts."""
    referrals = Referral.objects.bulk_create(
        ReferralFactory.build_batch(
            count, family=family, service=service, created_by=created_by, status="returned"
        )
    )
    ReferralEvent.objects.bulk_create(
        ReferralEvent(
            referral=referral,
            kind=ReferralEvent.Kind.TRANSITION,
            from_status="submitted",
            to_status="returned",
            actor=returned_by,
            at=timezone.now(),
        )
        for referral in referrals
    )
    return referrals


def section(html: str, heading: str) -> str:
    return html.split(heading)[1].split("</div>")[0]


YOURS = "returned to you</h2>"
BY_YOU = "you returned, waiting for the health visitor</h2>"


def test_the_home_page_lists_ten_returned_referrals_however_many_there_are(
    client, hv, team_lead, family, service
):
    client.force_login(hv)
    make_returned(family, service, 5, created_by=hv, returned_by=team_lead)
    five = client.get(HOME).content.decode()
    assert len(REFERRAL_LINK.findall(section(five, YOURS))) == 5
    assert f'href="{WHOLE_LIST}' not in five

    make_returned(family, service, 45, created_by=hv, returned_by=team_lead)
    fifty = client.get(HOME).content.decode()
    make_returned(family, service, 450, created_by=hv, returned_by=team_lead)
    five_hundred = client.get(HOME).content.decode()
    assert len(REFERRAL_LINK.findall(section(fifty, YOURS))) == 10
    assert len(REFERRAL_LINK.findall(five_hundred)) == len(REFERRAL_LINK.findall(fifty)) == 10
    # The same ten; only the count's extra digit, said twice, makes the page longer.
    assert len(five_hundred) - len(fifty) == 2
    assert "Showing the 10 oldest of 500." in section(five_hundred, YOURS)
    assert f'href="{WHOLE_LIST}">See all 500 referrals returned to you</a>' in five_hundred


def test_a_team_leads_home_page_lists_ten_of_those_she_returned(
    client, hv, team_lead, family, service
):
    client.force_login(team_lead)
    make_returned(family, service, 5, created_by=hv, returned_by=team_lead)
    five = client.get(HOME).content.decode()
    assert len(REFERRAL_LINK.findall(section(five, BY_YOU))) == 5
    assert f'href="{WHOLE_LIST}' not in five
    make_returned(family, service, 495, created_by=hv, returned_by=team_lead)
    five_hundred = client.get(HOME).content.decode()
    assert len(REFERRAL_LINK.findall(section(five_hundred, BY_YOU))) == 10
    assert "Showing the 10 oldest of 500." in section(five_hundred, BY_YOU)
    assert (
        f'href="{WHOLE_LIST}#returned-by-you">See all 500 referrals you returned</a>'
        in five_hundred
    )


def test_the_whole_list_link_appears_only_when_there_are_more_than_shown(
    client, hv, team_lead, family, service
):
    client.force_login(hv)
    make_returned(family, service, 10, created_by=hv, returned_by=team_lead)
    assert f'href="{WHOLE_LIST}' not in client.get(HOME).content.decode()
    make_returned(family, service, 1, created_by=hv, returned_by=team_lead)
    assert f'href="{WHOLE_LIST}">See all 11' in client.get(HOME).content.decode()


def test_the_home_page_shows_those_waiting_longest_first(client, hv, team_lead, family, service):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        make_returned(family, service, 10, created_by=hv, returned_by=team_lead)
    # Made after the others, returned a day before them.
    with time_machine.travel(now - timedelta(days=1), tick=False):
        (longest,) = make_returned(family, service, 1, created_by=hv, returned_by=team_lead)
    client.force_login(hv)
    shown = client.get(HOME).context["returned_referrals"]
    assert (shown.items[0], shown.total, len(shown.items)) == (longest, 11, 10)


def test_the_whole_list_is_paginated_longest_waiting_first(client, hv, team_lead, family, service):
    referrals = make_returned(family, service, 30, created_by=hv, returned_by=team_lead)
    client.force_login(hv)
    first = client.get(WHOLE_LIST)
    assert first.status_code == 200
    assert list(first.context["returned"]) == referrals[:25]
    assert first.context["returned_by_you"] is None
    html = first.content.decode()
    assert "30 referrals, page 1 of 2." in html
    assert 'aria-label="Pages of referrals returned to you"' in html
    assert "You returned" not in html
    second = client.get(WHOLE_LIST, {"page": 2})
    assert list(second.context["returned"]) == referrals[25:]
    assert reverse("referral_detail", args=[referrals[29].pk]) in second.content.decode()


def test_a_team_leads_whole_list_pages_those_she_returned_apart(
    client, hv, team_lead, family, service
):
    returned = make_returned(family, service, 27, created_by=hv, returned_by=team_lead)
    own = make_returned(family, service, 1, created_by=team_lead, returned_by=hv)
    client.force_login(team_lead)
    first = client.get(WHOLE_LIST)
    assert list(first.context["returned"]) == own
    assert list(first.context["returned_by_you"]) == returned[:25]
    html = first.content.decode()
    assert 'href="?by_you_page=2"' in html
    assert 'aria-label="Pages of referrals you returned"' in html
    second = client.get(WHOLE_LIST, {"by_you_page": 2})
    assert list(second.context["returned_by_you"]) == returned[25:]
    assert list(second.context["returned"]) == own


def test_the_whole_list_says_so_when_nothing_waits(client, team_lead):
    client.force_login(team_lead)
    page = client.get(WHOLE_LIST).content.decode()
    assert "No referral of yours is waiting for changes." in page
    assert "No referral you returned is waiting for the health visitor." in page


def test_another_teams_returned_referrals_are_never_listed(
    client, hv, team_lead, hv_b, team_lead_b, team_b, family, service
):
    (ours,) = make_returned(family, service, 1, created_by=hv, returned_by=team_lead)
    theirs_family = FamilyFactory(team=team_b, named_hv=hv_b, name="Theirs")
    (theirs,) = make_returned(theirs_family, service, 1, created_by=hv_b, returned_by=team_lead_b)
    for user, shown, hidden in [(hv, ours, theirs), (team_lead_b, theirs, ours)]:
        client.force_login(user)
        response = client.get(WHOLE_LIST)
        listed = list(response.context["returned"]) + list(
            response.context["returned_by_you"] or []
        )
        assert listed == [shown]
        assert reverse("referral_detail", args=[hidden.pk]) not in response.content.decode()


@pytest.mark.parametrize("who", ["admin_user", "no_role_user"])
def test_people_who_see_no_families_get_not_found(
    client, request, who, hv, team_lead, family, service
):
    make_returned(family, service, 1, created_by=hv, returned_by=team_lead)
    client.force_login(request.getfixturevalue(who))
    assert client.get(WHOLE_LIST).status_code == 404
    assert not AccessLog.objects.exists()


def test_the_whole_list_logs_the_families_it_showed(client, hv, team_lead, family, service):
    other = FamilyFactory(team=family.team, named_hv=hv)
    make_returned(family, service, 1, created_by=hv, returned_by=team_lead)
    make_returned(other, service, 1, created_by=hv, returned_by=team_lead)
    client.force_login(team_lead)
    client.get(WHOLE_LIST)
    row = AccessLog.objects.get()
    assert (row.action, row.object_type) == ("list", "accounts.team")
    assert row.family_ids == sorted([family.pk, other.pk])


@pytest.mark.parametrize("count", [5, 50])
def test_the_whole_lists_query_count_does_not_grow_with_referrals(
    client, hv, team_lead, team_a, service, django_assert_num_queries, count
):
    for _ in range(count):
        family = FamilyFactory(team=team_a)
        make_returned(family, service, 1, created_by=hv, returned_by=team_lead)
        make_returned(family, service, 1, created_by=team_lead, returned_by=hv)
    client.force_login(team_lead)
    client.get(WHOLE_LIST)
    # Session, user, second factor, the count and the page of each of the two lists, the team
    # and unread notifications (the header), the access-log row, and the session saved again
    # in a savepoint: 13, however many referrals.
    with django_assert_num_queries(13):
        response = client.get(WHOLE_LIST)
    assert len(response.context["returned"]) == min(count, 25)
    assert len(response.context["returned_by_you"]) == min(count, 25)
