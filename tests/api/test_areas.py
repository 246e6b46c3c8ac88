"""Areas a planner restricts the atlas to, and `within=` on values and layer downloads, on the real data."""

import csv
import io

import pytest
from fastapi.testclient import TestClient

from api.app import create_app


@pytest.fixture(scope="module")
def client(data):
    return TestClient(create_app(data))


def test_areas_list_the_country_roms_provinces_and_corop_regions(client):
    areas = client.get("/api/v1/areas").json()["areas"]
    kinds = {kind: [a for a in areas if a["kind"] == kind] for kind in ("country", "rom", "provincie", "corop")}
    assert [len(kinds[k]) for k in kinds] == [1, 9, 12, 40]
    bom = next(a for a in areas if a["id"] == "BOM")
    west, south, east, north = bom["extent"]
    assert 4.1 < west < 4.3 and 5.9 < east < 6.1 and 51.1 < south < 51.3 and 51.7 < north < 51.9


def _csv_rows(response) -> list[dict]:
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.text)))


def test_within_keeps_an_areas_regions_in_every_download(client):
    layer = _csv_rows(client.get("/api/v1/layers/gemeente?indicators=pct_higher_educated_15_75&format=csv&within=BOM"))
    assert len(layer) == 56 and {r["provincie_code"] for r in layer} == {"PV30"}
    values = _csv_rows(client.get("/api/v1/indicators/pct_higher_educated_15_75/values?level=gemeente&format=csv&within=BOM"))
    assert {r["code"] for r in values} == {r["code"] for r in layer}
    corop = _csv_rows(client.get("/api/v1/layers/gemeente?format=csv&within=CR36"))
    assert corop and {r["corop_code"] for r in corop} == {"CR36"}
    # a province map of a COROP region shows the province that holds it
    assert [r["code"] for r in _csv_rows(client.get("/api/v1/layers/provincie?format=csv&within=CR36"))] == [corop[0]["provincie_code"]]
    assert len(_csv_rows(client.get("/api/v1/layers/provincie?format=csv&within=NL"))) == 12


def test_an_unknown_area_is_a_400_naming_the_choices(client):
    response = client.get("/api/v1/layers/gemeente?format=csv&within=Zaltbommel")
    assert response.status_code == 400
    assert response.json()["parameter"] == "within" and "BOM" in response.json()["valid"]


def test_dutch_csv_opens_as_columns_in_dutch_excel_and_carries_several_indicators(client):
    ids = "pct_higher_educated_15_75,kwb_population"
    response = client.get(f"/api/v1/layers/gemeente?indicators={ids}&format=csv&csv_locale=nl&within=BOM")
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 56 and "kwb_population" in rows[0] and "pct_higher_educated_15_75" in rows[0]
    eindhoven = next(r for r in rows if r["name"] == "Eindhoven")
    assert "," in eindhoven["area_km2"] and "." not in eindhoven["area_km2"]
    bad = client.get("/api/v1/layers/gemeente?format=csv&csv_locale=fr")
    assert bad.status_code == 400 and bad.json()["parameter"] == "csv_locale"


def test_html_export_declares_its_language(client):
    for lang in ("nl", "en"):
        page = client.get(f"/export/map.html?indicator=pct_higher_educated_15_75&level=provincie&lang={lang}").text
        assert f'<html lang="{lang}">' in page
