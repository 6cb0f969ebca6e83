"""Loading a folder of definition files: how files are named, and the order they come back in."""

import json

import pytest

from screening.engine import DefinitionError, load_shipped_definitions
from tests.screening.test_definitions import VALID


def write(folder, name, **changes):
    data = {**VALID, "suggestions": [], **changes}
    (folder / name).write_text(json.dumps(data), encoding="utf-8")


def test_definitions_come_back_by_code_then_version_number(tmp_path):
    write(tmp_path, "demo.v10.json", version=10)
    write(tmp_path, "demo.v2.json", version=2)
    write(tmp_path, "alpha.v1.json", code="alpha")
    loaded = [(d.code, d.version) for d in load_shipped_definitions(tmp_path)]
    assert loaded == [("alpha", 1), ("demo", 2), ("demo", 10)]


@pytest.mark.parametrize(
    "name", ["demo.json", "Demo.v1.json", "demo.v0.json", "demo.v01.json", "demo.1.json"]
)
def test_a_file_not_named_code_dot_version_is_refused(tmp_path, name):
    write(tmp_path, name)
    with pytest.raises(DefinitionError) as caught:
        load_shipped_definitions(tmp_path)
    assert caught.value.problems == [f"{name}: name the file <code>.v<version>.json"]
    assert caught.value.source == str(tmp_path)


def test_every_file_is_checked_and_each_problem_names_its_file(tmp_path):
    write(tmp_path, "demo.v1.json", version=0)
    write(
        tmp_path,
        "other.v1.json",
        code="other",
        suggestions=[
            {"when": "positive", "suggest": ["demo", "nothing"], "reason": "To look further."}
        ],
    )
    (tmp_path / "broken.v1.json").write_text("[1,", encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_shipped_definitions(tmp_path)
    problems = caught.value.problems
    assert problems[0].startswith("broken.v1.json: not valid JSON (")
    assert problems[1:] == [
        "demo.v1.json: version must be 1 or more, not 0",
        "other.v1.json: suggests 'demo', which is not a shipped instrument",
        "other.v1.json: suggests 'nothing', which is not a shipped instrument",
    ]


def test_a_suggestion_of_another_file_in_the_folder_loads(tmp_path):
    write(tmp_path, "demo.v1.json")
    write(
        tmp_path,
        "other.v1.json",
        code="other",
        suggestions=[{"when": "negative", "suggest": ["demo"], "reason": "To look further."}],
    )
    assert [d.code for d in load_shipped_definitions(tmp_path)] == ["demo", "other"]


def test_an_empty_folder_loads_nothing(tmp_path):
    assert load_shipped_definitions(tmp_path) == []


def test_every_badly_named_file_is_reported(tmp_path):
    write(tmp_path, "a.json")
    write(tmp_path, "b.json")
    with pytest.raises(DefinitionError) as caught:
        load_shipped_definitions(tmp_path)
    assert caught.value.problems == [
        "a.json: name the file <code>.v<version>.json",
        "b.json: name the file <code>.v<version>.json",
    ]
