"""What the catalogue needs to know about an imported dataset (META.toml), checked before anything is read.

An imported figure is drawn, ranked and aggregated like a shipped one, so it needs the same meaning: title,
unit, kind, aggregation rule, direction, source and licence. The model is strict so a typo in META.toml is
named rather than silently replaced by a default.

Example META.toml::

    id = "rd_business_corop"
    title = "Business R&D expenditure"
    unit = "EUR million"
    kind = "count"            # count, share, ratio, index, rank
    aggregation = "sum"
    direction = "higher_is_better"
    source = "CBS, tailor-made table 2024"
    licence = "for internal use of Provincie X"
    level = "corop"          # optional: taken from the region codes when absent
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from atlas.errors import ImportRejected
from atlas.figures.semantics import Direction, Kind
from atlas.sources.catalogue import Indicator, Theme

IMPORTED: Literal["imported by the user"] = "imported by the user"
ImportAggregation = Literal["sum", "none"]  # a weighted mean or ratio needs other indicators the user may not have
TableLevel = Literal["provincie", "corop", "gemeente"]
M = TypeVar("M", bound=BaseModel)


class DatasetMeta(BaseModel):
    """One imported indicator's metadata, as written in META.toml or sent with an upload."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{2,48}$", description="lower case, digits and _, unique in the atlas")
    title: str = Field(min_length=3)
    title_nl: str = ""
    unit: str = Field(min_length=1)
    kind: Kind = "count"
    aggregation: ImportAggregation = "sum"
    direction: Direction = "neutral"
    source: str = Field(min_length=3)
    licence: str = Field(min_length=2)
    definition: str = ""
    theme: Theme = "firms"
    level: TableLevel | None = None
    precision: int | None = Field(None, ge=0, le=6)  # decimals to show; default the kind's (counts: none)

    def indicator(self, levels: list[str], years: list[int], indicator_id: str | None = None,
                  title: str | None = None) -> Indicator:
        """The catalogue entry, marked as imported, with its licence as the first caveat."""
        caveats = (f"{IMPORTED}; licence: {self.licence}",)
        definition = self.definition or f"{self.title} ({self.unit}), as supplied by the user"
        return Indicator(
            id=indicator_id or self.id, theme=self.theme, title_nl=self.title_nl or title or self.title,
            title_en=title or self.title, unit=self.unit, unit_nl=self.unit, levels=tuple(levels),
            years=tuple(sorted(set(years))), definition=definition, definition_nl=definition, source=self.source,
            aggregation=self.aggregation, kind=self.kind, direction=self.direction, caveats=caveats, precision=self.precision,
            caveats_nl=caveats, origin=IMPORTED, min_population=None)


def parse_meta(text: str, where: str = "META.toml") -> DatasetMeta:
    return _parse(DatasetMeta, text, where)


def _parse(model: type[M], text: str, where: str) -> M:
    """Every problem in the metadata at once, each naming its key."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ImportRejected([f"{where}: not valid TOML ({exc})"]) from None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ImportRejected([f"{where}: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                                   for e in exc.errors()]) from None


def default_meta_path(table: Path) -> Path:
    """`table.csv` looks for `table.META.toml`, then `META.toml`, beside it."""
    own = table.with_name(re.sub(r"\.(csv|xlsx)$", "", table.name, flags=re.I) + ".META.toml")
    return own if own.is_file() else table.with_name("META.toml")


class PointsMeta(BaseModel):
    """A point list's metadata: the counts it yields are catalogue indicators of kind count.

    Example::

        id = "rom_portfolio"
        title = "Portfolio companies"
        source = "ROM X portfolio register"
        licence = "confidential; aggregates only"
        year = 2024              # reference year; a `year` column in the list overrides it per row
        threshold = 10           # counts of fewer units are withheld (default as CBS)
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{2,40}$")
    title: str = Field(min_length=3)
    title_nl: str = ""
    unit: str = "organisations"
    source: str = Field(min_length=3)
    licence: str = Field(min_length=2)
    definition: str = ""
    theme: Theme = "firms"
    year: int = Field(ge=1900, le=2100)
    threshold: int = Field(10, ge=1, le=1000)

    def table_meta(self, indicator_id: str, title: str) -> DatasetMeta:
        """The count indicator of one category (or of all), withheld per region as disclosure control says."""
        definition = (self.definition or f"number of {self.unit} in the user's list, placed on gemeente boundaries"
                      ) + f"; counts of fewer than {self.threshold} withheld, with secondary suppression"
        return DatasetMeta(id=indicator_id, title=title, title_nl=self.title_nl, unit=self.unit, kind="count",
                           aggregation="none", direction="neutral", source=self.source, licence=self.licence,
                           definition=definition, theme=self.theme, precision=None)


def parse_points_meta(text: str, where: str = "META.toml") -> PointsMeta:
    return _parse(PointsMeta, text, where)
