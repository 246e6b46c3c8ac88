"""Tile speed as users meet it: cold tiles from a freshly started server, every tile once, gzip on.

1. In-process: cold render per tile (the HTTP response cache out of the way, per-zoom geometry prepared),
   for the tiles holding the 13 kennissteden at zoom 6-12 (a fixed list, so runs compare).
2. Against a server in its own process, restarted before every cold run, loaded by this process as the
   client, with ``Accept-Encoding: gzip``: every tile covering the country once at z7-z10 and at z6-z12
   (MVT and PNG), at 1 and at 32 connections; then the same tiles repeated (warm) for a few seconds; and
   the health endpoint (no cache, no rendering) as the baseline of each server. Prints throughput and
   p50/p99, and the ratios: 32 connections against 1, cold against warm, cold against health.
3. Memory over empty tiles: the server's RSS before and after 4,000 distinct addresses over the sea.

With ``--baseline DIR`` parts 2 and 3 run a second time with the server's code from another checkout
(e.g. the main branch) in the same run, and print new/baseline ratios. Targets (issue 15): cold tiles at
32 connections at least the throughput of 1, p99 under 300 ms at 16 connections.

    .venv/bin/python bench/tiles.py [--baseline ../main] [--formats mvt,png] [--connections 1,32]
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

import morecantile
from loadclient import LoadResult, ServerProcess, median_p95, run_load, run_once

from atlas.data import load_atlas
from atlas.render.classify import ClassRequest
from atlas.render.tilegrid import TileAddress, bounds_wgs84, tile_containing
from atlas.render.tiles import TileRequest, get_tile
from atlas.settings import get_settings

LEVEL, INDICATOR, ZOOMS = "gemeente", "kwb_population", range(6, 13)
KENNISSTEDEN = ("Amsterdam", "Rotterdam", "'s-Gravenhage", "Utrecht", "Eindhoven", "Delft", "Tilburg", "Enschede",
                "Groningen", "Maastricht", "Nijmegen", "Leiden", "Wageningen")
COLD_SETS = {"z7-10": range(7, 11), "z6-12": range(6, 13)}
GZIP = {"Accept-Encoding": "gzip"}
SEA = (3.0, 53.4)  # North Sea, north-west of Den Helder: no region for tens of kilometres


def tile_list(data) -> list[tuple[int, int, int]]:
    layer = data.boundaries.get(LEVEL, data.boundaries.years(LEVEL)[-1])
    points = layer.set_index("name").loc[list(KENNISSTEDEN)].geometry.representative_point()
    return sorted({(z, *tile_containing(p.x, p.y, z)) for z in ZOOMS for p in points})


def country_tiles(bounds: list[float], zooms: range, tile_format: str) -> list[str]:
    """Every tile covering the country's extent at these zooms, in a fixed shuffled order (as map clients
    scatter them over the server), as URLs."""
    west, south, east, north = bounds
    tiles = sorted(morecantile.tms.get("WebMercatorQuad").tiles(west, south, east, north, list(zooms)))
    random.Random(15).shuffle(tiles)
    return [f"/api/v1/tiles/{LEVEL}/{INDICATOR}/{t.z}/{t.x}/{t.y}.{tile_format}" for t in tiles]


def cold_in_process(data, tiles: list[tuple[int, int, int]], tile_format: str, scale: int) -> list[float]:
    timings = []
    for z, x, y in tiles:
        request = TileRequest(INDICATOR, LEVEL, None, ClassRequest(), TileAddress(z, x, y, scale), tile_format)
        start = time.perf_counter()
        get_tile(data, request)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def in_process(data) -> None:
    tiles = tile_list(data)
    print(f"in-process: {len(tiles)} tiles, {LEVEL} {INDICATOR}, zoom {ZOOMS.start}-{ZOOMS.stop - 1}")
    for tile_format in ("png", "mvt"):  # classification, palette and per-zoom geometry, built once per zoom
        cold_in_process(data, [min(t for t in tiles if t[0] == z) for z in ZOOMS], tile_format, 1)
    for label, tile_format, scale in (("png 256", "png", 1), ("png 512", "png", 2), ("mvt", "mvt", 1)):
        median, p95 = median_p95(cold_in_process(data, tiles, tile_format, scale))
        print(f"  cold {label:8s} median {median:6.2f} ms  p95 {p95:6.2f} ms")


def server_process(code: Path | None) -> ServerProcess:
    """A server running this checkout's code, or `code`'s (with that checkout's built cache)."""
    env = {"PYTHONPATH": str(code), "ATLAS_CACHE_DIR": str(code / ".cache" / "atlas")} if code else {}
    return ServerProcess(Path(tempfile.mkdtemp(prefix="atlas-bench-tiles-")), env)


def _line(label: str, result: LoadResult) -> str:
    return f"  {label:34s} {result.summary()}"


def served(bounds: list[float], sets: list[str], formats: list[str], connections: list[int], warm_s: float,
           code: Path | None) -> dict[tuple[str, str, int], float]:
    """Cold throughput per (set, format, connections); prints every run and its ratios."""
    cold: dict[tuple[str, str, int], float] = {}
    for name in sets:
        zooms = COLD_SETS[name]
        for tile_format in formats:
            paths = country_tiles(bounds, zooms, tile_format)
            for clients in connections:
                with server_process(code) as server:
                    health = run_load(server.port, ["/api/v1/health"], clients, 2)
                    first = run_once(server.port, paths, clients, GZIP)
                    warm = run_load(server.port, paths, clients, warm_s, headers=GZIP)
                label = f"{name} {tile_format} x{len(paths)} {clients:2d} conn"
                print(_line(f"{label} cold", first))
                print(_line(f"{label} warm", warm))
                print(_line(f"{label} health", health))
                print(f"  {'':34s} cold/warm {first.throughput / warm.throughput:.3f}  "
                      f"cold/health {first.throughput / health.throughput:.3f}")
                cold[(name, tile_format, clients)] = first.throughput
            low, high = min(connections), max(connections)
            if low != high:
                print(f"  {name} {tile_format}: cold throughput at {high} connections / at {low}: "
                      f"{cold[(name, tile_format, high)] / cold[(name, tile_format, low)]:.2f}")
    return cold


def empty_tile_memory(code: Path | None, count: int = 6000) -> float:
    """KiB of server memory per distinct empty tile requested (sea at zoom 14-16)."""
    paths = []
    for z in (14, 15, 16):
        x, y = tile_containing(*SEA, z)
        paths += [f"/api/v1/tiles/{LEVEL}/{INDICATOR}/{z}/{x + i % 40}/{y + i // 40}.{f}"
                  for i in range(count // 6) for f in ("mvt", "png")]
    with server_process(code) as server:
        run_once(server.port, paths[::count // 6], 4)  # classification and each zoom's geometry: not measured
        before = server.rss_mb()
        result = run_once(server.port, paths, 8)
        after = server.rss_mb()
    per_tile = (after - before) * 1024 / len(paths)
    print(f"  {len(paths)} empty tiles: {result.summary()}")
    print(f"  server RSS {before:.0f} -> {after:.0f} MB: {per_tile:.2f} KiB per empty address")
    return per_tile


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", type=Path, help="another checkout whose server runs the same tests")
    parser.add_argument("--formats", default="mvt,png")
    parser.add_argument("--sets", default=",".join(COLD_SETS), help="cold tile sets to run")
    parser.add_argument("--connections", default="1,32")
    parser.add_argument("--warm-seconds", type=float, default=3)
    parser.add_argument("--skip-in-process", action="store_true")
    args = parser.parse_args()
    data = load_atlas(get_settings())
    if not args.skip_in_process:
        in_process(data)
    bounds, formats = bounds_wgs84(data), args.formats.split(",")
    connections = [int(c) for c in args.connections.split(",")]
    del data
    runs: dict[str, tuple[dict, float]] = {}
    for label, code in (("new", None), ("baseline", args.baseline)):
        if label == "baseline" and code is None:
            break
        print(f"server: {label} code{f' from {code}' if code else ''} (cpu count {os.cpu_count()})")
        runs[label] = (served(bounds, [s for s in args.sets.split(",") if s], formats, connections, args.warm_seconds, code),
                       empty_tile_memory(code))
    if "baseline" in runs:
        (new, new_memory), (old, old_memory) = runs["new"], runs["baseline"]
        for key in new:
            print(f"cold {' '.join(map(str, key))} conn: new/baseline throughput {new[key] / old[key]:.2f}")
        print(f"memory per empty address: new {new_memory:.2f} KiB, baseline {old_memory:.2f} KiB")


if __name__ == "__main__":
    main()
