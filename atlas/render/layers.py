"""Downloadable layers: boundaries of one level and year joined with chosen indicators, in GIS formats.

Simplification runs on the whole coverage at once (GEOS coverage simplification, in RD New metres) so
neighbouring regions keep sharing their edges: no gaps or overlaps appear between them in QGIS.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from atlas.data import AtlasData
from atlas.errors import InvalidChoice
from atlas.figures.semantics import typed_values
from atlas.figures.values import available_years, indicator_values
from atlas.geography.areas import regions_within
from atlas.geography.geometry import polygonal_part
from atlas.geography.vocabulary import OUTPUT_CRS, RD_NEW

FORMATS = {
    "geojson": ("application/geo+json", "geojson"),
    "gpkg": ("application/geopackage+sqlite3", "gpkg"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "topojson": ("application/json", "topojson"),
}
BASE_COLUMNS = ["code", "name", "level", "year", "gemeente_code", "corop_code", "provincie_code", "area_km2"]
MAX_SIMPLIFY_M = 5000.0


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
    layer = data.boundaries.get(level, year)
    frame = gpd.GeoDataFrame(layer[BASE_COLUMNS].copy(), geometry=layer["geom_rd"].values, crs=RD_NEW)
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
    return frame.to_crs(OUTPUT_CRS[crs])


def _metadata(data: AtlasData, indicators: list[str]) -> dict:
    return {i: {k: v for k, v in data.catalogue.get(i).as_dict().items()
                if k in ("title", "unit", "definition", "source", "caveats")} for i in indicators}


CSV_LOCALES = {"standard": {"sep": ",", "decimal": "."}, "nl": {"sep": ";", "decimal": ","}}


def export_layer(data: AtlasData, frame: gpd.GeoDataFrame, fmt: str, indicators: list[str],
                 csv_locale: str = "standard") -> LayerFile:
    """Serialise a layer; GeoJSON is RFC 7946 (WGS84, no crs member) unless another CRS was asked for.

    CSV in the `nl` locale opens as columns in Dutch Excel: semicolons, decimal commas and a UTF-8 byte order
    mark (without it Excel reads the text as Windows-1252)."""
    _check(csv_locale, CSV_LOCALES, "csv_locale")
    _check(fmt, FORMATS, "format")
    media_type, extension = FORMATS[fmt]
    level, year = frame["level"].iloc[0], int(frame["year"].iloc[0])
    epsg = frame.crs.to_epsg()
    stem = f"innovation-atlas-nl_{level}_{year}" + (f"_{'-'.join(indicators)}" if indicators else "")
    stem += "" if epsg == 4326 else f"_epsg{epsg}"
    if fmt == "csv":
        table = pd.DataFrame(frame.drop(columns="geometry")).to_csv(index=False, **CSV_LOCALES[csv_locale])
        content = table.encode("utf-8-sig" if csv_locale == "nl" else "utf-8")
        stem += "" if csv_locale == "standard" else f"_{csv_locale}"
    elif fmt == "topojson":
        import topojson

        content = topojson.Topology(frame, prequantize=False, topology=True).to_json().encode()  # type: ignore[union-attr]
    elif fmt == "geojson":
        collection = json.loads(frame.to_json(drop_id=True, na="null"))
        collection["metadata"] = {"indicators": _metadata(data, indicators), "boundaries": f"{level} {year}, CBS/PDOK"}
        if epsg != 4326:
            collection["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{epsg}"}}
        content = json.dumps(collection, ensure_ascii=False).encode()
    else:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"{stem}.gpkg"
            pyogrio.write_dataframe(frame, path, layer=f"{level}_{year}", driver="GPKG")
            content = path.read_bytes()
    return LayerFile(content, media_type, f"{stem}.{extension}")


def layer_file(data: AtlasData, level: str, year: int, indicators: list[str], crs: str, simplify: float,
               fmt: str, within: str | None = None, csv_locale: str = "standard") -> LayerFile:
    """The serialised layer for one parameter set, kept (bounded by bytes) because data never changes.

    `within` keeps the regions of one area (simplified together with the whole country, so its edges
    match the national layer)."""
    def build() -> LayerFile:
        frame = layer_frame(data, level, year, indicators, crs, simplify)
        if within:
            frame = frame[frame["code"].isin(regions_within(data, level, year, within))]
        return export_layer(data, frame, fmt, indicators, csv_locale)
    key = (level, year, tuple(indicators), crs, simplify, fmt, within, csv_locale)
    return data.caches.layer_files.get_or_compute(key, build)


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
