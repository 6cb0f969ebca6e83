"""Team scope on every step 3 URL: the family's team may open it; another team's users, admins
and users without a role get a 404, for GET and POST, and nothing is written."""

import pytest
from django.urls import reverse

from referrals.models import (
    FollowUp,
    Referral,
    ReferralDelivery,
    ReferralEvent,
    ServiceLink,
    Signpost,
)
from tests.factories_referrals import ReferralFactory

ALLOWED = ["hv", "team_lead"]
REFUSED = ["hv_b", "team_lead_b", "admin_user", "no_role_user"]


@pytest.fixture
def records(family, service, hv, concern):
    referral = ReferralFactory(family=family, service=service, created_by=hv)
    follow_up = FollowUp.objects.create(
        family=family, due_on="2030-01-01", purpose="Check in", planned_by=hv
    )
    signpost = Signpost.objects.create(
        family=family, resource_name="Sleep leaflet", given_on="2026-01-01", recorded_by=hv
    )
    return {
        "family": family,
        "service": service,
        "referral": referral,
        "follow_up": follow_up,
        "signpost": signpost,
    }


def urls(records) -> list[tuple[str, str]]:
    """(name, path) for every URL of referrals.urls, on the team's records."""
    family, service = records["family"].pk, records["service"].pk
    referral = records["referral"].pk
    return [
        ("family_services", reverse("family_services", args=[family])),
        ("family_service_detail", reverse("family_service_detail", args=[family, service])),
        ("signpost_create", reverse("signpost_create", args=[family]) + f"?service={service}"),
        ("referral_create", reverse("referral_create", args=[family, service])),
        ("follow_up_create", reverse("follow_up_create", args=[family])),
        ("follow_up_close", reverse("follow_up_close", args=[records["follow_up"].pk])),
        (
            "follow_up_entered_in_error",
            reverse("follow_up_entered_in_error", args=[records["follow_up"].pk]),
        ),
        (
            "signpost_entered_in_error",
            reverse("signpost_entered_in_error", args=[records["signpost"].pk]),
        ),
        ("referral_detail", reverse("referral_detail", args=[referral])),
        ("referral_update", reverse("referral_update", args=[referral])),
        ("referral_letter", reverse("referral_letter", args=[referral])),
        (
            "referral_review_after_sending",
            reverse("referral_review_after_sending", args=[referral]),
        ),
        ("referral_transition", reverse("referral_transition", args=[referral, "submit"])),
        ("referral_send_email", reverse("referral_send_email", args=[referral])),
        ("referral_record_sent", reverse("referral_record_sent", args=[referral])),
        ("service_link_reissue", reverse("service_link_reissue", args=[referral])),
        ("service_link_revoke", reverse("service_link_revoke", args=[referral])),
    ]


POST_DATA = {
    "reason": "Leaked",
    "urgency": "urgent",
    "sharing_basis": "consent",
    "information_shared": "Leaked",
    "given_on_day": "1",
    "given_on_month": "1",
    "given_on_year": "2026",
    "resource_name": "Leaked",
    "note": "Leaked",
    "due_on_day": "1",
    "due_on_month": "1",
    "due_on_year": "2031",
    "purpose": "Leaked",
    "outcome": "done",
    "version": "1",
    "method": "phone",
    "sent_on_day": "1",
    "sent_on_month": "1",
    "sent_on_year": "2026",
}


def test_every_url_of_the_app_is_in_the_matrix(records):
    from referrals.urls import urlpatterns

    # The lists take no record: their scope is tested below and in test_returned_referral_list.
    lists = {"referral_review_queue", "returned_referral_list"}
    assert {name for name, _ in urls(records)} | lists == {pattern.name for pattern in urlpatterns}


@pytest.mark.parametrize("who", REFUSED)
def test_other_teams_admins_and_no_role_get_404_and_write_nothing(who, records, client, request):
    client.force_login(request.getfixturevalue(who))
    before = (
        Referral.objects.count(),
        ReferralEvent.objects.count(),
        Signpost.objects.count(),
        FollowUp.objects.count(),
    )
    for name, path in urls(records):
        assert client.get(path).status_code == 404, name
        assert client.post(path, POST_DATA).status_code == 404, name
    after = (
        Referral.objects.count(),
        ReferralEvent.objects.count(),
        Signpost.objects.count(),
        FollowUp.objects.count(),
    )
    assert after == before
    assert not ReferralDelivery.objects.exists()
    assert not ServiceLink.objects.exists()
    assert not FollowUp.objects.entered_in_error().exists()
    assert not Signpost.objects.entered_in_error().exists()
    referral = Referral.objects.get(pk=records["referral"].pk)
    assert referral.status == "draft"
    assert referral.reason != "Leaked"


@pytest.mark.parametrize("who", ALLOWED)
def test_the_familys_team_can_open_every_page(who, records, client, request):
    client.force_login(request.getfixturevalue(who))
    for name, path in urls(records):
        response = client.get(path)
        # The review-after-sending page is for team leads, and only for urgent referrals sent
        # without review; everything else is a page or a redirect to the referral.
        if name == "referral_review_after_sending" and who == "hv":
            assert response.status_code == 404, name
        else:
            assert response.status_code in {200, 302}, name


@pytest.mark.parametrize("who", ["hv", "hv_b", "admin_user", "no_role_user"])
def test_only_team_leads_see_the_review_queue(who, client, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("referral_review_queue")).status_code == 404


def test_review_queue_lists_only_the_leads_own_team(team_lead, team_lead_b, records, client, hv):
    from referrals import services

    referral = records["referral"]
    services.referral_transition(
        actor=hv, referral=referral, action="submit", expected_version=referral.version
    )
    client.force_login(team_lead)
    assert list(client.get(reverse("referral_review_queue")).context["queue"]) == [referral]
    client.force_login(team_lead_b)
    assert list(client.get(reverse("referral_review_queue")).context["queue"]) == []


def test_opening_a_referral_is_written_to_the_access_log(records, client, hv):
    from attachment_app.audit.models import AccessLog

    client.force_login(hv)
    client.get(reverse("referral_detail", args=[records["referral"].pk]))
    assert AccessLog.objects.filter(
        user=hv, object_type="referrals.referral", object_id=str(records["referral"].pk)
    ).exists()
