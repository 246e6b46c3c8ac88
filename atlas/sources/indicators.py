"""Load the indicator CSVs, checking every row against the catalogue.

Nothing is dropped or coerced quietly: a row that does not fit (unknown indicator, bad code, non-numeric
value, unit not in the catalogue, duplicate) is reported with its file and line, and loading fails with
the full list so the data can be fixed in one pass.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from atlas.errors import DataValidationError
from atlas.geography.vocabulary import TABLE_CODE_PATTERNS
from atlas.settings import GEODATA_DIR
from atlas.sources.catalogue import Catalogue, Indicator

REQUIRED_COLUMNS = ("region_level", "region_code", "region_name", "year", "indicator", "value", "unit", "source")
FREE_LEVELS = ("city", "metropoolregio", "regio", "gemeentegroep")
YEAR = re.compile(r"^(\d{4})(?:-(\d{4}))?$")
TIDY_COLUMNS = [
    "indicator", "level", "code", "name", "year", "period", "value", "text", "missing_reason", "unit",
    "source", "note", "file", "line", "source_level", "source_code", "org_id",
]


def nuts2_to_provincie() -> dict[str, str]:
    """NUTS 2016 and NUTS 2024 codes both map to the CBS province code (NL31 and NL35 are Utrecht)."""
    table = pd.read_csv(GEODATA_DIR / "nuts2_provincie.csv", dtype=str)
    mapping = dict(zip(table["nuts2_2016"], table["provincie_code"]))
    mapping.update(zip(table["nuts2_2024"], table["provincie_code"]))
    return mapping


@dataclass
class _RowChecker:
    """Checks one file's rows; collects problems rather than stopping at the first."""

    file: str
    catalogue_rows: dict[tuple[str, str], Indicator]
    nuts2: dict[str, str]

    def __post_init__(self) -> None:
        self.problems: list[str] = []
        self.seen: dict[tuple, int] = {}

    def problem(self, line: int, message: str) -> None:
        self.problems.append(f"{self.file}:{line}: {message}")

    def row(self, line: int, row: dict[str, str]) -> dict | None:
        indicator = self.catalogue_rows.get((self.file, row["indicator"]))
        if indicator is None:
            self.problem(line, f"indicator {row['indicator']!r} is not in the catalogue for this file")
            return None
        level, code = row["region_level"].strip(), row["region_code"].strip()
        ok = (not code and indicator.allow_uncoded) or self._code(line, level, code)
        year, period = self._year(line, row["year"].strip(), indicator)
        value, text = self._value(line, row["value"].strip(), indicator)
        if row["unit"] not in indicator.allowed_units:
            self.problem(line, f"unit {row['unit']!r} differs from the catalogue's {list(indicator.allowed_units)}")
            ok = False
        if not row["source"].strip():
            self.problem(line, "empty source")
            ok = False
        if not ok or (value is None and text is None) or (year is None and not indicator.undated):
            return None
        atlas_level, atlas_code = level, code
        if not code and level not in FREE_LEVELS:
            atlas_level = "regiongroup"
        elif level == "nuts2" and code in self.nuts2:
            atlas_level, atlas_code = "provincie", self.nuts2[code]
            given = row.get("cbs_code", "").strip()
            if given and given != atlas_code:
                self.problem(line, f"cbs_code {given} disagrees with NUTS2 {code} -> {atlas_code}")
                return None
        key = (indicator.id, atlas_level, atlas_code or row["region_name"], period, row.get("org_id", ""), row["unit"])
        if key in self.seen:
            self.problem(line, f"duplicate of line {self.seen[key]} ({indicator.id}, {atlas_code or row['region_name']}, {period})")
            return None
        self.seen[key] = line
        return {
            "indicator": indicator.id, "level": atlas_level, "code": atlas_code, "name": row["region_name"],
            "year": year, "period": period, "value": value, "text": text, "missing_reason": None,
            "unit": row["unit"], "source": row["source"], "note": row.get("note", ""), "file": self.file,
            "line": line, "source_level": level, "source_code": code, "org_id": row.get("org_id") or None,
        }

    def _code(self, line: int, level: str, code: str) -> bool:
        if level in FREE_LEVELS:
            return True
        pattern = TABLE_CODE_PATTERNS.get(level)
        if pattern is None:
            self.problem(line, f"unknown region_level {level!r}; valid: {sorted([*TABLE_CODE_PATTERNS, *FREE_LEVELS])}")
            return False
        if not re.fullmatch(pattern, code):
            self.problem(line, f"region_code {code!r} is not a valid {level} code")
            return False
        return True

    def _year(self, line: int, raw: str, indicator: Indicator) -> tuple[int | None, str]:
        if not raw:
            if not indicator.undated:
                self.problem(line, "empty year")
            return None, ""
        match = YEAR.match(raw)
        if not match:
            self.problem(line, f"year {raw!r} is not a year or a period YYYY-YYYY")
            return None, raw
        year = int(match.group(2) or match.group(1))
        if indicator.years and year not in indicator.years:
            self.problem(line, f"year {year} is not among the catalogue's years for {indicator.id}")
            return None, raw
        return year, raw

    def _value(self, line: int, raw: str, indicator: Indicator) -> tuple[float | None, str | None]:
        if not raw:
            self.problem(line, "empty value")
            return None, None
        if indicator.is_category:
            return None, raw
        try:
            value = float(raw)
        except ValueError:
            self.problem(line, f"value {raw!r} is not a number")
            return None, None
        if not math.isfinite(value):
            self.problem(line, f"value {raw!r} is not finite")
            return None, None
        return value, None


