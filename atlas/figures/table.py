"""Every shipped indicator's values, ranks and national references, computed once per build into one columnar table.

A value depends only on the build (observations, boundaries, crosswalks, catalogue), so computing it per request
repeats the same pandas work for every visitor: a cold gemeente profile touched every indicator and year and took
seconds. The build therefore runs atlas.figures.values for every (indicator, level, year, boundary year) once and
keeps the frames stacked in one table, each key's rows contiguous in frame order, written as Parquet beside the
boundaries. Requests then slice it (values) or take one region's rows across all keys through an index (profiles).

Only what the build holds is in it: imported indicators (atlas.imports) and atlases changed after the build (test
fixtures) have no table, or no key in it, and are computed as before. Keys the computation refuses (a category
that cannot be re-mapped onto other boundaries) are kept with the refusal, which a profile shows as the reason.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from atlas.cache import AtlasCaches, CacheLimit, CacheSettings
from atlas.data import AtlasData
from atlas.errors import InvalidChoice

KEY = ["indicator", "level", "year", "boundary_year"]
REGION = ["level", "boundary_year", "code"]
PROFILE_COLUMNS = ["indicator", "year", "value", "qualifier", "text", "missing_reason", "aggregated", "rank",
                   "harmonised", "source_vintage"]
FILES = {"rows": "values.parquet", "keys": "value_keys.parquet", "references": "value_references.parquet"}
# A build computes every frame once; dependencies (weights, numerators, finer levels) are reused from this cache.
BUILD_CACHE = CacheLimit(entries=1_000_000, mb=4096)

Key = tuple[str, str, "int | None", int]


@dataclass
class Slice:
    """One key's values as the computation left them, with its metadata."""

    frame: pd.DataFrame
    aggregated_from: str | None
    unmatched: list[str]
    vintage: int | None
    vintage_basis: str | None


@dataclass
class RegionEntry:
    """One region's row of one key, with what a profile shows beside it."""

    row: dict
    peers: int


