"""Participation tables: one row per organisation taking part in one project (the CORDIS format).

The atlas's own input is `collaboration/h2020_nl_participations.csv` in the data folder (CORDIS Horizon 2020,
Dutch participants); `atlas networks import` takes files in the same format from users. Every row is checked
and every problem is reported with its file and line, so a file is fixed in one pass; nothing is loaded from a
file that has any problem.

Required columns: rcn (project), pic (organisation), type (HES, PRC, REC, PUB, OTH), start_year,
programme_parts (";" joins several;
may be empty where the source gives none: such rows count in every total but in no programme part). Optional: role, contribution (EC money in euro; empty when the source has
none; "NA" is read as empty), end_year, org_name, org_city, postcode_fp7 (a Dutch postcode "NNNN AA"). Other columns are ignored.
"""

from __future__ import annotations

import csv
import hashlib
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from atlas.errors import DataValidationError

REQUIRED = ("rcn", "pic", "type", "start_year", "programme_parts")
OPTIONAL = ("role", "contribution", "end_year", "org_name", "org_city", "postcode_fp7")
ORG_TYPES = {"HES": "higher education", "PRC": "private company", "REC": "research organisation",
             "PUB": "public body", "OTH": "other"}
MISSING = {"NA", "N/A"}  # how R-made tables (such as the CORDIS extract) write a missing value
POSTCODE = re.compile(r"^(\d{4}) ?[A-Z]{2}$")
CORDIS_DATASET = "cordis-h2020"
CORDIS_FILE = Path("collaboration") / "h2020_nl_participations.csv"
CORDIS_SOURCE = "CORDIS Horizon 2020 participations of Dutch organisations (cordis-h2020organizations.csv, " \
                "as updated 2020-12-14, via zambujo/eunets); names and cities from the 2017 H2020 and the FP7 " \
                "organisation lists"
CORDIS_SNAPSHOT = "2020-12-14"
FP7_LOOKUP = Path("collaboration") / "fp7_nl_org_lookup.csv"


@dataclass(frozen=True)
class Participations:
    """A validated table: `frame` has one row per (project, organisation)."""

    name: str
    source: str
    snapshot: str
    frame: pd.DataFrame  # rcn, pic, type, role, contribution, start_year, end_year, parts, org_name, city, postcode, line
    digest: str  # sha256 of the file: what caches of derived results are keyed by


def _year(raw: str, column: str, where: str, problems: list[str], required: bool) -> int | None:
    if not raw:
        if required:
            problems.append(f"{where}: {column} is empty")
        return None
    if not re.fullmatch(r"\d{4}", raw):
        problems.append(f"{where}: {column} {raw!r} is not a year")
        return None
    return int(raw)


def _row(record: dict[str, str], where: str, problems: list[str]) -> dict:
    value = {k: (record.get(k) or "").strip() for k in (*REQUIRED, *OPTIONAL)}
    value = {k: "" if v in MISSING else v for k, v in value.items()}
    for column in ("rcn", "pic"):
        if not value[column]:
            problems.append(f"{where}: {column} is empty")
    if value["type"] not in ORG_TYPES:
        problems.append(f"{where}: type {value['type']!r} not one of {', '.join(ORG_TYPES)}")
    contribution = math.nan
    if value["contribution"]:
        try:
            contribution = float(value["contribution"])
        except ValueError:
            problems.append(f"{where}: contribution {value['contribution']!r} is not a number")
        else:
            if not math.isfinite(contribution) or contribution < 0:
                problems.append(f"{where}: contribution {value['contribution']!r} must be a number of euro >= 0")
    parts = tuple(p.strip() for p in value["programme_parts"].split(";") if p.strip())
    postcode = value["postcode_fp7"].upper()
    if postcode and not POSTCODE.match(postcode):
        problems.append(f"{where}: postcode_fp7 {value['postcode_fp7']!r} is not a Dutch postcode NNNN AA")
    return {"rcn": value["rcn"], "pic": value["pic"], "type": value["type"], "role": value["role"] or None,
            "contribution": contribution, "start_year": _year(value["start_year"], "start_year", where, problems, True),
            "end_year": _year(value["end_year"], "end_year", where, problems, False), "parts": parts,
            "org_name": value["org_name"] or None, "city": value["org_city"] or None, "postcode": postcode or None}


def read_participations(path: Path, source: str = "", snapshot: str = "") -> Participations:
    """Parse and validate one participation file; raises DataValidationError listing every bad line."""
    problems: list[str] = []
    rows: list[dict] = []
    seen: dict[tuple[str, str], int] = {}
    city_of: dict[str, tuple[str | None, int]] = {}
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
            if missing:
                raise DataValidationError([f"{path.name}:1: missing column(s) {missing}; required: {list(REQUIRED)}"])
            for record in reader:
                line = reader.line_num
                where = f"{path.name}:{line}"
                if None in record or any(v is None for v in record.values()):
                    problems.append(f"{where}: wrong number of fields")
                    continue
                before = len(problems)
                row = _row(record, where, problems)
                key = (row["rcn"], row["pic"])
                if key in seen:
                    problems.append(f"{where}: organisation {row['pic']} appears twice in project {row['rcn']} "
                                    f"(first on line {seen[key]})")
                seen.setdefault(key, line)
                first = city_of.setdefault(row["pic"], (row["city"], line))
                if row["city"] and first[0] and first[0] != row["city"]:
                    problems.append(f"{where}: organisation {row['pic']} has city {row['city']!r} but "
                                    f"{first[0]!r} on line {first[1]}; one organisation has one address")
                if len(problems) == before:
                    rows.append({**row, "line": line})
    except UnicodeDecodeError as exc:
        raise DataValidationError([f"{path.name}: not UTF-8 text ({exc})"]) from exc
    except csv.Error as exc:
        raise DataValidationError([f"{path.name}: malformed CSV ({exc})"]) from exc
    if problems:
        raise DataValidationError(problems)
    if not rows:
        raise DataValidationError([f"{path.name}: no participation rows"])
    frame = pd.DataFrame(rows)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return Participations(path.stem, source or f"imported participation file {path.name}", snapshot, frame, digest)


def cordis_participations(data_dir: Path) -> Participations:
    """The atlas's own input: every Horizon 2020 participation of a Dutch organisation."""
    table = read_participations(data_dir / CORDIS_FILE, CORDIS_SOURCE, CORDIS_SNAPSHOT)
    return replace(table, name=CORDIS_DATASET)


def fp7_addresses(data_dir: Path) -> pd.DataFrame:
    """City and postcode of the Dutch FP7 organisations: more witnesses for the postcode table of placement."""
    path = data_dir / FP7_LOOKUP
    if not path.is_file():
        return pd.DataFrame({"city": [], "postcode": []})
    table = pd.read_csv(path, dtype=str, usecols=["city", "postcode"]).dropna()
    table["postcode"] = table["postcode"].str.strip().str.upper()
    return table[table["postcode"].str.match(POSTCODE)]


def organisations(table: Participations) -> pd.DataFrame:
    """One row per organisation (index pic): name, city, postcode, type, participations and EC money."""
    return table.frame.groupby("pic").agg(name=("org_name", "first"), city=("city", "first"),
                                          postcode=("postcode", "first"), type=("type", "first"),
                                          participations=("rcn", "size"), money=("contribution", "sum"))
