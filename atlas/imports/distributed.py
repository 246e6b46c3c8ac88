"""The same point import on a distributed engine, for lists that outgrow one machine: Dask with dask-geopandas.

Only placement and tallying are distributed: each partition of points is joined to the gemeente polygons
(broadcast, a few MB) and reduced to counts per (year, gemeente, category), a table of at most a few
thousand rows whatever the number of points. Those counts then go through exactly the same
``counted_dataset`` as a local import (COROP and province totals, disclosure control, catalogue entries), so
both engines publish the same numbers. The points stay in the cluster; only the counts come back.
PostGIS would do the same with ``ST_Contains`` and ``GROUP BY`` and hand over the same counts table.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from atlas.data import AtlasData
from atlas.geography.vocabulary import WGS84
from atlas.imports.metadata import PointsMeta
from atlas.imports.points import ALL, category_key, counted_dataset
from atlas.imports.store import Dataset


def distributed_tally(points: Any, layer: pd.DataFrame, year: int) -> pd.Series:
    """Counts per (year, code, category) of a Dask frame with ``lon``, ``lat`` and optionally ``category``,
    ``year``, placed on ``layer`` (gemeenten, WGS84) by dask-geopandas."""
    import dask_geopandas

    geometry = dask_geopandas.points_from_xy(points, "lon", "lat", crs=WGS84)
    frame = dask_geopandas.from_dask_dataframe(points, geometry=geometry).set_crs(WGS84)
    if "category" in frame.columns:
        frame["category"] = frame["category"].map(category_key, meta=("category", "object"))
    else:
        frame = frame.assign(category=ALL)
    if "year" not in frame.columns:
        frame = frame.assign(year=year)
    joined = frame.sjoin(layer[["code", "geometry"]], predicate="intersects")
    first = joined.reset_index().drop_duplicates(subset="index")  # a point on a shared border counts once
    return first.groupby(["year", "code", "category"]).size().compute()


def import_points_distributed(data: AtlasData, points: Any, meta: PointsMeta, name: str) -> Dataset:
    boundary_year = data.boundaries.nearest_year("gemeente", meta.year)
    counts = distributed_tally(points, data.boundaries.get("gemeente", boundary_year), meta.year)
    return counted_dataset(data, counts, meta, boundary_year, {"file": name, "engine": "dask-geopandas"})
