"""Cold and warm region profiles in-process, for a sample of regions per level, against baselines of the same run.

A cold profile starts from empty caches (a fresh set of the atlas's named caches: no values, references
or profiles kept), so it computes every indicator value it shows, as the first visitor of a region after
a restart does. The warm profile recomputes only the profile and its references on cached values, which
is what the lookups themselves cost. The baseline is one boolean scan of the observations table
(``observations["code"] == code``), the per-indicator operation the profiles used to repeat; the ratio
says how many such scans a profile costs. Target (issue 15): a cold region profile under 50 ms.

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


def measure(data: AtlasData, code: str) -> tuple[float, float, float]:
    """Seconds for a cold profile, a warm one (values cached) and the baseline scan, for one region."""
    data.caches = AtlasCaches.from_settings()
    cold = timed(lambda: region_profile(data, code))
    data.caches = dataclasses.replace(AtlasCaches.from_settings(), values=data.caches.values)
    warm = timed(lambda: region_profile(data, code))
    scan = timed(lambda: data.observations["code"] == code)
    return cold, warm, scan


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--regions", type=int, default=3, help="regions per level")
    args = parser.parse_args()
    data = load_atlas()
    region_profile(data, sample(data, "provincie", 1)[0])  # first touch: crosswalk steps, imports
    print(f"{'level':<10} {'code':<10} {'cold ms':>9} {'warm ms':>9} {'scan ms':>8} {'cold/warm':>9} {'cold/scan':>9}")
    colds = []
    for level in data.boundaries.levels():
        for code in sample(data, level, args.regions):
            cold, warm, scan = measure(data, code)
            colds.append(cold)
            print(f"{level:<10} {code:<10} {cold * 1000:9.1f} {warm * 1000:9.1f} {scan * 1000:8.2f} "
                  f"{cold / warm:9.1f} {cold / scan:9.0f}")
    print(f"cold profile median {statistics.median(colds) * 1000:.1f} ms over {len(colds)} regions (target 50 ms)")


if __name__ == "__main__":
    main()
