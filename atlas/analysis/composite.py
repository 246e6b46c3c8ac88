"""A composite index in the spirit of the Regional Innovation Scoreboard: chosen indicators, normalised,
weighted and averaged into one score per region, with a ranked table and a sensitivity check.

Everything that decides the outcome is explicit and returned as the recipe: the indicators and their years,
the weights, the normalisation (min-max to 0-1, or z-scores), the missing-value rule and the direction. The
direction comes from the catalogue: a lower-is-better indicator is flipped so that a higher score is always
better, and a neutral one (population, say) is refused, since it has no better end. The sensitivity check
redraws every weight uniformly within a stated range around its value (fixed seed) and reports how far each
region's rank moves: a rank that jumps under small changes of weight should not be quoted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from atlas.analysis.inputs import figures
from atlas.analysis.layers import derived_values, numeric_layer
from atlas.data import AtlasData
from atlas.errors import InvalidChoice
from atlas.figures.values import IndicatorValues, indicator_values
from atlas.render.classify import ClassRequest, Classification

NORMALISATIONS = ("minmax", "zscore")
MISSING_RULES = ("complete", "available")
MISSING_TEXT = {
    "complete": "a region missing any indicator gets no score",
    "available": "the weighted mean over the indicators a region has, if they carry at least half of the weight",
}
SEED = 20200101
DRAWS = 200


def _parse(indicators: list[str], weights: list[float] | None, years: list[int | None] | None) -> tuple[list[float], list[int | None]]:
    if not indicators:
        raise InvalidChoice("indicators", "", ["one or more indicator ids"])
    if len(set(indicators)) != len(indicators):
        raise InvalidChoice("indicators", ",".join(indicators), [], hint="each indicator once")
    weights = weights if weights else [1.0] * len(indicators)
    years = years if years else [None] * len(indicators)
    if len(weights) != len(indicators) or any(not np.isfinite(w) or w <= 0 for w in weights):
        raise InvalidChoice("weights", ",".join(map(str, weights)), [f"{len(indicators)} positive numbers"])
    if len(years) != len(indicators):
        raise InvalidChoice("years", ",".join(map(str, years)), [f"{len(indicators)} years (empty for the latest)"])
    return weights, years


def _normalised(values: pd.Series, normalisation: str, flip: bool) -> pd.Series:
    """Higher is better after this, whatever the indicator's own direction."""
    signed = -values if flip else values
    if normalisation == "minmax":
        span = signed.max() - signed.min()
        return (signed - signed.min()) / span if span else signed * 0.0
    spread = signed.std(ddof=0)
    return (signed - signed.mean()) / spread if spread else signed * 0.0


def _scores(matrix: np.ndarray, weights: np.ndarray, rule: str) -> np.ndarray:
    """Weighted mean per region (rows) for each weight vector (rows of ``weights``); NaN where no score."""
    have = ~np.isnan(matrix)
    filled = np.where(have, matrix, 0.0)
    numerator = filled @ weights.T
    carried = have.astype(float) @ weights.T
    scores = numerator / np.where(carried > 0, carried, np.nan)
    if rule == "complete":
        scores[~have.all(axis=1)] = np.nan
    else:
        scores[carried < weights.sum(axis=1) / 2] = np.nan
    return scores


def composite(data: AtlasData, level: str, indicators: list[str], weights: list[float] | None = None,
              years: list[int | None] | None = None, boundary_year: int | None = None, normalisation: str = "minmax",
              missing: str = "complete", sensitivity: float = 0.5) -> dict:
    """Scores, ranks (1 = best) and rank ranges under weight variation; kept in the ``analyses`` cache."""
    weights, years = _parse(indicators, weights, years)
    if normalisation not in NORMALISATIONS:
        raise InvalidChoice("normalisation", normalisation, NORMALISATIONS)
    if missing not in MISSING_RULES:
        raise InvalidChoice("missing", missing, MISSING_RULES)
    if not 0 <= sensitivity < 1:
        raise InvalidChoice("sensitivity", sensitivity, ["0 <= range < 1, e.g. 0.5 for weights within ±50 %"])
    key = ("composite", level, tuple(indicators), tuple(weights), tuple(years), boundary_year, normalisation, missing,
           sensitivity)
    return data.caches.analyses.get_or_compute(key, lambda: _composite(
        data, level, indicators, weights, years, boundary_year, normalisation, missing, sensitivity))


