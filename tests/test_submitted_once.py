"""Every form page applies a submission once: sent twice, or twice at the same moment, it makes
one change, and the repeat is told it was already saved.

Every URL pattern that takes a POST is a :class:`~attachment_app.form_page.FormPageView` (which
gives its form a submission key and applies it once, ADR 0011) or is exempt below with its
reason. Each form page of every role is then walked as it is used: signed in as the person who
uses it, the page opened, the form filled in with valid answers and saved; then the very same
form is sent again, in turn and from two browsers at once.
"""

import json
import threading
from collections.abc import Callable
from datetime import timedelta
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from psycopg import sql

from attachment_app.audit.models import AccessLog
from attachment_app.form_page import ALREADY_SAVED, KEY_FIELD, FormPageView
from attachment_app.submissions.models import Submission
from referrals.models import DirectoryFeed, DirectoryImport
from screening import engine
from screening.models import ConcernCategory, InstrumentDefinition
from tests.audit.test_access_walk import FAMILY_PAGES, every_pattern
from tests.factories import CaregiverFactory, HealthVisitorFactory
from tests.factories_referrals import ReferralFactory
from tests.html_forms import as_sent, page_form
from tests.referrals.sending import code_in, make_ready, send_by_email
from tests.signin import SecondFactorClient

#: What the repeat's next page says (after the time of the first).
ALREADY_SAID = ALREADY_SAVED.split("{time}")[1]

#: Pages that take a POST and are not form pages, each with why its POST needs no key.
EXEMPT = {
    # Signing in and out, and one's own password and second factor: allauth's pages, each a
    # step that is safe to repeat (a second sign-in, a code refused as already used).
    **dict.fromkeys(
        [
            "account_login",
            "account_logout",
            "account_change_password",
            "account_reauthenticate",
            "mfa_authenticate",
            "mfa_reauthenticate",
            "mfa_activate_totp",
            "mfa_deactivate_totp",
            "mfa_generate_recovery_codes",
            "mfa_add_webauthn",
            "mfa_reauthenticate_webauthn",
            "mfa_remove_webauthn",
            "mfa_edit_webauthn",
        ],
        "signing in and out, and one's own second factor: allauth's pages",
    ),
    "invitation_accept": "its one-time token is used up by the first press",
    "home": "the caseload search is kept in the session, not saved",
    "notification_open": "marking one's own notification read twice leaves it read",
    "notification_read_all": "marking one's own notifications read twice leaves them read",
    "service_referral_code": "emails the service a one-time code; a second press sends a new one",
    "service_referral_verify": "checks a one-time code, used up by the first press",
    "draft_save": "a draft is kept once per user and page; sent again it is replaced",
    "draft_discard": "throwing a draft away twice leaves it gone",
}
#: Django's admin (staff only, its own forms), by namespace.
EXEMPT_NAMESPACES = {"admin": "Django's admin: staff only, with its own forms"}

#: Pages a team lead uses, and pages an admin uses; every other form page is the health
#: visitor's (the world's records are theirs).
TEAM_LEAD_PAGES = {
    "referral_transition",
    "referral_review_after_sending",
    "role_request_decide",
    "fhir:bulk_export_create",
}
ADMIN_PAGES = {
    "instrument_definition_add",
    "instrument_definition_retire",
    "local_item_text_update",
    "directory_service_create",
    "directory_service_update",
    "directory_service_retire",
    "directory_organization_create",
    "directory_organization_update",
    "directory_organization_retire",
    "directory_import_create",
    "directory_import_detail",
    "directory_feed_create",
    "directory_feed_update",
    "directory_feed_sync",
    "person_invite",
    "person_deactivate",
    "person_reset_second_factor",
    "person_request_role",
    "team_create",
    "team_update",
}
#: The page whose HTML shows the form, where it is not the form's own page.
SHOWN_ON = {
    "instrument_definition_retire": "instrument_definition_detail",
    "directory_feed_sync": "directory_feed_update",
}


