"""Matching place names to gemeente codes for a given boundary year, without guessing.

A name matches when, after folding case, accents and punctuation, it equals a gemeente name of that
year, or an alias in `geodata/place_aliases.csv` (spelling variants, towns within a municipality,
former municipalities) whose target exists that year. Aliases are resolved per boundary year: a town
can have one row per municipality it belonged to, oldest first, and the first target that exists in
the year asked for wins (Franeker is in Franekeradeel on the 2015 boundaries, in Waadhoeke from 2018). A name that matches nothing, or more than one
gemeente, is returned as unmatched with the reason and any candidates, so callers can list it.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from atlas.geography.names import fold
from atlas.settings import GEODATA_DIR

if TYPE_CHECKING:
    from atlas.data import AtlasData

ALIASES_PATH = GEODATA_DIR / "place_aliases.csv"
SUFFIX = re.compile(r"\s*\([^)]*\)$")


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
    aliases: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def match(self, name: str) -> Match:
        key = fold(name)
        found = self.by_name.get(key, [])
        if len(found) == 1:
            return Match(name, found[0][0], found[0][1], "name")
        if len(found) > 1:
            return Match(name, None, None, "unmatched", "ambiguous name", tuple(n for _, n in found))
        for target, kind in self.aliases.get(key, []):
            hit = self.by_name.get(fold(target), [])
            if len(hit) == 1:
                return Match(name, hit[0][0], hit[0][1], f"alias:{kind}")
        prefix = [n for k, pairs in self.by_name.items() if k.startswith(key + " ") for _, n in pairs]
        if prefix:
            return Match(name, None, None, "unmatched", "not an exact gemeente name; similar names listed",
                         tuple(sorted(prefix)))
        return Match(name, None, None, "unmatched", f"no gemeente of {self.year} and no known alias")


def _aliases(path: Path) -> dict[str, list[tuple[str, str]]]:
    """Every alias with its targets in file order (oldest municipality first)."""
    aliases: dict[str, list[tuple[str, str]]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            aliases.setdefault(fold(row["alias"]), []).append((row["gemeente"], row["kind"]))
    return aliases


def build_matcher(layer: pd.DataFrame, boundary_year: int) -> PlaceMatcher:
    """A matcher over one year's gemeente layer (code and name columns)."""
    by_name: dict[str, list[tuple[str, str]]] = {}
    for code, name in zip(layer["code"], layer["name"]):
        by_name.setdefault(fold(name), []).append((code, name))
    # CBS adds a province suffix to some names in some years ('Hengelo (O.)', 'Rijswijk (ZH.)'); the bare name
    # finds them too, unless it is a gemeente name of its own or two gemeenten share it (Bergen: ambiguous)
    bare: dict[str, list[tuple[str, str]]] = {}
    for code, name in zip(layer["code"], layer["name"]):
        if SUFFIX.search(name):
            bare.setdefault(fold(SUFFIX.sub("", name)), []).append((code, name))
    for key, pairs in bare.items():
        by_name.setdefault(key, pairs)
    return PlaceMatcher(boundary_year, by_name, _aliases(ALIASES_PATH))


def place_matcher(data: AtlasData, year: int) -> PlaceMatcher:
    """The matcher for the gemeente boundaries nearest to `year`, built once per boundary year."""
    boundary_year = data.boundaries.nearest_year("gemeente", year)
    return data.caches.place_matchers.get_or_compute(
        boundary_year, lambda: build_matcher(data.boundaries.get("gemeente", boundary_year), boundary_year))
