"""Read Dealroom's startup-ecosystem table (``startups/dealroom_ecosystems_nl_2025.csv``), checking every row.

The file holds the rows of Dealroom's public ecosystem table whose location type mentions the Netherlands,
with Dealroom's 70 columns verbatim and the snapshot time of the cache it was taken from. The figures
belong to Dealroom's own areas (metros, the country, a cross-border "supercluster"), which have no list
of member municipalities; this reader keeps them as Dealroom states them and leaves the choice of rows
to show to the caller. An empty cell is a missing value, never zero. A problem (missing column, number
that does not parse, no snapshot time) is reported with its line, and nothing is read from a file that
has any.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from atlas.errors import DataFolderError, DataValidationError

DEALROOM_FILE = Path("startups") / "dealroom_ecosystems_nl_2025.csv"
ATTRIBUTION = "Dealroom.co"
SOURCE = ("Dealroom.co ecosystem table (app.dealroom.co location pages), via the public cache "
          "dealroom-caching/locations-table-data at commit caf876c2e50ec5f6b8edcdca5bb6aea66f050705")
TEXT_COLUMNS = ("cache_timestamp", "location_fixed", "location_full_name_hidden", "location_type_hidden",
                "links_to_location_pages")


@dataclass(frozen=True)
class Figure:
    """One Dealroom column shown by the atlas, with the unit as far as the table makes it evident."""

    key: str
    column: str
    title_nl: str
    title_en: str
    unit: str
    unit_note: str | None  # what the column name leaves open, said rather than guessed


FIGURES = (
    Figure("vc_backed_startups", "vc_backed_startups_overview", "Startups met durfkapitaal", "VC-backed startups",
           "count", "Dealroom's count of VC-backed startups in the area; the table does not say over which period "
           "the companies were founded or funded"),
    Figure("vc_invested", "vc_invested_overview", "Geïnvesteerd durfkapitaal", "VC invested", "EUR",
           "euro amount as Dealroom's overview states it; the table does not say over which period it was "
           "invested (one year, or cumulative)"),
    Figure("university_spinouts", "university_spinouts_academia", "Universitaire spin-offs", "University spinouts",
           "count", "Dealroom's count of university spinouts in the area; whether closed companies are "
           "included is not stated"),
    Figure("unicorns", "unicorns_power_law_outcomes", "Unicorns", "Unicorns", "count",
           "companies from the area that reached a valuation of USD 1 billion or more by Dealroom's definition; "
           "whether exited or fallen companies are included is not stated in the table"),
)


@dataclass(frozen=True)
class Ecosystem:
    """One row of the table: Dealroom's names for the area, its type, snapshot time and numeric columns."""

    line: int
    name: str  # location_fixed, e.g. "Rotterdam - The Hague"
    full_name: str  # location_full_name_hidden, e.g. "Rotterdam Metropolitan Area"
    location_type: tuple[str, ...]  # location_type_hidden split on commas: ("Metro", "Netherlands", ...)
    snapshot: str  # cache_timestamp, ISO 8601
    url: str | None
    values: dict[str, float | None]  # every numeric column; None where the cell is empty

    @property
    def kind(self) -> str:
        return self.location_type[0] if self.location_type else ""


def _number(text: str) -> float | None:
    if not text.strip():
        return None
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _row(line: int, row: dict[str, str], where: str, problems: list[str]) -> Ecosystem:
    values: dict[str, float | None] = {}
    for column, text in row.items():
        if column in TEXT_COLUMNS or column == "has_deepdive":
            continue
        try:
            values[column] = _number(text or "")
        except ValueError:
            problems.append(f"{where}:{line}: {column} {text!r} is not a number (empty means missing)")
    snapshot = (row.get("cache_timestamp") or "").strip()
    try:
        datetime.fromisoformat(snapshot.replace("Z", "+00:00"))
    except ValueError:
        problems.append(f"{where}:{line}: cache_timestamp {snapshot!r} is not an ISO 8601 time")
    name = (row.get("location_fixed") or "").strip()
    if not name:
        problems.append(f"{where}:{line}: location_fixed is empty")
    return Ecosystem(line, name, (row.get("location_full_name_hidden") or "").strip() or name,
                     tuple(p.strip() for p in (row.get("location_type_hidden") or "").split(",") if p.strip()),
                     snapshot, (row.get("links_to_location_pages") or "").strip() or None, values)


def read_ecosystems(data_dir: Path) -> list[Ecosystem]:
    """Every row of the Dealroom file in the data folder; raises with every problem if any row is bad."""
    path = data_dir / DEALROOM_FILE
    if not path.is_file():
        raise DataFolderError(f"{DEALROOM_FILE} is missing from the data folder")
    where = DEALROOM_FILE.name
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        needed = [*TEXT_COLUMNS, *(f.column for f in FIGURES)]
        absent = [c for c in needed if c not in columns]
        if absent:
            raise DataValidationError([f"{where}: columns {absent} are missing"])
        problems: list[str] = []
        rows = [_row(line, row, where, problems) for line, row in enumerate(reader, start=2)]
    if problems:
        raise DataValidationError(problems)
    return rows
