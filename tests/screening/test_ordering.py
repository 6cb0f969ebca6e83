"""The order instruments are offered in: NICE CG192's, from one table."""

from screening.engine import load_shipped_definitions
from screening.ordering import INSTRUMENT_ORDER, in_instrument_order


def test_every_shipped_instrument_has_its_place_in_the_table():
    shipped = {definition.code for definition in load_shipped_definitions()}
    assert shipped == set(INSTRUMENT_ORDER)
    assert len(INSTRUMENT_ORDER) == len(set(INSTRUMENT_ORDER))


def test_whooley_then_gad2_come_first_then_the_fuller_questionnaires():
    assert INSTRUMENT_ORDER[:2] == ("whooley", "gad2")
    assert INSTRUMENT_ORDER.index("epds") < INSTRUMENT_ORDER.index("gad7")
    assert INSTRUMENT_ORDER.index("phq9") < INSTRUMENT_ORDER.index("gad7")
    # Every questionnaire comes before every observational (result-only) tool.
    kinds = {d.code: d.kind for d in load_shipped_definitions()}
    listed = [kinds[code] for code in INSTRUMENT_ORDER]
    assert listed == sorted(listed, key=lambda kind: kind == "result_only")


def test_an_instrument_not_in_the_table_comes_last_by_name():
    rows = [("zeta", "Zeta scale"), ("phq9", "PHQ-9"), ("alpha", "Alpha scale"), ("whooley", "W")]
    ordered = in_instrument_order(rows, code=lambda row: row[0], name=lambda row: row[1])
    assert [code for code, _ in ordered] == ["whooley", "phq9", "alpha", "zeta"]
