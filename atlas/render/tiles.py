"""Tile production: validate the request, classify once, render PNG or MVT in any served tile matrix set.

Rendered tiles are not kept here: the HTTP layer's one response cache keeps finished tiles, and a second
copy of the same bytes would halve what fits. A tile without regions (sea, abroad) is one shared constant
per format and size (`Tile.empty`), so the HTTP layer need not keep it per address either. What each tile of a classification shares (palette slots and
rows in layer order, vector-tile properties) is kept in the core's bounded caches under the
classification's key. The ETag covers every parameter that changes the picture and the data version, so a
client's cached tile stays valid exactly as long as the data and the request are the same.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from atlas.data import AtlasData
from atlas.errors import InvalidChoice
from atlas.render.classify import ClassRequest, Classification, classification_for
from atlas.render.rastertiles import empty_png, palette_slots, render_png
from atlas.render.tilegrid import TileAddress, grid_geometry
from atlas.render.vectortiles import EMPTY_MVT, encoded_properties, render_mvt

FORMATS = {"png": "image/png", "mvt": "application/vnd.mapbox-vector-tile"}


@dataclass(frozen=True)
class TileRequest:
    indicator: str
    level: str
    year: int | None
    classes: ClassRequest
    address: TileAddress
    format: str
    boundary_year: int | None = None


@dataclass(frozen=True)
class Tile:
    content: bytes
    media_type: str
    etag: str
    empty: bool = False  # no region in the tile: the content is the format's shared constant


def tile_classification(data: AtlasData, request: TileRequest) -> Classification:
    if request.format not in FORMATS:
        raise InvalidChoice("format", request.format, sorted(FORMATS))
    return classification_for(data, request.indicator, request.level, request.year, request.classes,
                              request.boundary_year)


def tile_etag(data: AtlasData, request: TileRequest) -> str:
    digest = hashlib.blake2b(repr((data.version, request)).encode(), digest_size=16).hexdigest()
    return f'"{digest}"'


def _layer_alignment(data: AtlasData, classification: Classification,
                     codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Palette slots and value-frame rows for each region in layer order (the same at every zoom)."""
    def align() -> tuple[np.ndarray, np.ndarray]:
        return palette_slots(classification, codes), pd.Index(classification.values.frame["code"]).get_indexer(codes)

    return data.caches.tile_alignments.get_or_compute(classification.key, align)


def get_tile(data: AtlasData, request: TileRequest) -> Tile:
    """The rendered tile; raises InvalidChoice for bad parameters."""
    classification = tile_classification(data, request)
    values, address = classification.values, request.address
    grid = grid_geometry(data, values.level, values.boundary_year, address.z, address.tms)
    slots, rows = _layer_alignment(data, classification, grid.codes)
    if request.format == "png":
        content = render_png(classification, grid, slots, address)
        empty = content == empty_png(address.size)
    else:
        properties = data.caches.mvt_properties.get_or_compute(classification.key,
                                                               lambda: encoded_properties(classification))
        content = render_mvt(grid, properties, rows, address, values.level)
        empty = content == EMPTY_MVT
    return Tile(content, FORMATS[request.format], tile_etag(data, request), empty)
