"""The benchmark's tables: ratios against the baselines and between the sizes, each beside its
target (issue 19) with whether it is met, and the machine and moment they were measured on.

``docs/performance.md`` keeps the last run's tables between two marker lines; the rest of that
file is written by hand and left as it is.
"""

from __future__ import annotations

import datetime
import math
import os
import platform
from pathlib import Path

START = "<!-- make bench: the tables below are written by scripts/bench; edit above or below -->"
END = "<!-- make bench: end of the written tables -->"

#: Pages held to a multiple of B1 (at each size measured).
TIMES_B1 = {
    "caseload": 3,
    "big_caseload": 3,
    "team_caseload": 3,
    "family": 3,
    "review": 3,
    "services": 3,
    "search": 4,
    "dashboard": 6,
    "W1": 5,
    "W2": 5,
    "W2b": 5,
    "W3": 5,
}
#: A deep page against its first page.
DEEP = {
    "caseload_deep": "caseload",
    "big_caseload_deep": "big_caseload",
    "team_caseload_deep": "team_caseload",
}
L_OVER_S = 1.25
DEEP_OVER_FIRST = 1.25
B1_OVER_B0 = 3
SWEEP_SECONDS = 2
DELIVERY_PER_SECOND = 500
MIX_P95_OVER_MEDIAN = 4


def verdict(ok: bool) -> str:
    return "pass" if ok else "**fail**"


