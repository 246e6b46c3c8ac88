"""Tile addresses in any tile matrix set the atlas serves (atlas.render.tilematrixsets; Web Mercator XYZ
as Leaflet and TileJSON use it is the default) and region geometry prepared per set and zoom.

Rendering a tile must touch only the regions that intersect it, and only as many vertices as the
pixels can show. So each level and boundary year gets, per tile matrix set and zoom, its geometry simplified
to a quarter of a 256 px pixel (half a pixel of a 512 px tile) and put in the zoom's own tile grid
(`grid_geometry`): EXTENT units per tile, y down, snapped to whole units and with exterior rings clockwise as
the MVT specification wants, with an STR-tree over it, kept in the bounded `zoom_geometries` cache. A tile is
then an integer offset in that grid, so rendering one clips and shifts integers and never re-snaps or
re-orients a ring (atlas.render.vectortiles); PNG tiles are drawn from the same geometry
(atlas.render.rastertiles). For Web Mercator at the default zooms the build has done this already
(atlas.render.gridstore).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import morecantile
import numpy as np
import shapely
from shapely import STRtree

from atlas.data import AtlasData
from atlas.errors import InvalidChoice
from atlas.render.tilematrixsets import CRS, GRIDS, WEB_MERCATOR_QUAD, tile_set

WORLD_HALF = 20037508.342789244
TILE_SIZE = 256
EXTENT = 4096  # vector-tile units per tile side
SCALES = (1, 2)


@dataclass(frozen=True)
class TileAddress:
    z: int
    x: int
    y: int
    scale: int = 1
    tms: str = WEB_MERCATOR_QUAD

    @property
    def size(self) -> int:
        return TILE_SIZE * self.scale

    def bounds(self) -> tuple[float, float, float, float]:
        """(minx, miny, maxx, maxy) in the set's CRS; y counts down from the top as in XYZ."""
        left, top, width, height = _tile_span(self.tms, self.z)
        return left + self.x * width, top - (self.y + 1) * height, left + (self.x + 1) * width, top - self.y * height


@lru_cache(maxsize=64)
def _tile_span(tms: str, z: int) -> tuple[float, float, float, float]:
    """Top-left corner and size of a zoom's tiles (both served sets are regular grids); asking morecantile per
    tile costs more than drawing a small tile."""
    b = GRIDS[tms].xy_bounds(morecantile.Tile(0, 0, z))
    return b.left, b.top, b.right - b.left, b.top - b.bottom


def tile_address(z: int, x: int, y: int, scale: int, min_zoom: int, max_zoom: int,
                 tms: str = WEB_MERCATOR_QUAD) -> TileAddress:
    """Validate a tile request; every rejection names the valid range. The zoom range is Web Mercator's;
    another set's is derived from it (atlas.render.tilematrixsets.tile_sets)."""
    grid = tile_set(tms, (min_zoom, max_zoom))
    if not grid.min_zoom <= z <= grid.max_zoom:
        raise InvalidChoice("z", z, [f"{grid.min_zoom}..{grid.max_zoom}"], hint=f"zoom levels this server renders in {tms}")
    columns, rows = grid.matrix_size(z)
    if not 0 <= x < columns:
        raise InvalidChoice("x", x, [f"0..{columns - 1}"], hint=f"tile columns at zoom {z}")
    if not 0 <= y < rows:
        raise InvalidChoice("y", y, [f"0..{rows - 1}"], hint=f"tile rows at zoom {z}")
    if scale not in SCALES:
        raise InvalidChoice("scale", scale, SCALES)
    return TileAddress(z, x, y, scale, tms)


def pixel_size(z: int, tms: str = WEB_MERCATOR_QUAD) -> float:
    """CRS units (metres) per pixel of a 256 px tile at zoom z."""
    return GRIDS[tms].matrix(z).cellSize


@dataclass
class GridGeometry:
    """One level's regions for one zoom in its vector-tile grid (``unit`` CRS units per grid unit from ``origin``,
    top left, y down): codes and geometries in layer order, and a spatial index."""

    codes: np.ndarray
    names: np.ndarray
    geometries: np.ndarray
    tree: STRtree
    origin: tuple[float, float]
    unit: float

    def intersecting(self, bounds: tuple[float, float, float, float]) -> np.ndarray:
        return np.sort(self.tree.query(shapely.box(*bounds), predicate="intersects"))

    def offset(self, tile: TileAddress) -> tuple[int, int]:
        """The tile's top-left corner in grid units (a whole number of tiles in any regular set)."""
        minx, _, _, maxy = tile.bounds()
        return round((minx - self.origin[0]) / self.unit), round((self.origin[1] - maxy) / self.unit)


