"""Two indicators together: the regions as a scatter with Pearson and Spearman correlation and a fitted line,
and a 3 x 3 bivariate choropleth.

Both indicators are put on one boundary year (the later of their own, unless asked) through the atlas's
re-mapping, and only regions with both values take part; the answer says how many. Correlation and the line
come from scipy. The bivariate classes are the terciles of each indicator (mapclassify), so each third of
the regions takes one row or column of the grid.
"""

from __future__ import annotations

import mapclassify
import numpy as np
import pandas as pd
from scipy import stats

from atlas.analysis.inputs import Figures, figures
from atlas.analysis.layers import categorical_layer
from atlas.data import AtlasData
from atlas.errors import InvalidChoice
from atlas.figures.values import indicator_values
from atlas.render.classify import Classification

# Joshua Stevens' blue-pink grid: index 3 * y_class + x_class, from low-low (light grey) to high-high.
GRID = ["#e8e8e8", "#ace4e4", "#5ac8c8", "#dfb0d6", "#a5add3", "#5698b9", "#be64ac", "#8c62aa", "#3b4994"]
THIRDS = ("low", "middle", "high")


def pair(data: AtlasData, x: str, y: str, level: str, x_year: int | None, y_year: int | None,
         boundary_year: int | None, x_per: str, y_per: str) -> tuple[Figures, Figures, pd.DataFrame]:
    """Both indicators on one boundary year, and the regions that have both."""
    if boundary_year is None:
        boundary_year = max(indicator_values(data, x, level, x_year).boundary_year,
                            indicator_values(data, y, level, y_year).boundary_year)
    fx = figures(data, x, level, x_year, boundary_year, x_per)
    fy = figures(data, y, level, y_year, boundary_year, y_per)
    for found in (fx, fy):
        if found.values.indicator.is_category:
            raise InvalidChoice("indicator", found.values.indicator.id, [], hint="categories cannot be correlated")
    joined = pd.DataFrame({"x": fx.present, "y": fy.present}).dropna()
    if len(joined) < 3:
        raise InvalidChoice("level", level, [], hint=f"only {len(joined)} regions have both values")
    names = fx.values.frame.set_index("code")["name"]
    joined.insert(0, "name", names.reindex(joined.index))
    return fx, fy, joined


def correlation(data: AtlasData, x: str, y: str, level: str, x_year: int | None = None, y_year: int | None = None,
                boundary_year: int | None = None, x_per: str = "none", y_per: str = "none") -> dict:
    """Scatter points, Pearson and Spearman with p-values, and the least-squares line."""
    key = ("correlation", x, y, level, x_year, y_year, boundary_year, x_per, y_per)
    return data.caches.analyses.get_or_compute(
        key, lambda: _correlation(data, x, y, level, x_year, y_year, boundary_year, x_per, y_per))


def _correlation(data: AtlasData, x: str, y: str, level: str, x_year: int | None, y_year: int | None,
                 boundary_year: int | None, x_per: str, y_per: str) -> dict:
    fx, fy, joined = pair(data, x, y, level, x_year, y_year, boundary_year, x_per, y_per)
    pearson = stats.pearsonr(joined["x"], joined["y"])
    spearman = stats.spearmanr(joined["x"], joined["y"])
    line = stats.linregress(joined["x"], joined["y"])
    x_classes, y_classes, x_bins, y_bins = terciles(joined)
    points = [{"code": code, "name": str(name), "x": float(x_value), "y": float(y_value), "class": int(3 * cy + cx)}
              for code, name, x_value, y_value, cx, cy in zip(joined.index, joined["name"], joined["x"], joined["y"],
                                                             x_classes, y_classes)]
    return {
        "level": level, "boundary_year": fx.values.boundary_year, "x": fx.describe(), "y": fy.describe(),
        "n": int(len(joined)),
        "left_out": int(len(fx.values.frame) - len(joined)),
        "pearson": {"r": float(pearson.statistic), "p": float(pearson.pvalue)},
        "spearman": {"rho": float(spearman.statistic), "p": float(spearman.pvalue)},
        "line": {"slope": float(line.slope), "intercept": float(line.intercept), "r_squared": float(line.rvalue ** 2)},
        "method": "scipy.stats pearsonr, spearmanr and linregress (least squares, y on x) over regions with both values",
        "bivariate": {"x_breaks": x_bins, "y_breaks": y_bins, "colours": GRID, "index": "3 * y_class + x_class"},
        "points": points,
    }


def terciles(joined: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, list[float], list[float]]:
    """Class 0-2 of each region on each axis, and the upper bounds of the classes."""
    result = []
    for column in ("x", "y"):
        values = joined[column].to_numpy(dtype=float)
        bins = np.asarray(mapclassify.Quantiles(values, k=3).bins, dtype=float) if np.unique(values).size >= 3 \
            else np.array([values.max()])
        result.append((np.minimum(np.searchsorted(bins, values, side="left"), 2), [float(b) for b in bins]))
    (cx, bx), (cy, by) = result
    return cx, cy, bx, by


def bivariate_layer(data: AtlasData, x: str, y: str, level: str, x_year: int | None = None, y_year: int | None = None,
                    boundary_year: int | None = None, x_per: str = "none", y_per: str = "none") -> Classification:
    """The 3 x 3 map layer: a region's class is its x tercile plus three times its y tercile."""
    key = ("bivariate-layer", x, y, level, x_year, y_year, boundary_year, x_per, y_per)

    def build() -> Classification:
        fx, fy, joined = pair(data, x, y, level, x_year, y_year, boundary_year, x_per, y_per)
        cx, cy, _, _ = terciles(joined)
        classes = pd.Series(3 * cy + cx, index=joined.index)
        labels = [f"{fx.values.indicator.id} {THIRDS[i % 3]}, {fy.values.indicator.id} {THIRDS[i // 3]}" for i in range(9)]
        return categorical_layer(fx.values, classes, labels, GRID, "bivariate", key,
                                 ["terciles of each indicator over the regions with both values"])

    return data.caches.analyses.get_or_compute(key, build)
