"""Indicator values for every region of a level, year and boundary year: native where measured, aggregated
where allowed, re-mapped where the boundaries asked for are not the data's own.

Every value knows its vintage (the boundary year its source codes refer to). By default it is drawn on
those boundaries; on any other boundary year it is re-mapped through the crosswalk and says how
(``harmonised``). Aggregation follows the catalogue's rule on the membership of the boundary year shown
and is all-or-nothing per region: if any member region lacks a value, the aggregate is missing with the
reason. A partial sum would look like a real total, which is exactly the silent estimate the atlas must
never show.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cached_property

import numpy as np
import pandas as pd

from atlas.cache import deep_size
from atlas.data import AtlasData
from atlas.errors import InvalidChoice
from atlas.figures import semantics
from atlas.figures.remap import remap_sum, remap_weighted_mean, territory_matches, worst
from atlas.figures.semantics import merged_qualifiers
from atlas.geography.vocabulary import LEVELS
from atlas.sources.catalogue import Indicator

VALUE_COLUMNS = [
    "code", "name", "value", "text", "unit", "missing_reason", "aggregated", "members", "members_with_value",
    "rank", "percentile", "period", "note", "qualifier", "source", "harmonised", "source_vintage",
]
PARENT_LEVELS = ("corop", "provincie")


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
    vintage: int | None = None
    vintage_basis: str | None = None

    @property
    def remapped(self) -> bool:
        return self.vintage is not None and self.vintage != self.boundary_year

    @cached_property
    def nbytes(self) -> int:
        """Estimated memory, measured once: every cached classification of these values counts them again."""
        return deep_size([getattr(self, f.name) for f in fields(self)])

    def meta(self) -> dict:
        present = self.frame["missing_reason"].isna()
        harmonised = worst(self.frame.loc[present, "harmonised"])
        return {
            "indicator": self.indicator.id, "title": {"nl": self.indicator.title_nl, "en": self.indicator.title_en},
            "unit": self.indicator.unit, "level": self.level, "year": self.year,
            "boundary_year": self.boundary_year,
            "vintage": {"boundary_year": self.vintage, "basis": self.vintage_basis},
            "remapped": self.remapped, "harmonised": harmonised, "territory": self.territory_note(harmonised),
            "aggregated_from": self.aggregated_from, "aggregation": self.indicator.aggregation,
            "source": self.indicator.source, "definition": self.indicator.definition,
            "caveats": list(self.indicator.caveats),
            "regions": int(len(self.frame)), "regions_with_value": int(present.sum()),
            "unmatched_source_codes": self.unmatched, **semantics.meta(self.indicator, self.frame),
        }

    def territory_note(self, harmonised: str) -> str:
        """The sentence a legend shows: which boundaries, and whether the figures were re-mapped."""
        shown = f"shown on {self.level} boundaries of {self.boundary_year}"
        if not self.remapped:
            return f"{shown} (the data's own)"
        return f"{shown}; {self.year if self.year is not None else 'undated'} figures measured on {self.vintage} boundaries, re-mapped ({harmonised})"


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
    data.catalogue.get(indicator.id)
    usable = [level] if level in indicator.levels else []
    if indicator.aggregation != "none":
        usable += [lv for lv in indicator.levels if lv in LEVELS and _level_index(lv) > _level_index(level)]
    return sorted({year for lv in usable for year in data.observation_years(indicator.id, lv)})


def _native_frame(rows: pd.DataFrame, regions: pd.DataFrame, year: int | None) -> tuple[pd.DataFrame, list[str]]:
    """Join this year's rows onto the regions of their vintage by code; codes without a region are returned."""
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
    frame["harmonised"] = "none"
    return frame.drop(columns="has_row"), unmatched


def _vintage(data: AtlasData, rows: pd.DataFrame, level: str, year: int | None) -> tuple[int, str]:
    """The boundary year of these rows (assigned at build), or for an empty year the nearest held one."""
    known = rows["vintage"].dropna()
    if len(known):
        return int(known.iloc[0]), str(rows.loc[known.index[0], "vintage_basis"])
    fallback = data.boundaries.nearest_year(level, year if year is not None else max(data.boundaries.years(level)))
    return fallback, "no rows: nearest held boundary year"


