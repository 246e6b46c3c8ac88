"""The JSON values answer (meta, national reference and every region's row) of each indicator x level x year on
its own boundaries, rendered once by the build.

Even with every value in the build's table, a cold answer spent about 10 ms in pandas: slicing the table into a
frame, sizing it for the cache, typing it, describing it and encoding it, for a body that depends on the build
alone. So the build renders the answers users ask for most, the data's own boundaries with or without a year, and
a request finds its body by its own parameters: a body held here was valid when rendered, so nothing is
validated again. Other boundaries, a `within` filter and the other formats are computed on request, by the same
rendering. Imported indicators (atlas.imports) are not held, and an atlas changed after its build (a test
fixture's copy) holds none.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from atlas.data import AtlasData
from atlas.errors import AtlasError
from atlas.figures.reference import national_reference
from atlas.figures.semantics import typed_values
from atlas.figures.values import IndicatorValues, available_levels, available_years, indicator_values

FILE = "value_documents.parquet"
Key = tuple[str, str, "int | None"]  # indicator, level, year (None: the default, the latest year)


def values_document(data: AtlasData, result: IndicatorValues, frame: pd.DataFrame | None = None) -> bytes:
    """The answer for `result`, with only the rows of `frame` (its typed rows, perhaps filtered) if given."""
    rows = typed_values(result.frame.drop(columns=["note"]), result.indicator.decimals) if frame is None else frame
    meta = {**result.meta(), "reference": national_reference(data, result.indicator.id, result.year, result.level)}
    # the rows as pandas encodes them, placed in the body as they are (parsing and encoding them again was a
    # fifth of a cold answer)
    return (f'{{"meta":{json.dumps(meta, ensure_ascii=False, allow_nan=False, separators=(",", ":"))},'
            f'"values":{rows.to_json(orient="records", force_ascii=False)}}}').encode()


def indicator_document(data: AtlasData, indicator_id: str, level: str, year: int | None,
                       boundary_year: int | None) -> bytes:
    """The values answer, from the build when it holds it."""
    held = data.value_documents.get((indicator_id, level, year)) if data.value_documents is not None else None
    if held is not None and boundary_year is None:
        return held
    return values_document(data, indicator_values(data, indicator_id, level, year, boundary_year))


@dataclass(frozen=True)
class ValueDocuments:
    documents: dict[Key, bytes]  # year None only for undated indicators
    latest: dict[tuple[str, str], int]  # the year a request without one is answered with, per indicator and level

    def get(self, key: Key) -> bytes | None:
        indicator, level, year = key
        return self.documents.get((indicator, level, self.latest.get((indicator, level)) if year is None else year))

    def write(self, folder: Path) -> None:
        keys = list(self.documents)
        table = pa.table({"indicator": [k[0] for k in keys], "level": [k[1] for k in keys],
                          "year": pa.array([k[2] for k in keys], pa.int32()),
                          "latest": [self.latest.get(k[:2]) == k[2] for k in keys],
                          "document": pa.array(list(self.documents.values()), pa.large_binary())})
        pq.write_table(table, folder / FILE, compression="zstd")

    @classmethod
    def read(cls, folder: Path) -> ValueDocuments:
        table = pq.read_table(folder / FILE)
        rows = list(zip(*(table[c].to_pylist() for c in ("indicator", "level", "year", "latest", "document"))))
        return cls({(i, lv, y): body for i, lv, y, _, body in rows},
                   {(i, lv): y for i, lv, y, latest, _ in rows if latest})


def build_value_documents(data: AtlasData) -> ValueDocuments:
    """Every indicator x level x year the catalogue allows, on its own boundaries (about 5 s): the computation
    refusing one (a category that cannot be shown at a level) leaves it to be refused again on request."""
    documents: dict[Key, bytes] = {}
    latest: dict[tuple[str, str], int] = {}
    for indicator in data.catalogue.indicators.values():
        for level in available_levels(data, indicator):
            years = available_years(data, indicator, level)
            asked: list[int | None] = [*years] or [None]  # undated: no years, and the one answer without a year
            for year in asked:
                try:
                    result = indicator_values(data, indicator.id, level, year)
                except AtlasError:
                    continue
                documents[(indicator.id, level, year)] = values_document(data, result)
            if years and (indicator.id, level, years[-1]) in documents:  # the default year (atlas.figures.values)
                latest[(indicator.id, level)] = years[-1]
    return ValueDocuments(documents, latest)
