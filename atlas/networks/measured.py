"""Measured collaboration networks: participation tables placed on one year's regions, with network metrics.

The CORDIS Horizon 2020 participations are the built-in dataset (`cordis-h2020`); participation files imported
with `atlas networks import` are datasets of their own, by file name. Organisations are placed on the gemeenten
of one boundary year (atlas.geography.placement); links at gemeente, COROP or province level follow
(atlas.networks.participation_links), filtered by programme part (or a topsector through the atlas's own
concordance), start years and organisation types. Metrics are computed only here, on measured links:
weighted degree (strength), degree, betweenness on weights (distance = 1 / weight, so strong ties are short),
communities (greedy modularity on weights) and the share of links inside one province.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pandas as pd

from atlas.data import AtlasData
from atlas.errors import DataValidationError, InvalidChoice, UnknownResource
from atlas.geography.placematch import place_matcher
from atlas.geography.placement import Placement, place_organisations
from atlas.networks.participation_links import MONEY_RULE, PROJECTS_RULE, Filters, links_between, organisation_pairs
from atlas.settings import GEODATA_DIR
from atlas.sources.participations import (
    CORDIS_DATASET,
    ORG_TYPES,
    Participations,
    cordis_participations,
    fp7_addresses,
    organisations,
    read_participations,
)

log = logging.getLogger(__name__)
BUILTIN = CORDIS_DATASET
LEVELS = ("gemeente", "corop", "provincie")
WEIGHTS = ("projects", "money")
CONCORDANCE_PATH = GEODATA_DIR / "h2020_programme_topsector.csv"
CONCORDANCE_LABEL = ("Topsector view: the atlas's own approximation, through geodata/h2020_programme_topsector.csv "
                     "(Horizon 2020 programme parts are not topsectors)")


@dataclass(frozen=True)
class Datasets:
    """Every participation dataset, and the imported files that were skipped (with why)."""

    tables: dict[str, Participations]
    skipped: dict[str, list[str]]


def imported_dir(networks_dir: Path) -> Path:
    return networks_dir / "participations"


def load_datasets(data: AtlasData, networks_dir: Path) -> Datasets:
    """The CORDIS table plus every imported participation file; a bad imported file is skipped (logged and
    listed), never breaking the others."""
    def read_all() -> Datasets:
        tables = {BUILTIN: cordis_participations(data.data_dir)}
        skipped: dict[str, list[str]] = {}
        folder = imported_dir(networks_dir)
        for path in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
            try:
                tables[path.stem] = read_participations(path)
            except DataValidationError as exc:
                log.warning("skipped participation file %s: %s", path.name, "; ".join(exc.problems[:3]))
                skipped[path.name] = exc.problems
        return Datasets(tables, skipped)

    return data.caches.participations.get_or_compute(str(networks_dir), read_all)


def dataset(data: AtlasData, networks_dir: Path, name: str) -> Participations:
    tables = load_datasets(data, networks_dir).tables
    if name not in tables:
        raise UnknownResource("dataset", name, sorted(tables))
    return tables[name]


def placement(data: AtlasData, table: Participations, boundary_year: int) -> Placement:
    """Organisations of a dataset on the gemeenten of one boundary year (cached per dataset and year)."""
    def compute() -> Placement:
        frame = table.frame
        witnesses = pd.concat([frame[["city", "postcode"]], fp7_addresses(data.data_dir)], ignore_index=True)
        return place_organisations(place_matcher(data, boundary_year), data.boundaries.get("gemeente", boundary_year),
                                   organisations(table), witnesses)

    return data.caches.placements.get_or_compute((table.name, table.digest, boundary_year), compute)


def coverage(table: Participations, placed: Placement) -> dict:
    """How much of the dataset is placed: organisations, participations and EC money."""
    orgs = organisations(table).join(placed.organisations["code"])
    ok = orgs["code"].notna()
    return {
        "organisations": int(ok.sum()), "organisations_total": len(orgs),
        "participations": int(orgs.loc[ok, "participations"].sum()), "participations_total": int(orgs["participations"].sum()),
        "money": round(float(orgs.loc[ok, "money"].sum()), 2), "money_total": round(float(orgs["money"].sum()), 2),
    }


def unplaced(data: AtlasData, table: Participations, placed: Placement) -> list[dict]:
    """Every organisation not placed, with its participations and money, largest first, and the gemeenten
    that may hold it."""
    orgs = organisations(table).join(placed.organisations[["code", "reason", "candidates"]])
    names = data.boundaries.get("gemeente", placed.boundary_year).set_index("code")["name"]
    rows = orgs[orgs["code"].isna()].sort_values(["participations", "money"], ascending=False)
    return [{"pic": str(pic), "name": _text(r["name"]), "city": _text(r["city"]), "postcode": _text(r["postcode"]),
             "type": r["type"], "participations": int(r["participations"]), "money": round(float(r["money"]), 2),
             "reason": r["reason"], "may_lie_in": [{"code": c, "name": names[c]} for c in r["candidates"]]}
            for pic, r in rows.iterrows()]


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def concordance() -> dict[str, list[str]]:
    """Topsector -> programme parts, from the atlas's own concordance file."""
    mapping: dict[str, list[str]] = {}
    with CONCORDANCE_PATH.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            mapping.setdefault(row["topsector"], []).append(row["programme_part"])
    return mapping


