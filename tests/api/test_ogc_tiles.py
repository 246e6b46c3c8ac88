"""OGC API - Tiles: the tile matrix sets as PDOK publishes them, discovery from the landing page, and map and
vector tiles in RD New drawn with the legend's colours on the real data."""

from __future__ import annotations

import io

import mapbox_vector_tile
import pytest
from PIL import Image
from fastapi.testclient import TestClient

from api.app import create_app

# PDOK's NetherlandsRDNewQuad (https://api.pdok.nl/.../ogc/v1/tileMatrixSets/NetherlandsRDNewQuad): CRS EPSG:28992,
# top-left origin (-285401.92, 903401.92), 256 x 256 px tiles, cell size 3440.64 m at level 0 halving at every
# level, a 2^z x 2^z matrix, levels 0 to 16; scale denominators 1.2288e7 at level 0 halving likewise (PDOK rounds
# level 16's 187.5 to 187.0, so scales are compared to 0.3 %).
PDOK_CRS = "http://www.opengis.net/def/crs/EPSG/0/28992"
PDOK_ORIGIN = [-285401.92, 903401.92]
PDOK_TILE_PX = 256
PDOK_CELL_Z0, PDOK_SCALE_Z0, PDOK_LEVELS = 3440.64, 1.2288e7, 17
PDOK_CELLS = {0: 3440.64, 5: 107.52, 10: 3.36, 14: 0.21, 16: 0.0525}  # as PDOK's table lists them
UTRECHT_RD = (155000.0, 463000.0)  # RD New's own false origin, in Amersfoort, province of Utrecht (PV26)
INDICATOR = "pct_higher_educated_15_75"


@pytest.fixture(scope="module")
def client(data):
    return TestClient(create_app(data))


def test_rd_new_quad_is_pdoks(client):
    listed = client.get("/ogc/tileMatrixSets").json()["tileMatrixSets"]
    assert {t["id"] for t in listed} == {"WebMercatorQuad", "NetherlandsRDNewQuad"}
    tms = client.get("/ogc/tileMatrixSets/NetherlandsRDNewQuad").json()
    assert tms["crs"] == PDOK_CRS
    matrices = tms["tileMatrices"]
    assert [m["id"] for m in matrices] == [str(z) for z in range(PDOK_LEVELS)]
    for z, m in enumerate(matrices):
        assert m["pointOfOrigin"] == PDOK_ORIGIN and m["cornerOfOrigin"] == "topLeft"
        assert m["tileWidth"] == m["tileHeight"] == PDOK_TILE_PX
        assert m["matrixWidth"] == m["matrixHeight"] == 2**z
        assert m["cellSize"] == pytest.approx(PDOK_CELL_Z0 / 2**z, rel=1e-12)
        assert m["scaleDenominator"] == pytest.approx(PDOK_SCALE_Z0 / 2**z, rel=3e-3)
    for z, cell in PDOK_CELLS.items():
        assert matrices[z]["cellSize"] == pytest.approx(cell, rel=1e-12)
    web = client.get("/ogc/tileMatrixSets/WebMercatorQuad").json()
    assert web["crs"].endswith("EPSG/0/3857") and web["tileMatrices"][0]["matrixWidth"] == 1


def test_tiles_are_discovered_from_the_landing_page(client):
    landing = client.get("/ogc").json()
    schemes = next(link["href"] for link in landing["links"] if link["rel"].endswith("/tiling-schemes"))
    assert client.get(schemes).status_code == 200
    assert any(c.startswith("http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/")
               for c in client.get("/ogc/conformance").json()["conformsTo"])
    collection = client.get("/ogc/collections/gemeente_2022").json()
    rels = {link["rel"].rsplit("/", 1)[-1]: link["href"] for link in collection["links"]}
    for kind, media in (("tilesets-map", "image/png"), ("tilesets-vector", "application/vnd.mapbox-vector-tile")):
        tilesets = client.get(rels[kind]).json()["tilesets"]
        assert {t["tileMatrixSetURI"].rsplit("/", 1)[-1] for t in tilesets} == {"WebMercatorQuad", "NetherlandsRDNewQuad"}
        rd = next(t for t in tilesets if t["crs"].endswith("28992"))
        self_link = next(link["href"] for link in rd["links"] if link["rel"] == "self")
        tileset = client.get(self_link).json()
        assert tileset["atlas_legend"]["indicator"] == INDICATOR and tileset["atlas_legend"]["boundary_year"] == 2022
        template = next(link for link in tileset["links"] if link["rel"] == "item")
        assert template["type"] == media and "{tileMatrix}/{tileRow}/{tileCol}" in template["href"]
        tile = client.get(template["href"].replace("{tileMatrix}", "3").replace("{tileRow}", "3").replace("{tileCol}", "3"))
        assert tile.status_code == 200 and tile.headers["content-type"] == media and tile.content


