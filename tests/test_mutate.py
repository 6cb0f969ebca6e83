"""scripts/mutate, `make mutate`'s own logic: the score, the equivalents file, the exit status."""

import importlib.util
import sys
import tomllib
from importlib.machinery import SourceFileLoader
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.mutation.database import uses_the_database

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "mutate"


def _load_script():
    loader = SourceFileLoader("scripts_mutate", str(SCRIPT))
    spec = importlib.util.spec_from_loader("scripts_mutate", loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules["scripts_mutate"] = module  # dataclasses look their module up
    loader.exec_module(module)
    return module


mutate = _load_script()


def outcomes(**by_name):
    """Outcomes keyed by short names, as mutmut would name mutants of one function."""
    return {f"referrals.eligibility.x_area_serves__mutmut_{n}": o for n, o in by_name.items()}


# --- The score ----------------------------------------------------------------------------------


def test_the_score_is_killed_and_timed_out_over_the_mutants_that_are_not_equivalent():
    found = outcomes(**{"1": "killed", "2": "timeout", "3": "survived", "4": "survived"})
    counted = mutate.tally(
        "eligibility", found, {"referrals.eligibility.x_area_serves__mutmut_4": "same result"}
    )
    assert (counted.mutants, counted.killed, counted.timed_out) == (4, 1, 1)
    assert (counted.survived, counted.equivalent, counted.unchecked) == (1, 1, 0)
    assert counted.score == pytest.approx(200 / 3)
    assert counted.survivors == ["referrals.eligibility.x_area_serves__mutmut_3"]


def test_survivors_are_listed_in_the_order_of_their_numbers():
    found = outcomes(**{"10": "survived", "2": "survived", "1": "killed"})
    assert mutate.tally("eligibility", found, {}).survivors == [
        "referrals.eligibility.x_area_serves__mutmut_2",
        "referrals.eligibility.x_area_serves__mutmut_10",
    ]


def test_a_mutant_no_test_reaches_is_a_survivor():
    counted = mutate.tally("eligibility", outcomes(**{"1": "no tests", "2": "killed"}), {})
    assert counted.survived == 1
    assert counted.survivors == ["referrals.eligibility.x_area_serves__mutmut_1"]
    assert counted.score == 50


def test_a_mutant_not_yet_settled_counts_against_the_score_and_is_listed():
    counted = mutate.tally(
        "eligibility", outcomes(**{"1": "not checked", "2": "suspicious", "3": "killed"}), {}
    )
    assert (counted.unchecked, counted.survived) == (2, 0)
    assert counted.score == pytest.approx(100 / 3)
    assert counted.unsettled == [
        "referrals.eligibility.x_area_serves__mutmut_1 (not checked)",
        "referrals.eligibility.x_area_serves__mutmut_2 (suspicious)",
    ]


def test_a_listed_equivalent_that_a_test_kills_counts_as_killed_and_is_called_out():
    name = "referrals.eligibility.x_area_serves__mutmut_1"
    counted = mutate.tally("eligibility", outcomes(**{"1": "killed"}), {name: "thought the same"})
    assert (counted.killed, counted.equivalent) == (1, 0)
    assert counted.killed_equivalents == [name]


def test_a_module_whose_every_mutant_is_equivalent_has_no_score_and_does_not_fail():
    name = "referrals.eligibility.x_area_serves__mutmut_1"
    counted = mutate.tally("eligibility", outcomes(**{"1": "survived"}), {name: "same"})
    assert counted.score is None
    assert mutate.exit_status([counted]) == 0


def _scoring(killed: int, survived: int):
    found = {f"m.x_f__mutmut_{n}": "killed" for n in range(killed)}
    found |= {f"m.x_g__mutmut_{n}": "survived" for n in range(survived)}
    return mutate.tally("m", found, {})


def test_exactly_95_per_cent_meets_the_target():
    assert _scoring(19, 1).score == 95
    assert mutate.exit_status([_scoring(19, 1), _scoring(3, 0)]) == 0


def test_one_module_below_95_per_cent_fails_the_run_unless_only_reporting():
    below = _scoring(18, 1)  # 94.7%
    assert mutate.exit_status([_scoring(20, 0), below]) == 1
    assert mutate.exit_status([_scoring(20, 0), below], fail=False) == 0


def test_a_module_mutmut_could_not_score_fails_the_run_even_when_only_reporting():
    assert mutate.exit_status([_scoring(20, 0)], fail=False, stopped=["permissions"]) == 2


def test_mutmut_results_are_read_as_name_and_outcome():
    text = (
        "    screening.engine.scoring.x_score__mutmut_1: survived\n"
        "    screening.engine.checks.xǁBandǁcheck__mutmut_12: timeout\n"
        "    referrals.eligibility.x_age_in_months__mutmut_3: no tests\n"
        "Found 2 new tests, rerunning stats collection\n"
    )
    assert mutate.parse_results(text) == {
        "screening.engine.scoring.x_score__mutmut_1": "survived",
        "screening.engine.checks.xǁBandǁcheck__mutmut_12": "timeout",
        "referrals.eligibility.x_age_in_months__mutmut_3": "no tests",
    }


def test_the_table_shows_each_module_with_its_score():
    printed = mutate.table([_scoring(19, 1)])
    header, row = printed.splitlines()
    assert header.split()[:2] == ["module", "mutants"]
    assert row.split() == ["m", "20", "19", "0", "1", "0", "0", "95.0%"]


# --- The equivalents file -----------------------------------------------------------------------


def test_the_equivalents_file_is_read_as_module_name_and_reason(tmp_path):
    listed = tmp_path / "equivalent.toml"
    listed.write_text(
        '[workdays]\n"attachment_app.reminders.workdays.x_f__mutmut_2" = "same day either way"\n'
    )
    assert mutate.load_equivalents(listed) == {
        "workdays": {"attachment_app.reminders.workdays.x_f__mutmut_2": "same day either way"}
    }
    assert mutate.load_equivalents(tmp_path / "missing.toml") == {}


def test_an_equivalent_without_a_reason_is_refused(tmp_path):
    listed = tmp_path / "equivalent.toml"
    listed.write_text('[workdays]\n"attachment_app.reminders.workdays.x_f__mutmut_2" = " "\n')
    with pytest.raises(SystemExit, match="needs a one-line reason"):
        mutate.load_equivalents(listed)


def test_listed_names_that_no_longer_exist_are_reported_for_the_modules_that_ran():
    listed = {
        "schedule": {"conversations.schedule.x_due__mutmut_1": "a", "gone__mutmut_9": "b"},
        "workdays": {"never_run__mutmut_1": "c"},
        "engin": {"typo__mutmut_1": "d"},
    }
    ran = {"schedule": {"conversations.schedule.x_due__mutmut_1": "survived"}}
    stale = mutate.stale_equivalents(listed, ran)
    assert stale[0].startswith("[engin] is not a module")
    assert stale[1:] == ["[schedule] gone__mutmut_9"]


def test_the_shipped_equivalents_name_only_mutants_of_their_own_module():
    prefixes = {
        "engine": "screening.engine.",
        "workflow": "referrals.workflow.",
        "eligibility": "referrals.eligibility.",
        "schedule": "conversations.schedule.",
        "workdays": "attachment_app.reminders.workdays.",
        "permissions": "attachment_app.permissions.",
    }
    listed = mutate.load_equivalents(mutate.EQUIVALENTS)
    assert set(listed) <= set(prefixes)
    for module, names in listed.items():
        for name in names:
            assert name.startswith(prefixes[module]), name
            assert "__mutmut_" in name, name


# --- The runs -----------------------------------------------------------------------------------


def test_every_module_is_run_with_its_own_tests():
    own = {module.name: mutate.own_tests(module) for module in mutate.MODULES}
    assert set(own) == {"engine", "workflow", "eligibility", "schedule", "workdays", "permissions"}
    assert "tests/screening/test_engine.py" in own["engine"]
    assert "tests/screening/test_definitions.py" in own["engine"]
    assert "tests/referrals/test_workflow_table.py" in own["workflow"]
    assert "tests/referrals/test_suggestions.py" in own["eligibility"]
    assert own["schedule"] == ["tests/conversations/test_schedule.py"]
    assert "tests/reminders/test_workdays.py" in own["workdays"]
    assert own["permissions"] == ["tests/test_permissions.py"]


def test_a_new_test_file_for_a_module_is_picked_up(tmp_path):
    new = tmp_path / "tests" / "referrals" / "test_eligibility_edges.py"
    new.parent.mkdir(parents=True)
    new.write_text("")
    assert mutate.own_tests(mutate.BY_NAME["eligibility"], root=tmp_path) == [
        "tests/referrals/test_eligibility_edges.py"
    ]


def test_a_work_directory_is_configured_for_its_module_alone():
    written = tomllib.loads(
        mutate.work_pyproject(mutate.BY_NAME["eligibility"], ["tests/referrals/test_x.py"])
    )
    settings = written["tool"]["mutmut"]
    assert settings["source_paths"] == ["referrals/eligibility.py"]
    assert settings["pytest_add_cli_args_test_selection"] == ["tests/referrals/test_x.py"]
    assert "conftest.py" in settings["also_copy"]
    assert written["tool"]["pytest"]["ini_options"]["DJANGO_SETTINGS_MODULE"] == (
        "attachment_app.settings"
    )


def test_a_run_with_a_database_test_gets_a_database_copy_and_one_without_does_not():
    class Item(SimpleNamespace):
        def get_closest_marker(self, name):
            return self.marks.get(name)

    pure = Item(fixturenames=["settings"], marks={})
    with_db = Item(fixturenames=["hv", "team_a", "db"], marks={})
    marked = Item(fixturenames=[], marks={"django_db": object()})
    assert uses_the_database([pure, with_db])
    assert uses_the_database([marked])
    assert not uses_the_database([pure])