def node_keys(data: AtlasData, placed: Placement, level: str) -> pd.Series:
    """pic -> region code of `level` on the placement's boundary year."""
    if level not in LEVELS:
        raise InvalidChoice("level", level, LEVELS)
    codes = placed.placed
    if level == "gemeente":
        return codes
    layer = data.boundaries.get("gemeente", placed.boundary_year).set_index("code")
    return codes.map(layer[f"{level}_code"])


def network_metrics(links: pd.DataFrame, weight: str) -> dict[str, dict]:
    """Per node: degree, strength (weighted degree), betweenness on weights, community. Links inside one
    region do not count towards the metrics between regions."""
    graph = nx.Graph()
    for row in links.itertuples():
        if row.source != row.target:
            w = float(getattr(row, weight))
            graph.add_edge(row.source, row.target, weight=w, distance=1.0 / w if w > 0 else float("inf"))
    if not graph.number_of_edges():
        return {}
    betweenness = nx.betweenness_centrality(graph, weight="distance")
    communities = nx.community.greedy_modularity_communities(graph, weight="weight")
    community_of = {node: i for i, group in enumerate(communities) for node in group}
    return {node: {"degree": graph.degree(node), "strength": round(graph.degree(node, weight="weight"), 2),
                   "betweenness": round(betweenness[node], 6), "community": community_of[node]}
            for node in graph.nodes}


@dataclass(frozen=True)
class NetworkQuery:
    dataset: str = BUILTIN
    level: str = "gemeente"
    boundary_year: int | None = None
    parts: tuple[str, ...] = ()
    topsector: str | None = None
    from_year: int | None = None
    to_year: int | None = None
    org_types: tuple[str, ...] = ()
    weight: str = "projects"
    top: int = 100


def _filters(table: Participations, query: NetworkQuery) -> Filters:
    known_parts = sorted({p for parts in table.frame["parts"] for p in parts})
    for part in query.parts:
        if part not in known_parts:
            raise InvalidChoice("part", part, known_parts)
    parts = set(query.parts)
    if query.topsector:
        sectors = concordance()
        if query.topsector not in sectors:
            raise InvalidChoice("topsector", query.topsector, sorted(sectors), hint=CONCORDANCE_LABEL)
        parts |= set(sectors[query.topsector])
    for org_type in query.org_types:
        if org_type not in ORG_TYPES:
            raise InvalidChoice("org_types", org_type, list(ORG_TYPES))
    years = sorted(set(table.frame["start_year"].dropna().astype(int)))
    for year in (query.from_year, query.to_year):
        if year is not None and year not in years:
            raise InvalidChoice("year", year, years, hint="project start years in the dataset")
    return Filters(frozenset(parts), query.from_year, query.to_year, frozenset(query.org_types))


def _point(layer: pd.DataFrame, code: str) -> list[float]:
    point = layer.geometry[code].representative_point()
    return [round(point.x, 5), round(point.y, 5)]


def _by_part(links: pd.DataFrame, same_province: pd.Series) -> dict[str, dict]:
    """Per programme part: links with a shared project of that part, their projects, and the share of those
    link-projects (a project counted once per link) on links inside one province, links inside one region included."""
    out: dict[str, dict] = {}
    for parts, inside in zip(links["parts"], same_province):
        for part, n in parts.items():
            entry = out.setdefault(part, {"links": 0, "link_projects": 0, "projects_within_province": 0})
            entry["links"] += 1
            entry["link_projects"] += n
            entry["projects_within_province"] += n if inside else 0
    return {part: {**e, "share_within_province": round(e["projects_within_province"] / e["link_projects"], 4)}
            for part, e in sorted(out.items())}


def measured_network(data: AtlasData, networks_dir: Path, query: NetworkQuery) -> dict:
    """Nodes, the strongest links, metrics, the unplaced organisations and the meta of one measured network."""
    table = dataset(data, networks_dir, query.dataset)
    if query.level not in LEVELS:
        raise InvalidChoice("level", query.level, LEVELS)
    if query.weight not in WEIGHTS:
        raise InvalidChoice("weight", query.weight, WEIGHTS)
    years = data.boundaries.years("gemeente")
    boundary_year = query.boundary_year or years[-1]
    if boundary_year not in years:
        raise InvalidChoice("boundary_year", boundary_year, years)
    filters = _filters(table, query)
    return data.caches.measured_networks.get_or_compute(
        (table.name, table.digest, query, boundary_year),
        lambda: _build(data, table, query, filters, boundary_year))