def _legend_colour(client, collection: str, code: str) -> tuple[int, int, int, int]:
    """The colour the legend gives a region: its class from the values, its colour from the legend entry."""
    level, year = collection.rsplit("_", 1)
    legend = client.get(f"/ogc/collections/{collection}/map/tiles/NetherlandsRDNewQuad").json()["atlas_legend"]
    values = client.get(f"/api/v1/indicators/{INDICATOR}/values",
                        params={"level": level, "year": legend["year"], "boundary_year": year}).json()["values"]
    value = next(row["value"] for row in values if row["code"] == code)
    entry = next(e for e in legend["entries"]
                 if (e["lower"] < value or (e["lower_inclusive"] and e["lower"] == value)) and value <= e["upper"])
    hex_colour = entry["colour"].lstrip("#")
    return (*(int(hex_colour[i:i + 2], 16) for i in (0, 2, 4)), 255)  # type: ignore[return-value]


def test_rd_new_png_tile_over_utrecht_has_utrechts_legend_colour(client):
    x_rd, y_rd = UTRECHT_RD
    z, cell, span = 5, 107.52, 107.52 * 256
    column, row = int((x_rd - PDOK_ORIGIN[0]) // span), int((PDOK_ORIGIN[1] - y_rd) // span)
    response = client.get(f"/ogc/collections/provincie_2023/map/tiles/NetherlandsRDNewQuad/{z}/{row}/{column}")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(response.content)).convert("RGBA")
    left, top = PDOK_ORIGIN[0] + column * span, PDOK_ORIGIN[1] - row * span
    pixel = (min(int((x_rd - left) / cell), 255), min(int((top - y_rd) / cell), 255))
    assert image.getpixel(pixel) == _legend_colour(client, "provincie_2023", "PV26")


def test_rd_new_vector_tile_holds_the_region_under_the_point(client):
    response = client.get("/ogc/collections/provincie_2023/tiles/NetherlandsRDNewQuad/5/16/16")
    assert response.status_code == 200
    layers = mapbox_vector_tile.decode(response.content)
    codes = {f["properties"]["code"] for f in layers["provincie"]["features"]}
    assert "PV26" in codes


def test_web_mercator_ogc_tile_is_the_classic_tile(client):
    """The OGC path and /api/v1/tiles draw the same picture from the same classification."""
    ogc = client.get(f"/ogc/collections/gemeente_2022/map/tiles/WebMercatorQuad/8/84/131?indicator={INDICATOR}&year=2022")
    classic = client.get(f"/api/v1/tiles/gemeente/{INDICATOR}/8/131/84.png?year=2022&boundary_year=2022")
    assert ogc.status_code == classic.status_code == 200 and ogc.content == classic.content


@pytest.mark.parametrize(("url", "parameter"), [
    ("/ogc/tileMatrixSets/LambertQuad", "tileMatrixSetId"),
    ("/ogc/collections/gemeente_2022/map/tiles/LambertQuad/5/16/16", "tileMatrixSetId"),
    ("/ogc/collections/gemeente_2022/map/tiles/NetherlandsRDNewQuad/5/32/16", "y"),
    ("/ogc/collections/gemeente_2022/map/tiles/NetherlandsRDNewQuad/15/0/0", "z"),
    ("/ogc/collections/gemeente_1999/tiles/NetherlandsRDNewQuad", "collection"),
    ("/ogc/collections/wijk_2022/map/tiles?indicator=rd_expenditure_business", "level"),  # no wijk figures
    ("/api/v1/layers/wijk?year=2022&indicators=rd_expenditure_business&format=csv", "level"),
])
def test_bad_tile_requests_name_the_choices(client, url, parameter):
    response = client.get(url)
    assert response.status_code in (400, 404), response.text
    body = response.json()
    assert parameter in (body.get("parameter") or body["detail"])
