"""Measured networks from the CORDIS participation table: the reference pair files reproduced, placement, the
H2020 indicators that replace the 2017 totals, metrics only on measured links, and imports."""

from __future__ import annotations

import pandas as pd
import pytest

from atlas.errors import DataValidationError
from atlas.figures.values import indicator_values
from atlas.geography.placematch import place_matcher
from atlas.geography.placement import place_organisations
from atlas.networks.imports import import_network_file
from atlas.networks.links import load_networks, network_geojson, skipped_network_files
from atlas.networks.measured import BUILTIN, NetworkQuery, dataset, load_datasets, measured_network, placement
from atlas.networks.participation_links import links_between, organisation_pairs
from atlas.sources.participations import CORDIS_FILE, read_participations

HEADER = "rcn,pic,type,start_year,programme_parts,contribution,org_city,postcode_fp7\n"


@pytest.fixture(scope="module")
def cordis(data, tmp_path_factory):
    return dataset(data, tmp_path_factory.mktemp("networks"), BUILTIN)


@pytest.fixture(scope="module")
def raw(shared_dir):
    return pd.read_csv(shared_dir / CORDIS_FILE, dtype=str)


def _pic_nodes(frame: pd.DataFrame) -> pd.Series:
    pics = frame["pic"].drop_duplicates()
    return pd.Series(pics.to_numpy(), index=pics.to_numpy())


def test_organisation_links_reproduce_the_weighted_pair_file_exactly(cordis, shared_dir):
    pairs = organisation_pairs(cordis.frame)
    assert len(pairs) == 7985  # h2020_nl_pairs_by_project.csv
    links, left_out = links_between(pairs, _pic_nodes(cordis.frame))
    reference = pd.read_csv(shared_dir / "collaboration" / "h2020_nl_org_pairs_weighted.csv", dtype={"pic_a": str, "pic_b": str})
    ours = links.set_index(["source", "target"])["projects"].sort_index()
    theirs = reference.set_index(["pic_a", "pic_b"])["n_projects"].sort_index()
    assert len(ours) == len(theirs) == 5883 and left_out.empty
    assert ours.index.equals(theirs.index) and (ours.to_numpy() == theirs.to_numpy()).all()


def test_city_links_reproduce_the_city_pair_file(cordis, raw, shared_dir):
    city = raw.drop_duplicates("pic").set_index("pic")["city_norm"].dropna()
    links, left_out = links_between(organisation_pairs(cordis.frame), city)
    reference = pd.read_csv(shared_dir / "collaboration" / "h2020_nl_city_pairs.csv")
    merged = links.merge(reference, left_on=["source", "target"], right_on=["city_a", "city_b"], how="outer",
                         indicator=True)
    assert len(links) == len(reference) == 1120 and (merged["_merge"] == "both").all()
    assert (merged["projects"] == merged["n_projects"]).all() and (merged["org_pairs"] == merged["n_org_pairs"]).all()
    assert links["org_pairs"].sum() == 5165 and len(left_out) == 7985 - 5165  # pairs with a side without a city
    inside = links[links["source"] == links["target"]]
    assert set(inside["source"]) == set(reference.loc[reference["same_city"] == 1, "city_a"])


def test_money_split_over_pairs_conserves_the_money_of_participants_with_partners(cordis):
    frame = cordis.frame
    pairs = organisation_pairs(frame)
    with_partner = frame[frame.groupby("rcn")["pic"].transform("size") > 1]
    assert pairs["money"].sum() == pytest.approx(with_partner["contribution"].sum(), rel=1e-9)


