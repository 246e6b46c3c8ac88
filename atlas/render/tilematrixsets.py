"""The tile matrix sets the atlas renders in: WebMercatorQuad (what Leaflet and OSM-style clients use) and
NetherlandsRDNewQuad (what PDOK and Dutch GIS users use), as OGC Two Dimensional Tile Matrix Set documents.

morecantile (the library TiTiler uses) does the tile arithmetic, so a tile's extent is computed the same
way for both sets. WebMercatorQuad is morecantile's own. morecantile has no Dutch set, so
NetherlandsRDNewQuad is written out here with PDOK's published parameters (the table PDOK serves at
``/ogc/v1/tileMatrixSets/NetherlandsRDNewQuad``): EPSG:28992, top-left origin (-285401.92, 903401.92),
256 px tiles, 3440.64 m per pixel at level 0 halving at every level, levels 0 to 16, a 2^z by 2^z matrix
at level z. Scale denominators follow from the cell size at OGC's 0.28 mm pixel (12,288,000 at level 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import morecantile
from morecantile import TileMatrixSet

from atlas.errors import UnknownResource
from atlas.geography.vocabulary import RD_NEW, WEB_MERCATOR

WEB_MERCATOR_QUAD = "WebMercatorQuad"
RD_NEW_QUAD = "NetherlandsRDNewQuad"

# PDOK's NetherlandsRDNewQuad, as published.
RD_ORIGIN = (-285401.92, 903401.92)
RD_CELL_SIZE_Z0 = 3440.64
RD_TILE_SIZE = 256
RD_MAX_ZOOM = 16
OGC_PIXEL_M = 0.00028  # the standardised rendering pixel size that links cell size and scale denominator


def _rd_new_quad() -> TileMatrixSet:
    span = RD_CELL_SIZE_Z0 * RD_TILE_SIZE
    left, top = RD_ORIGIN
    matrices = []
    for z in range(RD_MAX_ZOOM + 1):
        cell = RD_CELL_SIZE_Z0 / 2**z
        matrices.append({
            "id": str(z), "scaleDenominator": cell / OGC_PIXEL_M, "cellSize": cell, "cornerOfOrigin": "topLeft",
            "pointOfOrigin": [left, top], "tileWidth": RD_TILE_SIZE, "tileHeight": RD_TILE_SIZE,
            "matrixWidth": 2**z, "matrixHeight": 2**z,
        })
    return TileMatrixSet.model_validate({
        "id": RD_NEW_QUAD,
        "title": "Amersfoort / RD New scheme for the Netherlands (PDOK)",
        "uri": "http://www.opengis.net/def/tilematrixset/OGC/1.0/NetherlandsRDNewQuad",
        "crs": "http://www.opengis.net/def/crs/EPSG/0/28992",
        "wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/NLDEPSG28992Scale",
        "orderedAxes": ["X", "Y"],
        "boundingBox": {"lowerLeft": [left, round(top - span, 2)], "upperRight": [round(left + span, 2), top],
                        "crs": "http://www.opengis.net/def/crs/EPSG/0/28992"},
        "tileMatrices": matrices,
    })


GRIDS = {WEB_MERCATOR_QUAD: morecantile.tms.get(WEB_MERCATOR_QUAD), RD_NEW_QUAD: _rd_new_quad()}
CRS = {WEB_MERCATOR_QUAD: WEB_MERCATOR, RD_NEW_QUAD: RD_NEW}  # what the boundaries are projected to


@dataclass(frozen=True)
class TileSet:
    """One tile matrix set as served: its grid and the zoom levels the server renders in it."""

    id: str
    min_zoom: int
    max_zoom: int

    @property
    def grid(self) -> TileMatrixSet:
        return GRIDS[self.id]

    def matrix_size(self, z: int) -> tuple[int, int]:
        matrix = self.grid.matrix(z)
        return matrix.matrixWidth, matrix.matrixHeight


def tile_sets(web_mercator_zooms: tuple[int, int]) -> dict[str, TileSet]:
    """The sets served. Web Mercator keeps the operator's zoom range (ATLAS_TILE_MIN/MAX_ZOOM); RD New
    covers the same ground resolutions (its level z is about Web Mercator's z + 5 over the Netherlands),
    clipped to PDOK's levels."""
    low, high = web_mercator_zooms
    return {
        WEB_MERCATOR_QUAD: TileSet(WEB_MERCATOR_QUAD, low, high),
        RD_NEW_QUAD: TileSet(RD_NEW_QUAD, max(0, low - 5), min(RD_MAX_ZOOM, max(0, high - 5))),
    }


def tile_set(tms_id: str, web_mercator_zooms: tuple[int, int]) -> TileSet:
    sets = tile_sets(web_mercator_zooms)
    if tms_id not in sets:
        raise UnknownResource("tileMatrixSetId", tms_id, sorted(sets), hint="tile matrix sets this server renders")
    return sets[tms_id]


def definition(tms_id: str) -> dict:
    """The OGC TMS 2.0 JSON document of a set."""
    if tms_id not in GRIDS:
        raise UnknownResource("tileMatrixSetId", tms_id, sorted(GRIDS))
    return GRIDS[tms_id].model_dump(mode="json", exclude_none=True)
