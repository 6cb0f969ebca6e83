"""The benchmark's databases and processes: seeding or reusing a database, serving it.

A database is seeded once and reused: its PostgreSQL comment records the seed command that
made it, and a run asking for the same seed takes it as it is (after ``migrate`` and the app
role's grants, which change nothing when nothing is new). The web servers are gunicorn with the
production settings, connecting as the app role, as the production image serves.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from .client import BenchError

BASE_DIR = Path(__file__).resolve().parents[2]
LOG_DIR = BASE_DIR / "var" / "bench"
#: Where the apps keep their management commands.
COMMAND_DIRS = ["*/management/commands", "attachment_app/*/management/commands"]


def database_url(server_url: str, name: str, *, user: str | None = None) -> str:
    """The address of database ``name`` on the server of ``server_url`` (as ``user``)."""
    parts = urlsplit(server_url)
    netloc = parts.netloc
    if user is not None:
        netloc = f"{user}@{netloc.rpartition('@')[2]}"
    return urlunsplit(parts._replace(netloc=netloc, path=f"/{name}"))


def say(message: str) -> None:
    print(f"[bench] {time.strftime('%H:%M:%S')} {message}", flush=True)


def has_seed_scale() -> bool:
    """Whether the regional seeder (``manage.py seed_scale``) is in this checkout."""
    return any(any(BASE_DIR.glob(f"{folder}/seed_scale.py")) for folder in COMMAND_DIRS)


@dataclass(frozen=True)
class Seed:
    """How one database is filled: ``seed_scale`` when it exists, else ``seed_demo --scale``."""

    families: int
    teams: int
    seed: int

    def commands(self) -> list[list[str]]:
        if has_seed_scale():
            # seed_scale's referrals go to the demo directory's services.
            return [
                ["load_instruments"],
                ["seed_demo"],
                [
                    "seed_scale",
                    "--families",
                    str(self.families),
                    "--teams",
                    str(self.teams),
                    "--seed",
                    str(self.seed),
                ],
            ]
        return [["load_instruments"], ["seed_demo", "--scale", str(self.families)]]

    def label(self) -> str:
        return "manage.py " + " && manage.py ".join(" ".join(c) for c in self.commands())


def matching_teams(small: Seed, large_families: int) -> int:
    """How many teams L needs for its first team to hold as many families as S's first team.

    ``seed_scale`` lays out the teams in order from its seed, so the first teams have the same
    staff at any size; it then shares the families out in proportion to the caseloads drawn
    across all the teams. So the number of families per team follows from the number of teams,
    and the one that gives the first team (where the pages are measured) its size in S is found
    by laying out the region for each candidate, which takes no database.
    """
    guess = max(1, round(small.teams * large_families / small.families))
    if not has_seed_scale():
        return guess
    from referrals.scale.region import plan_region

    def first_team(families: int, teams: int) -> int:
        region = plan_region(
            families=families, teams=teams, seed=small.seed, team_ids=1, user_ids=1
        )
        staff = set(region.teams[0].hv_ids)
        return sum(hv_id in staff for hv_id in region.named_hvs)

    wanted = first_team(small.families, small.teams)
    candidates = range(max(1, guess * 2 // 3), guess * 3 // 2 + 1)
    return min(
        candidates, key=lambda teams: (abs(first_team(large_families, teams) - wanted), teams)
    )


def manage(url: str, *args: str, quiet: bool = False) -> str:
    """Run ``manage.py ARGS`` against the database at ``url``, as its owner; return its output."""
    env = {**os.environ, "DATABASE_URL": url}
    # Seeding makes passwords with the production hasher, or the servers could not check them.
    env.pop("DJANGO_TESTING", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    if not quiet and done.stdout.strip():
        for line in done.stdout.strip().splitlines()[-3:]:
            say(f"  {line}")
    return done.stdout


def _comment(admin: psycopg.Connection, name: str) -> str | None:
    row = admin.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
        [name],
    ).fetchone()
    if row is None:
        return None
    return row[0] or ""


def _has_families(url: str) -> bool:
    with psycopg.connect(url, connect_timeout=5) as conn:
        exists = conn.execute("SELECT to_regclass('conversations_family')").fetchone()
        if exists is None or exists[0] is None:
            return False
        return conn.execute("SELECT EXISTS (SELECT 1 FROM conversations_family)").fetchone()[0]


def prepare_database(
    server_url: str, name: str, seed: Seed, *, app_role: str, reseed: bool
) -> tuple[str, str]:
    """Seed database ``name`` (or reuse it when it holds this seed); return the owner's address
    and the one the app's processes use (the app role's)."""
    admin_url = database_url(server_url, "postgres")
    url = database_url(server_url, name)
    wanted = seed.label()
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
        comment = _comment(admin, name)
        if comment is not None and comment != wanted and reseed:
            say(f"{name}: dropping it to seed it again")
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            comment = None
        if comment is None:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    # A database emptied since it was seeded (a test database between runs) is seeded again.
    reuse = comment == wanted and _has_families(url)
    if not reuse and comment is not None and _has_families(url):
        raise BenchError(
            f"{name} holds other data ({comment or 'no seed recorded'}): "
            "give --reseed to drop it and seed it again, or name another database."
        )
    say(f"{name}: migrating")
    manage(url, "migrate", "--no-input", quiet=True)
    if reuse:
        say(f"{name}: reusing its data ({wanted})")
    else:
        started = time.monotonic()
        say(f"{name}: seeding ({wanted})")
        for command in seed.commands():
            manage(url, *command)
        say(f"{name}: seeded in {time.monotonic() - started:.0f} s")
        with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
            conn.execute("ANALYZE")
            conn.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                    sql.Identifier(name), sql.Literal(wanted)
                )
            )
    if app_role:
        manage(url, "grant_app_role", app_role, "--create", quiet=True)
        return url, database_url(url, name, user=app_role)
    return url, url


def production_env(url: str, redis_url: str) -> dict[str, str]:
    """The environment of a production process on this machine, for the database at ``url``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_TESTING", "DJANGO_SETTINGS_MODULE", "DEBUG")
    }
    env.update(
        {
            "DJANGO_ENV": "production",
            "SECRET_KEY": "bench-" + secrets.token_urlsafe(32),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": url,
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": redis_url,
            "SITE_URL": "https://bench.invalid",
            # Nothing leaves the machine: a mail server is not what is measured.
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def collect_static(redis_url: str) -> None:
    """Build the hashed static files the production storage serves (a deploy step), unless
    they are newer than every file they are made from."""
    manifest = BASE_DIR / "var" / "staticfiles" / "staticfiles.json"
    sources = [BASE_DIR / "static", BASE_DIR / "node_modules" / "nhsuk-frontend" / "dist"]
    newest = max(
        (path.stat().st_mtime for folder in sources for path in folder.rglob("*")), default=0
    )
    if manifest.exists() and manifest.stat().st_mtime > newest:
        return
    say("collecting the static files")
    env = production_env("postgres://unused@127.0.0.1/unused", redis_url)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )


def port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def answers(port: int) -> bool:
    """Whether something accepts connections on the port (bound and listening)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def free_port(start: int) -> int:
    port = start
    while not port_free(port):
        port += 1
    return port


class Gunicorn:
    """gunicorn serving one database with the production settings, on a port of its own."""

    def __init__(self, name: str, url: str, redis_url: str, port: int, workers: int):
        self.name, self.url, self.port, self.workers = name, url, port, workers
        self.env = production_env(url, redis_url)
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        if answers(self.port):
            raise BenchError(f"Port {self.port} is taken: choose others with --port.")
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        log = LOG_DIR / f"gunicorn-{self.name}.log"
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "attachment_app.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--timeout",
            "120",
            "--error-logfile",
            str(log),
        ]
        self.process = subprocess.Popen(
            command, cwd=BASE_DIR, env=self.env, stdout=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn for {self.name} stopped; see {log}")
            if answers(self.port):
                return
            time.sleep(0.2)
        raise BenchError(f"gunicorn for {self.name} did not start; see {log}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


@contextmanager
def serving(servers: list[Gunicorn]):
    """Run these servers for the length of the block, and stop them whatever happens."""
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()
