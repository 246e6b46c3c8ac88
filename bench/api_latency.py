"""Latency and throughput of the values endpoint and layer downloads, against a baseline in the same run.

Starts the real app in its own process on 127.0.0.1, with a static folder holding the very same bytes as
each endpoint returns, and measures both with the same client, so the printed ratio shows what the
atlas's own work costs over just sending bytes. Bounded: a fixed number of requests per case.

    .venv/bin/python bench/api_latency.py [--requests 200] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from loadclient import ServerProcess, run_load

CASES = {
    "values gemeente json": "/api/v1/indicators/pct_higher_educated_15_75/values?level=gemeente&year=2022",
    "values provincie csv": "/api/v1/indicators/population/values?level=provincie&year=2022&format=csv",
    "layer provincie geojson": "/api/v1/layers/provincie?year=2022&indicators=population",
    "layer gemeente gpkg": "/api/v1/layers/gemeente?year=2022&indicators=population&format=gpkg",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    static_dir = Path(tempfile.mkdtemp(prefix="atlas-bench-"))
    print(f"{'case':26s} {'bytes':>9s} {'median ms':>10s} {'req/s':>8s} {'static ms':>10s} {'static r/s':>10s} {'ratio':>6s}")
    with ServerProcess(static_dir) as server:
        for name, path in CASES.items():
            body = server.get(path)
            static_name = name.replace(" ", "_")
            (static_dir / static_name).write_bytes(body)
            endpoint = run_load(server.port, [path], args.concurrency, 600, limit=args.requests)
            static = run_load(server.port, [f"/bench-static/{static_name}"], args.concurrency, 600, limit=args.requests)
            print(f"{name:26s} {len(body):9d} {endpoint.percentile(50):10.2f} {endpoint.throughput:8.1f} "
                  f"{static.percentile(50):10.2f} {static.throughput:10.1f} {static.throughput / endpoint.throughput:6.2f}")
    print("ratio = static throughput / endpoint throughput (1.0 means the endpoint costs no more than sending bytes)")


if __name__ == "__main__":
    main()
