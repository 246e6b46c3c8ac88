"""XLSX workbooks for planners who work in Excel: one sheet of values, one of what they mean.

A number in a spreadsheet loses its column header's context as soon as it is copied, so every workbook
carries a `metadata` sheet beside the `values` sheet: per indicator its source, unit, definition, year,
boundaries, caveats and the meaning of every qualifier code that occurs in the values. A missing value
is an empty cell with its reason in the `...missing` column, never a zero.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable

import pandas as pd
from openpyxl import Workbook

from atlas.data import AtlasData
from atlas.figures.semantics import QUALIFIERS

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
METADATA_COLUMNS = ["indicator", "title", "source", "unit", "definition", "year", "boundaries", "qualifiers",
                    "caveats"]


def _cell(value: object) -> object:
    """What openpyxl can write: plain numbers and text; missing (NaN, None, NA) stays an empty cell."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def qualifier_meanings(codes: Iterable[object]) -> str:
    """'approx: approximate; at_least: ...' for the qualifier codes (comma-joined per value) that occur."""
    found = {c for joined in codes if isinstance(joined, str) for c in joined.split(",")}
    return "; ".join(f"{code}: {QUALIFIERS[code].en}" for code in QUALIFIERS if code in found)


def indicator_metadata(data: AtlasData, indicator_id: str, year: int | None, boundaries: str,
                       qualifier_codes: Iterable[object]) -> dict:
    """One row of the metadata sheet (and of the metadata GeoParquet and FlatGeobuf carry)."""
    indicator = data.catalogue.get(indicator_id)
    return {"indicator": indicator_id, "title": indicator.title_en, "source": indicator.source,
            "unit": indicator.unit, "definition": indicator.definition, "year": year, "boundaries": boundaries,
            "qualifiers": qualifier_meanings(qualifier_codes), "caveats": " ".join(indicator.caveats)}


def workbook(values: pd.DataFrame, metadata: list[dict]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = "values"
    sheet.append(list(values.columns))
    for row in values.itertuples(index=False, name=None):
        sheet.append([_cell(v) for v in row])
    meta = book.create_sheet("metadata")
    meta.append(METADATA_COLUMNS)
    for entry in metadata:
        meta.append([_cell(entry.get(column)) for column in METADATA_COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def profile_workbook(data: AtlasData, profile: dict) -> bytes:
    """A region profile: one row per indicator and year of its series on the profile's territory."""
    rows = [{"code": profile["code"], "name": profile["name"], "indicator": entry["id"], "title": entry["title"]["en"],
             "unit": entry["unit"], **{k: point.get(k) for k in ("year", "value", "qualifier", "missing_reason",
                                                                  "harmonised", "source_vintage", "joined")}}
            for entry in profile["indicators"] for point in entry["series"]]
    boundaries = profile["territory"]
    metadata = [indicator_metadata(data, entry["id"], entry["latest"]["year"], boundaries,
                                   [p.get("qualifier") for p in entry["series"]]) for entry in profile["indicators"]]
    return workbook(pd.DataFrame(rows), metadata)
