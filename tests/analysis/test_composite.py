"""Composite index: one indicator with weight 1 ranks exactly as that indicator; directions are flipped from
the catalogue; the recipe says everything that decided the result."""

import pandas as pd
import pytest

from atlas.analysis.composite import composite, composite_csv
from atlas.errors import InvalidChoice
from atlas.figures.values import indicator_values


@pytest.mark.parametrize("indicator", ["kwb_pct_higher_educated", "kwb_income_low"])
@pytest.mark.parametrize("normalisation", ["minmax", "zscore"])
def test_one_indicator_with_weight_one_ranks_as_that_indicator(data, indicator, normalisation):
    result = composite(data, "gemeente", [indicator], [1.0], [2022], normalisation=normalisation)
    own = indicator_values(data, indicator, "gemeente", 2022).frame
    expected = {code: int(rank) for code, rank in zip(own["code"], own["rank"]) if not pd.isna(rank)}
    assert {r["code"]: r["rank"] for r in result["rows"] if r["rank"] is not None} == expected
    assert all(r["rank_min"] == r["rank_max"] == r["rank"] for r in result["rows"] if r["rank"] is not None)
    assert result["recipe"]["indicators"][0]["flipped"] == (indicator == "kwb_income_low")


def test_weights_move_ranks_and_recipe_is_downloadable(data):
    result = composite(data, "gemeente", ["kwb_pct_higher_educated", "kwb_income_low", "kwb_employment_rate"],
                       [2, 1, 1], [2022, 2022, 2022], missing="available")
    assert result["sensitivity"]["largest_rank_range"] > 0 and result["rows"][0]["rank"] == 1
    text = composite_csv(result)
    assert "# kwb_pct_higher_educated 2022 weight 2" in text and "flipped: lower is better" in text
    assert "code,name,score,rank,rank_min,rank_max" in text


def test_neutral_indicators_and_bad_weights_are_refused(data):
    with pytest.raises(InvalidChoice, match="no better end"):
        composite(data, "gemeente", ["kwb_pct_higher_educated", "kwb_population"])
    with pytest.raises(InvalidChoice):
        composite(data, "gemeente", ["kwb_pct_higher_educated"], [0.0])
