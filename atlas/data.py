"""The loaded atlas: boundaries, catalogue and every observation, built once and cached as GeoParquet.

A build reads the data folder, validates everything and writes the cache into a fresh folder that
replaces the old one in a single rename, so a failed rebuild never leaves a half-written cache behind.
Later runs read the cache when its fingerprint (source files, manifest, catalogue, code version) matches.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from atlas import __version__
from atlas.cache import AtlasCaches
from atlas.errors import InvalidChoice
from atlas.geography.crosswalk import Crosswalks, build_crosswalks
from atlas.geography.store import BoundaryStore, SourceCheck, build_store, read_layer
from atlas.geography.vintages import assign_vintages
from atlas.settings import GEODATA_DIR, AtlasSettings, get_settings
from atlas.sources.catalogue import CATALOGUE_PATH, Catalogue, load_catalogue
from atlas.sources.indicators import load_indicator_csvs
from atlas.sources.keyfigures import key_figure_rows
from atlas.sources.manifest import MANIFEST_PATH, check_data_folder, load_manifest
from atlas.sources.participation_totals import participation_total_rows

if TYPE_CHECKING:
    from atlas.figures.table import ValueTable
    from atlas.render.features import FeatureStore
    from atlas.render.gridstore import GridStore
    from atlas.render.topologies import TopologyStore
    from atlas.render.valuedocuments import ValueDocuments
    from atlas.sharedfiles import SharedFiles

BUILD_DIR_NAME = "build"
log = logging.getLogger("atlas.data")
POPULATION_INDICATOR, POPULATION_YEAR = "kwb_population", 2022


@dataclass
class AtlasData:
    catalogue: Catalogue
    boundaries: BoundaryStore
    observations: pd.DataFrame
    version: str
    data_dir: Path
    crosswalks: Crosswalks
    caches: AtlasCaches = field(default_factory=AtlasCaches.from_settings, repr=False)
    grids: GridStore | None = field(default=None, repr=False)  # tile-grid geometry per zoom, from the boundaries
    topologies: TopologyStore | None = field(default=None, repr=False)  # TopoJSON arcs per layer, likewise
    # Every value the build computed (atlas.figures.table). Not an __init__ field, so a copy with other
    # observations (dataclasses.replace) never answers from a table computed on the originals.
    value_table: ValueTable | None = field(default=None, init=False, repr=False)
    value_documents: ValueDocuments | None = field(default=None, init=False, repr=False)  # its JSON answers, likewise
    features: FeatureStore | None = field(default=None, init=False, repr=False)  # the layers' OGC features, likewise
    # Files the server's processes share (atlas.sharedfiles), keyed by the version: not an __init__ field either,
    # so a copy holding other data under the same version never reads or writes them.
    shared_files: SharedFiles | None = field(default=None, init=False, repr=False)
    _by_indicator: dict[str, pd.DataFrame] = field(init=False, repr=False)
    _by_year: dict[tuple[str, str, int | None], pd.DataFrame] = field(init=False, repr=False)
    _years: dict[tuple[str, str], list[int]] = field(init=False, repr=False)
    _codes: dict[tuple[str, int], dict[str, int]] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        # Grouped once with the build, since every value lookup starts here: a profile asks for dozens of
        # (indicator, level, year) slices, and scanning the whole table for each costs more than the rest.
        self._by_indicator = dict(tuple(self.observations.groupby("indicator", sort=False)))
        self._by_year = {
            (indicator, level, None if pd.isna(year) else int(year)): rows
            for (indicator, level, year), rows in self.observations.groupby(
                ["indicator", "level", "year"], sort=False, dropna=False)
        }
        years: dict[tuple[str, str], set[int]] = {}
        for indicator, level, year in self._by_year:
            if year is not None:
                years.setdefault((indicator, level), set()).add(year)
        self._years = {key: sorted(found) for key, found in years.items()}

    def region_codes(self, level: str, year: int) -> dict[str, int]:
        """Codes of a boundary layer to their row number, kept per layer: a profile asks for several each time."""
        found = self._codes.get((level, year))
        if found is None:
            found = self._codes[(level, year)] = {c: i for i, c in enumerate(self.boundaries.get(level, year)["code"])}
        return found

    def region_row(self, level: str, year: int, code: str) -> pd.Series:
        """One region's row of a boundary layer (KeyError for a code not in it)."""
        return self.boundaries.get(level, year).iloc[self.region_codes(level, year)[code]]

    def observations_of(self, indicator_id: str) -> pd.DataFrame:
        """Rows of one indicator (empty for a catalogued indicator without observations)."""
        self.catalogue.get(indicator_id)
        return self._by_indicator.get(indicator_id, self.observations.iloc[0:0])

    def observations_at(self, indicator_id: str, level: str, year: int | None) -> pd.DataFrame:
        """Rows of one indicator at one level in one year (``None``: the undated rows), in table order."""
        self.catalogue.get(indicator_id)
        return self._by_year.get((indicator_id, level, year), self.observations.iloc[0:0])

    def observation_years(self, indicator_id: str, level: str) -> list[int]:
        """Years with rows of one indicator at one level, ascending."""
        return self._years.get((indicator_id, level), [])

    def check_level(self, level: str) -> str:
        if level not in self.boundaries.levels():
            raise InvalidChoice("level", level, self.boundaries.levels())
        return level


