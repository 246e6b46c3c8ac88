"""Cold indicator values in-process, for a sample of indicator x level x year x boundary year, against the
computation they replace, measured in the same run.

Cold = empty caches (a fresh set of the atlas's named caches) before every key, so each answer is what the first
request for it after a restart costs: a slice of the build's value table (atlas.figures.table). The baseline is
the same key computed without the table (a copy of the atlas without it, as every values request did before
issue 15). Target (issue 15): cold values p50 under 10 ms.

    .venv/bin/python bench/values.py [--keys 60]
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics

from profiles import timed

from atlas.cache import AtlasCaches
from atlas.data import AtlasData, load_atlas
from atlas.errors import InvalidChoice
from atlas.figures.values import available_levels, available_years, indicator_values


def keys(data: AtlasData, count: int) -> list[tuple]:
    every = [(indicator.id, level, year, boundary_year)
             for indicator in data.catalogue.indicators.values() for level in available_levels(data, indicator)
             for year in available_years(data, indicator, level) for boundary_year in [None, *data.boundaries.years(level)]]
    return random.Random(15).sample(every, min(count, len(every)))


def cold(data: AtlasData, key: tuple) -> float:
    data.caches = AtlasCaches.from_settings()
    try:
        return timed(lambda: indicator_values(data, *key))
    except InvalidChoice:  # a refused key: not a values answer
        return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=60)
    args = parser.parse_args()
    data = load_atlas()
    computed = dataclasses.replace(data)  # without the value table
    table, baseline = [], []
    for key in keys(data, args.keys):
        t, b = cold(data, key), cold(computed, key)
        if t == t and b == b:
            table.append(t * 1000)
            baseline.append(b * 1000)
    p50, p50_base = statistics.median(table), statistics.median(baseline)
    print(f"{len(table)} keys, cold: table p50 {p50:.2f} ms, max {max(table):.2f} ms; computed p50 {p50_base:.1f} ms, "
          f"max {max(baseline):.1f} ms; p50 {p50_base / p50:.0f} times faster (target p50 10 ms)")


if __name__ == "__main__":
    main()