def _feed(world) -> dict:
    feed, _ = DirectoryFeed.objects.get_or_create(
        name="Invented Family Hubs", defaults={"url": "https://hubs.example.invalid/oruk"}
    )
    return {"feed_id": feed.pk}


def _checked_import(world) -> dict:
    """A check that refused nothing, waiting for the admin to save it."""
    check, _ = DirectoryImport.objects.get_or_create(
        source="https://hubs.example.invalid/oruk",
        dry_run=True,
        defaults={
            "outcome": DirectoryImport.Outcome.CHECKED,
            "report": {"source": "https://hubs.example.invalid/oruk", "services": []},
        },
    )
    return {"import_id": check.pk}


def _phq9(world) -> dict:
    return {"definition_id": InstrumentDefinition.objects.get(code="phq9", version=1).pk}


def _epds(world) -> dict:
    return {"definition_id": InstrumentDefinition.objects.get(code="epds", version=1).pk}


#: The record each page is opened on, where the access walk's is not the one or it names none.
RECORD: dict[str, Callable[[Any], dict]] = {
    "concern_close": lambda w: {"concern_id": w.open_concern.pk},
    # The world's parent is named in a consent decision, so stays; a second one may be marked
    # (made here, for this page alone: a second parent changes what other pages ask).
    "caregiver_entered_in_error": lambda w: {"caregiver_id": CaregiverFactory(family=w.family).pk},
    "instrument_definition_retire": _phq9,
    "instrument_definition_detail": _phq9,
    "local_item_text_update": _epds,
    "directory_service_update": lambda w: {"service_id": w.service.pk},
    "directory_service_retire": lambda w: {"service_id": w.service.pk},
    "directory_organization_update": lambda w: {"organization_id": w.service.organization_id},
    "directory_organization_retire": lambda w: {"organization_id": w.service.organization_id},
    "person_deactivate": lambda w: {"person_id": w.other_hv.pk},
    "person_reset_second_factor": lambda w: {"person_id": w.other_hv.pk},
    "person_request_role": lambda w: {"person_id": w.other_hv.pk},
    "role_request_decide": lambda w: {"request_id": w.role_request.pk},
    "team_update": lambda w: {"team_id": w.team.pk},
    "service_referral_reply": lambda w: {"action": "acknowledge"},
    "directory_import_detail": _checked_import,
    "directory_feed_update": _feed,
    "directory_feed_sync": _feed,
}


def _date(prefix: str, days_from_today: int = 0) -> Callable[[Any], dict]:
    """A date field's three boxes, ``days_from_today`` from today."""

    def parts(world) -> dict:
        day = timezone.localdate() + timedelta(days=days_from_today)
        return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}

    return parts


def _new_gad7_version(world) -> dict:
    shipped = json.loads((engine.DEFINITIONS_DIR / "gad7.v1.json").read_text())
    return {"definition_text": json.dumps({**shipped, "version": 2})}


