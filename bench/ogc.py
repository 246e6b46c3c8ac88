"""OGC API - Features throughput on a real server: items pages, a bbox and single features, against baselines
measured in the same run.

Starts the app in its own process (bench/loadclient.py) and loads it from a lean keep-alive client. Every case
runs twice: every URL once first (none in the response cache yet; the layer's features were serialised, once per
layer and CRS, by the request listing them) and then the same URLs repeated for a few seconds. Baselines, same server and
client: the /api/v1/layers GeoJSON download of the very same features (compared per feature sent), and the
items page's own bytes served as a static file (what sending alone costs). Issue 15 measured tipg 1.6 on
PostGIS on this machine at 47 req/s for pages, 301 for a bbox around Utrecht and 759 for one feature.

    .venv/bin/python bench/ogc.py [--seconds 5] [--clients 1]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from loadclient import LoadResult, ServerProcess, run_load

COLLECTION, LEVEL, YEAR = "gemeente_2023", "gemeente", 2023
PAGE = 10
UTRECHT_BOX = "5.0,52.03,5.2,52.13"
ITEMS = f"/ogc/collections/{COLLECTION}/items"


def row(name: str, result: LoadResult, features_per_request: float, baseline: float | None = None) -> str:
    per_second = result.throughput * features_per_request
    ratio = f"{per_second / baseline:8.2f}" if baseline else f"{'':8s}"
    return (f"{name:44s} {result.throughput:9.1f} {result.percentile(50):8.2f} {result.percentile(99):8.2f} "
            f"{per_second:11.0f} {ratio} {result.errors:6d}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each repeated run")
    parser.add_argument("--clients", type=int, default=1, help="concurrent keep-alive connections")
    args = parser.parse_args()
    static_dir = Path(tempfile.mkdtemp(prefix="atlas-bench-ogc-"))
    with ServerProcess(static_dir) as server:
        codes = [f["id"] for f in json.loads(server.get(f"{ITEMS}?limit=1000"))["features"]]
        pages = [f"{ITEMS}?limit={PAGE}&offset={o}" for o in range(0, len(codes), PAGE)]
        features = [f"{ITEMS}/{code}" for code in codes]
        (static_dir / "page.json").write_bytes(server.get(pages[0]))
        layer = f"/api/v1/layers/{LEVEL}?year={YEAR}"
        server.get(layer)
        matched = json.loads(server.get(f"{ITEMS}?bbox={UTRECHT_BOX}&limit=1000"))["numberMatched"]
        repeat = args.seconds
        layer_run = run_load(server.port, [layer], args.clients, repeat)
        baseline = layer_run.throughput * len(codes)
        print(f"{args.clients} client(s); features/s compared with the {LEVEL} {YEAR} layer GeoJSON download "
              f"({len(codes)} features per request)")
        print(f"{'case':44s} {'req/s':>9s} {'p50 ms':>8s} {'p99 ms':>8s} {'features/s':>11s} {'ratio':>8s} {'errors':>6s}")
        print(row("layer GeoJSON (baseline)", layer_run, len(codes), baseline))
        print(row("static copy of one page", run_load(server.port, ["/bench-static/page.json"], args.clients, repeat),
                  PAGE, baseline))
        cases = [("items pages", pages, PAGE), (f"bbox Utrecht ({matched} features)",
                                                [f"{ITEMS}?bbox={UTRECHT_BOX}&limit={PAGE}"], min(PAGE, matched)),
                 ("single feature", features, 1)]
        for name, paths, count in cases:
            once = run_load(server.port, paths, args.clients, 600, limit=len(paths))
            print(row(f"{name}, every URL once", once, count, baseline))
            print(row(f"{name}, repeated", run_load(server.port, paths, args.clients, repeat), count, baseline))
    print("ratio = features per second against the layer download of the same features in this run")


if __name__ == "__main__":
    main()
