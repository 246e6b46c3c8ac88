"""Region profiles: everything the atlas knows about one region, with ranks among its peers."""

from __future__ import annotations

import pandas as pd

from atlas import semantics
from atlas.data import AtlasData
from atlas.errors import InvalidChoice
from atlas.reference import national_reference
from atlas.values import available_levels, available_years, indicator_values


def find_region(data: AtlasData, code: str, year: int | None) -> tuple[str, int]:
    """Level and boundary year of a region code; the latest year that has the code unless one is asked for."""
    prefix = {"PV": "provincie", "CR": "corop", "GM": "gemeente", "WK": "wijk"}.get(code[:2].upper())
    if prefix is None:
        raise InvalidChoice("code", code, ["PVnn", "CRnn", "GMnnnn", "WKnnnnnn"], hint="a CBS region code")
    years = [y for y in data.boundaries.years(prefix) if code in set(data.boundaries.get(prefix, y)["code"])]
    if not years:
        raise InvalidChoice("code", code, [], hint=f"no {prefix} with this code in any boundary year")
    if year is None:
        return prefix, years[-1]
    if year not in years:
        raise InvalidChoice("year", year, years, hint=f"boundary years that contain {code}")
    return prefix, year


def region_profile(data: AtlasData, code: str, year: int | None = None) -> dict:
    """Name, parents, area, the latest value of every indicator with its rank, and each time series.

    Memoised on the loaded data (callers must not modify the result): a profile touches every indicator.
    """
    level, boundary_year = find_region(data, code, year)
    key = ("profile", code, boundary_year)
    if key not in data.memo:
        data.memo[key] = _profile(data, code, level, boundary_year)
    return data.memo[key]


def _profile(data: AtlasData, code: str, level: str, boundary_year: int) -> dict:
    row = data.boundaries.get(level, boundary_year).set_index("code").loc[code]
    parents = {}
    for parent in ("gemeente", "corop", "provincie"):
        parent_code = row.get(f"{parent}_code")
        if parent_code:
            parent_year = data.boundaries.nearest_year(parent, boundary_year)
            names = data.boundaries.get(parent, parent_year).set_index("code")["name"]
            parents[parent] = {"code": parent_code, "name": names.get(parent_code)}
    indicators = []
    for indicator in data.catalogue.indicators.values():
        if level not in available_levels(data, indicator):
            continue
        years = available_years(data, indicator, level)
        if not years:
            continue
        latest = _latest(data, indicator.id, level, code, years)
        if latest is None:
            continue
        indicators.append({
            "id": indicator.id, "theme": indicator.theme,
            "title": {"nl": indicator.title_nl, "en": indicator.title_en}, "unit": indicator.unit,
            "source": indicator.source, "latest": latest,
            "series": semantics.mark_breaks(_series(data, indicator.id, level, code, years), indicator.series_breaks),
            "series_breaks": [b.as_dict() for b in indicator.series_breaks], "direction": indicator.direction,
            "reference": national_reference(data, indicator.id, latest["year"], level),
        })
    return {
        "code": code, "name": row["name"], "level": level, "year": boundary_year, "parents": parents,
        "area_km2": float(row["area_km2"]), "membership": row["membership"], "derived": row["derived"] or None,
        "indicators": indicators,
    }


def _entry(values, code: str) -> dict | None:
    match = values.frame[values.frame["code"] == code]
    if match.empty:
        return None
    r = match.iloc[0]
    return {
        "year": values.year, "value": semantics.json_number(r["value"], values.indicator.decimals),
        "qualifier": r["qualifier"] if isinstance(r["qualifier"], str) else None,
        "text": r["text"] if isinstance(r["text"], str) else None, "missing_reason": r["missing_reason"],
        "aggregated": bool(r["aggregated"]), "rank": None if pd.isna(r["rank"]) else int(r["rank"]),
        "peers": int(values.frame["value"].notna().sum()), "boundary_year": values.boundary_year,
    }


def _latest(data: AtlasData, indicator_id: str, level: str, code: str, years: list[int]) -> dict | None:
    """The most recent year with a value for this region, ranked among its peers of that year."""
    fallback = None
    for y in reversed(years):
        entry = _entry(indicator_values(data, indicator_id, level, y), code)
        if entry is not None and entry["missing_reason"] is None:
            return entry
        fallback = fallback or entry
    return fallback


def _series(data: AtlasData, indicator_id: str, level: str, code: str, years: list[int]) -> list[dict]:
    """Every year's value: the region's own rows where measured here, else the aggregate of its members."""
    rows = data.observations_of(indicator_id)
    own = rows[(rows["level"] == level) & (rows["code"] == code)].dropna(subset=["year"])
    native_years = set(rows.loc[rows["level"] == level, "year"].dropna().astype(int))
    series = []
    for y in years:
        if y in native_years:
            match = own[own["year"] == y]
            value = match["value"].iloc[0] if len(match) else None
            series.append({
                "year": y, "value": semantics.json_number(value, data.catalogue.get(indicator_id).decimals),
                "qualifier": semantics.qualifier_codes(match["note"].iloc[0]) if len(match) else None,
                "missing_reason": (
                    (None if pd.isna(match["missing_reason"].iloc[0]) else match["missing_reason"].iloc[0])
                    if len(match) else "no value for this region in the source"
                ),
                "aggregated": False,
            })
        else:
            entry = _entry(indicator_values(data, indicator_id, level, y), code)
            if entry is not None:
                series.append({k: entry[k] for k in ("year", "value", "qualifier", "missing_reason", "aggregated")})
    return series
