"""Feature pages for OGC API - Features: bbox filter (via the spatial index), paging and output CRS."""

from __future__ import annotations

import json
from dataclasses import dataclass

import shapely

from atlas.data import AtlasData
from atlas.errors import InvalidChoice
from atlas.geography.vocabulary import CRS84_URI, CRS_URIS, OUTPUT_CRS
from atlas.render.layers import BASE_COLUMNS

NL_WGS84_BOUNDS = (3.0, 50.5, 7.5, 53.8)


@dataclass
class FeaturePage:
    features: list[dict]
    matched: int


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """minLon,minLat,maxLon,maxLat in CRS84; refuses anything that is not a valid lon/lat box."""
    try:
        box = tuple(float(v) for v in text.split(","))
    except ValueError:
        raise InvalidChoice("bbox", text, ["minLon,minLat,maxLon,maxLat (CRS84 degrees)"]) from None
    if len(box) != 4:
        raise InvalidChoice("bbox", text, ["four numbers: minLon,minLat,maxLon,maxLat"])
    x1, y1, x2, y2 = box
    if not (-180 <= x1 <= 180 and -180 <= x2 <= 180 and -90 <= y1 <= 90 and -90 <= y2 <= 90) or x1 > x2 or y1 > y2:
        raise InvalidChoice("bbox", text, ["longitudes in -180..180, latitudes in -90..90, min <= max"])
    return box  # type: ignore[return-value]


def feature_page(
    data: AtlasData, level: str, year: int, limit: int, offset: int,
    bbox: tuple[float, float, float, float] | None = None, crs_uri: str = CRS84_URI,
) -> FeaturePage:
    if crs_uri not in CRS_URIS:
        raise InvalidChoice("crs", crs_uri, list(CRS_URIS))
    layer = data.boundaries.get(level, year)
    if bbox is not None:
        hits = layer.sindex.query(shapely.box(*bbox), predicate="intersects")
        layer = layer.iloc[sorted(hits)]
    matched = len(layer)
    page = layer.iloc[offset: offset + limit]
    crs = OUTPUT_CRS[CRS_URIS[crs_uri]]
    frame = page[BASE_COLUMNS + ["geometry"]].to_crs(crs)
    collection = json.loads(frame.to_json(na="drop", drop_id=True))
    for feature, code in zip(collection["features"], page["code"]):
        feature["id"] = code
    return FeaturePage(collection["features"], matched)
