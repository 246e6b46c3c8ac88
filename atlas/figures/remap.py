"""Values measured on one boundary year, shown on another: re-mapped through the crosswalk, and labelled.

Every re-mapped value says how it was made (``harmonised``):
- ``none``: the region's territory is the same in both years, nothing was re-mapped;
- ``exact``: whole municipalities were summed (mergers, new codes);
- ``estimated``: a split municipality's figure was apportioned by population.
Counts are summed; shares are weighted means over whole municipalities only; anything else is
refused, because averaging a rank or a category over a merger would invent a number.
All-or-nothing as everywhere in the atlas: one predecessor without a value makes the result missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from atlas.figures.semantics import merged_qualifiers, qualifier_codes

HARMONISED = ("none", "exact", "estimated")


def harmonised_label(single_same_code: pd.Series, exact: pd.Series) -> pd.Series:
    return pd.Series(np.where(single_same_code & exact, "none", np.where(exact, "exact", "estimated")), index=exact.index)


def worst(labels: pd.Series) -> str:
    """The least exact label among members: an aggregate is only as exact as its least exact part."""
    present = set(labels.dropna())
    return next((label for label in reversed(HARMONISED) if label in present), "none")


def _contributions(values: pd.DataFrame, table: pd.DataFrame, from_year: int) -> pd.DataFrame:
    columns = ["code", "value", "missing_reason", *(["note"] if "note" in values else [])]
    joined = table.merge(values[columns], left_on="from_code", right_on="code", how="left")
    joined["has_value"] = joined["value"].notna() & joined["missing_reason"].isna()
    joined["label"] = joined["from_code"] + f" ({from_year})"
    return joined


def _joined(keys: pd.Series, labels: pd.Series) -> pd.Series:
    """Labels per key joined with ", " in row order: a dict pass, since a Python aggregation per group of
    one or two rows costs a frame per group."""
    parts: dict[str, list[str]] = {}
    for key, label in zip(keys.tolist(), labels.tolist()):
        parts.setdefault(key, []).append(label)
    return pd.Series({key: ", ".join(found) for key, found in parts.items()}, dtype=object)


def _summary(joined: pd.DataFrame) -> pd.DataFrame:
    group = joined.groupby("to_code", sort=False)
    result = pd.DataFrame({
        "members": group.size(),
        "members_with_value": group["has_value"].sum().astype(int),
        "exact": group["exact"].all(),
        "first_code": group["from_code"].first(),
    })
    result["sources"] = _joined(joined["to_code"], joined["label"]).reindex(result.index)
    if "note" in joined:
        # each distinct note is read once, and only the parts with a qualifier are merged per target
        codes = joined["note"].map({n: qualifier_codes(n) for n in joined["note"].dropna().unique()})
        qualified = codes.notna()
        merged = codes[qualified].groupby(joined.loc[qualified, "to_code"]).agg(merged_qualifiers)
        inherited = merged.reindex(result.index).astype(object)
        result["inherited_qualifier"] = inherited.where(inherited.notna(), None)
    lacking = ~joined["has_value"]
    result["lacking"] = _joined(joined.loc[lacking, "to_code"], joined.loc[lacking, "label"]).reindex(result.index)
    single_same_code = (result["members"] == 1) & (result["first_code"] == result.index.to_series())
    result["harmonised"] = harmonised_label(single_same_code, result["exact"])
    result["missing_reason"] = np.where(
        result["members_with_value"] < result["members"],
        "no value for predecessor(s) " + result["lacking"], None)
    return result


def remap_sum(values: pd.DataFrame, table: pd.DataFrame, from_year: int) -> pd.DataFrame:
    """Counts on the target units: the weighted sum of their predecessors' counts."""
    joined = _contributions(values, table, from_year)
    joined["part"] = joined["value"] * joined["weight"]
    result = _summary(joined)
    result["value"] = joined.groupby("to_code", sort=False)["part"].sum(min_count=1)
    result.loc[result["missing_reason"].notna(), "value"] = np.nan
    return result


def remap_weighted_mean(values: pd.DataFrame, weights: pd.Series, table: pd.DataFrame, from_year: int) -> pd.DataFrame:
    """Shares on the target units, weighted by the declared weight over whole predecessors only."""
    joined = _contributions(values, table, from_year)
    joined["w"] = joined["from_code"].map(weights)
    joined["vw"] = joined["value"] * joined["w"]
    result = _summary(joined)
    sums = joined.groupby("to_code", sort=False)[["vw", "w"]].sum(min_count=1)
    result["value"] = sums["vw"] / sums["w"]
    no_weight = joined["w"].isna().groupby(joined["to_code"], sort=False).any()
    result.loc[no_weight & result["missing_reason"].isna(), "missing_reason"] = "weight missing for a predecessor"
    split = ~result["exact"] & result["missing_reason"].isna()
    result.loc[split, "missing_reason"] = (
        "this would divide " + result.loc[split, "sources"] + "; a share is re-mapped over whole municipalities only")
    result.loc[result["missing_reason"].notna(), "value"] = np.nan
    return result


def territory_matches(members_from: pd.Series, members_to: pd.Series, table: pd.DataFrame) -> dict[str, str | None]:
    """For each target parent region (COROP or province), the source region with the same territory, or None.

    Territories are compared through their municipalities, not their generalised outlines: a parent is the
    same when its municipalities (or their parts, for a split inside it) map only onto the target's and
    nothing else maps there (Weesp's move into Amsterdam changes both Groot-Amsterdam and Het Gooi en
    Vechtstreek).
    """
    rows = table.assign(source=table["from_code"].map(members_from), target=table["to_code"].map(members_to))
    # each (source, target) pair once, a missing parent (NaN) counting as a parent of its own: one pass per side
    # instead of a scan of every row per target, which took a tenth of the build's value table
    pairs = rows[["source", "target"]].drop_duplicates()
    alone = pairs.groupby("target")["source"].transform("size") == 1  # the target's only source
    whole = pairs.groupby("source", dropna=False)["target"].transform("size") == 1  # the source's only target
    same = pairs["source"].notna() & alone & whole
    matches: dict[str, str | None] = dict.fromkeys(sorted(pairs["target"].dropna().unique()))
    matches.update(zip(pairs.loc[same, "target"], pairs.loc[same, "source"]))
    return matches
