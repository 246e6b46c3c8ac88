"""Choropleth classification: one object decides every region's class and colour, and writes the legend.

Tiles, legends, exports and the web page all read the same ``Classification``, so a legend can never
disagree with the colours on the map. The class breaks come from mapclassify over all regions of the
level and year (not just those in view), so the same region has the same colour in every tile.
Regions without a value get their own no-data class with a colour that is not on the ramp.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import jenkspy
import mapclassify
import numpy as np

from atlas.data import AtlasData
from atlas.errors import InvalidChoice
from atlas.figures.coverage import sentence
from atlas.figures.reference import national_reference
from atlas.figures.values import IndicatorValues, indicator_values
from atlas.render.schemes import CLASSIFICATION_METHODS, MIN_CLASSES, SCHEMES, Scheme, get_scheme, scheme_colours

METHODS = CLASSIFICATION_METHODS
CATEGORY_METHOD = "categories"
DEFAULT_CLASSES = 5
DEFAULT_DIVERGING = "RdBu"
NO_CLASS = -1
# Fisher-Jenks costs k * n^2: about 25 ms for the 3,340 wijken, 1 s for 20,000 values. Above this many
# values the breaks come from evenly spaced order statistics of them (deterministic, so the same request
# always gets the same colours), and the legend says so.
NATURAL_BREAKS_MAX_VALUES = 10_000


@dataclass(frozen=True)
class ClassRequest:
    """What the user asked for; ``None`` means the indicator's default from the catalogue."""

    method: str | None = None
    classes: int | None = None
    scheme: str | None = None
    log: bool = False
    breaks: tuple[float, ...] = ()

    def key(self) -> tuple:
        return (self.method, self.classes, self.scheme, self.log, self.breaks)


@dataclass
class Classification:
    values: IndicatorValues
    method: str
    scheme: Scheme
    log: bool
    labels: list[str]
    colours: list[str]
    counts: list[int]
    class_index: np.ndarray  # per row of values.frame; NO_CLASS where the value is missing
    bounds: list[tuple[float, float]] = field(default_factory=list)  # numeric classes only
    requested_classes: int | None = None
    notes: list[str] = field(default_factory=list)
    reference: dict | None = None  # the national reference (atlas.figures.reference), drawn as a tick on the ramp
    key: tuple = ()  # its key in the classifications cache; tile caches derived from it reuse the key

    @property
    def classes(self) -> int:
        return len(self.colours)

    @property
    def no_data_count(self) -> int:
        return int((self.class_index == NO_CLASS).sum())

    def colour_index_by_code(self) -> dict[str, int]:
        """Region code to palette slot: 0 is no data, 1..k are the classes (the order tiles use)."""
        return dict(zip(self.values.frame["code"], (self.class_index + 1).tolist()))

    def legend(self) -> dict:
        meta = self.values.meta()
        entries = []
        for i, (label, colour, count) in enumerate(zip(self.labels, self.colours, self.counts)):
            entry: dict[str, object] = {"class": i, "label": label, "colour": colour, "count": count}
            if self.bounds:
                lower, upper = self.bounds[i]
                entry.update(lower=lower, upper=upper, lower_inclusive=i == 0)
            if self.values.indicator.is_category:
                entry["label_text"] = dict(zip(("nl", "en"), _category_label(self.values.indicator, label)))
            entries.append(entry)
        return {
            "indicator": meta["indicator"], "title": meta["title"], "unit": meta["unit"], "level": meta["level"],
            "year": meta["year"], "boundary_year": meta["boundary_year"], "source": meta["source"],
            "definition": meta["definition"], "caveats": meta["caveats"], "aggregated_from": meta["aggregated_from"],
            "vintage": meta["vintage"], "remapped": meta["remapped"], "harmonised": meta["harmonised"],
            "territory": meta["territory"],
            "kind": meta["kind"], "direction": meta["direction"], "precision": meta["precision"],
            "midpoint": meta["midpoint"], "coverage": meta["coverage"], "series_breaks": meta["series_breaks"],
            "display": "choropleth" if meta["coverage"]["sufficient"] else "labels",
            "coverage_sentence": sentence(meta["coverage"]["regions_with_value"], meta["coverage"]["regions"], meta["level"]),
            "reference": self.reference, "qualifiers": meta["qualifiers"],
            **{k: v for k, v in self.values.indicator.as_dict().items()
               if k in ("unit_text", "definition_text", "caveats_text")},
            "method": self.method, "log": self.log, "requested_classes": self.requested_classes,
            "classes": self.classes, "scheme": self.scheme.as_dict(), "entries": entries,
            "no_data": {"label": "no data", "colour": self.scheme.no_data, "count": self.no_data_count},
            "notes": self.notes,
        }


