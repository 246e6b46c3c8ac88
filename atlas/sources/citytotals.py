"""Gemeente totals from organisation rows that only name a city (such as Horizon 2020 participants).

Each organisation's city goes through the place matcher for the gemeente boundaries nearest to the
row's year. Gemeenten where no organisation is placed get 0: the source lists every Dutch participant,
so zero is a count, not a gap. Cities the matcher cannot place are never guessed; they are reported by
`unplaced_cities` (and `atlas info`) and stated in the indicator's caveats.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from atlas.geography.placematch import Match, build_matcher
from atlas.geography.store import BoundaryStore
from atlas.sources.catalogue import Catalogue, Indicator


@dataclass(frozen=True)
class Unplaced:
    indicator: str
    city: str
    organisations: int
    reason: str
    candidates: tuple[str, ...]


def _placed(indicator: Indicator, observations: pd.DataFrame, store: BoundaryStore) -> tuple[pd.DataFrame, int, dict[str, Match]]:
    rows = observations[(observations["indicator"] == indicator.derived_from) & (observations["level"] == "city")]
    year = int(rows["year"].dropna().iloc[0])
    boundary_year = store.nearest_year("gemeente", year)
    matcher = build_matcher(store.get("gemeente", boundary_year), boundary_year)
    matches = {city: matcher.match(city) for city in rows["name"].dropna().unique()}
    placed = rows.assign(gm=rows["name"].map(lambda c: matches[c].code if c in matches else None))
    return placed, boundary_year, matches


def city_total_rows(catalogue: Catalogue, observations: pd.DataFrame, store: BoundaryStore) -> pd.DataFrame:
    """Observation rows at gemeente level for every catalogue indicator derived from city rows."""
    frames = []
    for indicator in catalogue.indicators.values():
        if not indicator.derived_from:
            continue
        placed, boundary_year, matches = _placed(indicator, observations, store)
        matched = placed[placed["gm"].notna()]
        if indicator.derivation == "count_organisations":
            totals = matched.groupby("gm")["org_id"].nunique()
        else:
            totals = matched.groupby("gm")["value"].sum()
        layer = store.get("gemeente", boundary_year)
        year = int(placed["year"].dropna().iloc[0])
        unplaced = int(placed["gm"].isna().sum())
        frames.append(pd.DataFrame({
            "indicator": indicator.id, "level": "gemeente", "code": layer["code"].to_numpy(),
            "name": layer["name"].to_numpy(), "year": float(year), "period": str(year),
            "value": layer["code"].map(totals).fillna(0.0).to_numpy(), "unit": indicator.unit,
            "source": indicator.source,
            "note": f"placed from city names; {unplaced} organisation rows with an unplaced city are not counted",
            "file": placed["file"].iloc[0], "source_level": "city",
        }))
    return pd.concat(frames, ignore_index=True) if frames else observations.iloc[0:0]


def unplaced_cities(catalogue: Catalogue, observations: pd.DataFrame, store: BoundaryStore) -> list[Unplaced]:
    """Every city name the matcher could not place, per derived indicator, with how many rows it holds."""
    found = []
    for indicator in catalogue.indicators.values():
        if not indicator.derived_from:
            continue
        placed, _, matches = _placed(indicator, observations, store)
        counts = placed.loc[placed["gm"].isna(), "name"].value_counts()
        for city, n in counts.items():
            match = matches[city]
            found.append(Unplaced(indicator.id, city, int(n), match.reason, match.candidates))
    return found
