"""Crosswalks between gemeente boundary years: which municipalities of one year make up each of another.

Derived from the boundary geometries, one step per pair of consecutive held years, because codes alone
cannot tell a merger from a split (Haaren's code disappeared in 2021, its villages went to four
neighbours). The generalised boundaries differ between years by up to about 17 % of a small
municipality's area from generalisation alone, so:

- a municipality whose code continues is the same unit in both years (transfers between continuing
  municipalities are smaller than what these boundaries resolve; large ones are listed as possible
  boundary corrections but not re-mapped);
- a municipality whose code disappears goes to every successor holding at least ``SPLIT_SHARE`` of its
  area: one successor is a merger (exact), several a split, apportioned by the people living in each
  part (CBS wijken 2022, spread evenly over each wijk's area) and therefore an estimate.

Longer spans chain the steps, multiplying weights; a chain is exact only when every step is.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from atlas.errors import InvalidChoice
from atlas.geography.names import fold
from atlas.geography.overlap import apportioned, overlap_pieces

SPLIT_SHARE = 0.05
CORRECTION_SHARE = 0.20
CHANGE_KINDS = ("merged", "split", "recoded", "renamed", "boundary_correction")
REORGANISATIONS = ("merged", "split", "recoded")
STEP_COLUMNS = ["from_year", "to_year", "from_code", "to_code", "weight", "exact"]
APPORTIONING = "apportioned by population: CBS wijken 2022 inhabitants, spread evenly over each wijk's area"


@dataclass(frozen=True)
class Change:
    """One reorganisation between two consecutive boundary years, as a planner would name it."""

    from_year: int
    to_year: int
    kind: str
    before: list[str]
    before_names: list[str]
    after: list[str]
    after_names: list[str]
    note: str = ""

    def sentence(self) -> str:
        """One readable line; boundary years are 1 January, so the change took effect within the span."""
        span = f"after 1 Jan {self.from_year}, by 1 Jan {self.to_year}"
        before = ", ".join(f"{c} {n}" for c, n in zip(self.before, self.before_names))
        after = ", ".join(f"{c} {n}" for c, n in zip(self.after, self.after_names))
        text = {
            "merged": f"merged into {after}: {before}",
            "split": f"split: {before} -> {after}",
            "recoded": f"new code: {before} -> {after}",
            "renamed": f"renamed: {before} -> {after}",
            "boundary_correction": f"possible boundary correction: {before} -> {after}",
        }[self.kind]
        return f"{span}  {text}" + (f"  ({self.note})" if self.note else "")


@dataclass
class Crosswalks:
    """All consecutive gemeente steps in both directions, and the changes they record."""

    years: list[int]
    steps: pd.DataFrame
    changes: list[Change]
    names: dict[int, dict[str, str]]
    _chained: dict[tuple[int, int], pd.DataFrame] = field(default_factory=dict, repr=False)
    _links: dict[tuple[int, int], dict[str, list[tuple[str, float, bool]]]] = field(default_factory=dict, repr=False)

    def check_year(self, year: int, parameter: str) -> int:
        if year not in self.years:
            raise InvalidChoice(parameter, year, self.years, hint="gemeente boundary years held")
        return year

    def between(self, from_year: int, to_year: int) -> pd.DataFrame:
        """from_code -> to_code with weight (share of the old unit's quantity) and exact, chained over steps.

        Kept per pair of held years (validated first, so at most years² entries): profiles ask for the same
        pairs once per indicator and year. Callers must not modify the returned frame."""
        self.check_year(from_year, "from")
        self.check_year(to_year, "to")
        key = (from_year, to_year)
        if key not in self._chained:
            self._chained[key] = self._chain(from_year, to_year)
        return self._chained[key]

    def _chain(self, from_year: int, to_year: int) -> pd.DataFrame:
        """The steps multiplied along the path in plain dicts: a few hundred codes, so building frames per
        step cost far more than the arithmetic. Weights of several paths to one pair are added in path
        order with the compensated sum pandas' groupby uses, so the figures do not change in the last bit."""
        table: dict[tuple[str, str], tuple[float, bool]] = {(c, c): (1.0, True) for c in self.names[from_year]}
        i, j = self.years.index(from_year), self.years.index(to_year)
        path = self.years[i:j + 1] if j >= i else self.years[j:i + 1][::-1]
        for a, b in zip(path, path[1:]):
            step = self._step_links(a, b)
            sums: dict[tuple[str, str], list] = {}
            for (code, via), (weight, exact) in table.items():
                for to, step_weight, step_exact in step.get(via, ()):
                    found = sums.setdefault((code, to), [0.0, 0.0, True])
                    part = weight * step_weight - found[1]
                    total = found[0] + part
                    found[1], found[0] = total - found[0] - part, total
                    found[2] = found[2] and exact and step_exact
            table = {key: (total, exact) for key, (total, _, exact) in sums.items()}
        rows = sorted(table.items(), key=lambda item: (item[0][1], item[0][0]))
        frame = pd.DataFrame({
            "from_code": [k[0] for k, _ in rows], "to_code": [k[1] for k, _ in rows],
            "weight": np.array([v[0] for _, v in rows], dtype=float), "exact": np.array([v[1] for _, v in rows], dtype=bool),
        })
        frame.insert(1, "from_name", frame["from_code"].map(self.names[from_year]))
        frame.insert(3, "to_name", frame["to_code"].map(self.names[to_year]))
        return frame

    def _step_links(self, from_year: int, to_year: int) -> dict[str, list[tuple[str, float, bool]]]:
        """One consecutive step as from_code -> [(to_code, weight, exact)], in the order the build wrote it;
        all steps are read into dicts at the first chain (a few thousand rows)."""
        if not self._links:  # filled aside and swapped in whole, so a second thread never sees half of it
            links: dict[tuple[int, int], dict[str, list[tuple[str, float, bool]]]] = {}
            for code, to, weight, exact, a, b in zip(self.steps["from_code"].tolist(), self.steps["to_code"].tolist(),
                                                     self.steps["weight"].tolist(), self.steps["exact"].tolist(),
                                                     self.steps["from_year"].tolist(), self.steps["to_year"].tolist()):
                links.setdefault((int(a), int(b)), {}).setdefault(code, []).append((to, float(weight), bool(exact)))
            self._links = links
        return self._links.get((from_year, to_year), {})

    def changes_between(self, from_year: int, to_year: int, kinds: tuple[str, ...] = CHANGE_KINDS) -> list[Change]:
        low, high = sorted((self.check_year(from_year, "from"), self.check_year(to_year, "to")))
        return [c for c in self.changes if low <= c.from_year and c.to_year <= high and c.kind in kinds]

    def identical_years(self, year: int) -> list[int]:
        """Boundary years whose municipalities are exactly those of ``year`` (no change in between)."""
        same = []
        for other in self.years:
            low, high = sorted((year, other))
            if not self.changes_between(low, high, REORGANISATIONS):
                same.append(other)
        return same

    def write(self, folder: Path) -> None:
        self.steps.to_parquet(folder / "crosswalk_steps.parquet")
        (folder / "crosswalk.json").write_text(json.dumps({
            "years": self.years, "changes": [asdict(c) for c in self.changes],
            "names": {str(y): n for y, n in self.names.items()},
        }))

    @classmethod
    def read(cls, folder: Path) -> Crosswalks:
        meta = json.loads((folder / "crosswalk.json").read_text())
        return cls(meta["years"], pd.read_parquet(folder / "crosswalk_steps.parquet"),
                   [Change(**c) for c in meta["changes"]], {int(y): n for y, n in meta["names"].items()})


def _bare(name: str) -> str:
    """A name without the province suffix CBS adds in some years ('Hengelo (O.)'), which is no renaming."""
    return fold(re.sub(r"\s*\(.*?\)", "", name))


def _normalised(weights: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    total = weights.sum()
    return weights / total if total > 0 else fallback / fallback.sum()


def _step(old: gpd.GeoDataFrame, new: gpd.GeoDataFrame, wijken: gpd.GeoDataFrame, people: np.ndarray,
          from_year: int, to_year: int) -> tuple[pd.DataFrame, list[Change]]:
    pieces = overlap_pieces(old, new)
    pieces["share_old"] = pieces["area_km2"] / pieces.groupby("left")["area_km2"].transform("sum")
    pieces["share_new"] = pieces["area_km2"] / pieces.groupby("right")["area_km2"].transform("sum")
    new_codes, old_codes = set(new["code"]), set(old["code"])
    old_names, new_names = dict(zip(old["code"], old["name"])), dict(zip(new["code"], new["name"]))

    continuing = pieces["left"].isin(new_codes)
    kept = pieces[continuing & (pieces["left"] == pieces["right"])]
    gone = pieces[~continuing]
    largest = gone.sort_values("share_old").drop_duplicates("left", keep="last").index
    gone = gone[(gone["share_old"] >= SPLIT_SHARE) | gone.index.isin(largest)]
    kept = pd.concat([kept, gone])
    kept["people"] = apportioned(kept, wijken, people)

    forward = []
    for code, group in kept.groupby("left", sort=True):
        weights = _normalised(group["people"].to_numpy(), group["area_km2"].to_numpy())
        forward += [(code, to, w, len(group) == 1) for to, w in zip(group["right"], weights)]
    forward_frame = pd.DataFrame(forward, columns=["from_code", "to_code", "weight", "exact"])
    backward = []
    for code, group in kept.groupby("right", sort=True):
        whole = len(group) == 1 and bool(forward_frame.loc[forward_frame["from_code"] == group["left"].iloc[0], "exact"].all())
        weights = _normalised(group["people"].to_numpy(), group["area_km2"].to_numpy())
        backward += [(code, to, w, whole) for to, w in zip(group["left"], weights)]
    steps = pd.concat([
        pd.DataFrame(forward, columns=STEP_COLUMNS[2:]).assign(from_year=from_year, to_year=to_year),
        pd.DataFrame(backward, columns=STEP_COLUMNS[2:]).assign(from_year=to_year, to_year=from_year),
    ])[STEP_COLUMNS]

    def change(kind: str, before: list[str], after: list[str], note: str = "") -> Change:
        return Change(from_year, to_year, kind, before, [old_names[c] for c in before], after,
                      [new_names[c] for c in after], note)

    changes = []
    for code, group in forward_frame.groupby("to_code", sort=True):
        before = sorted(group["from_code"])
        if len(before) > 1:
            parts = [c for c in before if not group.loc[group["from_code"] == c, "exact"].all()]
            changes.append(change("merged", before, [code], f"part of {', '.join(parts)}" if parts else ""))
        elif before[0] != code:
            changes.append(change("recoded", before, [code]))
        elif _bare(old_names[code]) != _bare(new_names[code]):
            changes.append(change("renamed", before, [code]))
    for code, group in forward_frame.groupby("from_code", sort=True):
        if len(group) > 1:
            shares = ", ".join(f"{t} {w:.0%}" for t, w in zip(group["to_code"], group["weight"]))
            changes.append(change("split", [code], sorted(group["to_code"]), f"{APPORTIONING}: {shares}"))
    moved = pieces[continuing & pieces["right"].isin(old_codes) & (pieces["left"] != pieces["right"])
                   & pieces["right"].isin(new_codes)
                   & ((pieces["share_old"] >= CORRECTION_SHARE) | (pieces["share_new"] >= CORRECTION_SHARE))]
    for row in moved.itertuples():
        changes.append(change("boundary_correction", [row.left], [row.right],
                              f"{row.area_km2:.1f} km2 differ; both codes continue, so values are not re-mapped"))
    return steps, changes


def build_crosswalks(layers: dict[int, gpd.GeoDataFrame], wijken: gpd.GeoDataFrame, people: np.ndarray) -> Crosswalks:
    """Steps between every pair of consecutive gemeente years, from their geometry and wijk population."""
    years = sorted(layers)
    steps, changes = [], []
    for a, b in zip(years, years[1:]):
        step, found = _step(layers[a], layers[b], wijken, people, a, b)
        steps.append(step)
        changes += found
    names = {y: dict(zip(layers[y]["code"], layers[y]["name"])) for y in years}
    frame = pd.concat(steps, ignore_index=True) if steps else pd.DataFrame(columns=STEP_COLUMNS)
    return Crosswalks(years, frame, changes, names)
