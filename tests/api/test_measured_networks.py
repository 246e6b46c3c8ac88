"""The measured network endpoint: the contract the page draws from, and 4xx with the valid choices."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app

PATH = "/api/v1/networks/measured"


@pytest.fixture(scope="module")
def client(data):
    return TestClient(create_app(data))


def test_gemeente_network_carries_what_the_map_draws(client):
    body = client.get(PATH, params={"top": 10}).json()
    assert body["dataset"] == "cordis-h2020" and body["level"] == "gemeente" and body["weight"] == "projects"
    assert body["boundary_year"] == 2025 and len(body["links"]) == 10
    weights = [link["weight"] for link in body["links"]]
    assert weights == sorted(weights, reverse=True)
    top = body["links"][0]
    assert (top["source_name"], top["target_name"], top["within_region"]) == ("Amsterdam", "Amsterdam", True)
    delft = next(link for link in body["links"] if {link["source_name"], link["target_name"]} == {"Delft", "'s-Gravenhage"})
    assert delft["projects"] == 77 and delft["within_province"] and delft["main_part"] == "LEIT"
    assert all(len(link["coordinates"]) == 2 and 3 < link["coordinates"][0][0] < 8 for link in body["links"])
    assert all([link["source_lon"], link["source_lat"]] == link["coordinates"][0] and link["measured"]
               for link in body["links"])
    assert delft["years"] == f"{delft['first_year']}-{delft['last_year']}" and delft["programme_part"] == "LEIT"
    nodes = {n["code"]: n for n in body["nodes"]}
    assert nodes["GM0363"]["name"] == "Amsterdam" and 52 < nodes["GM0363"]["coordinates"][1] < 53
    assert body["meta"]["snapshot"] == "2020-12-14" and "CORDIS" in body["meta"]["source"]
    assert "split" in body["meta"]["money_rule"] and body["meta"]["measured"] is True
    assert body["coverage"]["participations_total"] == 9092 and body["unplaced"]


def test_filters_and_money_weight(client):
    all_types = client.get(PATH, params={"level": "provincie", "top": 500}).json()
    ppp = client.get(PATH, params={"level": "provincie", "org_types": "PRC,HES,REC", "part": "LEIT",
                                   "from_year": 2016, "to_year": 2019, "weight": "money", "top": 500}).json()
    assert ppp["filters"] == {"parts": ["LEIT"], "topsector": None, "from_year": 2016, "to_year": 2019,
                              "org_types": ["HES", "PRC", "REC"]}
    assert ppp["summary"]["participations"] < all_types["summary"]["participations"]
    assert all(2016 <= link["first_year"] <= link["last_year"] <= 2019 for link in ppp["links"])
    assert all(link["weight"] == link["money"] for link in ppp["links"])
    assert {n["code"] for n in all_types["nodes"]} <= {f"PV{n}" for n in range(20, 32)}


@pytest.mark.parametrize("params, parameter, valid", [
    ({"level": "wijk"}, "level", "provincie"), ({"part": "LEIT,XX"}, "part", "SC1"),
    ({"boundary_year": 1990}, "boundary_year", "2025"), ({"weight": "euros"}, "weight", "money"),
    ({"org_types": "PRC,ABC"}, "org_types", "HES"), ({"from_year": 2000}, "year", "2014"),
    ({"dataset": "nope"}, "dataset", "cordis-h2020"), ({"topsector": "space"}, "topsector", "energie"),
])
def test_bad_parameters_name_the_valid_choices(client, params, parameter, valid):
    response = client.get(PATH, params=params)
    body = response.json()
    assert response.status_code in (400, 404) and body["parameter"] == parameter
    choices = body.get("valid") or [v for e in body["errors"] for v in e.get("valid", [])]
    assert any(valid in choice for choice in choices), body


def test_network_listing_offers_the_measured_datasets(client):
    measured = client.get("/api/v1/networks").json()["measured"]
    cordis = next(d for d in measured if d["id"] == "cordis-h2020")
    assert {"LEIT", "SC1", "ERC"} <= set(cordis["programme_parts"]) and cordis["years"][0] == 2014
    assert cordis["topsectors"]["energie"] == ["SC3"] and "approximation" in cordis["topsector_note"]