#: A choice's first offered value (where the ids are the database's).
FIRST_OFFERED = "first offered"
CONCERN = {"category": FIRST_OFFERED, "severity": "low", "note": "Tired and low since the birth."}
#: What valid answers type over each page's own defaults (what it leaves empty or unchosen):
#: field values, or a function of the world that gives some. Pages not named here are saved as
#: they open (a button, or a form whose defaults are valid answers).
VALID: dict[str, dict[str, Any]] = {
    "family_create": {"name": "Okafor", "address_line_1": "2 Test Street", "postcode": "LS2 7AB"},
    "caregiver_create": {"name": "Sam Ashworth", "relationship": "father"},
    "baby_create": {"name": "Noor", "date": _date("date_of_birth", -10)},
    "contact_create": {"contact_type": "additional", "place": "home"},
    "conversation_consent": {"decision": "given"},
    "conversation_answers": {"word_1": "warm", "joy": "Her smile.", "fear": "Being alone."},
    # Saved for later: completing it needs the answers page done first.
    "conversation_reflection": {
        "reflection": "Calm and close.",
        "raised_concern": "no",
        "action": "later",
    },
    "screening_complete": {
        "parent_agreed": "on",
        **{f"item_{number}": "not_at_all" for number in range(1, 10)},
    },
    "screening_result_correct": {"correction_reason": "Item 9 was entered by mistake."},
    "concern_create": CONCERN,
    "family_concern_create": CONCERN,
    "concern_acknowledge": {"action_taken": "Phoned the parent; seen by the GP today."},
    "concern_close": {"reason": "Talked through at the visit: resolved."},
    "observation_create": {"kind": "strength", "text": "Responds warmly when the baby cries."},
    "signpost_create": {"resource_name": "Baby sleep leaflet"},
    "referral_create": {
        "reason": "Low mood since the birth.",
        "sharing_basis": "consent",
        "consent_method": "in_person",
    },
    "follow_up_create": {"purpose": "Check on feeding.", "date": _date("due_on", 14)},
    "follow_up_close": {"outcome": "done"},
    "referral_record_sent": {"method": "phone"},
    "instrument_definition_add": {"text": _new_gad7_version},
    "local_item_text_update": {"licence_reference": "RCPsych L-2026-17", "item_1": "Wording."},
    "directory_organization_create": {"name": "Riverside Family Services"},
    "directory_service_create": {
        "organization": lambda w: w.service.organization_id,
        "name": "Little Steps",
        "description": "A group for parents and babies.",
        "referral_method": "email",
        "email": "steps@example.invalid",
        "national": "on",
    },
    "directory_import_create": {"source": "https://hubs.example.invalid/oruk"},
    "directory_feed_create": {
        "name": "Riverside Family Hubs",
        "url": "https://riverside.example.invalid/oruk",
        "schedule": "daily",
    },
    "person_invite": {
        "first_name": "Ada",
        "last_name": "Jones",
        "email": "ada.jones@example.invalid",
        "username": "ada.jones",
    },
    "person_deactivate": {"reason": "Left the trust."},
    "person_reset_second_factor": {"reason": "Lost their phone."},
    "person_request_role": {"role": "team_lead"},
    "role_request_decide": {"decision": "approve"},
    "team_create": {"name": "Team C"},
    **{
        f"{kind}_entered_in_error": {"reason": "Recorded twice by mistake."}
        for kind in (
            "caregiver",
            "contact",
            "screening_result",
            "concern",
            "observation",
            "signpost",
            "follow_up",
        )
    },
}


# --- The pages --------------------------------------------------------------------------------


def _posting_patterns():
    """(name, view class or None) of every named pattern whose view takes a POST."""
    for name, _route, pattern in every_pattern():
        view_class = getattr(pattern.callback, "view_class", None)
        if view_class is not None:
            if hasattr(view_class, "post") and "post" in view_class.http_method_names:
                yield name, view_class
        elif (
            name.split(":")[0] in EXEMPT_NAMESPACES
            or name in EXEMPT
            or _function_takes_post(pattern.callback)
        ):
            yield name, None


def _exempt(name: str) -> bool:
    return name in EXEMPT or name.split(":")[0] in EXEMPT_NAMESPACES


def _function_takes_post(view) -> bool:
    """A function view takes a POST unless a wrapper refuses it (``require_GET`` and the like:
    Django's ``require_http_methods`` keeps the methods it allows in its closure)."""
    while view is not None:
        for cell in getattr(view, "__closure__", None) or ():
            allowed = cell.cell_contents
            if (
                isinstance(allowed, list | tuple)
                and allowed
                and all(isinstance(method, str) for method in allowed)
            ):
                return "POST" in allowed
        view = getattr(view, "__wrapped__", None)
    return True


def _form_pages() -> list[str]:
    return sorted(
        name
        for name, view_class in _posting_patterns()
        if view_class is not None and issubclass(view_class, FormPageView)
    )