def classification_for(
    data: AtlasData, indicator_id: str, level: str, year: int | None, request: ClassRequest,
    boundary_year: int | None = None,
) -> Classification:
    """The classification for one indicator, level, year, boundary year and request, from the bounded
    `classifications` cache (its key holds user input such as ``breaks``, so the cache's bound matters)."""
    key = (indicator_id, level, year, boundary_year, request.key())

    def compute() -> Classification:
        values = indicator_values(data, indicator_id, level, year, boundary_year)
        reference = national_reference(data, indicator_id, values.year, level)
        national = reference["value"] if reference and values.indicator.midpoint == "national" else None
        classification = classify(values, request, national)
        classification.reference = reference
        classification.key = key
        return classification

    return data.caches.classifications.get_or_compute(key, compute)


def classify(values: IndicatorValues, request: ClassRequest, national: float | None = None) -> Classification:
    """`national` is the reference value, needed only by indicators whose midpoint is 'national'."""
    if values.indicator.is_category:
        return _classify_categories(values, request)
    return _classify_numeric(values, request, national)


def _classify_categories(values: IndicatorValues, request: ClassRequest) -> Classification:
    if request.method not in (None, CATEGORY_METHOD):
        raise InvalidChoice("method", request.method, [CATEGORY_METHOD],
                            hint=f"{values.indicator.id} holds categories, not numbers")
    text = values.frame["text"].where(values.frame["missing_reason"].isna())
    present = text.dropna()
    order = [c for c in values.indicator.categories if c in set(present)] or sorted(set(present))
    order += sorted(set(present) - set(order))
    scheme = get_scheme(request.scheme or values.indicator.scheme)
    colours = _ramp(scheme, len(order))
    if scheme.kind == "sequential":
        colours.reverse()  # categories are listed strongest first, so the first takes the darkest colour
    position = {c: i for i, c in enumerate(order)}
    index = np.array([position.get(t, NO_CLASS) if isinstance(t, str) else NO_CLASS for t in text], dtype=int)
    counts = [int((index == i).sum()) for i in range(len(order))]
    return Classification(values, CATEGORY_METHOD, scheme, False, order, colours, counts, index,
                          requested_classes=request.classes)


