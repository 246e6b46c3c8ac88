"""What a number means beyond its value: direction, precision, qualifiers, series breaks, disclosure.

The catalogue declares these per indicator; this module applies them to a frame of values so that every
output (values JSON/CSV, layers, tiles, profiles) reads the same rounded, qualified, correctly ranked
numbers. A rank that ignores direction, or a bare 1500 where the source said "ruim 1,5 miljard", states
more than the data does.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd

Kind = Literal["count", "share", "ratio", "index", "rank", "category"]
Direction = Literal["higher_is_better", "lower_is_better", "neutral"]
KINDS: tuple[str, ...] = get_args(Kind)
DIRECTIONS: tuple[str, ...] = get_args(Direction)
MIDPOINT_KINDS = ("share", "ratio", "index")
DEFAULT_PRECISION = {"count": 0, "rank": 0, "share": 1, "ratio": 2, "index": 1}
MIN_COVERAGE = 0.5  # below this share of regions with a value, a layer is labelled, not ranked


@dataclass(frozen=True)
class Qualifier:
    """A source's wording that makes a value less exact than its digits, as a short machine code."""

    code: str
    pattern: re.Pattern
    nl: str
    en: str


# Order matters only for display; the year pattern is removed from the note before the value patterns
# run, so "year of measurement approx." does not make the value approximate.
YEAR_QUALIFIER = Qualifier("year_inferred", re.compile(
    r"year inferred[^;)]*|year: article says[^;)]*|year of measurement approx\.?|year not stated[^;)]*", re.I),
    "jaar afgeleid", "year inferred")
VALUE_QUALIFIERS = (
    Qualifier("at_least", re.compile(r"\bruim\b|\bmeer dan\b|\bmore than\b|lower bound|iets meer dan", re.I),
              "ten minste", "at least"),
    Qualifier("at_most", re.compile(r"\bbijna\b|just under", re.I), "hoogstens", "at most"),
    Qualifier("approx", re.compile(r"\bcirca\b|\bongeveer\b|zo'n|approx|\(rounded\)|; rounded\)|~\d", re.I),
              "circa", "approx."),
    Qualifier("provisional", re.compile(r"nader voorlopig|voorlopige cijfers", re.I), "voorlopig", "provisional"),
)
QUALIFIERS = {q.code: q for q in (*VALUE_QUALIFIERS, YEAR_QUALIFIER)}


def qualifier_codes(note: object) -> str | None:
    """Comma-separated qualifier codes a source note implies, or None for an exact value."""
    if not isinstance(note, str) or not note:
        return None
    found = []
    if YEAR_QUALIFIER.pattern.search(note):
        found.append(YEAR_QUALIFIER.code)
        note = YEAR_QUALIFIER.pattern.sub("", note)
    found = [q.code for q in VALUE_QUALIFIERS if q.pattern.search(note)] + found
    return ",".join(found) or None


def merged_qualifiers(codes: Iterable[object]) -> str | None:
    """The qualifiers of the parts a figure was summed or re-mapped from: a total of approximate figures is
    approximate too, so a part's wording must not vanish in its total."""
    found = {c for text in codes if isinstance(text, str) for c in text.split(",") if c}
    return ",".join(c for c in QUALIFIERS if c in found) or None


def qualifier_labels() -> dict[str, dict[str, str]]:
    """Code to Dutch and English label, for clients that print the qualifier next to a value."""
    return {q.code: {"nl": q.nl, "en": q.en} for q in QUALIFIERS.values()}


@dataclass(frozen=True)
class SeriesBreak:
    """From `year` on the definition differs, so the series must not be drawn as one line across it."""

    year: int
    reason: str
    reason_nl: str

    def as_dict(self) -> dict:
        return {"year": self.year, "reason": {"nl": self.reason_nl, "en": self.reason}}


def segment_of(year: int, breaks: tuple[SeriesBreak, ...]) -> int:
    """Which comparable stretch of a series a year belongs to (0 before the first break)."""
    return sum(1 for b in breaks if year >= b.year)


def rounded(values: pd.Series, precision: int) -> pd.Series:
    """Values as published: a weighted mean of whole percentages has no third decimal to show."""
    return values.round(precision)


def ranks(values: pd.Series, direction: str) -> tuple[pd.Series, pd.Series]:
    """Rank 1 is the best region (the highest value unless lower is better; the highest when neutral).

    The percentile is the share of peers the region does at least as well as, so 100 is always the best.
    """
    ascending = direction == "lower_is_better"
    rank = values.rank(ascending=ascending, method="min").astype("Int64")
    percentile = (values.rank(ascending=not ascending, pct=True, method="max") * 100).round(1)
    return rank, percentile


