"""A URL-keyed cache of finished API responses, answered before routing.

Tiles, values, legends and profiles are requested many times with the very same URL (every map view,
every user). Once a response exists, sending the stored bytes and headers skips parameter parsing,
dependency injection and serialisation, which on a cached tile cost more than the sending itself.
Only 200 responses under /api/v1/ are stored; the data cannot change while the process runs, so a
URL's answer never goes stale. The Host header is part of the key because TileJSON holds absolute URLs.
Conditional requests are answered with 304 from the stored ETag. The store is the API's one byte
cache, bounded by entries and bytes (HttpCacheSettings.responses).
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.caching import etag_matches
from atlas.cache import BoundedCache

PREFIX = "/api/v1/"


@dataclass(frozen=True)
class StoredResponse:
    content: bytes
    headers: list[tuple[bytes, bytes]]
    etag: str


class ResponseCache:
    def __init__(self, app: ASGIApp, cache: BoundedCache[str, StoredResponse]):
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope["method"] != "GET" or not path.startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        key = f"{request_headers.get('host', '')}{path}?{scope.get('query_string', b'').decode('latin-1')}"
        stored = self.cache.get(key)
        if stored is not None:
            await _replay(stored, request_headers.get("if-none-match"), send)
            return
        start: Message = {}

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = {**message, "headers": list(message["headers"])}  # outer middleware edits the original
            elif start.get("status") == 200 and not message.get("more_body", False):
                headers = Headers(raw=start["headers"])
                if "etag" in headers:
                    self.cache.put(key, StoredResponse(message.get("body", b""), start["headers"], headers["etag"]))
            await send(message)

        await self.app(scope, receive, capture)


async def _replay(stored: StoredResponse, if_none_match: str | None, send: Send) -> None:
    if etag_matches(if_none_match, stored.etag):
        headers = [(k, v) for k, v in stored.headers if k.lower() in (b"etag", b"cache-control", b"vary")]
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": 200, "headers": list(stored.headers)})
    await send({"type": "http.response.body", "body": stored.content})
