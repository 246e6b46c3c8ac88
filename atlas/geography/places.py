"""Places of the knowledge economy: the kennissteden, campus locations and the regional development agencies.

Kennissteden and campuses are placed at the representative point of their gemeente (a point inside
the polygon), not at a street address: the sources name cities, not coordinates, and the properties
say so. Campuses in one gemeente share one marker listing all of them, rather than being spread out
at invented positions. ROMs are the union of the provinces they serve.
"""

from __future__ import annotations

import pandas as pd

from atlas.data import AtlasData
from atlas.errors import InvalidChoice
from atlas.geography.placematch import place_matcher

KINDS = ("kennisstad", "campus", "rom")
KENNISSTEDEN = ("Amsterdam", "Rotterdam", "Utrecht", "Den Haag", "Eindhoven", "Delft", "Tilburg", "Enschede",
                "Groningen", "Maastricht", "Nijmegen", "Leiden", "Wageningen")
KENNISSTEDEN_SOURCE = "Netwerk Kennissteden Nederland (NKN): the 13 member cities"
ROMS = {
    "NOM": ("Groningen", "Fryslân", "Drenthe"), "Oost NL": ("Overijssel", "Gelderland"),
    "Horizon Flevoland": ("Flevoland",), "ROM Utrecht Region": ("Utrecht",), "ROM InWest": ("Noord-Holland",),
    "InnovationQuarter": ("Zuid-Holland",), "Impuls Zeeland": ("Zeeland",), "BOM": ("Noord-Brabant",),
    "LIOF": ("Limburg",),
}
ROMS_SOURCE = "Regionale ontwikkelingsmaatschappijen and the provinces they serve (ROM-Nederland)"
LOCATION_NOTE = "marker at a point inside the gemeente, not the exact address"


def _gemeenten(data: AtlasData):
    year = data.boundaries.years("gemeente")[-1]
    return data.boundaries.get("gemeente", year).set_index("code"), year


def _point_feature(geometry, properties: dict) -> dict:
    point = geometry.representative_point()
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(point.x, 6), round(point.y, 6)]},
            "properties": properties}


def _kennissteden(data: AtlasData) -> list[dict]:
    layer, year = _gemeenten(data)
    matcher = place_matcher(data, year)
    features = []
    for city in KENNISSTEDEN:
        match = matcher.match(city)
        features.append(_point_feature(layer.geometry[match.code], {
            "kind": "kennisstad", "name": city, "label": city, "gemeente_code": match.code,
            "gemeente": match.gemeente, "source": KENNISSTEDEN_SOURCE, "location": LOCATION_NOTE}))
    return features


def _campuses(data: AtlasData) -> list[dict]:
    layer, _ = _gemeenten(data)
    table = pd.read_csv(data.data_dir / "indicators" / "campuses.csv", dtype=str)
    features = []
    for code, group in table.groupby("gm_code", sort=True):
        names = group["campus_name"].tolist()
        features.append(_point_feature(layer.geometry[code], {
            "kind": "campus", "name": layer["name"][code], "label": f"{layer['name'][code]}: {'; '.join(names)}",
            "gemeente_code": code, "gemeente": layer["name"][code], "campuses": [
                {"name": r.campus_name, "status": r.status_or_list, "source": r.source, "note": r.note}
                for r in group.itertuples()],
            "source": "indicators/campuses.csv (see each campus's source)", "location": LOCATION_NOTE}))
    return features


def _roms(data: AtlasData) -> list[dict]:
    year = data.boundaries.years("provincie")[-1]
    provinces = data.boundaries.get("provincie", year)
    by_name = provinces.set_index("name")
    features = []
    for rom, served in ROMS.items():
        rows = by_name.loc[list(served)]
        features.append({"type": "Feature", "geometry": rows.geometry.union_all().__geo_interface__,
                         "properties": {"kind": "rom", "name": rom, "label": rom, "provincie_codes": rows["code"].tolist(),
                                        "provincies": list(served), "source": ROMS_SOURCE}})
    return features


def places(data: AtlasData, kind: str) -> dict:
    """A GeoJSON FeatureCollection of one kind of place."""
    builders = {"kennisstad": _kennissteden, "campus": _campuses, "rom": _roms}
    if kind not in builders:
        raise InvalidChoice("kind", kind, KINDS)
    return data.caches.places.get_or_compute(
        kind, lambda: {"type": "FeatureCollection", "kind": kind, "features": builders[kind](data)})

