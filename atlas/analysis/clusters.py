"""Spatial clusters: global Moran's I and local Moran (LISA) with permutation inference, from PySAL.

Weights come from ``libpysal`` on the boundaries the values are shown on: queen contiguity by default (regions
sharing a border or a corner), or the k nearest regions by centroid in RD New. Islands (the Wadden islands
touch no other gemeente) would otherwise have no neighbours, and a region without neighbours has no local
statistic; each is joined to its nearest region and the answer names them (libpysal's warnings about the
graph's parts are answered by that, and the number of connected parts is stated instead). Regions without a value are left
out before the weights are built, so no neighbour is invented from a missing value.

Permutations make the p-values random, so the seed is fixed and stated: the same request always gives the
same map. ``esda.Moran`` draws from NumPy's global generator, which is seeded under a lock and restored after.
Results are kept in the bounded ``analyses`` cache, since 999 permutations are the costly part.
"""

from __future__ import annotations

import threading
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from esda.moran import Moran, Moran_Local
from libpysal.weights import KNN, Queen, W
from libpysal.weights.util import attach_islands

from atlas.analysis.inputs import Figures, figures
from atlas.analysis.layers import categorical_layer
from atlas.data import AtlasData
from atlas.errors import InvalidChoice
from atlas.geography.vocabulary import RD_NEW
from atlas.render.classify import Classification

SEED = 20200101
WEIGHTS = ("queen", "knn")
PERMUTATIONS = (99, 199, 499, 999, 9999)
ALPHAS = (0.01, 0.05, 0.1)
QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}  # esda's quadrant numbers
LABELS = ["HH", "LL", "HL", "LH", "ns"]  # legend order: hot spots, cold spots, outliers, not significant
COLOURS = ["#d7191c", "#2c7bb6", "#fdae61", "#abd9e9", "#f7f7f7"]
LABEL_TEXT = {
    "HH": "high among high (hot spot)", "LL": "low among low (cold spot)", "HL": "high among low (outlier)",
    "LH": "low among high (outlier)", "ns": "not significant",
}
_GLOBAL_RNG = threading.Lock()


@dataclass(frozen=True)
class ClusterResult:
    figures: Figures
    weights: dict
    moran: dict
    local: pd.DataFrame  # code, name, value, quadrant, local_i, p_sim
    permutations: int
    key: tuple  # its key in the analyses cache; layers drawn from it extend the key


def spatial_weights(data: AtlasData, level: str, boundary_year: int, codes: list[str], kind: str, k: int) -> tuple[W, list[str]]:
    """Row-standardised weights over ``codes`` (in that order), islands joined to their nearest region."""
    layer = data.boundaries.projected(level, boundary_year, RD_NEW).set_index("code").loc[codes].reset_index()
    if kind == "queen":
        w = Queen.from_dataframe(layer, use_index=False, silence_warnings=True)
        islands = [codes[i] for i in w.islands]
        if islands:
            nearest = KNN.from_dataframe(layer.set_geometry(layer.centroid), k=1, silence_warnings=True)
            w = attach_islands(w, nearest, silence_warnings=True)
    else:
        if not 1 <= k < len(codes):
            raise InvalidChoice("k", k, [f"1..{len(codes) - 1}"], hint="neighbours per region for knn weights")
        w = KNN.from_dataframe(layer.set_geometry(layer.centroid), k=k, silence_warnings=True)
        islands = []
    w.transform = "r"
    return w, islands


def clusters(data: AtlasData, indicator_id: str, level: str, year: int | None = None, boundary_year: int | None = None,
             weights: str = "queen", k: int = 6, permutations: int = 999, per: str = "none") -> ClusterResult:
    """Moran's I and LISA for one indicator, from the bounded ``analyses`` cache."""
    if weights not in WEIGHTS:
        raise InvalidChoice("weights", weights, WEIGHTS)
    if permutations not in PERMUTATIONS:
        raise InvalidChoice("permutations", permutations, PERMUTATIONS)
    key = ("clusters", indicator_id, level, year, boundary_year, weights, k if weights == "knn" else None,
           permutations, per)
    return data.caches.analyses.get_or_compute(
        key, lambda: _compute(data, indicator_id, level, year, boundary_year, weights, k, permutations, per, key))


