"""Tile production: validate the request, classify once, render PNG or MVT, and keep recent tiles in memory.

Rendered tiles are kept in a ByteCache. The cache key is also the ETag: it covers every parameter that changes the picture and the data
version, so a client's cached tile stays valid exactly as long as the data and the request are the same.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from atlas.bytecache import ByteCache
from atlas.classify import ClassRequest, Classification, classification_for
from atlas.data import AtlasData
from atlas.errors import InvalidChoice
from atlas.rastertiles import palette_slots, render_png
from atlas.tilegrid import TileAddress, zoom_geometry
from atlas.vectortiles import render_mvt

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


def tile_classification(data: AtlasData, request: TileRequest) -> Classification:
    if request.format not in FORMATS:
        raise InvalidChoice("format", request.format, sorted(FORMATS))
    return classification_for(data, request.indicator, request.level, request.year, request.classes,
                              request.boundary_year)


def tile_etag(data: AtlasData, request: TileRequest) -> str:
    digest = hashlib.blake2b(repr((data.version, request)).encode(), digest_size=16).hexdigest()
    return f'"{digest}"'


def _layer_alignment(classification: Classification, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Palette slots and value-frame rows for each region in layer order, computed once per classification."""
    if "alignment" not in classification.memo:
        rows = pd.Index(classification.values.frame["code"]).get_indexer(codes)
        classification.memo["alignment"] = (palette_slots(classification, codes), rows)
    return classification.memo["alignment"]


def get_tile(data: AtlasData, request: TileRequest, cache: ByteCache[Tile]) -> Tile:
    """The tile from the cache, or rendered and cached; raises InvalidChoice for bad parameters."""
    classification = tile_classification(data, request)
    etag = tile_etag(data, request)
    cached = cache.get(etag)
    if cached is not None:
        return cached
    values = classification.values
    geometry = zoom_geometry(data, values.level, values.boundary_year, request.address.z)
    slots, rows = _layer_alignment(classification, geometry.codes)
    if request.format == "png":
        content = render_png(classification, geometry, slots, request.address)
    else:
        content = render_mvt(classification, geometry, rows, request.address, values.level)
    tile = Tile(content, FORMATS[request.format], etag)
    cache.put(etag, tile)
    return tile
