"""The writes timed, through their real form pages: the form is fetched (not timed), then sent
as a browser sends it, with its CSRF token and submission key, and the POST is timed.

- W1: a health visitor records a contact with a family of theirs.
- W2: a team lead returns a submitted referral with a note (W2b: the health visitor then
  resubmits it, which leaves the referral as it was found, so runs can repeat).
- W3: the health visitor records a PHQ-9 at the contact W1 made, with item 9 answered above
  zero: the safety rule raises an urgent concern. Afterwards (not timed) the concern is
  acknowledged, so the home pages of later runs do not list the benchmark's concerns.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .client import BenchError, Response
from .pages import Samples, Site, alternate

CONTACT_MADE = re.compile(r"^/contacts/(\d+)/")
ACKNOWLEDGE_LINK = re.compile(r'href="(/concerns/\d+/acknowledge/)"')
#: PHQ-9 answered "not at all" to items 1 to 8 and "several days" to item 9.
PHQ9 = {f"item_{n}": "not_at_all" for n in range(1, 9)} | {"item_9": "several_days"}

LABELS = {
    "W1": "W1 record a contact",
    "W2": "W2 return a referral",
    "W2b": "W2b resubmit it",
    "W3": "W3 PHQ-9 raising an urgent concern",
}
ROLES = {"W1": "HV", "W2": "lead", "W2b": "HV", "W3": "HV"}


def _expect_redirect(site: Site, what: str, answer: Response) -> None:
    if answer.status != 302:
        raise BenchError(f"{site.size}: {what} answered {answer.status}, not a redirect")


def measure_writes(
    sites: list[Site], *, rounds: int, warmup: int
) -> tuple[dict[str, dict[str, Samples]], dict[str, str]]:
    """Time W1, W2 (with W2b) and W3 on every server; return ``{key: {size: samples}}`` and,
    for a write that could not be measured, why."""
    results: dict[str, dict[str, Samples]] = {
        key: {site.size: Samples() for site in sites} for key in LABELS
    }
    contacts: dict[str, list[int]] = {site.size: [] for site in sites}

    def record_contact(site: Site, index: int) -> None:
        families = site.subjects["write_families"]
        if not families:
            raise BenchError(f"{site.size}: the health visitor has no family to record a contact")
        family = families[index % len(families)]
        answer = site.browser("hv").submit(
            f"/families/{family}/contacts/new/", {"contact_type": "additional", "place": "home"}
        )
        _expect_redirect(site, "recording a contact", answer)
        made = CONTACT_MADE.match(urlsplit(answer.location).path)
        if made is None:
            raise BenchError(f"{site.size}: recording a contact led to {answer.location}")
        contacts[site.size].append(int(made.group(1)))
        if index >= 0:
            results["W1"][site.size].add(answer)

    def move_referral(site: Site, index: int) -> None:
        referrals = site.subjects["submitted_referrals"]
        referral = referrals[index % len(referrals)]
        returned = site.browser("lead").submit(
            f"/referrals/{referral}/return/", {"note": "Please add what the parent agreed to."}
        )
        _expect_redirect(site, "returning a referral", returned)
        resubmitted = site.browser("hv").submit(f"/referrals/{referral}/resubmit/")
        _expect_redirect(site, "resubmitting a referral", resubmitted)
        if index >= 0:
            results["W2"][site.size].add(returned)
            results["W2b"][site.size].add(resubmitted)

    def screen(site: Site, index: int) -> None:
        contact = contacts[site.size].pop(0)
        browser = site.browser("hv")
        answer = browser.submit(
            f"/contacts/{contact}/screening/phq9/", {**PHQ9, "parent_agreed": True}
        )
        _expect_redirect(site, "recording a PHQ-9", answer)
        if index >= 0:
            results["W3"][site.size].add(answer)
        result = browser.get(urlsplit(answer.location).path)
        for link in ACKNOWLEDGE_LINK.findall(result.text):
            browser.submit(link, {"action_taken": "Benchmark: assessed the same day."})

    notes: dict[str, str] = {}
    steps = [(["W1"], record_contact), (["W2", "W2b"], move_referral), (["W3"], screen)]
    for keys, step in steps:
        if keys[0] == "W2" and not all(site.subjects["submitted_referrals"] for site in sites):
            notes["W2"] = "no submitted referral that names who gave consent to share"
        elif keys[0] == "W3" and "W1" in notes:
            notes["W3"] = "no contact to screen at (W1 failed)"
        else:
            try:
                alternate(sites, rounds, warmup, step)
                continue
            except BenchError as error:
                notes[keys[0]] = str(error)
        for key in keys:
            del results[key]
        print(f"[bench]   {keys[0]} not measured: {notes[keys[0]]}", flush=True)
    for key, samples in results.items():
        summary = ", ".join(f"{size} {s.median_ms:.1f} ms" for size, s in samples.items())
        print(f"[bench]   {key:<20} {summary}", flush=True)
    return results, notes
