"""The atlas against its peers on the same data, requests and load client: tipg, pygeoapi and nginx.

Issue 15 compared the atlas by hand with tipg (FastAPI on PostGIS), pygeoapi (PostgreSQL provider) and nginx
serving tippecanoe tiles and the same files; this script repeats that measurement on demand. All servers get the
345 gemeente polygons of 2022 exactly as the atlas serves them (`/api/v1/layers/gemeente?year=2022`): loaded into
a throwaway PostGIS cluster for tipg and pygeoapi, cut into tiles by tippecanoe and written as files (with
pre-compressed copies) for nginx. Before measuring, every server's full layer is fetched and its feature count,
vertex count and total area printed, so a difference in data shows up next to a difference in speed.

The load comes from a separate client process (bench/loadclient.py) with `Accept-Encoding: gzip`, as from a
browser. Cold runs ask every URL once after restarting every server; warm runs repeat a fixed list for
`--seconds`. Each run is printed as req/s, p50 and p99 per server and the throughput ratio atlas/peer.

Peers are installed on demand (apt, and pip into `.cache/peers-venv`, never the project's venv); a peer that
cannot be set up is named with the reason and left out. Runs in about 10-15 minutes with all peers:

    PYTHONPATH=. ATLAS_DATA_DIR=../shared .venv/bin/python bench/peers.py --peers tipg,pygeoapi,nginx
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from loadclient import LoadResult, ServerProcess, WrkResult, run_load, run_once, run_wrk
from peers_setup import Nginx, PeerServer, PeerUnavailable, PostGIS, Pygeoapi, Tipg, apt_install
from shapely.geometry import box, shape
from shapely.ops import unary_union
from shapely.prepared import prep

from api.settings import ApiSettings

YEAR = 2022
INDICATOR = "kwb_population"
UTRECHT = "5.0,52.03,5.2,52.15"
GZIP = {"Accept-Encoding": "gzip"}
PEERS = ("tipg", "pygeoapi", "nginx")


class Atlas(PeerServer):
    """The atlas's own benchmark server (bench/serve.py) behind the same start/stop interface as the peers."""

    name = "atlas"

    def __init__(self, folder: Path, workers: int):
        super().__init__(folder)
        self.workers = workers
        self.server: ServerProcess | None = None

    def start(self) -> None:
        self.server = ServerProcess(self.folder, {"ATLAS_WORKERS": str(self.workers)}).__enter__()
        self.port = self.server.port

    def stop(self) -> None:
        if self.server:
            self.server.__exit__(None, None, None)
            self.server = None


@dataclass(frozen=True)
class Routes:
    """How one server spells each request; None where it does not offer it."""

    tile: Callable[[int, int, int], str] | None = None
    raster: Callable[[int, int, int], str] | None = None  # PNG; a server without them is measured on its MVT
    page: Callable[[int], str] | None = None
    bbox: str | None = None
    feature: Callable[[str], str] | None = None
    layer: str | None = None


ATLAS_OGC = f"/ogc/collections/gemeente_{YEAR}/items"
TIPG_OGC = "/collections/public.gemeente/items"
PYGEOAPI_OGC = "/collections/gemeente/items"
ATLAS_TILE = f"/api/v1/tiles/gemeente/{INDICATOR}/{{z}}/{{x}}/{{y}}.{{ext}}?year={YEAR}&boundary_year={YEAR}"
TIPG_TILE = "/collections/public.gemeente/tiles/WebMercatorQuad/{z}/{x}/{y}"
NGINX_TILE = "/tiles/{z}/{x}/{y}.mvt"
ROUTES = {
    "atlas": Routes(
        tile=lambda z, x, y: ATLAS_TILE.format(z=z, x=x, y=y, ext="mvt"),
        raster=lambda z, x, y: ATLAS_TILE.format(z=z, x=x, y=y, ext="png"),
        page=lambda offset: f"{ATLAS_OGC}?limit=10&offset={offset}", bbox=f"{ATLAS_OGC}?limit=100&bbox={UTRECHT}",
        feature=lambda code: f"{ATLAS_OGC}/{code}", layer=f"/api/v1/layers/gemeente?year={YEAR}"),
    "tipg": Routes(
        tile=lambda z, x, y: TIPG_TILE.format(z=z, x=x, y=y),
        page=lambda offset: f"{TIPG_OGC}?limit=10&offset={offset}", bbox=f"{TIPG_OGC}?limit=100&bbox={UTRECHT}",
        feature=lambda code: f"{TIPG_OGC}/{code}", layer=f"{TIPG_OGC}?limit=1000"),
    "pygeoapi": Routes(
        page=lambda offset: f"{PYGEOAPI_OGC}?f=json&limit=10&offset={offset}",
        bbox=f"{PYGEOAPI_OGC}?f=json&limit=100&bbox={UTRECHT}",
        feature=lambda code: f"{PYGEOAPI_OGC}/{code}?f=json", layer=f"{PYGEOAPI_OGC}?f=json&limit=1000"),
    "nginx": Routes(tile=lambda z, x, y: NGINX_TILE.format(z=z, x=x, y=y), layer="/gemeente.geojson"),
}


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    n = 2 ** z

    def lat(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y)


