"""Standalone HTML maps (folium): written by the CLI and served by the API, complete and offline."""

from __future__ import annotations

import html
import re

import pytest
from conftest import HOSTILE_CATEGORY, PAYLOAD
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import WebSettings
from atlas.cli import main
from atlas.render.classify import ClassRequest
from atlas.render.export_html import content_policy, export_map_html


def _check_document(document: str, data, level: str, year: int, lang: str = "nl") -> None:
    codes = set(data.boundaries.get(level, year)["code"])
    present = set(re.findall(r'"code": "((?:GM|PV|CR)\d+)"', document))
    assert present == codes
    no_data, source = ("geen gegevens", "Bron:") if lang == "nl" else ("no data", "Source:")
    assert 'id="atlas-legend"' in document and no_data in document and source in document
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', document), "no CDN: the file must open offline"


def test_cli_writes_a_standalone_map_with_every_region_and_the_legend(data, cli_settings, tmp_path):
    out = tmp_path / "map.html"
    assert main(["export", "map", "--indicator", "kwb_pct_higher_educated", "--level", "gemeente", "--year", "2022",
                 "--lang", "en", "-o", str(out)]) == 0
    document = out.read_text()
    _check_document(document, data, "gemeente", 2022, "en")
    assert document.count('class="sw"') == 6  # five classes and no data
    assert main(["export", "map", "--indicator", "nope", "--level", "gemeente", "-o", str(out)]) == 2


def test_export_endpoint_serves_the_same_kind_of_document(data):
    client = TestClient(create_app(data))
    response = client.get("/export/map.html", params={"indicator": "population", "level": "provincie", "year": 2022,
                                                      "classes": 4})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    _check_document(response.text, data, "provincie", 2022)
    assert response.text.count('class="sw"') == 5
    bad = client.get("/export/map.html", params={"indicator": "population", "level": "provincie", "scheme": "Nope"})
    assert bad.status_code == 400 and bad.json()["parameter"] == "scheme"


def test_export_speaks_the_readers_language_and_names_its_territory(data):
    client = TestClient(create_app(data))
    query = {"indicator": "population", "level": "provincie", "year": 2014, "boundary_year": 2023}
    dutch = client.get("/export/map.html", params=query).text
    english = client.get("/export/map.html", params={**query, "lang": "en"}).text
    # Zuid-Holland's 2014 population, re-mapped onto 2023 provinces, in each language's separators
    assert re.search(r"3\.\d{3}\.\d{3} personen", dutch) and not re.search(r"\d,\d{3},\d{3} personen", dutch)
    assert re.search(r"3,\d{3},\d{3} persons", english)
    assert "getoond op provinciegrenzen van 2023; cijfers van 2014 (grenzen 2014) omgerekend: geschat" in dutch
    assert "shown on provincie boundaries of 2023; 2014 figures (boundaries 2014) re-mapped: estimated" in english
    assert client.get("/export/map.html", params={**query, "lang": "fr"}).status_code == 400


def test_data_text_in_an_export_is_escaped_and_no_inline_script_but_its_own_may_run(hostile_data, tmp_path):
    leaflet = WebSettings().web_packages_dir / "leaflet" / "dist"
    saved = export_map_html(hostile_data, HOSTILE_CATEGORY, "provincie", 2021, ClassRequest(), leaflet, "en")
    response = TestClient(create_app(hostile_data)).get(
        "/export/map.html", params={"indicator": HOSTILE_CATEGORY, "level": "provincie", "year": 2021, "lang": "en"})
    in_tooltip = html.escape(PAYLOAD).replace("&", "\\u0026")  # escaped for HTML, then written as JSON by folium
    for document in (saved, response.text):
        assert PAYLOAD not in document and f"Utrecht {in_tooltip}" in document
        assert document.count(in_tooltip) == 2  # the region's name and its category value, in the tooltip data
        assert f"{html.escape(PAYLOAD)} (1)</li>" in document  # the category in the legend
        policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', document)
        assert policy is not None and policy[1] == content_policy(document)
        scripts = policy[1].split("script-src ")[1].split(";")[0].split()
        assert scripts and all(s.startswith("'sha256-") for s in scripts)  # no 'unsafe-inline'
    assert response.headers["content-security-policy"].startswith(content_policy(response.text))
    assert "frame-ancestors" in response.headers["content-security-policy"]


def test_export_of_an_area_holds_and_frames_only_its_regions(data):
    """BOM (Brabantse Ontwikkelings Maatschappij) is Noord-Brabant: its 56 gemeenten of 2022, framed on the province,
    coloured by the national classes (the legend counts every gemeente) and saying which area it shows."""
    client = TestClient(create_app(data))
    query = {"indicator": "pct_higher_educated_15_75", "level": "gemeente", "year": 2022, "lang": "en"}
    response = client.get("/export/map.html", params={**query, "within": "BOM"})
    assert response.status_code == 200 and "_BOM.html" in response.headers["content-disposition"]
    document = response.text
    layer = data.boundaries.get("gemeente", 2022)
    brabant = set(layer.loc[layer["provincie_code"] == "PV30", "code"])
    assert set(re.findall(r'"code": "(GM\d+)"', document)) == brabant and len(brabant) == 56
    assert "Area: BOM (56 regions; classes of the whole country)" in document
    national = client.get("/export/map.html", params=query).text
    counts = re.findall(r'class="sw"[^>]*></span>[^<]*\((\d+)\)</li>', document)
    assert counts == re.findall(r'class="sw"[^>]*></span>[^<]*\((\d+)\)</li>', national)  # national classes
    framed = re.search(r"fitBounds\(\s*\[\[([\d.]+),\s*([\d.]+)\],\s*\[([\d.]+),\s*([\d.]+)\]\]", document)
    assert framed is not None
    south, west, north, east = (float(v) for v in framed.groups())
    w, s, e, n = layer.loc[layer["provincie_code"] == "PV30"].total_bounds
    assert (west, south, east, north) == pytest.approx((w, s, e, n), abs=0.01)  # the province, not the country
    bad = client.get("/export/map.html", params={**query, "within": "Zaltbommel"})
    assert bad.status_code == 400 and bad.json()["parameter"] == "within"
