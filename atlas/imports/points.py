"""Point lists (organisations, establishments) placed on gemeente boundaries and counted per region, year and
category at every level, with disclosure control; the points themselves are never stored or served.

A point is placed by the first thing it has: coordinates (columns ``lon``/``lat`` in WGS84, or ``x``/``y`` in
RD New, EPSG:28992) by a point-in-polygon join; a Dutch postcode (column ``postcode``, ``1234`` or ``1234 AB``)
through a postcode table the user supplies; or a place name (column ``city``) through the place matcher. A
point that none of these places is listed with its row and the reason, never guessed.

Postcode table (CSV, UTF-8), as CBS and PostNL publish it per year::

    postcode,gemeente_code
    1011AB,GM0363        # six positions: exactly this postcode
    3511,GM0344          # four positions: every postcode starting 3511 without a six-position row

Codes must be gemeenten of the boundary year the points are placed on (the nearest held to the list's year).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from atlas.data import AtlasData
from atlas.errors import ImportRejected
from atlas.geography.names import fold
from atlas.geography.placematch import place_matcher
from atlas.geography.vocabulary import RD_NEW, WGS84
from atlas.imports.disclosure import PRIMARY, Relation, suppress
from atlas.imports.metadata import PointsMeta
from atlas.imports.store import Dataset, observations_with_vintages
from atlas.imports.tables import read_sheets
from atlas.sources.indicators import tidy_frame

ALL = ""  # the category key of the count over every category
UNSPECIFIED = "unspecified"
POSTCODE = re.compile(r"^(\d{4})\s*([A-Z]{2})?$")
LEVELS_COUNTED = ("provincie", "corop", "gemeente")


@dataclass
class Placement:
    """Per point its gemeente code (None when unplaced) and how it was placed; unplaced rows with reasons."""

    codes: np.ndarray
    how: np.ndarray
    unplaced: list[str]


def read_postcodes(name: str, content: bytes, data: AtlasData, boundary_year: int) -> dict[str, str]:
    """The postcode table, checked row by row (all problems at once)."""
    frame = next(iter(read_sheets(name, content).values()))
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    if not {"postcode", "gemeente_code"} <= set(frame.columns):
        raise ImportRejected([f"{name}:1: columns {list(frame.columns)}; need postcode,gemeente_code"])
    known = set(data.boundaries.get("gemeente", boundary_year)["code"])
    table, problems = {}, []
    for row, (postcode, code) in enumerate(zip(frame["postcode"], frame["gemeente_code"]), start=2):
        key = postcode.replace(" ", "").upper()
        if not POSTCODE.match(key):
            problems.append(f"{name}:{row}:postcode: {postcode!r} is not a Dutch postcode (1234 or 1234AB)")
        elif code.strip() not in known:
            problems.append(f"{name}:{row}:gemeente_code: {code!r} is not a gemeente of {boundary_year}")
        else:
            table[key] = code.strip()
    if problems:
        raise ImportRejected(problems)
    return table


def codes_at(layer: pd.DataFrame, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The code of the polygon holding each point (None outside every polygon), by the layer's spatial index:
    vectorised over all points, which is what makes millions of points a matter of seconds."""
    points = shapely.points(x, y)
    point_index, region_index = layer.sindex.query(points, predicate="intersects")
    codes = np.full(len(points), None, dtype=object)
    first = np.unique(point_index, return_index=True)[1]  # a point on a shared border goes to one region
    codes[point_index[first]] = layer["code"].to_numpy()[region_index[first]]
    return codes


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    return pd.to_numeric(frame[column].str.strip() if column in frame else pd.Series(np.nan, index=frame.index),
                         errors="coerce").to_numpy(dtype=float)


