"""Topsector collaboration networks: import, validation, aggregation to coarser regions, metrics, GeoJSON.

A network file is a CSV of links (topsector, source, target, weight, year, source_description). Places
are CBS region codes (GMnnnn, CRnn, PVnn) or gemeente names, matched by the place matcher for the link's
year. An empty target records a place named as part of a network without a partner; an empty weight
marks a qualitative link, which is never shown or summed as if it were measured. Every problem in a
file is reported with its line, and nothing is loaded from a file that has any.
"""

from __future__ import annotations

import csv
import logging
import math
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import networkx as nx
import shapely

from atlas.data import AtlasData
from atlas.errors import DataValidationError, InvalidChoice, UnknownResource
from atlas.figures.profiles import find_region
from atlas.geography.placematch import place_matcher
from atlas.geography.vocabulary import LEVELS
from atlas.settings import GEODATA_DIR

log = logging.getLogger(__name__)
BUILTIN_DIR = GEODATA_DIR / "networks"
COLUMNS = ["topsector", "source", "target", "weight", "year", "source_description"]
CODE = re.compile(r"^(GM\d{4}|CR\d{2}|PV\d{2})$")
TOPSECTORS = {
    "htsm": "High Tech Systems & Materialen", "lsh": "Life Sciences & Health", "agrifood": "Agri & Food",
    "tu": "Tuinbouw & Uitgangsmaterialen", "chemie": "Chemie", "creatief": "Creatieve Industrie",
    "energie": "Energie", "logistiek": "Logistiek", "water": "Water & Maritiem",
}
NETWORK_LEVELS = ("provincie", "corop", "gemeente")


@dataclass(frozen=True)
class Link:
    topsector: str
    source: str
    target: str | None
    weight: float | None
    year: int | None
    provenance: str
    origin: str  # file:line, or the aggregation that produced it
    links: int = 1  # how many imported links this one stands for after aggregation

    @property
    def measured(self) -> bool:
        return self.weight is not None


@dataclass(frozen=True)
class Network:
    name: str
    links: tuple[Link, ...]


def _resolve(data: AtlasData, place: str, year: int | None) -> tuple[str | None, str]:
    if CODE.match(place.upper()):
        try:
            find_region(data, place.upper(), None)
        except InvalidChoice:
            return None, f"region code {place!r} is in no boundary year"
        return place.upper(), ""
    matcher = place_matcher(data, year or data.boundaries.years("gemeente")[-1])
    match = matcher.match(place)
    if match.code is None:
        similar = f" (similar: {', '.join(match.candidates)})" if match.candidates else ""
        return None, f"unknown place {place!r}: {match.reason}{similar}"
    return match.code, ""


def _parse_row(data: AtlasData, row: dict, where: str, problems: list[str]) -> Link | None:
    topsector = (row.get("topsector") or "").strip().lower()
    if topsector not in TOPSECTORS:
        problems.append(f"{where}: topsector {row.get('topsector')!r} not one of {', '.join(TOPSECTORS)}")
    year = None
    if (row.get("year") or "").strip():
        try:
            year = int(row["year"])
        except ValueError:
            problems.append(f"{where}: year {row['year']!r} is not a whole number")
    weight = None
    if (row.get("weight") or "").strip():
        try:
            weight = float(row["weight"])
        except ValueError:
            weight = math.nan
        if not math.isfinite(weight) or weight <= 0:
            problems.append(f"{where}: weight {row['weight']!r} must be a positive number (leave empty for a qualitative link)")
    ends: list[str | None] = []
    for column in ("source", "target"):
        place = (row.get(column) or "").strip()
        if not place:
            ends.append(None)
            if column == "source":
                problems.append(f"{where}: source is empty")
            continue
        code, problem = _resolve(data, place, year)
        if problem:
            problems.append(f"{where}: {column} {problem}")
        ends.append(code)
    if not (row.get("source_description") or "").strip():
        problems.append(f"{where}: source_description is empty; every link must say where it comes from")
    if ends[0] and ends[0] == ends[1]:
        problems.append(f"{where}: source and target are the same region {ends[0]}")
    if len(problems) or ends[0] is None:
        return None
    return Link(topsector, ends[0], ends[1], weight, year, row["source_description"].strip(), where)