def _remapped(data: AtlasData, indicator: Indicator, level: str, year: int | None, frame: pd.DataFrame,
              vintage: int, target: int) -> pd.DataFrame:
    """This level's native values, measured on ``vintage`` boundaries, on the regions of ``target``."""
    regions = data.boundaries.get(level, target)
    if level == "gemeente":
        table = data.crosswalks.between(vintage, target)
        if indicator.aggregation == "sum":
            result = remap_sum(frame, table, vintage)
        elif indicator.aggregation == "ratio":
            return _ratio_frame(data, indicator, level, year, target)
        elif indicator.aggregation == "weighted_mean":
            assert indicator.weight is not None  # the catalogue's load checks require it for this rule
            weights = indicator_values(data, indicator.weight, level, year, vintage).frame.set_index("code")["value"]
            result = remap_weighted_mean(frame, weights, table, vintage)
        else:
            same = data.crosswalks.identical_years(vintage)
            if target not in same:
                raise InvalidChoice("boundary_year", target, same, hint=(
                    f"{indicator.id} ({indicator.aggregation}) is neither a count nor a share with a declared weight, "
                    f"so it cannot be re-mapped from its {vintage} municipalities; these boundary years have the same ones"))
            return frame.assign(source_vintage=vintage)
        out = regions[["code", "name"]].merge(result.drop(columns=["exact"]), left_on="code", right_index=True, how="left")
        out["text"], out["unit"], out["period"] = None, indicator.unit, str(year) if year is not None else ""
        out["source"], out["aggregated"] = indicator.source, False
        single = frame.set_index("code")["note"].reindex(out["code"]).where(out["harmonised"] == "none")
        out["note"] = single.fillna(pd.Series("re-mapped from " + out["sources"]).set_axis(single.index)).to_numpy()
        return out.assign(source_vintage=vintage)
    if level in PARENT_LEVELS:
        source = regions["code"].map(_parent_matches(data, level, vintage, target))
        columns = ["value", "text", "unit", "period", "note", "source", "missing_reason"]
        picked = frame.set_index("code")[columns].reindex(source.fillna("")).set_axis(regions.index)
        out = pd.concat([regions[["code", "name"]], picked], axis=1)
        changed = source.isna()
        if changed.any():
            out.loc[changed, ["value", "text"]] = None
            out.loc[changed, "missing_reason"] = (
                f"this {level}'s municipalities differ between {vintage} and {target}; its {vintage} figure cannot "
                f"be re-mapped exactly: ask for boundary_year={vintage}")
        return out.assign(aggregated=False, members=1, members_with_value=out["missing_reason"].isna().astype(int),
                          harmonised="none", source_vintage=vintage)
    raise InvalidChoice("boundary_year", target, [vintage], hint=f"{level} values can only be shown on their own boundaries")


def _parent_matches(data: AtlasData, level: str, vintage: int, target: int) -> dict[str, str | None]:
    """Kept per level and pair of held years (validated before this is reached, so bounded by the data)."""
    return data.caches.parent_matches.get_or_compute(
        (level, vintage, target), lambda: _match_parents(data, level, vintage, target))


def _match_parents(data: AtlasData, level: str, vintage: int, target: int) -> dict[str, str | None]:
    members_from = data.boundaries.get("gemeente", vintage).set_index("code")[f"{level}_code"]
    members_to = data.boundaries.get("gemeente", target).set_index("code")[f"{level}_code"]
    return territory_matches(members_from, members_to, data.crosswalks.between(vintage, target))


