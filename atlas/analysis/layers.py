"""Analysis results as map layers, drawn by the atlas's own tile renderer.

A cluster map, a bivariate map, a change map and a composite index are choropleths like any other, so they
are handed to ``atlas.render`` as a ``Classification``: either classes decided here (LISA quadrants, the 3 x 3
bivariate grid) or a derived set of values classified the usual way (differences centred on zero, index
scores). The same legend, no-data colour and PNG renderer as the indicator map follow, and a region's colour
cannot disagree with the table beside it.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from atlas.data import AtlasData
from atlas.figures.values import IndicatorValues
from atlas.render.classify import NO_CLASS, ClassRequest, Classification, classify
from atlas.render.rastertiles import palette_slots, render_png
from atlas.render.schemes import Scheme
from atlas.render.tilegrid import TileAddress, grid_geometry
from atlas.sources.catalogue import Indicator

NO_DATA_GREY = "#c8c8c8"


def derived_values(base: IndicatorValues, value: pd.Series, reason: pd.Series, indicator: Indicator) -> IndicatorValues:
    """Values computed from ``base`` (same regions and boundaries), under a derived catalogue entry.

    ``value`` and ``reason`` are indexed by region code; a region without a value carries its reason."""
    frame = base.frame.copy()
    frame["value"] = frame["code"].map(value).astype(float).to_numpy()
    frame["missing_reason"] = frame["code"].map(reason).where(frame["value"].isna(), None).astype(object)
    frame.loc[frame["value"].isna() & frame["missing_reason"].isna(), "missing_reason"] = "no value"
    frame["rank"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    frame["percentile"] = np.nan
    return replace(base, indicator=indicator, frame=frame)


def numeric_layer(values: IndicatorValues, request: ClassRequest, key: tuple) -> Classification:
    """Derived values classified as the indicator map classifies (a diverging ramp centred on the midpoint)."""
    classification = classify(values, request, None)
    classification.key = key
    return classification


def categorical_layer(values: IndicatorValues, classes: pd.Series, labels: list[str], colours: list[str],
                      method: str, key: tuple, notes: list[str]) -> Classification:
    """Classes decided by an analysis (``classes``: code -> class number, absent for no data)."""
    index = values.frame["code"].map(classes).fillna(NO_CLASS).astype(int).to_numpy()
    counts = [int((index == i).sum()) for i in range(len(labels))]
    scheme = Scheme(method, "qualitative", len(colours), True, NO_DATA_GREY)
    return Classification(values, method, scheme, False, labels, colours, counts, index, [], len(labels), notes,
                          key=key)


def layer_tile(data: AtlasData, classification: Classification, address: TileAddress) -> bytes:
    """One PNG tile of an analysis layer, on the boundaries its values are shown on."""
    values = classification.values
    geometry = grid_geometry(data, values.level, values.boundary_year, address.z)
    slots = data.caches.analyses.get_or_compute(
        ("slots", classification.key), lambda: palette_slots(classification, geometry.codes))
    return render_png(classification, geometry, slots, address)