def tiles_touching(geojson: dict, zooms: range) -> list[tuple[int, int, int]]:
    """Every tile of `zooms` that holds part of a polygon: the tiles a map of the whole country asks for."""
    union = unary_union([shape(f["geometry"]) for f in geojson["features"]])
    prepared = prep(union)
    west, south, east, north = union.bounds
    found = []
    for z in zooms:
        n = 2 ** z
        x0, x1 = int((west + 180) / 360 * n), int((east + 180) / 360 * n)
        y0 = int((1 - math.asinh(math.tan(math.radians(north))) / math.pi) / 2 * n)
        y1 = int((1 - math.asinh(math.tan(math.radians(south))) / math.pi) / 2 * n)
        found += [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)
                  if prepared.intersects(box(*tile_bounds(z, x, y)))]
    return found


def layer_facts(body: bytes) -> str:
    """Features, vertices and total area (square degrees, only to compare servers) of a GeoJSON collection."""
    features = json.loads(body)["features"]
    geometries = [shape(f["geometry"]) for f in features]
    vertices = sum(len(ring.coords) for g in geometries for p in getattr(g, "geoms", [g])
                   for ring in (p.exterior, *p.interiors))
    return f"{len(features)} features, {vertices} vertices, area {sum(g.area for g in geometries):.6f} deg²"


@dataclass
class Workload:
    name: str
    cold: bool
    clients: tuple[int, ...]
    paths: Callable[[Routes], list[str] | None]