def _ratio_frame(data: AtlasData, indicator: Indicator, level: str, year: int | None, target: int) -> pd.DataFrame:
    """A ratio on other boundaries: numerator and denominator re-mapped, then divided."""
    assert indicator.numerator is not None and indicator.denominator is not None  # required for ratios at load
    numerator = indicator_values(data, indicator.numerator, level, year, target).frame.set_index("code")
    denominator = indicator_values(data, indicator.denominator, level, year, target).frame.set_index("code")
    out = data.boundaries.get(level, target)[["code", "name"]].copy()
    num, den = numerator["value"].reindex(out["code"]), denominator["value"].reindex(out["code"])
    out["value"] = (num / den * indicator.factor).to_numpy()
    out["missing_reason"] = np.where(out["value"].isna(), "numerator or denominator missing", None)  # type: ignore[call-overload]
    out["text"], out["unit"], out["period"], out["source"] = None, indicator.unit, str(year), indicator.source
    out["aggregated"], out["members"] = False, 1
    out["members_with_value"] = out["value"].notna().astype(int)
    labels = pd.concat([numerator["harmonised"], denominator["harmonised"]], axis=1).reindex(out["code"])
    out["harmonised"] = [worst(r) for _, r in labels.iterrows()]
    out["note"] = np.where(out["harmonised"] == "none", None,  # type: ignore[call-overload]
                           f"{indicator.numerator} / {indicator.denominator}, both re-mapped")
    out["source_vintage"] = numerator["source_vintage"].reindex(out["code"]).to_numpy()
    return out


