"""The concurrent mix: sign its people in, run locust against one server, read its figures."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

from .client import Browser
from .pages import Site
from .servers import BASE_DIR, LOG_DIR, say


def sign_in_people(site: Site) -> list[dict]:
    """Sign in each person of the mix (reusing the sessions of those already signed in)."""
    subjects = site.subjects
    signed_in = {
        subjects[role]["username"]: site.browsers[role]
        for role in ("hv", "deep_hv", "lead")
        if role in site.browsers
    }
    people = []
    for person in subjects["mix"]:
        browser = signed_in.get(person["username"])
        if browser is None:
            browser = Browser("127.0.0.1", site.port)
            browser.sign_in(person["username"], subjects["password"], subjects["totp_secret"])
            signed_in[person["username"]] = browser
        if person["role"] == "search":
            browser.submit("/", {"query": person["search"]})
        people.append({**person, "cookies": dict(browser.cookies)})
    return people


def run_mix(site: Site, *, users: int, seconds: int) -> dict[str, dict]:
    """Run the mix against ``site`` for ``seconds``; return locust's figures for each page."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    people_file = LOG_DIR / f"mix-people-{site.size}.json"
    people_file.write_text(json.dumps(sign_in_people(site)))
    prefix = LOG_DIR / f"mix-{site.size}"
    say(f"  mix on {site.size}: {users} users for {seconds} s")
    env = {**os.environ, "BENCH_MIX_FILE": str(people_file), "PYTHONPATH": str(BASE_DIR)}
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(BASE_DIR / "scripts" / "bench" / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--host",
        f"http://127.0.0.1:{site.port}",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    with (LOG_DIR / f"locust-{site.size}.log").open("w") as log:
        subprocess.run(command, cwd=BASE_DIR, env=env, stdout=log, stderr=log, check=True)
    people_file.unlink()
    return read_stats(f"{prefix}_stats.csv")


def read_stats(path: str) -> dict[str, dict]:
    """Locust's summary CSV as ``{name: {requests, failures, median_ms, p95_ms, per_second}}``."""
    figures = {}
    with open(path, newline="") as stats:
        for row in csv.DictReader(stats):
            name = "all" if row["Name"] == "Aggregated" else row["Name"]
            figures[name] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "median_ms": float(row["50%"]) if row["50%"] != "N/A" else None,
                "p95_ms": float(row["95%"]) if row["95%"] != "N/A" else None,
                "per_second": round(float(row["Requests/s"]), 1),
            }
    return figures
