"""Tile pyramids: every choropleth tile of one indicator over the country for a range of zooms, written once into a
PMTiles v3 archive (protomaps' `pmtiles` writer).

One file that any static host, object store or CDN serves by HTTP range requests, so the national map traffic
needs no Python: the page reads it through the `pmtiles` npm package. The tiles come from the live server's own
renderer (atlas.render.tiles.get_tile) with the same classification, so an archived tile is byte for byte the
tile the server would answer for that address, and the archive's metadata carries that classification (the
legend the server gives, with breaks, colours, labels, source, unit and year) beside TileJSON's fields, so a
page can draw the legend without the API.

Tiles without a region (open sea, abroad) are left out: a reader treats a missing tile as empty, as the live
server's empty MVT and transparent PNG are. Identical tiles (the many one-colour tiles inside a large region
at high zoom) are stored once by the writer, which points every address holding them at the same bytes.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer

from atlas.data import AtlasData
from atlas.errors import InvalidChoice
from atlas.render.classify import ClassRequest, Classification
from atlas.render.rastertiles import empty_png
from atlas.render.tilegrid import SCALES, TILE_SIZE, TileAddress, bounds_wgs84, tile_containing
from atlas.render.tilejson import tilejson
from atlas.render.tiles import FORMATS, TileRequest, get_tile, tile_classification

TILE_TYPES = {"png": TileType.PNG, "mvt": TileType.MVT}
MAX_ZOOM = 16  # the country at z16 is about 600,000 tiles; deeper pyramids are better served live
ARCHIVE_VERSION = 1  # of the `atlas` block in the metadata, for readers such as web/static/pyramid.js


@dataclass(frozen=True)
class PyramidRequest:
    """What one archive holds: one indicator on one level, one classification, one tile format and zoom range."""

    indicator: str
    level: str
    format: str
    min_zoom: int
    max_zoom: int
    year: int | None = None
    boundary_year: int | None = None
    classes: ClassRequest = ClassRequest()
    scale: int = 1

    def file_name(self) -> str:
        retina = "@2x" if self.scale == 2 else ""
        return f"{self.indicator}_{self.level}{retina}.{self.format}.pmtiles"


@dataclass(frozen=True)
class PyramidSummary:
    path: Path
    addressed: int  # tile addresses in the archive
    contents: int  # distinct tile contents stored
    skipped: int  # addresses left out because no region lies in them
    size: int  # bytes of the archive
    seconds: float


def check_request(request: PyramidRequest) -> None:
    """Refuse what cannot make a pyramid, naming the valid choices (the classification is checked when it is made)."""
    if request.format not in TILE_TYPES:
        raise InvalidChoice("format", request.format, sorted(TILE_TYPES))
    if request.scale not in SCALES:
        raise InvalidChoice("scale", request.scale, SCALES)
    if request.scale != 1 and request.format != "png":
        raise InvalidChoice("scale", request.scale, [1], hint="vector tiles have no pixel size")
    for name, zoom in (("min_zoom", request.min_zoom), ("max_zoom", request.max_zoom)):
        if not 0 <= zoom <= MAX_ZOOM:
            raise InvalidChoice(name, zoom, [f"0..{MAX_ZOOM}"])
    if request.min_zoom > request.max_zoom:
        raise InvalidChoice("min_zoom", request.min_zoom, [f"0..{request.max_zoom}"], hint="at most max_zoom")


def tile_addresses(bounds: list[float], min_zoom: int, max_zoom: int) -> list[tuple[int, int, int, int]]:
    """(tile id, z, x, y) of every tile over the WGS84 bounds, in tile id order, the order the writer wants for a
    clustered archive (readers then fetch neighbouring tiles in one range)."""
    west, south, east, north = bounds
    addresses = []
    for z in range(min_zoom, max_zoom + 1):
        left, top = tile_containing(west, north, z)
        right, bottom = tile_containing(east, south, z)
        addresses += [(zxy_to_tileid(z, x, y), z, x, y) for x in range(left, right + 1) for y in range(top, bottom + 1)]
    return sorted(addresses)


def _rendered(data: AtlasData, request: PyramidRequest,
              addresses: list[tuple[int, int, int, int]]) -> Iterator[tuple[int, bytes | None]]:
    """Each address's tile from the live renderer, or None where it holds no region."""
    empty = b"" if request.format == "mvt" else empty_png(TILE_SIZE * request.scale)
    for tile_id, z, x, y in addresses:
        tile = get_tile(data, TileRequest(request.indicator, request.level, request.year, request.classes,
                                          TileAddress(z, x, y, request.scale), request.format, request.boundary_year))
        yield tile_id, None if tile.content == empty else tile.content


