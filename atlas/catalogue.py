"""The indicator catalogue (geodata/catalogue.toml): what each number means and how it may be combined.

Every figure the atlas shows is looked up here for its title, unit, definition, source and caveats, and
for the rule that says whether it may be aggregated to coarser regions and how.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from atlas.errors import DataValidationError, InvalidChoice
from atlas.settings import GEODATA_DIR

CATALOGUE_PATH = GEODATA_DIR / "catalogue.toml"
AGGREGATIONS = ("sum", "weighted_mean", "ratio", "none")
KINDS = ("numeric", "category")


@dataclass(frozen=True)
class AttributeSource:
    """A CBS key figure carried as an attribute of a boundary file."""

    path: str
    column: str
    year: int


@dataclass(frozen=True)
class Indicator:
    id: str
    theme: str
    title_nl: str
    title_en: str
    unit: str
    levels: tuple[str, ...]
    years: tuple[int, ...]
    definition: str
    source: str
    aggregation: str
    caveats: tuple[str, ...] = ()
    series_breaks: tuple[str, ...] = ()
    kind: str = "numeric"
    file: str | None = None
    csv_indicator: str | None = None
    units: tuple[str, ...] = ()
    weight: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    factor: float = 1.0
    undated: bool = False
    allow_uncoded: bool = False
    attributes: tuple[AttributeSource, ...] = ()
    classification: str = "quantiles"
    scheme: str = "YlGnBu"
    categories: tuple[str, ...] = ()  # the order of a category indicator's classes, e.g. most to least urban
    derived_from: str | None = None  # a city-level indicator this one totals per gemeente (atlas.citytotals)
    derivation: str | None = None
    vintage: int | None = None  # the boundary year the source's region codes refer to, where the source says so

    @property
    def allowed_units(self) -> tuple[str, ...]:
        return self.units or (self.unit,)

    def as_dict(self) -> dict:
        """Plain metadata for JSON answers and `atlas info`."""
        rule: dict[str, object] = {"rule": self.aggregation}
        if self.weight:
            rule["weight"] = self.weight
        if self.numerator:
            rule.update(numerator=self.numerator, denominator=self.denominator, factor=self.factor)
        return {
            "id": self.id, "theme": self.theme, "title": {"nl": self.title_nl, "en": self.title_en},
            "unit": self.unit, "units": list(self.allowed_units), "kind": self.kind,
            "levels": list(self.levels), "years": list(self.years), "definition": self.definition,
            "source": self.source, "caveats": list(self.caveats), "series_breaks": list(self.series_breaks),
            "aggregation": rule, "default_classification": self.classification,
            "default_scheme": self.scheme,
        }


@dataclass
class Catalogue:
    indicators: dict[str, Indicator] = field(default_factory=dict)

    def get(self, indicator_id: str) -> Indicator:
        try:
            return self.indicators[indicator_id]
        except KeyError:
            raise InvalidChoice("indicator", indicator_id, sorted(self.indicators)) from None

    def csv_files(self) -> list[str]:
        return sorted({i.file for i in self.indicators.values() if i.file})

    def by_csv(self) -> dict[tuple[str, str], Indicator]:
        return {(i.file, i.csv_indicator or i.id): i for i in self.indicators.values() if i.file}


def _indicator(entry: dict) -> Indicator:
    attributes = tuple(AttributeSource(a["path"], a["column"], int(a["year"])) for a in entry.get("attributes", []))
    return Indicator(
        id=entry["id"], theme=entry["theme"], title_nl=entry["title_nl"], title_en=entry["title_en"],
        unit=entry["unit"], levels=tuple(entry["levels"]), years=tuple(int(y) for y in entry.get("years", [])),
        definition=entry["definition"], source=entry["source"], aggregation=entry["aggregation"],
        caveats=tuple(entry.get("caveats", [])), series_breaks=tuple(entry.get("series_breaks", [])),
        kind=entry.get("kind", "numeric"), file=entry.get("file"), csv_indicator=entry.get("csv_indicator"),
        units=tuple(entry.get("units", [])), weight=entry.get("weight"), numerator=entry.get("numerator"),
        denominator=entry.get("denominator"), factor=float(entry.get("factor", 1.0)),
        undated=bool(entry.get("undated", False)), allow_uncoded=bool(entry.get("allow_uncoded", False)),
        attributes=attributes,
        classification=entry.get("classification", "quantiles"), scheme=entry.get("scheme", "YlGnBu"),
        categories=tuple(entry.get("categories", [])),
        derived_from=entry.get("derived_from"), derivation=entry.get("derivation"),
        vintage=int(entry["vintage"]) if "vintage" in entry else None,
    )


def _check(catalogue: Catalogue) -> None:
    """Rules must point at indicators that exist, or aggregation would fail later in a confusing place."""
    problems = []
    for ind in catalogue.indicators.values():
        if ind.aggregation not in AGGREGATIONS:
            problems.append(f"{ind.id}: aggregation {ind.aggregation!r} not one of {AGGREGATIONS}")
        if ind.kind not in KINDS:
            problems.append(f"{ind.id}: kind {ind.kind!r} not one of {KINDS}")
        if ind.kind == "category" and ind.aggregation != "none":
            problems.append(f"{ind.id}: a category cannot be aggregated")
        if not ind.file and not ind.attributes and not ind.derived_from:
            problems.append(f"{ind.id}: neither a CSV file, boundary attributes nor a city-level source")
        if ind.derived_from and ind.derived_from not in catalogue.indicators:
            problems.append(f"{ind.id}: derived from unknown indicator {ind.derived_from!r}")
        needed = {"weighted_mean": [ind.weight], "ratio": [ind.numerator, ind.denominator]}.get(ind.aggregation, [])
        for ref in needed:
            if ref not in catalogue.indicators:
                problems.append(f"{ind.id}: aggregation refers to unknown indicator {ref!r}")
    if problems:
        raise DataValidationError(problems)


def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    catalogue = Catalogue()
    duplicates = []
    for entry in raw["indicator"]:
        indicator = _indicator(entry)
        if indicator.id in catalogue.indicators:
            duplicates.append(f"catalogue: indicator id {indicator.id!r} defined twice")
        catalogue.indicators[indicator.id] = indicator
    if duplicates:
        raise DataValidationError(duplicates)
    _check(catalogue)
    return catalogue