def workloads(tiles_low: list, tiles_all: list, codes: list[str], warm_tiles: int) -> list[Workload]:
    every = max(1, len(tiles_all) // warm_tiles)
    warm = tiles_all[::every][:warm_tiles]

    def tile_paths(chosen: list) -> Callable[[Routes], list[str] | None]:
        return lambda r: [r.tile(*t) for t in chosen] if r.tile else None

    return [
        Workload(f"cold MVT z7-z10 ({len(tiles_low)} tiles once)", True, (1, 16, 32), tile_paths(tiles_low)),
        Workload(f"cold MVT z6-z12 ({len(tiles_all)} tiles once)", True, (1, 16, 32), tile_paths(tiles_all)),
        Workload(f"cold PNG z7-z10 ({len(tiles_low)} tiles once; peers: their MVT)", True, (1, 16, 32),
                 lambda r: tile_paths(tiles_low)(Routes(tile=r.raster or r.tile))),
        Workload(f"warm MVT ({len(warm)} tiles repeated)", False, (1, 32), tile_paths(warm)),
        Workload("OGC items pages of 10", False, (1, 32),
                 lambda r: [r.page(o) for o in range(0, len(codes), 10)] if r.page else None),
        Workload("OGC items bbox Utrecht", False, (1, 32), lambda r: [r.bbox] if r.bbox else None),
        Workload("OGC single features", False, (1, 32),
                 lambda r: [r.feature(c) for c in codes] if r.feature else None),
        Workload("full gemeente GeoJSON, gzip", False, (1, 32), lambda r: [r.layer] if r.layer else None),
    ]


def fmt(result: LoadResult | WrkResult | None) -> str:
    if result is None:
        return f"{'-':>26s}"
    errors = f" err {result.errors}" if result.errors else ""
    return f"{result.throughput:8.1f} {result.percentile(50):7.1f} {result.percentile(99):8.1f}{errors}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--peers", default="tipg,nginx", help=f"comma-separated, from {', '.join(PEERS)}")
    parser.add_argument("--seconds", type=float, default=5, help="duration of each warm run")
    parser.add_argument("--warm-tiles", type=int, default=60)
    parser.add_argument("--only", default="", help="run only workloads whose name contains this text")
    parser.add_argument("--client", choices=("python", "wrk"), default="python",
                        help="load client of the warm runs (cold runs ask every URL once from the Python client); wrk "
                             "is installed with apt when missing")
    parser.add_argument("--atlas-workers", type=int, default=ApiSettings().workers,
                        help="the atlas's worker processes (ATLAS_WORKERS, forked from one load as `atlas serve` does; "
                             "default: the server's own, one per core)")
    args = parser.parse_args()
    wanted = [p.strip() for p in args.peers.split(",") if p.strip()]
    unknown = sorted(set(wanted) - set(PEERS))
    if unknown:
        parser.error(f"unknown peers {unknown}; choose from {', '.join(PEERS)}")

    if args.client == "wrk":
        apt_install("wrk", "wrk")
    folder = Path(tempfile.mkdtemp(prefix="atlas-peers-"))
    folder.chmod(0o755)  # the PostgreSQL cluster runs as `postgres` when this runs as root
    atlas = Atlas(folder, args.atlas_workers)
    atlas.start()
    geojson = folder / "gemeente.geojson"
    body = atlas.get(ROUTES["atlas"].layer or "")
    geojson.write_bytes(body)
    layer = json.loads(body)
    codes = [str(f["properties"]["code"]) for f in layer["features"]]
    tiles_low, tiles_all = tiles_touching(layer, range(7, 11)), tiles_touching(layer, range(6, 13))

    servers: dict[str, PeerServer] = {"atlas": atlas}
    skipped: dict[str, str] = {}
    db: PostGIS | None = None
    for name in wanted:
        try:
            if name in ("tipg", "pygeoapi") and db is None:
                db = PostGIS(folder / "postgis", geojson)
                db.setup()
            peer_folder = folder / name
            peer_folder.mkdir()
            peer: PeerServer
            if name == "tipg":
                assert db is not None
                peer = Tipg(peer_folder, db)
            elif name == "pygeoapi":
                assert db is not None
                peer = Pygeoapi(peer_folder, db)
            else:
                peer = Nginx(peer_folder, geojson, (6, 12))
            peer.start()
            servers[name] = peer
        except (PeerUnavailable, OSError) as problem:
            skipped[name] = str(problem)
    try:
        print(f"{len(codes)} gemeenten {YEAR}; {len(tiles_low)} tiles z7-z10, {len(tiles_all)} tiles z6-z12; "
              f"atlas workers {args.atlas_workers}")
        for name, server in servers.items():
            path = ROUTES[name].layer
            print(f"  {name:9s} {layer_facts(server.get(path)) if path else '-'}")
        for name, reason in skipped.items():
            print(f"  {name:9s} NOT SET UP: {reason}")
        names = list(servers)
        print(f"\n{'workload':44s} {'conn':>4s}  " + "  ".join(f"{n + ' req/s p50 p99 ms':>26s}" for n in names)
              + "  " + "  ".join(f"{'atlas/' + n:>14s}" for n in names[1:]))
        for load in workloads(tiles_low, tiles_all, codes, args.warm_tiles):
            if args.only not in load.name:
                continue
            for clients in load.clients:
                results: dict[str, LoadResult | WrkResult | None] = {}
                for name, server in servers.items():
                    paths = load.paths(ROUTES[name])
                    if paths is None:
                        results[name] = None
                        continue
                    if load.cold:
                        server.restart()
                        results[name] = run_once(server.port, paths, clients, headers=GZIP)
                    else:
                        run_once(server.port, paths, min(clients, len(paths)), headers=GZIP)  # fill caches
                        results[name] = (run_wrk if args.client == "wrk" else run_load)(
                            server.port, paths, clients, args.seconds, headers=GZIP)
                atlas_result = results["atlas"]
                ratios = [f"{atlas_result.throughput / r.throughput:14.3f}" if atlas_result and r and r.throughput
                          else f"{'-':>14s}" for r in (results[n] for n in names[1:])]
                print(f"{load.name:44s} {clients:4d}  " + "  ".join(fmt(results[n]) for n in names)
                      + "  " + "  ".join(ratios), flush=True)
    finally:
        for server in servers.values():
            server.stop()
        if db:
            db.stop()
        shutil.rmtree(folder, ignore_errors=True)
    if skipped:
        print("\nnot measured: " + "; ".join(f"{name} ({reason})" for name, reason in skipped.items()))


if __name__ == "__main__":
    main()
