"""Which COROP and province each gemeente (and each wijk) belongs to, per boundary year.

CBS gives parent codes as attributes for some years only. For the others the parent is the same year's
parent polygon that holds most of the region's area (``atlas.geography.overlap``); the basis is recorded
in the ``membership`` column so a user can see that it is an inference.
"""

from __future__ import annotations

import geopandas as gpd

from atlas.geography.names import fold


def nearest_year(year: int, available: list[int]) -> int:
    """The closest available year; ties go to the later year, whose boundaries are usually better kept."""
    return min(available, key=lambda y: (abs(y - year), -y))


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
