"""Area overlaps between two sets of polygons, the one measurement membership and crosswalks rest on.

Both are derived from geometry because CBS codes alone cannot tell a renamed municipality from a merged
one, nor which COROP a gemeente of a given year belonged to. Areas are taken in RD New (metres), where
they are true areas, not degrees.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from atlas.geography.geometry import polygonal_part
from atlas.geography.vocabulary import RD_NEW


def overlap_pieces(left: gpd.GeoDataFrame, right: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Every (left code, right code) pair whose polygons share area: the shared piece (RD New) and its km2."""
    left_geoms, right_geoms = _valid_rd(left), _valid_rd(right)
    left_idx, right_idx = shapely.STRtree(right_geoms).query(left_geoms, predicate="intersects")
    shared = shapely.intersection(left_geoms[left_idx], right_geoms[right_idx])
    table = gpd.GeoDataFrame({
        "left": left["code"].to_numpy()[left_idx],
        "right": right["code"].to_numpy()[right_idx],
        "area_km2": shapely.area(shared) / 1e6,
    }, geometry=shared, crs=RD_NEW)
    return table[table["area_km2"] > 0].reset_index(drop=True)


def area_overlaps(left: gpd.GeoDataFrame, right: gpd.GeoDataFrame) -> pd.DataFrame:
    """Every (left code, right code) pair whose polygons share area, with that area in km2."""
    return pd.DataFrame(overlap_pieces(left, right).drop(columns="geometry"))


def apportioned(pieces: gpd.GeoDataFrame, carriers: gpd.GeoDataFrame, amount: np.ndarray) -> np.ndarray:
    """How much of a quantity known per carrier polygon (people per wijk) lies in each piece, assuming it is
    spread evenly over each carrier's area: the finest spread the atlas holds, hence an estimate."""
    carrier_geoms = _valid_rd(carriers)
    carrier_area = shapely.area(carrier_geoms)
    piece_geoms = np.asarray(pieces.geometry.values)
    piece_idx, carrier_idx = shapely.STRtree(carrier_geoms).query(piece_geoms, predicate="intersects")
    shared = shapely.area(shapely.intersection(piece_geoms[piece_idx], carrier_geoms[carrier_idx]))
    result = np.zeros(len(pieces))
    np.add.at(result, piece_idx, amount[carrier_idx] * shared / carrier_area[carrier_idx])
    return result


def _valid_rd(frame: gpd.GeoDataFrame) -> np.ndarray:
    """Polygons in RD New; reprojection can leave a repaired quantised ring self-touching again."""
    geoms = np.asarray(frame.to_crs(RD_NEW).geometry.values)
    invalid = ~shapely.is_valid(geoms)
    geoms[invalid] = [polygonal_part(g) for g in geoms[invalid]]
    return geoms


def largest_overlap(children: gpd.GeoDataFrame, parents: gpd.GeoDataFrame) -> pd.Series:
    """The parent holding most of each child's area, in the children's order.

    A representative point can fall on the wrong side of independently generalised boundaries
    (Renswoude lies 19 % outside Utrecht in the 2018 files); the largest share of area cannot.
    """
    table = area_overlaps(children, parents)
    best = table.sort_values("area_km2").drop_duplicates("left", keep="last").set_index("left")["right"]
    return best.reindex(children["code"].to_numpy())
