"""A cold natural-breaks legend at wijk level, in a fresh server process, against a baseline in the same run.

Each case starts its own server (so nothing is cached but the build), asks for one wijk legend and times
that first answer: natural breaks (Fisher-Jenks over about 3,000 wijken), and as the baseline quantiles,
whose breaks cost next to nothing, so the ratio shows what natural breaks add to a cold legend. Target
(issue 13): the cold natural-breaks legend under 1 s. `--mapclassify` also times mapclassify's own
FisherJenks on the same values in-process, the path this replaced (about 10 s without Numba).

    .venv/bin/python bench/natural_breaks.py [--runs 3] [--mapclassify]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import urllib.request
import warnings
from pathlib import Path

from loadclient import ServerProcess

from atlas.data import load_atlas
from atlas.figures.values import indicator_values

INDICATOR, LEVEL = "kwb_pct_higher_educated", "wijk"


def cold_legend(method: str) -> float:
    """Seconds for the first legend of a freshly started server."""
    with ServerProcess(Path(tempfile.mkdtemp(prefix="atlas-bench-nb-"))) as server:
        start = time.perf_counter()
        with urllib.request.urlopen(f"{server.base}/api/v1/legend/{LEVEL}/{INDICATOR}?method={method}", timeout=120):
            return time.perf_counter() - start


def mapclassify_fisher_jenks() -> float:
    import mapclassify

    values = indicator_values(load_atlas(), INDICATOR, LEVEL).frame["value"].dropna().to_numpy(dtype=float)
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:  # recorded, and printed: the warning is the finding
        warnings.simplefilter("always")
        mapclassify.FisherJenks(values, k=5)
    elapsed = time.perf_counter() - start
    for warning in caught:
        print(f"  mapclassify warned: {warning.message}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3, help="fresh servers per method")
    parser.add_argument("--mapclassify", action="store_true", help="also time mapclassify.FisherJenks (slow)")
    args = parser.parse_args()
    load_atlas()  # build the cache once, so every server below only reads it
    medians = {}
    for method in ("quantiles", "natural_breaks"):
        runs = [cold_legend(method) for _ in range(args.runs)]
        medians[method] = statistics.median(runs)
        print(f"cold {LEVEL} legend {method:15s} median {medians[method] * 1000:7.0f} ms  "
              f"runs {', '.join(f'{r * 1000:.0f}' for r in runs)} ms")
    ratio = medians["natural_breaks"] / medians["quantiles"]
    verdict = "under" if medians["natural_breaks"] < 1 else "OVER"
    print(f"natural breaks / quantiles: {ratio:.2f}; natural breaks {verdict} the 1 s target")
    if args.mapclassify:
        elapsed = mapclassify_fisher_jenks()
        print(f"mapclassify FisherJenks alone: {elapsed * 1000:.0f} ms "
              f"({elapsed / medians['natural_breaks']:.0f}x the whole cold legend now)")


if __name__ == "__main__":
    main()
