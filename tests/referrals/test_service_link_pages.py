"""The service's pages, through the test client: the link moves off its token's URL, nothing
is shown before the code, the calm page for every link that opens nothing, the replies, and an
access-log row for every opening and action. The staff's sending pages too."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from attachment_app.audit.models import AccessLog
from attachment_app.submissions.models import Submission
from referrals import services_delivery
from referrals.models import ReferralDelivery, ServiceLink
from referrals.workflow import Status

from .sending import code_in, live_link, make_ready, send_by_email, token_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(referral, hv, team_lead):
    make_ready(referral, hv, team_lead)
    return referral, send_by_email(referral, hv)


def open_with_code(client, token):
    """Open the link and enter the code emailed, as the service would."""
    response = client.get(reverse("service_link_open", args=[token]))
    assert response.status_code == 302
    assert response["Location"] == reverse("service_referral")
    mail.outbox.clear()
    client.post(reverse("service_referral_code"))
    code = code_in(mail.outbox[-1].body)
    response = client.post(reverse("service_referral_verify"), {"code": code})
    assert response.status_code == 302
    return code


def service_rows(link):
    return list(AccessLog.objects.filter(outside_party=f"service-link:{link.pk}").order_by("pk"))


def test_nothing_about_the_family_is_shown_before_the_code(client, sent, family):
    referral, token = sent
    client.get(reverse("service_link_open", args=[token]))
    page = client.get(reverse("service_referral")).content.decode()
    assert "Email me a code" in page
    assert re.search(r"r\u2022\u2022\u2022@example\.invalid", page)
    for private in (family.name, family.postcode, referral.reason):
        assert private not in page
    # The replies refuse too, and move nothing.
    response = client.post(
        reverse("service_referral_reply", args=["acknowledge"]), {"version": referral.version}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.SENT


def test_with_the_code_the_service_sees_the_letter_and_replies(client, sent, family, hv):
    referral, token = sent
    open_with_code(client, token)
    page = client.get(reverse("service_referral")).content.decode()
    assert family.name in page
    assert referral.reason in page
    assert "Accept the referral" in page
    soon = timezone.localdate() + datetime.timedelta(days=5)
    response = client.post(
        reverse("service_referral_reply", args=["accept"]),
        {
            "version": referral.version,
            "first_contact_on_day": soon.day,
            "first_contact_on_month": soon.month,
            "first_contact_on_year": soon.year,
            "note": "We will phone the parent.",
        },
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.expected_first_contact_on) == (Status.ACCEPTED, soon)
    event = referral.events.order_by("-pk").first()
    assert (event.actor, event.service_link) == (None, live_link(referral))
    # The staff see it on the referral page, by the service through its link.
    client.force_login(hv)
    staff_page = client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
    assert "(through its secure link)" in staff_page


def test_the_token_is_only_in_the_first_url(client, sent):
    _referral, token = sent
    open_with_code(client, token)
    for name in ("service_referral", "service_referral_verify"):
        assert token not in client.get(reverse(name)).content.decode()


def test_every_opening_code_and_reply_is_in_the_access_log(client, sent, team_lead):
    referral, token = sent
    link = live_link(referral)
    client.get(reverse("service_link_open", args=[token]))
    client.get(reverse("service_referral"))
    client.post(reverse("service_referral_code"))
    code = code_in(mail.outbox[-1].body)
    wrong = "000000" if code != "000000" else "111111"
    client.post(reverse("service_referral_verify"), {"code": wrong})
    client.post(reverse("service_referral_verify"), {"code": code})
    client.get(reverse("service_referral"))
    client.post(
        reverse("service_referral_reply", args=["acknowledge"]), {"version": referral.version}
    )
    rows = service_rows(link)
    assert [row.detail for row in rows] == [
        "Service link opened",
        "Asked for the code",
        "Code emailed to the service",
        "Code refused",
        "Code accepted",
        "Referral letter viewed",
        "Reply: Acknowledged by service",
    ]
    for row in rows:
        assert row.user is None
        assert (row.object_type, row.object_id) == ("referrals.referral", str(referral.pk))
        assert row.family_ids == [referral.family_id]
    # And the team's "who opened this record" report reads them.
    assert AccessLog.objects.for_family(referral.family_id).filter(user__isnull=True).count() == 7
    client.force_login(team_lead)
    report = client.get(reverse("family_access_log", args=[referral.family_id]))
    assert report.status_code == 200
    assert report.content.decode().count("The service, through its secure link") == 7
    export = client.get(reverse("family_access_log_export", args=[referral.family_id]))
    assert b"service-link:" in b"".join(export.streaming_content)


def test_a_wrong_code_says_how_many_tries_are_left_and_the_fifth_locks(client, sent):
    _referral, token = sent
    client.get(reverse("service_link_open", args=[token]))
    client.post(reverse("service_referral_code"))
    code = code_in(mail.outbox[-1].body)
    wrong = "000000" if code != "000000" else "111111"
    page = client.post(reverse("service_referral_verify"), {"code": wrong}).content.decode()
    assert "You have 4 more tries" in page
    for _ in range(3):
        client.post(reverse("service_referral_verify"), {"code": wrong})
    locked = client.post(reverse("service_referral_verify"), {"code": wrong})
    assert locked.status_code == 404
    assert "This link does not open a referral" in locked.content.decode()
    assert client.post(reverse("service_referral_verify"), {"code": code}).status_code == 404


def test_a_malformed_code_is_explained_and_not_counted(client, sent):
    referral, token = sent
    client.get(reverse("service_link_open", args=[token]))
    client.post(reverse("service_referral_code"))
    page = client.post(reverse("service_referral_verify"), {"code": "12ab"}).content.decode()
    assert "Enter the code as 6 digits" in page
    assert live_link(referral).failed_codes == 0


def _calm(response) -> str:
    """The page, without the nonce that differs on every response."""
    assert response.status_code == 404
    return re.sub(r'nonce="[^"]*"', "", response.content.decode())


def test_every_link_that_opens_nothing_gives_the_same_calm_page(client, sent, hv, team_lead):
    referral, token = sent
    unknown = _calm(client.get(reverse("service_link_open", args=["x" * 43])))
    services_delivery.service_link_revoke(actor=team_lead, link=live_link(referral))
    revoked = _calm(client.get(reverse("service_link_open", args=[token])))
    assert unknown == revoked
    assert "contact the health visiting team" in unknown
    # No session at all: the same page.
    client.cookies.clear()
    assert _calm(client.get(reverse("service_referral"))) == unknown
    assert not AccessLog.objects.filter(outside_party__startswith="service-link").exists()


def test_a_link_stopped_while_in_use_shows_the_calm_page(client, sent, team_lead):
    referral, token = sent
    open_with_code(client, token)
    services_delivery.service_link_revoke(actor=team_lead, link=live_link(referral))
    assert "does not open a referral" in _calm(client.get(reverse("service_referral")))


def test_a_closing_reply_says_thank_you_and_the_link_then_opens_nothing(client, sent):
    referral, token = sent
    open_with_code(client, token)
    response = client.post(
        reverse("service_referral_reply", args=["decline"]),
        {"version": referral.version, "decline_reason": "no_capacity", "note": "Full until May."},
        follow=True,
    )
    assert "Your reply has been recorded" in response.content.decode()
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == (Status.DECLINED, "no_capacity")
    _calm(client.get(reverse("service_referral")))
    _calm(client.get(reverse("service_link_open", args=[token])))


def test_a_decline_without_a_reason_is_refused_on_the_page(client, sent):
    referral, token = sent
    open_with_code(client, token)
    page = client.post(
        reverse("service_referral_reply", args=["decline"]),
        {"version": referral.version, "note": "No."},
    ).content.decode()
    assert "Select why the referral was declined" in page
    referral.refresh_from_db()
    assert referral.status == Status.SENT


def test_a_reply_posted_after_someone_else_replied_is_told_what_happened(client, sent):
    referral, token = sent
    open_with_code(client, token)
    opened_on = referral.version
    client.post(reverse("service_referral_reply", args=["acknowledge"]), {"version": opened_on})
    page = client.post(
        reverse("service_referral_reply", args=["decline"]),
        {"version": opened_on, "decline_reason": "duplicate", "note": "Already referred."},
    ).content.decode()
    assert "changed this referral while you were working on it" in page
    referral.refresh_from_db()
    assert referral.status == Status.ACKNOWLEDGED


# --- The staff's side -----------------------------------------------------------------------


def test_the_referral_page_offers_sending_and_says_when_it_is_waiting(
    client, referral, hv, team_lead
):
    referral = make_ready(referral, hv, team_lead)
    client.force_login(hv)
    page = client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
    assert reverse("referral_send_email", args=[referral.pk]) in page
    assert reverse("referral_record_sent", args=[referral.pk]) in page
    response = client.post(
        reverse("referral_send_email", args=[referral.pk]), {"version": referral.version}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.READY
    page = client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
    assert "Sending by email to" in page
    assert reverse("referral_send_email", args=[referral.pk]) not in page


def test_recording_it_as_sent_through_the_page(client, referral, hv, team_lead):
    referral = make_ready(referral, hv, team_lead)
    client.force_login(hv)
    today = timezone.localdate()
    response = client.post(
        reverse("referral_record_sent", args=[referral.pk]),
        {
            "version": referral.version,
            "method": "online_form",
            "sent_on_day": today.day,
            "sent_on_month": today.month,
            "sent_on_year": today.year,
        },
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.SENT
    assert ReferralDelivery.objects.get().method == "online_form"


def test_the_team_sends_a_new_link_from_the_referral_page(client, sent, hv):
    referral, token = sent
    client.force_login(hv)
    page = client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
    assert "The service's secure link" in page
    client.post(reverse("service_link_reissue", args=[referral.pk]), {"version": referral.version})
    new = live_link(referral)
    assert new.emailed_at is None  # the worker emails it
    assert services_delivery.link_email_send(new.pk) == "sent"
    new_token = token_in(mail.outbox[-1].body)
    assert new_token != token


@pytest.mark.parametrize(
    "path",
    [
        "/service-referral/",
        "/service-referral/code/",
        "/service-referral/verify/",
        "/service-referral/reply/accept/",
    ],
)
def test_without_a_link_in_the_session_every_service_page_is_the_calm_page(client, sent, path):
    for response in (client.get(path), client.post(path, {"code": "123456", "version": "1"})):
        assert response.status_code == 404
        assert "This link does not open a referral" in response.content.decode()
    referral, _ = sent
    referral.refresh_from_db()
    assert referral.status == Status.SENT


def test_a_reply_sent_twice_with_its_key_is_made_once(client, sent):
    referral, token = sent
    open_with_code(client, token)
    reply = {
        "version": referral.version,
        "note": "Received.",
        "submission_key": "6f1c7a52-3c1e-4b7e-9a57-2d0c2b9d4e11",
    }
    url = reverse("service_referral_reply", args=["acknowledge"])

    first = client.post(url, reply)
    again = client.post(url, reply, follow=True)

    assert first.status_code == 302
    assert "It has not been saved a second time" in again.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.ACKNOWLEDGED
    link = ServiceLink.objects.get(referral=referral)
    submission = Submission.objects.get()
    assert (submission.user, submission.outside_party) == (None, f"service-link:{link.pk}")