def read_network(data: AtlasData, path: Path) -> Network:
    """Parse and validate one file; raises DataValidationError listing every bad line."""
    problems: list[str] = []
    links: list[Link] = []
    seen: dict[tuple, str] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != COLUMNS:
            raise DataValidationError([f"{path.name}: columns {reader.fieldnames} must be exactly {COLUMNS}"])
        for line, row in enumerate(reader, start=2):
            where = f"{path.name}:{line}"
            row_problems: list[str] = []
            link = _parse_row(data, row, where, row_problems)
            problems += row_problems
            if link is None:
                continue
            key = (link.topsector, frozenset((link.source, link.target)), link.year)
            if key in seen:
                problems.append(f"{where}: duplicate of the link on {seen[key]} ({link.source} - {link.target})")
                continue
            seen[key] = where
            links.append(link)
    if problems:
        raise DataValidationError(problems)
    return Network(path.stem, tuple(links))


def _read_all(data: AtlasData, imported_dir: Path) -> tuple[list[Network], dict[str, list[str]]]:
    """The built-in file must be valid (a broken one fails loudly); a bad imported file is skipped with a
    logged warning and listed, so it never breaks the other networks. Participation files live in their own
    subfolder (atlas.networks.measured) and are not read here."""
    networks = [read_network(data, f) for f in sorted(BUILTIN_DIR.glob("*.csv"))]
    skipped: dict[str, list[str]] = {}
    for path in sorted(imported_dir.glob("*.csv")) if imported_dir.is_dir() else []:
        try:
            networks.append(read_network(data, path))
        except DataValidationError as exc:
            log.warning("skipped network file %s: %s", path.name, "; ".join(exc.problems[:3]))
            skipped[path.name] = exc.problems
    return networks, skipped


def load_networks(data: AtlasData, imported_dir: Path) -> list[Network]:
    """The built-in qualitative network plus every valid file imported with `atlas networks import`."""
    return data.caches.networks.get_or_compute(str(imported_dir), lambda: _read_all(data, imported_dir))[0]


def skipped_network_files(data: AtlasData, imported_dir: Path) -> dict[str, list[str]]:
    """Imported link files that were not loaded, with their problems."""
    return data.caches.networks.get_or_compute(str(imported_dir), lambda: _read_all(data, imported_dir))[1]


def _parent(data: AtlasData, code: str, level: str) -> str:
    """The region of `level` that contains `code`; a region coarser than `level` stays itself."""
    own_level, year = find_region(data, code, None)
    if LEVELS.index(own_level) <= LEVELS.index(level):
        return code
    row = data.boundaries.get(own_level, year).set_index("code").loc[code]
    return row[f"{level}_code"]


def aggregate(data: AtlasData, links: list[Link], level: str) -> tuple[list[Link], dict[str, dict]]:
    """Links between regions of `level`; links inside one region become that region's internal links.

    Weights add up, so the total weight of the result (between plus internal) equals the input's.
    Qualitative links stay unweighted and only count how many links were merged.
    """
    if level not in NETWORK_LEVELS:
        raise InvalidChoice("level", level, NETWORK_LEVELS)
    merged: dict[tuple, Link] = {}
    internal: dict[str, dict] = defaultdict(lambda: {"links": 0, "weight": None})
    for link in links:
        source = _parent(data, link.source, level)
        target = _parent(data, link.target, level) if link.target else None
        if target == source:
            inside = internal[source]
            inside["links"] += link.links
            if link.weight is not None:
                inside["weight"] = (inside["weight"] or 0.0) + link.weight
            continue
        ends = tuple(sorted((source, target), key=str)) if target else (source, None)
        key = (link.topsector, ends, link.year, link.measured)
        if key in merged:
            old = merged[key]
            weight = None if old.weight is None else old.weight + (link.weight or 0.0)
            merged[key] = replace(old, weight=weight, links=old.links + link.links, origin=f"{old.origin}; {link.origin}")
        else:
            merged[key] = replace(link, source=ends[0], target=ends[1])
    return list(merged.values()), dict(internal)


def _nodes(links: list[Link]) -> list[str]:
    return list(dict.fromkeys(c for link in links for c in (link.source, link.target) if c))


