"""Downloadable layers: boundaries of one level and year joined with chosen indicators, in GIS formats.

GeoParquet and FlatGeobuf carry the indicators' metadata (source, unit, definition, year, qualifiers) inside
the file (Parquet schema metadata `atlas`, FlatGeobuf layer DESCRIPTION), GeoJSON in a `metadata` member,
XLSX on a sheet of its own (atlas.render.workbook), so the numbers never travel without their meaning.

Simplification runs on the whole coverage at once (GEOS coverage simplification, in RD New metres) so
neighbouring regions keep sharing their edges: no gaps or overlaps appear between them in QGIS.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow.parquet as pq
import pyogrio
import shapely

from atlas.data import AtlasData
from atlas.errors import InvalidChoice, ResponseTooLarge
from atlas.figures.semantics import typed_values
from atlas.figures.values import available_levels, available_years, indicator_values
from atlas.geography.areas import regions_within
from atlas.geography.geometry import polygonal_part
from atlas.geography.vocabulary import LEVELS, OUTPUT_CRS, PYPROJ_CRS, RD_NEW
from atlas.render.csvtext import spreadsheet_csv
from atlas.render.geojson import feature_collection
from atlas.render.jsonbytes import dumps
from atlas.render.topologies import topology_json
from atlas.render.workbook import MEDIA_TYPE as WORKBOOK_MEDIA_TYPE
from atlas.render.workbook import indicator_metadata, workbook

FORMATS = {
    "geojson": ("application/geo+json", "geojson"),
    "gpkg": ("application/geopackage+sqlite3", "gpkg"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "topojson": ("application/json", "topojson"),
    "geoparquet": ("application/vnd.apache.parquet", "parquet"),
    "flatgeobuf": ("application/flatgeobuf", "fgb"),
    "xlsx": (WORKBOOK_MEDIA_TYPE, "xlsx"),
}
BASE_COLUMNS = ["code", "name", "level", "year", "gemeente_code", "corop_code", "provincie_code", "area_km2"]
MAX_SIMPLIFY_M = 5000.0
MAX_NAMED_IDS = 120  # longer lists of indicator ids are counted in the file name, not spelt (names stay < 255 bytes)
# the least each format spends on one coordinate (GeoParquet and FlatGeobuf store doubles; a workbook none)
BYTES_PER_COORDINATE = {"geojson": 16, "gpkg": 16, "topojson": 4, "csv": 0, "geoparquet": 16, "flatgeobuf": 16,
                        "xlsx": 0}
TOO_LARGE_HINT = "use simplify (metres), fewer indicators or format=gpkg"


@dataclass
class LayerFile:
    content: bytes
    media_type: str
    filename: str


def _check(value: str, choices, parameter: str) -> str:
    if value not in choices:
        raise InvalidChoice(parameter, value, list(choices))
    return value


def layer_frame(
    data: AtlasData, level: str, year: int, indicators: list[str], crs: str = "EPSG:4326", simplify: float = 0.0
) -> gpd.GeoDataFrame:
    """Boundaries with one column per indicator (value) plus its unit, and its missing reason where missing."""
    data.check_level(level)
    for indicator_id in indicators:
        data.catalogue.get(indicator_id)
    _check(crs, OUTPUT_CRS, "crs")
    if not 0 <= simplify <= MAX_SIMPLIFY_M:
        raise InvalidChoice("simplify", simplify, [f"0..{MAX_SIMPLIFY_M:g} metres"])
    # the store holds each region in all three output CRSs; only a simplification (in metres) reprojects
    layer = data.boundaries.projected(level, year, RD_NEW if simplify else OUTPUT_CRS[crs])
    frame = gpd.GeoDataFrame(layer[BASE_COLUMNS].copy(), geometry=layer.geometry.values, crs=layer.crs)
    for indicator_id in indicators:
        values_year = value_year(data, indicator_id, level, year)
        values = indicator_values(data, indicator_id, level, values_year, year).frame.set_index("code")
        indicator = data.catalogue.get(indicator_id)
        column = typed_values(values, indicator.decimals)["value"] if not indicator.is_category else values["text"]
        frame[indicator_id] = frame["code"].map(column)
        frame[f"{indicator_id}__qualifier"] = frame["code"].map(values["qualifier"])
        frame[f"{indicator_id}__year"] = values_year
        frame[f"{indicator_id}__unit"] = data.catalogue.get(indicator_id).unit
        frame[f"{indicator_id}__missing"] = frame["code"].map(values["missing_reason"])
        frame[f"{indicator_id}__harmonised"] = frame["code"].map(values["harmonised"])
        frame[f"{indicator_id}__vintage"] = frame["code"].map(values["source_vintage"])
    if simplify:
        simplified = shapely.coverage_simplify(frame.geometry.values, simplify)
        frame["geometry"] = [polygonal_part(g) for g in simplified]
    return frame.to_crs(PYPROJ_CRS[crs]) if simplify else frame


def prepare_writers(data: AtlasData) -> None:
    """Serialise the coarsest layer once in every format, unkept: the writers' lazy imports and first-use set-up
    (a third of a cold GeoJSON or GeoParquet download) then happen in the process that forks the server's workers,
    instead of in each worker's first download."""
    level = next(lv for lv in LEVELS if data.boundaries.years(lv))
    frame = layer_frame(data, level, max(data.boundaries.years(level)), [])
    for fmt in FORMATS:
        export_layer(data, frame, fmt, [])


