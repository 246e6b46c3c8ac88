"""Importing a point list of national-register size (2 million establishments): time and peak memory of the
atlas's path against a plain geopandas ``sjoin`` baseline measured in the same run.

Points are generated uniformly over the country's bounding box (about half fall in a gemeente; the rest is
sea or abroad and is listed as unplaced), each with one of four categories. Each case runs in its own fresh
process, so its peak resident memory (ru_maxrss) is its own; the RSS after loading the atlas is printed too.

- atlas: ``import_points`` end to end from a CSV file: read, place by coordinates (vectorised point-in-polygon
  on the layer's spatial index), count per gemeente, COROP and province per category, disclosure control.
- atlas-core: the same without the CSV (placement, counting, suppression from arrays).
- baseline: ``geopandas.sjoin(points, gemeenten, predicate="within")`` and a groupby count per gemeente.

    .venv/bin/python bench/imports.py [--points 2000000]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pandas as pd

YEAR = 2022
BBOX = (3.3, 50.75, 7.25, 53.6)
CATEGORIES = np.array(["startup", "scale-up", "sme", "large"])


def _points(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(19)
    return pd.DataFrame({"lon": rng.uniform(BBOX[0], BBOX[2], n), "lat": rng.uniform(BBOX[1], BBOX[3], n),
                         "category": CATEGORIES[rng.integers(0, len(CATEGORIES), n)]})


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case(case: str, n: int, csv_path: str) -> dict:
    """One case in this (fresh) process: seconds and peak RSS, with the RSS the loaded atlas alone needs."""
    import geopandas as gpd

    from atlas.data import load_atlas
    from atlas.imports.metadata import PointsMeta
    from atlas.imports.points import codes_at, counted_dataset, import_points, tally

    data = load_atlas()
    layer = data.boundaries.get("gemeente", YEAR)
    layer.sindex  # noqa: B018  (built once, as the running atlas keeps it)
    points = _points(n) if case != "atlas" else None
    loaded = _peak_mb()
    meta = PointsMeta(id="bench_points", title="bench points", source="generated", licence="none", year=YEAR,
                      threshold=10)
    started = time.perf_counter()
    if case == "atlas":
        dataset = import_points(data, "points.csv", Path(csv_path).read_bytes(), meta)
        placed = n - sum(v for k, v in dataset.record["placed_by"].items() if k == "unplaced")
    elif case == "atlas-core":
        assert points is not None
        codes = pd.Series(codes_at(layer, points["lon"].to_numpy(), points["lat"].to_numpy()))
        counted_dataset(data, tally(codes, pd.Series(YEAR, index=codes.index), points["category"]), meta, YEAR, {})
        placed = int(codes.notna().sum())
    else:
        assert points is not None
        frame = gpd.GeoDataFrame(points, geometry=gpd.points_from_xy(points["lon"], points["lat"]), crs=layer.crs)
        joined = gpd.sjoin(frame, layer[["code", "geometry"]], predicate="within")
        joined.groupby(["code", "category"]).size()
        placed = int(joined.index.nunique())
    return {"case": case, "seconds": time.perf_counter() - started, "peak_mb": _peak_mb(), "loaded_mb": loaded,
            "placed": placed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, default=2_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        csv_path = str(Path(folder) / "points.csv")
        _points(args.points).to_csv(csv_path, index=False)
        results = {}
        for case in ("baseline", "atlas-core", "atlas"):
            with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
                results[case] = pool.submit(run_case, case, args.points, csv_path).result()
            r = results[case]
            print(f"{case:11s} {r['seconds']:7.1f} s  peak RSS {r['peak_mb']:7.0f} MB (atlas loaded: "
                  f"{r['loaded_mb']:.0f} MB)  {r['placed']} of {args.points} points placed", flush=True)
    base = results["baseline"]
    for case in ("atlas-core", "atlas"):
        r = results[case]
        print(f"{case} / baseline: time {r['seconds'] / base['seconds']:.2f}, "
              f"peak memory {r['peak_mb'] / base['peak_mb']:.2f}")


if __name__ == "__main__":
    main()
