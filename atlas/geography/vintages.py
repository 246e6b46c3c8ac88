"""The vintage of every observation: the boundary year whose regions its codes refer to.

A municipality that absorbed others keeps its code, so a code alone does not say which territory a
number was measured on. The vintage does: by default the boundaries of the observation's own year when
they hold every code of that indicator, level and year; else the nearest held year that does (and the
basis says so); or the year the catalogue states for the source. A code that does not exist in its
vintage is refused at load, naming the rows.
"""

from __future__ import annotations

import pandas as pd

from atlas.errors import DataValidationError
from atlas.geography.membership import nearest_year
from atlas.geography.store import BoundaryStore
from atlas.sources.catalogue import Catalogue

SAME_YEAR = "boundaries of the same year"
STATED = "stated in the catalogue"


def _basis_nearest(level: str, year: float) -> str:
    if pd.isna(year):
        return f"undated: latest {level} boundaries that hold every code"
    return f"{level} boundaries of {int(year)} not held (or missing codes): nearest held year that holds every code"


def assign_vintages(observations: pd.DataFrame, store: BoundaryStore, catalogue: Catalogue) -> pd.DataFrame:
    """The observations with ``vintage`` (boundary year, empty for context levels) and ``vintage_basis``."""
    codes = {key: set(layer["code"]) for key, layer in store.layers.items()}
    frame = observations.copy()
    frame["vintage"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    frame["vintage_basis"] = None
    mapped = frame["level"].isin(store.levels()) & (frame["code"] != "")
    problems: list[str] = []
    for (indicator_id, level, year), group in frame[mapped].groupby(["indicator", "level", "year"], dropna=False):
        held = store.years(level)
        wanted = set(group["code"])
        stated = catalogue.get(indicator_id).vintage
        if stated is not None:
            vintage, basis = stated, STATED
            if stated not in held:
                problems.append(f"{indicator_id}: stated vintage {stated} is not a held {level} boundary year {held}")
                continue
        elif not pd.isna(year) and int(year) in held and wanted <= codes[(level, int(year))]:
            vintage, basis = int(year), SAME_YEAR
        else:
            candidates = [y for y in held if wanted <= codes[(level, y)]]
            if not candidates:
                problems.append(f"{indicator_id} {level} {year}: no held boundary year has every code; "
                                f"e.g. {sorted(wanted - codes[(level, held[-1])])[:5]} are not in {level} {held[-1]}")
                continue
            vintage = nearest_year(int(year), candidates) if not pd.isna(year) else candidates[-1]
            basis = _basis_nearest(level, year)
        unknown = group.loc[~group["code"].isin(codes[(level, vintage)])]
        problems += [f"{r.file}:{r.line if not pd.isna(r.line) else '-'}: {r.code} does not exist in {level} {vintage}"
                     for r in unknown.itertuples()]
        frame.loc[group.index, "vintage"] = vintage
        frame.loc[group.index, "vintage_basis"] = basis
    if problems:
        raise DataValidationError(problems)
    return frame
