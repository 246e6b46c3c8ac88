"""How complete each indicator is, per level and year: regions with a value out of the regions that exist.

A layer where 1 of 40 COROP regions has a value is a list of figures, not a map; the page and the API
read this table to say so instead of drawing a choropleth that looks complete.
"""

from __future__ import annotations

from atlas.data import AtlasData
from atlas.errors import InvalidChoice
from atlas.figures.values import available_levels, available_years, indicator_values

LEVEL_NAMES = {"provincie": ("province", "provinces", "provincie", "provincies"),
               "corop": ("COROP region", "COROP regions", "COROP-regio", "COROP-regio's"),
               "gemeente": ("municipality", "municipalities", "gemeente", "gemeenten"),
               "wijk": ("district", "districts", "wijk", "wijken")}


def coverage_entry(data: AtlasData, indicator_id: str, level: str, year: int | None) -> dict:
    values = indicator_values(data, indicator_id, level, year)
    coverage = values.meta()["coverage"]
    return {"indicator": indicator_id, "level": level, "year": values.year, "boundary_year": values.boundary_year,
            **coverage, "sentence": sentence(coverage["regions_with_value"], coverage["regions"], level)}


def sentence(with_value: int, regions: int, level: str) -> dict[str, str]:
    """'1 of 40 COROP regions has a value', in both languages, for the map and for screen readers."""
    one, many, een, meer = LEVEL_NAMES[level]
    return {"en": f"{with_value} of {regions} {many if regions != 1 else one} {'has' if with_value == 1 else 'have'} a value",
            "nl": f"{with_value} van {regions} {meer if regions != 1 else een} {'heeft' if with_value == 1 else 'hebben'} een waarde"}


def coverage_table(data: AtlasData, indicator_id: str | None = None, level: str | None = None,
                   year: int | None = None) -> list[dict]:
    """Every indicator x map level x year (or the ones asked for), each entry from the cached values."""
    if level is not None:
        data.check_level(level)
    ids = [data.catalogue.get(indicator_id).id] if indicator_id else list(data.catalogue.indicators)
    rows = []
    for iid in ids:
        levels = available_levels(data, data.catalogue.get(iid))
        if level is not None:
            if level not in levels:
                if indicator_id:  # asked about this indicator: say which levels it has
                    raise InvalidChoice("level", level, levels, hint=f"levels at which {iid} has values")
                continue
            levels = [level]
        for lv in levels:
            years = available_years(data, data.catalogue.get(iid), lv)
            if year is not None:
                if year not in years:
                    if indicator_id:
                        raise InvalidChoice("year", year, years, hint=f"years of {iid} at {lv}")
                    continue
                years = [year]
            rows += [coverage_entry(data, iid, lv, y) for y in years]
    return rows
