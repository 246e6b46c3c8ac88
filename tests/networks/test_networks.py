"""Place matching, network import and validation, aggregation, metrics, H2020 totals, places and endpoints."""

from __future__ import annotations

import shutil

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from atlas.cli import main
from atlas.data import BUILD_DIR_NAME
from atlas.errors import DataValidationError
from atlas.geography.placematch import place_matcher
from atlas.networks.links import Link, aggregate, load_networks, metrics, read_network

HEADER = "topsector,source,target,weight,year,source_description\n"


@pytest.fixture(scope="module")
def client(data):
    return TestClient(create_app(data))


@pytest.mark.parametrize("name, code", [
    ("Den Haag", "GM0518"), ("'s-Gravenhage", "GM0518"), ("The Hague", "GM0518"), ("S-GRAVENHAGE", "GM0518"),
    ("Den Bosch", "GM0796"), ("'s-Hertogenbosch", "GM0796"), ("Súdwest-Fryslân", "GM1900"),
    ("SUDWEST FRYSLAN", "GM1900"), ("GRONINGEN", "GM0014"), ("Hoofddorp", "GM0394"),
])
def test_name_variants_match_the_gemeente_of_the_year(data, name, code):
    match = place_matcher(data, 2023).match(name)
    assert match.code == code, match


def test_unmatched_names_are_listed_never_guessed(data):
    matcher = place_matcher(data, 2023)
    bergen = matcher.match("Bergen")
    assert bergen.code is None and set(bergen.candidates) >= {"Bergen (L.)", "Bergen (NH.)"}
    assert matcher.match("Ultrecht").code is None  # a typo stays unmatched
    assert matcher.match("Berlin").code is None


def test_the_year_decides_the_gemeente(data):
    assert place_matcher(data, 2015).match("Haren").gemeente == "Haren"  # its own gemeente until 2019
    assert place_matcher(data, 2023).match("Haren").gemeente == "Groningen"


def _write(tmp_path, body: str):
    path = tmp_path / "net.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_import_reports_every_bad_row_with_its_line(data, tmp_path):
    path = _write(tmp_path, "\n".join([
        "htsm,Eindhoven,Delft,12,2020,test",
        "htsm,Eindhovn,Delft,3,2020,test",          # unknown place
        "htsm,Eindhoven,Leiden,-2,2020,test",        # bad weight
        "htsm,Eindhoven,Leiden,abc,2020,test",       # bad weight
        "htsm,Delft,Eindhoven,4,2020,test",          # duplicate of line 2 (undirected)
        "space,Delft,Leiden,1,2020,test",            # unknown topsector
        "lsh,Delft,Delft,1,2020,test",               # self-loop
        "lsh,Delft,Leiden,1,2020,",                  # no provenance
    ]) + "\n")
    with pytest.raises(DataValidationError) as raised:
        read_network(data, path)
    problems = "\n".join(raised.value.problems)
    for expected in ["net.csv:3: source unknown place 'Eindhovn'", "net.csv:4: weight '-2'", "net.csv:5: weight 'abc'",
                     "net.csv:6: duplicate of the link on net.csv:2", "net.csv:7: topsector 'space'",
                     "net.csv:8: source and target are the same region", "net.csv:9: source_description is empty"]:
        assert expected in problems, problems
    assert len(raised.value.problems) == 7


def test_aggregation_conserves_total_weight(data, tmp_path):
    path = _write(tmp_path, "\n".join([
        "htsm,Eindhoven,Delft,12,2020,test", "htsm,Eindhoven,Den Haag,5,2020,test", "htsm,Delft,Den Haag,7,2020,test",
        "htsm,Helmond,Eindhoven,3,2020,test", "htsm,GM0153,Amsterdam,2.5,2020,test", "htsm,Veldhoven,Delft,1,2020,test",
    ]) + "\n")
    links = list(read_network(data, path).links)
    assert all(link.measured for link in links)
    total = sum(link.weight or 0.0 for link in links)
    for level in ("gemeente", "corop", "provincie"):
        merged, internal = aggregate(data, links, level)
        inside = sum(i["weight"] or 0 for i in internal.values())
        assert sum(link.weight or 0.0 for link in merged) + inside == pytest.approx(total), level
    merged, internal = aggregate(data, links, "provincie")
    by_pair = {frozenset((m.source, m.target)): m for m in merged}
    assert by_pair[frozenset(("PV30", "PV28"))].weight == 18 and by_pair[frozenset(("PV30", "PV28"))].links == 3
    assert internal["PV28"]["weight"] == 7 and internal["PV30"]["weight"] == 3  # Delft-Den Haag, Helmond-Eindhoven


