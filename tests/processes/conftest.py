"""Two web processes and two Celery workers on one database and one broker, as a deployment
puts several of each behind one address.

The processes are real: gunicorn and ``celery worker`` from this virtualenv, given what a
deployment gives them (``DATABASE_URL``, ``CELERY_BROKER_URL``), pointed at the test's own
database and at a Redis of these tests' own, so that no other run's worker takes their
messages. The test's rows must be committed for them to be seen: the tests are transaction
tests. Each process leads a process group of its own, which is stopped with its children
however the test ends.
"""

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import connection
from django.urls import reverse

from tests.factories import TEST_PASSWORD
from tests.reminders.test_worker import OwnRedis, free_port
from tests.signin import totp_code

#: The virtualenv's scripts: gunicorn and celery sit beside this Python.
SCRIPTS = Path(sys.executable).parent
#: How long a process may take to start, and to stop, on a busy machine.
START_SECONDS = 60
STOP_SECONDS = 15
#: How often a wait looks again.
POLL_SECONDS = 0.1
#: One worker each, so that each process is one process. No control socket: gunicorn puts it
#: at one path per user (~/.gunicorn/gunicorn.ctl), which any other gunicorn on the machine
#: would share.
GUNICORN_OPTIONS = ["-w", "1", "--no-control-socket"]


