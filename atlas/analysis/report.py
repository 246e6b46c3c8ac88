"""The command line's view of an analysis: run one from parsed arguments, and say its headline in one line."""

from __future__ import annotations

import argparse

from atlas.analysis import clusters
from atlas.analysis.bivariate import correlation
from atlas.analysis.concentration import concentration
from atlas.data import AtlasData


def run_analysis(data: AtlasData, args: argparse.Namespace) -> dict:
    if args.analysis == "concentration":
        return concentration(data, args.indicator, args.level, args.year, args.boundary_year, args.top)
    if args.analysis == "clusters":
        result = clusters.clusters(data, args.indicator, args.level, args.year, args.boundary_year, args.weights,
                                   args.k, args.permutations, args.per)
        return clusters.summary(result, args.alpha)
    return correlation(data, args.indicator, args.other, args.level, args.year, args.other_year, args.boundary_year,
                       args.per, args.other_per)


def headline(analysis: str, r: dict) -> str:
    if analysis == "concentration":
        return (f"{r['measured']} ({r['unit']}), {r['level']} {r['year']} on {r['boundary_year']} boundaries: "
                f"{r['regions_holding_half']} of {r['regions']} regions hold half of {r['total']:,.0f}; "
                f"top {r['top_n']} hold {r['top_share']:.1%}; Gini {r['gini']:.3f}, Theil {r['theil']:.3f}; "
                f"{r['missing_left_out']} regions without a value left out")
    if analysis == "clusters":
        m = r["moran"]
        counts = ", ".join(f"{k} {v}" for k, v in r["counts"].items())
        return (f"{r['indicator']} ({r['unit']}), {r['level']} {r['year']}: Moran's I {m['I']:.3f} "
                f"(pseudo p {m['p_sim']:.4f}, {r['permutations']} permutations, seed {r['seed']}, {r['weights']['kind']} "
                f"weights, n {m['n']}); LISA at p < {r['alpha']}: {counts}")
    return (f"{r['x']['indicator']} ({r['x']['unit']}, {r['x']['year']}) and {r['y']['indicator']} ({r['y']['unit']}, "
            f"{r['y']['year']}) on {r['level']} {r['boundary_year']}: n {r['n']}; Pearson {r['pearson']['r']:.3f} "
            f"(p {r['pearson']['p']:.2g}), Spearman {r['spearman']['rho']:.3f} (p {r['spearman']['p']:.2g}); "
            f"fitted y = {r['line']['slope']:.4g} x + {r['line']['intercept']:.4g}")
