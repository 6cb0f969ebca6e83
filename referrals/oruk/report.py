"""What an import found and did: feed problems and one line per service, as plain data.

The report is made before anything is saved, shown to the admin (or printed by the command),
and kept as JSON on the ``DirectoryImport`` row. An import saves only a report that is ``ok``.
"""

from dataclasses import asdict, dataclass, field
from typing import Literal

Action = Literal["created", "changed", "unchanged", "refused", "retired"]

ACTIONS: tuple[Action, ...] = ("created", "changed", "unchanged", "refused", "retired")


@dataclass
class ServiceLine:
    """One service of the feed (or one that left it), and what the import does with it."""

    source_id: str
    name: str
    action: Action
    #: For "changed": the fields that change, by their names here.
    fields: list[str] = field(default_factory=list)
    #: For "refused": why, one sentence each.
    reasons: list[str] = field(default_factory=list)
    #: What the import could not use but did not refuse the record for (an area it cannot read).
    notes: list[str] = field(default_factory=list)
    #: Its categories map to no concern category, so it is never suggested for a concern.
    unmapped: bool = False


@dataclass
class Report:
    source: str
    feed_problems: list[str] = field(default_factory=list)
    services: list[ServiceLine] = field(default_factory=list)
    #: Categories of the feed that map to no concern category (name, id at the source).
    unmapped_terms: list[str] = field(default_factory=list)
    requests: int = 0

    @property
    def ok(self) -> bool:
        """Nothing stops the import: the feed was read and no record was refused."""
        return not self.feed_problems and not any(s.action == "refused" for s in self.services)

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(ACTIONS, 0)
        for line in self.services:
            counts[line.action] += 1
        return counts

    def as_dict(self) -> dict:
        return {**asdict(self), "ok": self.ok, "counts": self.counts()}

    @classmethod
    def from_dict(cls, data: dict) -> "Report":
        return cls(
            source=data["source"],
            feed_problems=list(data.get("feed_problems", [])),
            services=[ServiceLine(**line) for line in data.get("services", [])],
            unmapped_terms=list(data.get("unmapped_terms", [])),
            requests=data.get("requests", 0),
        )


def report_text(report: Report, *, saved: bool) -> list[str]:
    """The report as lines of plain text, for the command and the log of a sync."""
    counts = report.counts()
    lines = [f"Source: {report.source}"]
    if report.requests:
        lines.append(f"Requests made: {report.requests}")
    for problem in report.feed_problems:
        lines.append(f"Feed problem: {problem}")
    lines.append(", ".join(f"{counts[action]} {action}" for action in ACTIONS))
    for line in report.services:
        if line.action == "unchanged":
            continue
        label = f"{line.action}: {line.name or '(no name)'} [{line.source_id or 'no id'}]"
        if line.fields:
            label += " (" + ", ".join(line.fields) + ")"
        lines.append(label)
        lines.extend(f"    refused because: {reason}" for reason in line.reasons)
        lines.extend(f"    note: {note}" for note in line.notes)
    unmapped = [line for line in report.services if line.unmapped]
    if unmapped:
        lines.append(f"{len(unmapped)} services have categories that map to no concern category.")
    for term in report.unmapped_terms:
        lines.append(f"Category with no concern category: {term}")
    if not report.ok:
        lines.append("Nothing was saved.")
    elif saved:
        lines.append("Saved.")
    else:
        lines.append("Checked only: nothing was saved.")
    return lines