def test_every_page_that_takes_a_post_is_a_form_page_or_exempt_with_its_reason():
    """A new page that changes something cannot skip its submission key."""
    posting = dict(_posting_patterns())
    loose = sorted(
        name
        for name, view_class in posting.items()
        if not (view_class is not None and issubclass(view_class, FormPageView))
        and not _exempt(name)
    )
    assert loose == [], f"pages taking a POST that are neither a FormPageView nor exempt: {loose}"
    # Every exemption names a page that takes a POST and is not a form page.
    exempt_form_pages = {name for name in EXEMPT if name in _form_pages()}
    assert exempt_form_pages == set()
    assert set(EXEMPT) <= set(posting), set(EXEMPT) - set(posting)
    # The tables name no page that has gone.
    names = {name for name, _, _ in every_pattern()}
    assert set(RECORD) | set(VALID) | TEAM_LEAD_PAGES | ADMIN_PAGES <= names


# --- The world each page is walked in ---------------------------------------------------------


@pytest.fixture
def walk_world(world, admin_user, other_hv):
    """The access walk's world, with a person to change and a role request to decide."""
    from attachment_app.accounts import services as account_services

    world.admin = admin_user
    world.other_hv = other_hv
    newcomer: Any = HealthVisitorFactory(team=world.team, username="hv.new")
    world.role_request = account_services.role_request_create(
        actor=admin_user, person=newcomer, role="team_lead", team=world.team
    )
    return world


def _user(name: str, world):
    if name in TEAM_LEAD_PAGES:
        return world.team_lead
    if name in ADMIN_PAGES:
        return world.admin
    return world.hv


def _url(name: str, world) -> str:
    kwargs: Any = RECORD.get(name) or (FAMILY_PAGES[name][0] if name in FAMILY_PAGES else {})
    return reverse(name, kwargs=kwargs(world) if callable(kwargs) else kwargs)


def _signed_in(name: str, world, client=None):
    """A client signed in as the page's user (for the service's page: its link and code)."""
    client = client or SecondFactorClient()
    if name == "service_referral_reply":
        _open_service_link(client, world)
    else:
        client.force_login(_user(name, world))
    return client


def _open_service_link(client, world) -> None:
    """Send a referral to the service by email, open its link and enter the code emailed."""
    referral: Any = ReferralFactory(family=world.family, service=world.service, created_by=world.hv)
    referral.concerns.set([world.open_concern])
    make_ready(referral, world.hv, world.team_lead)
    token = send_by_email(referral, world.hv)
    response = client.get(reverse("service_link_open", args=[token]))
    assert response.status_code == 302
    mail.outbox.clear()
    client.post(reverse("service_referral_code"))
    response = client.post(
        reverse("service_referral_verify"), {"code": code_in(str(mail.outbox[-1].body))}
    )
    assert response.status_code == 302


def _filled_in(name: str, client, world) -> tuple[str, dict[str, list[str]]]:
    """The page opened and its form filled in with valid answers: (where it posts, data)."""
    url = _url(name, world)
    shown_on = _url(SHOWN_ON[name], world) if name in SHOWN_ON else url
    opened = client.get(shown_on)
    assert opened.status_code == 200, f"{name}: {opened.status_code}"
    fields = page_form(opened.content.decode(), url)
    assert any(field["name"] == KEY_FIELD for field in fields), f"{name}: no submission key"
    data = as_sent(fields)
    for field, value in VALID.get(name, {}).items():
        value = value(world) if callable(value) else value
        if value == FIRST_OFFERED:
            value = next(one["value"] for one in fields if one["name"] == field)
        typed = value if isinstance(value, dict) else {field: value}
        data.update({key: [str(one)] for key, one in typed.items()})
    return url, data


# --- Counting what changed --------------------------------------------------------------------

#: Left out of the counts: the access log and the sessions change on every request by design
#: (the repeat is shown a page, and that showing is logged); the submission keys are what this
#: test checks apart, one per key.
NOT_COUNTED = {AccessLog._meta.db_table, "django_session", Submission._meta.db_table}
PROJECT_APPS = ("attachment_app", "conversations", "referrals", "screening")


