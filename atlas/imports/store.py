"""Imported datasets on disk: one folder per dataset under ``<cache>/imports``, each with its own version.

They live beside the build (``<cache>/build``), never in it or in the shared data folder, so a rebuild or a
restart keeps them and the shared data stay the publisher's. Each save or removal rewrites ``VERSION``, which
is all a running server has to look at to know that its merged view is stale.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from atlas.data import AtlasData
from atlas.errors import DataValidationError, ImportRejected, UnknownResource
from atlas.geography.vintages import assign_vintages
from atlas.imports.metadata import IMPORTED
from atlas.sources.catalogue import Catalogue, Indicator

FOLDER = "imports"
VERSION_FILE = "VERSION"


@dataclass(frozen=True)
class Dataset:
    """One import: its catalogue entries, observations (counts already disclosure-controlled) and record."""

    id: str
    kind: str  # table | points
    indicators: list[Indicator]
    observations: pd.DataFrame
    record: dict  # file name, licence, unplaced points, threshold: what `atlas info` and the API list

    @property
    def version(self) -> str:
        digest = hashlib.sha256(pd.util.hash_pandas_object(self.observations.astype(str), index=False).values.tobytes())
        digest.update(json.dumps([i.as_dict() for i in self.indicators], sort_keys=True).encode())
        return digest.hexdigest()[:12]


class ImportStore:
    def __init__(self, cache_dir: Path):
        self.root = cache_dir / FOLDER

    def version(self) -> str:
        """'' with no imports; otherwise changes with every save and removal."""
        path = self.root / VERSION_FILE
        return path.read_text().strip() if path.is_file() else ""

    def ids(self) -> list[str]:
        return sorted(p.name for p in self.root.glob("*") if (p / "dataset.json").is_file()) if self.root.is_dir() else []

    def records(self) -> list[dict]:
        return [json.loads((self.root / i / "dataset.json").read_text())["record"] for i in self.ids()]

    def load(self, dataset_id: str) -> Dataset:
        folder = self.root / dataset_id
        if not (folder / "dataset.json").is_file():
            raise UnknownResource("dataset", dataset_id, self.ids())
        meta = json.loads((folder / "dataset.json").read_text())
        return Dataset(dataset_id, meta["kind"], [Indicator.model_validate(i) for i in meta["indicators"]],
                       pd.read_parquet(folder / "observations.parquet"), meta["record"])

    def save(self, dataset: Dataset, shipped: Catalogue) -> Path:
        """Write into a staging folder and swap it in (replacing an earlier import of the same id); an indicator id
        that a shipped indicator or another import uses is refused."""
        others = {i: r["id"] for r in self.records() if r["id"] != dataset.id for i in r["indicators"]}
        clash = [f"id {i.id!r} is a shipped indicator; choose another id" for i in dataset.indicators
                 if i.id in shipped.indicators and shipped.indicators[i.id].origin != IMPORTED]
        clash += [f"id {i.id!r} belongs to the imported dataset {others[i.id]!r}; choose another id"
                  for i in dataset.indicators if i.id in others]
        if clash:
            raise ImportRejected(clash)
        self.root.mkdir(parents=True, exist_ok=True)
        staging = self.root / f".{dataset.id}-{time.time_ns()}"
        staging.mkdir()
        dataset.observations.to_parquet(staging / "observations.parquet")
        record = {**dataset.record, "id": dataset.id, "kind": dataset.kind, "version": dataset.version,
                  "indicators": [i.id for i in dataset.indicators], "origin": IMPORTED}
        (staging / "dataset.json").write_text(json.dumps({
            "kind": dataset.kind, "indicators": [i.model_dump(mode="json") for i in dataset.indicators],
            "record": record}, indent=1))
        final = self.root / dataset.id
        old = self.root / f".{dataset.id}-old-{time.time_ns()}"
        if final.exists():
            final.rename(old)
        staging.rename(final)
        shutil.rmtree(old, ignore_errors=True)
        self._bump()
        return final

    def remove(self, dataset_id: str) -> None:
        if dataset_id not in self.ids():
            raise UnknownResource("dataset", dataset_id, self.ids())
        shutil.rmtree(self.root / dataset_id)
        self._bump()

    def _bump(self) -> None:
        versions = [json.loads((self.root / i / "dataset.json").read_text())["record"]["version"] for i in self.ids()]
        value = hashlib.sha256(json.dumps([self.ids(), versions]).encode()).hexdigest()[:12] if versions else ""
        staging = self.root / f".{VERSION_FILE}-{time.time_ns()}"
        staging.write_text(value)
        staging.replace(self.root / VERSION_FILE)


def observations_with_vintages(data: AtlasData, rows: pd.DataFrame, indicators: list[Indicator]) -> pd.DataFrame:
    """Imported rows with the boundary year their codes refer to, as the build gives shipped rows."""
    try:
        return assign_vintages(rows, data.boundaries, Catalogue({i.id: i for i in indicators}))
    except DataValidationError as exc:  # the shipped loader's error: here it is the user's table that is wrong
        raise ImportRejected(exc.problems) from None


def with_imports(data: AtlasData, cache_dir: Path) -> AtlasData:
    """The atlas with the stored imports in its catalogue and observations (earlier imports replaced), and a
    version that names them, so ETags, tile URLs and caches change with every import."""
    store = ImportStore(cache_dir)
    imported = {i for i, ind in data.catalogue.indicators.items() if ind.origin == IMPORTED}
    indicators = {i: ind for i, ind in data.catalogue.indicators.items() if i not in imported}
    frames = [data.observations[~data.observations["indicator"].isin(imported)]]
    for dataset_id in store.ids():
        dataset = store.load(dataset_id)
        indicators.update({i.id: i for i in dataset.indicators})
        frames.append(dataset.observations)
    if not imported and len(frames) == 1:
        return data
    base_version = data.version.rsplit("+", 1)[-1]
    combined = hashlib.sha256(f"{base_version}:{store.version()}".encode()).hexdigest()[:16]
    version = f"{combined}+{base_version}" if store.version() else base_version  # tile URLs use the first 12
    merged = AtlasData(Catalogue(indicators), data.boundaries, pd.concat(frames, ignore_index=True), version,
                       data.data_dir, data.crosswalks, grids=data.grids,
                       topologies=data.topologies)
    merged.value_table = data.value_table  # shipped values do not depend on imports; imported ones are not in it
    merged.value_documents = data.value_documents  # likewise
    merged.features = data.features  # the same boundaries
    merged.shared_files = data.shared_files  # its files are kept under the merged version
    return merged
