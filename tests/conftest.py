"""Shared fixtures: two teams and a user of every role."""

from pathlib import Path
from types import SimpleNamespace

import pytest

from referrals import services as referral_services
from referrals import services_delivery
from screening import services as screening_services

from .factories import (
    AdminFactory,
    BabyFactory,
    CaregiverFactory,
    ContactFactory,
    ConversationFactory,
    FamilyFactory,
    HealthVisitorFactory,
    TeamFactory,
    TeamLeadFactory,
    UserFactory,
)
from .factories_referrals import ConcernFactory, ReferralFactory, ServiceFactory
from .signin import SecondFactorClient

BROWSER_TESTS = Path(__file__).resolve().parent / "browser"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Every test under tests/browser is a browser test, marked or not, so that `make test`'s
    run without a browser (`-m "not browser"`) leaves them all to the browser run. First, so
    the mark is there before `-m` deselects."""
    for item in items:
        if BROWSER_TESTS in item.path.resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def team_a(db):
    return TeamFactory(name="Team A")


@pytest.fixture
def team_b(db):
    return TeamFactory(name="Team B")


@pytest.fixture
def hv(team_a):
    """A health visitor in team A."""
    return HealthVisitorFactory(team=team_a, username="hv.a")


@pytest.fixture
def other_hv(team_a):
    """A second health visitor in team A."""
    return HealthVisitorFactory(team=team_a, username="hv.a2")


@pytest.fixture
def team_lead(team_a):
    return TeamLeadFactory(team=team_a, username="lead.a")


@pytest.fixture
def hv_b(team_b):
    """A health visitor in team B."""
    return HealthVisitorFactory(team=team_b, username="hv.b")


@pytest.fixture
def team_lead_b(team_b):
    return TeamLeadFactory(team=team_b, username="lead.b")


@pytest.fixture
def admin_user(db):
    return AdminFactory(username="admin.user")


@pytest.fixture
def no_role_user(team_a):
    """A user whose role was never set: they must see nothing."""
    return UserFactory(role="", team=team_a, username="norole")


@pytest.fixture
def client():
    """A test client whose ``force_login`` passes both steps of sign-in (tests/signin.py)."""
    return SecondFactorClient()


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def hv_client(client, hv):
    client.force_login(hv)
    return client


@pytest.fixture
def sign_in(client):
    """``sign_in(user)``: the test client, signed in as ``user``. New tests sign in through
    this one place, so a change to how sign-in works is made here."""

    def signed_in(user):
        client.logout()
        client.force_login(user)
        return client

    return signed_in


@pytest.fixture(scope="session", autouse=True)
def end_stray_database_sessions(django_db_setup, django_db_blocker):
    """In-process Celery workers and test threads keep database connections of their own; end
    them before the test database is dropped, so the run finishes without a teardown error."""
    yield
    with django_db_blocker.unblock():
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


def _referral(world, **fields):
    referral = ReferralFactory(family=world.family, service=world.service, **fields)
    referral.concerns.set([world.open_concern])
    return referral


# --- A family with a record behind every page ------------------------------------------------


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
    w.conversation = ConversationFactory(
        contact=w.contact, consent_status="given", caregiver=w.caregiver
    )
    w.bare_contact = ContactFactory(family=w.family, recorded_by=hv, baby=w.baby)
    w.waiting_contact = ContactFactory(family=w.family, recorded_by=hv, baby=w.baby)
    w.waiting_conversation = ConversationFactory(contact=w.waiting_contact)
    # PHQ-9 item 9 above nought raises an urgent concern awaiting acknowledgement.
    phq9 = screening_services.current_definition("phq9")
    answers = {str(n): "not_at_all" for n in range(1, 10)} | {"9": "several_days"}
    w.result = screening_services.screening_result_record(
        parent_agreed=True, actor=hv, contact=w.contact, definition=phq9, answers=answers
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
    # Returned by the team lead: waiting for the health visitor's changes.
    w.returned = _referral(w, created_by=hv)
    referral_services.referral_transition(
        actor=hv, referral=w.returned, action="submit", expected_version=w.returned.version
    )
    w.returned.refresh_from_db()
    referral_services.referral_transition(
        actor=team_lead,
        referral=w.returned,
        action="return",
        note="Say what the family agreed to.",
        expected_version=w.returned.version,
    )
    # Approved and sent by email: the service holds a link to it.
    w.sent = _referral(w, created_by=hv)
    referral_services.referral_transition(
        actor=hv, referral=w.sent, action="submit", expected_version=w.sent.version
    )
    w.sent.refresh_from_db()
    referral_services.referral_transition(
        actor=team_lead, referral=w.sent, action="approve", expected_version=w.sent.version
    )
    delivery = services_delivery.referral_send_by_email(
        actor=hv, referral=w.sent, expected_version=None
    )
    services_delivery.delivery_send(delivery.pk)
    w.sent.refresh_from_db()
    w.follow_up = referral_services.follow_up_plan(
        actor=hv, family=w.family, due_on=w.contact.contact_date, purpose="Check on sleep."
    )
    w.observation = screening_services.observation_record(
        actor=hv, contact=w.contact, kind="strength", text="Responds warmly to the baby."
    )
    w.signpost = referral_services.signpost_record(
        actor=hv, family=w.family, given_on=w.contact.contact_date, resource_name="Sleep leaflet"
    )
    # Another team's family: never listed for team A.
    w.other_family = FamilyFactory(team=team_lead_b.team, name="Brook")
    return w
