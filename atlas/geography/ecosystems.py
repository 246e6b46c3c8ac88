"""Dealroom's Dutch startup ecosystems as points at their core city, never as areas.

Dealroom measures its own metro areas and publishes no list of their member municipalities, so the
figures cannot be spread over gemeenten or drawn as a choropleth: each metro is one point, placed at the
representative point of its core city's gemeente (the city Dealroom names it after) and labelled with
the area name as Dealroom gives it. Two rows of the file are left out: "Netherlands" is the whole
country (a national total, not a place on the map; drawing it as a point would read as one more city),
and "New Palo Alto" is a Dealroom "supercluster" spanning the Netherlands, Belgium, France and the UK,
not a Dutch region. A Dutch metro row whose core city is not listed here is refused, not guessed.
"""

from __future__ import annotations

from atlas.data import AtlasData
from atlas.errors import DataValidationError
from atlas.geography.placematch import place_matcher
from atlas.sources.dealroom import ATTRIBUTION, FIGURES, SOURCE, Ecosystem, read_ecosystems

CORE_CITY = {"Amsterdam": "Amsterdam", "Eindhoven": "Eindhoven", "Rotterdam - The Hague": "Rotterdam",
             "Utrecht": "Utrecht", "Leiden": "Leiden"}
EXCLUDED = {
    "Country": "the whole country: a national total, not a place; a point would read as one more city",
    "Supercluster": "a Dealroom supercluster spanning the Netherlands, Belgium, France and the UK, not a Dutch region",
}
LOCATION_NOTE = ("a point at the core city's gemeente standing for Dealroom's whole metro area; Dealroom lists "
                 "no member municipalities, so the figures belong to the area, not to this gemeente")


def _dutch_metro(row: Ecosystem) -> bool:
    return row.kind == "Metro" and "Netherlands" in row.location_type


def _feature(row: Ecosystem, layer, matcher) -> dict:
    match = matcher.match(CORE_CITY[row.name])
    point = layer.geometry[match.code].representative_point()
    figures = {f.key: {"value": row.values[f.column], "unit": f.unit, "unit_note": f.unit_note,
                       "column": f.column, "title": {"nl": f.title_nl, "en": f.title_en}} for f in FIGURES}
    return {"type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(point.x, 6), round(point.y, 6)]},
            "properties": {"kind": "startup_ecosystem", "name": row.name, "area_name": row.full_name,
                           "label": row.full_name, "core_city": CORE_CITY[row.name], "gemeente_code": match.code,
                           "gemeente": match.gemeente, "snapshot": row.snapshot, "dealroom_url": row.url,
                           "figures": figures, "source": SOURCE, "attribution": ATTRIBUTION,
                           "location": LOCATION_NOTE}}


def startup_ecosystems(data: AtlasData) -> dict:
    """A GeoJSON FeatureCollection of the Dutch Dealroom metros, with the left-out rows and why."""
    def build() -> dict:
        rows = read_ecosystems(data.data_dir)
        unknown = [f"{r.name!r} (line {r.line})" for r in rows if _dutch_metro(r) and r.name not in CORE_CITY]
        if unknown:
            raise DataValidationError([f"Dutch Dealroom metro {u} has no core city in atlas.geography.ecosystems"
                                       for u in unknown])
        year = data.boundaries.years("gemeente")[-1]
        layer = data.boundaries.get("gemeente", year).set_index("code")
        matcher = place_matcher(data, year)
        snapshots = sorted({r.snapshot for r in rows})
        return {"type": "FeatureCollection", "kind": "startup_ecosystem", "attribution": ATTRIBUTION,
                "source": SOURCE, "snapshot": snapshots[-1], "boundary_year": year,
                "features": [_feature(r, layer, matcher) for r in rows if _dutch_metro(r)],
                "excluded": [{"name": r.name, "area_name": r.full_name, "reason": EXCLUDED.get(r.kind, "not a Dutch metro")}
                             for r in rows if not _dutch_metro(r)]}

    return data.caches.places.get_or_compute("startup_ecosystem", build)