@pytest.mark.parametrize("city, year, gemeente", [
    ("DRUNEN", 2015, "Heusden"), ("DRIEBERGEN RIJSENBURG", 2015, "Utrechtse Heuvelrug"), ("IJsselmuiden", 2023, "Kampen"),
    ("JOURE", 2015, "De Friese Meren"), ("JOURE", 2025, "De Fryske Marren"), ("FRANEKER", 2015, "Franekeradeel"),
    ("FRANEKER", 2025, "Waadhoeke"), ("KINDERDIJK", 2015, "Molenwaard"), ("KINDERDIJK", 2025, "Molenlanden"),
    ("HENGELO", 2025, "Hengelo (O.)"), ("RIJSWIJK", 2025, "Rijswijk (ZH.)"), ("GIESBEEK", 2015, "Rijnwaarden"),
    ("GIESBEEK", 2020, "Zevenaar"), ("Weesp", 2015, "Weesp"), ("Weesp", 2025, "Amsterdam"),
])
def test_aliases_resolve_per_boundary_year(data, city, year, gemeente):
    assert place_matcher(data, year).match(city).gemeente == gemeente


def test_postcode_table_breaks_ties_and_catches_misspelt_towns(data):
    matcher = place_matcher(data, 2025)
    layer = data.boundaries.get("gemeente", 2025)
    orgs = pd.DataFrame({"name": ["a", "b", "c", "d"], "city": ["BERGEN", "AMSTREDAM", "BERGEN", "ULTRECHT"],
                         "postcode": ["1871 XX", "1071 KJ", None, None]}, index=["1", "2", "3", "4"])
    witnesses = pd.DataFrame({"city": ["Groet", "AMSTERDAM", "Venlo", "VENLO"],
                              "postcode": ["1871 AB", "1071 AA", "1871 ZZ", "5900 AA"]})
    placed = place_organisations(matcher, layer, orgs, witnesses)
    assert placed.postcodes == {"1071": "GM0363", "5900": "GM0983"}  # 1871 is seen with two gemeenten: dropped
    witnesses = witnesses.iloc[[0, 1, 3]]
    placed = place_organisations(matcher, layer, orgs, witnesses).organisations
    assert placed.loc["1", ["gemeente", "how"]].tolist() == ["Bergen (NH.)", "postcode-tie"]
    assert placed.loc["2", ["gemeente", "how"]].tolist() == ["Amsterdam", "postcode"]
    assert pd.isna(placed.loc["3", "code"]) and set(placed.loc["3", "candidates"]) == {"GM0373", "GM0893"}
    assert placed.loc["4", "how"] == "unplaced" and placed.loc["4", "candidates"] == ()  # a typo is never guessed


def _unplaced_in_year(data, cordis, year: int) -> int:
    placed = placement(data, cordis, data.boundaries.nearest_year("gemeente", year)).placed
    rows = cordis.frame[cordis.frame["start_year"] == year]
    return int((~rows["pic"].isin(placed.index)).sum())


def test_gemeente_participations_plus_the_unplaced_remainder_equal_the_source_rows(data, cordis):
    rows = data.observations[(data.observations["indicator"] == "h2020_participations")
                             & (data.observations["level"] == "gemeente")]
    counted = rows["value"].sum()
    hidden = rows["missing_reason"].dropna().str.extract(r"unknown: ([\d,]+) counted here")[0].str.replace(",", "")
    unplaced = sum(_unplaced_in_year(data, cordis, year) for year in range(2014, 2022))
    assert counted + hidden.astype(float).sum() + unplaced == len(cordis.frame) == 9092
    assert 0.84 * 9092 < counted < 9092
    for level in ("corop", "provincie"):  # every level totals the same placed participations
        same = data.observations[(data.observations["indicator"] == "h2020_participations")
                                 & (data.observations["level"] == level)]
        assert same["value"].sum() + same["missing_reason"].dropna().str.extract(
            r"unknown: ([\d,]+) counted")[0].str.replace(",", "").astype(float).sum() == counted + hidden.astype(float).sum()


def test_the_whole_network_lists_what_it_cannot_place(data, tmp_path):
    network = measured_network(data, tmp_path, NetworkQuery(top=10))
    coverage, unplaced = network["coverage"], network["unplaced"]
    assert coverage["participations_total"] == 9092
    assert coverage["participations"] + sum(u["participations"] for u in unplaced) == 9092
    assert coverage["organisations"] + len(unplaced) == coverage["organisations_total"] == 2061
    assert coverage["money"] + sum(u["money"] for u in unplaced) == pytest.approx(coverage["money_total"])
    assert all(u["reason"] for u in unplaced)


