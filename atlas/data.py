"""The loaded atlas: boundaries, catalogue and every observation, built once and cached as GeoParquet.

A build reads the data folder, validates everything and writes the cache into a fresh folder that
replaces the old one in a single rename, so a failed rebuild never leaves a half-written cache behind.
Later runs read the cache when its fingerprint (source files, manifest, catalogue, code version) matches.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from atlas import __version__
from atlas.cache import AtlasCaches
from atlas.errors import InvalidChoice
from atlas.geography.crosswalk import Crosswalks, build_crosswalks
from atlas.geography.store import BoundaryStore, SourceCheck, build_store
from atlas.geography.vintages import assign_vintages
from atlas.geography.vocabulary import LEVELS
from atlas.settings import GEODATA_DIR, AtlasSettings, get_settings
from atlas.sources.catalogue import CATALOGUE_PATH, Catalogue, load_catalogue
from atlas.sources.citytotals import city_total_rows
from atlas.sources.indicators import load_indicator_csvs
from atlas.sources.keyfigures import key_figure_rows
from atlas.sources.manifest import MANIFEST_PATH, check_data_folder, load_manifest

BUILD_DIR_NAME = "build"
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
    _by_indicator: dict[str, pd.DataFrame] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # grouped once with the build, since every value lookup starts here
        self._by_indicator = dict(tuple(self.observations.groupby("indicator", sort=False)))

    def observations_of(self, indicator_id: str) -> pd.DataFrame:
        """Rows of one indicator (empty for a catalogued indicator without observations)."""
        self.catalogue.get(indicator_id)
        return self._by_indicator.get(indicator_id, self.observations.iloc[0:0])

    def check_level(self, level: str) -> str:
        if level not in self.boundaries.levels():
            raise InvalidChoice("level", level, self.boundaries.levels())
        return level


def _fingerprint(settings: AtlasSettings) -> str:
    """Data files by size and mtime (cheap, so a warm start stays fast); the manifest, catalogue and the core's
code by content, so a change in validation or derivation never serves a stale cache."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted([*GEODATA_DIR.glob("**/*"), *Path(__file__).parent.glob("**/*.py")]):
        if path.is_file():
            digest.update(path.read_bytes())
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
    store, raw = build_store(settings.data_dir, sources)
    csv_rows = load_indicator_csvs(settings.data_dir / "indicators", catalogue)
    observations = pd.concat([csv_rows, key_figure_rows(catalogue, raw, sources)], ignore_index=True)
    observations = pd.concat([observations, city_total_rows(catalogue, observations, store)], ignore_index=True)
    observations = assign_vintages(observations, store, catalogue)
    return AtlasData(catalogue, store, observations, _fingerprint(settings), settings.data_dir,
                     _crosswalks(store, observations))


def _crosswalks(store: BoundaryStore, observations: pd.DataFrame) -> Crosswalks:
    """Gemeente crosswalks, apportioning splits by the finest population held (CBS wijken 2022)."""
    wijken = store.get("wijk", POPULATION_YEAR)
    people = observations[(observations["indicator"] == POPULATION_INDICATOR) & (observations["level"] == "wijk")
                          & (observations["year"] == POPULATION_YEAR)].set_index("code")["value"]
    return build_crosswalks({y: store.get("gemeente", y) for y in store.years("gemeente")},
                            wijken, wijken["code"].map(people).fillna(0.0).to_numpy())


def write_cache(data: AtlasData, cache_dir: Path) -> Path:
    """Write into a temporary folder, then swap it in, so readers never see a partial cache."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = cache_dir / f".{BUILD_DIR_NAME}-{time.time_ns()}"
    staging.mkdir()
    for (level, year), layer in data.boundaries.layers.items():
        layer.to_parquet(staging / f"{level}_{year}.parquet")
    data.observations.to_parquet(staging / "observations.parquet")
    data.crosswalks.write(staging)
    checks = [c.__dict__ for c in data.boundaries.checks]
    (staging / "build.json").write_text(json.dumps({"version": data.version, "checks": checks}, indent=1))
    final = cache_dir / BUILD_DIR_NAME
    old = cache_dir / f".{BUILD_DIR_NAME}-old-{time.time_ns()}"
    if final.exists():
        final.rename(old)
    staging.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    return final


def read_cache(cache_dir: Path, version: str, settings: AtlasSettings) -> AtlasData | None:
    folder = cache_dir / BUILD_DIR_NAME
    meta_path = folder / "build.json"
    if not meta_path.is_file():
        return None
    meta = json.loads(meta_path.read_text())
    if meta.get("version") != version:
        return None
    layers = {}
    for path in folder.glob("*_*.parquet"):
        level, year = path.stem.rsplit("_", 1)
        if level in LEVELS:
            layers[(level, int(year))] = gpd.read_parquet(path)
    store = BoundaryStore(layers, [SourceCheck(**c) for c in meta["checks"]])
    observations = pd.read_parquet(folder / "observations.parquet")
    return AtlasData(load_catalogue(CATALOGUE_PATH), store, observations, version, settings.data_dir,
                     Crosswalks.read(folder))


def load_atlas(settings: AtlasSettings | None = None, rebuild: bool = False) -> AtlasData:
    """The cached build when it is current, otherwise a fresh build that is then cached; with the user's imports."""
    settings = settings or get_settings()
    from atlas.imports.store import with_imports  # imports live beside the build, so a rebuild keeps them

    if not rebuild and settings.data_dir.is_dir():
        cached = read_cache(settings.cache_dir, _fingerprint(settings), settings)
        if cached is not None:
            return with_imports(cached, settings.cache_dir)
    data = build_atlas(settings)
    write_cache(data, settings.cache_dir)
    return with_imports(data, settings.cache_dir)
