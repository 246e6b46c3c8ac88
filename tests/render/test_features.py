"""The OGC features the build stores: read back they are what serialising the layer gives now, CRS84 pages are
answered from them without computing anything, and the stored file is a feature sequence GIS software reads (a
damaged file makes the build rebuild: tests/test_selfheal.py)."""

from __future__ import annotations

import dataclasses
import json

import pyogrio
import pytest
import shapely
from fastapi.testclient import TestClient

from api.app import create_app
from atlas.cache import AtlasCaches
from atlas.data import BUILD_DIR_NAME
from atlas.render.features import build_features

EPSG_28992 = "http://www.opengis.net/def/crs/EPSG/0/28992"


def test_the_features_read_with_the_build_are_those_serialised_now(data):
    assert data.features is not None
    now = build_features(data)
    assert len(data.boundaries.layers) == 37
    for level, year in data.boundaries.layers:
        read, computed = data.features.get(level, year), now.get(level, year)
        assert read is not None and computed is not None
        assert read.ids == computed.ids == [str(c) for c in data.boundaries.get(level, year)["code"]], (level, year)
        assert read.features == computed.features, (level, year)


def test_crs84_pages_come_from_the_build_and_other_crss_are_computed_once(data):
    client = TestClient(create_app(data))

    def misses() -> int:
        return next(s.misses for s in data.caches.stats() if s.name == "ogc_features")

    before = misses()
    pages = [client.get("/ogc/collections/gemeente_2021/items", params={"offset": offset}) for offset in (0, 10, 350)]
    single = client.get("/ogc/collections/wijk_2022/items/WK034401")
    assert [p.status_code for p in pages] == [200, 200, 200] and single.status_code == 200
    assert [len(p.json()["features"]) for p in pages] == [10, 10, 2]  # 352 gemeenten in 2021
    assert single.json()["properties"]["gemeente_code"] == "GM0344"
    assert misses() == before
    for _ in range(2):
        rd = client.get("/ogc/collections/gemeente_2021/items", params={"crs": EPSG_28992})
        assert rd.status_code == 200 and rd.json()["features"][0]["geometry"]["coordinates"][0][0][0][0] > 1000
    assert misses() == before + 1


def test_the_stored_features_are_a_sequence_gdal_reads(data, settings):
    path = settings.cache_dir / BUILD_DIR_NAME / "features_gemeente_2023.geojsonl"
    frame = pyogrio.read_dataframe(path)
    layer = data.boundaries.get("gemeente", 2023)
    assert len(frame) == len(layer) == 342
    assert list(frame["code"]) == list(layer["code"])
    assert frame.crs.to_epsg() == 4326
    assert shapely.area(frame.geometry.values).sum() == pytest.approx(shapely.area(layer.geometry.values).sum(), rel=1e-9)
    first = json.loads(path.read_bytes().splitlines()[0])
    assert first["id"] == layer["code"].iloc[0] and first["type"] == "Feature"


def test_a_copy_with_other_boundaries_serialises_its_own_features(data):
    layers = dict(data.boundaries.layers)
    renamed = layers[("provincie", 2023)].copy()
    renamed.loc[renamed["code"] == "PV26", "name"] = "Provincie Utrecht (renamed)"
    layers[("provincie", 2023)] = renamed
    copy = dataclasses.replace(data, boundaries=dataclasses.replace(data.boundaries, layers=layers),
                               caches=AtlasCaches.from_settings())
    assert copy.features is None
    answer = TestClient(create_app(copy)).get("/ogc/collections/provincie_2023/items/PV26")
    assert answer.status_code == 200 and answer.json()["properties"]["name"] == "Provincie Utrecht (renamed)"
