"""The demo gives every step 3 page something to show, and can be run again."""

import pytest
from django.core.management import call_command

from referrals.models import FollowUp, Referral, ReferralEvent


@pytest.mark.django_db
def test_demo_has_referrals_at_each_point_for_both_teams_and_runs_twice():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    statuses = sorted(Referral.objects.values_list("family__team__name", "status"))
    events = ReferralEvent.objects.count()
    for team in ["Hillcrest Health Visiting Team", "Riverside Health Visiting Team"]:
        assert {status for name, status in statuses if name == team} == {
            "draft",
            "submitted",
            "returned",
            "ready",
            "acknowledged",
        }
    assert FollowUp.objects.count() == 2

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert sorted(Referral.objects.values_list("family__team__name", "status")) == statuses
    assert ReferralEvent.objects.count() == events
