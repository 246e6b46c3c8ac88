"""Indicator tables a user brings (CSV or XLSX, long or wide), checked cell by cell, all or nothing.

Long: columns ``region_code`` or ``region_name``, ``year`` and ``value``, one row per region and year.
Wide: ``region_code`` or ``region_name`` and one column per year (``2019``, ``2020``, ...). Region codes are
CBS codes (PV, CR, GM) or NUTS 2 codes (for provinces); names are matched per boundary year, gemeenten through
the place matcher (aliases, former municipalities), provinces and COROP regions by their exact name. An empty
value cell is a missing value, never zero. Every problem names file, sheet, row and column, and the import
stops with the full list so the table can be fixed in one pass: a partly imported table would look complete.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from atlas.data import AtlasData
from atlas.errors import ImportRejected
from atlas.geography.names import fold
from atlas.geography.placematch import place_matcher
from atlas.geography.vocabulary import LEVELS, level_of_code
from atlas.imports.metadata import DatasetMeta
from atlas.imports.store import Dataset, observations_with_vintages
from atlas.sources.indicators import nuts2_to_provincie, tidy_frame

YEAR_COLUMN = re.compile(r"^\d{4}$")
TABLE_SUFFIXES = (".csv", ".xlsx")


@dataclass(frozen=True)
class Cell:
    """Where a problem is: the row number as a spreadsheet shows it (the header is row 1)."""

    file: str
    sheet: str | None
    row: int
    column: str

    def __str__(self) -> str:
        sheet = f"[{self.sheet}]" if self.sheet else ""
        return f"{self.file}{sheet}:{self.row}:{self.column}"


@dataclass
class Problems:
    items: list[str]

    def add(self, cell: Cell, message: str) -> None:
        self.items.append(f"{cell}: {message}")


def read_sheets(name: str, content: bytes) -> dict[str | None, pd.DataFrame]:
    """Every sheet as text cells (no type guessing: '0363' stays '0363'); a CSV is one sheet without a name."""
    suffix = Path(name).suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise ImportRejected([f"{name}: not a table file; valid: {list(TABLE_SUFFIXES)}"])
    try:
        if suffix == ".csv":
            return {None: pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False, encoding="utf-8")}
        sheets = pd.read_excel(io.BytesIO(content), sheet_name=None, dtype=str, engine="openpyxl")
    except Exception as exc:  # any parser failure on a user's bytes is a problem of that file
        raise ImportRejected([f"{name}: cannot be read as {suffix[1:].upper()} ({exc})"]) from None
    return {sheet: frame.fillna("") for sheet, frame in sheets.items() if len(frame.columns)}


def _long_rows(frame: pd.DataFrame, region: str) -> list[tuple[int, str, str, str, str]]:
    """(row, region, year text, value text, value column) for a long table."""
    return [(i + 2, r[region], r["year"], r["value"], "value")
            for i, r in enumerate(frame[[region, "year", "value"]].to_dict("records"))]


def _wide_rows(frame: pd.DataFrame, region: str, years: list[str]) -> list[tuple[int, str, str, str, str]]:
    return [(i + 2, r[region], year, r[year], year)
            for i, r in enumerate(frame[[region, *years]].to_dict("records")) for year in years]


class _Resolver:
    """Region code or name to (level, CBS code, name), per boundary year, for one table."""

    def __init__(self, data: AtlasData, level: str | None):
        self.data, self.level = data, level
        self.nuts2 = nuts2_to_provincie()
        self.known = {lv: {c for y in data.boundaries.years(lv) for c in data.boundaries.get(lv, y)["code"]}
                      for lv in data.boundaries.levels()}

    def code(self, raw: str) -> tuple[str, str] | str:
        code = raw.strip().upper()
        code = self.nuts2.get(code, code)
        level = level_of_code(code)
        if level is None or level == "wijk":
            return f"region_code {raw!r} is not a CBS code (PV.., CR.., GM....) or a NUTS 2 code"
        if self.level and level != self.level:
            return f"region_code {raw!r} is a {level} code; META.toml declares level {self.level!r}"
        if code not in self.known.get(level, set()):
            return f"region_code {raw!r}: no {level} with this code in any boundary year {self.data.boundaries.years(level)}"
        return level, code

    def name(self, raw: str, year: int) -> tuple[str, str] | str:
        level = self.level or "gemeente"
        if level == "gemeente":
            match = place_matcher(self.data, year).match(raw)
            if match.code is None:
                hint = f"; candidates {list(match.candidates)}" if match.candidates else ""
                return f"region_name {raw!r}: {match.reason}{hint}"
            return level, match.code
        layer = self.data.boundaries.get(level, self.data.boundaries.nearest_year(level, year))
        found = layer.loc[layer["name"].map(fold) == fold(raw), "code"].tolist()
        if len(found) != 1:
            return f"region_name {raw!r} is not the name of one {level}; valid e.g. {sorted(layer['name'])[:5]}"
        return level, found[0]


def _year(raw: str) -> int | None:
    text = raw.strip().removesuffix(".0")
    return int(text) if re.fullmatch(r"(19|20)\d\d", text) else None


def _value(raw: str) -> float | None | str:
    """A finite number, None for an empty cell (missing), or the problem."""
    text = raw.strip()
    if not text:
        return None
    try:
        value = float(text.replace(",", ".") if text.count(",") == 1 and "." not in text else text)
    except ValueError:
        return f"value {raw!r} is not a number"
    return value if math.isfinite(value) else f"value {raw!r} is not finite"


def _sheet_rows(name: str, sheet: str | None, frame: pd.DataFrame, problems: Problems) -> tuple[str, list] | None:
    frame = frame.rename(columns=lambda c: str(c).strip().lower().removesuffix(".0"))
    region = next((c for c in ("region_code", "region_name") if c in frame.columns), None)
    years = [c for c in frame.columns if YEAR_COLUMN.match(c)]
    if region is None or not ({"year", "value"} <= set(frame.columns) or years):
        problems.add(Cell(name, sheet, 1, "-"), f"columns {list(frame.columns)}: need region_code or region_name, "
                     "and either year and value (long) or one column per year (wide)")
        return None
    rows = _long_rows(frame, region) if {"year", "value"} <= set(frame.columns) else _wide_rows(frame, region, years)
    return region, rows


def read_table(data: AtlasData, name: str, content: bytes, meta: DatasetMeta) -> pd.DataFrame:
    """The table as tidy observation rows of ``meta.id``; raises with every problem if any cell is bad."""
    problems = Problems([])
    resolver = _Resolver(data, meta.level)
    rows: list[dict] = []
    seen: dict[tuple[str, int], Cell] = {}
    for sheet, frame in read_sheets(name, content).items():
        shaped = _sheet_rows(name, sheet, frame, problems)
        if shaped is None:
            continue
        region, cells = shaped
        for row, place, year_text, value_text, value_column in cells:
            year = _year(year_text)
            value = _value(value_text)
            if year is None:
                problems.add(Cell(name, sheet, row, "year" if value_column == "value" else value_column),
                             f"year {year_text!r} is not a year 1900-2099")
            if isinstance(value, str):
                problems.add(Cell(name, sheet, row, value_column), value)
            if year is None or value is None or isinstance(value, str):
                continue
            found = resolver.code(place) if region == "region_code" else resolver.name(place, year)
            if isinstance(found, str):
                problems.add(Cell(name, sheet, row, region), found)
                continue
            level, code = found
            cell = Cell(name, sheet, row, value_column)
            if (code, year) in seen:
                problems.add(cell, f"duplicate: {code} {year} already given at {seen[(code, year)]}")
                continue
            seen[(code, year)] = cell
            rows.append({"indicator": meta.id, "level": level, "code": code, "name": place, "year": year,
                         "period": str(year), "value": value, "text": None, "missing_reason": None,
                         "unit": meta.unit, "source": meta.source, "note": "", "file": str(cell), "line": row,
                         "source_level": level, "source_code": place, "org_id": None})
    levels = {r["level"] for r in rows}
    if len(levels) > 1:
        problems.items.append(f"{name}: regions of several levels {sorted(levels, key=LEVELS.index)}; "
                              "import one level per table (the others are aggregated by the rule)")
    if not rows and not problems.items:
        problems.items.append(f"{name}: no values")
    if problems.items:
        raise ImportRejected(problems.items)
    return tidy_frame(rows)


def import_table(data: AtlasData, name: str, content: bytes, meta: DatasetMeta) -> Dataset:
    """A checked table as a dataset ready to store: one indicator on the level its regions have."""
    rows = read_table(data, name, content, meta)
    level = str(rows["level"].iloc[0])
    indicator = meta.indicator([level], [int(y) for y in rows["year"]])
    observations = observations_with_vintages(data, rows, [indicator])
    record = {"file": name, "title": meta.title, "licence": meta.licence, "source": meta.source, "level": level,
              "rows": len(rows)}
    return Dataset(meta.id, "table", [indicator], observations, record)
