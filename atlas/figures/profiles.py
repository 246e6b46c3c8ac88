"""Region profiles: everything the atlas knows about one region, with ranks among its peers."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from atlas.data import AtlasData
from atlas.errors import InvalidChoice, UnknownResource
from atlas.figures import semantics
from atlas.figures.reference import national_reference
from atlas.figures.table import RegionEntry
from atlas.figures.values import available_levels, available_years, indicator_values
from atlas.geography.vocabulary import LEVEL_INFO, level_of_code


def find_region(data: AtlasData, code: str, year: int | None) -> tuple[str, int]:
    """Level and boundary year of a region code; the latest year that has the code unless one is asked for."""
    prefix = level_of_code(code)
    if prefix is None:
        raise UnknownResource("code", code, [lv.example for lv in LEVEL_INFO.values()], hint="a CBS region code")
    years = [y for y in data.boundaries.years(prefix) if code in data.region_codes(prefix, y)]
    if not years:
        raise UnknownResource("code", code, [], hint=f"no {prefix} with this code in any boundary year")
    if year is None:
        return prefix, years[-1]
    if year not in years:
        raise InvalidChoice("year", year, years, hint=f"boundary years that contain {code}")
    return prefix, year


def region_profile(data: AtlasData, code: str, year: int | None = None) -> dict:
    """Name, parents, area, the latest value of every indicator with its rank, and each time series.

    Computed on each call, from the build's value table (2 ms): the API's response cache keeps each answer as
    encoded bytes, and a cached copy of the dict beside it cost memory and, to estimate its size, half as long
    again as computing it.
    """
    level, boundary_year = find_region(data, code, year)
    return _profile(data, code, level, boundary_year)


def _profile(data: AtlasData, code: str, level: str, boundary_year: int) -> dict:
    row = data.region_row(level, boundary_year, code)
    parents = {}
    for parent in ("gemeente", "corop", "provincie"):
        parent_code = row.get(f"{parent}_code")
        if parent_code:
            known = parent_code in data.region_codes(parent, boundary_year)
            name = data.region_row(parent, boundary_year, parent_code)["name"] if known else None
            parents[parent] = {"code": parent_code, "name": name}
    held = data.value_table.region(level, boundary_year, code) if data.value_table is not None else {}
    indicators = []
    for indicator in data.catalogue.indicators.values():
        if level not in available_levels(data, indicator):
            continue
        years = available_years(data, indicator, level)
        if not years:
            continue
        series = _series(data, indicator.id, level, code, years, boundary_year, held)
        latest = next((e for e in reversed(series) if e["missing_reason"] is None), series[-1] if series else None)
        if latest is None:
            continue
        indicators.append({
            "id": indicator.id, "theme": indicator.theme,
            "title": {"nl": indicator.title_nl, "en": indicator.title_en}, "unit": indicator.unit,
            "source": indicator.source, "latest": latest, "series": series,
            "series_breaks": [b.as_dict() for b in indicator.series_breaks], "direction": indicator.direction,
            "reference": national_reference(data, indicator.id, latest["year"], level),
        })
    return {
        "code": code, "name": row["name"], "level": level, "year": boundary_year, "boundary_year": boundary_year,
        "territory": f"every figure is shown on the {level} boundaries of {boundary_year}; figures measured on other "
                     "boundaries are re-mapped and say so (harmonised)",
        "parents": parents, "area_km2": float(row["area_km2"]), "membership": row["membership"],
        "derived": row["derived"] or None, "indicators": indicators,
    }


def _entry(data: AtlasData, indicator_id: str, level: str, code: str, year: int, boundary_year: int,
           held: dict[tuple[str, int | None], RegionEntry]) -> dict:
    """One year's value of the region on the profile's boundaries, ranked among that year's peers: the build's
    row when it computed this key (atlas.figures.table), else computed here (imported indicators)."""
    table = data.value_table
    if table is not None and table.has(indicator_id, level, year, boundary_year):
        refused = table.refused(indicator_id, level, year, boundary_year)
        if refused is not None:
            return _refused(year, boundary_year, refused)
        found = held[(indicator_id, year)]
        return _described(found.row, data.catalogue.get(indicator_id).decimals, year, boundary_year, found.peers)
    try:
        values = indicator_values(data, indicator_id, level, year, boundary_year)
    except InvalidChoice as refused:
        return _refused(year, boundary_year, str(refused))
    row = values.frame[values.frame["code"] == code].iloc[0]
    return _described(row, values.indicator.decimals, values.year, values.boundary_year,
                      int(values.frame["value"].notna().sum()))


def _refused(year: int, boundary_year: int, reason: str) -> dict:
    return {"year": year, "value": None, "qualifier": None, "text": None, "missing_reason": reason, "aggregated": False,
            "rank": None, "peers": 0, "boundary_year": boundary_year, "harmonised": "none", "source_vintage": None}


def _described(r: Mapping, decimals: int, year: int | None, boundary_year: int, peers: int) -> dict:
    return {
        "year": year, "value": semantics.json_number(r["value"], decimals),
        "qualifier": r["qualifier"] if isinstance(r["qualifier"], str) else None,
        "text": r["text"] if isinstance(r["text"], str) else None,
        "missing_reason": r["missing_reason"] if isinstance(r["missing_reason"], str) else None,
        "aggregated": bool(r["aggregated"]), "rank": None if pd.isna(r["rank"]) else int(r["rank"]),
        "peers": peers, "boundary_year": boundary_year,
        "harmonised": r["harmonised"], "source_vintage": None if pd.isna(r["source_vintage"]) else int(r["source_vintage"]),
    }


def _series(data: AtlasData, indicator_id: str, level: str, code: str, years: list[int], boundary_year: int,
            held: dict[tuple[str, int | None], RegionEntry]) -> list[dict]:
    """Every year's value on one territory. A line may join two points only when neither was apportioned
    (an estimated re-mapping is not a measurement of the same territory) and no definition break lies
    between them; ``joined`` says which."""
    breaks = data.catalogue.get(indicator_id).series_breaks
    series = semantics.mark_breaks([_entry(data, indicator_id, level, code, y, boundary_year, held) for y in years], breaks)
    for previous, entry in zip([None, *series], series):
        entry["joined"] = (previous is not None and "estimated" not in (previous["harmonised"], entry["harmonised"])
                           and "break_before" not in entry)
    return series
