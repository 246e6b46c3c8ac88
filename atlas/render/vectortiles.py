"""Mapbox Vector Tiles: the regions in a tile, clipped and simplified for its zoom, with value and class.

The layer is named after the level; each feature carries code, name, value (absent when missing, with
the reason instead), label and colour of its class, so a client can style and label the map exactly as
the legend says without a second request.

The encoder is written for this one case (polygons, one layer) so that a tile costs array work, not Python
work per vertex or ring: the geometry arrives snapped and oriented for its zoom (atlas.render.tilegrid.
grid_geometry), a tile clips it in one call, takes every ring's coordinates as one array, drops the points
snapping repeated and the rings it collapsed, reverses the few rings clipping turned, and writes the MoveTo/
LineTo/ClosePath commands and their varints with numpy. Only features and their properties are a Python
loop, and the protobuf is written by hand (Tile > Layer > Feature, vector_tile.proto version 2).
"""

from __future__ import annotations

import math
import struct

import numpy as np
import pandas as pd
import shapely

from atlas.figures.semantics import json_number
from atlas.render.classify import NO_CLASS, Classification
from atlas.render.tilegrid import EXTENT, GridGeometry, TileAddress, polygon_arrays, polygonal

BUFFER = 64  # tile units of overlap so strokes do not end at the tile edge
EMPTY_MVT = b""  # a tile without features: every empty address shares these (no) bytes
MOVE_TO, LINE_TO, CLOSE_PATH = 1, 2, 7
POLYGON = 3  # vector_tile.proto GeomType
Properties = tuple[tuple[str, tuple[type, object], bytes], ...]  # (key, value identity, Value message) per property
SMALL_VARINTS = [bytes((i,)) for i in range(128)]


def feature_properties(classification: Classification) -> list[dict]:
    """MVT properties for every row of the values frame."""
    properties = []
    decimals = classification.values.indicator.decimals
    columns = ["code", "name", "unit", "value", "rank", "text", "missing_reason", "qualifier", "harmonised",
               "source_vintage"]
    records = classification.values.frame[columns]
    for record, slot in zip(records.itertuples(index=False), classification.class_index.tolist()):
        props: dict[str, object] = {"code": record.code, "name": record.name, "unit": record.unit,
                                    "harmonised": record.harmonised, "source_vintage": int(record.source_vintage)}
        if not math.isnan(record.value):
            props["value"] = json_number(record.value, decimals)
        if not pd.isna(record.rank):  # no rank where coverage is too thin to rank
            props["rank"] = int(record.rank)
        for optional in ("text", "qualifier"):
            if isinstance(getattr(record, optional), str):
                props[optional] = getattr(record, optional)
        if slot == NO_CLASS:
            props.update({"class": -1, "label": "no data", "colour": classification.scheme.no_data,
                          "missing_reason": str(record.missing_reason)})
        else:
            props.update({"class": slot, "label": classification.labels[slot],
                          "colour": classification.colours[slot]})
        properties.append(props)
    return properties


def encoded_properties(classification: Classification) -> list[Properties]:
    """Every row's properties with each value already in its protobuf form (atlas.render.tiles keeps them per
    classification), so a tile only numbers the keys and values it uses."""
    return [tuple((key, (type(value), value), encoded) for key, value in props.items()
                  if (encoded := _value(value)) is not None)
            for props in feature_properties(classification)]


def render_mvt(geometry: GridGeometry, properties: list[Properties], rows: np.ndarray, tile: TileAddress,
               layer_name: str) -> bytes:
    """Encode one tile; ``rows`` maps each region in layer order to its entry in ``properties``."""
    left, top = geometry.offset(tile)
    clip = (left - BUFFER, top - BUFFER, left + EXTENT + BUFFER, top + EXTENT + BUFFER)
    candidates = geometry.intersecting(clip)
    if candidates.size == 0:
        return EMPTY_MVT
    shapes = polygonal(shapely.clip_by_rect(geometry.geometries[candidates], *clip))
    present = ~shapely.is_empty(shapes)
    if not present.any():
        return EMPTY_MVT
    encoded = _encode_geometry(shapes[present], (left, top))
    if encoded is None:
        return EMPTY_MVT
    features, commands = encoded
    return _tile_message(layer_name, [properties[rows[i]] for i in candidates[present][features]], commands)


