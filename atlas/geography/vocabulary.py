"""The region vocabulary, in one place: levels, their codes, names and parents, and the CRS the atlas speaks.

The core, the API's enums and the web page (through ``/api/v1/config``) all read it from here, so a
level or code rule is never spelled twice and cannot drift between the map and the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyproj import CRS

WGS84 = "EPSG:4326"
RD_NEW = "EPSG:28992"
WEB_MERCATOR = "EPSG:3857"
OUTPUT_CRS = {"EPSG:4326": WGS84, "EPSG:28992": RD_NEW, "EPSG:3857": WEB_MERCATOR}
# One pyproj object per CRS, made from its EPSG code and shared by every frame. pyproj rebuilds a CRS's PROJ object
# in each thread that uses it, from the text the CRS was made from: from a code that takes a millisecond, from the
# PROJJSON a GeoParquet file stores 30 ms, which every new worker thread paid again on its first layer.
PYPROJ_CRS = {name: CRS.from_user_input(name) for name in OUTPUT_CRS}
CRS84_URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CRS_URIS = {
    CRS84_URI: WGS84,
    "http://www.opengis.net/def/crs/EPSG/0/28992": RD_NEW,
    "http://www.opengis.net/def/crs/EPSG/0/3857": WEB_MERCATOR,
}


@dataclass(frozen=True)
class Level:
    """One level of CBS regions with boundaries in the atlas, coarse to fine."""

    id: str
    name_nl: str
    name_en: str
    prefix: str
    digits: int
    example: str
    parents: tuple[str, ...]
    hover_simplify_m: int  # the page's hover layer: coarse enough to load fast, fine enough to hit

    @property
    def code_pattern(self) -> str:
        return rf"{self.prefix}\d{{{self.digits}}}"

    def as_dict(self) -> dict:
        return {"level": self.id, "name": {"nl": self.name_nl, "en": self.name_en},
                "code_pattern": self.code_pattern, "code_example": self.example, "parents": list(self.parents),
                "hover_simplify_m": self.hover_simplify_m}


LEVEL_INFO = {
    lv.id: lv for lv in (
        Level("provincie", "Provincie", "Province", "PV", 2, "PV30", (), 250),
        Level("corop", "COROP-regio", "COROP region", "CR", 2, "CR36", ("provincie",), 200),
        Level("gemeente", "Gemeente", "Municipality", "GM", 4, "GM0772", ("corop", "provincie"), 100),
        Level("wijk", "Wijk", "District", "WK", 6, "WK077201", ("gemeente", "corop", "provincie"), 25),
    )
}
LEVELS = tuple(LEVEL_INFO)

# Levels that appear in source tables but have no boundaries here: national, NUTS and CBS landsdelen.
CONTEXT_CODE_PATTERNS = {
    "landsdeel": r"LD\d{2}", "land": r"NL(01)?", "nuts1": r"NL[0-9XZ]", "nuts2": r"NL[0-9XZ][0-9A-Z]",
    "nuts3": r"NL[0-9XZ][0-9A-Z]{2}",
}
# Region levels an indicator table may use; wijk figures come only from CBS key-figure attributes.
TABLE_CODE_PATTERNS = {**{lv.id: lv.code_pattern for lv in LEVEL_INFO.values() if lv.id != "wijk"},
                       **CONTEXT_CODE_PATTERNS}


def level_of_code(code: str) -> str | None:
    """The level a CBS region code belongs to ('GM0363' -> 'gemeente'), or None."""
    return next((lv.id for lv in LEVEL_INFO.values() if re.fullmatch(lv.code_pattern, code.upper())), None)
