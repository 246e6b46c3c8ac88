"""Tile rendering speed: cold render per tile in-process, then warm load on a real server vs static files.

Tiles: gemeente level, zoom 6-12, the tiles holding the 13 kennissteden (a fixed list, so runs compare).
Cold = rendering a tile that is not in the HTTP response cache, with the per-zoom simplified geometry
already prepared (its one-off preparation time is reported separately). Warm = every tile already cached,
fetched by concurrent keep-alive clients on 127.0.0.1, against the same PNG bytes served as static files
by the same server in the same run. Targets (issue 4): cold median < 10 ms per 256 px tile, warm p99
< 20 ms at 32 clients.

    .venv/bin/python bench/tiles.py [--seconds 10] [--clients 32]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from loadclient import ServerProcess, median_p95, run_load

from atlas.data import load_atlas
from atlas.render.classify import ClassRequest
from atlas.render.tilegrid import TileAddress, tile_containing, zoom_geometry
from atlas.render.tiles import TileRequest, get_tile
from atlas.settings import get_settings

LEVEL, INDICATOR, ZOOMS = "gemeente", "kwb_population", range(6, 13)
KENNISSTEDEN = ("Amsterdam", "Rotterdam", "'s-Gravenhage", "Utrecht", "Eindhoven", "Delft", "Tilburg", "Enschede",
                "Groningen", "Maastricht", "Nijmegen", "Leiden", "Wageningen")


def tile_list(data) -> list[tuple[int, int, int]]:
    layer = data.boundaries.get(LEVEL, data.boundaries.years(LEVEL)[-1])
    points = layer.set_index("name").loc[list(KENNISSTEDEN)].geometry.representative_point()
    return sorted({(z, *tile_containing(p.x, p.y, z)) for z in ZOOMS for p in points})


def cold(data, tiles: list[tuple[int, int, int]], tile_format: str, scale: int) -> list[float]:
    timings = []
    for z, x, y in tiles:
        request = TileRequest(INDICATOR, LEVEL, None, ClassRequest(), TileAddress(z, x, y, scale), tile_format)
        start = time.perf_counter()
        get_tile(data, request)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args()
    data = load_atlas(get_settings())
    tiles = tile_list(data)
    print(f"{len(tiles)} tiles, {LEVEL} {INDICATOR}, zoom {ZOOMS.start}-{ZOOMS.stop - 1}")
    start = time.perf_counter()
    for z in ZOOMS:
        zoom_geometry(data, LEVEL, data.boundaries.years(LEVEL)[-1], z)
    print(f"one-off geometry preparation for {len(ZOOMS)} zooms: {(time.perf_counter() - start) * 1000:.0f} ms")
    cold(data, tiles[:3], "png", 1)  # classification and palette, built once per indicator
    for label, tile_format, scale in (("png 256", "png", 1), ("png 512", "png", 2), ("mvt", "mvt", 1)):
        median, p95 = median_p95(cold(data, tiles, tile_format, scale))
        print(f"cold {label:8s} median {median:6.2f} ms  p95 {p95:6.2f} ms")

    static_dir = Path(tempfile.mkdtemp(prefix="atlas-bench-tiles-"))
    with ServerProcess(static_dir) as server:
        paths = [f"/api/v1/tiles/{LEVEL}/{INDICATOR}/{z}/{x}/{y}.png" for z, x, y in tiles]
        statics = []
        for path, (z, x, y) in zip(paths, tiles):
            (static_dir / f"{z}-{x}-{y}.png").write_bytes(server.get(path))
            statics.append(f"/bench-static/{z}-{x}-{y}.png")
        run_load(server.port, paths, args.clients, 2)  # settle connections
        warm = run_load(server.port, paths, args.clients, args.seconds)
        static = run_load(server.port, statics, args.clients, args.seconds)
    print(f"warm tiles  {args.clients} clients: {warm.summary()}")
    print(f"static PNG  {args.clients} clients: {static.summary()}")
    print(f"warm tile throughput / static throughput: {warm.throughput / static.throughput:.2f}")


if __name__ == "__main__":
    main()
