"""All boundary layers, one per level and year, with parent codes, areas and projections.

Built from the manifest's sources: the ``boundary`` files give geometry, ``membership`` files give CBS's
own parent codes, and otherwise each region's parents are the same year's parent polygons it overlaps most.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow.parquet as pq
from pyproj import CRS

from atlas.errors import DataValidationError, InvalidChoice
from atlas.geography.geometry import polygonal_part
from atlas.geography.membership import nearest_year, province_codes_by_name, wijk_gemeente_code
from atlas.geography.names import fold
from atlas.geography.overlap import largest_overlap
from atlas.geography.vocabulary import LEVELS, PYPROJ_CRS, RD_NEW, WEB_MERCATOR, WGS84
from atlas.sources.boundaries import read_source
from atlas.sources.manifest import BoundarySource

LAYER_COLUMNS = [
    "code", "name", "level", "year", "gemeente_code", "corop_code", "provincie_code",
    "membership", "derived", "area_km2", "geometry",
]
PROJECTIONS = {RD_NEW: "geom_rd", WEB_MERCATOR: "geom_wm"}


@dataclass
class SourceCheck:
    """What reading one source found, for `atlas info` and the tests."""

    path: str
    role: str
    level: str
    year: int
    features: int
    invalid_repaired: int


@dataclass
class BoundaryStore:
    layers: dict[tuple[str, int], gpd.GeoDataFrame]
    checks: list[SourceCheck] = field(default_factory=list)

    def years(self, level: str) -> list[int]:
        return list(self._years.get(level, ()))

    @cached_property
    def _years(self) -> dict[str, list[int]]:
        """Boundary years per level, listed once: a region profile asks a hundred times (the layers are set when
        the store is made and never change)."""
        found: dict[str, list[int]] = {}
        for level, year in sorted(self.layers):
            found.setdefault(level, []).append(year)
        return found

    def levels(self) -> list[str]:
        return [lv for lv in LEVELS if self.years(lv)]

    def get(self, level: str, year: int) -> gpd.GeoDataFrame:
        """The layer in WGS84; raises InvalidChoice naming the valid levels or years. (Asked a hundred times per
        region profile: the choices are listed only when the layer is not there.)"""
        found = self.layers.get((level, year))
        if found is not None:
            return found
        if level not in LEVELS or not self.years(level):
            raise InvalidChoice("level", level, self.levels())
        raise InvalidChoice("year", year, self.years(level), hint=f"boundary years for {level}")

    def projected(self, level: str, year: int, crs: str) -> gpd.GeoDataFrame:
        """The layer in RD New or Web Mercator, from the geometry computed once at build time."""
        layer = self.get(level, year)
        if crs == WGS84:
            return layer
        column = PROJECTIONS[crs]
        return gpd.GeoDataFrame(layer.drop(columns="geometry"), geometry=column, crs=PYPROJ_CRS[crs])

    def nearest_year(self, level: str, year: int) -> int:
        if not self.years(level):
            raise InvalidChoice("level", level, self.levels())
        return nearest_year(year, self.years(level))


def _membership_from_attributes(frame: gpd.GeoDataFrame, source: BoundarySource) -> pd.DataFrame:
    columns = {"code": frame["code"]}
    if source.corop:
        columns["corop_code"] = frame[source.corop]
    if source.provincie:
        columns["provincie_code"] = frame[source.provincie]
    return pd.DataFrame(columns).set_index("code")


def _assign_parents(
    layer: gpd.GeoDataFrame,
    parents: list[str],
    attribute: pd.DataFrame | None,
    primary: dict[tuple[str, int], gpd.GeoDataFrame],
) -> gpd.GeoDataFrame:
    """Parent codes per region: CBS attributes where present, else the largest overlap with the parent
    polygons of the same year. Another year's parents would put Weesp 2022 in Groot-Amsterdam."""
    level, year = str(layer["level"].iloc[0]), int(layer["year"].iloc[0])
    basis = []
    for parent in parents:
        column = f"{parent}_code"
        if attribute is not None and column in attribute:
            layer[column] = attribute[column].reindex(layer["code"]).values
            basis.append(f"{parent}: CBS attribute {year}")
            continue
        if (parent, year) not in primary:
            raise DataValidationError([f"{level} {year}: no {parent} boundaries of {year} in the manifest; "
                                       "membership is never taken from another year's boundaries"])
        layer[column] = largest_overlap(layer, primary[(parent, year)]).values
        basis.append(f"{parent}: largest area overlap with {parent} {year}")
    layer["membership"] = "; ".join(basis)
    return layer


