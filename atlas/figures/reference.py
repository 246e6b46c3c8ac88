"""The national reference beside regional values, so a comparison does not rest on ranks alone.

In order of preference: the national figure the source itself publishes (CBS and Eurostat rows at
level `land`), else the national aggregate by the indicator's own rule from a complete set of regions,
else the median of the regions at the level shown when at least half of them have a value. The answer always says which of the three it is:
a median is not a national value and must not be read as one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from atlas.data import AtlasData
from atlas.figures.semantics import coverage_of, json_number, qualifier_codes
from atlas.figures.values import available_levels, available_years, indicator_values
from atlas.geography.vocabulary import LEVELS

NATIONAL_CODES = ("NL", "NL01")
BASES = {
    "national_figure": {"nl": "landelijk cijfer uit de bron", "en": "national figure from the source"},
    "aggregate": {"nl": "landelijk totaal volgens de rekenregel", "en": "national aggregate by the indicator's rule"},
    "median": {"nl": "mediaan van de regio's", "en": "median of the regions"},
}


def national_reference(data: AtlasData, indicator_id: str, year: int | None, level: str | None = None) -> dict | None:
    """The reference for one indicator and year; None when there is nothing to compare with (categories,
    or no value anywhere). `level` chooses the regions of the median fallback (default the finest map level)."""
    if data.value_table is not None:
        held, found = data.value_table.reference(indicator_id, level, year)
        if held:
            return found
    return data.caches.references.get_or_compute((indicator_id, year, level),
                                                 lambda: _reference(data, indicator_id, year, level))


def _reference(data: AtlasData, indicator_id: str, year: int | None, level: str | None) -> dict | None:
    indicator = data.catalogue.get(indicator_id)
    if indicator.is_category:
        return None
    decimals = indicator.decimals
    base = {"indicator": indicator_id, "year": year, "unit": indicator.unit}
    rows = data.observations_at(indicator_id, "land", year) if year is not None else data.observations.iloc[0:0]
    national = rows[rows["code"].isin(NATIONAL_CODES)]
    if len(national):
        row = national.iloc[0]
        return {**base, "value": json_number(row["value"], decimals), "basis": "national_figure",
                "label": BASES["national_figure"], "source": row["source"], "qualifier": qualifier_codes(row["note"])}
    levels = [lv for lv in available_levels(data, indicator) if year in available_years(data, indicator, lv)]
    if not levels:
        return None
    aggregate = _aggregate(data, indicator, year, levels)
    if aggregate is not None:
        value, regions = aggregate
        return {**base, "value": json_number(value, decimals), "basis": "aggregate", "label": BASES["aggregate"],
                "source": indicator.source, "qualifier": None, "rule": indicator.aggregation, "regions": regions}
    level = level if level in levels else max(levels, key=LEVELS.index)
    frame = indicator_values(data, indicator_id, level, year).frame
    if not coverage_of(frame)["sufficient"]:
        return None  # the median of a handful of regions says nothing about the country
    values = frame["value"].dropna()
    return {**base, "value": json_number(float(np.median(values)), decimals), "basis": "median",
            "label": BASES["median"], "source": indicator.source, "qualifier": None,
            "regions": f"{len(values)} {level}"}


def _aggregate(data: AtlasData, indicator, year: int | None, levels: list[str]) -> tuple[float, str] | None:
    """The national total by the indicator's rule from the finest level where every region has a value
    (and every weight): finest, because coarser values are already rounded aggregates. A partial total
    would understate the country, so an incomplete level is skipped."""
    if indicator.aggregation == "none":
        return None
    for level in sorted(levels, key=LEVELS.index, reverse=True):
        frame = indicator_values(data, indicator.id, level, year).frame
        if frame["value"].isna().any():
            continue
        described = f"{len(frame)} {level}"
        if indicator.aggregation == "sum":
            return float(frame["value"].sum()), described
        other = indicator.weight if indicator.aggregation == "weighted_mean" else indicator.denominator
        if year not in available_years(data, data.catalogue.get(other), level):
            continue
        weights = _by_code(indicator_values(data, other, level, year).frame)
        w = frame["code"].map(weights)
        if w.isna().any():
            continue
        if indicator.aggregation == "weighted_mean":
            return float((frame["value"] * w).sum() / w.sum()), described
        numerator = _by_code(indicator_values(data, indicator.numerator, level, year).frame)
        n = frame["code"].map(numerator)
        if n.isna().any():
            continue
        return float(n.sum() / w.sum() * indicator.factor), described
    return None


def _by_code(frame: pd.DataFrame) -> pd.Series:
    return frame.set_index("code")["value"]
