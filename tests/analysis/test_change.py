"""Change between two years equals the difference of the two years' harmonised values, and is refused across a
definition break."""

import pytest

from atlas.analysis.change import change, change_layer
from atlas.errors import InvalidChoice
from atlas.figures.values import indicator_values
from atlas.render.classify import ClassRequest


def test_change_equals_difference_of_harmonised_values(data):
    result = change(data, "population", "gemeente", 2014, 2022, boundary_year=2023)
    before = indicator_values(data, "population", "gemeente", 2014, 2023).frame.set_index("code")["value"]
    after = indicator_values(data, "population", "gemeente", 2022, 2023).frame.set_index("code")["value"]
    rows = {r["code"]: r for r in result["rows"]}
    assert result["boundary_year"] == 2023 and len(rows) == len(after) == result["regions"]
    for code, row in rows.items():
        if row["difference"] is None:
            assert row["missing_reason"] and (before.isna()[code] or after.isna()[code])
        else:
            assert row["difference"] == after[code] - before[code]
            assert row["relative"] == pytest.approx((after[code] - before[code]) / before[code] * 100)
    merged = [r for r in result["rows"] if r["harmonised"] != "none"]
    assert merged, "2014 gemeenten merged before 2023: some regions must be re-mapped"


def test_change_refused_across_a_definition_break(data):
    with pytest.raises(InvalidChoice, match="changed in 2018"):
        change(data, "rd_expenditure_business", "corop", 2015, 2019)


def test_change_layer_is_centred_on_zero(data):
    layer = change_layer(data, "population", "gemeente", 2014, 2022, 2023, "difference", ClassRequest())
    assert layer.scheme.kind == "diverging"
    below = [b for b in layer.bounds if b[1] <= 0]
    above = [b for b in layer.bounds if b[0] > 0]
    assert below and above and len(below) + len(above) == layer.classes
