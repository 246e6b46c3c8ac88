"""Links from participation tables: two places are linked by every project their organisations share.

Any table of (project, organisation, type, years, programme parts) becomes pairs: within one project,
every unordered pair of distinct organisations is one organisation pair. Organisation pairs are then
grouped by the nodes their two organisations belong to (the organisation itself, its city as written, or
its gemeente, COROP or province on one boundary year). A link's `projects` counts the distinct projects
with at least one such pair; `org_pairs` counts the pairs. A pair whose two organisations lie in one
region is a link inside that region (source == target).

EC money rule ("equal split over a participant's pairs"): in each project, each participant's EC
contribution is split equally over the organisation pairs it belongs to in that project (the filtered
participants only), and a link's money is the sum of the shares of its pairs. Money of participants with
no partner in the filtered project is in no link; the total of all links equals the money of the
participants that have at least one partner. Participations without a contribution add nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

MONEY_RULE = ("equal split over a participant's pairs: in each project, each participant's EC contribution is "
              "divided equally over the organisation pairs it belongs to, and a link sums the shares of its pairs")
PROJECTS_RULE = "distinct projects in which at least one organisation of each end take part together"


@dataclass(frozen=True)
class Filters:
    """Which participations take part: programme parts (any of), start years (inclusive), organisation types."""

    parts: frozenset[str] = frozenset()
    from_year: int | None = None
    to_year: int | None = None
    org_types: frozenset[str] = frozenset()

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        keep = pd.Series(True, index=frame.index)
        if self.parts:
            keep &= frame["parts"].map(lambda parts: bool(self.parts.intersection(parts)))
        if self.from_year is not None:
            keep &= frame["start_year"] >= self.from_year
        if self.to_year is not None:
            keep &= frame["start_year"] <= self.to_year
        if self.org_types:
            keep &= frame["type"].isin(self.org_types)
        return frame[keep]


def organisation_pairs(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per unordered pair of distinct organisations in one project (pic_a < pic_b), with each one's
    share of money under MONEY_RULE and the project's start year and programme parts."""
    rows = frame[["rcn", "pic", "contribution", "start_year", "parts"]].drop_duplicates(["rcn", "pic"])
    partners = rows.groupby("rcn")["pic"].transform("size") - 1
    rows = rows.assign(share=rows["contribution"].fillna(0.0) / partners.where(partners > 0))
    pairs = rows.merge(rows[["rcn", "pic", "share"]], on="rcn", suffixes=("_a", "_b"))
    pairs = pairs[pairs["pic_a"] < pairs["pic_b"]]
    pairs = pairs.assign(money=pairs["share_a"] + pairs["share_b"])
    return pairs[["rcn", "pic_a", "pic_b", "money", "start_year", "parts"]].reset_index(drop=True)


def links_between(pairs: pd.DataFrame, node_of: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Links between nodes (ends sorted; source == target inside one node), and the pairs left out because an
    organisation has no node (unplaced). `node_of` maps pic -> node key."""
    ends = pairs.assign(a=pairs["pic_a"].map(node_of), b=pairs["pic_b"].map(node_of))
    missing = ends["a"].isna() | ends["b"].isna()
    kept = ends[~missing]
    swap = kept["a"].astype(str) > kept["b"].astype(str)
    kept = kept.assign(source=kept["a"].where(~swap, kept["b"]), target=kept["b"].where(~swap, kept["a"]))
    parts = kept[["source", "target", "rcn", "parts"]].drop_duplicates(["source", "target", "rcn"]).explode("parts")
    by_part = parts.dropna(subset=["parts"]).groupby(["source", "target", "parts"])["rcn"].nunique()
    links = kept.groupby(["source", "target"]).agg(
        projects=("rcn", "nunique"), org_pairs=("rcn", "size"), money=("money", "sum"),
        first_year=("start_year", "min"), last_year=("start_year", "max")).reset_index()
    part_counts = {key: dict(group.droplevel([0, 1]).items()) for key, group in by_part.groupby(level=[0, 1])}
    links["parts"] = [part_counts.get((s, t), {}) for s, t in zip(links["source"], links["target"])]
    return links.sort_values(["projects", "money"], ascending=False, ignore_index=True), ends[missing]