def _build(data: AtlasData, table: Participations, query: NetworkQuery, filters: Filters, boundary_year: int) -> dict:
    placed = placement(data, table, boundary_year)
    rows = filters.apply(table.frame)
    keys = node_keys(data, placed, query.level)
    links, left_out = links_between(organisation_pairs(rows), keys)
    layer = data.boundaries.get(query.level, boundary_year).set_index("code")
    province = layer.index.to_series() if query.level == "provincie" else layer["provincie_code"]
    between = links[links["source"] != links["target"]]
    inside = links[links["source"] == links["target"]]
    same_province = links["source"].map(province) == links["target"].map(province)
    total = float(links[query.weight].sum())
    metrics = network_metrics(between, query.weight)
    participation = rows.assign(node=rows["pic"].map(keys)).groupby("node").agg(
        participations=("rcn", "size"), organisations=("pic", "nunique"), money=("contribution", "sum"))
    nodes = []
    for code in sorted(set(participation.index) | set(metrics)):
        own = inside[inside["source"] == code]
        at = _point(layer, code)
        nodes.append({
            "code": code, "name": layer["name"][code], "coordinates": at, "lon": at[0], "lat": at[1],
            "provincie_code": str(province[code]),
            "participations": int(participation["participations"].get(code, 0)),
            "organisations": int(participation["organisations"].get(code, 0)),
            "money": round(float(participation["money"].get(code, 0.0)), 2),
            "internal_projects": int(own["projects"].sum()), "internal_money": round(float(own["money"].sum()), 2),
            **metrics.get(code, {"degree": 0, "strength": 0.0, "betweenness": 0.0, "community": None}),
        })
    shown = links.sort_values([query.weight, "projects"], ascending=False).head(query.top)
    link_records = [{
        "source": r.source, "target": r.target, "source_name": layer["name"][r.source],
        "target_name": layer["name"][r.target], "coordinates": [_point(layer, r.source), _point(layer, r.target)],
        "measured": True, "years": f"{r.first_year}-{r.last_year}" if r.first_year != r.last_year else str(r.first_year),
        "projects": int(r.projects), "org_pairs": int(r.org_pairs), "money": round(float(r.money), 2),
        "weight": round(float(getattr(r, query.weight)), 2), "within_region": r.source == r.target,
        "within_province": bool(province[r.source] == province[r.target]),
        "programme_parts": {str(k): int(v) for k, v in sorted(r.parts.items(), key=lambda kv: -kv[1])},
        "main_part": max(r.parts, key=r.parts.get) if r.parts else None,
        "programme_part": max(r.parts, key=r.parts.get) if r.parts else None,
        "first_year": int(r.first_year), "last_year": int(r.last_year),
    } for r in shown.itertuples()]
    for record in link_records:  # flat ends too, for clients that read fields rather than arrays
        (record["source_lon"], record["source_lat"]), (record["target_lon"], record["target_lat"]) = record["coordinates"]
    return {
        "dataset": table.name, "level": query.level, "boundary_year": boundary_year, "weight": query.weight,
        "filters": {"parts": sorted(filters.parts), "topsector": query.topsector, "from_year": query.from_year,
                    "to_year": query.to_year, "org_types": sorted(filters.org_types)},
        "nodes": nodes, "links": link_records,
        "summary": {
            "links": len(between), "links_shown": sum(1 for r in link_records if not r["within_region"]),
            "links_inside_regions": len(inside),
            "share_links_within_province": round(float(same_province.mean()), 4) if len(links) else None,
            "share_weight_within_province": round(float(links.loc[same_province, query.weight].sum() / total), 4)
            if total else None,
            "by_part": _by_part(links, same_province),
            "projects": int(rows["rcn"].nunique()), "participations": len(rows),
            "org_pairs": int(links["org_pairs"].sum()) + len(left_out), "org_pairs_unplaced": len(left_out),
        },
        "coverage": coverage(table, placed), "unplaced": unplaced(data, table, placed),
        "meta": {
            "source": table.source, "snapshot": table.snapshot, "measured": True,
            "weight_rule": PROJECTS_RULE if query.weight == "projects" else MONEY_RULE,
            "money_rule": MONEY_RULE, "projects_rule": PROJECTS_RULE,
            "placement": f"organisations placed on the gemeente boundaries of {boundary_year} by registered city, "
                         "postcode breaking ties (atlas.geography.placement); unplaced organisations are listed",
            "topsector_note": CONCORDANCE_LABEL if query.topsector else None,
            "years_note": "project start years; grants signed after the snapshot are missing, so the last year is incomplete",
        },
    }


def datasets_summary(data: AtlasData, networks_dir: Path) -> list[dict]:
    """Every dataset with the choices its networks offer (programme parts, years, types, topsectors)."""
    return [{"id": name, "source": table.source, "snapshot": table.snapshot,
             "programme_parts": sorted({p for parts in table.frame["parts"] for p in parts}),
             "years": sorted({int(y) for y in table.frame["start_year"].dropna()}), "org_types": ORG_TYPES,
             "topsectors": concordance(), "topsector_note": CONCORDANCE_LABEL}
            for name, table in load_datasets(data, networks_dir).tables.items()]
