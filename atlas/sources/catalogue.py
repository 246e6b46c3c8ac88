"""The indicator catalogue (geodata/catalogue.toml): what each number means and how it may be combined.

Every figure the atlas shows is looked up here for its title, unit, definition, source and caveats, and
for the rule that says whether it may be aggregated to coarser regions and how.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from atlas.errors import DataValidationError, UnknownResource
from atlas.figures.semantics import DEFAULT_PRECISION, MIDPOINT_KINDS, Direction, Kind, SeriesBreak
from atlas.render.schemes import CLASSIFICATION_METHODS, SCHEMES
from atlas.settings import GEODATA_DIR

CATALOGUE_PATH = GEODATA_DIR / "catalogue.toml"
Aggregation = Literal["sum", "weighted_mean", "ratio", "none"]
Theme = Literal["rd", "innovation", "firms", "collaboration", "education", "labour", "population"]  # picker order
Derivation = Literal["participations", "organisations", "ec_contribution"]  # atlas.sources.participation_totals
Classification = Literal[CLASSIFICATION_METHODS]  # type: ignore[valid-type]
THEMES: tuple[str, ...] = get_args(Theme)


class _Entry(BaseModel):
    """Strict: an unknown key is a typo that would otherwise silently fall back to a default."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class AttributeSource(_Entry):
    """A CBS key figure carried as an attribute of a boundary file."""

    path: str
    column: str
    year: int


class NoteRule(_Entry):
    """Values a source states only in the note of another indicator's rows (e.g. a table's group column).

    Rows of `csv_indicator` in `file` whose note matches `pattern` give this indicator the value that
    `values` maps the captured text to, for regions and years the indicator's own file lacks.
    """

    file: str
    csv_indicator: str
    pattern: str
    values: tuple[tuple[str, str], ...]

    @field_validator("values", mode="before")
    @classmethod
    def _pairs(cls, raw: object) -> object:
        return tuple(raw.items()) if isinstance(raw, dict) else raw


class Indicator(_Entry):
    id: str
    theme: Theme
    title_nl: str
    title_en: str
    unit: str
    levels: tuple[str, ...]
    years: tuple[int, ...] = ()
    definition: str
    source: str
    aggregation: Aggregation
    caveats: tuple[str, ...] = ()
    series_breaks: tuple[SeriesBreak, ...] = ()
    kind: Kind
    direction: Direction = "neutral"
    midpoint: float | Literal["national"] | None = None  # a value such as 0 or 100, or "national"
    precision: int | None = Field(None, ge=0, le=6)  # decimals as published; None takes the kind's default
    min_population: int | None = Field(None, ge=1)  # disclosure: values of smaller regions are withheld
    unit_nl: str = ""
    definition_nl: str = ""
    caveats_nl: tuple[str, ...] = ()
    see_instead: str | None = None  # a near-duplicate: the picker offers the named, better series instead
    from_notes: NoteRule | None = None
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
    classification: Classification = "quantiles"
    scheme: str = "YlGnBu"
    categories: tuple[str, ...] = ()  # strongest first (most urban, innovation leader): the first gets the darkest colour
    categories_nl: tuple[str, ...] = ()
    derivation: Derivation | None = None  # a total per region and year from the CORDIS participation table
    org_types: tuple[str, ...] = ()  # with derivation: only these organisation types (HES, PRC, REC, PUB, OTH)
    vintage: int | None = None  # the boundary year the source's region codes refer to, where the source says so
    origin: Literal["shipped", "imported by the user"] = "shipped"  # imported: atlas.imports, kept in the cache folder

    @property
    def allowed_units(self) -> tuple[str, ...]:
        return self.units or (self.unit,)

    @property
    def is_category(self) -> bool:
        return self.kind == "category"

    @property
    def decimals(self) -> int:
        return self.precision if self.precision is not None else DEFAULT_PRECISION.get(self.kind, 0)

    def as_dict(self) -> dict:
        """Plain metadata for JSON answers and `atlas info`."""
        rule: dict[str, object] = {"rule": self.aggregation}
        if self.weight:
            rule["weight"] = self.weight
        if self.numerator:
            rule.update(numerator=self.numerator, denominator=self.denominator, factor=self.factor)
        return {
            "id": self.id, "theme": self.theme, "title": {"nl": self.title_nl, "en": self.title_en},
            "unit": self.unit, "unit_text": {"nl": self.unit_nl, "en": self.unit}, "units": list(self.allowed_units),
            "kind": self.kind, "direction": self.direction, "midpoint": self.midpoint, "precision": self.decimals,
            "min_population": self.min_population, "see_instead": self.see_instead,
            "levels": list(self.levels), "years": list(self.years), "definition": self.definition,
            "definition_text": {"nl": self.definition_nl, "en": self.definition},
            "source": self.source, "caveats": list(self.caveats),
            "caveats_text": {"nl": list(self.caveats_nl), "en": list(self.caveats)},
            "series_breaks": [b.as_dict() for b in self.series_breaks],
            "aggregation": rule, "default_classification": self.classification,
            "default_scheme": self.scheme, "categories": list(self.categories),
            "category_labels": {"nl": list(self.categories_nl), "en": list(self.categories)},
            "origin": self.origin,
        }