def _classify_numeric(values: IndicatorValues, request: ClassRequest, national: float | None) -> Classification:
    indicator = values.indicator
    method = request.method or ("user_defined" if request.breaks else indicator.classification)
    if method not in METHODS:
        raise InvalidChoice("method", method, METHODS)
    default_scheme = indicator.scheme
    if method == "std_mean" and get_scheme(default_scheme).kind != "diverging" and indicator.midpoint is not None:
        default_scheme = DEFAULT_DIVERGING
    scheme = get_scheme(request.scheme or default_scheme)
    midpoint = _midpoint(values, scheme, national)
    requested = request.classes if request.classes is not None else min(DEFAULT_CLASSES, scheme.max_classes)
    if method != "user_defined":
        scheme_colours(scheme.name, requested)  # rejects a class count the scheme cannot colour
    value = values.frame["value"].to_numpy(dtype=float)
    present = ~np.isnan(value)
    y = value[present]
    notes: list[str] = []
    if request.log:
        if (y < 0).any():
            raise InvalidChoice("log", True, [False],
                                hint=f"log classes need values >= 0; {int((y < 0).sum())} regions are negative")
        notes.append("classes computed on log(1 + value); breaks are shown in the original unit")
    index = np.full(len(value), NO_CLASS, dtype=int)
    if y.size == 0:
        notes.append("no region has a value for this level and year")
        return Classification(values, method, scheme, request.log, [], [], [], index, [], requested, notes)
    step = 10.0 ** -indicator.decimals
    bins = _on_grid(_bins(y, method, requested, request, notes, scheme), indicator.decimals, y)
    if midpoint is not None and y.min() < midpoint < y.max() and midpoint not in bins:
        bins = sorted([*bins, midpoint])
        notes.append(f"a class boundary at the midpoint {midpoint:g}")
    k = len(bins)
    colours = _centred_ramp(scheme, bins, midpoint) if midpoint is not None else _ramp(scheme, k)
    if indicator.direction == "lower_is_better" and midpoint is None:
        colours.reverse()  # the best (lowest) values take the strongest colour
        notes.append("lower is better: the lowest values have the strongest colour")
    index[present] = np.minimum(np.searchsorted(bins, y, side="left"), k - 1)
    lowers = [min(float(y.min()), bins[0]), *(b + step for b in bins[:-1])]
    bounds = [(round(float(lo), indicator.decimals), float(hi)) for lo, hi in zip(lowers, bins)]
    counts = [int((index == i).sum()) for i in range(k)]
    labels = [_fmt(hi, indicator.decimals) if lo == hi else f"{_fmt(lo, indicator.decimals)} – {_fmt(hi, indicator.decimals)}"
              for lo, hi in bounds]
    return Classification(values, method, scheme, request.log, labels, colours, counts, index, bounds, requested, notes)


def _midpoint(values: IndicatorValues, scheme: Scheme, national: float | None) -> float | None:
    """The value a diverging ramp is centred on; a diverging ramp without one would invent a centre."""
    if scheme.kind == "qualitative":
        raise InvalidChoice("scheme", scheme.name, sorted(n for n, s in SCHEMES.items() if s.kind != "qualitative"),
                            hint="qualitative schemes are for categories only")
    if scheme.kind != "diverging":
        return None
    midpoint = values.indicator.midpoint
    if midpoint == "national":
        midpoint = national
    if midpoint is None:
        raise InvalidChoice("scheme", scheme.name, sorted(n for n, s in SCHEMES.items() if s.kind == "sequential"),
                            hint=f"{values.indicator.id} has no midpoint to centre a diverging scheme on")
    return float(midpoint)


def _on_grid(bins: list[float], decimals: int, y: np.ndarray) -> list[float]:
    """Class limits on the values' own grid (whole numbers for counts and ranks), so no label shows a limit
    like 22.8 that no value can have; membership does not change because every value lies on that grid."""
    factor = 10.0 ** decimals
    snapped = sorted({round(math.floor(b * factor + 1e-9) / factor, decimals) for b in bins})
    snapped = [b for b in snapped if b >= float(y.min())] or [float(y.max())]
    snapped[-1] = max(snapped[-1], float(y.max()))
    return snapped


