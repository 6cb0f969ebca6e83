"""`make bench` (``python -m scripts.bench``): seed or reuse S and L, serve both, time them.

    python -m scripts.bench                  # S and L, the whole run (many minutes)
    python -m scripts.bench --quick          # S only, a few requests: a check that it works
    python -m scripts.bench --sizes S --rounds 50

The PostgreSQL and Redis are those ``make test`` uses (``DATABASE_URL``/``REDIS_URL`` when set,
else the machine's, else the embedded ones). The run, in order: seed or reuse the databases,
serve each under gunicorn, sign in, time the pages and the writes, run the concurrent mix,
stop the web servers, time the reminder sweep and the delivery (in S), and print the tables
and write them into ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from . import mix, pages, report, servers, writes
from .client import BenchError
from .pages import Site
from .servers import BASE_DIR, LOG_DIR, Gunicorn, Seed, say

PREAMBLE = """# Performance

How fast the pages, the writes and the background work are at two sizes of data, measured by
`make bench` (`scripts/bench/`). Its last run's tables are below.
"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="S only, small data, few requests")
    parser.add_argument("--sizes", default="S,L", help="which sizes to run: S, L or S,L")
    parser.add_argument("--s-families", type=int, default=10_000)
    parser.add_argument("--s-teams", type=int, default=3)
    parser.add_argument("--l-families", type=int, default=100_000)
    parser.add_argument(
        "--l-teams",
        type=int,
        default=0,
        help="0 (the default): as many as give L's first team the size of S's first team",
    )
    parser.add_argument(
        "--seed", type=int, default=20260401, help="seed_scale's random seed (its default)"
    )
    parser.add_argument("--s-database", default="sr_bench_s")
    parser.add_argument("--l-database", default="sr_bench_l")
    parser.add_argument(
        "--reseed", action="store_true", help="drop and seed again a database seeded otherwise"
    )
    parser.add_argument("--rounds", type=int, default=25, help="counted requests per page")
    parser.add_argument("--warmup", type=int, default=5, help="uncounted requests first")
    parser.add_argument("--pages", default="", help="only these pages (keys, comma-separated)")
    parser.add_argument("--no-writes", action="store_true")
    parser.add_argument("--mix-users", type=int, default=20)
    parser.add_argument("--mix-seconds", type=int, default=60, help="0 leaves the mix out")
    parser.add_argument("--sweep-rows", type=int, default=1_000_000)
    parser.add_argument("--sweep-due", type=int, default=10_000, help="0 leaves the sweep out")
    parser.add_argument("--delivery-seconds", type=float, default=60)
    parser.add_argument("--port", type=int, default=8101, help="S's port; L's is the next free")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument(
        "--app-role",
        default="starting_relationships_app",
        help="the database role the servers connect as (empty: the owner)",
    )
    parser.add_argument("--redis-db", type=int, default=13, help="a Redis database of its own")
    parser.add_argument("--output", default="docs/performance.md", help="empty: write nothing")
    parser.add_argument("--json", default=str(LOG_DIR / "results.json"))
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes = "S"
        args.s_families, args.s_teams = min(args.s_families, 60), 1
        args.rounds, args.warmup = min(args.rounds, 3), 1
        args.mix_users, args.mix_seconds = min(args.mix_users, 4), min(args.mix_seconds, 5)
        args.sweep_rows, args.sweep_due = min(args.sweep_rows, 5_000), min(args.sweep_due, 50)
        args.delivery_seconds = min(args.delivery_seconds, 10)
    args.sizes = [size.strip().upper() for size in args.sizes.split(",") if size.strip()]
    if not set(args.sizes) <= {"S", "L"} or not args.sizes:
        parser.error("--sizes takes S, L or S,L")
    return args


def with_redis_db(url: str, db: int) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{db}"))


def subjects_of(url: str, *, writes_needed: int, mix_users: int) -> dict:
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("DJANGO_TESTING", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "scripts.bench.subjects",
            "--writes",
            str(writes_needed),
            "--mix-users",
            str(mix_users),
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"choosing what to open failed:\n{done.stderr}")
    return json.loads(done.stdout)


def postgres_version(url: str) -> str:
    with psycopg.connect(url, connect_timeout=5) as conn:
        return conn.execute("SHOW server_version").fetchone()[0].split()[0]


