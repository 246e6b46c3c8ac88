"""The analysis routes on the real data: JSON answers, map tiles, and 400s that name the valid choices."""

import pytest
from fastapi.testclient import TestClient

from api.app import create_app


@pytest.fixture(scope="module")
def client(data):
    return TestClient(create_app(data))


def test_concentration_json_and_refusal(client):
    body = client.get("/api/v1/analysis/concentration/gemeente/h2020_participations_gemeente", params={"top": 5}).json()
    assert body["top_n"] == 5 and len(body["top_regions"]) == 5 and body["source"] and body["unit"]
    assert len(body["half_regions"]) == body["regions_holding_half"] and body["lorenz"][-1]["value_share"] == 1.0
    refused = client.get("/api/v1/analysis/concentration/gemeente/kwb_pct_higher_educated")
    assert refused.status_code == 400 and refused.json()["parameter"] == "indicator"
    assert "h2020_participations_gemeente" in refused.json()["valid"]


def test_clusters_json_and_tile(client):
    params = {"year": 2022, "permutations": 99}
    body = client.get("/api/v1/analysis/clusters/gemeente/kwb_pct_higher_educated", params=params).json()
    assert body["moran"]["I"] > 0.3 and body["seed"] and body["permutations"] == 99
    assert len(body["lisa"]) == body["moran"]["n"] == body["regions_with_value"] and {e["cluster"] for e in body["legend"]} == {"HH", "LL", "HL", "LH", "ns"}
    tile = client.get("/api/v1/analysis/clusters/gemeente/kwb_pct_higher_educated/tiles/7/65/42.png", params=params)
    assert tile.status_code == 200 and tile.headers["content-type"] == "image/png" and tile.content[:4] == b"\x89PNG"
    bad = client.get("/api/v1/analysis/clusters/gemeente/kwb_pct_higher_educated", params={"alpha": 0.3})
    assert bad.status_code == 400 and bad.json()["parameter"] == "alpha"
