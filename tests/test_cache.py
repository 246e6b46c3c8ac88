"""The cache layer and the event loop: bounds by entries and bytes, single-flight, settings, If-None-Match;
the bound holding on the real app after 10,000 requests with distinct `breaks=`; and, on a real server,
health answered while a cold classification runs, and identical cold requests classifying once."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import numpy as np
import pytest
import uvicorn

from api.app import create_app
from api.caching import HttpCacheSettings, etag_matches
from api.workpool import WorkSettings
from atlas.cache import AtlasCaches, BoundedCache, CacheLimit, CacheSettings, deep_size
from atlas.render import classify as classify_module
from atlas.settings import get_settings

SHARE = "kwb_pct_higher_educated"
COLD_LEGEND = f"/api/v1/legend/wijk/{SHARE}?method=natural_breaks"
COLD_TILE = f"/api/v1/tiles/wijk/{SHARE}/8/131/84.png?method=natural_breaks"


def _wait_for(condition, timeout_s: float = 10.0) -> None:
    """Poll until `condition()` holds; fail (rather than hang) if it never does."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.005)


def test_least_recently_used_entry_is_dropped_at_the_entry_bound():
    cache: BoundedCache[str, bytes] = BoundedCache("t", CacheLimit(entries=2, mb=1))
    cache.put("a", b"1")
    cache.put("b", b"2")
    assert cache.get("a") == b"1"  # "a" is now more recent than "b"
    cache.put("c", b"3")
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (b"1", None, b"3")
    assert cache.stats().evictions == 1 and len(cache) == 2


def test_byte_bound_drops_old_entries_and_refuses_a_value_larger_than_itself():
    limit = CacheLimit(entries=100, mb=3000 / 2**20)
    cache: BoundedCache[int, np.ndarray] = BoundedCache("t", limit)
    for i in range(5):
        cache.put(i, np.zeros(100, dtype=np.float64))  # 800 bytes each
    stats = cache.stats()
    assert stats.bytes <= limit.max_bytes and stats.entries == 3 and cache.get(4) is not None
    cache.put(99, np.zeros(1000, dtype=np.float64))
    assert cache.get(99) is None and cache.get(4) is not None


def test_deep_size_counts_frames_arrays_and_containers_once():
    array = np.zeros(1000, dtype=np.float64)
    assert deep_size([array, array]) < 2 * array.nbytes
    assert deep_size({"a": array, "b": np.zeros(1000)}) >= 2 * array.nbytes


def test_concurrent_identical_misses_compute_once_and_share_the_result():
    cache: BoundedCache[str, object] = BoundedCache("t", CacheLimit(entries=10, mb=1))
    release, calls, results = threading.Event(), [], []

    def compute() -> object:
        calls.append(1)
        release.wait(10)
        return object()

    threads = [threading.Thread(target=lambda: results.append(cache.get_or_compute("k", compute))) for _ in range(6)]
    for thread in threads:
        thread.start()
    _wait_for(lambda: cache.stats().waits == 5)  # one computes, five wait for it
    release.set()
    for thread in threads:
        thread.join(10)
    assert len(calls) == 1 and len(results) == 6 and all(r is results[0] for r in results)
    stats = cache.stats()
    assert (stats.misses, stats.waits, stats.in_flight) == (1, 5, 0)


def test_a_failed_computation_reaches_every_waiter_and_is_not_stored():
    cache: BoundedCache[str, int] = BoundedCache("t", CacheLimit(entries=10, mb=1))
    release, errors = threading.Event(), []

    def fail() -> int:
        release.wait(10)
        raise ValueError("bad parameter")

    def ask() -> None:
        try:
            cache.get_or_compute("k", fail)
        except ValueError as error:
            errors.append(error)

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for thread in threads:
        thread.start()
    _wait_for(lambda: cache.stats().waits == 2)
    release.set()
    for thread in threads:
        thread.join(10)
    assert len(errors) == 3 and len(cache) == 0
    assert cache.get_or_compute("k", lambda: 7) == 7


def test_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("ATLAS_CACHE_CLASSIFICATIONS__ENTRIES", "7")
    monkeypatch.setenv("ATLAS_HTTP_RESPONSES__MB", "3")
    monkeypatch.setenv("ATLAS_HTTP_MAX_AGE_S", "60")
    caches = AtlasCaches.from_settings(CacheSettings())
    assert caches.classifications.limit.entries == 7 and caches.classifications.limit.mb == 64
    http = HttpCacheSettings()
    assert http.responses.max_bytes == 3 * 2**20 and http.revalidate == "public, max-age=60"
    assert {s.name for s in caches.stats()} == set(CacheSettings.model_fields)


@pytest.mark.parametrize("header, matches", [
    ('"abc"', True), ('"x", "abc"', True), ('W/"abc"', True), ("*", True),
    ('"abcd"', False), ('"ab"', False), ("", False), (None, False),
])
def test_if_none_match(header, matches):
    assert etag_matches(header, '"abc"') is matches


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


