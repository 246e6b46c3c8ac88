"""Named, bounded caches with single-flight: the only state the atlas keeps besides the loaded build.

The build never changes while a process runs, so anything derived from it may be kept. But request
parameters are user input (``breaks=``, region codes, layer options), so a cache keyed by them must not
grow with every new request: each cache here has an entry bound and a byte bound, both from settings,
and drops the least recently used entry when either is passed. Two requests that miss on the same key at
the same time compute it once (single-flight): the map's tiles all ask for the same cold classification
at once, and should wait for one computation instead of running it in every thread.

A request's time limit reaches here too (``deadline``): the API sets it per request, and a computation
that has not started when the time is up is not started, so a request the client was already told timed
out stops at its next cached step instead of finishing (and filling the caches) in a worker thread.

Byte sizes are estimates (``deep_size``): exact for arrays, frames and bytes, approximate for Python
containers and geometry. A value that refers to another cached value (a classification holds its values
frame) counts it again, so the accounting errs towards more memory, never less. Objects that report their
size as ``nbytes`` (arrays, and values frames that measure themselves once) are taken at their word, which
keeps sizing a new classification cheap.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import numpy as np
import pandas as pd
import shapely
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from atlas.errors import TimedOut

if TYPE_CHECKING:
    from atlas.figures.values import IndicatorValues
    from atlas.geography.placematch import PlaceMatcher
    from atlas.geography.placement import Placement
    from atlas.networks.links import Network
    from atlas.networks.measured import Datasets
    from atlas.render.classify import Classification
    from atlas.render.features import LayerFeatures
    from atlas.render.layers import LayerFile
    from atlas.render.tilegrid import GridGeometry
    from atlas.render.vectortiles import Properties

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
MiB = 2**20
GEOMETRY_OVERHEAD = 64  # bytes per geometry object and per STR-tree node, beyond its coordinates
_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("atlas_deadline", default=None)  # (monotonic end, s)


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Work started in this context (and in threads it hands work to) must begin within `seconds`."""
    token = _DEADLINE.set((time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def check_deadline() -> None:
    """Raise TimedOut when the current request's time is up; long computations call it between steps."""
    found = _DEADLINE.get()
    if found is not None and time.monotonic() > found[0]:
        raise TimedOut(found[1])


def _remaining() -> float | None:
    found = _DEADLINE.get()
    return None if found is None else max(0.0, found[0] - time.monotonic())


class CacheLimit(BaseModel):
    """How much one cache may hold; set as ``ATLAS_CACHE_<NAME>__ENTRIES`` and ``ATLAS_CACHE_<NAME>__MB``."""

    entries: int = Field(ge=0, description="Most entries kept; 0 keeps nothing.")
    mb: float = Field(ge=0, description="Most memory (MiB, estimated) kept.")

    @property
    def max_bytes(self) -> int:
        return int(self.mb * MiB)


class CacheSettings(BaseSettings):
    """The bound of every cache of the core; their sum is the most memory the caches may hold."""

    model_config = SettingsConfigDict(env_prefix="ATLAS_CACHE_", env_nested_delimiter="__", extra="ignore",
                                      nested_model_default_partial_update=True)

    # A wijk values frame is about 1 MiB, a wijk classification about as much (it counts its frame again),
    # a zoom's prepared wijk geometry 1-3 MiB: the defaults hold a working day's maps in under 1 GiB.
    values: CacheLimit = CacheLimit(entries=512, mb=128)
    # a level's measured rows joined onto their own boundaries, shared by every boundary year they are shown on
    native_frames: CacheLimit = CacheLimit(entries=256, mb=64)
    references: CacheLimit = CacheLimit(entries=4096, mb=16)
    classifications: CacheLimit = CacheLimit(entries=256, mb=64)
    tile_alignments: CacheLimit = CacheLimit(entries=256, mb=16)
    mvt_properties: CacheLimit = CacheLimit(entries=64, mb=64)
    zoom_geometries: CacheLimit = CacheLimit(entries=64, mb=128)
    layer_files: CacheLimit = CacheLimit(entries=128, mb=256)
    place_matchers: CacheLimit = CacheLimit(entries=16, mb=8)
    places: CacheLimit = CacheLimit(entries=8, mb=16)
    networks: CacheLimit = CacheLimit(entries=4, mb=32)
    participations: CacheLimit = CacheLimit(entries=4, mb=64)  # participation datasets, per imported folder
    placements: CacheLimit = CacheLimit(entries=16, mb=32)  # a dataset's organisations on one boundary year
    measured_networks: CacheLimit = CacheLimit(entries=64, mb=64)  # finished network answers, per query
    parent_matches: CacheLimit = CacheLimit(entries=512, mb=8)  # level x pairs of held years: bounded by the data
    analyses: CacheLimit = CacheLimit(entries=128, mb=64)  # permutation tests, composites, analysis map layers
    ogc_features: CacheLimit = CacheLimit(entries=64, mb=128)  # OGC items features in RD New or Web Mercator

    def limits(self) -> dict[str, CacheLimit]:
        return {name: getattr(self, name) for name in type(self).model_fields}

    def max_bytes(self) -> int:
        return sum(limit.max_bytes for limit in self.limits().values())


@dataclass(frozen=True)
class CacheStats:
    name: str
    entries: int
    bytes: int
    max_entries: int
    max_bytes: int
    hits: int
    misses: int  # each miss computed once; callers that waited for it are counted in `waits`
    waits: int
    evictions: int
    in_flight: int


class _Flight:
    """One computation in progress; callers that miss on the same key wait for its outcome."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


class BoundedCache(Generic[K, V]):
    """Least-recently-used, bounded by entry count and estimated bytes, safe to share between threads."""

    def __init__(self, name: str, limit: CacheLimit, size: Callable[[Any], int] | None = None):
        self.name = name
        self.limit = limit
        self._size = size or deep_size
        self._items: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._flights: dict[K, _Flight] = {}
        self._lock = threading.Lock()
        self._bytes = self._hits = self._misses = self._waits = self._evictions = 0

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            self._hits += 1
            return found[0]

    def put(self, key: K, value: V) -> None:
        """Keep `value` unless it alone is larger than the bound (then storing it would empty the cache).

        The key counts too: a URL or a `breaks=` list is user input of any length."""
        size = self._size(value) + deep_size(key)
        if size > self.limit.max_bytes or self.limit.entries == 0:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = (value, size)
            self._bytes += size
            while len(self._items) > self.limit.entries or self._bytes > self.limit.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped
                self._evictions += 1

    def clear(self) -> None:
        """Drop every entry: for a store whose answers all changed at once (new imported data)."""
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def get_or_compute(self, key: K, compute: Callable[[], V]) -> V:
        """The cached value, or `compute()` run once however many threads ask for the key meanwhile.

        An exception reaches every caller that waited for it, and nothing is stored; except a timeout of the
        computing request, after which a waiter with time left computes the value itself. Past the current
        request's deadline nothing is computed and nobody waits."""
        while True:
            with self._lock:
                found = self._items.get(key)
                if found is not None:
                    self._items.move_to_end(key)
                    self._hits += 1
                    return found[0]
                check_deadline()
                flight = self._flights.get(key)
                leader = flight is None
                if flight is None:
                    flight = self._flights[key] = _Flight()
                    self._misses += 1
                else:
                    self._waits += 1
            if leader:
                break
            if not flight.done.wait(_remaining()) or isinstance(flight.error, TimedOut):
                continue  # out of time: the next round raises TimedOut; else compute it ourselves
            if flight.error is not None:
                raise flight.error
            return flight.value
        try:
            flight.value = compute()
            self.put(key, flight.value)
            return flight.value
        except BaseException as error:
            flight.error = error
            raise
        finally:
            with self._lock:
                del self._flights[key]
            flight.done.set()

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(self.name, len(self._items), self._bytes, self.limit.entries, self.limit.max_bytes,
                              self._hits, self._misses, self._waits, self._evictions, len(self._flights))

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True)
class AtlasCaches:
    """Every cache of the core, by name; built from settings and held by the loaded atlas."""

    values: BoundedCache[tuple, IndicatorValues]
    native_frames: BoundedCache[tuple, tuple[pd.DataFrame, list[str]]]
    references: BoundedCache[tuple, dict | None]
    classifications: BoundedCache[tuple, Classification]
    tile_alignments: BoundedCache[tuple, tuple[np.ndarray, np.ndarray]]
    mvt_properties: BoundedCache[tuple, list[Properties]]
    zoom_geometries: BoundedCache[tuple, GridGeometry]
    layer_files: BoundedCache[tuple, LayerFile]
    place_matchers: BoundedCache[int, PlaceMatcher]
    places: BoundedCache[str, dict]
    networks: BoundedCache[str, tuple[list[Network], dict[str, list[str]]]]
    participations: BoundedCache[str, Datasets]
    placements: BoundedCache[tuple, Placement]
    measured_networks: BoundedCache[tuple, dict]
    parent_matches: BoundedCache[tuple, dict]
    analyses: BoundedCache[tuple, Any]
    ogc_features: BoundedCache[tuple, LayerFeatures]

    @classmethod
    def from_settings(cls, settings: CacheSettings | None = None) -> AtlasCaches:
        limits = (settings or CacheSettings()).limits()
        return cls(**{f.name: BoundedCache(f.name, limits[f.name]) for f in dataclasses.fields(cls)})

    def stats(self) -> list[CacheStats]:
        return [getattr(self, f.name).stats() for f in dataclasses.fields(self)]


ATOMS = frozenset({str, int, float, bool, bytes, type(None)})
SEQUENCES = frozenset({list, tuple, set, frozenset})
PLAIN = ATOMS | SEQUENCES | {dict}


def deep_size(value: Any) -> int:
    """Estimated bytes held by `value` and what it refers to, each object counted once.

    Follows containers and dataclasses only, so it never wanders into modules, classes or the loaded build. Plain
    values and containers, of which a profile holds thousands, are told by their exact type first: walking the
    general checks for each of them cost as much as computing the profile."""
    seen: set[int] = set()
    stack = [value]
    total = 0
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        kind = type(item)
        total += sys.getsizeof(item) if kind in PLAIN else 0
        if kind in ATOMS:
            continue
        if kind is dict:
            stack.extend(item.keys())
            stack.extend(item.values())
        elif kind in SEQUENCES:
            stack.extend(item)
        elif isinstance(item, pd.DataFrame):  # the index apart: with it pandas builds and sums one more Series
            total += int(item.memory_usage(deep=True, index=False).sum()) + item.index.memory_usage(deep=True)
        elif isinstance(item, (pd.Series, pd.Index)):
            total += int(item.memory_usage(deep=True))
        elif isinstance(item, np.ndarray):
            total += item.nbytes
            if item.dtype == object:
                stack.extend(item.ravel().tolist())
        elif hasattr(item, "nbytes"):
            total += int(item.nbytes)
        elif isinstance(item, shapely.Geometry):
            total += GEOMETRY_OVERHEAD + 16 * int(shapely.get_num_coordinates(item))
        elif isinstance(item, shapely.STRtree):
            total += GEOMETRY_OVERHEAD * len(item)
        else:
            total += sys.getsizeof(item)
            if isinstance(item, dict):
                stack.extend(item.keys())
                stack.extend(item.values())
            elif isinstance(item, (list, tuple, set, frozenset)):
                stack.extend(item)
            elif dataclasses.is_dataclass(item) and not isinstance(item, type):
                stack.extend(getattr(item, f.name) for f in dataclasses.fields(item))
    return total