@pytest.mark.parametrize("gemeente", ["Heusden", "Utrechtse Heuvelrug", "Kampen", "Krimpenerwaard", "Heeze-Leende",
                                      "Oisterwijk", "De Ronde Venen"])
def test_gemeenten_with_participants_in_their_towns_are_no_longer_zero(data, gemeente):
    total, unknown = 0.0, 0
    for year in range(2014, 2022):
        frame = indicator_values(data, "h2020_organisations", "gemeente", year).frame.set_index("name")
        if gemeente not in frame.index:  # Krimpenerwaard exists from 2015
            continue
        total += frame.loc[gemeente, "value"] if frame.loc[gemeente, "missing_reason"] is None else 0
        unknown += frame.loc[gemeente, "missing_reason"] is not None
    assert total > 0 or unknown


def test_on_the_latest_boundaries_towns_count_in_their_gemeente(data, tmp_path):
    nodes = {n["name"]: n for n in measured_network(data, tmp_path, NetworkQuery(top=1))["nodes"]}
    for gemeente, at_least in [("Heusden", 3), ("Utrechtse Heuvelrug", 3), ("Kampen", 2), ("Zevenaar", 2),
                               ("Bodegraven-Reeuwijk", 1), ("Stein (L.)", 1), ("Molenlanden", 1)]:
        assert nodes[gemeente]["organisations"] >= at_least, gemeente


def test_an_unplaced_town_makes_its_gemeente_unknown_not_zero(data):
    frame = indicator_values(data, "h2020_participations", "gemeente", 2016).frame.set_index("name")
    assert pd.isna(frame.loc["Langedijk", "value"])  # BROEKEN OP LANGEDIJK, a spelling the matcher does not place
    assert frame.loc["Langedijk", "missing_reason"].startswith("unknown:")


def test_qualitative_networks_get_no_metrics(data, settings):
    htsm = network_geojson(data, load_networks(data, settings.cache_dir / "networks"), "htsm", "gemeente")
    nodes = [f["properties"] for f in htsm["features"] if f["properties"]["kind"] == "node"]
    assert nodes and not htsm["metrics"] and not htsm["measured"]
    assert all(not {"degree", "weighted_degree", "betweenness", "community"} & set(n) for n in nodes)


def test_measured_metrics_and_province_shares(data, tmp_path):
    network = measured_network(data, tmp_path, NetworkQuery(level="gemeente", parts=("LEIT",), top=5000))
    nodes = {n["name"]: n for n in network["nodes"]}
    between = [link for link in network["links"] if not link["within_region"]]
    assert network["summary"]["links"] == len(between)
    strongest = max(nodes.values(), key=lambda n: n["strength"])
    assert strongest["strength"] == sum(link["weight"] for link in between if strongest["code"] in (link["source"], link["target"]))
    assert max(nodes.values(), key=lambda n: n["betweenness"])["betweenness"] > 0
    assert len({n["community"] for n in nodes.values() if n["community"] is not None}) > 1
    within = [link["within_province"] for link in network["links"]]
    assert network["summary"]["share_links_within_province"] == pytest.approx(sum(within) / len(within), abs=1e-4)
    assert set(network["summary"]["by_part"]) >= {"LEIT"}
    assert all("LEIT" in link["programme_parts"] for link in network["links"])


def test_topsector_view_only_through_the_concordance(data, tmp_path):
    energie = measured_network(data, tmp_path, NetworkQuery(level="provincie", topsector="energie", top=5000))
    sc3 = measured_network(data, tmp_path, NetworkQuery(level="provincie", parts=("SC3",), top=5000))
    assert energie["links"] == sc3["links"] and "approximation" in energie["meta"]["topsector_note"]
    assert sc3["meta"]["topsector_note"] is None


