import pandas as pd

from atlas.membership import spatial_parents
from atlas.names import fold


def test_every_gemeente_and_wijk_has_exactly_one_corop_and_province(data):
    for (level, year), layer in data.boundaries.layers.items():
        if level not in ("gemeente", "wijk"):
            continue
        assert layer["corop_code"].notna().all() and layer["provincie_code"].notna().all()
        assert layer["corop_code"].str.match(r"^CR\d\d$").all()
        assert set(layer["provincie_code"]) == set(data.boundaries.get("provincie", year)["code"])
        assert layer["code"].is_unique


def test_each_corop_lies_in_one_province(data):
    for year in data.boundaries.years("gemeente"):
        gemeenten = data.boundaries.get("gemeente", year)
        assert (gemeenten.groupby("corop_code")["provincie_code"].nunique() == 1).all()


def test_attribute_and_spatial_membership_agree_2015(data):
    gemeenten = data.boundaries.get("gemeente", 2015)
    assert gemeenten["membership"].iloc[0].startswith("corop: CBS attribute")
    by_point_corop = spatial_parents(gemeenten, data.boundaries.get("corop", 2015))
    by_point_prov = spatial_parents(gemeenten, data.boundaries.get("provincie", 2015))
    assert (by_point_corop.values == gemeenten["corop_code"].values).all()
    assert (by_point_prov.values == gemeenten["provincie_code"].values).all()


def test_province_by_name_and_by_point_agree_2022(data):
    gemeenten = data.boundaries.get("gemeente", 2022)
    by_point = spatial_parents(gemeenten, data.boundaries.get("provincie", 2022))
    assert (by_point.values == gemeenten["provincie_code"].values).all()


def test_derived_membership_matches_the_shared_tables(data, shared_dir):
    for year in (2015, 2023, 2024, 2025):
        table = pd.read_csv(shared_dir / f"geodata/boundaries/membership_{year}.csv").set_index("gemeente_code")
        layer = data.boundaries.get("gemeente", year).set_index("code")
        assert (layer["corop_code"] == table["corop_code"].reindex(layer.index)).all()
        assert (layer["provincie_code"] == table["provincie_code"].reindex(layer.index)).all()


def test_corop_2022_is_dissolved_and_flagged(data):
    corop = data.boundaries.get("corop", 2022)
    assert corop["derived"].str.startswith("dissolved from gemeente 2022").all()
    assert corop["name"].notna().all()
    gemeenten = data.boundaries.get("gemeente", 2022)
    assert corop["area_km2"].sum() == __import__("pytest").approx(gemeenten["area_km2"].sum(), rel=1e-3)


def test_wijk_gemeente_comes_from_the_code(data):
    wijken = data.boundaries.get("wijk", 2022)
    assert (wijken["gemeente_code"].str[2:] == wijken["code"].str[2:6]).all()
    assert set(wijken["gemeente_code"]) <= set(data.boundaries.get("gemeente", 2022)["code"])


def test_fold_matches_name_variants():
    assert fold("Súdwest-Fryslân") == fold("SUDWEST FRYSLAN") == "sudwest fryslan"
