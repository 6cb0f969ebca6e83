"""Nothing typed is lost when the session times out in the middle of a page.

The session is expired the way it happens in use: the clock passes the idle limit, so the
browser still sends its session cookie but the server no longer accepts the session.
"""

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from attachment_app.accounts.typed_input import TYPED_INPUT_KEY
from conversations import services
from conversations.models import Contact
from tests.factories import (
    TEST_PASSWORD,
    BabyFactory,
    CaregiverFactory,
    ContactFactory,
    FamilyFactory,
)
from tests.signin import sign_in_both_steps

ANSWERS = {
    "word_1": "Peaceful",
    "word_2": "Overwhelming at night",
    "word_3": "Proud",
    "joy": "Bath time together.",
    "fear": "Getting it wrong.",
    "action": "continue",
}
BANNER = "You were signed out. We kept what you typed: check it and save."
PAST_IDLE_LIMIT = timedelta(minutes=settings.SESSION_IDLE_TIMEOUT_MINUTES + 1)


@pytest.fixture
def conversation(hv, team_a):
    family = FamilyFactory(team=team_a)
    baby = BabyFactory(family=family)
    mother = CaregiverFactory(family=family)
    contact = ContactFactory(family=family, baby=baby, recorded_by=hv)
    conversation = services.conversation_start(actor=hv, contact=contact)
    services.consent_record(actor=hv, conversation=conversation, caregiver=mother, decision="given")
    return conversation


@pytest.fixture
def answers_url(conversation):
    return reverse("conversation_answers", args=[conversation.pk])


def sign_in(client, user, next_url=""):
    response = sign_in_both_steps(client, user.username, TEST_PASSWORD, next_url=next_url)
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def post_after_timeout(client, url, data, clock):
    """Open the page signed in, let the idle limit pass, then press save."""
    assert client.get(url).status_code == 200
    clock.shift(PAST_IDLE_LIMIT)
    return client.post(url, data)


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def test_typed_answers_survive_a_session_timeout(client, hv, conversation, answers_url, clock):
    sign_in(client, hv)
    response = post_after_timeout(client, answers_url, ANSWERS, clock)

    # Sent to sign in, with only the path in the URL: none of what was typed.
    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('account_login')}?next={quote(answers_url, safe='/')}&signed_out=idle"
    )
    assert "Peaceful" not in response["Location"]
    conversation.refresh_from_db()
    assert conversation.word_1 == ""

    response = sign_in(client, hv, next_url=answers_url)
    assert response["Location"] == answers_url
    html = client.get(answers_url).content.decode()
    assert BANNER in html
    for typed in ("Peaceful", "Overwhelming at night", "Proud", "Bath time together."):
        assert typed in html
    # Shown again, not saved: that is still the user's decision.
    conversation.refresh_from_db()
    assert conversation.word_1 == ""

    # Given back once, then forgotten.
    again = client.get(answers_url).content.decode()
    assert BANNER not in again
    assert "Peaceful" not in again
    assert TYPED_INPUT_KEY not in client.session or not client.session[TYPED_INPUT_KEY]

    # Saving it now saves it.
    client.post(answers_url, ANSWERS)
    conversation.refresh_from_db()
    assert conversation.words == ["Peaceful", "Overwhelming at night", "Proud"]


def test_a_typed_contact_survives_a_session_timeout(client, hv, conversation, clock):
    family = conversation.family
    url = reverse("contact_create", args=[family.pk])
    today = timezone.localdate()
    data = {
        "contact_date_day": str(today.day),
        "contact_date_month": str(today.month),
        "contact_date_year": str(today.year),
        "contact_type": "additional",
        "place": "clinic",
        "present": "Grandmother and baby",
    }
    sign_in(client, hv)
    before = Contact.objects.count()
    post_after_timeout(client, url, data, clock)
    sign_in(client, hv, next_url=url)
    html = client.get(url).content.decode()
    assert BANNER in html
    assert 'value="Grandmother and baby"' in html
    assert re.search(r'value="clinic"[^>]*\bchecked', html)
    assert not re.search(r'value="home"[^>]*\bchecked', html)
    assert Contact.objects.count() == before


def test_another_user_on_a_fresh_client_never_sees_it(
    client, hv, other_hv, conversation, answers_url, clock
):
    sign_in(client, hv)
    post_after_timeout(client, answers_url, ANSWERS, clock)

    stranger = Client()
    sign_in(stranger, other_hv, next_url=answers_url)
    html = stranger.get(answers_url).content.decode()
    assert BANNER not in html
    assert "Peaceful" not in html


def test_another_user_signing_in_on_the_same_browser_does_not_see_it(
    client, hv, other_hv, conversation, answers_url, clock
):
    sign_in(client, hv)
    post_after_timeout(client, answers_url, ANSWERS, clock)

    # A colleague sits down at the same computer and signs in.
    sign_in(client, other_hv, next_url=answers_url)
    html = client.get(answers_url).content.decode()
    assert BANNER not in html
    assert "Peaceful" not in html


def test_what_was_typed_is_only_given_back_on_the_same_page(
    client, hv, conversation, answers_url, clock
):
    sign_in(client, hv)
    post_after_timeout(client, answers_url, ANSWERS, clock)
    sign_in(client, hv)
    reflection = reverse("conversation_reflection", args=[conversation.pk])
    assert BANNER not in client.get(reflection).content.decode()
    assert "Peaceful" in client.get(answers_url).content.decode()


def test_passwords_and_the_csrf_token_are_never_kept(client, hv, answers_url, clock):
    sign_in(client, hv)
    post_after_timeout(
        client,
        answers_url,
        {**ANSWERS, "csrfmiddlewaretoken": "tok", "new_password1": "secret-9", "password": "p"},
        clock,
    )
    kept = client.session[TYPED_INPUT_KEY][answers_url]["data"]
    assert kept["word_1"] == ["Peaceful"]
    assert not {"csrfmiddlewaretoken", "new_password1", "password"} & set(kept)


def test_pages_outside_the_records_are_not_kept(client, hv, clock):
    sign_in(client, hv)
    url = reverse("account_change_password")
    post_after_timeout(client, url, {"old_password": "x", "note": "Typed"}, clock)
    assert TYPED_INPUT_KEY not in client.session


def test_nothing_is_kept_when_the_old_session_cannot_be_traced(client, hv, answers_url):
    # Without knowing whose session ended, typed words cannot be given back safely.
    sign_in(client, hv)
    client.get(answers_url)
    client.session.flush()
    client.cookies[settings.SESSION_COOKIE_NAME] = "no-such-session"
    response = client.post(answers_url, ANSWERS)
    assert response.status_code == 302
    assert TYPED_INPUT_KEY not in client.session


def test_the_expired_post_passes_the_csrf_check(hv, conversation, answers_url, clock):
    # The CSRF cookie outlives the session, so the expired POST reaches the sign-in middleware
    # (a 403 here would lose what was typed).
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("account_login"))
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    signed_in = sign_in_both_steps(
        client, hv.username, TEST_PASSWORD, data_extra={"csrfmiddlewaretoken": token}
    )
    assert signed_in["Location"] == reverse("home")
    client.get(answers_url)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    clock.shift(PAST_IDLE_LIMIT)
    response = client.post(answers_url, {**ANSWERS, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert client.session[TYPED_INPUT_KEY][answers_url]["data"]["word_2"] == [
        "Overwhelming at night"
    ]
