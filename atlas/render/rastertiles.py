"""PNG choropleth tiles: regions rasterised by rasterio, coloured from the classification, borders drawn.

Each region in the tile is burned with its own id, so borders fall out of the id raster (a pixel whose
neighbour belongs to another region) and every region pixel gets exactly its class colour from a
palette. The palette image is small and fast to encode: slot 0 is transparent (outside the country),
slot 1 the border, slot 2 no data, then one slot per class.
"""

from __future__ import annotations

import io
import warnings
from functools import lru_cache

import numpy as np
import shapely
from PIL import Image
from affine import Affine
from rasterio.errors import NotGeoreferencedWarning
from rasterio.features import rasterize

from atlas.render.classify import Classification
from atlas.render.geojson import polygon_geometries
from atlas.render.schemes import hex_to_rgb
from atlas.render.tilegrid import EXTENT, GridGeometry, TileAddress, polygonal

# rasterio's in-memory raster hides this warning of its own with `warnings.catch_warnings`, which is not
# thread-safe: with tiles drawn in two threads at once it escaped (rasterio 1.4), although every tile is drawn
# with the transform given (tests/render/test_tiles.py compares tiles drawn at once with tiles drawn alone).
warnings.filterwarnings("ignore", "Dataset has no geotransform", NotGeoreferencedWarning, r"rasterio\.features")

TRANSPARENT, BORDER, NO_DATA, FIRST_CLASS = 0, 1, 2, 3
BORDER_RGBA = (40, 40, 40, 110)


def palette_slots(classification: Classification, codes: np.ndarray) -> np.ndarray:
    """Palette slot for each region in layer order."""
    index = classification.colour_index_by_code()
    return np.array([NO_DATA + index.get(code, 0) for code in codes], dtype=np.uint8)


def _palette(classification: Classification) -> tuple[list[int], bytes]:
    colours = [(0, 0, 0, 0), BORDER_RGBA, (*hex_to_rgb(classification.scheme.no_data), 255)]
    colours += [(*hex_to_rgb(c), 255) for c in classification.colours]
    rgb = [channel for colour in colours for channel in colour[:3]]
    alpha = bytes(colour[3] for colour in colours)
    return rgb, alpha


def _encode(pixels: np.ndarray, rgb: list[int], alpha: bytes) -> bytes:
    image = Image.frombuffer("P", (pixels.shape[1], pixels.shape[0]), np.ascontiguousarray(pixels), "raw", "P", 0, 1)
    image.putpalette(rgb)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", transparency=alpha, compress_level=1)
    return buffer.getvalue()


@lru_cache(maxsize=4)
def empty_png(size: int) -> bytes:
    """A fully transparent tile; tiles outside the country all share these bytes."""
    return _encode(np.zeros((size, size), dtype=np.uint8), [0, 0, 0], b"\x00")


def render_png(classification: Classification, geometry: GridGeometry, slots: np.ndarray, tile: TileAddress) -> bytes:
    """Drawn from the zoom's vector-tile grid (EXTENT units per tile, y down), the geometry the MVT tiles use:
    snapped to a sixteenth of a pixel (an eighth at scale 2), which no pixel shows."""
    left, top = geometry.offset(tile)
    candidates = geometry.intersecting((left, top, left + EXTENT, top + EXTENT))
    size = tile.size
    if candidates.size == 0:
        return empty_png(size)
    pad = EXTENT / size  # grid units per pixel
    transform = Affine(pad, 0.0, left - pad, 0.0, pad, top - pad)  # one pixel of margin on every side
    # Only what falls on the raster (two pixels of margin beyond its own) is handed over, vertex by vertex.
    shapes = polygonal(shapely.clip_by_rect(geometry.geometries[candidates], left - 2 * pad, top - 2 * pad,
                                            left + EXTENT + 2 * pad, top + EXTENT + 2 * pad))
    drawn = np.flatnonzero(~shapely.is_empty(shapes))
    if drawn.size == 0:
        return empty_png(size)
    ids = rasterize(
        zip(polygon_geometries(shapes[drawn], multi=True), (drawn + 1).tolist()),
        out_shape=(size + 2, size + 2), transform=transform, fill=0, dtype="uint16",
    )
    lookup = np.concatenate(([TRANSPARENT], slots[candidates])).astype(np.uint8)
    centre = ids[1:-1, 1:-1]
    pixels = lookup[centre]
    between = (centre != ids[1:-1, 2:]) | (centre != ids[2:, 1:-1])
    coast = (ids[1:-1, :-2] == 0) | (ids[:-2, 1:-1] == 0) | (ids[1:-1, 2:] == 0) | (ids[2:, 1:-1] == 0)
    pixels[(centre != 0) & (between | coast)] = BORDER
    rgb, alpha = _palette(classification)
    return _encode(pixels, rgb, alpha)
