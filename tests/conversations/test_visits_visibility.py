"""Team scope on every contact and conversation URL: own team allowed, everyone else a 404."""

import pytest
from django.urls import reverse

from conversations import services
from conversations.models import ConsentDecision, Contact, Conversation
from tests.factories import BabyFactory, CaregiverFactory, ContactFactory, FamilyFactory

ALLOWED = ["hv", "team_lead"]
REFUSED = ["hv_b", "team_lead_b", "admin_user", "no_role_user"]

#: (URL name, which record's id it takes). Every URL of conversations.urls_visits is here.
URLS = [
    ("contact_create", "family"),
    ("conversation_start", "contact"),
    ("conversation_detail", "conversation"),
    ("conversation_consent", "conversation"),
    ("conversation_answers", "conversation"),
    ("conversation_reflection", "conversation"),
    ("conversation_withdraw", "conversation"),
    ("contact_entered_in_error", "contact"),
]

POSTS = {
    "contact_create": {
        "contact_date_day": "1",
        "contact_date_month": "1",
        "contact_date_year": "2026",
        "contact_type": "additional",
        "place": "home",
    },
    "conversation_start": {},
    "conversation_detail": {},
    "conversation_consent": {"decision": "declined"},
    "conversation_answers": {"word_1": "Leaked", "action": "later"},
    "conversation_reflection": {"reflection": "Leaked", "raised_concern": "yes"},
    "conversation_withdraw": {},
    "contact_entered_in_error": {"reason": "Leaked"},
}


@pytest.fixture
def records(team_a, hv):
    family = FamilyFactory(team=team_a, name="Scoped")
    baby = BabyFactory(family=family, name="Scoped Baby")
    mother = CaregiverFactory(family=family, name="Scoped Mother")
    contact = ContactFactory(family=family, baby=baby, recorded_by=hv)
    conversation = services.conversation_start(actor=hv, contact=contact)
    services.consent_record(actor=hv, conversation=conversation, caregiver=mother, decision="given")
    services.conversation_save_answers(
        actor=hv,
        conversation=conversation,
        word_1="Scoped word",
        word_2="",
        word_3="",
        joy="",
        fear="",
        draft=True,
    )
    # A second contact without a conversation yet, for the start page.
    fresh = ContactFactory(family=family, baby=baby, recorded_by=hv)
    return {"family": family, "contact": fresh, "conversation": conversation}


def url_for(records, name, record):
    return reverse(name, args=[records[record].pk])


def test_every_visit_url_is_in_the_matrix():
    from conversations import urls_visits

    assert {p.name for p in urls_visits.urlpatterns} == {name for name, _ in URLS}


@pytest.mark.parametrize("actor", ALLOWED)
@pytest.mark.parametrize(("name", "record"), URLS)
def test_own_team_may_open(client, request, records, actor, name, record):
    client.force_login(request.getfixturevalue(actor))
    response = client.get(url_for(records, name, record))
    if response.status_code == 302:
        # The consent page, once consent is given, moves on to the next page to fill in.
        assert response["Location"].startswith("/conversations/")
        response = client.get(response["Location"])
    assert response.status_code == 200


@pytest.mark.parametrize("actor", REFUSED)
@pytest.mark.parametrize(("name", "record"), URLS)
def test_everyone_else_gets_not_found_on_get(client, request, records, actor, name, record):
    client.force_login(request.getfixturevalue(actor))
    response = client.get(url_for(records, name, record))
    assert response.status_code == 404
    assert "Scoped" not in response.content.decode()


@pytest.mark.parametrize("actor", REFUSED)
@pytest.mark.parametrize(("name", "record"), URLS)
def test_everyone_else_gets_not_found_on_post_and_nothing_changes(
    client, request, records, actor, name, record
):
    client.force_login(request.getfixturevalue(actor))
    before = (
        Contact.objects.count(),
        Conversation.objects.count(),
        ConsentDecision.objects.count(),
    )
    response = client.post(url_for(records, name, record), POSTS[name])
    assert response.status_code == 404
    after = (Contact.objects.count(), Conversation.objects.count(), ConsentDecision.objects.count())
    assert after == before
    conversation = records["conversation"]
    conversation.refresh_from_db()
    assert (conversation.word_1, conversation.reflection) == ("Scoped word", "")
    assert conversation.consent_status == "given"
    assert not Contact.objects.entered_in_error().exists()
