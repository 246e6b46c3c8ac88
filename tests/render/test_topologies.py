"""The TopoJSON topologies the build stores: a download filled from one is byte for byte what topojson computes
for the whole layer, and only whole WGS84 layers of the same regions are answered from it (a damaged file makes
the build rebuild: tests/test_selfheal.py)."""

from __future__ import annotations

import json

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


def test_a_frame_of_other_regions_is_not_filled_into_the_layers_topology(data):
    frame = layer_frame(data, "gemeente", 2023, [])
    renamed = frame.assign(code=frame["code"].where(frame.index != 5, "GM9999"))
    assert data.topologies.filled("gemeente", 2023, frame) is not None
    assert data.topologies.filled("gemeente", 2023, renamed) is None
    assert data.topologies.filled("gemeente", 2023, frame.iloc[::-1]) is None
