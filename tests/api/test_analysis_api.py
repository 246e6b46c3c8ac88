"""The analysis routes on the real data: JSON answers, map tiles, and 400s that name the valid choices."""

import pytest
from fastapi.testclient import TestClient

from api.app import create_app


@pytest.fixture(scope="module")
def client(data):
    return TestClient(create_app(data))


def test_concentration_json_and_refusal(client):
    body = client.get("/api/v1/analysis/concentration/gemeente/h2020_participations", params={"top": 5}).json()
    assert body["top_n"] == 5 and len(body["top_regions"]) == 5 and body["source"] and body["unit"]
    assert len(body["half_regions"]) == body["regions_holding_half"] and body["lorenz"][-1]["value_share"] == 1.0
    refused = client.get("/api/v1/analysis/concentration/gemeente/kwb_pct_higher_educated")
    assert refused.status_code == 400 and refused.json()["parameter"] == "indicator"
    assert "h2020_participations" in refused.json()["valid"]


def test_clusters_json_and_tile(client):
    params = {"year": 2022, "permutations": 99}
    body = client.get("/api/v1/analysis/clusters/gemeente/kwb_pct_higher_educated", params=params).json()
    assert body["moran"]["I"] > 0.3 and body["seed"] and body["permutations"] == 99
    assert len(body["lisa"]) == body["moran"]["n"] == body["regions_with_value"] and {e["cluster"] for e in body["legend"]} == {"HH", "LL", "HL", "LH", "ns"}
    tile = client.get("/api/v1/analysis/clusters/gemeente/kwb_pct_higher_educated/tiles/7/65/42.png", params=params)
    assert tile.status_code == 200 and tile.headers["content-type"] == "image/png" and tile.content[:4] == b"\x89PNG"
    bad = client.get("/api/v1/analysis/clusters/gemeente/kwb_pct_higher_educated", params={"alpha": 0.3})
    assert bad.status_code == 400 and bad.json()["parameter"] == "alpha"


def test_change_json_tiles_and_break_refusal(client):
    params = {"from": 2014, "to": 2022, "boundary_year": 2023}
    body = client.get("/api/v1/analysis/change/gemeente/population", params=params).json()
    assert body["boundary_year"] == 2023 and body["regions"] == len(body["rows"]) and body["harmonised"] == "estimated"
    legend = client.get("/api/v1/analysis/change/gemeente/population/legend", params={**params, "measure": "relative"}).json()
    assert legend["scheme"]["kind"] == "diverging" and legend["unit"] == "% change"
    tile = client.get("/api/v1/analysis/change/gemeente/population/tiles/7/65/42.png", params=params)
    assert tile.status_code == 200 and tile.content[:4] == b"\x89PNG"
    refused = client.get("/api/v1/analysis/change/corop/rd_expenditure_business", params={"from": 2015, "to": 2019})
    assert refused.status_code == 400 and "changed in 2018" in refused.json()["detail"]


def test_composite_json_csv_and_tiles(client):
    params = {"indicators": "kwb_pct_higher_educated,kwb_income_low", "weights": "2,1", "years": "2022,2022"}
    body = client.get("/api/v1/analysis/composite/gemeente", params=params).json()
    assert body["recipe"]["indicators"][1]["flipped"] and body["rows"][0]["rank"] == 1
    csv = client.get("/api/v1/analysis/composite/gemeente", params={**params, "format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv") and csv.text.startswith("# composite index")
    tile = client.get("/api/v1/analysis/composite/gemeente/tiles/7/65/42.png", params=params)
    assert tile.status_code == 200 and tile.content[:4] == b"\x89PNG"
    refused = client.get("/api/v1/analysis/composite/gemeente", params={"indicators": "kwb_population"})
    assert refused.status_code == 400 and refused.json()["parameter"] == "indicators"


def test_scatter_and_bivariate_tile(client):
    params = {"x_indicator": "kwb_pct_higher_educated", "x_year": 2022, "y_indicator": "h2020_participations",
              "y_per": "inhabitant"}
    body = client.get("/api/v1/analysis/scatter/gemeente", params=params).json()
    assert body["n"] == len(body["points"]) > 300 and body["boundary_year"] == 2022
    assert 0 < body["spearman"]["rho"] < 1 and body["y"]["unit"].endswith("per 100,000 inhabitants")
    # more than a third of the gemeenten had no participation in 2021: the participation terciles collapse
    assert {p["class"] for p in body["points"]} <= set(range(9))
    continuous = client.get("/api/v1/analysis/scatter/gemeente", params={
        "x_indicator": "kwb_pct_higher_educated", "x_year": 2022, "y_indicator": "kwb_population", "y_year": 2022}).json()
    assert {p["class"] for p in continuous["points"]} == set(range(9))
    assert next(p for p in body["points"] if p["code"] == "GM0363")["name"] == "Amsterdam"
    tile = client.get("/api/v1/analysis/bivariate/gemeente/tiles/7/65/42.png", params=params)
    assert tile.status_code == 200 and tile.content[:4] == b"\x89PNG"


def test_kennissteden_table_and_csv(client):
    body = client.get("/api/v1/analysis/kennissteden").json()
    assert len(body["cities"]) == 13
    row = next(r for r in body["rows"] if r["indicator"] == "kwb_pct_higher_educated" and r["level"] == "gemeente")
    assert [c["city"] for c in row["cities"]] == body["cities"] and row["reference"]["value"] is not None
    assert all(c["value"] is not None for c in row["cities"])
    corop = client.get("/api/v1/analysis/kennissteden", params={"level": "corop"}).json()
    row = next(r for r in corop["rows"] if r["indicator"] == "kwb_pct_higher_educated")
    assert corop["level"] == "corop" and next(c for c in row["cities"] if c["city"] == "Delft")["name"] == "Delft en Westland"
    csv = client.get("/api/v1/analysis/kennissteden", params={"format": "csv"}).text.splitlines()
    assert csv[1].startswith("indicator,title,level,year,boundary_year,unit,Amsterdam") and "reference" in csv[1]