@dataclass
class Catalogue:
    indicators: dict[str, Indicator] = field(default_factory=dict)

    def get(self, indicator_id: str) -> Indicator:
        try:
            return self.indicators[indicator_id]
        except KeyError:
            raise UnknownResource("indicator", indicator_id, sorted(self.indicators)) from None

    def csv_files(self) -> list[str]:
        return sorted({i.file for i in self.indicators.values() if i.file})

    def by_csv(self) -> dict[tuple[str, str], Indicator]:
        return {(i.file, i.csv_indicator or i.id): i for i in self.indicators.values() if i.file}


def _semantic_problems(ind: Indicator) -> list[str]:
    """Meaning that contradicts itself (a rank where higher is better, a diverging ramp without a centre)
    would draw a map that says the opposite of its data, so it stops the load instead. Single fields are
    typed on the model; these are the rules across fields."""
    problems = []
    if ind.kind == "rank" and ind.direction != "lower_is_better":
        problems.append(f"{ind.id}: a rank is better when lower; direction must be 'lower_is_better'")
    if ind.kind == "category" and (ind.aggregation != "none" or not ind.categories):
        problems.append(f"{ind.id}: a category cannot be aggregated and needs its ordered categories")
    if len(ind.categories_nl) != len(ind.categories):
        problems.append(f"{ind.id}: categories_nl must give a Dutch label for each of {list(ind.categories)}")
    if ind.caveats_nl and len(ind.caveats_nl) != len(ind.caveats):
        problems.append(f"{ind.id}: caveats_nl must give a Dutch text for each of the {len(ind.caveats)} caveats")
    if ind.midpoint is not None:
        if ind.kind not in MIDPOINT_KINDS:
            problems.append(f"{ind.id}: a midpoint only makes sense for kinds {MIDPOINT_KINDS}, not {ind.kind!r}")
    scheme = SCHEMES.get(ind.scheme)
    if scheme is None:
        problems.append(f"{ind.id}: scheme {ind.scheme!r} not one of {sorted(SCHEMES)}")
    elif scheme.kind == "diverging" and ind.midpoint is None:
        problems.append(f"{ind.id}: diverging scheme {ind.scheme} needs a midpoint to centre on")
    elif scheme.kind == "qualitative" and ind.kind != "category":
        problems.append(f"{ind.id}: qualitative scheme {ind.scheme} is for categories only")
    if ind.min_population is not None and (ind.kind not in ("share", "ratio") or ind.min_population < 1):
        problems.append(f"{ind.id}: min_population is a positive disclosure threshold for shares and ratios")
    span = (min(ind.years), max(ind.years)) if ind.years else None
    for b in ind.series_breaks:
        if span and not span[0] < b.year <= span[1]:
            problems.append(f"{ind.id}: series break {b.year} outside the indicator's years {span[0]}-{span[1]}")
        if not b.reason or not b.reason_nl:
            problems.append(f"{ind.id}: series break {b.year} needs a reason in English and Dutch")
    if not ind.unit_nl or not ind.definition_nl:
        problems.append(f"{ind.id}: Dutch unit and definition (unit_nl, definition_nl) are required")
    return problems


def _check(catalogue: Catalogue) -> None:
    """Rules must point at indicators that exist, or aggregation would fail later in a confusing place."""
    problems = []
    for ind in catalogue.indicators.values():
        problems += _semantic_problems(ind)
        rule = ind.from_notes
        if rule and (rule.file, rule.csv_indicator) not in catalogue.by_csv():
            problems.append(f"{ind.id}: from_notes names {rule.csv_indicator!r} in {rule.file}, which the catalogue does not describe")
        if rule and not set(dict(rule.values).values()) <= set(ind.categories or dict(rule.values).values()):
            problems.append(f"{ind.id}: from_notes maps to values outside the categories {list(ind.categories)}")
        if ind.see_instead and catalogue.indicators.get(ind.see_instead, ind).see_instead is not None:
            problems.append(f"{ind.id}: see_instead {ind.see_instead!r} must name an indicator that is itself offered")
        if not ind.file and not ind.attributes and not ind.derivation:
            problems.append(f"{ind.id}: neither a CSV file, boundary attributes nor a participation derivation")
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
    problems = []
    for entry in raw["indicator"]:
        try:
            indicator = Indicator.model_validate(entry)
        except ValidationError as exc:
            problems += [f"{entry.get('id', '?')}: {'.'.join(str(p) for p in e['loc'])} {e.get('input')!r}: {e['msg']}"
                         for e in exc.errors()]
            continue
        if indicator.id in catalogue.indicators:
            duplicates.append(f"catalogue: indicator id {indicator.id!r} defined twice")
        catalogue.indicators[indicator.id] = indicator
    if problems or duplicates:
        raise DataValidationError(problems + duplicates)
    _check(catalogue)
    return catalogue