def _compute(data: AtlasData, indicator_id: str, level: str, year: int | None, boundary_year: int | None,
             weights: str, k: int, permutations: int, per: str, key: tuple) -> ClusterResult:
    found = figures(data, indicator_id, level, year, boundary_year, per)
    if found.values.indicator.is_category:
        raise InvalidChoice("indicator", indicator_id, [], hint="spatial autocorrelation needs numbers, not categories")
    codes = list(found.present.index)
    if len(codes) < 8:
        raise InvalidChoice("level", level, [], hint=f"only {len(codes)} {level} regions have a value; too few for Moran's I")
    w, islands = spatial_weights(data, level, found.values.boundary_year, codes, weights, k)
    y = found.present.to_numpy(dtype=float)
    if np.ptp(y) == 0:
        raise InvalidChoice("indicator", indicator_id, [], hint="every region has the same value")
    moran = moran_global(y, w, permutations)
    local = moran_local(y, w, permutations)
    names = found.values.frame.set_index("code")["name"]
    frame = pd.DataFrame({
        "code": codes, "name": names.reindex(codes).to_numpy(), "value": y,
        "quadrant": [QUADRANTS[int(q)] for q in local.q], "local_i": local.Is, "p_sim": local.p_sim,
    })
    description = {
        "kind": weights, "k": k if weights == "knn" else None, "transform": "row-standardised",
        "islands": [{"code": c, "name": str(names[c])} for c in islands],
        "islands_rule": "joined to their nearest region (centroid distance)" if islands else None,
        "mean_neighbours": float(w.mean_neighbors), "components": int(w.n_components),
    }
    return ClusterResult(found, description, moran, frame, permutations, key)


def moran_global(y: np.ndarray, w: W, permutations: int) -> dict:
    """Global Moran's I with its pseudo p-value from ``esda`` (the global generator seeded, then restored)."""
    with _GLOBAL_RNG:
        state = np.random.get_state()
        np.random.seed(SEED)
        try:
            result = Moran(y, w, permutations=permutations)
        finally:
            np.random.set_state(state)
    return {"I": float(result.I), "expected_I": float(result.EI), "p_sim": float(result.p_sim),
            "z_sim": float(result.z_sim), "p_norm": float(result.p_norm), "n": int(result.n)}


def moran_local(y: np.ndarray, w: W, permutations: int) -> Moran_Local:
    """Local Moran with folded ("directed") pseudo p-values, as GeoDa and esda 2.x compute them.

    esda announces a change of that default but offers ``Moran_Local`` no way to choose it yet; the one warning
    saying so is filtered by its text here, and the answer states which p-value it is."""
    with _GLOBAL_RNG, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The alternative hypothesis for conditional randomization",
                                category=DeprecationWarning)
        return Moran_Local(y, w, permutations=permutations, seed=SEED, n_jobs=1)


def cluster_labels(result: ClusterResult, alpha: float) -> pd.Series:
    """HH, LL, HL, LH where the local pseudo p-value is below ``alpha``, else ns; by region code."""
    if alpha not in ALPHAS:
        raise InvalidChoice("alpha", alpha, ALPHAS)
    significant = result.local["p_sim"].to_numpy() < alpha
    return pd.Series(np.where(significant, result.local["quadrant"], "ns"), index=result.local["code"])


def summary(result: ClusterResult, alpha: float) -> dict:
    """The JSON answer: what was measured, how, the global statistic and every region's class."""
    labels = cluster_labels(result, alpha)
    local = result.local.assign(cluster=labels.to_numpy())
    lisa = [
        {"code": r.code, "name": r.name, "value": float(r.value), "quadrant": r.quadrant, "local_i": float(r.local_i),
         "p_sim": float(r.p_sim), "cluster": r.cluster}
        for r in local.itertuples(index=False)]
    return {
        **result.figures.describe(), "weights": result.weights, "permutations": result.permutations, "seed": SEED,
        "alpha": alpha, "moran": result.moran,
        "counts": {label: int((labels == label).sum()) for label in LABELS},
        "legend": [{"cluster": label, "label": LABEL_TEXT[label], "colour": colour} for label, colour in zip(LABELS, COLOURS)],
        "legend_note": f"local Moran, {result.permutations} permutations (seed {SEED}), folded pseudo p < {alpha}",
        "lisa": lisa,
    }


def cluster_layer(data: AtlasData, result: ClusterResult, alpha: float) -> Classification:
    """The LISA classes as a map layer (kept in the ``analyses`` cache with the result it draws)."""
    labels = cluster_labels(result, alpha)
    key = ("cluster-layer", *result.key, alpha)
    classes = labels.map({label: i for i, label in enumerate(LABELS)})
    notes = [f"local Moran, {result.permutations} permutations (seed {SEED}), pseudo p < {alpha}"]
    return data.caches.analyses.get_or_compute(key, lambda: categorical_layer(
        result.figures.values, classes, [LABEL_TEXT[label] for label in LABELS], COLOURS, "lisa", key, notes))
