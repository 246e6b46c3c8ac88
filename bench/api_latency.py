"""Latency and throughput of the values endpoint and layer downloads, against a baseline in the same run.

Starts the real app under uvicorn on 127.0.0.1, adds a static route serving the very same bytes as each
endpoint returns, and measures both with the same client, so the printed ratio shows what the atlas's
own work costs over just sending bytes. Bounded: a fixed number of requests per case.

    .venv/bin/python bench/api_latency.py [--requests 200] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from fastapi.staticfiles import StaticFiles

from api.app import create_app

CASES = {
    "values gemeente json": "/api/v1/indicators/pct_higher_educated_15_75/values?level=gemeente&year=2022",
    "values provincie csv": "/api/v1/indicators/population/values?level=provincie&year=2022&format=csv",
    "layer provincie geojson": "/api/v1/layers/provincie?year=2022&indicators=population",
    "layer gemeente gpkg": "/api/v1/layers/gemeente?year=2022&indicators=population&format=gpkg",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _measure(base: str, path: str, requests: int, concurrency: int) -> tuple[float, float]:
    """Median latency (ms) and throughput (req/s); no If-None-Match, so every request is served in full."""
    latencies: list[float] = []
    queue = list(range(requests))
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        async def worker() -> None:
            while queue:
                queue.pop()
                start = time.perf_counter()
                response = await client.get(path)
                response.raise_for_status()
                latencies.append((time.perf_counter() - start) * 1000)
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return statistics.median(latencies), requests / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    static_dir = Path(tempfile.mkdtemp(prefix="atlas-bench-"))
    app = create_app()
    app.mount("/bench-static", StaticFiles(directory=static_dir))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    print(f"{'case':26s} {'bytes':>9s} {'median ms':>10s} {'req/s':>8s} {'static ms':>10s} {'static r/s':>10s} {'ratio':>6s}")
    for name, path in CASES.items():
        body = httpx.get(base + path, timeout=60).content
        static_name = name.replace(" ", "_")
        (static_dir / static_name).write_bytes(body)
        median, rate = asyncio.run(_measure(base, path, args.requests, args.concurrency))
        s_median, s_rate = asyncio.run(_measure(base, f"/bench-static/{static_name}", args.requests, args.concurrency))
        print(f"{name:26s} {len(body):9d} {median:10.2f} {rate:8.1f} {s_median:10.2f} {s_rate:10.1f} {s_rate / rate:6.2f}")
    print("ratio = static throughput / endpoint throughput (1.0 means the endpoint costs no more than sending bytes)")
    server.should_exit = True


if __name__ == "__main__":
    main()