def withheld(values: pd.Series, population: pd.Series, min_population: int) -> pd.Series:
    """True where a share rests on too few inhabitants to be meaningful (missing population counts too)."""
    return values.notna() & ~(population.fillna(0) >= min_population)


def no_rank(frame: pd.DataFrame) -> None:
    frame["rank"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    frame["percentile"] = np.nan


def coverage_of(frame: pd.DataFrame) -> dict:
    """Regions with a value out of the regions of the boundary year, and whether that is enough to rank."""
    regions = int(len(frame))
    with_value = int(frame["missing_reason"].isna().sum())
    share = with_value / regions if regions else 0.0
    return {"regions_with_value": with_value, "regions": regions, "share": round(share, 3),
            "sufficient": share >= MIN_COVERAGE, "threshold": MIN_COVERAGE}


def population_at(data, level: str, year: int | None) -> pd.Series | None:
    """Inhabitants per region code of a level and year, for disclosure; None where the atlas has none."""
    if year is None:
        return None
    rows = data.observations_at("kwb_population", level, year)
    return rows.drop_duplicates("code").set_index("code")["value"] if len(rows) else None


def apply(data, indicator, level: str, year: int | None, frame: pd.DataFrame) -> pd.DataFrame:
    """Withhold undisclosable values, carry qualifiers, round to precision, rank by direction (or not at all
    when too few regions have a value for a rank to mean anything)."""
    # each distinct note is read once (the memo lives for this call): a wijk frame repeats a few notes thousands of times
    frame["qualifier"] = frame["note"].map(functools.cache(qualifier_codes)).astype(object)
    if "inherited_qualifier" in frame:  # set where a figure was summed or re-mapped from parts
        both = pd.concat([frame["qualifier"], frame["inherited_qualifier"]], axis=1)
        frame["qualifier"] = pd.Series([merged_qualifiers(row) for row in both.itertuples(index=False, name=None)],
                                       index=frame.index, dtype=object)
    if indicator.min_population is not None:
        population = population_at(data, level, year)
        if population is not None:
            hide = withheld(frame["value"], frame["code"].map(population), indicator.min_population)
            frame.loc[hide, ["value", "qualifier"]] = [np.nan, None]
            frame.loc[hide, "missing_reason"] = (
                f"withheld: fewer than {indicator.min_population} inhabitants (disclosure rule)")
    if not indicator.is_category:
        frame["value"] = rounded(frame["value"], indicator.decimals)
    if indicator.is_category or not coverage_of(frame)["sufficient"]:
        no_rank(frame)
    else:
        frame["rank"], frame["percentile"] = ranks(frame["value"], indicator.direction)
    return frame


def meta(indicator, frame: pd.DataFrame) -> dict:
    """What a reader needs beside the numbers to read them right."""
    return {
        "kind": indicator.kind, "direction": indicator.direction, "precision": indicator.decimals,
        "midpoint": indicator.midpoint, "min_population": indicator.min_population,
        "series_breaks": [b.as_dict() for b in indicator.series_breaks],
        "coverage": coverage_of(frame), "qualifiers": qualifier_labels(),
    }


def format_number(value: float, decimals: int, lang: str) -> str:
    """A number as a reader of that language writes it: Dutch 3.000,5 and English 3,000.5; "3,000" means
    three to a Dutch reader, so a report in Dutch must never use the English separators."""
    text = f"{value:,.{decimals}f}"
    return text.translate(str.maketrans(",.", ".,")) if lang == "nl" else text


def json_number(value: float, decimals: int) -> float | int | None:
    """A count shown as 136605, not 136605.0; missing stays missing."""
    if value is None or pd.isna(value):
        return None
    return int(value) if decimals == 0 else round(float(value), decimals)


def typed_values(frame: pd.DataFrame, decimals: int) -> pd.DataFrame:
    """The frame with whole-number values as integers, so CSV, JSON and GeoJSON print 136605, not 136605.0."""
    if decimals == 0:
        frame = frame.assign(value=frame["value"].round().astype("Int64"))
    return frame


def mark_breaks(series: list[dict], breaks: tuple[SeriesBreak, ...]) -> list[dict]:
    """Give each point its comparable segment, and the first point after a break the reason, so a line or
    sparkline is drawn in pieces and the profile can say why."""
    reasons = {b.year: b for b in breaks}
    previous: dict | None = None
    for point in series:
        point["segment"] = segment_of(point["year"], breaks)
        if previous is not None and point["segment"] != previous["segment"]:
            crossed = [reasons[y] for y in sorted(reasons) if previous["year"] < y <= point["year"]]
            point["break_before"] = [b.as_dict() for b in crossed]
        previous = point
    return series