def _composite(data: AtlasData, level: str, indicators: list[str], weights: list[float], years: list[int | None],
               boundary_year: int | None, normalisation: str, missing: str, sensitivity: float) -> dict:
    for indicator_id in indicators:
        indicator = data.catalogue.get(indicator_id)
        if indicator.is_category or indicator.direction == "neutral":
            offered = sorted(i.id for i in data.catalogue.indicators.values()
                             if i.direction != "neutral" and not i.is_category)
            raise InvalidChoice("indicators", indicator_id, offered, hint=(
                f"{indicator_id} has no better end (direction {indicator.direction}, kind {indicator.kind})"))
    if boundary_year is None:
        boundary_year = max(indicator_values(data, i, level, y).boundary_year for i, y in zip(indicators, years))
    found = [figures(data, i, level, y, boundary_year) for i, y in zip(indicators, years)]
    base = found[0].values
    codes = base.frame["code"]
    flips = [f.values.indicator.direction == "lower_is_better" for f in found]
    columns = [_normalised(f.present, normalisation, flip).reindex(codes).to_numpy(dtype=float)
               for f, flip in zip(found, flips)]
    matrix = np.column_stack(columns)
    w = np.asarray(weights, dtype=float)
    score = _scores(matrix, w[None, :], missing)[:, 0]
    rank = _ranks(score[:, None])[:, 0]
    draws = np.random.default_rng(SEED).uniform(1 - sensitivity, 1 + sensitivity, size=(DRAWS, len(w))) * w
    varied = _ranks(_scores(matrix, draws, missing))
    names = base.frame["name"].to_numpy()
    rows = []
    for i, code in enumerate(codes):
        has = not np.isnan(score[i])
        rows.append({
            "code": code, "name": str(names[i]), "score": float(score[i]) if has else None,
            "rank": int(rank[i]) if has else None,
            "rank_min": int(np.nanmin(varied[i])) if has else None, "rank_max": int(np.nanmax(varied[i])) if has else None,
            "indicators": {ind: (None if np.isnan(matrix[i, j]) else float(matrix[i, j])) for j, ind in enumerate(indicators)},
            "missing_reason": None if has else _why(found, code, missing),
        })
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["name"]))
    moves = [r["rank_max"] - r["rank_min"] for r in rows if r["rank"] is not None]
    return {
        "level": level, "boundary_year": boundary_year,
        "recipe": recipe(level, boundary_year, found, weights, flips, normalisation, missing, sensitivity),
        "inputs": [f.describe() for f in found],
        "regions": int(len(codes)), "regions_with_score": int((~np.isnan(score)).sum()),
        "sensitivity": {"range": sensitivity, "draws": DRAWS, "seed": SEED,
                        "largest_rank_range": int(max(moves)) if moves else 0,
                        "median_rank_range": float(np.median(moves)) if moves else 0.0,
                        "text": f"each weight drawn uniformly within ±{sensitivity:.0%} of its value, {DRAWS} times"},
        "rows": rows,
    }


def _ranks(scores: np.ndarray) -> np.ndarray:
    """Rank 1 for the highest score in each column, ties sharing the best rank (as the map's ranks); NaN stays NaN."""
    ranks = np.full(scores.shape, np.nan)
    for j in range(scores.shape[1]):
        have = ~np.isnan(scores[:, j])
        ranks[have, j] = rankdata(-scores[have, j], method="min")
    return ranks


def _why(found: list, code: str, missing: str) -> str:
    lacking = [f.values.indicator.id for f in found if code not in f.present.index]
    return f"no value for {', '.join(lacking)} ({MISSING_TEXT[missing]})"


def recipe(level: str, boundary_year: int, found: list, weights: list[float], flips: list[bool], normalisation: str,
           missing: str, sensitivity: float) -> dict:
    """Everything needed to compute the index again, by hand or with the atlas."""
    return {
        "level": level, "boundary_year": boundary_year, "normalisation": normalisation,
        "normalisation_text": "min-max to 0-1 over the regions with a value" if normalisation == "minmax"
        else "z-score (mean 0, population standard deviation 1) over the regions with a value",
        "missing": missing, "missing_text": MISSING_TEXT[missing],
        "indicators": [{"id": f.values.indicator.id, "year": f.values.year, "weight": w,
                        "direction": f.values.indicator.direction, "flipped": flip, "source": f.values.indicator.source}
                       for f, w, flip in zip(found, weights, flips)],
        "score": "weighted mean of the normalised values (flipped where lower is better); rank 1 is the highest",
        "sensitivity": {"range": sensitivity, "draws": DRAWS, "seed": SEED},
    }


def composite_csv(result: dict) -> str:
    """The ranked table with the recipe as comment lines above it."""
    lines = [f"# composite index, {result['level']} on {result['boundary_year']} boundaries",
             f"# normalisation: {result['recipe']['normalisation_text']}; missing: {result['recipe']['missing_text']}"]
    lines += [f"# {i['id']} {i['year']} weight {i['weight']:g}{' (flipped: lower is better)' if i['flipped'] else ''}; {i['source']}"
              for i in result["recipe"]["indicators"]]
    lines.append(f"# sensitivity: {result['sensitivity']['text']} (seed {SEED})")
    table = pd.DataFrame([{k: v for k, v in r.items() if k != "indicators"} for r in result["rows"]])
    return "\n".join(lines) + "\n" + table.to_csv(index=False)


def composite_layer(data: AtlasData, level: str, indicators: list[str], weights: list[float] | None,
                    years: list[int | None] | None, boundary_year: int | None, normalisation: str, missing: str,
                    sensitivity: float, request: ClassRequest) -> Classification:
    """The scores as a map layer, classified like any indicator (quantiles by default; the sensitivity range
    does not change the scores, only the rank ranges beside them)."""
    result = composite(data, level, indicators, weights, years, boundary_year, normalisation, missing, sensitivity)
    key = ("composite-layer", level, tuple(indicators), tuple(weights or ()), tuple(years or ()), boundary_year,
           normalisation, missing, request.key())

    def build() -> Classification:
        base: IndicatorValues = indicator_values(data, indicators[0], level, (years or [None])[0], result["boundary_year"])
        score = pd.Series({r["code"]: r["score"] for r in result["rows"]}, dtype=float)
        reason = pd.Series({r["code"]: r["missing_reason"] for r in result["rows"]}, dtype=object)
        derived = base.indicator.model_copy(update={
            "id": "composite", "title_en": "Composite index", "title_nl": "Samengestelde index",
            "unit": "score 0-1" if normalisation == "minmax" else "z-score", "kind": "index", "precision": 3,
            "direction": "higher_is_better", "midpoint": None, "scheme": request.scheme or "YlGnBu",
            "source": "; ".join(sorted({i["source"] for i in result["recipe"]["indicators"]})),
            "definition": result["recipe"]["score"]})
        return numeric_layer(derived_values(base, score, reason, derived), request, key)

    return data.caches.analyses.get_or_compute(key, build)