def _participation_file(tmp_path, name: str, body: str):
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


GOOD = "\n".join(["1,A,HES,2019,LEIT,100,Delft,", "1,B,PRC,2019,LEIT,50,EINDHOVEN,", "2,A,HES,2020,SC1,10,Delft,",
                  "2,B,PRC,2020,SC1,,EINDHOVEN,", "2,C,REC,2020,SC1,NA,Atlantis,"]) + "\n"


def test_participation_import_reports_every_bad_line(data, tmp_path):
    path = _participation_file(tmp_path, "mine.csv", "\n".join([
        "1,A,HES,2019,LEIT,100,Delft,", "1,A,HES,2019,LEIT,100,Delft,", "2,B,XYZ,2019,LEIT,1,Delft,",
        "3,C,PRC,19,LEIT,1,Delft,", "4,D,PRC,2019,LEIT,-5,Delft,", "5,A,HES,2019,LEIT,1,Leiden,", "6,E,PRC,2019,LEIT,1,Delft,12",
    ]) + "\n")
    with pytest.raises(DataValidationError) as raised:
        import_network_file(data, path, tmp_path / "networks")
    problems = "\n".join(raised.value.problems)
    for expected in ["mine.csv:3: organisation A appears twice in project 1 (first on line 2)", "mine.csv:4: type 'XYZ'",
                     "mine.csv:5: start_year '19'", "mine.csv:6: contribution '-5'", "mine.csv:7: organisation A has city",
                     "mine.csv:8: postcode_fp7 '12'"]:
        assert expected in problems, problems
    assert not (tmp_path / "networks").exists()


def test_importing_the_same_dataset_again_replaces_it(data, tmp_path):
    networks = tmp_path / "networks"
    first = _participation_file(tmp_path, "mine.csv", GOOD)
    import_network_file(data, first, networks)
    notes = import_network_file(data, first, networks)
    assert any("replaced" in n for n in notes)
    copy = _participation_file(tmp_path, "copy.csv", GOOD)
    assert any("removed mine.csv" in n for n in import_network_file(data, copy, networks))
    tables = load_datasets(data, networks).tables
    assert set(tables) == {BUILTIN, "copy"}
    network = measured_network(data, networks, NetworkQuery(dataset="copy", level="gemeente"))
    assert [(link["source_name"], link["target_name"], link["projects"]) for link in network["links"]] == \
        [("Delft", "Eindhoven", 2)]
    assert [u["city"] for u in network["unplaced"]] == ["Atlantis"]
    assert network["links"][0]["money"] == 155  # project 1: 100 + 50; project 2: half of A's 10 (A has two partners)


def test_a_bad_imported_file_never_breaks_the_others(data, tmp_path, caplog):
    networks = tmp_path / "networks"
    import_network_file(data, _participation_file(tmp_path, "good.csv", GOOD), networks)
    (networks / "participations" / "broken.csv").write_text(HEADER + "1,A,HES,20x9,LEIT,1,Delft,\n", encoding="utf-8")
    links = tmp_path / "links.csv"
    links.write_text("topsector,source,target,weight,year,source_description\nenergie,Groningen,Delft,4,2021,survey\n",
                     encoding="utf-8")
    import_network_file(data, links, networks)
    (networks / "broken_links.csv").write_text("topsector,source\nx,y\n", encoding="utf-8")
    loaded = load_datasets(data, networks)
    assert set(loaded.tables) == {BUILTIN, "good"} and "broken.csv:2: start_year '20x9'" in loaded.skipped["broken.csv"][0]
    assert {n.name for n in load_networks(data, networks)} >= {"links"}
    assert set(skipped_network_files(data, networks)) == {"broken_links.csv"}
    assert "skipped" in caplog.text


def test_reading_the_cordis_file_keeps_every_row(shared_dir):
    table = read_participations(shared_dir / CORDIS_FILE)
    assert len(table.frame) == 9092 and table.frame["pic"].nunique() == 2061 and table.frame["rcn"].nunique() == 5405