def _encode_geometry(shapes: np.ndarray, offset: tuple[int, int]) -> tuple[np.ndarray, list[bytes]] | None:
    """Which shapes still have a ring, and each one's packed geometry commands (MVT 4.3)."""
    coords, ring_ends, polygon_ends, shape_ends = polygon_arrays(shapes)
    points = np.rint(coords - offset).astype(np.int64)
    ring_of = np.repeat(np.arange(len(ring_ends) - 1), np.diff(ring_ends))
    # Keep a point unless it closes its ring (ClosePath does) or repeats the one before (clipping, snapping).
    keep = np.ones(len(points), dtype=bool)
    keep[ring_ends[1:] - 1] = False
    keep[1:] &= (ring_of[1:] != ring_of[:-1]) | (points[1:] != points[:-1]).any(axis=1)
    points, ring_of = points[keep], ring_of[keep]
    counts = np.bincount(ring_of, minlength=len(ring_ends) - 1)
    starts = np.cumsum(counts) - counts
    last = starts + counts - 1
    closing = (counts > 1) & (points[np.minimum(last, len(points) - 1)] == points[np.minimum(starts, len(points) - 1)]).all(axis=1)
    if closing.any():  # the point before the closing one snapped onto the first
        keep = np.ones(len(points), dtype=bool)
        keep[last[closing]] = False
        points, ring_of = points[keep], ring_of[keep]
        counts = counts - closing
        starts = np.cumsum(counts) - counts
    area = _ring_areas(points, ring_of, starts, counts)  # twice the area, positive when clockwise on screen
    polygon_of_ring = np.repeat(np.arange(len(polygon_ends) - 1), np.diff(polygon_ends))
    exterior = np.zeros(len(counts), dtype=bool)
    exterior[polygon_ends[:-1][np.diff(polygon_ends) > 0]] = True
    usable = (counts >= 3) & (area != 0)
    polygon_kept = np.zeros(len(polygon_ends) - 1, dtype=bool)
    polygon_kept[polygon_of_ring[exterior & usable]] = True  # a polygon whose outline collapsed goes whole
    ring_kept = usable & polygon_kept[polygon_of_ring]
    if not ring_kept.any():
        return None
    reverse = ring_kept & ((area > 0) != exterior)  # exteriors clockwise, holes anticlockwise
    order = np.arange(len(points))
    flip = reverse[ring_of]
    order[flip] = (2 * starts + counts - 1)[ring_of[flip]] - order[flip]
    points = points[order][ring_kept[ring_of]]
    counts = counts[ring_kept]
    shape_of_polygon = np.repeat(np.arange(len(shape_ends) - 1), np.diff(shape_ends))
    shape_of_ring = shape_of_polygon[polygon_of_ring][ring_kept]
    return _commands(points, counts, shape_of_ring)


