"""A summary of what the atlas holds: boundary years and counts, indicators, coverage gaps."""

from __future__ import annotations

from atlas.data import AtlasData
from atlas.figures.values import available_levels
from atlas.geography.places import KENNISSTEDEN_SOURCE, KINDS, ROMS_SOURCE, places
from atlas.geography.vocabulary import LEVELS
from atlas.imports.store import ImportStore
from atlas.networks.links import load_networks, network_summary
from atlas.settings import get_settings
from atlas.sources.citytotals import unplaced_cities


def atlas_summary(data: AtlasData) -> dict:
    """Everything `atlas info` prints, as plain data so the API's health page can reuse it."""
    boundaries = {
        level: {str(y): len(data.boundaries.layers[(level, y)]) for y in data.boundaries.years(level)}
        for level in LEVELS
    }
    derived = [
        {"level": lv, "year": y, "how": layer["derived"].iloc[0]}
        for (lv, y), layer in sorted(data.boundaries.layers.items()) if layer["derived"].iloc[0]
    ]
    observed = data.observations[data.observations["vintage"].notna() & data.observations["year"].notna()]
    gaps = [
        f"{level}: no boundaries for {', '.join(str(int(y)) for y in sorted(missing))}; "
        "figures of those years are drawn on the nearest held boundary year (their vintage basis says so)"
        for level, rows in observed.groupby("level")
        if (missing := set(rows["year"].astype(int)) - set(data.boundaries.years(level)))
    ]
    counts = data.observations.groupby("indicator").agg(
        rows=("indicator", "size"), missing=("missing_reason", "count"),
    )
    indicators = []
    for ind in data.catalogue.indicators.values():
        rows = data.observations_of(ind.id)
        years = sorted({int(y) for y in rows["year"].dropna()})
        map_levels = available_levels(data, ind)
        if not map_levels:
            gaps.append(f"{ind.id}: only at {', '.join(sorted(set(rows['level'])))} (no atlas boundaries)")
        indicators.append({
            "id": ind.id, "theme": ind.theme, "levels": sorted(set(rows["level"])), "map_levels": map_levels,
            "years": years, "rows": int(counts.loc[ind.id, "rows"]), "missing": int(counts.loc[ind.id, "missing"]),
            "aggregation": ind.aggregation, "origin": ind.origin,
        })
    networks = load_networks(data, get_settings().cache_dir / "networks")
    provenance = {n.name: sorted({link.provenance for link in n.links}) for n in networks if n.links}
    place_sources = {"kennisstad": KENNISSTEDEN_SOURCE, "campus": "indicators/campuses.csv", "rom": ROMS_SOURCE}
    unplaced = unplaced_cities(data.catalogue, data.observations, data.boundaries)
    return {
        "data_dir": str(data.data_dir), "data_version": data.version, "boundaries": boundaries,
        "derived_layers": derived, "sources": [c.__dict__ for c in data.boundaries.checks],
        "indicators": indicators, "coverage_gaps": gaps,
        "networks": {"topsectors": network_summary(networks), "provenance": provenance},
        "places": {k: {"count": len(places(data, k)["features"]), "source": place_sources[k]} for k in KINDS},
        "unplaced_cities": [u.__dict__ for u in unplaced],
        "imports": ImportStore(get_settings().cache_dir).records(),
    }


def format_summary(summary: dict) -> str:
    lines = [f"data folder   {summary['data_dir']}", f"data version  {summary['data_version']}", "", "boundaries (regions per year)"]
    for level, years in summary["boundaries"].items():
        lines.append(f"  {level:10s} " + "  ".join(f"{y}: {n}" for y, n in years.items()))
    for d in summary["derived_layers"]:
        lines.append(f"  derived: {d['level']} {d['year']} {d['how']}")
    lines += ["", f"indicators ({len(summary['indicators'])})"]
    for ind in summary["indicators"]:
        years = ind["years"]
        span = f"{years[0]}-{years[-1]} ({len(years)})" if years else "undated"
        lines.append(
            f"  {ind['id']:58s} {','.join(ind['map_levels']) or '-':28s} {span:16s} rows {ind['rows']:5d}"
            + (f"  missing {ind['missing']}" if ind["missing"] else "")
            + ("  (imported by the user)" if ind["origin"] != "shipped" else "")
        )
    lines += ["", "coverage gaps"] + [f"  {g}" for g in summary["coverage_gaps"]]
    lines += ["", "networks (topsector: links, places, files)"]
    for t in summary["networks"]["topsectors"]:
        kind = f"{t['measured_links']} measured" if t["measured_links"] else "qualitative"
        lines.append(f"  {t['id']:10s} {t['links']:3d} links {t['places']:3d} places  {kind:14s} {', '.join(t['networks'])}")
    for name, texts in summary["networks"]["provenance"].items():
        lines.append(f"  {name}: {len(texts)} provenance texts, on every link; e.g. {texts[-1][:110]}")
    lines += ["", "imported by the user (atlas indicators import, atlas points import; remove: atlas indicators remove)"]
    lines += [f"  {d['id']:30s} {d['kind']:7s} {d['version']}  {d['file']}: {', '.join(d['indicators'])}"
              for d in summary["imports"]] or ["  none"]
    lines += ["", "places"] + [f"  {k:11s} {v['count']:3d}  {v['source']}" for k, v in summary["places"].items()]
    by_indicator: dict[str, list[str]] = {}
    for u in summary["unplaced_cities"]:
        by_indicator.setdefault(u["indicator"], []).append(f"{u['city']} ({u['organisations']})")
    lines += ["", "city names not placed in a gemeente (organisation rows), never guessed"]
    same: dict[tuple[str, ...], list[str]] = {}
    for ind, cities in by_indicator.items():
        same.setdefault(tuple(cities), []).append(ind)
    lines += [f"  {', '.join(inds)}: {len(cities)} cities: {', '.join(cities)}" for cities, inds in same.items()]
    return "\n".join(lines)
