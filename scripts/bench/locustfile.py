"""The concurrent mix: many people at once, with no pause between their requests.

Run by ``scripts/bench/mix.py`` (locust, headless, for a fixed time). ``BENCH_MIX_FILE`` names a
JSON file listing the people, each already signed in by the harness through the real sign-in
pages: their role, their session cookies, their families and, for those who search, the term.
Each simulated user takes the next person of the list and does what that person does:

- team leads open the review queue, the team caseload, the dashboard and their notifications;
- some health visitors search the caseload by name (the term is kept in their session);
- the other health visitors open their caseload and their families' pages and services, and
  now and then record a contact through the form (W1).

Every request is sent without following redirects: a page must answer 200 and a form 302, and
anything else counts as an error. The cookies are sent by hand for the reason given in
``client.py`` (secure cookies, plain HTTP behind a pretend proxy).
"""

import itertools
import json
import os
from pathlib import Path

from locust import HttpUser, constant, task

from scripts.bench.client import filled_in

PEOPLE = json.loads(Path(os.environ["BENCH_MIX_FILE"]).read_text())
_next_person = itertools.count()


class Person(HttpUser):
    wait_time = constant(0)

    def on_start(self):
        index = next(_next_person)
        self.person = PEOPLE[index % len(PEOPLE)]
        cookies = "; ".join(f"{name}={value}" for name, value in self.person["cookies"].items())
        self.headers = {"Cookie": cookies, "X-Forwarded-Proto": "https"}
        # Each person starts at another point of their round, so that a short run sees every
        # page of the mix.
        self.steps = itertools.count(index * 5)
        self.families = itertools.cycle(self.person["families"] or [0])

    def page(self, path: str, name: str):
        with self.client.get(
            path, headers=self.headers, name=name, allow_redirects=False, catch_response=True
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code} from {path}")
            return answer

    def family(self) -> int:
        return next(self.families)

    @task
    def work(self):
        role = self.person["role"]
        step = next(self.steps)
        if role == "lead":
            choice = ["review", "review", "team_caseload", "review", "dashboard", "notifications"]
            name = choice[step % len(choice)]
            paths = {
                "review": "/referrals/review/",
                "team_caseload": "/",
                "dashboard": "/dashboard/",
                "notifications": "/notifications/",
            }
            self.page(paths[name], name)
        elif role == "search":
            self.page("/", "search")
        else:
            self.health_visitor(step)

    def health_visitor(self, step: int):
        # Out of 16 requests: 8 caseloads, 5 family pages, 2 services, 1 contact recorded.
        slot = step % 16
        if slot < 8:
            self.page("/", "caseload")
        elif slot < 13:
            self.page(f"/families/{self.family()}/", "family")
        elif slot < 15:
            self.page(f"/families/{self.family()}/services/", "services")
        else:
            self.record_contact()

    def record_contact(self):
        path = f"/families/{self.family()}/contacts/new/"
        form = self.page(path, "W1 form")
        if form.status_code != 200:
            return
        origin = self.host.replace("http://", "https://")
        data = filled_in(form.text, path, {"contact_type": "additional", "place": "home"})
        headers = {**self.headers, "Origin": origin, "Referer": origin + path}
        with self.client.post(
            path, data=data, headers=headers, name="W1", allow_redirects=False, catch_response=True
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"{answer.status_code} from POST {path}")