def place(data: AtlasData, frame: pd.DataFrame, boundary_year: int, postcodes: dict[str, str] | None) -> Placement:
    n = len(frame)
    codes = np.full(n, None, dtype=object)
    how = np.full(n, "unplaced", dtype=object)
    for xc, yc, crs in (("lon", "lat", WGS84), ("x", "y", RD_NEW)):
        x, y = _numbers(frame, xc), _numbers(frame, yc)
        todo = np.isfinite(x) & np.isfinite(y) & (how == "unplaced")
        if todo.any():
            layer = data.boundaries.projected("gemeente", boundary_year, crs)
            codes[todo] = codes_at(layer, x[todo], y[todo])
            how[todo & (codes != None)] = "coordinates"  # noqa: E711  (element-wise on an object array)
    if "postcode" in frame and postcodes is not None:
        keys = frame["postcode"].str.replace(" ", "").str.upper()
        found = keys.map(postcodes).fillna(keys.str[:4].map(postcodes)).to_numpy()
        todo = (how == "unplaced") & pd.notna(found)
        codes[todo], how[todo] = found[todo], "postcode"
    if "city" in frame:
        matcher = place_matcher(data, boundary_year)
        todo = (how == "unplaced") & (frame["city"].str.strip() != "").to_numpy()
        names = frame["city"].to_numpy()
        by_name = {name: matcher.match(name).code for name in set(names[todo])}
        found = np.array([by_name.get(name) for name in names], dtype=object)
        todo &= found != None  # noqa: E711
        codes[todo], how[todo] = found[todo], "city"
    unplaced = [f"row {i + 2}: {_why(frame.iloc[i], postcodes)}" for i in np.flatnonzero(how == "unplaced")[:1000]]
    return Placement(codes, how, unplaced)


def _why(row: pd.Series, postcodes: dict[str, str] | None) -> str:
    if str(row.get("lon", "")).strip() or str(row.get("x", "")).strip():
        return "coordinates outside every gemeente (or not numbers)"
    if str(row.get("postcode", "")).strip():
        return "postcode not in the postcode table" if postcodes is not None else "postcode given but no postcode table"
    if str(row.get("city", "")).strip():
        return f"city {row['city']!r} matches no single gemeente"
    return "no coordinates, postcode or city"


def category_key(category: str) -> str:
    """The category as it appears in indicator ids: 'Scale-up' and 'scale up' are one; empty is 'unspecified'."""
    return re.sub(r"[^a-z0-9]+", "_", fold(category)).strip("_") or UNSPECIFIED


def tally(gemeente: pd.Series, years: pd.Series, category: pd.Series | None) -> pd.Series:
    """Placed points per (year, code, category): all that counting needs, whichever engine placed them."""
    points = pd.DataFrame({"year": years, "code": gemeente,
                           "category": category if category is not None else ALL}).dropna(subset=["code"])
    return points.groupby(["year", "code", "category"]).size()


def count_cells(data: AtlasData, counts: pd.Series, boundary_year: int) -> pd.DataFrame:
    """Counts per (level, code, year, category) for every region of the boundary year, zeros included."""
    layer = data.boundaries.get("gemeente", boundary_year)[["code", "corop_code", "provincie_code"]]
    categories = sorted(set(counts.index.get_level_values("category")) - {ALL})
    cells = []
    for cat in [ALL, *categories]:
        per = counts.groupby(["year", "code"]).sum() if cat == ALL else counts.xs(cat, level="category")
        for year in sorted(set(counts.index.get_level_values("year"))):
            found = per.xs(year, level="year") if year in per.index.get_level_values("year") else pd.Series(dtype=int)
            at = layer.assign(count=layer["code"].map(found).fillna(0).astype(int))
            for level, key in (("gemeente", "code"), ("corop", "corop_code"), ("provincie", "provincie_code")):
                sums = at.groupby(key)["count"].sum()
                cells.append(pd.DataFrame({"level": level, "code": sums.index, "year": int(year), "category": cat,
                                           "count": sums.to_numpy()}))
    return pd.concat(cells, ignore_index=True)