def machine() -> dict:
    """What the figures were measured on."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory": memory,
        "python": platform.python_version(),
        "load": [round(value, 2) for value in os.getloadavg()],
    }


def _ms(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _ratio(value: float | None) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:.2f}"


class Report:
    """The figures of one run, and the tables and checks made from them."""

    def __init__(self, results: dict):
        self.results = results
        self.sizes: list[str] = results["sizes"]
        self.rows = {**results["pages"], **results["writes"]}
        self.checks: list[tuple[str, str, bool]] = []

    def median(self, key: str, size: str) -> float | None:
        figures = self.rows.get(key, {}).get(size)
        return figures["median_ms"] if figures else None

    def times(self, key: str, base: str, size: str) -> float | None:
        value, baseline = self.median(key, size), self.median(base, size)
        if value is None or not baseline:
            return None
        return value / baseline

    def l_over_s(self, key: str) -> float | None:
        if self.sizes != ["S", "L"]:
            return None
        small, large = self.median(key, "S"), self.median(key, "L")
        return large / small if small and large is not None else None

    def check(self, what: str, measured: str, ok: bool) -> str:
        self.checks.append((what, measured, ok))
        return verdict(ok)

    def row_targets(self, key: str) -> str:
        """The targets of one page's row, checked."""
        parts = []
        if key == "B1":
            worst = max((self.times("B1", "B0", s) or 0) for s in self.sizes)
            parts.append(
                f"≤ {B1_OVER_B0} × B0: "
                + self.check(f"B1 ≤ {B1_OVER_B0} × B0", f"{worst:.2f} × B0", worst <= B1_OVER_B0)
            )
        if key in TIMES_B1:
            limit = TIMES_B1[key]
            worst = max((self.times(key, "B1", s) or 0) for s in self.sizes)
            parts.append(
                f"≤ {limit} × B1: "
                + self.check(f"{self.label(key)} ≤ {limit} × B1", f"{worst:.2f}", worst <= limit)
            )
        if key in DEEP:
            worst = max((self.times(key, DEEP[key], s) or 0) for s in self.sizes)
            parts.append(
                f"≤ {DEEP_OVER_FIRST} × first page ({worst:.2f}): "
                + self.check(
                    f"{self.label(key)} ≤ {DEEP_OVER_FIRST} × first page",
                    f"{worst:.2f}",
                    worst <= DEEP_OVER_FIRST,
                )
            )
        growth = self.l_over_s(key)
        if growth is not None and key not in ("B0", "B1"):
            parts.append(
                f"L ≤ {L_OVER_S} × S: "
                + self.check(
                    f"{self.label(key)}: L ≤ {L_OVER_S} × S", f"{growth:.2f}", growth <= L_OVER_S
                )
            )
        return "; ".join(parts) or "–"

    def label(self, key: str) -> str:
        return self.results["labels"].get(key, key)

    def page_table(self) -> list[str]:
        sizes = self.sizes
        head = ["page (as)"]
        for size in sizes:
            head.append(f"{size}: median (p95) ms")
        head += [f"{size} × B1" for size in sizes]
        if sizes == ["S", "L"]:
            head.append("L ÷ S")
        head += ["KB " + " → ".join(sizes), "targets"]
        lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
        for key, by_size in self.rows.items():
            cells = [f"{self.label(key)} ({self.results['roles'].get(key, '')})"]
            for size in sizes:
                figures = by_size.get(size)
                if figures is None:
                    cells.append("–")
                    continue
                bad = [status for status in figures["statuses"] if status not in (200, 302)]
                note = f" ⚠ {bad}" if bad else ""
                cells.append(f"{_ms(figures['median_ms'])} ({_ms(figures['p95_ms'])}){note}")
            cells += [_ratio(self.times(key, "B1", size)) for size in sizes]
            if sizes == ["S", "L"]:
                cells.append(_ratio(self.l_over_s(key)))
            kbs = [by_size[size]["kb"] for size in sizes if size in by_size]
            cells.append(" → ".join(f"{kb:.1f}" for kb in kbs) if key[0] != "W" else "–")
            cells.append(self.row_targets(key))
            lines.append("| " + " | ".join(cells) + " |")
        for key, why in self.results.get("write_notes", {}).items():
            lines.append(f"| {key} | not measured: {why} |" + " |" * (len(head) - 2))
        return lines

    def sweep_table(self) -> list[str]:
        sweep = self.results.get("sweep")
        if not sweep:
            return []
        enqueue = sweep.get("enqueue_seconds") or 0
        rate = sweep.get("per_second") or 0
        return [
            "| background work | measured | target |",
            "| --- | --- | --- |",
            f"| sweep: claim and enqueue {sweep['enqueued']:,} due among {sweep['rows']:,} rows "
            f"(of which handing to Redis) | {sweep['sweep_seconds']:.2f} s ({enqueue:.2f} s) "
            f"| ≤ {SWEEP_SECONDS} s: "
            + self.check(
                f"sweep of {sweep['due']:,} due among {sweep['rows']:,} ≤ {SWEEP_SECONDS} s",
                f"{sweep['sweep_seconds']:.2f} s",
                sweep["sweep_seconds"] <= SWEEP_SECONDS,
            )
            + " |",
            f"| delivery with {sweep['workers']} worker processes: {sweep['delivered']:,} sent, "
            f"{sweep['cancelled']:,} cancelled in {sweep['delivery_seconds']} s "
            f"({sweep['left']:,} left when the time was up) | {rate:,.1f} reminders/s "
            f"| ≥ {DELIVERY_PER_SECOND}/s: "
            + self.check(
                f"delivery ≥ {DELIVERY_PER_SECOND}/s with {sweep['workers']} workers",
                f"{rate:,.1f}/s",
                rate >= DELIVERY_PER_SECOND,
            )
            + " |",
        ]

    def mix_table(self) -> list[str]:
        mix = self.results.get("mix")
        if not mix:
            return []
        sizes = [size for size in self.sizes if size in mix]
        head = ["page"]
        for size in sizes:
            head += [
                f"{size} requests",
                f"{size} errors",
                f"{size} p95 ms",
                f"{size} p95 ÷ single median",
            ]
        head.append("targets")
        lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
        names = sorted({name for size in sizes for name in mix[size]} - {"all"})
        for name in [*names, "all"]:
            cells = [self.label(name) if name != "all" else "all requests"]
            worst, errors = 0.0, 0
            for size in sizes:
                figures = mix[size].get(name)
                if figures is None:
                    cells += ["–"] * 4
                    continue
                single = self.median(name, size)
                over = figures["p95_ms"] / single if single and figures["p95_ms"] else None
                worst = max(worst, over or 0)
                errors += figures["failures"]
                cells += [
                    f"{figures['requests']:,}",
                    str(figures["failures"]),
                    _ms(figures["p95_ms"]),
                    _ratio(over),
                ]
            targets = []
            if name == "all":
                targets.append(
                    "no errors: "
                    + self.check("concurrent mix: no errors", f"{errors} errors", errors == 0)
                )
            elif worst:
                targets.append(
                    f"p95 ≤ {MIX_P95_OVER_MEDIAN} × single: "
                    + self.check(
                        f"mix: {self.label(name)} p95 ≤ {MIX_P95_OVER_MEDIAN} × single median",
                        f"{worst:.1f}",
                        worst <= MIX_P95_OVER_MEDIAN,
                    )
                )
            cells.append("; ".join(targets) or "–")
            lines.append("| " + " | ".join(cells) + " |")
        through = ", ".join(f"{size} {mix[size]['all']['per_second']:,.1f}/s" for size in sizes)
        lines += ["", f"Throughput of the whole mix: {through}."]
        return lines

    def markdown(self) -> str:
        """All the tables, with the run's facts above them."""
        r = self.results
        m = r["machine"]
        facts = [
            f"Measured {r['date']} on {m['cpus']} × {m['cpu_model']}, {m['memory']} RAM, "
            f"PostgreSQL {r['postgres']}, Python {m['python']}; load average "
            f"{' / '.join(map(str, r['load_before']))} before and "
            f"{' / '.join(map(str, r['load_after']))} after (1, 5 and 15 minutes).",
            f"gunicorn with {r['web_workers']} sync workers per size, `DJANGO_ENV=production`. "
            f"Each page: {r['warmup']} warm-up requests per size, then {r['rounds']} counted, "
            f"{' and '.join(r['sizes'])} in turn.",
        ]
        for size in self.sizes:
            d = r["data"][size]
            facts.append(
                f"{size}: `{d['database']}`, {d['seed']}; measured in {d['team']} "
                f"({d['team_families']:,} families, one of {d['teams']} teams): HV "
                f"`{d['hv']}` ({d['hv_caseload']:,} own families), largest caseload "
                f"`{d['deep_hv']}` ({d['deep_hv_caseload']:,}), team lead `{d['lead']}`; "
                f"family page with {d['family_contacts']} contacts."
            )
        lines = [START, "", *[f"- {fact}" for fact in facts], ""]
        lines += self.page_table()
        sweep = self.sweep_table()
        if sweep:
            lines += ["", *sweep]
        mix = self.mix_table()
        if mix:
            lines += ["", f"Concurrent mix ({r['mix_users']} users, no think time, "
                      f"{r['mix_seconds']} s per size):", "", *mix]  # fmt: skip
        passed = sum(ok for _, _, ok in self.checks)
        lines += ["", f"Targets met: {passed} of {len(self.checks)}.", ""]
        failed = [f"- {what}: {measured}" for what, measured, ok in self.checks if not ok]
        if failed:
            lines += ["Not met:", "", *failed, ""]
        lines.append(END)
        return "\n".join(lines) + "\n"


def write_into(path: Path, tables: str, preamble: str) -> None:
    """Put the tables between the markers of ``path``, leaving the rest of the file as it is."""
    text = path.read_text() if path.exists() else preamble
    if START in text and END in text:
        before = text[: text.index(START)]
        after = text[text.index(END) + len(END) :].lstrip("\n")
        text = before + tables + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + tables
    path.write_text(text)


def today() -> str:
    return datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
