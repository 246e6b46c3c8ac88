"""The startup-ecosystem layer on the real Dealroom file: five Dutch metros as points, with units and attribution."""

from __future__ import annotations

import dataclasses

import pytest
import shapely
from fastapi.testclient import TestClient

from api.app import create_app
from atlas.cache import AtlasCaches


@pytest.fixture(scope="module")
def body(data):
    response = TestClient(create_app(data)).get("/api/v1/startups")
    assert response.status_code == 200
    return response.json()


def test_five_dutch_metros_at_their_core_city(body, data):
    assert body["type"] == "FeatureCollection" and body["attribution"] == "Dealroom.co"
    assert body["snapshot"] == "2025-09-06T12:35:07.545Z"
    places = {f["properties"]["name"]: f["properties"] for f in body["features"]}
    assert list(places) == ["Amsterdam", "Eindhoven", "Rotterdam - The Hague", "Utrecht", "Leiden"]
    assert {n: p["gemeente_code"] for n, p in places.items()} == {
        "Amsterdam": "GM0363", "Eindhoven": "GM0772", "Rotterdam - The Hague": "GM0599", "Utrecht": "GM0344",
        "Leiden": "GM0546"}
    assert places["Rotterdam - The Hague"]["area_name"] == "Rotterdam Metropolitan Area"
    assert places["Rotterdam - The Hague"]["core_city"] == "Rotterdam"
    gemeenten = data.boundaries.get("gemeente", body["boundary_year"]).set_index("code").geometry
    for feature in body["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert gemeenten[feature["properties"]["gemeente_code"]].contains(shapely.Point(lon, lat))


def test_figures_carry_units_and_missing_stays_missing(body):
    amsterdam = body["features"][0]["properties"]["figures"]
    assert amsterdam["vc_backed_startups"]["value"] == 2154 and amsterdam["vc_backed_startups"]["unit"] == "count"
    assert amsterdam["vc_invested"]["unit"] == "EUR" and round(amsterdam["vc_invested"]["value"]) == 842316161
    assert "period" in amsterdam["vc_invested"]["unit_note"]
    assert amsterdam["university_spinouts"]["value"] == 98 and amsterdam["unicorns"]["value"] == 24
    assert amsterdam["unicorns"]["column"] == "unicorns_power_law_outcomes"
    leiden = body["features"][4]["properties"]
    assert leiden["figures"]["unicorns"]["value"] == 1 and leiden["figures"]["university_spinouts"]["value"] == 22
    assert "Dealroom.co" in leiden["attribution"] and leiden["dealroom_url"].startswith("https://app.dealroom.co/")


def test_country_and_supercluster_are_left_out_with_the_reason(body):
    excluded = {e["name"]: e["reason"] for e in body["excluded"]}
    assert set(excluded) == {"Netherlands", "New Palo Alto"}
    assert "national total" in excluded["Netherlands"] and "Belgium" in excluded["New Palo Alto"]


def test_without_the_dealroom_file_the_answer_is_an_operator_problem_not_a_crash(data, tmp_path):
    bare = dataclasses.replace(data, data_dir=tmp_path, caches=AtlasCaches.from_settings())
    response = TestClient(create_app(bare)).get("/api/v1/startups")
    assert response.status_code == 503 and response.headers["content-type"] == "application/problem+json"
    assert str(tmp_path) not in response.text and "operator" in response.json()["detail"]
