"""GeoJSON geometry objects for (multi)polygons, built from one coordinate array instead of shapely's per-vertex
``__geo_interface__`` (which took a third of a cold tile, and most of a cold layer download or OGC feature set).

The numbers are the very floats shapely holds, so the JSON written from these objects is byte for byte what
``mapping(geometry)`` gave.
"""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import mapping

from atlas.render.tilegrid import polygon_arrays

POLYGONAL = (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON)


def polygon_geometries(shapes: np.ndarray, multi: bool = False) -> list[dict | None]:
    """One GeoJSON geometry per shape: a Polygon or MultiPolygon as the shape is (always MultiPolygon with
    ``multi``, as rasterio takes them); None for a missing shape. Other kinds and empty shapes go through shapely."""
    kinds = shapely.get_type_id(shapes)
    drawn = np.isin(kinds, POLYGONAL) & ~shapely.is_empty(shapes)
    found: list[dict | None] = [None] * len(shapes)
    if drawn.any():
        coords, ring_ends, polygon_ends, shape_ends = polygon_arrays(shapes[drawn])
        points = coords.tolist()
        rings = [points[a:b] for a, b in itertools.pairwise(ring_ends.tolist())]
        polygons = [rings[a:b] for a, b in itertools.pairwise(polygon_ends.tolist())]
        for i, kind, (a, b) in zip(np.flatnonzero(drawn).tolist(), kinds[drawn].tolist(),
                                   itertools.pairwise(shape_ends.tolist())):
            if multi or kind == shapely.GeometryType.MULTIPOLYGON:
                found[i] = {"type": "MultiPolygon", "coordinates": polygons[a:b]}
            else:
                found[i] = {"type": "Polygon", "coordinates": polygons[a]}
    for i in np.flatnonzero(~drawn & ~shapely.is_missing(shapes)).tolist():
        found[i] = mapping(shapes[i])
    return found


def feature_collection(frame: gpd.GeoDataFrame, na: str) -> dict:
    """``frame.to_geo_dict(drop_id=True, na=na)`` with the geometries from `polygon_geometries`: geopandas writes the
    properties, the coordinates come from one array."""
    geometries = polygon_geometries(frame.geometry.to_numpy())
    collection = frame.set_geometry(gpd.GeoSeries([None] * len(frame), index=frame.index, crs=frame.crs)).to_geo_dict(
        drop_id=True, na=na)
    for feature, geometry in zip(collection["features"], geometries):
        feature["geometry"] = geometry
    return collection
