"""Matching place names to gemeente codes for a given boundary year, without guessing.

A name matches when, after folding case, accents and punctuation, it equals a gemeente name of that
year, or an alias in `geodata/place_aliases.csv` (spelling variants, towns within a municipality,
former municipalities) whose target exists that year. A name that matches nothing, or more than one
gemeente, is returned as unmatched with the reason and any candidates, so callers can list it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from atlas.geography.names import fold
from atlas.settings import GEODATA_DIR

if TYPE_CHECKING:
    from atlas.data import AtlasData

ALIASES_PATH = GEODATA_DIR / "place_aliases.csv"


@dataclass(frozen=True)
class Match:
    name: str
    code: str | None
    gemeente: str | None
    how: str  # name | alias:<kind> | unmatched
    reason: str = ""
    candidates: tuple[str, ...] = ()


@dataclass
class PlaceMatcher:
    year: int
    by_name: dict[str, list[tuple[str, str]]]
    aliases: dict[str, tuple[str, str]] = field(default_factory=dict)

    def match(self, name: str) -> Match:
        key = fold(name)
        found = self.by_name.get(key, [])
        if len(found) == 1:
            return Match(name, found[0][0], found[0][1], "name")
        if len(found) > 1:
            return Match(name, None, None, "unmatched", "ambiguous name", tuple(n for _, n in found))
        if key in self.aliases:
            target, kind = self.aliases[key]
            hit = self.by_name.get(fold(target), [])
            if len(hit) == 1:
                return Match(name, hit[0][0], hit[0][1], f"alias:{kind}")
        prefix = [n for k, pairs in self.by_name.items() if k.startswith(key + " ") for _, n in pairs]
        if prefix:
            return Match(name, None, None, "unmatched", "not an exact gemeente name; similar names listed",
                         tuple(sorted(prefix)))
        return Match(name, None, None, "unmatched", f"no gemeente of {self.year} and no known alias")


def _aliases(path: Path) -> dict[str, tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {fold(row["alias"]): (row["gemeente"], row["kind"]) for row in csv.DictReader(handle)}


def build_matcher(layer: pd.DataFrame, boundary_year: int) -> PlaceMatcher:
    """A matcher over one year's gemeente layer (code and name columns)."""
    by_name: dict[str, list[tuple[str, str]]] = {}
    for code, name in zip(layer["code"], layer["name"]):
        by_name.setdefault(fold(name), []).append((code, name))
    return PlaceMatcher(boundary_year, by_name, _aliases(ALIASES_PATH))


def place_matcher(data: AtlasData, year: int) -> PlaceMatcher:
    """The matcher for the gemeente boundaries nearest to `year`, built once per boundary year."""
    boundary_year = data.boundaries.nearest_year("gemeente", year)
    return data.caches.place_matchers.get_or_compute(
        boundary_year, lambda: build_matcher(data.boundaries.get("gemeente", boundary_year), boundary_year))