def _metadata(data: AtlasData, indicators: list[str]) -> dict:
    return {i: {k: v for k, v in data.catalogue.get(i).as_dict().items()
                if k in ("title", "unit", "definition", "source", "caveats")} for i in indicators}


def _metadata_rows(data: AtlasData, frame: gpd.GeoDataFrame, indicators: list[str], boundaries: str) -> list[dict]:
    """Per indicator: source, unit, definition, the year this layer carries and the qualifiers in it."""
    rows = []
    for i in indicators:
        year = frame[f"{i}__year"].iloc[0]
        rows.append(indicator_metadata(data, i, None if pd.isna(year) else int(year), boundaries,
                                       frame[f"{i}__qualifier"]))
    return rows


def _written(frame: gpd.GeoDataFrame, extension: str, **options) -> bytes:
    """A file written by pyogrio (GDAL), read back as bytes. The temporary file has a fixed short name: the stem
    grows with the indicators asked for and would pass the file system's 255 bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"layer.{extension}"
        pyogrio.write_dataframe(frame, path, **options)
        return path.read_bytes()


def _geoparquet(frame: gpd.GeoDataFrame, metadata: dict) -> bytes:
    """GeoParquet (its `geo` metadata holds the CRS) with the atlas's metadata as schema metadata `atlas`."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    table = pq.read_table(io.BytesIO(buffer.getvalue()))
    table = table.replace_schema_metadata({**table.schema.metadata, b"atlas": json.dumps(metadata).encode()})
    out = io.BytesIO()
    pq.write_table(table, out)
    return out.getvalue()


CSV_LOCALES = {"standard": {"sep": ",", "decimal": "."}, "nl": {"sep": ";", "decimal": ","}}


def export_layer(data: AtlasData, frame: gpd.GeoDataFrame, fmt: str, indicators: list[str],
                 csv_locale: str = "standard", whole: bool = False) -> LayerFile:
    """Serialise a layer; GeoJSON is RFC 7946 (WGS84, no crs member) unless another CRS was asked for.

    CSV in the `nl` locale opens as columns in Dutch Excel: semicolons, decimal commas and a UTF-8 byte order
    mark (without it Excel reads the text as Windows-1252)."""
    _check(csv_locale, CSV_LOCALES, "csv_locale")
    _check(fmt, FORMATS, "format")
    media_type, extension = FORMATS[fmt]
    level, year = frame["level"].iloc[0], int(frame["year"].iloc[0])
    epsg = frame.crs.to_epsg()
    named = f"_{'-'.join(indicators)}" if len('-'.join(indicators)) <= MAX_NAMED_IDS else f"_{len(indicators)}-indicators"
    stem = f"innovation-atlas-nl_{level}_{year}" + (named if indicators else "")
    stem += "" if epsg == 4326 else f"_epsg{epsg}"
    if fmt == "csv":
        table = spreadsheet_csv(pd.DataFrame(frame.drop(columns="geometry")), **CSV_LOCALES[csv_locale])
        content = table.encode("utf-8-sig" if csv_locale == "nl" else "utf-8")
        stem += "" if csv_locale == "standard" else f"_{csv_locale}"
    elif fmt == "topojson":  # `whole`: every region on its own geometry in WGS84, as the build's topology holds
        built = data.topologies.filled(level, year, frame) if whole and data.topologies is not None else None
        content = (built or topology_json(frame)).encode()
    elif fmt == "geojson":
        collection = feature_collection(frame, na="null")  # encoded once (to_json, parsed back, took a quarter)
        if epsg != 4326:
            collection["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{epsg}"}}
        collection["metadata"] = {"indicators": _metadata(data, indicators), "boundaries": f"{level} {year}, CBS/PDOK"}
        content = dumps(collection)
    elif fmt in ("geoparquet", "flatgeobuf", "xlsx"):
        boundaries = f"{level} {year}, CBS/PDOK"
        rows = _metadata_rows(data, frame, indicators, boundaries)
        metadata = {"indicators": rows, "boundaries": boundaries}
        if fmt == "geoparquet":
            content = _geoparquet(frame, metadata)
        elif fmt == "flatgeobuf":
            content = _written(frame, extension, layer=f"{level}_{year}", driver="FlatGeobuf",
                               layer_options={"TITLE": f"Innovation Atlas NL: {boundaries}",
                                              "DESCRIPTION": json.dumps(metadata, ensure_ascii=False)})
        else:
            content = workbook(pd.DataFrame(frame.drop(columns="geometry")), rows)
    else:
        # GeoPackage 1.2: what QGIS 3.22 LTR's GDAL reads without warning that a newer file is partly supported
        content = _written(frame, extension, layer=f"{level}_{year}", driver="GPKG",
                           dataset_options={"VERSION": "1.2"})
    return LayerFile(content, media_type, f"{stem}.{extension}")