def pyramid_metadata(data: AtlasData, classification: Classification, request: PyramidRequest) -> dict:
    """TileJSON's fields (name, attribution, bounds, zooms, legend text, vector layers) without `tiles`, which
    only the host knows, plus `atlas`: what was asked and the legend the server gives for it."""
    document = tilejson(data, classification, "", request.format, request.min_zoom, request.max_zoom)
    del document["tiles"]
    legend = document.pop("atlas_legend")
    document["atlas"] = {
        "version": ARCHIVE_VERSION, "indicator": request.indicator, "level": request.level,
        "year": legend["year"], "boundary_year": legend["boundary_year"], "format": request.format,
        "media_type": FORMATS[request.format], "scale": request.scale, "data_version": data.version,
        "request": {"year": request.year, "boundary_year": request.boundary_year, "method": request.classes.method,
                    "classes": request.classes.classes, "scheme": request.classes.scheme, "log": request.classes.log,
                    "breaks": list(request.classes.breaks)},
        "legend": legend,
    }
    return json.loads(json.dumps(document, default=float))  # numpy numbers as plain JSON numbers, checked now


def write_pyramid(data: AtlasData, request: PyramidRequest, path: Path) -> PyramidSummary:
    """Render every tile of the request over the country and write the archive to ``path`` (through a temporary
    file beside it, so a reader never sees half an archive)."""
    started = time.perf_counter()
    check_request(request)
    any_tile = TileAddress(0, 0, 0, request.scale)  # the classification is the same for every address
    classification = tile_classification(data, TileRequest(request.indicator, request.level, request.year,
                                                           request.classes, any_tile, request.format,
                                                           request.boundary_year))
    addresses = tile_addresses(bounds_wgs84(data), request.min_zoom, request.max_zoom)
    partial = path.with_name(path.name + ".partial")
    try:
        addressed, contents, skipped = _write(data, request, classification, addresses, partial)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)
    return PyramidSummary(path, addressed, contents, skipped, path.stat().st_size, time.perf_counter() - started)


def _write(data: AtlasData, request: PyramidRequest, classification: Classification,
           addresses: list[tuple[int, int, int, int]], partial: Path) -> tuple[int, int, int]:
    """Addressed tiles, distinct contents and skipped addresses of the archive written to ``partial``."""
    skipped = 0
    with partial.open("wb") as out:
        writer = Writer(out)
        for tile_id, content in _rendered(data, request, addresses):
            if content is None:
                skipped += 1
            else:
                writer.write_tile(tile_id, content)
        if writer.addressed_tiles == 0:
            raise InvalidChoice("zoom range", f"{request.min_zoom}..{request.max_zoom}", [],
                                hint="no region lies in any tile of it")
        west, south, east, north = bounds_wgs84(data)
        centre_zoom = max(request.min_zoom, min(7, request.max_zoom))
        header = {
            "tile_type": TILE_TYPES[request.format], "tile_compression": Compression.NONE,
            "min_lon_e7": round(west * 1e7), "min_lat_e7": round(south * 1e7),
            "max_lon_e7": round(east * 1e7), "max_lat_e7": round(north * 1e7), "center_zoom": centre_zoom,
            "center_lon_e7": round((west + east) / 2 * 1e7), "center_lat_e7": round((south + north) / 2 * 1e7),
        }
        writer.finalize(header, pyramid_metadata(data, classification, request))
        return writer.addressed_tiles, len(writer.hash_to_offset), skipped
