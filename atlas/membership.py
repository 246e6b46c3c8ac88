"""Which COROP and province each gemeente (and each wijk) belongs to, per boundary year.

CBS gives parent codes as attributes for some years only. For the others the parent is found by
locating the gemeente's representative point in the parent polygons of the nearest year that has them;
such rows are flagged ``derived`` with the year used, so a user can see that it is an inference.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from atlas.geometry import RD_NEW
from atlas.names import fold


def nearest_year(year: int, available: list[int]) -> int:
    """The closest available year; ties go to the later year, whose boundaries are usually better kept."""
    return min(available, key=lambda y: (abs(y - year), -y))


def spatial_parents(children: gpd.GeoDataFrame, parents: gpd.GeoDataFrame) -> pd.Series:
    """Parent code per child by point-in-polygon; where the point falls in no or several parents, take the
    parent with the largest overlap, so every child gets exactly one parent."""
    points = gpd.GeoDataFrame(
        {"child": children["code"].values},
        geometry=children.to_crs(RD_NEW).geometry.representative_point().values,
        crs=RD_NEW,
    )
    parents_rd = parents[["code", "geometry"]].to_crs(RD_NEW)
    hits = gpd.sjoin(points, parents_rd, predicate="within", how="left")
    counts = hits.groupby("child")["code"].count()
    result = hits.drop_duplicates("child").set_index("child")["code"]
    unclear = counts[counts != 1].index
    if len(unclear):
        children_rd = children.set_index("code").loc[unclear].to_crs(RD_NEW)
        overlay = gpd.overlay(
            gpd.GeoDataFrame({"child": children_rd.index}, geometry=children_rd.geometry.values, crs=RD_NEW),
            parents_rd,
            how="intersection",
        )
        overlay["area"] = overlay.area
        best = overlay.sort_values("area").drop_duplicates("child", keep="last").set_index("child")["code"]
        result.loc[best.index] = best
    return result.reindex(children["code"].values)


def province_codes_by_name(provinces: gpd.GeoDataFrame) -> dict[str, str]:
    """Province name -> code, keyed on a folded name so 'Fryslân', 'Friesland' and 'Fryslan' all match."""
    mapping = {fold(n): c for n, c in zip(provinces["name"], provinces["code"])}
    if "PV21" in mapping.values():
        mapping.setdefault(fold("Friesland"), "PV21")
        mapping.setdefault(fold("Fryslan"), "PV21")
    return mapping


def wijk_gemeente_code(wijk_code: str) -> str:
    """CBS wijk codes embed their gemeente: WK aaaa bb belongs to GM aaaa."""
    return "GM" + wijk_code[2:6]
