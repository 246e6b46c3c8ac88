import csv

import numpy as np
import pytest

from atlas.errors import InvalidChoice
from atlas.figures.values import indicator_values


def _national_population_2022(shared_dir) -> float:
    with (shared_dir / "indicators/population_provincie_corop.csv").open() as fh:
        for row in csv.DictReader(fh):
            if row["region_level"] == "land" and row["year"] == "2022" and row["indicator"] == "population":
                return float(row["value"])
    raise AssertionError("national 2022 population not in the shared data")


@pytest.mark.parametrize("indicator,year", [("population", 2022), ("kwb_population", 2015), ("kwb_population", 2022)])
def test_population_sums_are_conserved_up_the_levels(data, indicator, year):
    totals = {lv: indicator_values(data, indicator, lv, year).frame["value"].sum() for lv in ("gemeente", "corop", "provincie")}
    assert totals["gemeente"] == totals["corop"] == totals["provincie"]
    assert indicator_values(data, indicator, "corop", year).frame["value"].notna().all()


def test_2022_total_equals_cbs_national_figure(data, shared_dir):
    assert indicator_values(data, "population", "provincie", 2022).frame["value"].sum() == _national_population_2022(shared_dir)


def test_2015_key_figure_total_matches_sources_md(data):
    assert indicator_values(data, "kwb_population", "provincie", 2015).frame["value"].sum() == 16_900_726


def test_wijk_population_aggregates_to_gemeente(data):
    wijk = indicator_values(data, "kwb_population", "wijk", 2022).frame
    assert wijk["value"].notna().all()
    layer = data.boundaries.get("wijk", 2022).set_index("code")
    by_gemeente = wijk.assign(g=wijk["code"].map(layer["gemeente_code"])).groupby("g")["value"].sum()
    assert by_gemeente.sum() == wijk["value"].sum()


def test_weighted_mean_against_a_hand_computation(data, shared_dir):
    """Share of higher educated per province = sum(share x population) / sum(population), from the CSVs."""
    def read(name, indicator):
        with (shared_dir / "indicators" / name).open() as fh:
            return {r["region_code"]: float(r["value"]) for r in csv.DictReader(fh)
                    if r["indicator"] == indicator and r["year"] == "2022"}
    share = read("education_gemeente.csv", "pct_higher_educated_15_75")
    population = read("population_gemeente.csv", "population")
    layer = data.boundaries.get("gemeente", 2022)
    result = indicator_values(data, "pct_higher_educated_15_75", "provincie", 2022).frame.set_index("code")
    for province in ("PV26", "PV20", "PV29"):
        members = layer.loc[layer["provincie_code"] == province, "code"]
        expected = sum(share[c] * population[c] for c in members) / sum(population[c] for c in members)
        assert result.loc[province, "value"] == round(expected)  # served at the published precision (whole %)
        assert result.loc[province, "aggregated"]
    assert result.loc["PV26", "value"] > result.loc["PV29", "value"]


def test_ratio_rule_is_a_ratio_of_sums(data):
    density = indicator_values(data, "kwb_population_density", "provincie", 2015).frame.set_index("code")
    population = indicator_values(data, "kwb_population", "provincie", 2015).frame.set_index("code")
    area = indicator_values(data, "kwb_land_area_ha", "provincie", 2015).frame.set_index("code")
    expected = population.loc["PV28", "value"] / area.loc["PV28", "value"] * 100
    assert density.loc["PV28", "value"] == round(expected)  # served at the published precision


def test_missing_stays_missing_with_a_reason_never_zero(data):
    result = indicator_values(data, "pct_higher_educated_15_75", "corop", 2022, 2021)
    frame = result.frame
    missing = frame[frame["value"].isna()]
    assert len(missing) > 0 and (frame["value"].dropna() > 0).all()
    assert missing["missing_reason"].str.contains("gemeente regions have no value").all()
    assert result.meta()["boundary_year"] == 2021 and result.meta()["remapped"]
    native = indicator_values(data, "population", "gemeente", 2014)
    assert not native.unmatched and native.boundary_year == 2014 and len(native.frame) == 403


def test_cbs_secret_code_is_missing_not_a_number(data):
    rows = data.observations_of("kwb_population")
    assert (rows["value"].dropna() >= 0).all()
    wijk = indicator_values(data, "kwb_employment_rate", "wijk", 2022).frame
    blank = wijk[wijk["value"].isna()]
    assert len(blank) > 0 and blank["missing_reason"].str.startswith(("blank in source", "withheld: fewer")).all()


def test_nuts2_rows_map_to_provinces(data):
    ris = indicator_values(data, "ris2019_regional_innovation_index", "provincie", 2019).frame.set_index("code")
    assert ris["value"].notna().all()
    assert ris.loc["PV20", "value"] == pytest.approx(118.7, abs=0.05)
    assert ris.loc["PV21", "value"] == pytest.approx(87.7, abs=0.05)


def test_ranks_and_percentiles(data):
    frame = indicator_values(data, "population", "provincie", 2022).frame.set_index("code")
    assert frame.loc["PV28", "rank"] == 1 and frame["rank"].max() == 12
    assert frame.loc["PV28", "percentile"] == 100.0


def test_not_aggregatable_indicator_refuses_coarser_level(data):
    with pytest.raises(InvalidChoice) as err:
        indicator_values(data, "ris2019_regional_innovation_index", "gemeente", 2019)
    assert err.value.parameter == "level" and err.value.choices == ["provincie"]


def test_unknown_year_names_the_valid_years(data):
    with pytest.raises(InvalidChoice) as err:
        indicator_values(data, "population", "gemeente", 1990)
    assert err.value.choices == [2014, 2019, 2022]


def test_category_values_are_text(data):
    frame = indicator_values(data, "kwb_urbanity", "gemeente", 2022).frame
    assert frame["text"].notna().sum() == 345 and np.isnan(frame["value"]).all()
