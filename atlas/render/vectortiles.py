"""Mapbox Vector Tiles: the regions in a tile, clipped and simplified for its zoom, with value and class.

The layer is named after the level; each feature carries code, name, value (absent when missing, with
the reason instead), label and colour of its class, so a client can style and label the map exactly as
the legend says without a second request.
"""

from __future__ import annotations

import math

import mapbox_vector_tile
import numpy as np
import pandas as pd
import shapely

from atlas.figures.semantics import json_number
from atlas.render.classify import NO_CLASS, Classification
from atlas.render.tilegrid import TileAddress, ZoomGeometry

EXTENT = 4096
BUFFER = 64  # tile units of overlap so strokes do not end at the tile edge


def feature_properties(classification: Classification) -> list[dict]:
    """MVT properties for every row of the values frame (atlas.render.tiles keeps them per classification)."""
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


def render_mvt(geometry: ZoomGeometry, properties: list[dict], rows: np.ndarray, tile: TileAddress,
               layer_name: str) -> bytes:
    """Encode one tile; ``rows`` maps each region in layer order to its entry in ``properties``."""
    minx, miny, maxx, maxy = tile.bounds()
    margin = (maxx - minx) * BUFFER / EXTENT
    clip = (minx - margin, miny - margin, maxx + margin, maxy + margin)
    candidates = geometry.intersecting(clip)
    shapes = shapely.clip_by_rect(geometry.geometries[candidates], *clip)
    scale = EXTENT / (maxx - minx)
    shapes = shapely.transform(shapes, lambda xy: (xy - (minx, maxy)) * (scale, -scale))
    shapes = shapely.set_precision(shapes, 1.0)  # snap to the tile grid once, dropping repeated points
    features = [
        {"geometry": shape, "properties": properties[rows[i]]}
        for i, shape in zip(candidates, shapes) if not shape.is_empty
    ]
    if not features:
        return b""
    options = {"y_coord_down": True, "extents": EXTENT,
               "on_invalid_geometry": mapbox_vector_tile.encoder.on_invalid_geometry_make_valid}
    return mapbox_vector_tile.encode([{"name": layer_name, "features": features}], default_options=options)
