"""Concurrency and compression on the real data: identical requests computed once, a thread pool the size
of the machine, a quick 503 beyond its queue, gzip computed once per stored answer, empty tiles not stored."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

import anyio.to_thread
import httpx
import pytest

import api.responsecache
import api.routes_tiles
from api.app import create_app
from api.workpool import WorkSettings
from atlas.render.tilegrid import tile_containing

TILE = "/api/v1/tiles/gemeente/kwb_population/{z}/{x}/{y}.mvt"


def _tile(z: int, lon: float, lat: float) -> str:
    x, y = tile_containing(lon, lat, z)
    return TILE.format(z=z, x=x, y=y)


class Gate:
    """Stands in for the tile renderer: counts calls and holds each until released."""

    def __init__(self, render: Callable) -> None:
        self.render = render
        self.calls = 0
        self.open = threading.Event()

    def __call__(self, *args: object) -> object:
        self.calls += 1
        assert self.open.wait(30), "never released"
        return self.render(*args)


@pytest.fixture
def gate(monkeypatch) -> Gate:
    held = Gate(api.routes_tiles.get_tile)
    monkeypatch.setattr(api.routes_tiles, "get_tile", held)
    return held


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(600):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition never met")


def _client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def test_identical_concurrent_cold_requests_are_computed_once(data, gate):
    app = create_app(data, work=WorkSettings(threads=8))
    url = _tile(9, 5.12, 52.09)

    async def run() -> list[httpx.Response]:
        async with _client(app) as client:
            requests = [asyncio.create_task(client.get(url)) for _ in range(8)]
            await _until(lambda: gate.calls >= 1)
            await asyncio.sleep(0.5)  # time for the other seven to reach the computation, were they let through
            computing = gate.calls
            gate.open.set()
            responses = await asyncio.gather(*requests)
            assert computing == 1 and anyio.to_thread.current_default_thread_limiter().total_tokens == 8
            return responses

    responses = asyncio.run(run())
    assert gate.calls == 1 and {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1 and responses[0].content


def test_beyond_the_queue_a_request_gets_503_with_retry_after_at_once(data, gate):
    app = create_app(data, work=WorkSettings(threads=1, queue=0, retry_after_s=2))

    async def run() -> tuple[httpx.Response, httpx.Response, httpx.Response]:
        async with _client(app) as client:
            first = asyncio.create_task(client.get(_tile(9, 5.12, 52.09)))
            await _until(lambda: gate.calls == 1)
            refused = await client.get(_tile(9, 4.9, 52.37))  # another tile: it would have to wait for a thread
            gate.open.set()
            return await first, refused, await client.get(_tile(9, 4.9, 52.37))

    first, refused, later = asyncio.run(run())
    assert first.status_code == 200 and later.status_code == 200
    assert refused.status_code == 503 and refused.headers["retry-after"] == "2"
    problem = refused.json()
    assert refused.headers["content-type"] == "application/problem+json" and problem["status"] == 503
    assert "retry after 2 s" in problem["detail"]


def test_a_gzip_answer_is_compressed_once_and_decodes_to_the_identity_bytes(data, monkeypatch):
    compressions = []
    compress = api.responsecache._gzipped

    def counted(body: bytes, content_type: str) -> bytes | None:
        compressions.append(len(body))
        return compress(body, content_type)

    monkeypatch.setattr(api.responsecache, "_gzipped", counted)
    app = create_app(data)
    url = "/api/v1/layers/gemeente"

    async def run() -> list[httpx.Response]:
        async with _client(app) as client:
            zipped = [await client.get(url, headers={"Accept-Encoding": "gzip"}) for _ in range(2)]
            return [*zipped, await client.get(url, headers={"Accept-Encoding": "identity"})]

    first, second, identity = asyncio.run(run())
    assert len(compressions) == 1
    assert first.headers["content-encoding"] == second.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in identity.headers
    assert all("Accept-Encoding" in r.headers["vary"] for r in (first, second, identity))
    # httpx decodes: the same bytes every time, and the first answer is the stored one (not recompressed)
    assert first.content == second.content == identity.content and len(identity.content) > 100_000
    assert int(first.headers["content-length"]) == int(second.headers["content-length"]) < len(identity.content) / 3


def test_empty_tiles_are_one_constant_and_never_stored_per_address(data):
    app = create_app(data)
    store = app.state.responses
    x, y = tile_containing(3.0, 53.5, 12)  # North Sea

    async def run() -> list[httpx.Response]:
        async with _client(app) as client:
            sea = [await client.get(f"/api/v1/tiles/gemeente/kwb_population/12/{x + dx}/{y}.{fmt}")
                   for dx in range(20) for fmt in ("mvt", "png")]
            assert len(store) == 0
            land = await client.get(_tile(12, 5.12, 52.09))
            assert len(store) == 1
            return [*sea, land]

    *sea, land = asyncio.run(run())
    assert {r.status_code for r in sea} == {200} and land.content
    assert {r.content for r in sea if r.url.path.endswith(".mvt")} == {b""}
    assert len({r.content for r in sea if r.url.path.endswith(".png")}) == 1
