"""Two web processes and two workers behind one address behave as one service.

A load balancer may send each request of one person to either web process, and any worker may
take any task. So whatever a later request or task relies on lives in PostgreSQL, never in a
process: the session (with allauth's sign-in stage and second-factor records, and what was
typed before a timeout), the cache (authenticator codes already used), drafts, submission keys,
the sign-in history the throttle counts, advisory locks and reminders. Each test here moves
between real gunicorn processes on two ports at every step, or hands work to two real Celery
workers on one queue, and checks the outcome is the one a single process gives.
"""

import re
import threading
from datetime import timedelta

import psycopg
import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from attachment_app.accounts.models import AccountEvent
from attachment_app.reminders.models import Notification, Reminder
from attachment_app.reminders.services import SWEEP_LOCK_ID
from attachment_app.submissions.models import Draft, Submission
from referrals.models import DirectoryFeed, DirectoryImport
from referrals.oruk import syncing
from screening.models import Concern, ConcernCategory
from tests.factories import FamilyFactory
from tests.html_forms import as_sent, page_form
from tests.reminders.test_worker import submitted_long_ago
from tests.signin import totp_code

from .conftest import (
    Browser,
    csrf_token,
    current_code,
    database_address,
    queue_is_empty,
    sign_in,
    submit_code,
    submit_password,
    wait_until,
)

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = "Heard shouting from the flat next door 4711"
RESTORED = "You were signed out. We kept what you typed"
DRAFT_OFFERED = "You have a draft of this page from"
LOCKED = "too many failed attempts"


@pytest.fixture
def family(hv):
    return FamilyFactory(team=hv.team, named_hv=hv, name="Okafor")


@pytest.fixture
def category(transactional_db):
    # The migration's categories are gone once an earlier transaction test has emptied the
    # tables, so the one these tests choose is made if missing.
    category, _ = ConcernCategory.objects.get_or_create(
        code="safeguarding", defaults={"name": "Safeguarding", "position": 8}
    )
    return category


def concern_page(family) -> str:
    return reverse("family_concern_create", args=[family.pk])


def concern_form(browser: Browser, address: str, family, category) -> dict[str, list[str]]:
    """The concern page's form as shown by ``address``, filled in as a health visitor would."""
    path = concern_page(family)
    page = browser.get(address, path)
    assert page.status_code == 200, page.text[:500]
    data = as_sent(page_form(page.text, path))
    data.update(category=[str(category.pk)], severity=["moderate"], note=[NOTE])
    return data


def sign_out(browser: Browser, address: str) -> None:
    home = browser.get(address, reverse("home"))
    signed_out = browser.post(
        address, reverse("account_logout"), {"csrfmiddlewaretoken": csrf_token(home.text)}
    )
    assert signed_out.status_code == 302


def signed_in_at(browser: Browser, address: str, user) -> bool:
    home = browser.get(address, reverse("home"))
    return home.status_code == 200 and user.get_full_name() in home.text


def forget_codes_used() -> None:
    """Let the same authenticator code sign in again, as a test signing in twice within 30
    seconds needs. The cache is the database's, so this is done for every process at once."""
    cache.clear()


# --- Sessions -------------------------------------------------------------------------------------


def test_a_sign_in_begun_at_one_process_is_finished_at_the_other_and_holds_at_both(
    web, browser, hv
):
    # The password at A leaves allauth's pending sign-in in the session; B finishes it.
    assert sign_in(browser, hv, password_at=web.a, code_at=web.b) == reverse("home")

    assert signed_in_at(browser, web.a, hv)
    assert signed_in_at(browser, web.b, hv)


def test_a_form_opened_at_one_process_is_saved_by_the_other(web, browser, hv, family, category):
    sign_in(browser, hv, password_at=web.a, code_at=web.a)
    data = concern_form(browser, web.a, family, category)

    # B takes the form A showed: its token matches the browser's CSRF cookie, and the session
    # the cookie names is in the database.
    saved = browser.post(web.b, concern_page(family), data)

    assert saved.status_code == 302, saved.text[:500]
    assert Concern.objects.get(family=family).note == NOTE