def wait_until(condition, seconds: float, what: str) -> None:
    """Look again every ``POLL_SECONDS`` until ``condition()`` holds; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Not within {seconds} s: {what}")
        time.sleep(POLL_SECONDS)


def database_address() -> str:
    """The address of the database the tests run on (pytest-django's test database)."""
    database = connection.settings_dict
    credentials = quote(database["USER"] or "", safe="")
    if database["PASSWORD"]:
        credentials += ":" + quote(database["PASSWORD"], safe="")
    host = quote(database["HOST"] or "127.0.0.1", safe="")
    port = f":{database['PORT']}" if database["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(database['NAME'], safe='')}"


def process_environment(broker_url: str) -> dict[str, str]:
    """What a deployment gives every web and worker process alike: one database, one broker."""
    environment = dict(os.environ)
    environment.pop("DJANGO_ENV", None)
    environment.update(
        DJANGO_TESTING="1",
        DEBUG="false",
        DATABASE_URL=database_address(),
        REDIS_URL=broker_url,
        CELERY_BROKER_URL=broker_url,
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        PYTHONUNBUFFERED="1",
    )
    return environment


@dataclass
class Started:
    """A process started for a test, and the file its output goes to."""

    name: str
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def running(self) -> bool:
        return self.process.poll() is None


class Processes:
    """The processes a fixture starts, each leading its own process group, stopped together."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.started: list[Started] = []

    def start(self, name: str, command: list[str], environment: dict[str, str]) -> Started:
        log = self.log_dir / f"{name}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started = Started(name, process, log)
        self.started.append(started)
        return started

    def stop(self) -> None:
        """SIGTERM to each group (gunicorn and Celery finish what they are doing and stop on
        it), then SIGKILL to any group still there when the time is up."""
        for started in self.started:
            _signal_group(started.process, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for started in self.started:
            try:
                started.process.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                _signal_group(started.process, signal.SIGKILL)
                started.process.wait()
            # Anything of the group its leader left behind (a worker's child, say).
            _signal_group(started.process, signal.SIGKILL)


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the group has gone already
        os.killpg(process.pid, signum)


@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    """A Redis of these tests' own: the one broker of the web processes and the workers."""
    server = OwnRedis(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


# --- Web processes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebProcesses:
    """The addresses of two web processes serving one deployment."""

    a: str
    b: str


def _answers(started: Started, address: str) -> bool:
    if not started.running():
        pytest.fail(f"{started.name} stopped while starting:\n{started.output()[-3000:]}")
    try:
        return httpx.get(address + reverse("account_login"), timeout=2).status_code == 200
    except httpx.TransportError:
        return False


@pytest.fixture(scope="module")
def web(django_db_setup, broker, tmp_path_factory):
    """Two gunicorn processes of one worker each, on two ports, for the tests of a module.

    They live as long as the module's tests (starting them is the slow part); each test's rows
    are committed and then removed at its end, as in any transaction test.
    """
    processes = Processes(tmp_path_factory.mktemp("web"))
    environment = process_environment(broker.url)
    gunicorn = str(SCRIPTS / "gunicorn")
    try:
        addresses = []
        for name in ("web-a", "web-b"):
            port = free_port()
            bind = f"127.0.0.1:{port}"
            command = [gunicorn, "attachment_app.wsgi", "-b", bind, *GUNICORN_OPTIONS]
            addresses.append((processes.start(name, command, environment), f"http://{bind}"))
        for started, address in addresses:
            wait_until(
                partial(_answers, started, address), START_SECONDS, f"{started.name} answers"
            )
        yield WebProcesses(a=addresses[0][1], b=addresses[1][1])
    finally:
        processes.stop()


class Browser:
    """One person's browser in front of both web processes, as a load balancer's clients are.

    One cookie jar serves both addresses: cookies belong to a host, not to a port, so the
    session and CSRF cookies one process sets are sent to the other, as they would be to any
    process behind one address. Each request names the process it goes to.
    """

    def __init__(self, cookies: httpx.Cookies | None = None):
        self.http = httpx.Client(cookies=cookies, timeout=30, follow_redirects=False)

    def get(self, address: str, path: str, **params) -> httpx.Response:
        return self.http.get(address + path, params=params)

    def post(self, address: str, path: str, data: dict) -> httpx.Response:
        return self.http.post(address + path, data=data)

    def same_session(self) -> "Browser":
        """A second connection of this browser (another tab) with the same cookies."""
        return Browser(httpx.Cookies(self.http.cookies))

    @property
    def session_key(self) -> str:
        return self.http.cookies[settings.SESSION_COOKIE_NAME]

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def browser():
    opened = Browser()
    yield opened
    opened.close()


_CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token of a page's forms."""
    found = _CSRF_FIELD.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


#: allauth takes the code of the current 30-second period only.
TOTP_PERIOD_SECONDS = 30


def current_code(*, seconds_left: float = 2) -> str:
    """The authenticator code for now, with at least ``seconds_left`` before it changes (at
    most one wait, until the next period, when this one is about to end)."""
    left = TOTP_PERIOD_SECONDS - time.time() % TOTP_PERIOD_SECONDS
    if left < seconds_left:
        time.sleep(left + 0.05)
    return totp_code()


def submit_password(
    browser: Browser, address: str, user, *, password: str = TEST_PASSWORD, next_url: str = ""
) -> httpx.Response:
    """The first step of sign-in at ``address``: username and password."""
    page = browser.get(address, reverse("account_login"))
    data = {
        "csrfmiddlewaretoken": csrf_token(page.text),
        "login": user.username,
        "password": password,
    }
    if next_url:
        data["next"] = next_url
    return browser.post(address, reverse("account_login"), data)


def submit_code(browser: Browser, address: str, code: str) -> httpx.Response:
    """The second step of sign-in at ``address``: the authenticator code."""
    page = browser.get(address, reverse("mfa_authenticate"))
    data = {"csrfmiddlewaretoken": csrf_token(page.text), "code": code}
    return browser.post(address, reverse("mfa_authenticate"), data)


def sign_in(browser: Browser, user, *, password_at: str, code_at: str, next_url: str = "") -> str:
    """Sign in through both steps, each at the process named; returns where it leads."""
    first = submit_password(browser, password_at, user, next_url=next_url)
    assert first.status_code == 302, first.text[:500]
    assert first.headers["location"] == reverse("mfa_authenticate")
    second = submit_code(browser, code_at, current_code())
    assert second.status_code == 302, second.text[:500]
    return second.headers["location"]


# --- Workers ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workers(django_db_setup, broker, tmp_path_factory):
    """Two Celery workers of one process each, consuming the one queue of the broker, for the
    tests of a module (each test waits until they are idle again before its end)."""
    processes = Processes(tmp_path_factory.mktemp("workers"))
    environment = process_environment(broker.url)
    celery = [str(SCRIPTS / "celery"), "-A", "attachment_app", "worker", "-c", "1"]
    try:
        started = [
            processes.start(
                name,
                [*celery, "-n", f"{name}@%h", "--loglevel", "INFO", "--without-mingle"],
                environment,
            )
            for name in ("w1", "w2")
        ]
        for worker in started:
            wait_until(partial(_ready, worker), START_SECONDS, f"{worker.name} is ready")
        yield started
    finally:
        processes.stop()


def _ready(worker: Started) -> bool:
    if not worker.running():
        pytest.fail(f"{worker.name} stopped while starting:\n{worker.output()[-3000:]}")
    return " ready." in worker.output()


@pytest.fixture
def send_task(broker):
    """``send_task(name, *args)``: put a task on the broker's queue, as beat or a web process
    would; returns the message's id."""
    sender = Celery("sender", broker=broker.url)

    def send(name: str, *args) -> str:
        return sender.send_task(name, args=list(args)).id

    yield send
    sender.close()


def queue_is_empty(broker) -> bool:
    """No message waits in the queue, and none a worker has taken is unfinished (tasks are
    acknowledged late, so a message stays "unacked" until its task ends)."""
    client = redis.Redis.from_url(broker.url)
    try:
        return client.llen("celery") == 0 and client.hlen("unacked") == 0
    finally:
        client.close()
