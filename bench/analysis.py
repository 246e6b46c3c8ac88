"""Permutation inference for spatial clusters at gemeente level, against baselines measured in the same run.

The costly part of the clusters view is Moran's I and local Moran with 999 permutations each. This times, in
process and on the real data: the baseline (the same figures and queen weights with Moran's I and local
Moran computed without any permutation), the whole cold computation with 999 permutations (bypassing the
cache), and the same request answered from the bounded `analyses` cache. Target (issue 20): the cold
computation under 2 s at gemeente level on this machine.

    .venv/bin/python bench/analysis.py [--runs 5] [--level gemeente] [--permutations 999]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from esda.moran import Moran, Moran_Local

from atlas.analysis import clusters
from atlas.analysis.inputs import figures
from atlas.data import load_atlas

INDICATOR, YEAR = "kwb_pct_higher_educated", 2022


def timed(action: Callable[[], object], runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--level", default="gemeente")
    parser.add_argument("--permutations", type=int, default=999)
    args = parser.parse_args()
    data = load_atlas()
    found = figures(data, INDICATOR, args.level, YEAR)
    codes = list(found.present.index)
    y = found.present.to_numpy(dtype=float)
    print(f"{INDICATOR} {YEAR}, {len(codes)} {args.level} regions with a value, {args.permutations} permutations")

    def baseline() -> None:
        w, _ = clusters.spatial_weights(data, args.level, found.values.boundary_year, codes, "queen", 6)
        Moran(y, w, permutations=0)
        Moran_Local(y, w, permutations=0)

    def cold() -> None:
        clusters._compute(data, INDICATOR, args.level, YEAR, None, "queen", 6, args.permutations, "none", ("bench",))

    def cached() -> None:
        clusters.clusters(data, INDICATOR, args.level, YEAR, None, "queen", 6, args.permutations)

    cached()  # fill the cache once
    results = {name: timed(action, args.runs) for name, action in
               (("baseline (no permutations)", baseline), ("cold, with permutations", cold), ("cached", cached))}
    for name, (median, runs) in results.items():
        print(f"  {name:28s} median {median * 1000:8.1f} ms  runs {', '.join(f'{r * 1000:.0f}' for r in runs)} ms")
    base, full, warm = (results[k][0] for k in results)
    print(f"cold / baseline: {full / base:.1f}x (the permutations add {max(full - base, 0) * 1000:.0f} ms); "
          f"cached / cold: {warm / full:.5f}")
    print(f"cold permutations {'under' if full < 2 else 'OVER'} the 2 s target ({full:.2f} s)")


if __name__ == "__main__":
    main()
