"""Horizon 2020 totals per region and year from the CORDIS participation table (catalogue `derivation`).

For each catalogue indicator with a `derivation` (participations, organisations, ec_contribution) and each of
its years (project start years), the participations of that year (of the indicator's organisation types) are
placed on the gemeente boundaries of that year (atlas.geography.placement) and totalled per gemeente, COROP
and province of those boundaries. A region with no placed participant gets 0: the source lists every Dutch
participant. A region that may hold an unplaced organisation of that year (the matcher names it as similar,
or its name occurs in the organisation's city) is missing with the reason "unknown", never 0. Each row's note
states how much of that year is placed; the unplaced organisations are listed by `atlas info` and the
measured-network endpoint.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from atlas.geography.placematch import build_matcher
from atlas.geography.placement import Placement, place_organisations
from atlas.geography.store import BoundaryStore
from atlas.sources.catalogue import Catalogue, Indicator
from atlas.sources.indicators import TIDY_COLUMNS
from atlas.sources.participations import CORDIS_FILE, cordis_participations, fp7_addresses, organisations

LEVELS = ("gemeente", "corop", "provincie")


def _measure(rows: pd.DataFrame, key: pd.Series, derivation: str) -> pd.Series:
    grouped = rows.assign(node=key).dropna(subset=["node"]).groupby("node")
    if derivation == "participations":
        return grouped.size().astype(float)
    if derivation == "organisations":
        return grouped["pic"].nunique().astype(float)
    return grouped["contribution"].sum()


def year_coverage(rows: pd.DataFrame, placed: Placement) -> dict:
    """Placed against all of some participations: rows, organisations and EC money."""
    ok = rows["pic"].isin(placed.placed.index)
    return {"boundary_year": placed.boundary_year, "participations": int(ok.sum()), "participations_total": len(rows),
            "organisations": int(rows.loc[ok, "pic"].nunique()), "organisations_total": int(rows["pic"].nunique()),
            "money": round(float(rows.loc[ok, "contribution"].sum()), 2),
            "money_total": round(float(rows["contribution"].sum()), 2)}


def _coverage_note(rows: pd.DataFrame, placed: Placement) -> str:
    c = year_coverage(rows, placed)
    share = c["participations"] / c["participations_total"] if c["participations_total"] else 1.0
    return (f"placed on the gemeenten of {placed.boundary_year}: {c['participations']:,} of "
            f"{c['participations_total']:,} participations ({share:.1%}), {c['organisations']:,} of "
            f"{c['organisations_total']:,} organisations, EUR {c['money']:,.0f} of {c['money_total']:,.0f}; the "
            f"unplaced are listed by `atlas info`")


def indicator_rows_of_year(indicator: Indicator, frame: pd.DataFrame, year: int) -> pd.DataFrame:
    """The participations an indicator counts in one year."""
    rows = frame[frame["start_year"] == year]
    return rows[rows["type"].isin(indicator.org_types)] if indicator.org_types else rows


def _indicator_rows(indicator: Indicator, frame: pd.DataFrame, placements: dict[int, Placement],
                    store: BoundaryStore) -> list[pd.DataFrame]:
    assert indicator.derivation is not None  # only called for derived indicators
    out = []
    for year in indicator.years:
        rows = indicator_rows_of_year(indicator, frame, year)
        placed = placements[store.nearest_year("gemeente", year)]
        gemeenten = store.get("gemeente", placed.boundary_year).set_index("code")
        unplaced = placed.organisations.loc[placed.organisations.index.isin(rows["pic"]) & placed.organisations["code"].isna()]
        note = _coverage_note(rows, placed)
        for level in indicator.levels:
            layer = store.get(level, placed.boundary_year)
            parent = gemeenten.index.to_series() if level == "gemeente" else gemeenten[f"{level}_code"]
            values = _measure(rows, rows["pic"].map(placed.placed).map(parent), indicator.derivation)
            unknown: dict[str, list[str]] = {}
            for pic, org in unplaced.iterrows():
                for region in {parent[c] for c in org["candidates"]}:
                    unknown.setdefault(region, []).append(f"{org['city']} ({pic})")
            value = layer["code"].map(values).fillna(0.0)
            reason = pd.Series([f"unknown: {value[i]:,.0f} counted here, but unplaced organisations may lie here too: "
                                f"{', '.join(sorted(unknown[c]))}" if c in unknown else None
                                for i, c in zip(value.index, layer["code"])], index=layer.index, dtype=object)
            out.append(pd.DataFrame({
                "indicator": indicator.id, "level": level, "code": layer["code"].to_numpy(),
                "name": layer["name"].to_numpy(), "year": year, "period": str(year),
                "value": np.where(reason.notna(), np.nan, value), "text": None, "missing_reason": reason.to_numpy(),
                "unit": indicator.unit, "source": indicator.source, "note": note, "file": CORDIS_FILE.name,
                "line": pd.NA, "source_level": "organisation", "source_code": None, "org_id": None,
            }, columns=TIDY_COLUMNS))
    return out


def participation_total_rows(catalogue: Catalogue, store: BoundaryStore, data_dir: Path) -> pd.DataFrame:
    """Observation rows for every catalogue indicator with a participation `derivation`."""
    derived = [ind for ind in catalogue.indicators.values() if ind.derivation]
    if not derived:
        return pd.DataFrame(columns=TIDY_COLUMNS)
    table = cordis_participations(data_dir)
    witnesses = pd.concat([table.frame[["city", "postcode"]], fp7_addresses(data_dir)], ignore_index=True)
    orgs = organisations(table)
    placements = {}
    for boundary_year in sorted({store.nearest_year("gemeente", y) for ind in derived for y in ind.years}):
        layer = store.get("gemeente", boundary_year)
        placements[boundary_year] = place_organisations(build_matcher(layer, boundary_year), layer, orgs, witnesses)
    frames = [f for ind in derived for f in _indicator_rows(ind, table.frame, placements, store)]
    result = pd.concat(frames, ignore_index=True)
    result["year"] = result["year"].astype("Int64")
    result["line"] = result["line"].astype("Int64")
    return result
