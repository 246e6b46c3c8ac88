"""Indicator values for every region of a level and year: native where measured, aggregated where allowed.

Aggregation follows the catalogue's rule and is all-or-nothing per region: if any member region lacks a
value, the aggregate is missing with the count of missing members as its reason. A partial sum would
look like a real total, which is exactly the silent estimate the atlas must never show.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from atlas import semantics
from atlas.boundaries import LEVELS
from atlas.catalogue import Indicator
from atlas.data import AtlasData
from atlas.errors import InvalidChoice

VALUE_COLUMNS = [
    "code", "name", "value", "text", "unit", "missing_reason", "aggregated", "members", "members_with_value",
    "rank", "percentile", "period", "note", "qualifier", "source",
]


@dataclass
class IndicatorValues:
    """The values of one indicator at one level and year, with what a reader needs to trust them."""

    indicator: Indicator
    level: str
    year: int | None
    boundary_year: int
    frame: pd.DataFrame
    aggregated_from: str | None = None
    unmatched: list[str] = field(default_factory=list)

    @property
    def boundary_year_differs(self) -> bool:
        return self.year is not None and self.boundary_year != self.year

    def meta(self) -> dict:
        present = self.frame["missing_reason"].isna()
        return {
            "indicator": self.indicator.id, "title": {"nl": self.indicator.title_nl, "en": self.indicator.title_en},
            "unit": self.indicator.unit, "level": self.level, "year": self.year,
            "boundary_year": self.boundary_year, "boundary_year_differs": self.boundary_year_differs,
            "aggregated_from": self.aggregated_from, "aggregation": self.indicator.aggregation,
            "source": self.indicator.source, "definition": self.indicator.definition,
            "caveats": list(self.indicator.caveats),
            "regions": int(len(self.frame)), "regions_with_value": int(present.sum()),
            "unmatched_source_codes": self.unmatched, **semantics.meta(self.indicator, self.frame),
        }


def _level_index(level: str) -> int:
    return LEVELS.index(level)


def available_levels(data: AtlasData, indicator: Indicator) -> list[str]:
    """Native map levels plus every coarser level the aggregation rule can reach."""
    native = [lv for lv in LEVELS if lv in indicator.levels and data.boundaries.years(lv)]
    if indicator.aggregation == "none" or not native:
        return native
    finest = max(_level_index(lv) for lv in native)
    return [lv for lv in LEVELS if _level_index(lv) <= finest and data.boundaries.years(lv)]


def available_years(data: AtlasData, indicator: Indicator, level: str) -> list[int]:
    """Years with values at this level, natively or through a finer native level."""
    rows = data.observations_of(indicator.id)
    usable = [level] if level in indicator.levels else []
    if indicator.aggregation != "none":
        usable += [lv for lv in indicator.levels if lv in LEVELS and _level_index(lv) > _level_index(level)]
    years = rows.loc[rows["level"].isin(usable), "year"].dropna().astype(int)
    return sorted(set(years))


def _native_frame(rows: pd.DataFrame, regions: pd.DataFrame, year: int | None) -> tuple[pd.DataFrame, list[str]]:
    """Join this year's rows onto the regions by code; codes without a region are returned, not dropped silently."""
    rows = rows[rows["year"] == year] if year is not None else rows[rows["year"].isna()]
    rows = rows[rows["code"] != ""].drop_duplicates("code", keep="first")
    unmatched = sorted(set(rows["code"]) - set(regions["code"]))
    columns = ["code", "value", "text", "unit", "period", "note", "source", "missing_reason"]
    frame = regions[["code", "name"]].merge(rows[columns].assign(has_row=True), on="code", how="left")
    year_text = year if year is not None else "undated"
    no_row = frame["has_row"].isna()
    frame["missing_reason"] = frame["missing_reason"].astype(object)
    frame.loc[no_row, "missing_reason"] = f"no value for this region in the source ({year_text})"
    frame["missing_reason"] = frame["missing_reason"].where(frame["missing_reason"].notna(), None)
    frame["aggregated"] = False
    frame["members"] = 1
    frame["members_with_value"] = frame["missing_reason"].isna().astype(int)
    return frame.drop(columns="has_row"), unmatched


def _member_values(data: AtlasData, indicator_id: str, level: str, year: int, boundary_year: int) -> pd.DataFrame:
    regions = data.boundaries.get(level, boundary_year)
    frame, _ = _native_frame(data.observations_of(indicator_id), regions, year)
    frame = frame.merge(regions[["code", "corop_code", "provincie_code", "gemeente_code"]], on="code")
    return frame


