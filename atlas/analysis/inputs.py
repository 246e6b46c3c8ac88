"""The figures an analysis reads: one indicator's present values on one set of boundaries, with what they are.

An analysis must say which numbers it rests on as plainly as the map does (source, year, unit, territory,
how many regions had a value), and leave a missing value out rather than read it as zero. Counts can be put
per inhabitant here, so a big city is not "concentrated" merely for being big; the population used is named.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from atlas.data import AtlasData
from atlas.errors import InvalidChoice
from atlas.figures.values import IndicatorValues, available_years, indicator_values

POPULATION = "population"  # CBS inhabitants per gemeente (sum), several years
PER_INHABITANTS = 100_000
PER_CHOICES = ("none", "inhabitant")


@dataclass(frozen=True)
class Figures:
    """Present values by region code, and the values frame (with every region) they came from."""

    values: IndicatorValues
    present: pd.Series  # code -> value, regions with a value only
    per: dict | None = None  # the population a count was divided by

    @property
    def unit(self) -> str:
        return f"{self.values.indicator.unit} per {PER_INHABITANTS:,} inhabitants" if self.per else self.values.indicator.unit

    def describe(self) -> dict:
        """What any analysis states about its input, in the words of the values' own meta."""
        meta = self.values.meta()
        return {
            "indicator": meta["indicator"], "title": meta["title"], "unit": self.unit, "level": meta["level"],
            "year": meta["year"], "boundary_year": meta["boundary_year"], "source": meta["source"],
            "definition": meta["definition"], "territory": meta["territory"], "harmonised": meta["harmonised"],
            "kind": meta["kind"], "direction": meta["direction"], "regions": meta["regions"],
            "regions_with_value": int(len(self.present)), "per": self.per,
        }


def figures(data: AtlasData, indicator_id: str, level: str, year: int | None = None,
            boundary_year: int | None = None, per: str = "none") -> Figures:
    """Values of one indicator (optionally per inhabitant) on the boundaries of ``boundary_year``."""
    if per not in PER_CHOICES:
        raise InvalidChoice("per", per, PER_CHOICES)
    values = indicator_values(data, indicator_id, level, year, boundary_year)
    frame = values.frame
    present = frame.loc[frame["missing_reason"].isna() & frame["value"].notna()].set_index("code")["value"].astype(float)
    if per == "none":
        return Figures(values, present)
    if values.indicator.kind != "count":
        raise InvalidChoice("per", per, ["none"], hint=f"{indicator_id} is a {values.indicator.kind}, not a count")
    population, population_year = _population(data, level, values.year, values.boundary_year)
    rate = (present / population.reindex(present.index) * PER_INHABITANTS).dropna()
    per_meta = {"indicator": POPULATION, "year": population_year, "factor": PER_INHABITANTS,
                "source": data.catalogue.get(POPULATION).source}
    return Figures(values, rate[rate.index.isin(population[population > 0].index)], per_meta)


def _population(data: AtlasData, level: str, year: int | None, boundary_year: int) -> tuple[pd.Series, int]:
    """Inhabitants in the held year nearest to ``year``, on the same boundaries."""
    years = available_years(data, data.catalogue.get(POPULATION), level)
    if not years:
        raise InvalidChoice("per", "inhabitant", ["none"], hint=f"no population figures at {level}")
    nearest = min(years, key=lambda y: (abs(y - (year or years[-1])), -y))
    frame = indicator_values(data, POPULATION, level, nearest, boundary_year).frame
    return frame.loc[frame["value"].notna()].set_index("code")["value"].astype(float), nearest