def read_indicator_file(path: Path, catalogue: Catalogue, nuts2: dict[str, str] | None = None) -> tuple[list[dict], list[str]]:
    """Rows that passed, and every problem found, for one CSV file."""
    checker = _RowChecker(path.name, catalogue.by_csv(), nuts2 or nuts2_to_provincie())
    rows: list[dict] = []
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                return [], [f"{path.name}:1: missing column(s) {missing}; found {reader.fieldnames}"]
            for record in reader:
                if None in record or any(v is None for v in record.values()):
                    checker.problem(reader.line_num, "wrong number of fields")
                    continue
                row = checker.row(reader.line_num, record)
                if row is not None:
                    rows.append(row)
    except UnicodeDecodeError as exc:
        return [], [f"{path.name}: not UTF-8 text ({exc})"]
    except csv.Error as exc:
        return [], [f"{path.name}: malformed CSV ({exc})"]
    return rows, checker.problems


def load_indicator_csvs(indicators_dir: Path, catalogue: Catalogue) -> pd.DataFrame:
    """All catalogue CSVs as one tidy frame; raises with every problem if any row is bad."""
    nuts2 = nuts2_to_provincie()
    rows: list[dict] = []
    problems: list[str] = []
    for name in catalogue.csv_files():
        file_rows, file_problems = read_indicator_file(indicators_dir / name, catalogue, nuts2)
        rows += file_rows
        problems += file_problems
    problems += _undocumented(indicators_dir, catalogue)
    if problems:
        raise DataValidationError(problems)
    return tidy_frame(rows + note_rows(indicators_dir, catalogue, rows))


def note_rows(indicators_dir: Path, catalogue: Catalogue, rows: list[dict]) -> list[dict]:
    """Values a source gives only in a note (see `NoteRule`), for regions and years with no row of their own.

    A region that has its own row keeps it: the note is a second witness, not an override.
    """
    derived = []
    for indicator in catalogue.indicators.values():
        rule = indicator.from_notes
        if rule is None:
            continue
        have = {(r["code"], r["year"]) for r in rows if r["indicator"] == indicator.id}
        witness = catalogue.by_csv()[(rule.file, rule.csv_indicator)].id
        mapping = dict(rule.values)
        for r in rows:
            if r["indicator"] != witness or r["file"] != rule.file or (r["code"], r["year"]) in have:
                continue
            match = re.search(rule.pattern, r["note"] or "")
            if match is None:
                continue
            derived.append({
                **r, "indicator": indicator.id, "value": None, "text": mapping[match.group(1)],
                "unit": indicator.unit, "line": None,  # not a row of its own: the note says where it comes from
                "note": f"from the note {r['note']!r} of {rule.csv_indicator} ({rule.file} line {r['line']})",
            })
    return derived


def _undocumented(indicators_dir: Path, catalogue: Catalogue) -> list[str]:
    """A CSV in the folder with an `indicator` column that the catalogue does not describe is a gap."""
    known = set(catalogue.csv_files())
    problems = []
    for path in sorted(indicators_dir.glob("*.csv")):
        try:
            with path.open(encoding="utf-8", newline="") as fh:
                header = next(csv.reader(fh), [])
        except (UnicodeDecodeError, csv.Error) as exc:
            if path.name not in known:
                problems.append(f"{path.name}: a CSV the catalogue does not describe, and not readable as UTF-8 "
                                f"CSV ({exc}); remove it or describe it in the catalogue")
            continue  # a catalogued file's own reading reports it
        if "indicator" in header and path.name not in known:
            problems.append(f"{path.name}: indicator file not described in the catalogue")
    return problems


def tidy_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=TIDY_COLUMNS)
    frame["year"] = frame["year"].astype("Int64")
    frame["value"] = frame["value"].astype(float)
    frame["line"] = frame["line"].astype("Int64")
    return frame
