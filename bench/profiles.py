"""Cold and warm region profiles in-process, for a sample of regions per level, against the computation they replace.

A cold profile starts from empty caches (a fresh set of the atlas's named caches), as the first visitor of a
region after a restart does; it reads the build's value table (atlas.figures.table). The baseline, measured in
the same run on the same regions, is the same profile computed without the table (a copy of the atlas without
it computes every value it shows, as profiles did before issue 15), and the ratio says how much the table saves.
The warm profile recomputes only the profile on cached values. Target (issue 15): a cold region profile under
50 ms.

    .venv/bin/python bench/profiles.py [--regions 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from collections.abc import Callable

from atlas.cache import AtlasCaches
from atlas.data import AtlasData, load_atlas
from atlas.figures.profiles import region_profile


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def sample(data: AtlasData, level: str, count: int) -> list[str]:
    """Evenly spaced codes of the latest boundary year, so small and large regions both appear."""
    codes = sorted(data.boundaries.get(level, data.boundaries.years(level)[-1])["code"])
    step = max(1, len(codes) // count)
    return codes[::step][:count]


def measure(data: AtlasData, computed: AtlasData, code: str) -> tuple[float, float, float]:
    """Seconds for a cold profile from the table, a warm one (values cached) and a cold one computed."""
    data.caches = AtlasCaches.from_settings()
    cold = timed(lambda: region_profile(data, code))
    data.caches = dataclasses.replace(AtlasCaches.from_settings(), values=data.caches.values)
    warm = timed(lambda: region_profile(data, code))
    computed.caches = AtlasCaches.from_settings()
    baseline = timed(lambda: region_profile(computed, code))
    return cold, warm, baseline


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--regions", type=int, default=3, help="regions per level")
    args = parser.parse_args()
    data = load_atlas()
    computed = dataclasses.replace(data)  # without the value table: every value computed
    for atlas in (data, computed):
        region_profile(atlas, sample(data, "provincie", 1)[0])  # first touch: crosswalk steps, imports
    print(f"{'level':<10} {'code':<10} {'cold ms':>9} {'warm ms':>9} {'computed ms':>12} {'computed/cold':>13}")
    colds, ratios = [], []
    for level in data.boundaries.levels():
        for code in sample(data, level, args.regions):
            cold, warm, baseline = measure(data, computed, code)
            colds.append(cold)
            ratios.append(baseline / cold)
            print(f"{level:<10} {code:<10} {cold * 1000:9.1f} {warm * 1000:9.1f} {baseline * 1000:12.1f} "
                  f"{baseline / cold:13.0f}")
    print(f"cold profile median {statistics.median(colds) * 1000:.1f} ms over {len(colds)} regions (target 50 ms); "
          f"median {statistics.median(ratios):.0f} times faster than computing it")


if __name__ == "__main__":
    main()
