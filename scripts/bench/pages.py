"""The pages timed, and the loop that times them: one request at a time, S and L in turn.

Every page is asked for by the person who would open it (a health visitor, a team lead, or
nobody for the open ORUK API), on both servers alternately: round 1 asks S then L, round 2 L
then S, and so on, so a slow moment on the machine falls on both sizes alike. The first
requests of each page on each server are a warm-up and are not counted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import median

from .client import BenchError, Browser, Response

#: The HTML the NHS.UK pagination component writes for a numbered page link.
NUMBERED_PAGE = re.compile(r'href="(\?[^"]*)"[^>]*aria-label="Page (\d+)"')
NEXT_PAGE = re.compile(r'href="([^"]+)"\s+class="nhsuk-pagination__next"')
#: How far the deep page is looked for by following "Next" when the pages are not numbered.
DEEPEST_WALK = 400


@dataclass
class Samples:
    """What one page (or write) answered on one server: each counted request's time, status
    and size."""

    seconds: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)

    def add(self, response: Response) -> None:
        self.seconds.append(response.seconds)
        self.statuses.append(response.status)
        self.sizes.append(len(response.body))

    @property
    def median_ms(self) -> float:
        return median(self.seconds) * 1000 if self.seconds else math.nan

    @property
    def p95_ms(self) -> float:
        return percentile(self.seconds, 95) * 1000

    @property
    def kb(self) -> float:
        return median(self.sizes) / 1024 if self.sizes else math.nan

    def as_dict(self) -> dict:
        return {
            "median_ms": round(self.median_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "kb": round(self.kb, 1),
            "requests": len(self.seconds),
            "statuses": sorted(set(self.statuses)),
        }


def percentile(values: list[float], percent: float) -> float:
    """The ``percent`` percentile by linear interpolation between the closest ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * percent / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Site:
    """One server (S or L) with the people signed in to it and what its database holds."""

    size: str
    port: int
    subjects: dict
    owner_url: str
    browsers: dict[str, Browser] = field(default_factory=dict)
    deep: dict[str, str] = field(default_factory=dict)

    def browser(self, role: str) -> Browser:
        if role not in self.browsers:
            self.browsers[role] = Browser("127.0.0.1", self.port)
        return self.browsers[role]


@dataclass(frozen=True)
class Page:
    """A page to time: its key, what the table calls it, who opens it and its address."""

    key: str
    label: str
    role: str  # "hv", "deep_hv", "lead" or "anonymous"
    path: Callable[[Site], str]
    #: Done before the page's requests on a server, and after them (not timed).
    before: Callable[[Site], None] | None = None
    after: Callable[[Site], None] | None = None


def search_on(site: Site) -> None:
    """The health visitor searches: the term is kept in their session, so the caseload shows
    the search until it is cleared."""
    answer = site.browser("hv").submit("/", {"query": site.subjects["search"]})
    if answer.status != 302:
        raise BenchError(f"{site.size}: the search answered {answer.status}")


def search_off(site: Site) -> None:
    site.browser("hv").submit("/", {"action": "clear"})


def healthz_fresh(site: Site) -> None:
    """B0 is /healthz, which reports the scheduler stale without a recent heartbeat; no
    scheduler runs during the benchmark, so its heartbeat is written here."""
    import psycopg

    with psycopg.connect(site.owner_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(
            "INSERT INTO health_heartbeat (name, last_run_at) VALUES ('scheduler', now()) "
            "ON CONFLICT (name) DO UPDATE SET last_run_at = now()"
        )


PAGES = [
    Page("B0", "B0 `/healthz`, one indexed query", "hv", lambda s: "/healthz", healthz_fresh),
    Page("B1", "B1 `/account/password/`, base layout", "hv", lambda s: "/account/password/"),
    Page("caseload", "caseload, first page", "hv", lambda s: "/"),
    Page("caseload_deep", "caseload, last page", "hv", lambda s: s.deep["hv"]),
    Page("big_caseload", "largest caseload, first page", "deep_hv", lambda s: "/"),
    Page(
        "big_caseload_deep", "largest caseload, last page", "deep_hv", lambda s: s.deep["deep_hv"]
    ),
    Page("team_caseload", "team caseload, first page", "lead", lambda s: "/"),
    Page("team_caseload_deep", "team caseload, last page", "lead", lambda s: s.deep["lead"]),
    Page("search", "caseload with a name search", "hv", lambda s: "/", search_on, search_off),
    Page("family", "family page", "hv", lambda s: f"/families/{s.subjects['family']}/"),
    Page(
        "services",
        "services suggested for the family",
        "hv",
        lambda s: f"/families/{s.subjects['family']}/services/",
    ),
    Page("referral", "referral page", "hv", lambda s: f"/referrals/{s.subjects['referral']}/"),
    Page("review", "review queue", "lead", lambda s: "/referrals/review/"),
    Page("dashboard", "team dashboard", "lead", lambda s: "/dashboard/"),
    Page("notifications", "notifications", "lead", lambda s: "/notifications/"),
    Page("oruk", "ORUK `/api/oruk/services`", "anonymous", lambda s: "/api/oruk/services"),
]


def find_deep_page(browser: Browser, first: str = "/") -> str:
    """The address of the list's last page, as the page's own pagination links give it: the
    highest numbered link, or, for pages that are not numbered, the end of the "Next" links."""
    page = browser.get(first)
    numbered = [(int(number), href) for href, number in NUMBERED_PAGE.findall(page.text)]
    if numbered:
        return "/" + max(numbered)[1].replace("&amp;", "&")
    address = first
    for _ in range(DEEPEST_WALK):
        following = NEXT_PAGE.search(page.text)
        if following is None:
            break
        href = following.group(1).replace("&amp;", "&")
        address = href if href.startswith("/") else "/" + href
        page = browser.get(address)
    return address


def alternate(sites: list[Site], rounds: int, warmup: int, ask: Callable[[Site, int], None]):
    """Warm each server up, then ask ``ask(site, i)`` for ``rounds`` rounds, the servers in turn
    and in the other order every second round."""
    for site in sites:
        for index in range(warmup):
            ask(site, -1 - index)
    for index in range(rounds):
        for site in sites if index % 2 == 0 else list(reversed(sites)):
            ask(site, index)


def measure_pages(
    sites: list[Site], *, rounds: int, warmup: int, only: set[str] | None = None
) -> dict[str, dict[str, Samples]]:
    """Time every page on every server; return ``{page key: {size: samples}}``."""
    results: dict[str, dict[str, Samples]] = {}
    for page in PAGES:
        if only and page.key not in only:
            continue
        if page.key == "referral" and any(site.subjects["referral"] is None for site in sites):
            continue
        samples = {site.size: Samples() for site in sites}
        for site in sites:
            if page.before:
                page.before(site)

        def ask(site: Site, index: int, page: Page = page, samples=samples) -> None:
            answer = site.browser(page.role).get(page.path(site))
            if index >= 0:
                samples[site.size].add(answer)

        try:
            alternate(sites, rounds, warmup, ask)
        finally:
            for site in sites:
                if page.after:
                    page.after(site)
        results[page.key] = samples
        summary = ", ".join(
            f"{size} {s.median_ms:.1f} ms ({s.kb:.1f} KB)" for size, s in samples.items()
        )
        print(f"[bench]   {page.key:<20} {summary}", flush=True)
    return results


def page_role(key: str) -> str:
    for page in PAGES:
        if page.key == key:
            return {"hv": "HV", "deep_hv": "HV", "lead": "lead", "anonymous": "anyone"}[page.role]
    return ""
