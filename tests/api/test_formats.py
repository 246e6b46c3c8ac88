"""Analysis-ready downloads of the real gemeente layer: GeoParquet, FlatGeobuf and XLSX open with every
municipality, the asked CRS and the indicators' metadata; values and profiles as XLSX workbooks."""

from __future__ import annotations

import io
import json

import geopandas as gpd
import openpyxl
import pyarrow.parquet as pq
import pyogrio
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from atlas.render import layers
from atlas.render.layers import FORMATS, export_layer, prepare_writers

INDICATOR = "pct_higher_educated_15_75"
GEMEENTEN_2022 = 345


@pytest.fixture(scope="module")
def client(data):
    return TestClient(create_app(data))


def _layer(client, fmt: str, crs: str = "EPSG:28992") -> bytes:
    response = client.get("/api/v1/layers/gemeente",
                          params={"year": 2022, "indicators": INDICATOR, "format": fmt, "crs": crs})
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["content-disposition"]
    return response.content


def _check_metadata(indicators: list[dict]) -> None:
    (entry,) = indicators
    assert entry["indicator"] == INDICATOR and entry["year"] == 2022 and entry["unit"].startswith("% of persons")
    assert entry["source"] and entry["definition"] and "gemeente 2022" in entry["boundaries"]


def test_geoparquet_layer(client, tmp_path):
    path = tmp_path / "layer.parquet"
    path.write_bytes(_layer(client, "geoparquet"))
    frame = gpd.read_parquet(path)
    assert len(frame) == GEMEENTEN_2022 and frame.crs.to_epsg() == 28992
    assert frame[INDICATOR].notna().sum() > 300 and frame[f"{INDICATOR}__unit"].str.startswith("% of persons").all()
    assert frame.geometry.total_bounds[0] > 0  # RD New metres, not degrees
    metadata = pq.read_schema(path).metadata
    assert b"geo" in metadata
    _check_metadata(json.loads(metadata[b"atlas"])["indicators"])


def test_flatgeobuf_layer(client, tmp_path):
    path = tmp_path / "layer.fgb"
    path.write_bytes(_layer(client, "flatgeobuf", "EPSG:4326"))
    frame = gpd.read_file(path)
    assert len(frame) == GEMEENTEN_2022 and frame.crs.to_epsg() == 4326
    assert set(frame.loc[frame["code"] == "GM0344", "name"]) == {"Utrecht"}
    info = pyogrio.read_info(path)
    _check_metadata(json.loads(info["layer_metadata"]["DESCRIPTION"])["indicators"])


def test_xlsx_layer(client):
    book = openpyxl.load_workbook(io.BytesIO(_layer(client, "xlsx")), read_only=True)
    assert book.sheetnames == ["values", "metadata"]
    rows = list(book["values"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == GEMEENTEN_2022 and INDICATOR in header and "geometry" not in header
    value, missing = header.index(INDICATOR), header.index(f"{INDICATOR}__missing")
    assert all((row[value] is None) == (row[missing] is not None) for row in body)  # missing is empty, with a reason
    meta = list(book["metadata"].iter_rows(values_only=True))
    _check_metadata([dict(zip(meta[0], row)) for row in meta[1:]])


def test_values_and_profile_as_xlsx(client):
    response = client.get(f"/api/v1/indicators/{INDICATOR}/values", params={"level": "gemeente", "year": 2022,
                                                                          "format": "xlsx"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    values = list(book["values"].iter_rows(values_only=True))
    assert len(values) - 1 == GEMEENTEN_2022
    meta = list(book["metadata"].iter_rows(values_only=True))
    assert dict(zip(meta[0], meta[1]))["unit"].startswith("% of persons") and dict(zip(meta[0], meta[1]))["year"] == 2022
    response = client.get("/api/v1/regions/GM0344", params={"format": "xlsx"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book["values"].iter_rows(values_only=True))
    indicators = {row[rows[0].index("indicator")] for row in rows[1:]}
    meta = list(book["metadata"].iter_rows(values_only=True))
    assert indicators == {row[0] for row in meta[1:]} and INDICATOR in indicators
    assert client.get("/api/v1/regions/GM0344", params={"format": "pdf"}).status_code == 400


def test_writers_prepared_before_the_workers_fork_keep_nothing(data, monkeypatch):
    """`atlas serve` writes the coarsest layer in every format before forking (api.prefork.serve); every writer
    must run on the real data, and nothing of it may take room in the layer cache."""
    written = []

    def export(*args):
        written.append(args[2])
        return export_layer(*args)

    monkeypatch.setattr(layers, "export_layer", export)
    before = len(data.caches.layer_files)
    prepare_writers(data)
    assert written == list(FORMATS) and len(data.caches.layer_files) == before