def _centred_ramp(scheme: Scheme, bins: list[float], midpoint: float) -> list[str]:
    """Classes below the midpoint take the lower half of the ramp, classes above the upper half, so the
    ramp's neutral centre sits on the midpoint however the classes fall."""
    below = sum(1 for b in bins if b <= midpoint)
    above = len(bins) - below
    half = max(below, above, 1)
    if 2 * half > scheme.max_classes:
        raise InvalidChoice("classes", len(bins), range(MIN_CLASSES, scheme.max_classes // 2 + 1),
                            hint=f"{below} classes below and {above} above the midpoint do not fit {scheme.name}")
    ramp = list(scheme_colours(scheme.name, 2 * half))
    return ramp[half - below:half] + ramp[half:half + above]


def _ramp(scheme: Scheme, k: int) -> list[str]:
    """k colours of the scheme; a single class takes the middle of the three-class ramp."""
    if k == 0:
        return []
    if k == 1:
        return [scheme_colours(scheme.name, 3)[1]]
    return list(scheme_colours(scheme.name, k))


def _bins(y: np.ndarray, method: str, k: int, request: ClassRequest, notes: list[str], scheme: Scheme) -> list[float]:
    """Upper bounds of each class in the original unit; a class holds values in (previous bound, bound]."""
    if method == "user_defined":
        return _user_bins(y, request.breaks, scheme)
    distinct = np.unique(y).size
    if distinct < k:
        notes.append(f"only {distinct} distinct values, so {distinct} classes instead of {k}")
        k = distinct
    if k < 2:
        return [float(y.max())]
    t = np.log1p(y) if request.log else y
    if method == "quantiles":
        bins = mapclassify.Quantiles(t, k=k).bins
    elif method == "equal_interval":
        bins = mapclassify.EqualInterval(t, k=k).bins
    elif method == "natural_breaks":
        bins = _natural_breaks(t, k, notes)
    else:
        half = (k - 1) // 2
        multiples = list(range(-half, half + 1)) if k % 2 == 0 else [m for m in range(-half, half + 1) if m]
        bins = mapclassify.StdMean(t, multiples=multiples).bins
        notes.append(f"classes at {multiples} standard deviations from the mean")
    bins = np.expm1(bins) if request.log else np.asarray(bins, dtype=float)
    bins[-1] = max(bins[-1], float(y.max()))  # the top class ends at the real maximum, not a round-trip of it
    unique = sorted(set(float(b) for b in bins))
    if len(unique) < k:
        notes.append(f"{k - len(unique)} classes merged because their breaks coincide")
    return unique


def _natural_breaks(t: np.ndarray, k: int, notes: list[str]) -> np.ndarray:
    """Fisher-Jenks upper bounds by jenkspy (C; mapclassify's own needs Numba to be fast)."""
    if t.size > NATURAL_BREAKS_MAX_VALUES:
        notes.append(f"natural breaks computed on {NATURAL_BREAKS_MAX_VALUES:,} evenly spaced values of the "
                     f"{t.size:,} (sampled for speed)")
        t = np.sort(t)[np.linspace(0, t.size - 1, NATURAL_BREAKS_MAX_VALUES).round().astype(int)]
    return np.asarray(jenkspy.jenks_breaks(t, n_classes=k)[1:], dtype=float)


def _user_bins(y: np.ndarray, breaks: tuple[float, ...], scheme: Scheme) -> list[float]:
    if not breaks:
        raise InvalidChoice("breaks", "", ["comma-separated increasing numbers"],
                            hint="method user_defined needs breaks, e.g. breaks=10,20,50")
    if any(not math.isfinite(b) for b in breaks) or any(b >= c for b, c in zip(breaks, breaks[1:])):
        raise InvalidChoice("breaks", ",".join(str(b) for b in breaks), ["strictly increasing finite numbers"])
    bins = list(breaks)
    if float(y.max()) > bins[-1]:
        bins.append(float(y.max()))
    if len(bins) > scheme.max_classes:
        raise InvalidChoice("breaks", ",".join(str(b) for b in breaks), [f"at most {scheme.max_classes} classes"],
                            hint=f"{len(bins)} classes do not fit the {scheme.name} scheme")
    return bins


def _category_label(indicator, category: str) -> tuple[str, str]:
    """Dutch and English label of a category value (categories outside the catalogue list stay as given)."""
    dutch = dict(zip(indicator.categories, indicator.categories_nl))
    return dutch.get(category, category), category


def _fmt(x: float, decimals: int) -> str:
    """Legend limits at the published precision; the page re-formats them in its own language."""
    return f"{x:,.{decimals}f}"