def simplified_shapes(geometries: np.ndarray, z: int, tms: str) -> np.ndarray:
    """Geometries in the set's CRS simplified to a quarter pixel of zoom z: as many vertices as a tile shows."""
    return shapely.simplify(geometries, pixel_size(z, tms) / 4, preserve_topology=True)


def grid_frame(z: int, tms: str) -> tuple[tuple[float, float], float]:
    """Origin (top left, CRS units) and CRS units per grid unit of a zoom's vector-tile grid."""
    minx, _, maxx, maxy = TileAddress(z, 0, 0, 1, tms).bounds()
    return (minx, maxy), (maxx - minx) / EXTENT


def grid_shapes(simplified: np.ndarray, z: int, tms: str) -> np.ndarray:
    """Simplified geometries in the zoom's vector-tile grid, snapped to whole units and oriented for MVT.

    Snapping may collapse slivers; `valid_output` keeps every region a valid (multi)polygon. In y-down grid
    coordinates a ring that is clockwise on screen is counter-clockwise in shapely's y-up sense."""
    origin, unit = grid_frame(z, tms)
    grid = shapely.transform(simplified, lambda xy: (xy - origin) * (1 / unit, -1 / unit))
    return shapely.orient_polygons(shapely.set_precision(grid, 1.0), exterior_cw=False)


def grid_geometry(data: AtlasData, level: str, year: int, z: int, tms: str = WEB_MERCATOR_QUAD) -> GridGeometry:
    """The zoom's simplified geometry in its vector-tile grid, snapped and oriented once for every tile: read
    from the build (atlas.render.gridstore) where it holds this zoom, computed otherwise."""
    def prepare() -> GridGeometry:
        origin, unit = grid_frame(z, tms)
        layer = data.boundaries.projected(level, year, CRS[tms])
        grid = data.grids.geometries(level, year, z, tms) if data.grids is not None else None
        if grid is None:
            grid = grid_shapes(simplified_shapes(layer.geometry.to_numpy(), z, tms), z, tms)
        return GridGeometry(layer["code"].to_numpy(), layer["name"].to_numpy(), grid, STRtree(grid), origin, unit)

    return data.caches.zoom_geometries.get_or_compute((level, year, z, tms), prepare)


def polygon_arrays(shapes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every coordinate of non-empty (multi)polygons as one array, with where each ring, polygon and shape ends
    (offsets as shapely.to_ragged_array gives them for multipolygons): the renderers' way round per-ring objects."""
    kind, coords, offsets = shapely.to_ragged_array(shapes)
    if kind == shapely.GeometryType.POLYGON:  # no multipolygon among them: one polygon per shape
        return coords, offsets[0], offsets[1], np.arange(len(offsets[1]))
    return coords, *offsets


def polygonal(shapes: np.ndarray) -> np.ndarray:
    """Only the polygons of each clipped shape (in place): clipping along an edge may also leave lines or points."""
    kinds = shapely.get_type_id(shapes)
    for i in np.flatnonzero((kinds != 3) & (kinds != 6)):  # neither Polygon nor MultiPolygon: rare
        parts = shapely.get_parts(shapes[i])
        shapes[i] = shapely.multipolygons(shapely.get_parts(parts[np.isin(shapely.get_type_id(parts), (3, 6))]))
    return shapes


def bounds_wgs84(data: AtlasData) -> list[float]:
    """The country's extent (west, south, east, north), from the latest provinces."""
    provinces = data.boundaries.get("provincie", data.boundaries.years("provincie")[-1])
    return [round(float(v), 5) for v in provinces.total_bounds]


def tile_containing(lon: float, lat: float, z: int) -> tuple[int, int]:
    """XYZ column and row of the tile holding a WGS84 point (for tests, benchmarks and TileJSON centres)."""
    n = 1 << z
    x = int((lon + 180.0) / 360.0 * n)
    lat_rad = math.radians(lat)
    y = int((1.0 - math.asinh(math.tan(lat_rad)) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)