def _aggregate(data: AtlasData, indicator: Indicator, level: str, year: int | None, source_level: str,
               target: int) -> pd.DataFrame:
    """Member values on the target year's finer regions, grouped by that year's own membership."""
    regions = data.boundaries.get(source_level, target)
    members = indicator_values(data, indicator.id, source_level, year, target).frame.merge(
        regions[["code", f"{level}_code"]], on="code")
    if indicator.aggregation == "weighted_mean":
        assert indicator.weight is not None  # the catalogue's load checks require it for this rule
        weights = indicator_values(data, indicator.weight, source_level, year, target).frame.set_index("code")
        members["w"] = members["code"].map(weights["value"])
        members["w_missing"] = members["w"].isna()
    elif indicator.aggregation == "ratio":
        assert indicator.numerator is not None and indicator.denominator is not None  # required for ratios at load
        numerator = indicator_values(data, indicator.numerator, source_level, year, target).frame.set_index("code")
        denominator = indicator_values(data, indicator.denominator, source_level, year, target).frame.set_index("code")
        members["value"] = members["code"].map(numerator["value"])
        members["w"] = members["code"].map(denominator["value"])
        members["w_missing"] = members["w"].isna()
        members["missing_reason"] = np.where(members["value"].isna(), "numerator missing", None)  # type: ignore[call-overload]
    members.loc[members["missing_reason"].notna(), "value"] = np.nan
    group = members.groupby(f"{level}_code")
    result = pd.DataFrame({
        "members": group.size(),
        "members_with_value": group["value"].apply(lambda v: int(v.notna().sum())),
        "harmonised": group["harmonised"].apply(worst),
        "inherited_qualifier": group["qualifier"].agg(merged_qualifiers),
        "source_vintage": group["source_vintage"].first(),
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
    lacking = members[members["value"].isna()].groupby(f"{level}_code")["code"].agg(lambda c: ", ".join(sorted(c)))
    reason = result.apply(
        lambda r: f"{r['members'] - r['members_with_value']} of {r['members']} {source_level} regions have no value: "
        f"{lacking.get(r.name, '')}"
        if r["members_with_value"] < r["members"]
        else f"weight missing for {int(r.get('weights_missing', 0))} of {r['members']} {source_level} regions",
        axis=1,
    )
    result["missing_reason"] = np.where(complete, None, reason)
    return result


def _source_level(data: AtlasData, indicator: Indicator, level: str, year: int | None) -> str:
    if not data.observations_at(indicator.id, level, year).empty or indicator.aggregation == "none":
        return level
    finer = [lv for lv in indicator.levels if lv in LEVELS and _level_index(lv) > _level_index(level)]
    found = next((lv for lv in sorted(finer, key=_level_index)
                  if not data.observations_at(indicator.id, lv, year).empty), None)
    if found is None:
        raise InvalidChoice("year", year, available_years(data, indicator, level))
    return found


def indicator_values(data: AtlasData, indicator_id: str, level: str, year: int | None = None,
                     boundary_year: int | None = None) -> IndicatorValues:
    """Values of an indicator for every region of a level in a year (default: the latest year), on the
    boundaries of ``boundary_year`` (default: the data's own vintage).

    Results are kept in the bounded `values` cache (atlas.cache); callers must not modify the returned
    frame. Invalid parameters raise before anything is stored.
    """
    return data.caches.values.get_or_compute(
        (indicator_id, level, year, boundary_year),
        lambda: _compute_values(data, indicator_id, level, year, boundary_year))


def _compute_values(data: AtlasData, indicator_id: str, level: str, year: int | None,
                    boundary_year: int | None) -> IndicatorValues:
    indicator = data.catalogue.get(indicator_id)
    data.check_level(level)
    levels = available_levels(data, indicator)
    if level not in levels:
        raise InvalidChoice("level", level, levels, hint=f"levels at which {indicator_id} has values")
    if boundary_year is not None and boundary_year not in data.boundaries.years(level):
        raise InvalidChoice("boundary_year", boundary_year, data.boundaries.years(level), hint=f"{level} boundary years held")
    years = available_years(data, indicator, level)
    undated = indicator.undated and year is None and not years
    if year is None and not undated:
        year = years[-1] if years else None
    if year is not None and year not in years:
        raise InvalidChoice("year", year, years, hint=f"years of {indicator_id} at {level}")
    source_level = _source_level(data, indicator, level, year)
    rows = data.observations_at(indicator_id, source_level, year)
    vintage, basis = _vintage(data, rows, source_level, year)
    own = vintage if vintage in data.boundaries.years(level) else data.boundaries.nearest_year(level, vintage)
    target = boundary_year if boundary_year is not None else own
    held = data.value_table.values(indicator_id, level, year, target) if data.value_table is not None else None
    if held is not None:  # computed by the build (atlas.figures.table) with the code below
        return IndicatorValues(indicator, level, year, target, held.frame, held.aggregated_from, held.unmatched,
                               held.vintage, held.vintage_basis)
    if source_level == level:
        native, unmatched = data.caches.native_frames.get_or_compute(
            (indicator_id, level, year), lambda: _native_frame(rows, data.boundaries.get(level, vintage), year))
        frame = native.copy() if target == vintage else _remapped(data, indicator, level, year, native, vintage, target)
        frame["source_vintage"] = vintage
        return _ranked(data, IndicatorValues(indicator, level, year, target, frame, None, unmatched, vintage, basis))
    result = _aggregate(data, indicator, level, year, source_level, target)
    frame = data.boundaries.get(level, target)[["code", "name"]].copy()
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
    frame["note"] = f"aggregated from {source_level} {target} ({indicator.aggregation})"
    frame["source"] = indicator.source
    frame["harmonised"] = joined["harmonised"].fillna("none").values
    frame["inherited_qualifier"] = joined["inherited_qualifier"].values
    frame["source_vintage"] = vintage
    return _ranked(data, IndicatorValues(indicator, level, year, target, frame, f"{source_level} {target}", [], vintage, basis))


def _ranked(data: AtlasData, values: IndicatorValues) -> IndicatorValues:
    """Ranks, rounding, qualifiers and disclosure follow the catalogue's semantics (atlas.figures.semantics)."""
    frame = values.frame
    frame["unit"] = frame["unit"].fillna(values.indicator.unit)
    frame["source"] = frame["source"].fillna(values.indicator.source)
    frame = semantics.apply(data, values.indicator, values.level, values.year, frame)[VALUE_COLUMNS]
    # missing is None in object columns, whichever step left it (a merge leaves NaN): one form to store and read
    objects = [c for c in VALUE_COLUMNS if frame[c].dtype == object]
    values.frame = frame.assign(**{c: frame[c].where(frame[c].notna(), None) for c in objects}).reset_index(drop=True)
    return values
