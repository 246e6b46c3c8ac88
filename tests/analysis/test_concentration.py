"""Concentration against hand-checkable answers and, on the real data, against PySAL `inequality` run directly."""

import numpy as np
import pytest
from inequality.gini import Gini
from inequality.theil import Theil

from atlas.analysis.concentration import concentration, concentration_of
from atlas.errors import InvalidChoice


def test_hand_checkable_set():
    # 1, 1, 1, 1, 6: total 10; the largest region holds 60 %, so one region holds half;
    # Gini = sum |xi - xj| / (2 n^2 mean) = 8 * 5 / (2 * 25 * 2) = 0.4
    stats = concentration_of(np.array([1, 6, 1, 1, 1]), top=2)
    assert stats["total"] == 10 and stats["top_share"] == pytest.approx(0.7)
    assert stats["regions_holding_half"] == 1 and stats["gini"] == pytest.approx(0.4)
    # Theil T = (1/n) sum (x/mean) ln(x/mean) = (4 * 0.5 ln 0.5 + 3 ln 3) / 5
    assert stats["theil"] == pytest.approx((4 * 0.5 * np.log(0.5) + 3 * np.log(3)) / 5)
    assert stats["lorenz"][0] == {"population_share": 0.0, "value_share": 0.0}
    assert stats["lorenz"][4]["value_share"] == pytest.approx(0.4) and stats["lorenz"][-1]["value_share"] == 1.0


def test_equal_values_are_not_concentrated():
    stats = concentration_of(np.full(10, 3.0), top=3)
    assert stats["gini"] == pytest.approx(0) and stats["regions_holding_half"] == 5 and stats["top_share"] == pytest.approx(0.3)


def test_h2020_participations_match_inequality_on_real_data(data):
    result = concentration(data, "h2020_participations", "gemeente", 2019, top=10)
    frame = data.observations_of("h2020_participations")
    y = frame[(frame["level"] == "gemeente") & (frame["year"] == 2019)]["value"].dropna().to_numpy(dtype=float)
    assert result["regions"] == len(y) and result["total"] == y.sum()
    assert result["gini"] == pytest.approx(Gini(y).g) and result["theil"] == pytest.approx(Theil(y).T)
    top = np.sort(y)[::-1]
    assert result["top_share"] == pytest.approx(top[:10].sum() / y.sum())
    half = result["regions_holding_half"]
    assert top[:half].sum() >= y.sum() / 2 > top[:half - 1].sum()
    assert [r["name"] for r in result["half_regions"]][:1] == ["Eindhoven"] or result["half_regions"][0]["value"] == top[0]


def test_shares_without_a_catalogued_count_are_refused(data):
    with pytest.raises(InvalidChoice, match="names no underlying count"):
        concentration(data, "kwb_pct_higher_educated", "gemeente", 2022)


def test_a_ratio_is_measured_through_its_numerator(data):
    result = concentration(data, "kwb_population_density", "gemeente", 2022)
    assert result["asked"] == "kwb_population_density" and result["measured"] == "kwb_population"
    assert "numerator" in result["basis"]


def test_too_few_regions_with_a_value_is_refused(data):
    with pytest.raises(InvalidChoice, match="only 1 of 40 corop regions"):
        concentration(data, "rd_expenditure_business", "corop", 2019)