def run_sweep(owner_url: str, app_url: str, redis_url: str, args: argparse.Namespace) -> dict:
    env = servers.production_env(app_url, redis_url)
    env["BENCH_OWNER_URL"] = owner_url
    command = [sys.executable, "-m", "scripts.bench.sweep", "--rows", str(args.sweep_rows)]
    command += ["--due", str(args.sweep_due), "--delivery-seconds", str(args.delivery_seconds)]
    done = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BenchError(f"the sweep failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout)


def bench(args: argparse.Namespace, env: dict[str, str]) -> dict:
    server_url = env["DATABASE_URL"]
    redis_url = with_redis_db(env["REDIS_URL"], args.redis_db)
    load_before = [round(value, 2) for value in os.getloadavg()]
    small = Seed(args.s_families, args.s_teams, args.seed)
    large_teams = args.l_teams
    if not large_teams and "L" in args.sizes:
        large_teams = servers.matching_teams(small, args.l_families)
    seeds = {
        "S": (args.s_database, small),
        "L": (args.l_database, Seed(args.l_families, large_teams, args.seed)),
    }
    urls = {}
    for size in args.sizes:
        name, seed = seeds[size]
        urls[size] = servers.prepare_database(
            server_url, name, seed, app_role=args.app_role, reseed=args.reseed
        )
    servers.collect_static(redis_url)
    writes_needed = args.rounds + args.warmup
    sites, gunicorns = [], []
    port = args.port
    for size in args.sizes:
        owner_url, app_url = urls[size]
        subjects = subjects_of(owner_url, writes_needed=writes_needed, mix_users=args.mix_users)
        port = servers.free_port(port)
        sites.append(Site(size, port, subjects, owner_url))
        gunicorns.append(Gunicorn(size, app_url, redis_url, port, args.web_workers))
        port += 1
    results: dict = {
        "date": report.today(),
        "sizes": args.sizes,
        "rounds": args.rounds,
        "warmup": args.warmup,
        "web_workers": args.web_workers,
        "mix_users": args.mix_users,
        "mix_seconds": args.mix_seconds,
        "postgres": postgres_version(urls[args.sizes[0]][0]),
        "labels": {page.key: page.label for page in pages.PAGES}
        | writes.LABELS
        | {"W1 form": "W1's form page (GET)"},
        "roles": {page.key: pages.page_role(page.key) for page in pages.PAGES} | writes.ROLES,
        "data": {},
        "write_notes": {},
    }
    for site in sites:
        subjects = site.subjects
        results["data"][site.size] = {
            "database": seeds[site.size][0],
            "seed": seeds[site.size][1].label(),
            "team": subjects["team"],
            "team_families": subjects["team_families"],
            "teams": subjects["teams"],
            "hv": subjects["hv"]["username"],
            "hv_caseload": subjects["hv"]["caseload"],
            "deep_hv": subjects["deep_hv"]["username"],
            "deep_hv_caseload": subjects["deep_hv"]["caseload"],
            "lead": subjects["lead"]["username"],
            "family_contacts": subjects["family_contacts"],
        }
    with servers.serving(gunicorns):
        say("signing in")
        for site in sites:
            subjects = site.subjects
            for role in ("hv", "deep_hv", "lead"):
                if subjects[role]["username"] == subjects["hv"]["username"] and role != "hv":
                    # The same person (a small team): one session, shared.
                    site.browsers[role] = site.browser("hv")
                else:
                    site.browser(role).sign_in(
                        subjects[role]["username"], subjects["password"], subjects["totp_secret"]
                    )
                site.deep[role] = pages.find_deep_page(site.browser(role))
        say(f"timing the pages: {args.warmup} + {args.rounds} requests each, sizes in turn")
        only = {key.strip() for key in args.pages.split(",") if key.strip()} or None
        measured = pages.measure_pages(sites, rounds=args.rounds, warmup=args.warmup, only=only)
        results["pages"] = {
            key: {size: samples.as_dict() for size, samples in by_size.items()}
            for key, by_size in measured.items()
        }
        results["writes"] = {}
        if not args.no_writes:
            say("timing the writes")
            made, notes = writes.measure_writes(sites, rounds=args.rounds, warmup=args.warmup)
            results["writes"] = {
                key: {size: samples.as_dict() for size, samples in by_size.items()}
                for key, by_size in made.items()
            }
            results["write_notes"] = notes
        if args.mix_seconds:
            say("the concurrent mix")
            results["mix"] = {
                site.size: mix.run_mix(site, users=args.mix_users, seconds=args.mix_seconds)
                for site in sites
            }
    if args.sweep_due:
        size = "S" if "S" in urls else args.sizes[0]
        say(f"the reminder sweep and delivery, in {size}")
        owner_url, app_url = urls[size]
        results["sweep"] = run_sweep(owner_url, app_url, redis_url, args) | {"size": size}
    results["machine"] = report.machine()
    results["load_before"] = load_before
    results["load_after"] = results["machine"]["load"]
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from attachment_app import devservices

    env = dict(os.environ)
    services = devservices.Services()
    services.provide(env, prefer_machine=True)
    started = time.monotonic()
    try:
        results = bench(args, env)
    except BenchError as error:
        say(f"stopped: {error}")
        return 1
    finally:
        services.stop()
    tables = report.Report(results).markdown()
    print()
    print(tables)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, indent=1))
    if args.output:
        report.write_into(BASE_DIR / args.output, tables, PREAMBLE)
        say(f"written into {args.output}")
    minutes = datetime.timedelta(seconds=round(time.monotonic() - started))
    say(f"done in {minutes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
