"""A summary of what the atlas holds: boundary years and counts, indicators, coverage gaps."""

from __future__ import annotations

from atlas.data import AtlasData
from atlas.figures.values import available_levels
from atlas.geography.places import KENNISSTEDEN_SOURCE, KINDS, ROMS_SOURCE, places
from atlas.geography.vocabulary import LEVELS
from atlas.imports.store import ImportStore
from atlas.networks.links import load_networks, network_summary, skipped_network_files
from atlas.networks.measured import BUILTIN, coverage, dataset, load_datasets, placement, unplaced
from atlas.settings import get_settings
from atlas.sources.participation_totals import indicator_rows_of_year, year_coverage


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
    networks_dir = get_settings().cache_dir / "networks"
    networks = load_networks(data, networks_dir)
    provenance = {n.name: sorted({link.provenance for link in n.links}) for n in networks if n.links}
    place_sources = {"kennisstad": KENNISSTEDEN_SOURCE, "campus": "indicators/campuses.csv", "rom": ROMS_SOURCE}
    cordis = dataset(data, networks_dir, BUILTIN)
    placed = placement(data, cordis, data.boundaries.years("gemeente")[-1])
    coverage_by_indicator = {
        ind.id: {str(y): year_coverage(indicator_rows_of_year(ind, cordis.frame, y),
                                       placement(data, cordis, data.boundaries.nearest_year("gemeente", y)))
                 for y in ind.years}
        for ind in data.catalogue.indicators.values() if ind.derivation}
    measured = {"dataset": BUILTIN, "boundary_year": placed.boundary_year, "coverage": coverage(cordis, placed),
                "imported": sorted(set(load_datasets(data, networks_dir).tables) - {BUILTIN}),
                "skipped_files": load_datasets(data, networks_dir).skipped}
    return {
        "data_dir": str(data.data_dir), "data_version": data.version, "boundaries": boundaries,
        "derived_layers": derived, "sources": [c.__dict__ for c in data.boundaries.checks],
        "indicators": indicators, "coverage_gaps": gaps,
        "networks": {"topsectors": network_summary(networks), "provenance": provenance, "measured": measured,
                     "skipped_files": skipped_network_files(data, networks_dir)},
        "places": {k: {"count": len(places(data, k)["features"]), "source": place_sources[k]} for k in KINDS},
        "unplaced_organisations": unplaced(data, cordis, placed), "placement_coverage": coverage_by_indicator,
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
    measured = summary["networks"]["measured"]
    cov = measured["coverage"]
    lines += ["", f"measured networks: {measured['dataset']} placed on the gemeenten of {measured['boundary_year']}: "
              f"organisations {cov['organisations']:,}/{cov['organisations_total']:,}, participations "
              f"{cov['participations']:,}/{cov['participations_total']:,}, EUR {cov['money']:,.0f}/{cov['money_total']:,.0f}"
              + (f"; imported: {', '.join(measured['imported'])}" if measured["imported"] else "")]
    for name, problems in {**summary["networks"]["skipped_files"], **measured["skipped_files"]}.items():
        lines.append(f"  skipped file {name}: {problems[0]}" + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""))
    for ind, years in summary["placement_coverage"].items():
        lines.append(f"  {ind}: participations placed per year (own boundaries): " + ", ".join(
            f"{y} {c['participations']}/{c['participations_total']}" for y, c in years.items()))
    rows = summary["unplaced_organisations"]
    no_city = [r for r in rows if not r["city"]]
    lines += [f"organisations not placed in a gemeente ({len(rows)}), never guessed: {len(no_city)} with no city in the "
              f"source ({sum(r['participations'] for r in no_city):,} participations, "
              f"EUR {sum(r['money'] for r in no_city):,.0f}); with a city:"]
    lines += [f"  {r['pic']} {r['name'] or '-'} ({r['city']} {r['postcode'] or ''}): {r['participations']} participations, "
              f"EUR {r['money']:,.0f}; {r['reason']}"
              + (f"; may lie in {', '.join(g['name'] for g in r['may_lie_in'])}" if r["may_lie_in"] else "")
              for r in rows if r["city"]]
    return "\n".join(lines)