def _ring_areas(points: np.ndarray, ring_of: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Twice each ring's signed area by the surveyor's formula, in integers (exact)."""
    if len(points) == 0:
        return np.zeros(len(counts), dtype=np.int64)
    following = np.arange(1, len(points) + 1)
    ends = starts + counts - 1
    nonempty = counts > 0
    following[ends[nonempty]] = starts[nonempty]  # each ring's last point is followed by its first
    following = np.minimum(following, len(points) - 1)
    cross = points[:, 0] * points[following, 1] - points[following, 0] * points[:, 1]
    return np.bincount(ring_of, weights=cross, minlength=len(counts)).astype(np.int64)


def _commands(points: np.ndarray, counts: np.ndarray, shape_of_ring: np.ndarray) -> tuple[np.ndarray, list[bytes]]:
    """Packed MoveTo, LineTo and ClosePath commands per shape; the cursor starts at 0,0 for each feature."""
    ring_of = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    previous = np.empty_like(points)
    previous[0] = 0
    previous[1:] = points[:-1]
    shape_of_point = shape_of_ring[ring_of]
    first_of_shape = np.ones(len(points), dtype=bool)
    first_of_shape[1:] = shape_of_point[1:] != shape_of_point[:-1]
    previous[first_of_shape] = 0
    delta = points - previous
    zigzag = ((delta << 1) ^ (delta >> 63)).astype(np.uint64)
    lengths = 2 * counts + 3  # MoveTo, x, y, LineTo, 2 per further point, ClosePath
    out_start = np.cumsum(lengths) - lengths
    out = np.empty(int(lengths.sum()), dtype=np.uint64)
    out[out_start] = MOVE_TO | (1 << 3)
    out[out_start + 3] = LINE_TO | ((counts - 1) << 3)
    out[out_start + lengths - 1] = CLOSE_PATH | (1 << 3)
    within = np.arange(len(points)) - starts[ring_of]
    x_at = out_start[ring_of] + 2 * within + 1 + (within > 0)
    out[x_at] = zigzag[:, 0]
    out[x_at + 1] = zigzag[:, 1]
    data, sizes = _varints(out)
    shapes, first_ring = np.unique(shape_of_ring, return_index=True)
    byte_ends = np.cumsum(sizes)
    ring_byte_start = np.concatenate(([0], byte_ends))[out_start]
    cuts = np.append(ring_byte_start[first_ring], len(data)).tolist()
    return shapes, [data[a:b] for a, b in zip(cuts[:-1], cuts[1:])]


def _varints(values: np.ndarray) -> tuple[bytes, np.ndarray]:
    """Protobuf varints of unsigned values below 2**35, all at once; also each value's byte count."""
    sizes = 1 + (values[:, None] >= (1 << (7 * np.arange(1, 5, dtype=np.uint64)))).sum(axis=1)
    groups = (values[:, None] >> (7 * np.arange(5, dtype=np.uint64))) & 0x7F
    more = np.arange(5) < (sizes[:, None] - 1)
    encoded = (groups | (more.astype(np.uint64) << 7)).astype(np.uint8)
    return encoded[np.arange(5) < sizes[:, None]].tobytes(), sizes


def _varint(value: int) -> bytes:
    if 0 <= value < 128:
        return SMALL_VARINTS[value]
    out = bytearray()
    value &= (1 << 64) - 1  # negative integers as two's complement, as protobuf writes int64
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited field (strings, messages, packed integers)."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _value(value: object) -> bytes | None:
    """A vector_tile Value message: strings, booleans, integers and doubles, as mapbox-vector-tile writes them."""
    if isinstance(value, bool):
        return b"\x38" + _varint(int(value))
    if isinstance(value, str):
        return _field(1, value.encode())
    if isinstance(value, int):
        return b"\x20" + _varint(value)
    if isinstance(value, float):
        return b"\x19" + struct.pack("<d", value)
    return None  # not representable: left out of the feature, as before


def _tile_message(layer_name: str, properties: list[Properties], commands: list[bytes]) -> bytes:
    """The tile: one layer whose keys and values tables hold what its features use, each once."""
    keys: dict[str, int] = {}
    values: dict[tuple[type, object], int] = {}
    encoded_values: list[bytes] = []
    features = []
    for props, geometry in zip(properties, commands):
        numbers: list[int] = []
        for key, identity, encoded in props:
            slot = values.get(identity)
            if slot is None:
                slot = values[identity] = len(encoded_values)
                encoded_values.append(encoded)
            numbers += (keys.setdefault(key, len(keys)), slot)
        tags = bytes(numbers) if max(len(keys), len(encoded_values)) <= 128 else b"".join(map(_varint, numbers))
        features.append(_field(2, _field(2, tags) + bytes((3 << 3, POLYGON)) + _field(4, geometry)))
    layer = b"".join((_field(1, layer_name.encode()), *features, *(_field(3, k.encode()) for k in keys),
                      *(_field(4, v) for v in encoded_values), b"\x28" + _varint(EXTENT), b"\x78\x02"))
    return _field(3, layer)
