"""Step 3 through its pages: refer, submit, review, signpost, follow up; and what happens when
two people act at once or a button is pressed twice."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from referrals import services
from referrals.models import FollowUp, Referral, Signpost
from tests.factories import BabyFactory, FamilyFactory
from tests.factories_referrals import ConcernFactory, ReferralFactory, ServiceFactory

TODAY = timezone.localdate()
REFERRAL_FORM = {
    "reason": "Low mood since the birth; she would like to talk to someone.",
    "urgency": "routine",
    "sharing_basis": "consent",
    "consent_method": "in_person",
    "consent_given_on_day": TODAY.day,
    "consent_given_on_month": TODAY.month,
    "consent_given_on_year": TODAY.year,
    "information_shared": "Contact details and the EPDS result.",
}


def create_url(family, service):
    return reverse("referral_create", args=[family.pk, service.pk])


def test_hv_refers_and_the_referral_is_a_draft_with_its_concern(
    client, hv, family, service, concern
):
    client.force_login(hv)
    page = client.get(create_url(family, service))
    token = page.context["form"].fields["submission_key"].initial
    response = client.post(
        create_url(family, service),
        REFERRAL_FORM | {"submission_key": token, "concerns": [concern.pk]},
    )
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("referral_detail", args=[referral.pk])
    assert referral.status == "draft"
    assert list(referral.concerns.all()) == [concern]
    assert referral.events.get().kind == "created"


def test_double_click_on_refer_makes_one_referral(client, hv, family, service):
    client.force_login(hv)
    token = client.get(create_url(family, service)).context["form"].fields["submission_key"].initial
    for _ in range(2):
        client.post(create_url(family, service), REFERRAL_FORM | {"submission_key": token})
    assert Referral.objects.count() == 1


def test_missing_reason_shows_the_error_and_keeps_what_was_typed(client, hv, family, service):
    client.force_login(hv)
    response = client.post(
        create_url(family, service), REFERRAL_FORM | {"reason": "", "information_shared": "Kept"}
    )
    assert response.status_code == 200
    assert "Enter reason for referral" in response.content.decode()
    assert "Kept" in response.content.decode()
    assert not Referral.objects.exists()


def test_ineligible_service_warns_and_needs_a_reason(client, hv, family):
    toddlers = ServiceFactory(minimum_age_months=12, maximum_age_months=48)
    client.force_login(hv)
    page = client.get(create_url(family, toddlers)).content.decode()
    assert "The service may not take this family" in page
    assert "Refer anyway, although the service may not take this family" in page
    response = client.post(create_url(family, toddlers), REFERRAL_FORM)
    assert response.status_code == 200
    assert "Select that you are referring anyway and say why" in response.content.decode()
    response = client.post(create_url(family, toddlers), REFERRAL_FORM | {"refer_anyway": "on"})
    assert "Enter why you are referring although the eligibility" in response.content.decode()
    client.post(
        create_url(family, toddlers),
        REFERRAL_FORM
        | {"refer_anyway": "on", "eligibility_override_reason": "Agreed with the service lead."},
    )
    assert Referral.objects.get().eligibility_override_reason == "Agreed with the service lead."


def transition_url(referral, action):
    return reverse("referral_transition", args=[referral.pk, action])


def test_a_routine_draft_does_not_open_the_send_without_review_page(client, hv, referral):
    client.force_login(hv)
    response = client.get(transition_url(referral, "send-urgently"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("referral_detail", args=[referral.pk])
    assert "That cannot be done to this referral now" in response.content.decode()
    Referral.objects.filter(pk=referral.pk).update(urgency="urgent")
    opened = client.get(transition_url(referral, "send-urgently"))
    assert opened.status_code == 200
    assert "Why it cannot wait for review" in opened.content.decode()


def test_submit_return_resubmit_approve_through_the_pages(client, hv, team_lead, referral):
    client.force_login(hv)
    client.post(transition_url(referral, "submit"), {"version": referral.version})
    referral.refresh_from_db()
    assert referral.status == "submitted"

    client.force_login(team_lead)
    response = client.post(transition_url(referral, "return"), {"version": referral.version})
    assert "Enter what needs changing" in response.content.decode()
    client.post(
        transition_url(referral, "return"),
        {"version": referral.version, "note": "Add what the parent agreed to share."},
    )
    referral.refresh_from_db()
    assert referral.status == "returned"

    client.force_login(hv)
    detail = client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
    assert "Add what the parent agreed to share." in detail
    edit = client.get(reverse("referral_update", args=[referral.pk]))
    assert edit.status_code == 200
    client.post(
        reverse("referral_update", args=[referral.pk]),
        REFERRAL_FORM | {"version": referral.version, "information_shared": "Name, EPDS 14."},
    )
    referral.refresh_from_db()
    assert referral.information_shared == "Name, EPDS 14."
    client.post(transition_url(referral, "resubmit"), {"version": referral.version})
    referral.refresh_from_db()
    assert referral.status == "submitted"

    client.force_login(team_lead)
    response = client.post(transition_url(referral, "approve"), {"version": referral.version})
    # Approved: the referral page offers the sending next.
    assert response["Location"] == reverse("referral_detail", args=[referral.pk])
    referral.refresh_from_db()
    assert referral.status == "ready"
    # The factory made the draft directly, so the history starts at the submission.
    assert [e.to_status for e in referral.events.all()] == [
        "submitted",
        "returned",
        "returned",
        "submitted",
        "ready",
    ]


def test_hv_is_not_offered_approval_and_cannot_post_it(client, hv, referral):
    services.referral_transition(
        actor=hv, referral=referral, action="submit", expected_version=referral.version
    )
    referral.refresh_from_db()
    client.force_login(hv)
    detail = client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
    assert "Approve and send" not in detail
    client.post(transition_url(referral, "approve"), {"version": referral.version})
    referral.refresh_from_db()
    assert referral.status == "submitted"


def test_second_person_gets_a_clear_message_and_keeps_what_they_typed(
    client, hv, team_lead, other_hv, referral
):
    services.referral_transition(
        actor=hv, referral=referral, action="submit", expected_version=referral.version
    )
    referral.refresh_from_db()
    client.force_login(other_hv)
    opened = client.get(transition_url(referral, "withdraw"))
    seen = opened.context["form"].initial["version"]
    # Meanwhile the team lead returns it.
    services.referral_transition(
        actor=team_lead, referral=referral, action="return", note="Fix", expected_version=seen
    )
    response = client.post(
        transition_url(referral, "withdraw"),
        {"version": seen, "note": "Family moved away; my long careful note"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "changed this referral while you were working on it" in page
    assert "my long careful note" in page
    referral.refresh_from_db()
    assert referral.status == "returned"


def test_unknown_action_is_404(client, hv, referral):
    client.force_login(hv)
    assert client.get(transition_url(referral, "teleport")).status_code == 404


def test_action_not_possible_now_redirects_with_a_message(client, hv, referral):
    client.force_login(hv)
    response = client.get(transition_url(referral, "accept"), follow=True)
    assert "cannot be done to this referral now" in response.content.decode()


def test_family_page_shows_referrals_with_status_and_history(client, hv, referral, family):
    services.referral_transition(
        actor=hv, referral=referral, action="submit", expected_version=referral.version
    )
    client.force_login(hv)
    page = client.get(reverse("family_detail", args=[family.pk])).content.decode()
    assert "Referral to Perinatal Mental Health Team" in page
    assert "Awaiting team lead review" in page


def test_signposting_to_a_service_is_recorded_once(client, hv, family, service):
    client.force_login(hv)
    url = reverse("signpost_create", args=[family.pk]) + f"?service={service.pk}"
    token = client.get(url).context["form"].fields["submission_key"].initial
    today = timezone.localdate()
    data = {
        "submission_key": token,
        "given_on_day": today.day,
        "given_on_month": today.month,
        "given_on_year": today.year,
        "note": "Parent will phone them.",
    }
    client.post(url, data)
    client.post(url, data)
    signpost = Signpost.objects.get()
    assert signpost.service == service
    page = client.get(reverse("family_detail", args=[family.pk])).content.decode()
    assert "Parent will phone them." in page


def test_signposting_to_another_resource_needs_its_name(client, hv, family):
    client.force_login(hv)
    url = reverse("signpost_create", args=[family.pk])
    today = timezone.localdate()
    data = {"given_on_day": today.day, "given_on_month": today.month, "given_on_year": today.year}
    response = client.post(url, data)
    assert "Enter the resource given" in response.content.decode()
    client.post(url, data | {"resource_name": "Start for Life: crying"})
    assert Signpost.objects.get().resource_name == "Start for Life: crying"


def test_follow_up_shows_on_the_caseload_when_due_and_can_be_closed(client, hv, family):
    client.force_login(hv)
    due = timezone.localdate() + datetime.timedelta(days=2)
    client.post(
        reverse("follow_up_create", args=[family.pk]),
        {
            "due_on_day": due.day,
            "due_on_month": due.month,
            "due_on_year": due.year,
            "purpose": "Check the VIG referral went in",
        },
    )
    follow_up = FollowUp.objects.get()
    caseload = client.get(reverse("home")).content.decode()
    assert "Follow-up: Check the VIG referral went in" in caseload
    assert "Due soon" in caseload

    url = reverse("follow_up_close", args=[follow_up.pk])
    response = client.post(url, {"outcome": "cancelled", "note": ""})
    assert "Enter why the follow-up is no longer needed" in response.content.decode()
    client.post(url, {"outcome": "done"})
    follow_up.refresh_from_db()
    assert follow_up.done_at is not None
    assert "Follow-up:" not in client.get(reverse("home")).content.decode()


def test_follow_up_in_the_past_is_refused(client, hv, family):
    client.force_login(hv)
    past = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(
        reverse("follow_up_create", args=[family.pk]),
        {
            "due_on_day": past.day,
            "due_on_month": past.month,
            "due_on_year": past.year,
            "purpose": "Late",
        },
    )
    assert "must be today or in the future" in response.content.decode()
    assert not FollowUp.objects.exists()


def test_team_lead_home_page_counts_referrals_to_review(client, hv, team_lead, referral):
    services.referral_transition(
        actor=hv, referral=referral, action="submit", expected_version=referral.version
    )
    client.force_login(team_lead)
    page = client.get(reverse("home")).content.decode()
    assert "1 referral awaiting your review" in page


def make_submitted(team, hv, count, first=0):
    service = ServiceFactory()
    for n in range(first, first + count):
        family = FamilyFactory(team=team, name=f"Queue {n}")
        BabyFactory(family=family)
        ConcernFactory(family=family, raised_by=hv)
        ReferralFactory(
            family=family,
            service=service,
            created_by=hv,
            status="submitted",
            submitted_at=timezone.now() - datetime.timedelta(hours=n),
        )


def test_review_queue_query_count_does_not_grow_and_oldest_comes_first(
    client, team_a, hv, team_lead
):
    client.force_login(team_lead)
    url = reverse("referral_review_queue")
    counts = []
    for first, count in [(0, 5), (5, 45)]:
        make_submitted(team_a, hv, count, first)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    names = [r.family.name for r in response.context["queue"]]
    assert names[0] == "Queue 49"
    assert len(names) == 25


def test_referral_page_shows_only_allowed_actions(client, hv, referral):
    client.force_login(hv)
    page = client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
    assert "Submit for review" in page
    assert "Send now without review" not in page  # routine
    assert "Withdraw the referral" in page


def test_follow_up_beyond_two_years_is_refused_with_a_message(client, hv, family):
    client.force_login(hv)
    response = client.post(
        reverse("follow_up_create", args=[family.pk]),
        {"due_on_day": "31", "due_on_month": "12", "due_on_year": "9999", "purpose": "Far"},
    )
    assert response.status_code == 200
    assert "The due date must be within the next 2 years." in response.content.decode()
    assert not FollowUp.objects.exists()


def test_signposting_dated_before_six_years_ago_is_refused(client, hv, family):
    client.force_login(hv)
    response = client.post(
        reverse("signpost_create", args=[family.pk]),
        {
            "resource_name": "Start for Life",
            "given_on_day": "1",
            "given_on_month": "1",
            "given_on_year": "0001",
            "note": "",
        },
    )
    assert response.status_code == 200
    assert "must be within the last 6 years" in response.content.decode()
    assert not Signpost.objects.exists()
