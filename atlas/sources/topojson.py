"""Decode TopoJSON topologies into shapely geometries.

A small exact decoder rather than GDAL's driver: the shared files include topologies whose
``"type":"Topology"`` member comes last (GDAL then needs a ``TopoJSON:`` prefix), and the atlas needs
every feature, including rings that collapse after quantisation, so that repair can decide what to keep.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry


def _decode_arcs(topology: dict[str, Any]) -> list[np.ndarray]:
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        points = np.asarray(arc, dtype=float)[:, :2]
        if transform:
            points = np.cumsum(points, axis=0) * transform["scale"] + transform["translate"]
        arcs.append(points)
    return arcs


def _ring(indexes: list[int], arcs: list[np.ndarray]) -> np.ndarray:
    parts = []
    for i, index in enumerate(indexes):
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        parts.append(points if i == 0 else points[1:])
    return np.concatenate(parts) if parts else np.empty((0, 2))


def _polygon(rings: list[list[int]], arcs: list[np.ndarray]) -> Polygon | None:
    coords = [_ring(r, arcs) for r in rings]
    coords = [c for c in coords if len(c) >= 4]
    if not coords:
        return None
    return Polygon(coords[0], coords[1:])


def _geometry(obj: dict[str, Any], arcs: list[np.ndarray]) -> BaseGeometry | None:
    kind = obj.get("type")
    if kind == "Polygon":
        return _polygon(obj["arcs"], arcs)
    if kind == "MultiPolygon":
        polygons = [p for p in (_polygon(rings, arcs) for rings in obj["arcs"]) if p is not None]
        return MultiPolygon(polygons) if polygons else None
    return None


def read_topojson(path: Path) -> tuple[list[dict[str, Any]], list[BaseGeometry | None]]:
    """Return (properties, raw geometries) of the file's single object; geometries are not yet repaired.

    Rings with fewer than four points (collapsed by quantisation) are left out here; a polygon whose
    outer ring collapsed comes back as ``None`` and repair reports it, so nothing vanishes silently.
    """
    topology = json.loads(path.read_text(encoding="utf-8"))
    if topology.get("type") != "Topology" or "objects" not in topology:
        raise ValueError(f"{path}: not a TopoJSON Topology (no type/objects member)")
    if len(topology["objects"]) != 1:
        raise ValueError(f"{path}: expected one topology object, found {sorted(topology['objects'])}")
    arcs = _decode_arcs(topology)
    (collection,) = topology["objects"].values()
    properties, geometries = [], []
    for obj in collection["geometries"]:
        props = dict(obj.get("properties") or {})
        if "id" in obj and "id" not in props:
            props["id"] = obj["id"]
        properties.append(props)
        geometries.append(_geometry(obj, arcs))
    return properties, geometries
