"""The 13 kennissteden side by side, on every indicator with values at gemeente level (or, asked for COROP, on
every indicator of the COROP regions they lie in), with the national reference beside them.

Each indicator is read at its latest year on its own boundaries, and the cities are found on those
boundaries by name (the place matcher), so no figure is re-mapped for the table. The reference is the
atlas's national reference (the source's national figure, else the aggregate by rule, else the median of
the regions), labelled as which. A city without a value shows the reason, never a zero.
"""

from __future__ import annotations

import pandas as pd

from atlas.data import AtlasData
from atlas.errors import AtlasError, InvalidChoice
from atlas.figures.reference import national_reference
from atlas.figures.semantics import json_number
from atlas.figures.values import available_levels, indicator_values
from atlas.geography.placematch import place_matcher
from atlas.geography.places import KENNISSTEDEN, KENNISSTEDEN_SOURCE

LEVELS = ("gemeente", "corop")


def kennissteden(data: AtlasData, level: str = "gemeente") -> dict:
    """The benchmark table at one level (kept in the ``analyses`` cache: it reads every indicator of the level,
    which takes seconds cold, so each level is its own answer)."""
    if level not in LEVELS:
        raise InvalidChoice("level", level, LEVELS)
    return data.caches.analyses.get_or_compute(("kennissteden", level), lambda: _table(data, level))


def _city_regions(data: AtlasData, boundary_year: int, level: str) -> list[dict]:
    """Each kennisstad's gemeente (or that gemeente's COROP region) on one boundary year."""
    matcher = place_matcher(data, boundary_year)
    gemeenten = data.boundaries.get("gemeente", boundary_year).set_index("code")
    corop = data.boundaries.get("corop", boundary_year).set_index("code")["name"] if level == "corop" else None
    regions = []
    for city in KENNISSTEDEN:
        code = matcher.match(city).code
        if level == "corop" and corop is not None:
            region = gemeenten["corop_code"][code]
            regions.append({"city": city, "code": region, "name": str(corop[region])})
        else:
            regions.append({"city": city, "code": code, "name": str(gemeenten["name"][code])})
    return regions


def _table(data: AtlasData, level: str) -> dict:
    rows, skipped = [], []
    for indicator in data.catalogue.indicators.values():
        if indicator.is_category or indicator.see_instead or level not in available_levels(data, indicator):
            continue
        try:
            values = indicator_values(data, indicator.id, level)
        except AtlasError as error:
            skipped.append({"indicator": indicator.id, "level": level, "reason": str(error)})
            continue
        frame = values.frame.set_index("code")
        if frame["value"].notna().sum() == 0:
            continue
        cities = []
        for region in _city_regions(data, values.boundary_year, level):
            row = frame.loc[region["code"]]
            cities.append({**region, "value": json_number(row["value"], indicator.decimals),
                           "rank": None if pd.isna(row["rank"]) else int(row["rank"]),
                           "missing_reason": row["missing_reason"] if isinstance(row["missing_reason"], str) else None})
        reference = national_reference(data, indicator.id, values.year, level)
        rows.append({
            "indicator": indicator.id, "title": {"nl": indicator.title_nl, "en": indicator.title_en},
            "unit": indicator.unit, "kind": indicator.kind, "direction": indicator.direction, "level": level,
            "year": values.year, "boundary_year": values.boundary_year, "source": indicator.source,
            "regions": int(len(frame)), "decimals": indicator.decimals, "reference": reference, "cities": cities,
        })
    return {"cities": list(KENNISSTEDEN), "source": KENNISSTEDEN_SOURCE, "level": level,
            "rows": rows, "skipped": skipped}


def kennissteden_csv(table: dict) -> str:
    """One line per indicator and level: each city's value, then the reference and where it comes from."""
    records = []
    for row in table["rows"]:
        record = {"indicator": row["indicator"], "title": row["title"]["en"], "level": row["level"], "year": row["year"],
                  "boundary_year": row["boundary_year"], "unit": row["unit"]}
        record.update({c["city"]: c["value"] for c in row["cities"]})
        reference = row["reference"] or {}
        record.update({"reference": reference.get("value"), "reference_basis": reference.get("basis"),
                       "source": row["source"]})
        records.append(record)
    return f"# {table['source']}\n" + pd.DataFrame(records).to_csv(index=False)