def _aggregate(data: AtlasData, indicator: Indicator, level: str, year: int) -> tuple[pd.DataFrame, str, int]:
    finer = [lv for lv in indicator.levels if lv in LEVELS and _level_index(lv) > _level_index(level)]
    rows = data.observations_of(indicator.id)
    source_level = next(
        (lv for lv in sorted(finer, key=_level_index) if ((rows["level"] == lv) & (rows["year"] == year)).any()),
        None,
    )
    if source_level is None:
        raise InvalidChoice("year", year, available_years(data, indicator, level))
    boundary_year = data.boundaries.nearest_year(source_level, year)
    members = _member_values(data, indicator.id, source_level, year, boundary_year)
    if indicator.aggregation == "weighted_mean":
        weights = _member_values(data, indicator.weight, source_level, year, boundary_year)
        members["w"] = members["code"].map(weights.set_index("code")["value"])
        members["w_missing"] = members["w"].isna()
    elif indicator.aggregation == "ratio":
        numerator = _member_values(data, indicator.numerator, source_level, year, boundary_year).set_index("code")
        denominator = _member_values(data, indicator.denominator, source_level, year, boundary_year).set_index("code")
        members["value"] = members["code"].map(numerator["value"])
        members["w"] = members["code"].map(denominator["value"])
        members["w_missing"] = members["w"].isna()
        members["missing_reason"] = np.where(members["value"].isna(), "numerator missing", None)
    group = members.groupby(f"{level}_code")
    result = pd.DataFrame({
        "members": group.size(),
        "members_with_value": group["value"].apply(lambda v: int(v.notna().sum())),
    })
    if indicator.aggregation == "sum":
        result["value"] = group["value"].sum(min_count=1)
    else:
        result["weights_missing"] = group["w_missing"].sum()
        sums = members.assign(vw=members["value"] * members["w"]).groupby(f"{level}_code")[["vw", "w", "value"]].sum()
        if indicator.aggregation == "weighted_mean":
            result["value"] = sums["vw"] / sums["w"]
        else:
            result["value"] = sums["value"] / sums["w"] * indicator.factor
    complete = result["members_with_value"] == result["members"]
    if "weights_missing" in result:
        complete &= result["weights_missing"] == 0
    result.loc[~complete, "value"] = np.nan
    reason = result.apply(
        lambda r: f"{r['members'] - r['members_with_value']} of {r['members']} {source_level} regions have no value"
        if r["members_with_value"] < r["members"]
        else f"weight missing for {int(r.get('weights_missing', 0))} of {r['members']} {source_level} regions",
        axis=1,
    )
    result["missing_reason"] = np.where(complete, None, reason)
    return result, source_level, boundary_year


def indicator_values(data: AtlasData, indicator_id: str, level: str, year: int | None = None) -> IndicatorValues:
    """Values of an indicator for every region of a level in a year (default: the latest year).

    Results are memoised on the loaded data, which never changes after a build; callers must not
    modify the returned frame.
    """
    key = ("values", indicator_id, level, year)
    if key not in data.memo:
        data.memo[key] = _compute_values(data, indicator_id, level, year)
    return data.memo[key]


def _compute_values(data: AtlasData, indicator_id: str, level: str, year: int | None) -> IndicatorValues:
    indicator = data.catalogue.get(indicator_id)
    data.check_level(level)
    levels = available_levels(data, indicator)
    if level not in levels:
        raise InvalidChoice("level", level, levels, hint=f"levels at which {indicator_id} has values")
    years = available_years(data, indicator, level)
    undated = indicator.undated and year is None and not years
    if year is None and not undated:
        year = years[-1] if years else None
    if year is not None and year not in years:
        raise InvalidChoice("year", year, years, hint=f"years of {indicator_id} at {level}")
    rows = data.observations_of(indicator_id)
    native_here = (rows["level"] == level) & ((rows["year"] == year) if year is not None else rows["year"].isna())
    if native_here.any() or indicator.aggregation == "none":
        boundary_year = data.boundaries.nearest_year(level, year if year is not None else max(data.boundaries.years(level)))
        regions = data.boundaries.get(level, boundary_year)
        frame, unmatched = _native_frame(rows[rows["level"] == level], regions, year)
        return _ranked(data, IndicatorValues(indicator, level, year, boundary_year, frame, None, unmatched))
    result, source_level, member_year = _aggregate(data, indicator, level, year)
    boundary_year = member_year
    if (level, boundary_year) not in data.boundaries.layers:
        boundary_year = data.boundaries.nearest_year(level, boundary_year)
    regions = data.boundaries.get(level, boundary_year)
    frame = regions[["code", "name"]].copy()
    joined = result.reindex(frame["code"])
    frame["value"] = joined["value"].values
    frame["text"] = None
    frame["unit"] = indicator.unit
    frame["missing_reason"] = joined["missing_reason"].where(joined["missing_reason"].notna(), "no member regions").values
    frame.loc[frame["value"].notna(), "missing_reason"] = None
    frame["aggregated"] = True
    frame["members"] = joined["members"].fillna(0).astype(int).values
    frame["members_with_value"] = joined["members_with_value"].fillna(0).astype(int).values
    frame["period"] = str(year)
    frame["note"] = f"aggregated from {source_level} {member_year} ({indicator.aggregation})"
    frame["source"] = indicator.source
    return _ranked(data, IndicatorValues(indicator, level, year, boundary_year, frame, f"{source_level} {member_year}"))


def _ranked(data: AtlasData, values: IndicatorValues) -> IndicatorValues:
    """Ranks, rounding, qualifiers and disclosure follow the catalogue's semantics (atlas.semantics)."""
    frame = values.frame
    frame["unit"] = frame["unit"].fillna(values.indicator.unit)
    frame["source"] = frame["source"].fillna(values.indicator.source)
    frame = semantics.apply(data, values.indicator, values.level, values.year, frame)
    values.frame = frame[VALUE_COLUMNS].reset_index(drop=True)
    return values