def _fingerprint(settings: AtlasSettings) -> str:
    """Data files by size and mtime (cheap, so a warm start stays fast); the manifest, catalogue and the core's
code by content, so a change in validation or derivation never serves a stale cache."""
    digest = hashlib.sha256(__version__.encode())
    code = Path(__file__).parent
    # Named relative to their folder, so a checkout and the wheel installed from it agree (the wheel nests geodata
    # inside the package): a build made in one is read by the other.
    for name, path in sorted([*((f"geodata/{p.relative_to(GEODATA_DIR)}", p) for p in GEODATA_DIR.glob("**/*")),
                              *((f"atlas/{p.relative_to(code)}", p) for p in code.glob("**/*.py"))]):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(name.encode() + b"\0" + path.read_bytes())
    for path in sorted(settings.data_dir.glob("**/*")):
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(settings.data_dir)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def build_atlas(settings: AtlasSettings | None = None) -> AtlasData:
    """Read and validate everything from the data folder (no cache)."""
    settings = settings or get_settings()
    sources = load_manifest(MANIFEST_PATH)
    catalogue = load_catalogue(CATALOGUE_PATH)
    check_data_folder(settings.data_dir, sources, catalogue.csv_files())
    csv_rows = load_indicator_csvs(settings.data_dir / "indicators", catalogue)  # the quick checks first
    store, raw = build_store(settings.data_dir, sources)
    observations = pd.concat([csv_rows, key_figure_rows(catalogue, raw, sources)], ignore_index=True)
    observations = pd.concat([observations, participation_total_rows(catalogue, store, settings.data_dir)],
                             ignore_index=True)
    observations = assign_vintages(observations, store, catalogue)
    from atlas.figures.table import build_value_table  # figures and renderers read the atlas: imported once it exists
    from atlas.render.features import build_features
    from atlas.render.gridstore import build_grids
    from atlas.render.topologies import build_topologies

    data = AtlasData(catalogue, store, observations, _fingerprint(settings), settings.data_dir,
                     _crosswalks(store, observations), grids=build_grids(store))
    data.topologies = build_topologies(data)
    data.features = build_features(data)  # from the boundaries' names and codes: a copy with others holds none

    data.value_table = build_value_table(data)
    from atlas.render.valuedocuments import build_value_documents

    data.value_documents = build_value_documents(data)
    return data


def _crosswalks(store: BoundaryStore, observations: pd.DataFrame) -> Crosswalks:
    """Gemeente crosswalks, apportioning splits by the finest population held (CBS wijken 2022)."""
    wijken = store.get("wijk", POPULATION_YEAR)
    people = observations[(observations["indicator"] == POPULATION_INDICATOR) & (observations["level"] == "wijk")
                          & (observations["year"] == POPULATION_YEAR)].set_index("code")["value"]
    return build_crosswalks({y: store.get("gemeente", y) for y in store.years("gemeente")},
                            wijken, wijken["code"].map(people).fillna(0.0).to_numpy())


