"""How concentrated a quantity is over regions: top-N share, the fewest regions holding half, Gini, Theil, Lorenz.

Concentration only means something for a quantity that adds up over regions (a count: participations,
euros, FTE). "Half of the higher-educated share sits in 30 gemeenten" says nothing, so a share or ratio is
measured through the count the catalogue names as its numerator, and refused where there is none. Regions
without a value are left out (and counted in the answer), never taken as zero. Gini and Theil T come from PySAL
``inequality`` (Theil takes 0 · ln 0 = 0, so regions with a value of zero count as holding nothing).
"""

from __future__ import annotations

import numpy as np
from inequality.gini import Gini
from inequality.theil import Theil

from atlas.analysis.inputs import figures
from atlas.data import AtlasData
from atlas.errors import InvalidChoice
from atlas.figures.semantics import coverage_of
from atlas.figures.values import available_levels
from atlas.sources.catalogue import Indicator

HALF = 0.5
METHOD = ("top-N share and regions holding half from the values sorted largest first; Gini and Theil T from "
          "PySAL inequality over the regions with a value (missing regions are left out, not read as zero); "
          "Lorenz curve from the values sorted smallest first")


def concentration_of(values: np.ndarray, top: int) -> dict:
    """The statistics of one non-negative set of values (at least one positive)."""
    y = np.sort(np.asarray(values, dtype=float))[::-1]
    total = float(y.sum())
    cumulative = np.cumsum(y) / total
    top = min(top, len(y))
    half = int(np.searchsorted(cumulative, HALF - 1e-12) + 1)
    lorenz_y = np.concatenate(([0.0], np.cumsum(y[::-1]) / total))
    lorenz_x = np.arange(len(y) + 1) / len(y)
    return {
        "total": total, "regions": int(len(y)), "top_n": top, "top_share": float(cumulative[top - 1]),
        "regions_holding_half": half, "share_of_regions_holding_half": half / len(y),
        "gini": float(Gini(y).g), "theil": float(Theil(y).T),
        "lorenz": [{"population_share": float(x), "value_share": float(v)} for x, v in zip(lorenz_x, lorenz_y)],
    }


def measured_indicator(data: AtlasData, indicator: Indicator) -> tuple[Indicator, str]:
    """The count whose concentration is measured, and why that one."""
    if indicator.kind == "count":
        return indicator, "the indicator itself (a count)"
    if indicator.kind in ("share", "ratio") and indicator.numerator:
        return data.catalogue.get(indicator.numerator), f"the numerator of {indicator.id} named by the catalogue"
    counts = sorted(i.id for i in data.catalogue.indicators.values() if i.kind == "count")
    raise InvalidChoice("indicator", indicator.id, counts, hint=(
        f"{indicator.id} is a {indicator.kind}; concentration needs a quantity that adds up over regions, and "
        "the catalogue names no underlying count for it"))


def concentration(data: AtlasData, indicator_id: str, level: str, year: int | None = None,
                  boundary_year: int | None = None, top: int = 10) -> dict:
    """Concentration of one indicator (or its catalogued count) over the regions of a level."""
    asked = data.catalogue.get(indicator_id)
    measured, basis = measured_indicator(data, asked)
    if level not in available_levels(data, measured):
        raise InvalidChoice("level", level, available_levels(data, measured), hint=f"levels at which {measured.id} has values")
    if top < 1:
        raise InvalidChoice("top", top, ["1 or more"])
    found = figures(data, measured.id, level, year, boundary_year)
    y = found.present.to_numpy()
    coverage = coverage_of(found.values.frame)
    if not coverage["sufficient"]:
        raise InvalidChoice("level", level, [lv for lv in available_levels(data, measured) if lv != level], hint=(
            f"only {coverage['regions_with_value']} of {coverage['regions']} {level} regions have a value for "
            f"{measured.id}; a share of a partial total would overstate the concentration"))
    if len(y) == 0 or (y <= 0).all():
        raise InvalidChoice("year", found.values.year, [], hint=f"no positive {measured.id} values at {level} to measure")
    if (y < 0).any():
        raise InvalidChoice("indicator", measured.id, [], hint="concentration needs non-negative values")
    stats = concentration_of(y, top)
    order = found.present.sort_values(ascending=False, kind="stable")
    names = found.values.frame.set_index("code")["name"]
    total = stats["total"]
    ranked = [{"code": code, "name": str(names[code]), "value": float(value), "share": float(value) / total,
               "cumulative_share": float(c)}
              for code, value, c in zip(order.index, order.to_numpy(), np.cumsum(order.to_numpy()) / total)]
    return {
        **found.describe(), "asked": asked.id, "measured": measured.id, "basis": basis,
        "coverage": coverage, "missing_left_out": int(coverage["regions"] - len(y)), "method": METHOD,
        **stats, "top_regions": ranked[:stats["top_n"]], "half_regions": ranked[:stats["regions_holding_half"]],
    }