def test_metrics_on_a_small_known_graph():
    def link(a, b, w):
        return Link("htsm", a, b, w, 2020, "test", "t")
    # a path A-B-C plus D connected to B: B is the hub
    result = metrics([link("A", "B", 1.0), link("B", "C", 2.0), link("B", "D", 3.0), link("E", "F", 1.0)])
    assert result["B"]["degree"] == 3 and result["B"]["weighted_degree"] == 6.0
    assert result["B"]["betweenness"] == pytest.approx(3 / 10)  # 3 of the 10 pairs pass through B
    assert result["A"]["betweenness"] == 0
    assert result["E"]["community"] == result["F"]["community"] != result["B"]["community"]


def test_qualitative_network_from_the_report_is_never_weighted(data, settings):
    networks = load_networks(data, settings.cache_dir / "networks")
    links = [link for n in networks for link in n.links]
    assert {link.topsector for link in links} == {"htsm", "lsh", "tu", "agrifood"}
    assert all(link.weight is None and "Rathenau" in link.provenance for link in links)
    agrifood = [link for link in links if link.topsector == "agrifood"]
    assert len(agrifood) == 6 and {link.source for link in agrifood} == {"GM0289"}  # all from Wageningen


def test_network_and_place_endpoints(client):
    listing = client.get("/api/v1/networks").json()["topsectors"]
    assert {t["id"] for t in listing} == {"htsm", "lsh", "tu", "agrifood"}
    htsm = client.get("/api/v1/networks/htsm", params={"level": "provincie"}).json()
    links = [f for f in htsm["features"] if f["properties"]["kind"] == "link"]
    nodes = [f for f in htsm["features"] if f["properties"]["kind"] == "node"]
    assert {n["properties"]["code"] for n in nodes} == {"PV27", "PV28", "PV30", "PV23"}
    assert all(not f["properties"]["measured"] and f["properties"]["weight"] is None and f["properties"]["provenance"]
               for f in links)
    assert all(len(f["geometry"]["coordinates"]) > 2 for f in links)  # drawn as curves
    kennis = client.get("/api/v1/places", params={"kind": "kennisstad"}).json()["features"]
    assert len(kennis) == 13 and {f["properties"]["gemeente_code"] for f in kennis} >= {"GM0518", "GM0289"}
    roms = client.get("/api/v1/places", params={"kind": "rom"}).json()["features"]
    assert {f["properties"]["name"] for f in roms} >= {"NOM", "BOM", "LIOF"} and len(roms) == 9
    assert sum(len(f["properties"]["provincie_codes"]) for f in roms) == 12
    campuses = client.get("/api/v1/places", params={"kind": "campus"}).json()["features"]
    assert sum(len(f["properties"]["campuses"]) for f in campuses) == 24
    for path, parameter in [("/api/v1/networks/space", "topsector"), ("/api/v1/networks/energie", "topsector"),
                            ("/api/v1/places?kind=castle", "kind"), ("/api/v1/networks/htsm?level=wijk", "level")]:
        response = client.get(path)
        assert response.status_code in (400, 404) and response.json()["parameter"] == parameter


def test_cli_import_adds_a_valid_network_and_refuses_a_bad_one(data, settings, tmp_path, monkeypatch, capsys):
    # the session's build, so the command reads it instead of building again; the import lands beside it
    shutil.copytree(settings.cache_dir / BUILD_DIR_NAME, tmp_path / "cache" / BUILD_DIR_NAME)
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("ATLAS_DATA_DIR", str(settings.data_dir))
    from atlas.settings import get_settings
    get_settings.cache_clear()
    try:
        good = _write(tmp_path, "energie,Groningen,Delfzijl,4,2021,own survey\n")
        assert main(["networks", "import", str(good)]) == 0
        assert (tmp_path / "cache" / "networks" / "net.csv").exists()
        bad = _write(tmp_path, "energie,Groningen,Atlantis,4,2021,own survey\n")
        assert main(["networks", "import", str(bad)]) == 3
        assert "Atlantis" in capsys.readouterr().err
    finally:
        get_settings.cache_clear()


def test_an_agency_can_filter_values_to_its_own_area(client):
    bom = client.get("/api/v1/indicators/kwb_population/values", params={"level": "gemeente", "year": 2022,
                                                                         "within": "BOM"}).json()["values"]
    assert bom and all(v["code"].startswith("GM") for v in bom)
    assert {"Eindhoven", "Tilburg", "Breda"} <= {v["name"] for v in bom} and "Utrecht" not in {v["name"] for v in bom}
    nom = client.get("/api/v1/indicators/kwb_population/values", params={"level": "provincie", "year": 2022,
                                                                         "within": "nom"}).json()["values"]
    assert {v["code"] for v in nom} == {"PV20", "PV21", "PV22"}  # Groningen, Fryslân, Drenthe
    bad = client.get("/api/v1/indicators/kwb_population/values", params={"level": "gemeente", "within": "XYZ"})
    assert bad.status_code == 400 and "BOM" in bad.json()["valid"]
