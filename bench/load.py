"""Mixed load on the real server: tiles, values, region profiles and layer downloads, for a fixed time.

The workload repeats a fixed list (70 % tiles at zoom 6-12, 15 % values, 10 % profiles, 5 % layer
downloads), so runs compare. Each level of concurrency runs for `--seconds` after one warm-up pass.
Prints throughput, p50/p95/p99 latency and errors; target (issue 7): zero errors, p99 < 100 ms at 64
clients. The same server also serves one PNG tile as a static file as the baseline of this run.

Then the full gemeente GeoJSON layer as browsers and QGIS ask for it (``Accept-Encoding: gzip``) against the
same layer uncompressed, warm, at 1 and 32 connections; with ``--baseline DIR`` also from a server running
another checkout's code, for a new/baseline ratio (issue 15: gzip must not cost a compression per request).

    .venv/bin/python bench/load.py [--seconds 10] [--clients 8,32,64] [--baseline ../main] [--only-gzip]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from loadclient import ServerProcess, run_load
from tiles import GZIP, INDICATOR, LEVEL, server_process, tile_list

from atlas.data import load_atlas
from atlas.settings import get_settings

VALUES = [f"/api/v1/indicators/{i}/values?level={lv}" for i in ("kwb_pct_higher_educated", "kwb_population",
          "h2020_organisations") for lv in ("provincie", "corop", "gemeente")]
PROFILES = [f"/api/v1/regions/{code}" for code in ("GM0363", "GM0344", "GM0772", "GM0518", "CR17", "PV27", "PV30",
                                                   "GM0289", "GM0153", "GM0935")]
LAYERS = ["/api/v1/layers/provincie?simplify=500", "/api/v1/layers/corop?year=2022&simplify=250&indicators=kwb_population"]


def workload(tiles: list[tuple[int, int, int]]) -> list[str]:
    tile_paths = [f"/api/v1/tiles/{LEVEL}/{INDICATOR}/{z}/{x}/{y}.png" for z, x, y in tiles]
    mix: list[str] = []
    for i in range(200):  # 140 tiles, 30 values, 20 profiles, 10 layers per round
        mix += tile_paths[(i * 7) % len(tile_paths):][:1] if i % 10 < 7 else []
        if i % 20 in (7, 8, 9):
            mix.append(VALUES[i % len(VALUES)])
        if i % 10 == 7 and i % 20 != 7:
            mix.append(PROFILES[i % len(PROFILES)])
        if i % 20 == 19:
            mix.append(LAYERS[(i // 20) % len(LAYERS)])
    return mix


def gzip_layer(code: Path | None, seconds: float) -> float:
    """Warm req/s of the gzip-compressed gemeente layer at 32 connections; prints 1 and 32 against identity."""
    layer = f"/api/v1/layers/{LEVEL}"
    with server_process(code) as server:
        run_load(server.port, [layer], 1, 600, limit=1, headers=GZIP)  # stored once
        found = 0.0
        for clients in (1, 32):
            zipped = run_load(server.port, [layer], clients, seconds, headers=GZIP)
            plain = run_load(server.port, [layer], clients, seconds)
            print(f"  layer gzip     {clients:2d} conn: {zipped.summary()}")
            print(f"  layer identity {clients:2d} conn: {plain.summary()}  (gzip/identity throughput "
                  f"{zipped.throughput / plain.throughput:.2f})")
            found = zipped.throughput
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", default="8,32,64")
    parser.add_argument("--baseline", type=Path, help="another checkout whose server serves the gzip layer too")
    parser.add_argument("--only-gzip", action="store_true", help="only the gzip layer part")
    args = parser.parse_args()
    new = gzip_layer(None, args.seconds / 2)
    if args.baseline:
        print(f"baseline code from {args.baseline}:")
        print(f"gzip layer at 32 connections, new/baseline throughput {new / gzip_layer(args.baseline, args.seconds / 2):.1f}")
    if args.only_gzip:
        return
    paths = workload(tile_list(load_atlas(get_settings())))
    kinds = {k: sum(1 for p in paths if f"/{k}/" in p) for k in ("tiles", "indicators", "regions", "layers")}
    print(f"workload of {len(paths)} requests per round: {kinds}")
    static_dir = Path(tempfile.mkdtemp(prefix="atlas-bench-load-"))
    with ServerProcess(static_dir) as server:
        (static_dir / "tile.png").write_bytes(server.get(paths[0]))
        run_load(server.port, paths, 8, 600, limit=len(paths))  # warm-up: every distinct request once
        for clients in (int(c) for c in args.clients.split(",")):
            mixed = run_load(server.port, paths, clients, args.seconds)
            static = run_load(server.port, ["/bench-static/tile.png"], clients, args.seconds / 2)
            print(f"{clients:3d} clients  mixed: {mixed.summary()}")
            print(f"{clients:3d} clients  static tile file: {static.summary()}  (mixed/static throughput "
                  f"{mixed.throughput / static.throughput:.2f})")


if __name__ == "__main__":
    main()
