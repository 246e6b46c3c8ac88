"""Change between two years of one indicator, on one boundary year: difference and relative change.

Both years are put on the same boundaries through the atlas's re-mapping (``atlas.figures.values``), so a
merged municipality is compared with the sum of its predecessors, never with a different territory; each
region's label says how exact that is. Across a definition break (``series_breaks`` in the catalogue) the two
numbers measure different things, so the change is refused and the years that can be compared are named.
The map layer centres a diverging scheme on zero: growth and decline take opposite colours.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from atlas.analysis.layers import derived_values, numeric_layer
from atlas.data import AtlasData
from atlas.errors import InvalidChoice
from atlas.figures.remap import worst
from atlas.figures.semantics import segment_of
from atlas.figures.values import IndicatorValues, available_years, indicator_values
from atlas.render.classify import ClassRequest, Classification

MEASURES = ("difference", "relative")


def _checked_years(data: AtlasData, indicator_id: str, level: str, from_year: int, to_year: int) -> None:
    indicator = data.catalogue.get(indicator_id)
    if indicator.is_category:
        raise InvalidChoice("indicator", indicator_id, [], hint="a category has no difference")
    years = available_years(data, indicator, level)
    for name, year in (("from", from_year), ("to", to_year)):
        if year not in years:
            raise InvalidChoice(name, year, years, hint=f"years of {indicator_id} at {level}")
    if from_year >= to_year:
        raise InvalidChoice("from", from_year, [y for y in years if y < to_year], hint="an earlier year than `to`")
    segment = segment_of(to_year, indicator.series_breaks)
    if segment_of(from_year, indicator.series_breaks) != segment:
        crossed = [b for b in indicator.series_breaks if from_year < b.year <= to_year]
        comparable = [y for y in years if segment_of(y, indicator.series_breaks) == segment and y < to_year]
        raise InvalidChoice("from", from_year, comparable, hint=(
            f"the definition of {indicator_id} changed in {crossed[0].year} ({crossed[0].reason}); "
            f"only years from the same definition can be compared with {to_year}"))


def change_values(data: AtlasData, indicator_id: str, level: str, from_year: int, to_year: int,
                  boundary_year: int | None = None) -> tuple[IndicatorValues, IndicatorValues, pd.DataFrame]:
    """Both years on one boundary year (default: the later year's own), and per region the change."""
    _checked_years(data, indicator_id, level, from_year, to_year)
    if boundary_year is None:
        boundary_year = indicator_values(data, indicator_id, level, to_year).boundary_year
    before = indicator_values(data, indicator_id, level, from_year, boundary_year)
    after = indicator_values(data, indicator_id, level, to_year, boundary_year)
    a = before.frame.set_index("code")
    b = after.frame.set_index("code").reindex(a.index)
    frame = pd.DataFrame({"name": a["name"], "from_value": a["value"], "to_value": b["value"]})
    frame["difference"] = frame["to_value"] - frame["from_value"]
    base = frame["from_value"].where(frame["from_value"] != 0)
    frame["relative"] = frame["difference"] / base * 100
    frame["harmonised"] = [worst(pd.Series(pair)) for pair in zip(a["harmonised"], b["harmonised"])]
    reasons = np.where(a["missing_reason"].notna(), f"{from_year}: " + a["missing_reason"].astype(str),
                       np.where(b["missing_reason"].notna(), f"{to_year}: " + b["missing_reason"].astype(str), None))
    frame["missing_reason"] = pd.Series(reasons, index=frame.index, dtype=object)
    zero = frame["missing_reason"].isna() & frame["from_value"].eq(0)
    frame["relative_missing_reason"] = frame["missing_reason"].where(~zero, f"{from_year} value is 0: no relative change")
    return before, after, frame


def change(data: AtlasData, indicator_id: str, level: str, from_year: int, to_year: int,
           boundary_year: int | None = None) -> dict:
    """The JSON answer: what was compared, on which boundaries, and every region's change."""
    before, after, frame = change_values(data, indicator_id, level, from_year, to_year, boundary_year)
    meta = after.meta()
    rows = []
    for code, r in frame.iterrows():
        rows.append({"code": code, "name": r["name"], "from_value": _number(r["from_value"]),
                     "to_value": _number(r["to_value"]), "difference": _number(r["difference"]),
                     "relative": _number(r["relative"]), "harmonised": r["harmonised"],
                     "missing_reason": r["missing_reason"] if isinstance(r["missing_reason"], str) else None})
    present = frame["difference"].notna()
    return {
        "indicator": indicator_id, "title": meta["title"], "unit": meta["unit"], "level": level,
        "from_year": from_year, "to_year": to_year, "boundary_year": after.boundary_year, "source": meta["source"],
        "territory": {"from": before.meta()["territory"], "to": meta["territory"]},
        "harmonised": worst(frame.loc[present, "harmonised"]),
        "regions": int(len(frame)), "regions_with_value": int(present.sum()),
        "relative_unit": "% of the first year's value",
        "series_breaks": meta["series_breaks"], "rows": rows,
    }


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def change_layer(data: AtlasData, indicator_id: str, level: str, from_year: int, to_year: int,
                 boundary_year: int | None, measure: str, request: ClassRequest) -> Classification:
    """The change as a map layer, classified on a diverging scheme centred on zero."""
    if measure not in MEASURES:
        raise InvalidChoice("measure", measure, MEASURES)
    key = ("change-layer", indicator_id, level, from_year, to_year, boundary_year, measure, request.key())

    def build() -> Classification:
        _, after, frame = change_values(data, indicator_id, level, from_year, to_year, boundary_year)
        indicator = after.indicator
        relative = measure == "relative"
        derived = indicator.model_copy(update={
            "id": f"{indicator.id}__{measure}_{from_year}_{to_year}",
            "title_en": f"{indicator.title_en}: {'relative change' if relative else 'change'} {from_year}-{to_year}",
            "title_nl": f"{indicator.title_nl}: {'relatieve verandering' if relative else 'verandering'} {from_year}-{to_year}",
            "unit": "% change" if relative else indicator.unit, "midpoint": 0.0, "scheme": request.scheme or "RdBu",
            "precision": 1 if relative else indicator.decimals, "direction": "higher_is_better", "kind": "index"})
        value = frame["relative" if relative else "difference"]
        reason = frame["relative_missing_reason" if relative else "missing_reason"]
        values = derived_values(after, value, reason, derived)
        return numeric_layer(values, ClassRequest(request.method, request.classes, request.scheme or "RdBu"), key)

    return data.caches.analyses.get_or_compute(key, build)