@dataclass
class ValueTable:
    rows: pd.DataFrame  # KEY, then the values frame's columns
    keys: pd.DataFrame  # one per key: KEY, start, stop, peers, refused, object columns, metadata
    references: pd.DataFrame  # indicator, level, year, reference (JSON)
    _keys: dict[tuple, int] = field(init=False, repr=False)
    _by_region: pd.DataFrame = field(init=False, repr=False)  # PROFILE_COLUMNS, each region's rows contiguous
    _regions: dict[tuple, tuple[int, int]] = field(init=False, repr=False)
    _references: dict[tuple, str] = field(init=False, repr=False)
    _peers: list[int] = field(init=False, repr=False)
    _refused: list[str | None] = field(init=False, repr=False)
    _columns: pa.Table = field(init=False, repr=False)  # the values frames' columns, text as Arrow dictionaries
    _decoded: pa.Schema = field(init=False, repr=False)  # those columns with the text decoded
    _nullable: dict[str, object] = field(init=False, repr=False)  # pandas' nullable dtypes, which Arrow drops
    _slices: list[dict] = field(init=False, repr=False)  # per key: start, stop and what a Slice carries

    def __post_init__(self) -> None:
        self._keys = {_key(k): i for i, k in enumerate(self.keys[KEY].itertuples(index=False, name=None))}
        self._peers = self.keys["peers"].astype(int).tolist()
        self._refused = [_text(r) for r in self.keys["refused"].tolist()]
        # sorted once, so a profile reads one contiguous slice instead of gathering rows from every key
        regions = self.rows[REGION].sort_values(REGION, kind="stable")
        order = regions.index.to_numpy()
        self._by_region = self.rows[PROFILE_COLUMNS].iloc[order].reset_index(drop=True)
        first = np.flatnonzero(np.r_[True, (regions.iloc[1:].to_numpy() != regions.iloc[:-1].to_numpy()).any(axis=1)])
        bounds = np.r_[first, len(regions)]
        starts = regions.iloc[first]
        self._regions = {(lv, int(by), code): (int(a), int(b)) for (lv, by, code), a, b in
                         zip(starts.itertuples(index=False, name=None), bounds[:-1], bounds[1:])}
        self._references = {(i, lv, None if pd.isna(y) else int(y)): r for i, lv, y, r in
                            self.references.itertuples(index=False, name=None)}
        # A slice is read in Arrow, whose conversion to pandas is one call for all columns: pandas' own slicing
        # and category decoding cost 4 ms a key, most of a cold values answer, however few its rows.
        self._columns = pa.Table.from_pandas(self.rows.iloc[:, len(KEY):], preserve_index=False)
        self._decoded = pa.schema([pa.field(f.name, pa.large_string()) if pa.types.is_dictionary(f.type) else f
                                   for f in self._columns.schema])
        self._nullable = {c: t for c, t in self.rows.dtypes.iloc[len(KEY):].items()
                          if isinstance(t, pd.api.extensions.ExtensionDtype) and not isinstance(t, pd.CategoricalDtype)}
        self._slices = self.keys[["start", "stop", "objects", "aggregated_from", "unmatched", "vintage",
                                  "vintage_basis"]].to_dict("records")

    def values(self, indicator: str, level: str, year: int | None, boundary_year: int) -> Slice | None:
        """The key's frame, or None when the build did not compute it (or refused it: computed again to raise)."""
        found = self._keys.get((indicator, level, year, boundary_year))
        if found is None:
            return None
        if self._refused[found] is not None:
            return None
        meta = self._slices[found]
        part = self._columns.slice(meta["start"], meta["stop"] - meta["start"]).cast(self._decoded)
        frame = part.to_pandas()
        for column, dtype in self._nullable.items():  # one by one: DataFrame.astype(dict) rebuilds every column
            frame[column] = frame[column].astype(dtype)
        for column in json.loads(meta["objects"]):  # Python objects, missing as None, as the computation left them
            frame[column] = pd.Series(part[column].to_pylist(), dtype=object)
        return Slice(frame, _text(meta["aggregated_from"]), json.loads(meta["unmatched"]),
                     None if pd.isna(meta["vintage"]) else int(meta["vintage"]), _text(meta["vintage_basis"]))

    def has(self, indicator: str, level: str, year: int | None, boundary_year: int) -> bool:
        return (indicator, level, year, boundary_year) in self._keys

    def region(self, level: str, boundary_year: int, code: str) -> dict[tuple[str, int | None], RegionEntry]:
        """Every key's row of one region on one boundary year, by (indicator, year); refused keys have none."""
        start, stop = self._regions.get((level, boundary_year, code), (0, 0))
        part = self._by_region.iloc[start:stop]
        found = {}
        for values in zip(*(_listed(part[c]) for c in PROFILE_COLUMNS)):
            row = dict(zip(PROFILE_COLUMNS, values))
            key = (row["indicator"], level, _year(row["year"]), boundary_year)
            found[key[0], key[2]] = RegionEntry(row, self._peers[self._keys[key]])
        return found

    def refused(self, indicator: str, level: str, year: int | None, boundary_year: int) -> str | None:
        found = self._keys.get((indicator, level, year, boundary_year))
        return None if found is None else self._refused[found]

    def reference(self, indicator: str, level: str | None, year: int | None) -> tuple[bool, dict | None]:
        """(held, reference): held is False when the build did not compute this one."""
        found = self._references.get((indicator, level, year))
        return (False, None) if found is None else (True, json.loads(found))

    def write(self, folder: Path) -> None:
        for name, frame in (("rows", self.rows), ("keys", self.keys), ("references", self.references)):
            frame.to_parquet(folder / FILES[name])

    @classmethod
    def read(cls, folder: Path) -> ValueTable:
        rows, keys, references = (pd.read_parquet(folder / FILES[name]) for name in ("rows", "keys", "references"))
        return cls(rows, keys, references)