def relations(cells: pd.DataFrame, data: AtlasData, boundary_year: int) -> list[Relation]:
    """Every additive relation the published counts carry, for secondary suppression."""
    layer = data.boundaries.get("gemeente", boundary_year)
    corop_of = dict(zip(layer["code"], layer["corop_code"]))
    provincie_of = dict(zip(layer["corop_code"], layer["provincie_code"]))
    out = []
    for (year, cat), group in cells.groupby(["year", "category"]):
        codes = dict(tuple(group.groupby("level")["code"]))
        for child, parent_of in (("gemeente", corop_of), ("corop", provincie_of)):
            members: dict[str, list] = {}
            for code in codes[child]:
                members.setdefault(parent_of[code], []).append((child, code, year, cat))
            parent = "corop" if child == "gemeente" else "provincie"
            out += [Relation((parent, p, year, cat), tuple(m)) for p, m in members.items()]
    categories = sorted(set(cells["category"]) - {ALL})
    if categories:
        for (level, code, year), _ in cells[cells["category"] == ALL].groupby(["level", "code", "year"]):
            out.append(Relation((level, code, year, ALL), tuple((level, code, year, c) for c in categories)))
    return out


def import_points(data: AtlasData, name: str, content: bytes, meta: PointsMeta,
                  postcodes: tuple[str, bytes] | None = None) -> Dataset:
    """Place, count, withhold; the dataset holds only the published counts and the withheld reasons."""
    frame = pd.concat([f.rename(columns=lambda c: str(c).strip().lower()) for f in read_sheets(name, content).values()],
                      ignore_index=True)
    boundary_year = data.boundaries.nearest_year("gemeente", meta.year)
    table = read_postcodes(*postcodes, data, boundary_year) if postcodes else None
    placement = place(data, frame, boundary_year, table)
    years = pd.to_numeric(frame["year"], errors="coerce").fillna(meta.year).astype(int) if "year" in frame \
        else pd.Series(meta.year, index=frame.index)
    category = frame["category"].map(category_key) if "category" in frame else None  # "Scale-up", "scale up": one
    counts = tally(pd.Series(placement.codes, index=frame.index), years, category)
    placed = pd.Series(placement.how).value_counts().to_dict()
    record = {"file": name, "points": len(frame), "placed_by": {k: int(v) for k, v in placed.items()},
              "unplaced": placement.unplaced}
    return counted_dataset(data, counts, meta, boundary_year, record)


def counted_dataset(data: AtlasData, counts: pd.Series, meta: PointsMeta, boundary_year: int,
                    record: dict) -> Dataset:
    """Counts (from `tally`, or a distributed engine's equivalent) to withheld-where-needed indicators."""
    cells = count_cells(data, counts, boundary_year)
    keys = list(zip(cells["level"], cells["code"], cells["year"], cells["category"]))
    withheld = suppress(dict(zip(keys, cells["count"])), relations(cells, data, boundary_year), meta.threshold)
    indicators, rows = _indicators(cells, keys, withheld, meta, record.get("file", ""))
    observations = observations_with_vintages(data, tidy_frame(rows), indicators)
    record = {**record, "title": meta.title, "licence": meta.licence, "source": meta.source,
              "boundary_year": boundary_year, "threshold": meta.threshold,
              "withheld_cells": {kind: sum(v == kind for v in withheld.values()) for kind in ("primary", "secondary")}}
    return Dataset(meta.id, "points", indicators, observations, record)


def _indicators(cells: pd.DataFrame, keys: list, withheld: dict, meta: PointsMeta, name: str) -> tuple[list, list[dict]]:
    reasons = {PRIMARY: f"withheld: fewer than {meta.threshold} units (disclosure control)",
               "secondary": "withheld so that a withheld count cannot be derived from totals (disclosure control)"}
    years = sorted(int(y) for y in set(cells["year"]))
    indicators, rows = [], []
    for cat in sorted(set(cells["category"])):
        indicator_id = meta.id if cat == ALL else f"{meta.id}__{cat}"
        title = meta.title if cat == ALL else f"{meta.title}: {cat.replace('_', ' ')}"
        indicators.append(meta.table_meta(indicator_id, title).indicator(list(LEVELS_COUNTED), years))
        for key, count in zip(keys, cells["count"]):
            if key[3] != cat:
                continue
            level, code, year, _ = key
            reason = reasons.get(withheld.get(key, ""))
            rows.append({"indicator": indicator_id, "level": level, "code": code, "name": "", "year": int(year),
                         "period": str(year), "value": None if reason else float(count), "text": None,
                         "missing_reason": reason, "unit": meta.unit, "source": meta.source, "note": "",
                         "file": name, "line": None, "source_level": level, "source_code": code, "org_id": None})
    return indicators, rows