async def _get_status(app, path: str, query: str) -> int:
    """One GET through the whole ASGI stack (middleware, routing, thread pool), without a client's cost."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
             "headers": [(b"host", b"atlas"), (b"accept-encoding", b"gzip")],
             "client": ("127.0.0.1", 1), "server": ("atlas", 80)}
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent[0]["status"]


@pytest.fixture
def quiet(monkeypatch):
    """No access log: 10,000 captured log lines would double the test's time and are not under test."""
    monkeypatch.setenv("ATLAS_ACCESS_LOG", "false")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def test_three_thousand_distinct_breaks_stay_within_the_cache_bounds(data, quiet):
    """The bounds are lowered so that 3,000 requests must evict; the unbounded memo this replaces kept all
    3,000 classifications and responses (about 90 MiB, well past the bound). Growth of the process's resident memory must stay within the
    bounds in settings of the two caches these requests fill, plus 32 MiB for the allocator."""
    core = CacheSettings(classifications=CacheLimit(entries=100, mb=4))
    http = HttpCacheSettings(responses=CacheLimit(entries=200, mb=2))
    app = create_app(dataclasses.replace(data, caches=AtlasCaches.from_settings(core)), http)
    path = f"/api/v1/legend/provincie/{SHARE}"

    async def send(first: int, count: int) -> None:
        for i in range(first, first + count):
            assert await _get_status(app, path, f"breaks={30 + i / 100_000:.5f}") == 200

    asyncio.run(send(0, 300))  # warm up: code paths, allocator arenas, the values frame
    before = _rss_bytes()
    asyncio.run(send(1000, 3_000))
    growth = _rss_bytes() - before
    caches = app.state.data.caches.stats() + [app.state.responses.stats()]
    for stats in caches:
        assert stats.entries <= stats.max_entries and stats.bytes <= stats.max_bytes, stats
    by_name = {s.name: s for s in caches}
    assert by_name["classifications"].misses >= 3_000 and by_name["classifications"].evictions >= 2_900
    assert by_name["responses"].evictions >= 2_800
    assert growth <= core.classifications.max_bytes + http.responses.max_bytes + 32 * 2**20, growth


# --- a real server: what finishes first ---------------------------------------------------------------

class Gate:
    """Stands in for atlas.render.classify.classify: each call says it has started, then waits to be released.

    Holding a classification open makes "health is answered while it runs" a matter of order, not timing."""

    def __init__(self, real):
        self.real = real
        self.started = threading.Event()
        self.release = threading.Event()
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        self.started.set()
        assert self.release.wait(60), "gate never released"
        return self.real(*args, **kwargs)


@pytest.fixture
def gated(data, monkeypatch):
    """The real data with empty caches (so the wijk classification is cold) and a gated classifier."""
    gate = Gate(classify_module.classify)
    monkeypatch.setattr(classify_module, "classify", gate)
    yield dataclasses.replace(data, caches=AtlasCaches.from_settings(CacheSettings())), gate
    gate.release.set()


@contextmanager
def serving(app) -> Iterator[str]:
    """uvicorn on 127.0.0.1 (a free port) in a thread of this process, stopped on exit."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        _wait_for(lambda: server.started)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.mark.parametrize("slow_path", [COLD_LEGEND, COLD_TILE])
def test_health_is_answered_while_a_cold_classification_runs(gated, slow_path):
    data, gate = gated
    finished: list[str] = []
    with serving(create_app(data)) as base:
        slow = threading.Thread(target=lambda: finished.append(f"classified {httpx.get(base + slow_path, timeout=60).status_code}"))
        slow.start()
        assert gate.started.wait(10)
        try:
            with httpx.Client(base_url=base, timeout=10) as client:  # a blocked event loop ends in a timeout here
                for _ in range(3):
                    finished.append(f"health {client.get('/api/v1/health').status_code}")
        finally:
            gate.release.set()
            slow.join(60)
    assert finished == ["health 200"] * 3 + ["classified 200"]


def test_identical_cold_requests_classify_once(gated):
    """Two identical legend requests share one response (the response cache's single flight); the legend and two
    tiles of the same classification share one classification (the classifications cache's)."""
    data, gate = gated
    urls = [COLD_LEGEND, COLD_LEGEND, COLD_TILE, COLD_TILE.replace("/131/", "/132/")]
    responses: dict[int, httpx.Response] = {}
    # Three requests must wait in threads at once (one classifies, two wait for it): more than a small machine's cores.
    with serving(create_app(data, work=WorkSettings(threads=4))) as base:
        threads = [threading.Thread(target=lambda i=i, url=url: responses.update({i: httpx.get(base + url, timeout=60)}))
                   for i, url in enumerate(urls)]
        for thread in threads:
            thread.start()
        _wait_for(lambda: data.caches.classifications.stats().waits == 2)  # one legend and two tiles: one classifies
        gate.release.set()
        for thread in threads:
            thread.join(60)
    assert gate.calls == 1 and data.caches.classifications.stats().misses == 1
    assert [responses[i].status_code for i in range(4)] == [200] * 4 and responses[0].content == responses[1].content


def test_no_work_starts_past_the_request_deadline():
    from atlas.cache import deadline
    from atlas.errors import TimedOut

    cache: BoundedCache[str, object] = BoundedCache("t", CacheLimit(entries=10, mb=1))
    calls: list[int] = []
    with deadline(0.0), pytest.raises(TimedOut):
        time.sleep(0.001)
        cache.get_or_compute("k", lambda: calls.append(1))
    assert calls == [] and cache.get("k") is None
    with deadline(60.0):
        cache.get_or_compute("k", lambda: calls.append(1))
    assert calls == [1]
