"""QGIS (.qml) and SLD styles say exactly what the legend says: one rule per class with its colour and
bounds, and one for no data."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient

from api.app import create_app

SLD = "{http://www.opengis.net/sld}"
OGC = "{http://www.opengis.net/ogc}"
INDICATOR = "pct_higher_educated_15_75"


@pytest.fixture(scope="module")
def client(data):
    return TestClient(create_app(data))


def _legend(client, params: dict) -> dict:
    return client.get(f"/api/v1/legend/gemeente/{INDICATOR}", params=params).json()


@pytest.mark.parametrize("params", [{"year": 2022}, {"year": 2022, "method": "equal_interval", "classes": 4,
                                                       "scheme": "Blues"}])
def test_sld_rules_are_the_legend(client, params):
    legend = _legend(client, params)
    response = client.get(f"/api/v1/styles/gemeente/{INDICATOR}", params={**params, "format": "sld"})
    assert response.status_code == 200 and response.headers["content-disposition"].endswith('.sld"')
    rules = ElementTree.fromstring(response.content).findall(f".//{SLD}Rule")
    assert len(rules) == len(legend["entries"]) + 1
    for rule, entry in zip(rules, legend["entries"]):
        assert rule.findtext(f".//{SLD}Fill/{SLD}CssParameter") == entry["colour"]
        literals = [float(x.text or "nan") for x in rule.iter(f"{OGC}Literal")]
        assert literals == [entry["lower"], entry["upper"]]
        assert rule.findtext(f".//{OGC}PropertyName") == INDICATOR
    assert rules[-1].find(f".//{OGC}PropertyIsNull") is not None
    assert rules[-1].findtext(f".//{SLD}Fill/{SLD}CssParameter") == legend["no_data"]["colour"]


def test_qml_rules_are_the_legend(client):
    legend = _legend(client, {"year": 2022})
    response = client.get(f"/api/v1/styles/gemeente/{INDICATOR}", params={"year": 2022, "format": "qml"})
    root = ElementTree.fromstring(response.content)
    rules = root.findall(".//rules/rule")
    colours = {s.get("name"): next(o.get("value") for o in s.iter("Option") if o.get("name") == "color")
               for s in root.findall(".//symbols/symbol")}
    assert [r.get("label") for r in rules] == [e["label"] for e in legend["entries"]] + ["no data"]
    first = legend["entries"][0]
    assert rules[0].get("filter") == f'"{INDICATOR}" >= {first["lower"]!r} AND "{INDICATOR}" <= {first["upper"]!r}'
    assert rules[-1].get("filter") == f'"{INDICATOR}" IS NULL'
    for rule, entry in zip(rules, legend["entries"]):
        hex_colour = entry["colour"].lstrip("#")
        assert colours[rule.get("symbol")] == ",".join(str(int(hex_colour[i:i + 2], 16)) for i in (0, 2, 4)) + ",255"
    assert client.get(f"/api/v1/styles/gemeente/{INDICATOR}", params={"format": "lyrx"}).status_code == 400
