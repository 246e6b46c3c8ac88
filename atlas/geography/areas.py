"""Areas a user can restrict the atlas to: the whole country, a province, a ROM's area or a COROP region.

A planner works on their own area: the page zooms to it, the table and every download hold only its
regions, and a link carries it. One vocabulary serves the page (a list with extents) and the API's
`within=` filter, so the two never disagree about what "BOM" means.
"""

from __future__ import annotations

from atlas.data import AtlasData
from atlas.errors import InvalidChoice
from atlas.geography.places import ROMS

COUNTRY = "NL"
KINDS = ("country", "provincie", "rom", "corop")


def _latest(data: AtlasData, level: str):
    return data.boundaries.get(level, data.boundaries.years(level)[-1])


def _extent(geometries) -> list[float]:
    return [round(float(v), 5) for v in geometries.total_bounds]


def areas(data: AtlasData) -> list[dict]:
    """Every area with its id (as `within=` takes it), kind, name and WGS84 extent (west, south, east, north)."""
    def build() -> dict:
        provinces = _latest(data, "provincie")
        corops = _latest(data, "corop")
        rows = [{"id": COUNTRY, "kind": "country", "name": "Nederland", "extent": _extent(provinces.geometry)}]
        rows += [{"id": rom, "kind": "rom", "name": rom, "extent": _extent(provinces[provinces["name"].isin(served)].geometry)}
                 for rom, served in sorted(ROMS.items())]
        for kind, layer in (("provincie", provinces), ("corop", corops)):
            rows += [{"id": r.code, "kind": kind, "name": r.name, "extent": _extent(layer[layer["code"] == r.code].geometry)}
                     for r in layer.sort_values("name").itertuples()]
        return {"areas": rows}
    return data.caches.places.get_or_compute("areas", build)["areas"]


def _parse(data: AtlasData, within: str) -> tuple[str, set[str]]:
    """('country' | 'provincie' | 'corop', codes) for a ROM name, the country, province codes or COROP codes."""
    text = within.strip()
    provinces, corops = _latest(data, "provincie"), _latest(data, "corop")
    by_rom = {rom.lower(): served for rom, served in ROMS.items()}
    if text.upper() == COUNTRY:
        return "country", set()
    if text.lower() in by_rom:
        return "provincie", set(provinces.loc[provinces["name"].isin(by_rom[text.lower()]), "code"])
    codes = {c.strip().upper() for c in text.split(",") if c.strip()}
    for kind, layer in (("provincie", provinces), ("corop", corops)):
        if codes and codes <= set(layer["code"]):
            return kind, codes
    raise InvalidChoice("within", within, [COUNTRY, *ROMS, "province codes (PV30,PV31)", "COROP codes (CR36)"],
                        hint="an area from /api/v1/areas")


def regions_within(data: AtlasData, level: str, year: int, within: str) -> set[str]:
    """Codes of the regions of a level and boundary year inside an area, so a ROM sees its own region.

    A COROP area holds no province (and a province level has no region inside a COROP region): it then
    holds the provinces that contain it, so a map of provinces still shows where the area lies.
    """
    kind, codes = _parse(data, within)
    layer = data.boundaries.get(level, year)
    if kind == "country":
        return set(layer["code"])
    if kind == "corop" and level == "provincie":
        codes = set(_latest(data, "corop").loc[lambda c: c["code"].isin(codes), "provincie_code"])
        kind = "provincie"
    parent = layer["code"] if level == kind else layer[f"{kind}_code"]
    return set(layer.loc[parent.isin(codes), "code"])
