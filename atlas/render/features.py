"""Feature pages for OGC API - Features: bbox and datetime filters, paging and output CRS.

Every layer's features in CRS84 (the default output) are serialised by the build and read with it, so no worker
of a freshly started server pays for them on its first page (84-136 ms for a gemeente year, paid by each worker
inside the first burst of requests). Other CRSs are serialised on first request and kept in a bounded cache.

The filters follow Part 1 (core) and Part 2 (CRS): a bbox has four or six numbers (the height range of six is
accepted and, the regions being flat, does not filter), may cross the antimeridian (minLon > maxLon in CRS84) and
may be given in any CRS the collection offers (`bbox-crs`). Every collection is one boundary year, so its
features are valid from 1 January to 31 December of that year: `datetime` (an instant or a closed or half-open
interval, RFC 3339) keeps all of them when it meets that year and none otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

import geopandas as gpd
import shapely

from atlas.data import AtlasData
from atlas.errors import InvalidChoice
from atlas.geography.store import BoundaryStore
from atlas.geography.vocabulary import CRS84_URI, CRS_URIS, OUTPUT_CRS, PYPROJ_CRS, WGS84
from atlas.render.geojson import feature_collection
from atlas.render.jsonbytes import dumps
from atlas.render.layers import BASE_COLUMNS

BBOX_FORMS = ["minx,miny,maxx,maxy", "minx,miny,minz,maxx,maxy,maxz"]
DATETIME_FORMS = ["2023-06-01T12:00:00Z", "2023-06-01", "2022-01-01T00:00:00Z/2023-12-31T23:59:59Z",
                  "2022-01-01/..", "../2023-12-31"]
OPEN = ("", "..")
SEGMENT_M = 1000.0  # a projected bbox is densified before it is transformed, so its curved edges stay faithful


@dataclass
class FeaturePage:
    features: list[bytes]  # serialised features without their closing brace (see LayerFeatures)
    ids: list[str]
    matched: int


@dataclass
class LayerFeatures:
    """A layer's features as GeoJSON, serialised once per (level, year, CRS): a page joins the bytes of its
    features, so no request encodes geometry again. Each feature lacks its closing brace, so the API can append
    the links that name its own URL (``,"links":[...]}``)."""

    features: list[bytes]
    ids: list[str]
    index: dict[str, int]  # feature id to position

    @property
    def nbytes(self) -> int:
        return sum(len(f) for f in self.features) + 100 * len(self.ids)


def layer_features(data: AtlasData, level: str, year: int, crs_uri: str = CRS84_URI) -> LayerFeatures:
    crs = _crs(crs_uri, "crs")
    built = data.features.get(level, year) if crs == WGS84 and data.features is not None else None
    if built is not None:
        return built
    return data.caches.ogc_features.get_or_compute((level, year, crs), lambda: _serialised(data, level, year, crs))


def _serialised(data: AtlasData, level: str, year: int, crs: str) -> LayerFeatures:
    layer = data.boundaries.get(level, year)
    collection = feature_collection(layer[BASE_COLUMNS + ["geometry"]].to_crs(PYPROJ_CRS[crs]), na="drop")
    ids = [str(code) for code in layer["code"]]
    features = []
    for feature, code in zip(collection["features"], ids):
        feature["id"] = code
        features.append(dumps(feature)[:-1])
    return _indexed(features, ids)


def _indexed(features: list[bytes], ids: list[str]) -> LayerFeatures:
    return LayerFeatures(features, ids, {code: i for i, code in enumerate(ids)})


class FeatureStore:
    """The CRS84 features of every layer, one file per layer with a feature per line (newline-delimited GeoJSON,
    which GDAL reads as GeoJSONSeq), each ending in its id, so a read can check each line against its region."""

    def __init__(self, layers: dict[tuple[str, int], LayerFeatures] | None = None) -> None:
        self._layers = layers or {}

    def get(self, level: str, year: int) -> LayerFeatures | None:
        return self._layers.get((level, year))

    def write(self, folder: Path) -> list[str]:
        names = []
        for (level, year), layer in self._layers.items():
            names.append(_file(level, year))
            (folder / names[-1]).write_bytes(b"".join(feature + b"}\n" for feature in layer.features))
        return names

    def add_file(self, path: Path, boundaries: BoundaryStore) -> None:
        """A features file of a read build, read whole now (12 MB for all layers) and checked line by line against
        its layer's regions: a missing, truncated or reordered file is found at load, and the build rebuilt."""
        level, year = path.stem.removeprefix("features_").rsplit("_", 1)
        codes = [str(code) for code in boundaries.get(level, int(year))["code"]]
        lines = path.read_bytes().split(b"\n")
        if lines.pop() != b"" or len(lines) != len(codes):
            raise ValueError(f"{path.name}: {len(lines)} lines for {len(codes)} regions, or no final newline")
        for line, code in zip(lines, codes):
            if not (line.startswith(b'{"type":"Feature"') and line.endswith(b',"id":' + dumps(code) + b"}")):
                raise ValueError(f"{path.name}: the feature of {code} is not where it should be")
        self._layers[(level, int(year))] = _indexed([line[:-1] for line in lines], codes)


