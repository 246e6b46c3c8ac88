"""Server memory after many distinct `breaks=` legends, against the same number of repeated requests.

Two fresh servers in the same run: one gets N legend requests that all differ in `breaks=` (each a new
classification and a new response to cache), the baseline gets N requests for one URL (all cache hits).
Both report resident memory growth (VmRSS of the server process); the difference is what the caches
keep, which must stay within the bounds in settings (atlas.cache.CacheSettings for the core,
api.caching.HttpCacheSettings for responses; ATLAS_CACHE_* and ATLAS_HTTP_* override them, also here).

    .venv/bin/python bench/memory.py [--requests 10000] [--clients 4]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from loadclient import ServerProcess, run_load

from api.caching import HttpCacheSettings
from atlas.cache import CacheSettings
from atlas.data import load_atlas

LEGEND = "/api/v1/legend/provincie/kwb_pct_higher_educated"
MiB = 2**20


def rss(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) * 1024


def growth(paths: list[str], requests: int, clients: int) -> int:
    with ServerProcess(Path(tempfile.mkdtemp(prefix="atlas-bench-mem-"))) as server:
        assert server.process is not None
        run_load(server.port, [f"{LEGEND}?breaks=1"], 1, 600, limit=50)  # warm up the code paths and values
        before = rss(server.process.pid)
        result = run_load(server.port, paths, clients, 600, limit=requests)
        if result.errors:
            raise RuntimeError(f"{result.errors} failed requests: {result.statuses}")
        return rss(server.process.pid) - before


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    load_atlas()  # build the cache once, so both servers only read it
    core, http = CacheSettings(), HttpCacheSettings()
    bound = core.max_bytes() + http.responses.max_bytes
    distinct = [f"{LEGEND}?breaks={30 + i / 100_000:.5f}" for i in range(args.requests)]
    grown = growth(distinct, args.requests, args.clients)
    baseline = growth([f"{LEGEND}?breaks=30"], args.requests, args.clients)
    print(f"{args.requests} requests, distinct breaks: RSS +{grown / MiB:.1f} MiB; one URL: +{baseline / MiB:.1f} MiB")
    print(f"difference {(grown - baseline) / MiB:.1f} MiB; ratio {grown / max(baseline, MiB):.1f}x the baseline "
          f"(floored at 1 MiB); bound in settings {bound / MiB:.0f} MiB (classifications "
          f"{core.classifications.entries} entries / {core.classifications.mb:g} MiB, responses "
          f"{http.responses.entries} entries / {http.responses.mb:g} MiB)")


if __name__ == "__main__":
    main()
