"""The TopoJSON topologies the build stores: a download filled from one is byte for byte what topojson computes
for the whole layer, only whole WGS84 layers are answered from it, and a file damaged after loading costs time,
never a download."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from atlas.render.layers import layer_frame
from atlas.render.topologies import BUILT_LEVELS, TopologyStore, topology_json

INDICATORS = ["kwb_population", "h2020_organisations"]


def test_the_build_holds_every_layer_but_the_wijken(data):
    held = {key for key in data.boundaries.layers if key[0] in BUILT_LEVELS}
    assert len(held) == 36
    assert all(data.topologies.filled(level, year, layer_frame(data, level, year, [])) is not None
               for level, year in held)
    assert data.topologies.filled("wijk", 2022, layer_frame(data, "wijk", 2022, [])) is None


@pytest.mark.parametrize(("level", "year"), [("gemeente", 2025), ("gemeente", 2018), ("corop", 2014), ("provincie", 2023)])
def test_a_filled_topology_is_what_topojson_computes(data, level, year):
    frame = layer_frame(data, level, year, INDICATORS)
    filled = data.topologies.filled(level, year, frame)
    assert filled == topology_json(frame)
    geometries = json.loads(filled)["objects"]["data"]["geometries"]
    assert len(geometries) == len(frame) and geometries[0]["properties"]["code"] == frame["code"].iloc[0]


def test_only_a_whole_wgs84_layer_is_served_from_the_build(data, monkeypatch):
    served: list[bool] = []
    original = TopologyStore.filled

    def counted(self, level, year, frame):
        found = original(self, level, year, frame)
        served.append(found is not None)
        return found

    monkeypatch.setattr(TopologyStore, "filled", counted)
    client = TestClient(create_app(data))
    whole = client.get("/api/v1/layers/gemeente?format=topojson&year=2023&indicators=kwb_population")
    assert whole.status_code == 200 and served == [True]
    frame = layer_frame(data, "gemeente", 2023, ["kwb_population"])
    assert whole.content == topology_json(frame).encode()
    for other in ("crs=EPSG:28992", "simplify=100", "within=PV26"):
        answer = client.get(f"/api/v1/layers/gemeente?format=topojson&year=2023&{other}")
        assert answer.status_code == 200 and json.loads(answer.content)["type"] == "Topology", other
    assert served == [True]  # the others never asked the build's topology


def test_a_damaged_file_after_loading_is_logged_and_computed(data, tmp_path: Path, caplog):
    store = TopologyStore()
    names = data.topologies.write(tmp_path)
    for name in names:
        store.add_file(tmp_path / name)
    (tmp_path / "topology_gemeente_2023.json").write_text('{"type": "Topol')
    frame = layer_frame(data, "gemeente", 2023, [])
    with caplog.at_level(logging.WARNING, logger="atlas.render.topologies"):
        assert store.filled("gemeente", 2023, frame) is None
    assert "cannot read the built topology" in caplog.records[0].getMessage()
    assert store.filled("gemeente", 2022, layer_frame(data, "gemeente", 2022, [])) == topology_json(
        layer_frame(data, "gemeente", 2022, []))