def metrics(links: list[Link]) -> dict[str, dict]:
    """Degree, weighted degree, betweenness and community per node, for measured links only."""
    graph = nx.Graph()
    for link in links:
        graph.add_node(link.source)
        if link.target:
            graph.add_edge(link.source, link.target, weight=link.weight or 0.0)
    betweenness = nx.betweenness_centrality(graph) if graph.number_of_edges() else {n: 0.0 for n in graph}
    communities = nx.community.greedy_modularity_communities(graph, weight="weight") \
        if graph.number_of_edges() else [set(graph.nodes)]
    community_of = {node: i for i, group in enumerate(communities) for node in group}
    return {node: {"degree": graph.degree(node), "weighted_degree": graph.degree(node, weight="weight"),
                   "betweenness": round(betweenness[node], 6), "community": community_of.get(node, 0)}
            for node in graph.nodes}


def _point(data: AtlasData, code: str) -> tuple[float, float, str, str]:
    level, year = find_region(data, code, None)
    row = data.boundaries.get(level, year).set_index("code").loc[code]
    point = row.geometry.representative_point()
    return point.x, point.y, row["name"], level


def _arc(a: tuple[float, float], b: tuple[float, float], bend: float = 0.15, steps: int = 16) -> list[list[float]]:
    """A gentle curve from a to b, so links that share a place stay apart on the map."""
    (x0, y0), (x1, y1) = a, b
    cx, cy = (x0 + x1) / 2 - (y1 - y0) * bend, (y0 + y1) / 2 + (x1 - x0) * bend
    return [[round((1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t * t * x1, 5),
             round((1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t * t * y1, 5)]
            for t in (i / steps for i in range(steps + 1))]


def network_geojson(data: AtlasData, networks: list[Network], topsector: str, level: str,
                    min_weight: float = 0.0) -> dict:
    """Links and nodes of one topsector at one level, with provenance on every link and metrics on nodes."""
    if topsector not in TOPSECTORS:
        raise UnknownResource("topsector", topsector, sorted(TOPSECTORS))
    links = [link for n in networks for link in n.links if link.topsector == topsector]
    if not links:
        present = sorted({link.topsector for n in networks for link in n.links})
        raise UnknownResource("topsector", topsector, present, hint="topsectors with a loaded network")
    merged, internal = aggregate(data, links, level)
    shown = [link for link in merged if link.weight is None or link.weight >= min_weight]
    measured = bool(shown) and all(link.measured for link in shown)
    # metrics describe collaboration only where links were measured; on a drawing they would describe the drawing
    node_metrics = metrics(shown) if measured else {node: {} for node in _nodes(shown)}
    top = max((link.weight for link in shown if link.weight is not None), default=0.0) or 1.0
    features = []
    for link in shown:
        if not link.target:
            continue
        x0, y0, name0, _ = _point(data, link.source)
        x1, y1, name1, _ = _point(data, link.target)
        features.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": _arc((x0, y0), (x1, y1))},
                         "properties": {
                             "kind": "link", "topsector": link.topsector, "source": link.source, "target": link.target,
                             "label": f"{name0} – {name1}" + ("" if link.measured else " (qualitative)"),
                             "weight": link.weight, "measured": link.measured, "links": link.links,
                             "weight_norm": (link.weight / top) if link.weight is not None else None,
                             "year": link.year, "provenance": link.provenance}})
    for code, values in node_metrics.items():
        x, y, name, node_level = _point(data, code)
        features.append({"type": "Feature", "geometry": shapely.Point(x, y).__geo_interface__,
                         "properties": {"kind": "node", "code": code, "name": name, "label": name,
                                        "node_level": node_level, "internal_links": internal.get(code, {}).get("links", 0),
                                        "internal_weight": internal.get(code, {}).get("weight"), **values}})
    return {"type": "FeatureCollection", "topsector": topsector, "name": TOPSECTORS[topsector], "level": level,
            "measured": measured, "metrics": measured, "features": features}


def network_summary(networks: list[Network]) -> list[dict]:
    """Per topsector: how many links and places, and from which network files."""
    by_sector: dict[str, dict] = {}
    for network in networks:
        for link in network.links:
            entry = by_sector.setdefault(link.topsector, {"id": link.topsector, "name": TOPSECTORS[link.topsector],
                                                          "links": 0, "places": set(), "networks": set(),
                                                          "measured_links": 0})
            entry["links"] += 1 if link.target else 0
            entry["measured_links"] += 1 if link.measured and link.target else 0
            entry["places"].update(c for c in (link.source, link.target) if c)
            entry["networks"].add(network.name)
    return [{**e, "places": len(e["places"]), "networks": sorted(e["networks"])} for e in by_sector.values()]