def build_features(data: AtlasData) -> FeatureStore:
    """Every layer's CRS84 features (about 1.2 s for all layers and years)."""
    return FeatureStore({key: _serialised(data, *key, WGS84) for key in data.boundaries.layers})


def _file(level: str, year: int) -> str:
    return f"features_{level}_{year}.geojsonl"


@dataclass(frozen=True)
class Period:
    """A closed time interval; either end may be open (None)."""

    start: datetime | None
    end: datetime | None

    def meets_year(self, year: int) -> bool:
        first = datetime(year, 1, 1, tzinfo=UTC)
        last = datetime(year, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
        return (self.start is None or self.start <= last) and (self.end is None or self.end >= first)


def _crs(uri: str, parameter: str) -> str:
    if uri not in CRS_URIS:
        raise InvalidChoice(parameter, uri, list(CRS_URIS))
    return OUTPUT_CRS[CRS_URIS[uri]]


def parse_bbox(text: str, bbox_crs: str = CRS84_URI) -> list[shapely.Polygon]:
    """The boxes (in CRS84) a `bbox` in `bbox_crs` covers: two when a CRS84 box crosses the antimeridian."""
    crs = _crs(bbox_crs, "bbox-crs")
    try:
        numbers = [float(v) for v in text.split(",")]
    except ValueError:
        raise InvalidChoice("bbox", text, BBOX_FORMS) from None
    if len(numbers) not in (4, 6) or not all(map(_finite, numbers)):
        raise InvalidChoice("bbox", text, BBOX_FORMS, hint="four or six finite numbers")
    if len(numbers) == 6:
        x1, y1, z1, x2, y2, z2 = numbers
        if z1 > z2:
            raise InvalidChoice("bbox", text, BBOX_FORMS, hint="minz must not exceed maxz")
    else:
        x1, y1, x2, y2 = numbers
    if bbox_crs != CRS84_URI:
        if x1 > x2 or y1 > y2:
            raise InvalidChoice("bbox", text, BBOX_FORMS, hint=f"min must not exceed max in {bbox_crs}")
        box = shapely.segmentize(shapely.box(x1, y1, x2, y2), SEGMENT_M)
        return [gpd.GeoSeries([box], crs=crs).to_crs(WGS84).iloc[0]]
    if not (-180 <= x1 <= 180 and -180 <= x2 <= 180 and -90 <= y1 <= 90 and -90 <= y2 <= 90) or y1 > y2:
        raise InvalidChoice("bbox", text, BBOX_FORMS,
                            hint="CRS84: longitudes in -180..180, latitudes in -90..90, minLat <= maxLat")
    if x1 > x2:  # across the antimeridian: east of minLon and west of maxLon
        return [shapely.box(x1, y1, 180, y2), shapely.box(-180, y1, x2, y2)]
    return [shapely.box(x1, y1, x2, y2)]


def _finite(value: float) -> bool:
    return value == value and abs(value) != float("inf")


def _instant(text: str, end: bool) -> datetime:
    """An RFC 3339 date-time (with its offset) or a full date (the whole day, UTC)."""
    if "T" not in text.upper():
        day = date.fromisoformat(text)
        return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)
    moment = datetime.fromisoformat(text.upper())
    if moment.tzinfo is None:
        raise ValueError("a date-time needs its offset (Z or +hh:mm)")
    return moment


def parse_datetime(text: str) -> Period:
    """`datetime` as Part 1 defines it: an instant, start/end, or an interval open at one end with `..`."""
    try:
        if "/" not in text:
            if text in OPEN:
                raise ValueError("an instant cannot be open")
            return Period(_instant(text, end=False), _instant(text, end=True))
        start_text, end_text = text.split("/", 1)
        if start_text in OPEN and end_text in OPEN:
            raise ValueError("at most one end of the interval can be open")
        start = None if start_text in OPEN else _instant(start_text, end=False)
        end = None if end_text in OPEN else _instant(end_text, end=True)
    except ValueError as exc:
        raise InvalidChoice("datetime", text, DATETIME_FORMS, hint=str(exc)) from None
    if start is not None and end is not None and start > end:
        raise InvalidChoice("datetime", text, DATETIME_FORMS, hint="the interval starts after it ends")
    return Period(start, end)


def feature_page(
    data: AtlasData, level: str, year: int, limit: int, offset: int,
    boxes: list[shapely.Polygon] | None = None, crs_uri: str = CRS84_URI, period: Period | None = None,
) -> FeaturePage:
    serialised = layer_features(data, level, year, crs_uri)
    positions: list[int] = list(range(len(serialised.ids)))
    if period is not None and not period.meets_year(year):
        positions = []
    if boxes is not None and positions:
        sindex = data.boundaries.get(level, year).sindex
        positions = sorted({int(i) for box in boxes for i in sindex.query(box, predicate="intersects")})
    page = positions[offset: offset + limit]
    return FeaturePage([serialised.features[i] for i in page], [serialised.ids[i] for i in page], len(positions))