def _counted_tables() -> list[str]:
    """Every table of the project's apps, and the change-history (pghistory) tables."""
    tables = set()
    for model in apps.get_models():
        module = model.__module__
        if not model._meta.managed or model._meta.proxy:
            continue
        if module.startswith(PROJECT_APPS) or model._meta.app_label == "pghistory":
            tables.add(model._meta.db_table)
    return sorted(tables - NOT_COUNTED)


def table_counts() -> dict[str, int]:
    query = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT {}, count(*) FROM {}").format(sql.Literal(t), sql.Identifier(t))
        for t in _counted_tables()
    )
    with connection.cursor() as cursor:
        cursor.execute(query.as_string(cursor.connection))
        return dict(cursor.fetchall())


def _errors(response) -> str:
    form = (response.context or {}).get("form") if response.context is not None else None
    if form is not None and form.errors:
        return form.errors.as_json()
    return response.content.decode()[:400]


# --- The walk ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", _form_pages())
def test_the_same_form_sent_twice_makes_one_change(name, walk_world):
    world = walk_world
    client = _signed_in(name, world)
    url, data = _filled_in(name, client, world)

    first = client.post(url, data)
    assert first.status_code == 302, f"{name}: {first.status_code} {_errors(first)}"
    after_first = table_counts()

    again = client.post(url, data)
    assert again.status_code == 302, f"{name}: {again.status_code} {_errors(again)}"
    assert again["Location"] == first["Location"], name
    assert table_counts() == after_first, f"{name}: the repeat changed something"
    assert Submission.objects.filter(key=data[KEY_FIELD][0]).count() == 1, name
    shown = client.get(again["Location"], follow=True)
    assert ALREADY_SAID in shown.content.decode(), f"{name}: the repeat was not told so"


# --- The same form from two browsers at once --------------------------------------------------


class _Undone(Exception):
    """Raised to roll back a change made only to see what one change is."""


def _one_change(client, url: str, data: dict) -> dict[str, int]:
    """The rows one submission adds or removes, table by table, found by making it in a
    transaction that is then rolled back (its key with it)."""
    before = table_counts()
    try:
        with transaction.atomic():
            response = client.post(url, data)
            assert response.status_code == 302, f"{url}: {_errors(response)}"
            after = table_counts()
            raise _Undone
    except _Undone:
        pass
    assert table_counts() == before
    return {table: after[table] - before[table] for table in before}


#: The migrations that put in rows the pages need (concern categories, the directory's
#: interventions and taxonomy): a test with real transactions empties every table after it.
SEEDING_MIGRATIONS = [
    ("screening.migrations.0002_concern_categories", "add_categories"),
    ("referrals.migrations.0002_interventions_and_categories", "add"),
    ("referrals.migrations.0004_evidence_source_in_full", "spell_out"),
]


@pytest.fixture
def seeded(transactional_db):
    """The migrations' rows, put back where an earlier test with real transactions emptied
    them (quicker than ``serialized_rollback``, which clashes with the content types that the
    other such tests leave)."""
    if not ConcernCategory.objects.exists():
        for module, function in SEEDING_MIGRATIONS:
            getattr(import_module(module), function)(apps, None)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", _form_pages())
def test_the_same_form_sent_twice_at_once_makes_one_change(name, seeded, walk_world):
    world = walk_world
    first = _signed_in(name, world)
    url, data = _filled_in(name, first, world)
    one_change = _one_change(first, url, data)
    second = SecondFactorClient()
    if name == "service_referral_reply":
        # The service's second window: the same browser, its link and code already entered.
        second.cookies = first.cookies
    else:
        second.force_login(_user(name, world))
    before = table_counts()

    barrier = threading.Barrier(2)
    answers: list = []

    def send(client):
        try:
            barrier.wait()
            answers.append(client.post(url, data))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(client,)) for client in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [answer.status_code for answer in answers] == [302, 302], name
    assert answers[0]["Location"] == answers[1]["Location"], name
    after = table_counts()
    made = {table: after[table] - before[table] for table in before}
    assert made == one_change, f"{name}: not one change"
    key = data[KEY_FIELD][0]
    assert Submission.objects.filter(key=key).count() == 1, name