def layer_file(data: AtlasData, level: str, year: int, indicators: list[str], crs: str, simplify: float,
               fmt: str, within: str | None = None, csv_locale: str = "standard",
               max_bytes: int | None = None) -> LayerFile:
    """The serialised layer for one parameter set, kept (bounded by bytes) because data never changes.

    `within` keeps the regions of one area (simplified together with the whole country, so its edges
    match the national layer). With `max_bytes`, a layer whose estimated size is over it is refused before it
    is serialised."""
    def compute() -> LayerFile:
        frame = layer_frame(data, level, year, indicators, crs, simplify)
        if within:
            frame = frame[frame["code"].isin(regions_within(data, level, year, within))]
        estimate = estimated_size(frame, fmt)
        if max_bytes is not None and estimate > max_bytes:
            raise ResponseTooLarge(estimate, max_bytes, TOO_LARGE_HINT)
        return export_layer(data, frame, fmt, indicators, csv_locale,
                            whole=crs == "EPSG:4326" and not simplify and not within)

    key = (level, year, tuple(indicators), crs, simplify, fmt, within, csv_locale)
    return data.caches.layer_files.get_or_compute(key, lambda: _shared(data, key, compute))


def _shared(data: AtlasData, key: tuple, compute: Callable[[], LayerFile]) -> LayerFile:
    """Computed once for all the server's processes (atlas.sharedfiles), when the atlas was loaded with them."""
    if data.shared_files is None:
        return compute()

    def split() -> tuple[dict, bytes]:
        file = compute()
        return {"media_type": file.media_type, "filename": file.filename}, file.content

    header, content = data.shared_files.get_or_compute(data.version, ("layer", *key), split)
    return LayerFile(content, header["media_type"], header["filename"])


def estimated_size(frame: gpd.GeoDataFrame, fmt: str) -> int:
    """A low estimate of the serialised size: coordinates times the fewest bytes the format spends on one
    (GeoJSON writes each number in at least ten characters, a GeoPackage two doubles), plus the table.
    Low on purpose: a layer refused by the estimate is surely too large; the exact size is checked after."""
    coordinates = int(shapely.get_num_coordinates(frame.geometry.values).sum())
    table = len(frame) * len(frame.columns) * 4
    return coordinates * BYTES_PER_COORDINATE[fmt] + table


def own_boundary_year(data: AtlasData, indicator_id: str, level: str, year: int | None) -> int:
    """The boundary year an indicator's values of one year are drawn on by default: their own vintage."""
    return indicator_values(data, indicator_id, level, year).boundary_year


def value_year(data: AtlasData, indicator_id: str, level: str, boundary_year: int) -> int | None:
    """The year of an indicator a layer of this boundary year carries; None for an undated indicator.

    The latest year measured on exactly these boundaries when there is one (nothing re-mapped), else the
    latest year of all, re-mapped onto them and labelled ``harmonised`` per region.
    """
    indicator = data.catalogue.get(indicator_id)
    years = available_years(data, indicator, level)
    if not years and indicator.undated:
        return None
    if not years:
        raise InvalidChoice("level", level, available_levels(data, indicator), hint=f"levels with values of {indicator_id}")
    own = [y for y in years if own_boundary_year(data, indicator_id, level, y) == boundary_year]
    return max(own) if own else max(years)


def default_layer_year(data: AtlasData, level: str, indicators: list[str]) -> int:
    """The latest boundary year on which every requested indicator has values measured on it; else the
    latest boundary year held, onto which the others are re-mapped."""
    data.check_level(level)
    years = set(data.boundaries.years(level))
    own = set(years)
    for indicator_id in indicators:
        indicator = data.catalogue.get(indicator_id)
        if indicator.undated and not available_years(data, indicator, level):
            continue
        own &= {own_boundary_year(data, indicator_id, level, y) for y in available_years(data, indicator, level)}
    return max(own or years)
