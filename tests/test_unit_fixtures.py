"""Fast unit tests on a small committed fixture set: they need no shared data folder and no build.

The fixtures are synthetic (three rectangular provinces, two short CSVs, a three-indicator catalogue); no
figure from them is ever shown to a user.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from atlas.figures.remap import remap_sum, remap_weighted_mean, territory_matches, worst
from atlas.figures.semantics import merged_qualifiers, ranks
from atlas.figures.values import VALUE_COLUMNS, IndicatorValues
from atlas.render.classify import ClassRequest, classify
from atlas.sources.catalogue import load_catalogue
from atlas.sources.indicators import read_indicator_file
from atlas.sources.topojson import read_topojson

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(FIXTURES / "catalogue.toml")


def test_topojson_reader_decodes_shared_arcs_and_reports_a_collapsed_ring():
    properties, geometries = read_topojson(FIXTURES / "three_provinces.topo.json")
    assert [p["statcode"] for p in properties] == ["PV90", "PV91", "PV92", "PV93"]
    assert properties[0]["id"] == "PV90" and "id" not in properties[2]
    west, east, north, collapsed = geometries
    assert collapsed is None  # a two-point ring: returned as None so repair reports it
    assert west is not None and east is not None and north is not None
    assert (west.area, east.area, north.area) == (0.125, 0.125, 0.25)
    assert west.bounds == (4.0, 51.0, 4.5, 51.25) and north.bounds == (4.0, 51.25, 5.0, 51.5)
    assert west.intersection(east).length == pytest.approx(0.25)  # the shared arc, decoded identically twice
    assert west.union(east).union(north).area == pytest.approx(0.5)


def test_indicator_rows_are_checked_against_the_catalogue(catalogue):
    rows, problems = read_indicator_file(FIXTURES / "indicators" / "counts.csv", catalogue)
    assert problems == [] and len(rows) == 5
    assert [r["value"] for r in rows if r["year"] == 2020] == [1000, 3000, 500]
    rows, problems = read_indicator_file(FIXTURES / "indicators" / "shares.csv", catalogue)
    assert problems == ["shares.csv:4: empty value"]
    assert {r["indicator"] for r in rows} == {"share_graduates", "place_in_ranking"}


def _values(catalogue, indicator_id: str, codes: list[str], numbers: list[float | None]) -> IndicatorValues:
    frame = pd.DataFrame({"code": codes, "name": codes, "value": numbers})
    for column in VALUE_COLUMNS:
        if column not in frame:
            frame[column] = None
    frame["missing_reason"] = [None if v is not None else "no value" for v in numbers]
    frame["value"] = frame["value"].astype(float)
    frame["rank"], frame["percentile"] = ranks(frame["value"], catalogue.get(indicator_id).direction)
    frame["harmonised"], frame["aggregated"] = "none", False
    return IndicatorValues(catalogue.get(indicator_id), "provincie", 2021, 2021, frame)


def test_classes_are_half_open_and_ranks_follow_direction(catalogue):
    values = _values(catalogue, "inhabitants", [f"PV{i}" for i in range(10)], [float(i) for i in range(1, 11)])
    classification = classify(values, ClassRequest(method="quantiles", classes=5))
    assert classification.counts == [2, 2, 2, 2, 2] and classification.no_data_count == 0
    assert [b[1] for b in classification.bounds] == [2, 4, 6, 8, 10]
    ranked = _values(catalogue, "place_in_ranking", ["PV90", "PV91", "PV92"], [2.0, 1.0, None]).frame
    assert list(ranked["rank"].astype("Int64")) == [2, 1, pd.NA]  # lower is better: 1st stays 1st


def test_remapped_counts_sum_merges_and_apportion_splits():
    table = pd.DataFrame({
        "from_code": ["A", "B", "C", "C"], "to_code": ["X", "X", "Y", "Z"],
        "weight": [1.0, 1.0, 0.75, 0.25], "exact": [True, True, False, False],
    })
    values = pd.DataFrame({"code": ["A", "B", "C"], "value": [10.0, 5.0, 100.0], "missing_reason": [None] * 3})
    result = remap_sum(values, table, 2020)
    assert result.loc["X", "value"] == 15 and result.loc["X", "harmonised"] == "exact"
    assert result.loc["Y", "value"] == 75 and result.loc["Z", "harmonised"] == "estimated"
    assert result["value"].sum() == values["value"].sum()
    gap = remap_sum(values.assign(value=[10.0, np.nan, 100.0], missing_reason=[None, "secret", None]), table, 2020)
    assert np.isnan(gap.loc["X", "value"]) and gap.loc["X", "missing_reason"] == "no value for predecessor(s) B (2020)"
    shares = remap_weighted_mean(values.assign(value=[40.0, 10.0, 30.0]), pd.Series({"A": 3.0, "B": 1.0, "C": 8.0}),
                                 table, 2020)
    assert shares.loc["X", "value"] == 32.5  # (40 x 3 + 10 x 1) / 4
    assert np.isnan(shares.loc["Y", "value"]) and "whole municipalities only" in shares.loc["Y", "missing_reason"]
    assert worst(result["harmonised"]) == "estimated"


def test_parent_territory_is_the_same_only_when_its_members_are():
    table = pd.DataFrame({"from_code": ["A", "B", "C"], "to_code": ["A", "B", "A"], "weight": [1.0] * 3,
                          "exact": [True] * 3})
    before = pd.Series({"A": "P1", "B": "P1", "C": "P2"})
    after = pd.Series({"A": "P1", "B": "P1"})
    assert territory_matches(before, after, table) == {"P1": None}  # C moved from P2 into P1's member A
    assert territory_matches(before.drop("C"), after, table[table["from_code"] != "C"]) == {"P1": "P1"}


def test_a_total_keeps_the_wording_of_its_parts():
    table = pd.DataFrame({"from_code": ["A", "B"], "to_code": ["X", "X"], "weight": [1.0, 1.0], "exact": [True, True]})
    values = pd.DataFrame({"code": ["A", "B"], "value": [10.0, 5.0], "missing_reason": [None, None],
                           "note": ["circa 10 (press release)", "ruim 5"]})
    assert remap_sum(values, table, 2020).loc["X", "inherited_qualifier"] == "at_least,approx"
    assert merged_qualifiers(["approx", None, "year_inferred,at_most"]) == "at_most,approx,year_inferred"
    assert merged_qualifiers([None, float("nan")]) is None
