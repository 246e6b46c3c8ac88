"""Cold answers as the first visitors after a restart meet them: every URL once, at 1 and at 32 connections.

Issue 15's targets for cold requests, measured against a real server in its own process (bench/serve.py),
restarted before every run, loaded from a separate client process with `Accept-Encoding: gzip`:
- every gemeente's region profile (`/api/v1/regions/{code}`): under 50 ms alone, p99 under 200 ms at 32
  connections, no 503;
- values of every indicator at every level it has (latest year): p50 under 10 ms;
- the OGC items pages of the gemeenten and every single feature;
- the full gemeente layer in every download format: under 100 ms cold, and the same layer asked by 32
  connections at once (one computation per worker, the rest wait for it);
and for each set, throughput at 32 connections against 1 (target: at least 1.0). The baseline of every run is
the health endpoint (no cache, no computation) of the same server, the same number of times. A cold run lasts a
second or two, so one slow spell of a shared machine decides it: each set runs `--repeat` times at each count,
taking turns, and the summary gives medians and the 32/1 ratio of each pair of runs.

    PYTHONPATH=. .venv/bin/python bench/cold.py [--workers 1] [--only profiles] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path

from loadclient import LoadResult, ServerProcess, run_once

from api.settings import ApiSettings

GZIP = {"Accept-Encoding": "gzip"}
FORMATS = ("geojson", "gpkg", "csv", "topojson", "geoparquet", "flatgeobuf", "xlsx")


def url_sets(server: ServerProcess) -> dict[str, list[str]]:
    regions = json.loads(server.get("/api/v1/regions?level=gemeente"))
    codes = [r["code"] for r in regions["regions"]]
    values = [f"/api/v1/indicators/{indicator['id']}/values?level={level}"
              for indicator in json.loads(server.get("/api/v1/indicators")) for level in indicator["map_levels"]]
    collection = f"/ogc/collections/gemeente_{regions['year']}/items"
    return {
        f"profiles, {len(codes)} gemeenten": [f"/api/v1/regions/{code}" for code in codes],
        f"values, {len(values)} indicator x level": values,
        "OGC items pages of 10": [f"{collection}?limit=10&offset={o}" for o in range(0, len(codes), 10)],
        f"OGC single features, {len(codes)}": [f"{collection}/{code}" for code in codes],
        "gemeente layer, each format once": [f"/api/v1/layers/gemeente?format={f}" for f in FORMATS],
        "gemeente geojson, 32 identical at once": ["/api/v1/layers/gemeente?format=geojson"] * 32,
    }


def line(name: str, clients: int, result: LoadResult, health: LoadResult) -> str:
    statuses = ",".join(f"{s}:{n}" for s, n in sorted(result.statuses.items()))
    return (f"{name:42s} {clients:4d} {result.throughput:9.1f} {result.percentile(50):8.1f} "
            f"{result.percentile(99):8.1f} {max(result.latencies_ms):8.1f}  {statuses:14s} "
            f"{result.throughput / health.throughput:9.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=ApiSettings().workers,
                        help="ATLAS_WORKERS of the server (default: the server's own, one per core)")
    parser.add_argument("--only", default="", help="run only sets whose name contains this text")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each set at each connection count, 1 and 32 taking turns (medians reported)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="atlas-bench-cold-"))
    env = {"ATLAS_WORKERS": str(args.workers)}
    with ServerProcess(folder, env) as server:
        sets = url_sets(server)
    print(f"atlas workers {args.workers}; every URL once after a restart, gzip accepted; {args.repeat} runs each")
    print(f"{'set':42s} {'conn':>4s} {'req/s':>9s} {'p50 ms':>8s} {'p99 ms':>8s} {'max ms':>8s}  {'statuses':14s} "
          f"{'/health':>9s}")
    for name, paths in sets.items():
        if args.only not in name:
            continue
        counts = (1, 32) if len(set(paths)) > 1 else (32,)
        runs: dict[int, list[LoadResult]] = {clients: [] for clients in counts}
        for run in range(args.repeat):
            for clients in counts:  # taking turns, so a slow spell of this shared machine hits both counts alike
                with ServerProcess(folder, env) as server:
                    health = run_once(server.port, ["/api/v1/health"] * len(paths), clients, headers=GZIP)
                with ServerProcess(folder, env) as server:
                    result = run_once(server.port, paths, clients, headers=GZIP)
                runs[clients].append(result)
                print(line(name, clients, result, health), flush=True)
                if run == 0 and clients == 1 and len(paths) <= len(FORMATS):  # in order: each URL's time
                    for path, latency in zip(paths, result.latencies_ms):
                        print(f"{'':42s} {latency:8.1f} ms  {path}")
        print(summary(runs))


def summary(runs: dict[int, list[LoadResult]]) -> str:
    """Medians over the runs; the 32/1 ratio per pair of runs made one after the other, then their median."""
    parts = [f"{clients} conn: median {statistics.median(r.throughput for r in results):.1f} req/s, "
             f"p50 {statistics.median(r.percentile(50) for r in results):.1f} ms, "
             f"p99 {statistics.median(r.percentile(99) for r in results):.1f} ms"
             for clients, results in runs.items()]
    if len(runs) == 2:
        ratios = [b.throughput / a.throughput for a, b in zip(runs[1], runs[32])]
        parts.append(f"32/1 per run {', '.join(f'{r:.2f}' for r in ratios)}: median {statistics.median(ratios):.2f}")
    return f"{'':42s} " + "; ".join(parts)


if __name__ == "__main__":
    main()
