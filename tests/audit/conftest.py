"""A team with one family holding a record of every kind, so that every page can be opened."""

from types import SimpleNamespace

import pytest

from referrals import services as referral_services
from screening import services as screening_services
from tests.factories import (
    BabyFactory,
    CaregiverFactory,
    ContactFactory,
    ConversationFactory,
    FamilyFactory,
    TeamLeadFactory,
)
from tests.factories_referrals import ConcernFactory, ReferralFactory, ServiceFactory


def _referral(world, **fields):
    referral = ReferralFactory(family=world.family, service=world.service, **fields)
    referral.concerns.set([world.open_concern])
    return referral


@pytest.fixture
def world(team_a, hv, team_lead, team_lead_b):
    """Team A's family with a record behind every URL parameter, and a second team lead."""
    screening_services.instrument_definitions_load_shipped()
    w = SimpleNamespace(hv=hv, team_lead=team_lead, team=team_a)
    w.second_lead = TeamLeadFactory(team=team_a, username="lead.a2")
    w.family = FamilyFactory(team=team_a, named_hv=hv, name="Ashworth", postcode="LS1 4AP")
    w.caregiver = CaregiverFactory(family=w.family)
    w.baby = BabyFactory(family=w.family)
    # A contact whose conversation has consent; one with no conversation; one awaiting consent.
    w.contact = ContactFactory(family=w.family, recorded_by=hv, baby=w.baby)
    w.conversation = ConversationFactory(contact=w.contact, consent_status="given")
    w.bare_contact = ContactFactory(family=w.family, recorded_by=hv, baby=w.baby)
    w.waiting_contact = ContactFactory(family=w.family, recorded_by=hv, baby=w.baby)
    w.waiting_conversation = ConversationFactory(contact=w.waiting_contact)
    # PHQ-9 item 9 above nought raises an urgent concern awaiting acknowledgement.
    phq9 = screening_services.current_definition("phq9")
    answers = {str(n): "not_at_all" for n in range(1, 10)} | {"9": "several_days"}
    w.result = screening_services.screening_result_record(
        actor=hv, contact=w.contact, definition=phq9, answers=answers
    )
    w.concern = w.result.concerns.get()
    w.open_concern = ConcernFactory(family=w.family, raised_by=hv)
    w.service = ServiceFactory(
        name="Perinatal Mental Health Team",
        terms=["perinatal-mental-health"],
        interventions=["vig"],
        districts=["LS1"],
    )
    w.draft = _referral(w, created_by=hv)
    w.submitted = _referral(w, created_by=hv)
    referral_services.referral_transition(
        actor=hv, referral=w.submitted, action="submit", expected_version=w.submitted.version
    )
    w.sent_urgently = _referral(w, created_by=hv, urgency="urgent")
    referral_services.referral_transition(
        actor=hv,
        referral=w.sent_urgently,
        action="send-urgently",
        note="Cannot wait.",
        expected_version=w.sent_urgently.version,
    )
    w.follow_up = referral_services.follow_up_plan(
        actor=hv, family=w.family, due_on=w.contact.contact_date, purpose="Check on sleep."
    )
    # Another team's family: never listed for team A.
    w.other_family = FamilyFactory(team=team_lead_b.team, name="Brook")
    return w