def _finish(layer: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    for column in LAYER_COLUMNS:
        if column not in layer:
            layer[column] = None
    layer = layer[LAYER_COLUMNS].copy()
    layer["derived"] = layer["derived"].fillna("")
    layer["membership"] = layer["membership"].fillna("")
    layer["geometry"] = [polygonal_part(g) for g in layer.geometry]
    rd = layer.geometry.to_crs(RD_NEW)
    layer["area_km2"] = (rd.area / 1e6).round(3)
    layer["geom_rd"] = rd
    layer["geom_wm"] = layer.geometry.to_crs(WEB_MERCATOR)
    return gpd.GeoDataFrame(layer.sort_values("code").reset_index(drop=True), geometry="geometry", crs=WGS84)


def build_store(data_dir: Path, sources: list[BoundarySource]) -> tuple[BoundaryStore, dict[str, gpd.GeoDataFrame]]:
    """Read and join every boundary source; returns the store and the raw frames (for key figures)."""
    raw: dict[str, gpd.GeoDataFrame] = {}
    checks = []
    problems: list[str] = []
    for source in sources:
        try:
            frame = read_source(source, data_dir)
        except DataValidationError as exc:
            problems += exc.problems
            continue
        raw[source.path] = frame
        checks.append(SourceCheck(source.path, source.role, source.level, source.year, len(frame),
                                  int(frame.attrs.get("invalid_repaired", 0))))
    if problems:
        raise DataValidationError(problems)

    by_role = {(s.role, s.level, s.year): s for s in sources}
    primary = {
        (s.level, s.year): raw[s.path][["code", "name", "level", "year", "geometry"]].copy()
        for s in sources if s.role == "boundary"
    }
    layers: dict[tuple[str, int], gpd.GeoDataFrame] = {}
    for (level, year), frame in sorted(primary.items()):
        source = by_role[("boundary", level, year)]
        member_source = by_role.get(("membership", level, year))
        attribute = _membership_from_attributes(raw[member_source.path], member_source) if member_source else None
        if source.province_name:
            by_name = _provinces_by_name(raw[source.path][source.province_name], primary.get(("provincie", year)),
                                         f"{source.path} column {source.province_name}")
            attribute = pd.DataFrame({"provincie_code": by_name.values}, index=frame["code"].values)
        if level == "gemeente":
            layers[(level, year)] = _assign_parents(frame, ["corop", "provincie"], attribute, primary)
        elif level == "corop":
            layers[(level, year)] = _assign_parents(frame, ["provincie"], attribute, primary)
        else:
            layers[(level, year)] = frame
    for (level, year), frame in list(layers.items()):
        if level == "wijk":
            gemeenten = layers[("gemeente", year)].set_index("code")
            frame["gemeente_code"] = frame["code"].map(wijk_gemeente_code)
            frame["corop_code"] = frame["gemeente_code"].map(gemeenten["corop_code"])
            frame["provincie_code"] = frame["gemeente_code"].map(gemeenten["provincie_code"])
            frame["membership"] = "gemeente: from the wijk code; corop and provincie: via the gemeente"
    store = BoundaryStore({key: _finish(frame) for key, frame in layers.items()}, checks)
    _check_membership(store)
    return store, raw


def _provinces_by_name(names: pd.Series, provinces: gpd.GeoDataFrame | None, where: str) -> pd.Series:
    """Province codes for the province names a source gives; every name must be a province of the same year."""
    if provinces is None:
        raise DataValidationError([f"{where}: no provincie boundaries of the same year to match province names to"])
    codes = province_codes_by_name(provinces)
    matched = names.map(lambda n: codes.get(fold(str(n))))
    unknown = sorted({str(n) for n in names[matched.isna()]})
    if unknown:
        raise DataValidationError([f"{where}: province name(s) {unknown} match no province of the year; "
                                   f"valid: {sorted(provinces['name'])}"])
    return matched


def _check_membership(store: BoundaryStore) -> None:
    """Every gemeente and wijk must have exactly one COROP and one province of the same year."""
    problems = []
    for (level, year), layer in store.layers.items():
        for parent in ("corop", "provincie"):
            if level in ("gemeente", "wijk") or (level == "corop" and parent == "provincie"):
                missing = layer.loc[layer[f"{parent}_code"].isna(), "code"].tolist()
                problems += [f"{level} {year}: {c} has no {parent}" for c in missing]
    if problems:
        raise DataValidationError(problems)


def read_layer(path: Path) -> gpd.GeoDataFrame:
    """A layer as the build wrote it (GeoParquet, one WKB column per projection).

    geopandas parses each column's PROJJSON into a new pyproj CRS, 17 ms a column: 1.8 of the 3 seconds every
    process spent reading the 37 layers at start. The few distinct CRS texts are parsed once here instead."""
    table = pq.read_table(path)
    geo = json.loads(table.schema.metadata[b"geo"])
    frame = table.to_pandas()
    for name, column in geo["columns"].items():
        frame[name] = gpd.GeoSeries.from_wkb(table[name].to_numpy(), index=frame.index,
                                             crs=_crs(json.dumps(column["crs"], sort_keys=True)))
    layer = gpd.GeoDataFrame(frame, geometry=geo["primary_column"])
    if b"PANDAS_ATTRS" in table.schema.metadata:  # as geopandas restores them (the build's repair count)
        layer.attrs = json.loads(table.schema.metadata[b"PANDAS_ATTRS"])
    return layer


@lru_cache(maxsize=len(PROJECTIONS) + 1)
def _crs(projjson: str) -> CRS:
    """The shared object of an atlas CRS (vocabulary.PYPROJ_CRS), so no thread parses the PROJJSON again."""
    parsed = CRS.from_json(projjson)
    shared = PYPROJ_CRS.get(f"EPSG:{parsed.to_epsg()}")
    return shared if shared is not None and shared == parsed else parsed
