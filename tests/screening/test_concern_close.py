"""Closing a concern: the service's rules, the database's, the pages and the family's list."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from attachment_app.audit.models import AccessLog
from screening import services
from screening.models import Concern, ConcernCategory
from screening.selectors_family import family_screening
from tests.factories import ContactFactory, ConversationFactory, FamilyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(team_a, hv):
    return FamilyFactory(team=team_a, named_hv=hv, name="Mensah")


@pytest.fixture
def contact(family, hv):
    contact = ContactFactory(family=family, recorded_by=hv)
    ConversationFactory(contact=contact, consent_status="given")
    return contact


def raise_concern(actor, contact, *, urgent=False, category="feeding_sleep_crying", note="Long"):
    return services.concern_raise(
        actor=actor,
        contact=contact,
        category=ConcernCategory.objects.get(code=category),
        severity="moderate",
        note=note,
        urgent=urgent,
    )


@pytest.fixture
def open_concern(hv, contact):
    return raise_concern(hv, contact, note="Feeds take over an hour")


@pytest.fixture
def urgent(hv, contact):
    return raise_concern(hv, contact, urgent=True, category="safeguarding", note="Bruise seen")


def url(name, *args):
    return reverse(name, args=args)


# --- The service ------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["hv", "team_lead"])
def test_hv_or_team_lead_closes_a_concern_with_who_when_and_why(request, open_concern, actor):
    user = request.getfixturevalue(actor)
    closed = services.concern_close(
        actor=user, concern=open_concern, reason="  Feeding settled; parent agrees.  "
    )
    closed.refresh_from_db()
    assert closed.closed_by == user
    assert closed.closed_at is not None
    assert closed.close_reason == "Feeding settled; parent agrees."
    assert not Concern.objects.open().exists()


def test_closing_needs_a_reason(hv, open_concern):
    with pytest.raises(ValidationError) as caught:
        services.concern_close(actor=hv, concern=open_concern, reason="   ")
    assert caught.value.message_dict == {"reason": ["Say why the concern is being closed."]}
    open_concern.refresh_from_db()
    assert open_concern.closed_at is None


def test_an_urgent_concern_cannot_be_closed_before_it_is_acknowledged(hv, urgent):
    with pytest.raises(ValidationError) as caught:
        services.concern_close(actor=hv, concern=urgent, reason="Resolved")
    assert caught.value.message_dict == {
        "concern": ["Acknowledge this urgent concern, with the action taken, before closing it."]
    }
    urgent.refresh_from_db()
    assert urgent.closed_at is None
    assert Concern.objects.awaiting_acknowledgement().get() == urgent


def test_an_acknowledged_urgent_concern_can_be_closed(hv, team_lead, urgent):
    services.concern_acknowledge(actor=hv, concern=urgent, action_taken="Safeguarding lead told")
    closed = services.concern_close(actor=team_lead, concern=urgent, reason="Plan in place")
    assert (closed.closed_by, closed.close_reason) == (team_lead, "Plan in place")


def test_a_closed_concern_cannot_be_closed_again(hv, team_lead, open_concern):
    services.concern_close(actor=hv, concern=open_concern, reason="First")
    with pytest.raises(ValidationError, match="already been closed"):
        services.concern_close(actor=team_lead, concern=open_concern, reason="Second")
    open_concern.refresh_from_db()
    assert (open_concern.closed_by, open_concern.close_reason) == (
        open_concern.raised_by,
        "First",
    )


@pytest.mark.parametrize("actor", ["hv_b", "team_lead_b", "admin_user", "no_role_user"])
def test_no_one_outside_the_family_team_may_close(request, open_concern, actor):
    with pytest.raises(PermissionDenied):
        services.concern_close(
            actor=request.getfixturevalue(actor), concern=open_concern, reason="Not theirs"
        )
    open_concern.refresh_from_db()
    assert open_concern.closed_at is None


def test_closing_does_not_need_current_consent(hv, contact, open_concern):
    # A concern raised before consent was withdrawn must still be closable.
    ConversationFactory._meta.model.objects.filter(contact=contact).update(
        consent_status="withdrawn"
    )
    closed = services.concern_close(actor=hv, concern=open_concern, reason="Moved away")
    assert closed.closed_at is not None


def test_the_database_refuses_a_closed_concern_without_a_reason(hv, open_concern):
    with pytest.raises(IntegrityError, match="concern_closed_with_reason"), transaction.atomic():
        Concern.objects.filter(pk=open_concern.pk).update(closed_at=timezone.now(), closed_by=hv)


def test_the_database_refuses_a_closed_concern_without_who_closed_it(open_concern):
    with pytest.raises(IntegrityError, match="concern_closed_with_reason"), transaction.atomic():
        Concern.objects.filter(pk=open_concern.pk).update(
            closed_at=timezone.now(), close_reason="Resolved"
        )


def test_the_database_refuses_closing_an_unacknowledged_urgent_concern(hv, urgent):
    with (
        pytest.raises(IntegrityError, match="concern_urgent_acknowledged_before_closed"),
        transaction.atomic(),
    ):
        Concern.objects.filter(pk=urgent.pk).update(
            closed_at=timezone.now(), closed_by=hv, close_reason="Resolved"
        )


# --- The close page ---------------------------------------------------------------------------


def test_close_page_shows_the_concern_and_asks_why(hv_client, open_concern):
    response = hv_client.get(url("concern_close", open_concern.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Close a concern</h1>" in html
    assert "Feeds take over an hour" in html
    assert "Why is the concern being closed?" in html
    assert 'name="reason"' in html
    assert AccessLog.objects.filter(object_id=str(open_concern.pk)).count() == 1


def test_closing_without_a_reason_says_so_and_closes_nothing(hv_client, open_concern):
    response = hv_client.post(url("concern_close", open_concern.pk), {"reason": " "})
    html = response.content.decode()
    assert html.count('class="nhsuk-error-summary"') == 1
    assert "Enter why the concern is being closed" in html
    open_concern.refresh_from_db()
    assert open_concern.closed_at is None


@pytest.mark.parametrize("actor", ["hv", "team_lead"])
def test_closing_returns_to_where_the_concern_was_raised(client, request, open_concern, actor):
    client.force_login(request.getfixturevalue(actor))
    response = client.post(url("concern_close", open_concern.pk), {"reason": "Resolved"})
    assert response["Location"] == url("screening_start", open_concern.contact_id)
    open_concern.refresh_from_db()
    assert open_concern.close_reason == "Resolved"
    html = client.get(response["Location"]).content.decode()
    assert "Concern closed" in html
    assert ">Closed</strong>" in html
    assert url("concern_close", open_concern.pk) not in html


def test_closing_from_the_family_page_returns_there(hv_client, open_concern, family):
    close_url = url("concern_close", open_concern.pk) + "?from=family"
    html = hv_client.get(close_url).content.decode()
    assert f'href="{url("family_detail", family.pk)}"' in html
    response = hv_client.post(close_url, {"reason": "Resolved"})
    assert response["Location"] == url("family_detail", family.pk)


def test_an_unknown_from_is_ignored(hv_client, open_concern):
    close_url = url("concern_close", open_concern.pk) + "?from=https://example.invalid/"
    response = hv_client.post(close_url, {"reason": "Resolved"})
    assert response["Location"] == url("screening_start", open_concern.contact_id)


def test_an_urgent_concern_awaiting_acknowledgement_sends_you_to_acknowledge_it(hv_client, urgent):
    html = hv_client.get(url("concern_close", urgent.pk)).content.decode()
    assert "Acknowledge the concern before closing it" in html
    assert url("concern_acknowledge", urgent.pk) in html
    assert 'name="reason"' not in html
    hv_client.post(url("concern_close", urgent.pk), {"reason": "Resolved"})
    urgent.refresh_from_db()
    assert urgent.closed_at is None


def test_a_closed_concern_shows_who_closed_it_and_cannot_be_closed_again(
    hv_client, hv, team_lead, open_concern
):
    services.concern_close(actor=team_lead, concern=open_concern, reason="Feeding settled")
    html = hv_client.get(url("concern_close", open_concern.pk)).content.decode()
    assert "<h1>Concern closed</h1>" in html
    assert "Feeding settled" in html
    assert team_lead.get_full_name() in html
    assert "cannot be closed again" in html
    assert 'name="reason"' not in html
    hv_client.post(url("concern_close", open_concern.pk), {"reason": "Again"})
    open_concern.refresh_from_db()
    assert open_concern.close_reason == "Feeding settled"


def test_the_concern_page_offers_closing_once_nothing_is_awaited(hv_client, hv, urgent):
    page = url("concern_acknowledge", urgent.pk)
    assert url("concern_close", urgent.pk) not in hv_client.get(page).content.decode()
    services.concern_acknowledge(actor=hv, concern=urgent, action_taken="Lead told")
    html = hv_client.get(page).content.decode()
    assert "Close this concern" in html
    assert url("concern_close", urgent.pk) in html
    services.concern_close(actor=hv, concern=urgent, reason="Plan agreed")
    html = hv_client.get(page).content.decode()
    assert "Close this concern" not in html
    assert "Plan agreed" in html


# --- The family page's concerns ---------------------------------------------------------------


def family_concerns_html(user, family) -> str:
    return render_to_string(
        "screening/family_concerns.html", family_screening(user=user, family=family)
    )


def test_family_concerns_list_open_ones_with_a_way_to_act_and_closed_ones_with_why(
    hv, team_lead, family, contact, open_concern, urgent
):
    done = raise_concern(hv, contact, category="domestic_abuse", note="Disclosed")
    services.concern_close(actor=team_lead, concern=done, reason="Referred; support in place")
    html = family_concerns_html(hv, family)
    open_part, closed_part = html.split("Closed concerns")
    assert f'href="{url("concern_close", open_concern.pk)}?from=family"' in open_part
    assert f'href="{url("concern_acknowledge", urgent.pk)}"' in open_part
    assert url("concern_close", urgent.pk) not in open_part
    assert "Disclosed" not in open_part
    assert "Disclosed" in closed_part
    assert "Referred; support in place" in closed_part
    assert team_lead.get_full_name() in closed_part
    assert timezone.localdate().strftime("%-d %B %Y") in closed_part
    assert url("concern_close", done.pk) not in html


def test_family_concerns_say_when_there_are_none(hv, family):
    html = family_concerns_html(hv, family)
    assert "No open concern." in html
    assert "No closed concern." in html


def test_family_page_shows_close_links_and_why_concerns_were_closed(
    hv_client, hv, family, contact, open_concern
):
    done = raise_concern(hv, contact, category="domestic_abuse")
    services.concern_close(actor=hv, concern=done, reason="Referred; support in place")
    html = hv_client.get(url("family_detail", family.pk)).content.decode()
    assert f'href="{url("concern_close", open_concern.pk)}?from=family"' in html
    assert "Referred; support in place" in html