def write_cache(data: AtlasData, cache_dir: Path) -> Path:
    """Write into a staging folder named after this process, then swap it in, so readers never see a partial
    cache; a failed write (a full disk) removes its staging folder rather than leaving it behind."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = cache_dir / f".{BUILD_DIR_NAME}-{os.getpid()}-{time.time_ns()}"
    final = cache_dir / BUILD_DIR_NAME
    old = cache_dir / f".{BUILD_DIR_NAME}-{os.getpid()}-old-{time.time_ns()}"
    staging.mkdir()
    try:
        files = []
        for (level, year), layer in data.boundaries.layers.items():
            layer.to_parquet(staging / f"{level}_{year}.parquet")
            files.append(f"{level}_{year}.parquet")
        data.observations.to_parquet(staging / "observations.parquet")
        data.crosswalks.write(staging)
        if data.value_table is not None:
            data.value_table.write(staging)
        if data.value_documents is not None:
            data.value_documents.write(staging)
        grids = data.grids.write(staging) if data.grids is not None else []
        topologies = data.topologies.write(staging) if data.topologies is not None else []
        features = data.features.write(staging) if data.features is not None else []
        checks = [c.__dict__ for c in data.boundaries.checks]
        meta = {"version": data.version, "checks": checks, "layers": files, "value_table": data.value_table is not None,
                "value_documents": data.value_documents is not None,
                "grids": grids, "topologies": topologies, "features": features}
        (staging / "build.json").write_text(json.dumps(meta, indent=1))
        if final.exists():
            final.rename(old)
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if old.exists() and not final.exists():
            old.rename(final)  # the previous build stays in place
        raise
    shutil.rmtree(old, ignore_errors=True)
    return final


def read_cache(cache_dir: Path, version: str, settings: AtlasSettings) -> AtlasData | None:
    """The cached build if it is of this version; None if there is none or it is of another version.

    Raises CacheDamaged, naming the file, when the build is of this version but cannot be read whole (a truncated,
    empty or missing file, a garbled build.json): the caller rebuilds rather than serving part of it."""
    folder = cache_dir / BUILD_DIR_NAME
    reading = folder / "build.json"
    if not reading.is_file():
        return None
    try:
        meta = json.loads(reading.read_text(encoding="utf-8"))
        if not isinstance(meta, dict):
            raise ValueError("not a JSON object")
        if meta.get("version") != version:
            return None
        layers = {}
        for name in meta["layers"]:
            reading = folder / name
            level, year = reading.stem.rsplit("_", 1)
            layers[(level, int(year))] = read_layer(reading)
        reading = folder / "build.json"
        store = BoundaryStore(layers, [SourceCheck(**c) for c in meta["checks"]])
        reading = folder / "observations.parquet"
        observations = pd.read_parquet(reading)
        reading = folder / "crosswalk*"
        crosswalks = Crosswalks.read(folder)
        table = None
        if meta["value_table"]:
            from atlas.figures.table import ValueTable

            reading = folder / "value*.parquet"
            table = ValueTable.read(folder)
        documents = None
        if meta["value_documents"]:
            from atlas.render.valuedocuments import FILE, ValueDocuments

            reading = folder / FILE
            documents = ValueDocuments.read(folder)
        from atlas.render.gridstore import GridStore

        grids = GridStore()
        for name in meta["grids"]:
            reading = folder / name
            grids.add_file(reading)
        from atlas.render.topologies import TopologyStore

        topologies = TopologyStore()
        for name in meta["topologies"]:
            reading = folder / name
            topologies.add_file(reading)
        from atlas.render.features import FeatureStore

        features = FeatureStore()
        for name in meta["features"]:
            reading = folder / name
            features.add_file(reading, store)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:  # pyarrow's errors are ValueErrors
        raise CacheDamaged(reading, exc) from exc
    data = AtlasData(load_catalogue(CATALOGUE_PATH), store, observations, version, settings.data_dir, crosswalks,
                     grids=grids, topologies=topologies)
    data.features = features
    data.value_table = table
    data.value_documents = documents
    return data


class CacheDamaged(Exception):
    """A cache of the current version that cannot be read; rebuilt, never a reason to stop."""

    def __init__(self, path: Path, cause: Exception):
        super().__init__(f"{path}: {type(cause).__name__}: {cause}")


def remove_stale_staging(cache_dir: Path) -> list[Path]:
    """Staging folders of builds that died (killed, full disk) before they were swapped in: those of processes that
    no longer run, of this process (it has none yet when it starts loading) and of the old unnamed form."""
    removed = []
    for folder in cache_dir.glob(f".{BUILD_DIR_NAME}-*"):
        owner = folder.name.split("-")[1]
        if owner.isdigit() and len(owner) < 12 and int(owner) != os.getpid() and _running(int(owner)):
            continue  # another process's build in progress
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            removed.append(folder)
    if removed:
        log.warning("removed %d unfinished cache build folder(s) in %s", len(removed), cache_dir)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def load_atlas(settings: AtlasSettings | None = None, rebuild: bool = False) -> AtlasData:
    """The cached build when it is current and whole, otherwise a fresh build that is then cached; with the
    user's imports (atlas.imports.store), which live beside the build so a rebuild keeps them.

    The cache heals itself: a damaged one is rebuilt from the data folder (logged), unfinished staging folders are
    removed, and a cache folder that cannot be written (read-only, full) is said once while the fresh build is
    served from memory. Problems in the data folder itself still stop the load, naming their file."""
    settings = settings or get_settings()
    remove_stale_staging(settings.cache_dir)
    from atlas.imports.store import with_imports
    from atlas.sharedfiles import SharedFiles

    data = None
    if not rebuild and settings.data_dir.is_dir():
        try:
            data = read_cache(settings.cache_dir, _fingerprint(settings), settings)
        except CacheDamaged as exc:
            log.warning("the cache is damaged (%s); rebuilding it from %s", exc, settings.data_dir)
    if data is None:
        data = build_atlas(settings)
        try:
            write_cache(data, settings.cache_dir)
        except OSError as exc:
            log.warning("cannot write the cache in %s (%s); using this build from memory, and the next start "
                        "builds again", settings.cache_dir, exc.strerror or exc)
    data.shared_files = SharedFiles.in_cache(settings.cache_dir)
    served = with_imports(data, settings.cache_dir)
    data.shared_files.remove_other_versions(served.version)
    return served
