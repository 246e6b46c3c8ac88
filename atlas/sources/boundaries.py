"""Read boundary files into GeoDataFrames with one normalised schema: code, name, level, year, geometry.

Every source is read the same way whatever its format (quantised TopoJSON in WGS84, GeoJSON in RD New
with a legacy ``crs`` member), repaired, and returned in WGS84 with its original attributes kept beside
the normalised columns, so key figures and parent codes can be taken from them later.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from atlas.errors import DataValidationError
from atlas.geography.geometry import repair
from atlas.geography.vocabulary import LEVEL_INFO, RD_NEW, WGS84
from atlas.sources.manifest import BoundarySource
from atlas.sources.topojson import read_topojson

NORMALISED = ["code", "name", "level", "year"]


def _read_geojson(path: Path) -> gpd.GeoDataFrame:
    """GeoJSON via pyogrio; the legacy ``crs`` member is honoured so RD New files are not taken as lon/lat."""
    with path.open(encoding="utf-8") as fh:
        head = fh.read(400)
    frame = pyogrio.read_dataframe(path)
    if '"crs"' in head and "28992" in head:
        frame = frame.set_crs(RD_NEW, allow_override=True)
    return frame


def _read_topojson(path: Path) -> gpd.GeoDataFrame:
    properties, geometries = read_topojson(path)
    return gpd.GeoDataFrame(pd.DataFrame(properties), geometry=geometries, crs=WGS84)


def read_source(source: BoundarySource, data_dir: Path) -> gpd.GeoDataFrame:
    """Read one manifest entry: filter to land parts where asked, normalise columns, repair, reproject."""
    path = source.local_path(data_dir)
    try:
        raw = _read_topojson(path) if source.format == "topojson" else _read_geojson(path)
    except (ValueError, json.JSONDecodeError, pyogrio.errors.DataSourceError) as exc:
        raise DataValidationError([f"{source.path}: cannot be read as {source.format}: {exc}"]) from exc
    if source.land_filter:
        raw = raw[raw[source.land_filter["column"]] == source.land_filter["value"]]
    problems = [f"{source.path}: column {c!r} missing" for c in (source.code, source.name) if c not in raw]
    if problems:
        raise DataValidationError(problems)
    raw = raw.reset_index(drop=True)
    frame = gpd.GeoDataFrame(
        {
            "code": raw[source.code].astype(str),
            "name": raw[source.name].astype(str),
            "level": source.level,
            "year": source.year,
        },
        geometry=raw.geometry.values,
        crs=raw.crs,
    )
    extra = raw.drop(columns=[c for c in raw.columns if c in {"geometry", *NORMALISED}])
    frame = pd.concat([frame, extra.drop(columns=[source.code, source.name], errors="ignore")], axis=1)
    frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=raw.crs)
    frame, invalid = repair(frame)
    frame.attrs["invalid_repaired"] = invalid
    _check(frame, source)
    return frame.to_crs(WGS84)


def _check(frame: gpd.GeoDataFrame, source: BoundarySource) -> None:
    """Never drop a region: a geometry lost in repair, a wrong code or a duplicate is a data error."""
    problems = []
    prefix = LEVEL_INFO[source.level].prefix
    bad = frame.loc[~frame["code"].str.match(rf"^{prefix}\d+$"), "code"]
    problems += [f"{source.path}: code {c!r} is not a {source.level} code ({prefix}...)" for c in bad]
    dupes = frame.loc[frame["code"].duplicated(), "code"]
    problems += [f"{source.path}: duplicate code {c}" for c in dupes]
    empty = frame.loc[frame.geometry.isna(), "code"]
    problems += [f"{source.path}: region {c} has no polygon left after repair" for c in empty]
    if problems:
        raise DataValidationError(problems)
