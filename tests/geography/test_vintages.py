"""Boundary vintages on the real data: crosswalks, re-mapping across mergers, one territory per view."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from atlas.cli import main
from atlas.errors import InvalidChoice
from atlas.figures.profiles import region_profile
from atlas.figures.values import available_levels, available_years, indicator_values
from atlas.geography.crosswalk import REORGANISATIONS


def _value(data, indicator, level, year, boundary_year, code):
    frame = indicator_values(data, indicator, level, year, boundary_year).frame.set_index("code")
    return frame.loc[code]


def test_crosswalk_weights_keep_every_unit_whole_for_every_pair_of_years(data):
    years = data.boundaries.years("gemeente")
    assert years == list(range(2014, 2026))
    for a, b in itertools.permutations(years, 2):
        table = data.crosswalks.between(a, b)
        assert set(table["from_code"]) == set(data.boundaries.get("gemeente", a)["code"]), (a, b)
        assert set(table["to_code"]) == set(data.boundaries.get("gemeente", b)["code"]), (a, b)
        assert table.groupby("from_code")["weight"].sum().sub(1).abs().max() < 1e-9, (a, b)


@pytest.mark.parametrize("indicator,year", [("population", 2014), ("kwb_population", 2015), ("population", 2022)])
def test_national_total_of_a_count_is_identical_on_every_boundary_year(data, indicator, year):
    own = indicator_values(data, indicator, "gemeente", year)
    total = own.frame["value"].sum()
    assert own.frame["value"].notna().all() and (own.frame["harmonised"] == "none").all()
    for target in data.boundaries.years("gemeente"):
        shown = indicator_values(data, indicator, "gemeente", year, target).frame
        assert shown["value"].notna().all(), target
        estimated = int((shown["harmonised"] == "estimated").sum())  # apportioned parts are rounded to persons
        assert abs(shown["value"].sum() - total) <= 0.5 * estimated, target
        if not estimated:
            assert shown["value"].sum() == total, target


def test_real_mergers_sum_their_predecessors_exactly(data):
    # Groningen, Haren and Ten Boer merged on 1 January 2019: 2014 figures on 2019 boundaries
    groningen = _value(data, "population", "gemeente", 2014, 2019, "GM0014")
    parts = [_value(data, "population", "gemeente", 2014, None, c)["value"] for c in ("GM0009", "GM0014", "GM0017")]
    assert groningen["value"] == sum(parts) and groningen["harmonised"] == "exact" and groningen["source_vintage"] == 2014
    # Weesp joined Amsterdam on 24 March 2022: 1 January 2022 figures on 2023 boundaries
    amsterdam = _value(data, "population", "gemeente", 2022, 2023, "GM0363")
    parts = [_value(data, "population", "gemeente", 2022, None, c)["value"] for c in ("GM0363", "GM0457")]
    assert amsterdam["value"] == sum(parts) and amsterdam["harmonised"] == "exact"
    # Heerhugowaard and Langedijk became Dijk en Waard on 1 January 2022: 2019 figures on 2022 boundaries
    dijk_en_waard = _value(data, "population", "gemeente", 2019, 2022, "GM1980")
    parts = [_value(data, "population", "gemeente", 2019, None, c)["value"] for c in ("GM0398", "GM0416")]
    assert dijk_en_waard["value"] == sum(parts) and dijk_en_waard["harmonised"] == "exact"


def test_a_split_is_apportioned_by_population_and_labelled_estimated(data):
    vught = _value(data, "population", "gemeente", 2019, 2021, "GM0865")  # received part of Haaren in 2021
    assert vught["harmonised"] == "estimated" and "GM0788 (2019)" in vught["note"]
    own = _value(data, "population", "gemeente", 2019, None, "GM0865")["value"]
    haaren = _value(data, "population", "gemeente", 2019, None, "GM0788")["value"]
    assert own < vught["value"] < own + haaren


def test_a_share_is_remapped_over_whole_units_and_refused_otherwise(data):
    amsterdam = _value(data, "pct_higher_educated_15_75", "gemeente", 2022, 2023, "GM0363")
    weights = {c: _value(data, "population", "gemeente", 2022, None, c)["value"] for c in ("GM0363", "GM0457")}
    shares = {c: _value(data, "pct_higher_educated_15_75", "gemeente", 2022, None, c)["value"] for c in weights}
    expected = sum(shares[c] * weights[c] for c in weights) / sum(weights.values())
    assert amsterdam["value"] == round(expected) and amsterdam["harmonised"] == "exact"  # published as whole %
    split = _value(data, "pct_higher_educated_15_75", "gemeente", 2022, 2021, "GM0398")  # Dijk en Waard divided
    assert pd.isna(split["value"]) and "whole municipalities only" in split["missing_reason"]
    with pytest.raises(InvalidChoice) as refused:
        indicator_values(data, "kwb_urbanity", "gemeente", 2022, 2023)
    assert refused.value.parameter == "boundary_year" and refused.value.choices == [2022]


def test_population_2014_per_province_matches_eurostat_within_cbs_rounding(data):
    """The 2014 gemeente counts are rounded to 5 by CBS, so a province may differ by 2.5 per municipality."""
    ours = indicator_values(data, "population", "provincie", 2014)
    assert ours.boundary_year == 2014 and ours.frame["value"].notna().all()
    eurostat = indicator_values(data, "eurostat_demo_r_d2jan_population_1jan", "provincie", 2014).frame.set_index("code")
    municipalities = data.boundaries.get("gemeente", 2014).groupby("provincie_code").size()
    for row in ours.frame.itertuples():
        assert abs(row.value - eurostat.loc[row.code, "value"]) <= 2.5 * municipalities[row.code], row.code
    assert ours.frame["value"].sum() == 16_828_900  # all 403 municipalities of 1 January 2014, none dropped


def test_weesp_counts_in_het_gooi_en_vechtstreek_in_2022_and_amsterdam_in_2023(data):
    gemeenten_2022 = data.boundaries.get("gemeente", 2022).set_index("code")
    corop_2022 = indicator_values(data, "population", "corop", 2022).frame.set_index("code")
    members = gemeenten_2022[gemeenten_2022["corop_code"] == "CR24"].index
    population = indicator_values(data, "population", "gemeente", 2022).frame.set_index("code")["value"]
    assert "GM0457" in members and corop_2022.loc["CR24", "value"] == population[members].sum()
    on_2023 = indicator_values(data, "population_cbs_70072ned", "corop", 2022, 2023).frame.set_index("code")
    assert on_2023.loc["CR23", "value"] is None or pd.isna(on_2023.loc["CR23", "value"])
    assert "differ between 2022 and 2023" in on_2023.loc["CR23", "missing_reason"]


def _changed_parents(data, level: str, vintage: int, target: int) -> set[str]:
    """Parents whose municipalities change between two years, read from the list of reorganisations."""
    changed = set()
    for change in data.crosswalks.changes_between(vintage, target, REORGANISATIONS):
        before = data.boundaries.get("gemeente", change.from_year).set_index("code")[f"{level}_code"]
        after = data.boundaries.get("gemeente", change.to_year).set_index("code")[f"{level}_code"]
        parents = {before[c] for c in change.before} | {after[c] for c in change.after}
        if len(parents) > 1:
            changed |= parents
    return changed


def test_no_value_is_drawn_on_another_territory_without_saying_so(data):
    """Every indicator x level x boundary year: a value marked `none` sits on its own territory."""
    checked = 0
    for indicator in data.catalogue.indicators.values():
        for level in available_levels(data, indicator):
            if not available_years(data, indicator, level) and not indicator.undated:
                continue
            for target in data.boundaries.years(level):
                try:
                    values = indicator_values(data, indicator.id, level, None, target)
                except InvalidChoice as refused:
                    assert refused.parameter == "boundary_year" and refused.choices
                    continue
                frame = values.frame[values.frame["missing_reason"].isna()]
                plain = frame[frame["harmonised"] == "none"]
                checked += len(frame)
                if values.vintage is None or values.vintage == target or plain.empty:
                    continue
                if level == "gemeente":
                    moved = {c for ch in data.crosswalks.changes_between(values.vintage, target, REORGANISATIONS)
                             for c in (*ch.before, *ch.after)}
                    assert not (set(plain["code"]) & moved), (indicator.id, target)
                    assert set(plain["code"]) <= set(data.boundaries.get("gemeente", values.vintage)["code"])
                elif level in ("corop", "provincie") and not values.aggregated_from:
                    # an aggregate is summed from the target year's own members (checked at gemeente level)
                    assert not (set(plain["code"]) & _changed_parents(data, level, values.vintage, target)), (
                        indicator.id, level, target)
    assert checked > 10_000


def test_profile_shows_every_year_on_one_territory(data):
    profile = region_profile(data, "GM0014", 2023)
    assert profile["boundary_year"] == 2023 and "2023" in profile["territory"]
    population = next(i for i in profile["indicators"] if i["id"] == "population")
    by_year = {e["year"]: e for e in population["series"]}
    parts_2014 = sum(_value(data, "population", "gemeente", 2014, None, c)["value"] for c in ("GM0009", "GM0014", "GM0017"))
    assert by_year[2014]["value"] == parts_2014 and by_year[2014]["harmonised"] == "exact"
    assert all(e["joined"] for e in population["series"][1:])  # a merger is no growth: the line continues
    vught = next(i for i in region_profile(data, "GM0865", 2023)["indicators"] if i["id"] == "population")
    assert not vught["series"][0]["joined"] and vught["series"][0]["harmonised"] == "estimated"


def test_changes_lists_the_reorganisations(cli_settings, capsys):
    assert main(["changes", "--from", "2015", "--to", "2025"]) == 0
    out = capsys.readouterr().out
    assert "merged into GM0014 Groningen: GM0009 Ten Boer, GM0014 Groningen, GM0017 Haren" in out
    assert "after 1 Jan 2022, by 1 Jan 2023  merged into GM0363 Amsterdam: GM0363 Amsterdam, GM0457 Weesp" in out
    assert "merged into GM1980 Dijk en Waard: GM0398 Heerhugowaard, GM0416 Langedijk" in out
    assert "split: GM0788 Haaren -> GM0757 Boxtel, GM0824 Oisterwijk, GM0855 Tilburg, GM0865 Vught" in out
    assert out.strip().splitlines()[-1] == (
        "# 39 changes between the gemeente boundaries of 1 January 2015 and 2025: 33 merged, 4 split, 2 recoded")
    assert main(["changes", "--from", "2015", "--to", "2031"]) == 2


@pytest.fixture(scope="module")
def client(data):
    from fastapi.testclient import TestClient

    from api.app import create_app

    return TestClient(create_app(data))


def test_crosswalk_endpoint(client):
    body = client.get("/api/v1/crosswalk", params={"from": 2022, "to": 2023}).json()
    rows = {(r["from_code"], r["to_code"]): r for r in body["rows"]}
    assert rows[("GM0457", "GM0363")]["weight"] == 1 and rows[("GM0457", "GM0363")]["exact"]
    assert [c["kind"] for c in body["changes"]] == ["merged", "merged"]
    csv = client.get("/api/v1/crosswalk", params={"from": 2023, "to": 2015, "format": "csv"})
    assert csv.status_code == 200 and csv.text.startswith("from_code,from_name,to_code,to_name,weight,exact")
    values = client.get("/api/v1/indicators/population/values",
                        params={"level": "gemeente", "year": 2022, "boundary_year": 2023}).json()
    assert values["meta"]["remapped"] and values["meta"]["territory"].startswith("shown on gemeente boundaries of 2023")
    assert {v["source_vintage"] for v in values["values"]} == {2022}


def test_remapped_tiles_and_layers_say_so(client):
    import mapbox_vector_tile

    from atlas.render.tilegrid import tile_containing

    x, y = tile_containing(4.9, 52.37, 8)  # Amsterdam, which took in Weesp (and part of Muiden's 2014 area)
    tile = client.get(f"/api/v1/tiles/gemeente/population/8/{x}/{y}.mvt", params={"year": 2014, "boundary_year": 2023})
    assert tile.status_code == 200
    features = mapbox_vector_tile.decode(tile.content)["gemeente"]["features"]
    labels = {f["properties"]["code"]: f["properties"]["harmonised"] for f in features}
    assert labels["GM0363"] == "estimated" and set(labels.values()) <= {"none", "exact", "estimated"}
    assert {f["properties"]["source_vintage"] for f in features} == {2014}
    legend = client.get("/api/v1/legend/gemeente/population", params={"year": 2014, "boundary_year": 2023}).json()
    assert legend["remapped"] and legend["vintage"]["boundary_year"] == 2014 and legend["harmonised"] == "estimated"
    assert legend["territory"] == ("shown on gemeente boundaries of 2023; 2014 figures measured on 2014 boundaries, "
                                   "re-mapped (estimated)")
    layer = client.get("/api/v1/layers/gemeente", params={"year": 2023, "indicators": "population", "format": "csv"})
    header = layer.text.splitlines()[0].split(",")
    assert "population__harmonised" in header and "population__vintage" in header
