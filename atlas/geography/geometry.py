"""Geometry repair: quantised, generalised boundaries made valid polygons (the CRS live in the vocabulary)."""

from __future__ import annotations

import geopandas as gpd
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry


def polygonal_part(geometry: BaseGeometry | None) -> MultiPolygon | None:
    """Make a geometry valid and keep only its polygons.

    Quantised topologies produce self-intersections and slivers; ``make_valid`` can turn those into
    collections with stray lines or points, which are not area and would break area sums and tiles.
    """
    if geometry is None or geometry.is_empty:
        return None
    fixed = geometry if geometry.is_valid else _make_valid(geometry)
    polygons: list[Polygon] = []
    for part in getattr(fixed, "geoms", [fixed]):
        if isinstance(part, Polygon) and not part.is_empty:
            polygons.append(part)
        elif isinstance(part, MultiPolygon):
            polygons.extend(p for p in part.geoms if not p.is_empty)
        elif hasattr(part, "geoms"):
            nested = polygonal_part(part)
            if nested is not None:
                polygons.extend(nested.geoms)
    return MultiPolygon(polygons) if polygons else None


def _make_valid(geometry: BaseGeometry) -> BaseGeometry:
    """GEOS's default 'linework' method rejects some collapsed quantised rings ("mixed-dimension");
    the 'structure' method drops collapsed rings instead, which is what a collapsed ring deserves."""
    try:
        return shapely.make_valid(geometry)
    except shapely.errors.GEOSException:
        return shapely.make_valid(geometry, method="structure", keep_collapsed=False)


def repair(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, int]:
    """Repair every geometry in place; returns the frame and how many needed repair."""
    invalid = int((~frame.geometry.is_valid).sum())
    frame = frame.copy()
    frame["geometry"] = [polygonal_part(g) for g in frame.geometry]
    return frame, invalid
