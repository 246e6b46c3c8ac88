"""The TopoJSON topology (shared arcs) of each boundary layer, computed with the build.

Finding the shared arcs of a layer is most of a TopoJSON download: 110-170 ms for a gemeente year, the only
format that missed 100 ms cold. The arcs depend on the geometry alone, so the build computes them once per
layer, in WGS84 without simplification (the download's defaults), and a download fills each geometry's
properties into that topology. The result is what topojson gives for the whole frame (the tests compare them).
Wijk layers (13,000 regions, seconds each) and other CRSs, simplifications and areas are computed on request.

A stored file that is missing or cannot be parsed when the build is loaded makes the build rebuild.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import topojson
from topojson.utils import serialize_as_json

from atlas.data import AtlasData

BUILT_LEVELS = ("provincie", "corop", "gemeente")


def topology_json(frame: gpd.GeoDataFrame) -> str:
    """TopoJSON of a layer frame, every column but the geometry a property, as the download sends it."""
    return serialize_as_json(topojson.Topology(frame, prequantize=False, topology=True).to_dict(), None)


class TopologyStore:
    def __init__(self, layers: dict[tuple[str, int], str] | None = None) -> None:
        self._layers = layers or {}  # each layer's topology as JSON text, its regions' codes as the only property

    def filled(self, level: str, year: int, frame: gpd.GeoDataFrame) -> str | None:
        """The layer's built topology with the frame's columns as properties, or None where none is held or it
        does not hold these regions in this order."""
        found = self._layers.get((level, year))
        if found is None:
            return None
        topology = json.loads(found)
        geometries = topology["objects"]["data"]["geometries"]
        properties = frame.drop(columns=frame.geometry.name).to_dict(orient="index")
        if ([(g["id"], g["properties"]["code"]) for g in geometries]
                != [(key, row["code"]) for key, row in properties.items()]):
            return None
        for geometry in geometries:
            geometry["properties"] = properties[geometry["id"]]
        return serialize_as_json(topology, None)

    def write(self, folder: Path) -> list[str]:
        names = []
        for (level, year), text in self._layers.items():
            names.append(_file(level, year))
            (folder / names[-1]).write_text(text, encoding="utf-8")
        return names

    def add_file(self, path: Path) -> None:
        """A topology file of a read build, read whole now (5 MB for all layers): a missing or truncated file is
        found at load, and the build rebuilt; a build swapped in later by another process is never mixed in."""
        text = path.read_text(encoding="utf-8")
        if not isinstance(json.loads(text)["objects"]["data"]["geometries"], list):  # KeyError: damaged too
            raise ValueError(f"{path.name}: no list of geometries")
        level, year = path.stem.removeprefix("topology_").rsplit("_", 1)
        self._layers[(level, int(year))] = text


def build_topologies(data: AtlasData) -> TopologyStore:
    """The geometry-only topology of every provincie, corop and gemeente layer (about 2 s for all years)."""
    from atlas.render.layers import layer_frame

    return TopologyStore({(level, year): topology_json(layer_frame(data, level, year, [])[["code", "geometry"]])
                          for level, year in data.boundaries.layers if level in BUILT_LEVELS})


def _file(level: str, year: int) -> str:
    return f"topology_{level}_{year}.json"