def test_one_form_sent_to_both_processes_at_the_same_moment_is_saved_once(
    web, browser, hv, family, category
):
    sign_in(browser, hv, password_at=web.b, code_at=web.a)
    data = concern_form(browser, web.a, family, category)
    other_tab = browser.same_session()
    both_ready = threading.Barrier(2, timeout=10)
    answers = {}

    def send(tab: Browser, address: str) -> None:
        both_ready.wait()
        answers[address] = tab.post(address, concern_page(family), data)

    threads = [
        threading.Thread(target=send, args=(browser, web.a)),
        threading.Thread(target=send, args=(other_tab, web.b)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    other_tab.close()

    assert sorted(answers) == sorted([web.a, web.b])
    assert [answer.status_code for answer in answers.values()] == [302, 302]
    # The repeat is sent where the first went: to what that one made.
    assert answers[web.a].headers["location"] == answers[web.b].headers["location"]
    assert Concern.objects.filter(family=family).count() == 1
    assert Submission.objects.count() == 1


def test_a_draft_kept_through_one_process_is_offered_by_the_other(
    web, browser, hv, family, category
):
    sign_in(browser, hv, password_at=web.a, code_at=web.b)
    path = concern_page(family)
    page = browser.get(web.a, path)
    kept = browser.post(
        web.a,
        reverse("draft_save"),
        {
            "csrfmiddlewaretoken": csrf_token(page.text),
            "draft_path": path,
            "category": str(category.pk),
            "note": NOTE,
        },
    )
    assert kept.status_code == 200, kept.text[:500]

    offered = browser.get(web.b, path)
    assert DRAFT_OFFERED in offered.text
    assert NOTE in browser.get(web.b, path, draft="use").text
    assert Draft.objects.get().user == hv


def test_what_was_typed_when_the_session_timed_out_at_one_process_is_restored_by_the_other(
    web, browser, hv, family, category
):
    sign_in(browser, hv, password_at=web.a, code_at=web.a)
    path = concern_page(family)
    data = concern_form(browser, web.a, family, category)
    # The idle limit passes: the session's row says it has expired, as it does after 30
    # minutes without a request.
    Session.objects.filter(session_key=browser.session_key).update(
        expire_date=timezone.now() - timedelta(minutes=1)
    )

    pressed = browser.post(web.a, path, data)
    assert pressed.status_code == 302
    assert pressed.headers["location"].startswith(reverse("account_login"))
    assert not Concern.objects.exists()

    forget_codes_used()
    assert sign_in(browser, hv, password_at=web.b, code_at=web.b, next_url=path) == path
    restored = browser.get(web.b, path)
    assert RESTORED in restored.text
    assert NOTE in restored.text
    # Given back once, wherever the next request goes.
    again = browser.get(web.a, path)
    assert RESTORED not in again.text
    assert NOTE not in again.text


def test_signing_out_at_one_process_ends_the_session_at_the_other(web, browser, hv):
    sign_in(browser, hv, password_at=web.a, code_at=web.b)
    # Another tab keeps the session's cookie as it was before signing out.
    other_tab = browser.same_session()
    assert signed_in_at(other_tab, web.b, hv)

    sign_out(browser, web.a)

    after = other_tab.get(web.b, reverse("home"))
    other_tab.close()
    assert after.status_code == 302
    assert after.headers["location"].startswith(reverse("account_login"))


def test_the_second_factor_asked_for_again_at_one_process_counts_at_the_other(
    web, browser, hv, family
):
    sign_in(browser, hv, password_at=web.a, code_at=web.a)
    # The session's record says the second factor was given longer ago than a download allows.
    session = SessionStore(session_key=browser.session_key)
    records = session[AUTHENTICATION_METHODS_SESSION_KEY]
    for record in records:
        record["at"] -= settings.SECOND_FACTOR_FRESH_FOR.total_seconds() + 60
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session.save()
    download = reverse("family_record_download", args=[family.pk])

    asked = browser.get(web.a, download)
    assert asked.status_code == 302
    confirm = asked.headers["location"]
    assert confirm.split("?")[0] == reverse("mfa_reauthenticate")
    forget_codes_used()
    page = browser.get(web.b, confirm)
    given = browser.post(
        web.b, confirm, {"csrfmiddlewaretoken": csrf_token(page.text), "code": current_code()}
    )
    assert given.status_code == 302, given.text[:500]

    downloaded = browser.get(web.a, download)
    assert downloaded.status_code == 200
    assert downloaded.headers["content-type"].startswith("application/fhir+json")


# --- Sign-in throttling and the cache ---------------------------------------------------------


def test_failed_sign_ins_at_both_processes_count_towards_one_lock(web, browser, hv):
    limit = settings.SIGN_IN_FAILURES_PER_USERNAME_AND_ADDRESS
    for attempt in range(limit):
        address = web.a if attempt % 2 == 0 else web.b
        refused = submit_password(browser, address, hv, password="not-the-password")
        assert refused.status_code == 200
        assert LOCKED not in refused.text

    # Neither process alone has seen the limit, yet both refuse even the right password.
    for address in (web.a, web.b):
        locked = submit_password(browser, address, hv)
        assert locked.status_code == 200
        assert LOCKED in locked.text
    failed = AccountEvent.objects.filter(
        kind=AccountEvent.Kind.SIGN_IN_FAILED, username=hv.username
    )
    assert failed.count() == limit


def test_an_authenticator_code_used_at_one_process_is_refused_at_the_other(web, browser, hv):
    # Time enough for both sign-ins within the code's 30 seconds.
    code = current_code(seconds_left=10)
    assert submit_password(browser, web.a, hv).status_code == 302
    assert submit_code(browser, web.a, code).status_code == 302
    sign_out(browser, web.a)

    assert submit_password(browser, web.b, hv).status_code == 302
    again = submit_code(browser, web.b, code)

    assert again.status_code == 200
    assert "it has been used already" in again.text
    assert not signed_in_at(browser, web.b, hv)
    assert totp_code() == code, "the code changed during the test, so its refusal proves nothing"


# --- Workers ------------------------------------------------------------------------------------

#: How many due reminders the workers are given, each enqueued three times or more.
REMINDERS = 6
#: What the console email backend writes for each reminder email.
EMAIL_SUBJECT = f"Subject: {settings.SERVICE_NAME}: something needs your attention"


def due_reminders() -> list[int]:
    return list(
        Reminder.objects.filter(status="pending", due_at__lte=timezone.now()).values_list(
            "pk", flat=True
        )
    )


def result_of(workers, task_id: str) -> str | None:
    """What the task with this message id returned, as the worker that ran it logged it."""
    ended = re.compile(rf"\[{re.escape(task_id)}\] succeeded in \S+ (.*)$", re.MULTILINE)
    for worker in workers:
        found = ended.search(worker.output())
        if found:
            return found.group(1)
    return None


@pytest.mark.worker
def test_two_workers_on_one_queue_deliver_each_due_reminder_once(
    workers, broker, send_task, team_a, hv, team_lead
):
    for _ in range(REMINDERS):
        submitted_long_ago(team_a, hv)
    due = due_reminders()
    assert len(due) >= REMINDERS
    logged_before = {worker.name: len(worker.output()) for worker in workers}

    # Every reminder's message twice, so that both workers may take it at the same moment, and
    # two sweeps at once, each of which enqueues them all again unless the other holds the lock.
    for reminder_id in due:
        send_task("reminders.send_reminder", reminder_id)
        send_task("reminders.send_reminder", reminder_id)
    send_task("reminders.sweep_reminders")
    send_task("reminders.sweep_reminders")

    def all_sent_and_done() -> bool:
        sent = Reminder.objects.filter(pk__in=due, status="sent").count() == len(due)
        return sent and queue_is_empty(broker)

    wait_until(all_sent_and_done, 60, "the workers send every reminder")
    logs = {worker.name: worker.output()[logged_before[worker.name] :] for worker in workers}
    for name, log in logs.items():
        assert re.search(r"Task reminders\.send_reminder\[[^]]+\] received", log), (
            f"{name} took no reminder, so the test did not use both workers"
        )
    together = "".join(logs.values())
    sent = re.findall(r"Task reminders\.send_reminder\[[^]]+\] succeeded in \S+ 'sent'", together)
    assert len(sent) == len(due)
    assert together.count(EMAIL_SUBJECT) == len(due)
    for reminder_id in due:
        assert Notification.objects.filter(reminder_id=reminder_id).count() == 1


@pytest.mark.worker
def test_a_lock_held_by_one_process_stops_the_same_work_in_every_worker(
    workers, broker, send_task, team_a, hv, team_lead
):
    submitted_long_ago(team_a, hv)
    due = due_reminders()
    assert due
    feed = DirectoryFeed.objects.create(
        name="Invented Family Hubs",
        url="http://127.0.0.1:9/never-read",
        schedule=DirectoryFeed.Schedule.DAILY,
    )

    # Another process (this test, on a connection of its own) holds the locks a running sweep
    # and a running sync of the feed hold.
    other = psycopg.connect(database_address(), autocommit=True)
    try:
        with other.transaction():
            other.execute("SELECT pg_advisory_xact_lock(%s)", [SWEEP_LOCK_ID])
            other.execute("SELECT pg_advisory_lock(%s, %s)", [syncing.FEED_LOCK, feed.pk])
            sweep = send_task("reminders.sweep_reminders")
            sync = send_task("referrals.sync_directory_feed", feed.pk)
            wait_until(
                lambda: result_of(workers, sweep) and result_of(workers, sync),
                60,
                "the workers try the sweep and the sync",
            )
            assert result_of(workers, sweep) == "None"
            assert result_of(workers, sync) == "'not run'"
            assert not Reminder.objects.filter(pk__in=due, enqueued_at__isnull=False).exists()
            assert not DirectoryImport.objects.exists()
    finally:
        other.close()

    # Once the other process lets go, the next sweep in a worker does its work.
    send_task("reminders.sweep_reminders")
    wait_until(
        lambda: (
            Reminder.objects.filter(pk__in=due, status="sent").count() == len(due)
            and queue_is_empty(broker)
        ),
        60,
        "the next sweep sends the reminder",
    )