def _listed(column: pd.Series) -> list:
    """A column's values as Python objects; a categorical one through its codes, since pandas turns the whole
    column into an array first (half a region profile's time went there). Missing stays NaN, as tolist gives it."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        labels = np.append(column.cat.categories.to_numpy(dtype=object), np.nan)
        return labels[column.cat.codes.to_numpy()].tolist()  # code -1 (missing) picks the appended NaN
    return column.tolist()


def _year(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(value)  # type: ignore[call-overload]


def _key(key: tuple) -> tuple:
    indicator, level, year, boundary_year = key
    return indicator, level, _year(year), int(boundary_year)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def build_value_table(data: AtlasData) -> ValueTable:
    """Every (indicator, level, year, boundary year) the catalogue allows, and every national reference a
    profile or values answer shows, computed by atlas.figures on the build (not on any table).

    Indicators are independent, so they are computed in forked processes, one core each: the pandas work is
    bound by the interpreter, and a build on two cores took twice as long in one. Forking is only safe from a
    process with no other threads (a lock held elsewhere would stay held in the child), so a build started
    inside a serving or test process computes in this process.
    """
    ids = list(data.catalogue.indicators)
    workers = min(len(os.sched_getaffinity(0)), len(ids))
    if workers > 1 and threading.active_count() == 1:
        with multiprocessing.get_context("fork").Pool(workers, initializer=_adopt, initargs=(data,)) as pool:
            parts = dict(pool.imap_unordered(_indicator_part, ids))
    else:
        kept = data.caches
        _adopt(data)
        try:
            parts = dict(map(_indicator_part, ids))
        finally:
            _adopt(None)
            data.caches = kept
    frames, keys, references = [], [], []
    start = 0
    for indicator_id in ids:  # catalogue order, whichever process finished first
        part = parts[indicator_id]
        for frame, key in zip(part.frames, part.keys):
            keys.append({**key, "start": start, "stop": start + len(frame) if frame is not None else start})
            if frame is not None:
                frames.append(frame)
                start += len(frame)
        references += part.references
    rows = pd.concat(frames, ignore_index=True)
    # Text columns repeat a few thousand names, notes and sources hundreds of thousands of times: kept as
    # categories (a tenth of the memory, and Parquet stores them as dictionaries), read back as text per slice.
    text = [c for c in rows.columns if rows[c].dtype == object or isinstance(rows[c].dtype, pd.StringDtype)]
    rows = rows.astype({c: "str" for c in text}).astype({c: "category" for c in text})
    rows["year"] = rows["year"].astype("Int64")
    key_frame = pd.DataFrame(keys).astype({"year": "Int64", "vintage": "Int64"})
    return ValueTable(rows, key_frame, pd.DataFrame(references, columns=["indicator", "level", "year", "reference"])
                      .astype({"year": "Int64"}))


@dataclass
class _Part:
    """One indicator's frames (None where refused), key rows and references, in the order computed."""

    frames: list[pd.DataFrame | None]
    keys: list[dict]
    references: list[dict]


_adopted: list[AtlasData] = []  # the atlas a build process computes on: set by _adopt, in a child for its life


def _adopt(data: AtlasData | None) -> None:
    """Give this process the atlas to compute on, with caches large enough to keep every dependency (weights,
    numerators, finer levels) for reuse; a forked child inherits `data` without copying or pickling it."""
    _adopted.clear()
    if data is not None:
        data.caches = AtlasCaches.from_settings(CacheSettings(
            values=BUILD_CACHE, native_frames=BUILD_CACHE, references=BUILD_CACHE, parent_matches=BUILD_CACHE))
        _adopted.append(data)


def _indicator_part(indicator_id: str) -> tuple[str, _Part]:
    from atlas.figures.reference import national_reference
    from atlas.figures.values import available_levels, available_years, indicator_values

    data = _adopted[0]
    indicator = data.catalogue.get(indicator_id)
    part = _Part([], [], [])
    for level in available_levels(data, indicator):
        years: list[int | None] = list(available_years(data, indicator, level))
        for year in years or ([None] if indicator.undated else []):
            for boundary_year in data.boundaries.years(level):
                key = {"indicator": indicator.id, "level": level, "year": year, "boundary_year": boundary_year}
                try:
                    values = indicator_values(data, indicator.id, level, year, boundary_year)
                except InvalidChoice as refused:
                    part.frames.append(None)
                    part.keys.append({**key, "peers": 0, "refused": str(refused), "objects": "[]",
                                      "aggregated_from": None, "unmatched": "[]", "vintage": None,
                                      "vintage_basis": None})
                    continue
                frame = values.frame
                part.frames.append(frame.assign(**key)[[*KEY, *frame.columns]])
                part.keys.append({**key, "peers": int(frame["value"].notna().sum()), "refused": None,
                                  "objects": json.dumps([c for c in frame.columns if frame[c].dtype == object]),
                                  "aggregated_from": values.aggregated_from, "unmatched": json.dumps(values.unmatched),
                                  "vintage": values.vintage, "vintage_basis": values.vintage_basis})
            if year is not None:
                part.references.append({"indicator": indicator.id, "level": level, "year": year,
                                        "reference": json.dumps(national_reference(data, indicator.id, year, level))})
    return indicator_id, part
