"""Tile pyramid build time: `atlas tiles export` of one indicator at gemeente level, zoom 5-12, MVT and PNG, end to
end in a process of its own as a user runs it (loading the built atlas included), against loading the atlas alone
(`atlas info`) in the same run, so the ratio shows what the tiles cost beyond the fixed start. Target (issue 15):
under a minute.

    .venv/bin/python bench/pyramid.py [--indicator pct_higher_educated_15_75] [--level gemeente] [--max-zoom 12]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(*args: str) -> tuple[float, str]:
    """Wall seconds and standard output of one `atlas` command."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "atlas.cli", *args], capture_output=True, text=True, check=True)
    return time.perf_counter() - start, result.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--indicator", default="pct_higher_educated_15_75")
    parser.add_argument("--level", default="gemeente")
    parser.add_argument("--min-zoom", default="5")
    parser.add_argument("--max-zoom", default="12")
    args = parser.parse_args()
    timed("info", "--json")  # builds the cache if it is missing, so neither timing below includes that
    load_s, _ = timed("info", "--json")
    with tempfile.TemporaryDirectory() as folder:
        export_s, printed = timed("tiles", "export", "--indicator", args.indicator, "--level", args.level,
                                  "--min-zoom", args.min_zoom, "--max-zoom", args.max_zoom, "-o", folder)
        sizes = {path.name: path.stat().st_size for path in Path(folder).iterdir()}
    print(printed, end="")
    print(f"{args.indicator} at {args.level}, z{args.min_zoom}-{args.max_zoom}, MVT and PNG: "
          f"{export_s:.1f} s end to end (target < 60 s); {sum(sizes.values()) / 1e6:.1f} MB in {len(sizes)} archives")
    print(f"baseline, loading the atlas alone (atlas info): {load_s:.1f} s; export / load = {export_s / load_s:.2f}")


if __name__ == "__main__":
    main()
