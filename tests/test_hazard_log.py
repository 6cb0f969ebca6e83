"""Every control in the clinical hazard log names tests that exist."""

import re
from pathlib import Path

from django.conf import settings

LOG = Path(settings.BASE_DIR, "docs", "clinical-safety", "hazard-log.md")
#: `tests/x.py::test_a`, `::test_b` (the file carries over), or a bare `tests/x.py`.
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)?(::(\w+))?`")


def references(row: str) -> list[tuple[str, str | None]]:
    found, current = [], None
    for match in REFERENCE.finditer(row):
        path, _, name = match.groups()
        current = path or current
        if current:
            found.append((current, name))
    return found


def hazard_rows() -> list[str]:
    return [line for line in LOG.read_text().splitlines() if line.startswith("| H-")]


def test_every_hazard_names_at_least_one_test():
    rows = hazard_rows()
    assert len(rows) >= 20
    for row in rows:
        assert references(row), row[:40]


def test_every_named_test_exists():
    missing = []
    for row in hazard_rows():
        hazard = row.split("|")[1].strip()
        for path, name in references(row):
            file = Path(settings.BASE_DIR, path)
            if not file.exists():
                missing.append(f"{hazard}: {path}")
            elif name and not re.search(rf"^(async )?def {name}\(", file.read_text(), re.M):
                missing.append(f"{hazard}: {path}::{name}")
    assert missing == []


def test_the_check_notices_a_missing_test():
    row = "| H-999 | x | `tests/test_hazard_log.py::test_that_does_not_exist` |"
    ((path, name),) = references(row)
    assert not re.search(rf"^def {name}\(", Path(settings.BASE_DIR, path).read_text(), re.M)
