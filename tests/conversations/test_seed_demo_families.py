"""The demo families: invented, varied, in every state, and the same after a second run."""

import nhs_number
import pytest
from django.core.management import call_command

from conversations.models import Baby, Contact, Conversation, Family


def snapshot():
    return {
        "families": sorted(Family.objects.values_list("team__name", "name", "postcode")),
        "babies": sorted(Baby.objects.values_list("family__name", "name", "nhs_number")),
        "contacts": Contact.objects.count(),
        "conversations": sorted(
            Conversation.objects.values_list("family__name", "consent_status", "word_1")
        ),
    }


@pytest.fixture
def seeded(db):
    with open("/dev/null", "w") as devnull:
        call_command("seed_demo", stdout=devnull)
    return snapshot()


def test_second_run_creates_nothing_new(seeded):
    with open("/dev/null", "w") as devnull:
        call_command("seed_demo", stdout=devnull)
    assert snapshot() == seeded


# Seeding takes seconds, so the checks of what was made share one run.
def test_demo_families_are_varied_invented_and_in_every_state(seeded):
    teams = [team for team, _name, _postcode in seeded["families"]]
    assert {team: teams.count(team) for team in set(teams)} == {
        "Riverside Health Visiting Team": 30,
        "Hillcrest Health Visiting Team": 30,
    }

    numbers = [number for _family, _name, number in seeded["babies"] if number]
    assert numbers
    assert all(number.startswith("999") and nhs_number.is_valid(number) for number in numbers)

    assert Baby.objects.filter(date_of_birth=None).exists()
    assert Baby.objects.exclude(date_of_birth=None).exists()
    assert len({family.next_contact_type for family in Family.objects.all()}) >= 4

    for team in ("Riverside Health Visiting Team", "Hillcrest Health Visiting Team"):
        conversations = Conversation.objects.filter(family__team__name=team)
        states = {conversation.state for conversation in conversations}
        assert states >= {"declined", "deferred", "given", "withdrawn", "completed"}
    completed = [c for c in Conversation.objects.all() if c.state == "completed"]
    assert all(c.words and c.joy and c.fear and c.reflection for c in completed)
