"""CBS key figures carried as attributes of boundary files, turned into indicator rows.

CBS marks secret or inapplicable figures with -99999999 (and the 2022 extract leaves them blank); both
become missing values with that reason, never numbers.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from atlas.errors import DataValidationError
from atlas.sources.catalogue import Catalogue
from atlas.sources.indicators import tidy_frame
from atlas.sources.manifest import BoundarySource

CBS_SECRET = -99_999_990


def _reason(raw: object) -> str | None:
    if raw is None or (isinstance(raw, float) and pd.isna(raw)):
        return "blank in source: not published by CBS for this region"
    if isinstance(raw, (int, float)) and raw <= CBS_SECRET:
        return "secret or not applicable in CBS (coded -99999999)"
    return None


def key_figure_rows(catalogue: Catalogue, raw: dict[str, gpd.GeoDataFrame], sources: list[BoundarySource]) -> pd.DataFrame:
    """One row per region, indicator and year for every boundary attribute the catalogue names."""
    by_path = {s.path: s for s in sources}
    rows: list[dict] = []
    problems: list[str] = []
    for indicator in catalogue.indicators.values():
        for attribute in indicator.attributes:
            frame, source = raw.get(attribute.path), by_path.get(attribute.path)
            if frame is None or source is None or attribute.column not in frame:
                problems.append(f"catalogue {indicator.id}: {attribute.path} has no attribute {attribute.column!r}")
                continue
            for code, name, value in zip(frame["code"], frame["name"], frame[attribute.column]):
                reason = _reason(value)
                numeric = not indicator.is_category
                if not numeric and reason is None and str(value) not in indicator.categories:
                    problems.append(f"{attribute.path}: {indicator.id} of {code}: category {str(value)!r} is not one "
                                    f"of the catalogue's {list(indicator.categories)}")
                    continue
                rows.append({
                    "indicator": indicator.id, "level": source.level, "code": code, "name": name,
                    "year": attribute.year, "period": str(attribute.year),
                    "value": float(value) if numeric and reason is None else None,
                    "text": None if numeric or reason else str(value), "missing_reason": reason,
                    "unit": indicator.unit, "source": indicator.source, "note": f"attribute {attribute.column}",
                    "file": attribute.path, "line": None, "source_level": source.level, "source_code": code,
                    "org_id": None,
                })
    if problems:
        raise DataValidationError(problems)
    return tidy_frame(rows)
