"""What `make` relies on: the interpreter it builds .venv with, and the two runs of `make test`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from attachment_app import devservices

FIND_PYTHON = Path(settings.BASE_DIR) / "scripts" / "find-python"


def find_python(tmp_path, *, pythons: dict[str, str], given: str | None = None):
    """Run scripts/find-python with only ``pythons`` (name -> what it runs) on PATH."""
    for name, target in pythons.items():
        link = tmp_path / name
        if target == "broken":
            # Like a pyenv shim for a version pyenv cannot start.
            link.write_text("#!/bin/sh\necho 'pyenv: not installed' >&2\nexit 127\n")
            link.chmod(0o755)
        else:
            link.symlink_to(target)
    env = {"PATH": str(tmp_path)}
    if given is not None:
        env["PYTHON"] = given
    return subprocess.run(
        ["/bin/sh", str(FIND_PYTHON)], env=env, capture_output=True, text=True, check=False
    )


def test_find_python_takes_the_newest_supported_name_that_runs(tmp_path):
    found = find_python(
        tmp_path,
        pythons={"python3.13": "broken", "python3.12": sys.executable, "python3": sys.executable},
    )
    assert found.returncode == 0
    assert found.stdout.strip() == "python3.12"


def test_find_python_refuses_a_version_outside_the_range(tmp_path):
    old = tmp_path / "old"
    old.write_text("#!/bin/sh\nexit 1\n")  # what the version check gets from 3.10: false
    old.chmod(0o755)
    found = find_python(tmp_path, pythons={"python3": str(old)})
    assert found.returncode == 1
    assert "Python 3.11, 3.12 or 3.13 is needed" in found.stderr
    assert "make PYTHON=" in found.stderr


def test_find_python_uses_the_python_it_is_given(tmp_path):
    found = find_python(tmp_path, pythons={"python3": "broken"}, given=sys.executable)
    assert (found.returncode, found.stdout.strip()) == (0, sys.executable)
    refused = find_python(tmp_path, pythons={}, given=str(tmp_path / "nothing"))
    assert refused.returncode == 1
    assert "is not a Python 3.11, 3.12 or 3.13" in refused.stderr


def test_the_version_check_accepts_this_interpreter():
    # The suite itself runs on a supported version, so the check must pass here.
    found = subprocess.run(
        ["/bin/sh", str(FIND_PYTHON)],
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        check=False,
    )
    assert found.returncode == 0, found.stderr


def runs(*argv: str) -> list[list[str]]:
    return devservices.pytest_runs(devservices.parse_args(["test", *argv]))


def test_make_test_runs_the_browser_tests_apart():
    assert runs("--workers", "2", "--browser-workers", "1", "--", "-k", "healthz") == [
        ["-n", "2", "-m", "not browser", "-k", "healthz"],
        ["-n", "1", "-m", "browser", "-k", "healthz"],
    ]
    assert runs("--workers", "3", "--", "--reuse-db") == [["-n", "3", "--reuse-db"]]
    assert runs("--", "-x") == [["-x"]]


@pytest.mark.parametrize(
    ("codes", "status"),
    [
        ([0, 0], 0),
        ([0, 5], 0),  # PYTEST_ARGS chose no browser test
        ([5, 0], 0),
        ([5, 5], 5),  # nothing ran at all
        ([1, 0], 1),
        ([0, 1], 1),
        ([5, 2], 2),
    ],
)
def test_make_test_fails_when_either_run_fails(codes, status):
    assert devservices.combined_status(codes) == status


class _Item:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.marks: list[str] = []

    def add_marker(self, mark) -> None:
        self.marks.append(mark.name)


def test_every_test_under_tests_browser_is_marked_browser():
    # So `-m "not browser"` leaves out the unmarked ones too (test_width_check.py).
    from tests import conftest

    inside = _Item(conftest.BROWSER_TESTS / "test_width_check.py")
    outside = _Item(conftest.BROWSER_TESTS.parent / "test_make.py")
    conftest.pytest_collection_modifyitems([inside, outside])
    assert (inside.marks, outside.marks) == (["browser"], [])
