"""A URL-keyed cache of finished API responses, answered before routing.

Tiles, values, legends and profiles are requested many times with the very same URL (every map view,
every user). Once a response exists, sending the stored bytes and headers skips parameter parsing,
dependency injection and serialisation, which on a cached tile cost more than the sending itself.
Only 200 responses under /api/v1/ are stored; the data cannot change while the process runs, so a
URL's answer never goes stale. Conditional requests are answered with 304 from the stored ETag. The
store is the API's one byte cache, bounded by entries and bytes (HttpCacheSettings.responses); its keys
and headers count towards the bytes.

The key is user input, so it is made as small as the answer allows:
- query parameters the route does not declare are dropped before routing (the route never reads them, and
  a client adding ``&n=<i>`` must not create a new entry per request);
- the Host header is part of the key only for responses that say ``Vary: Host`` (TileJSON, whose URLs are
  absolute); everything else is stored once whatever Host a client sends;
- keys longer than MAX_KEY_BYTES are not stored at all.
Identical requests that arrive while the first is still being computed wait for it (single flight), and a
compressible body is stored gzipped too (level 6, once per entry), so a hit costs no compression; the first
answer is sent from the stored entry as well, so it is not compressed a second time by the GZip middleware.
Both bodies are kept: identity is what most API clients ask for, and decoding per request would cost what
the stored gzip saves. A route whose answer is a shared constant (an empty tile: sea, abroad) says so with
`do_not_store`, so panning over the sea does not fill the store with one entry per address.
"""

from __future__ import annotations

import asyncio
import gzip
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote_plus

import anyio.to_thread
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.caching import etag_matches
from atlas.cache import BoundedCache

PREFIX = ("/api/v1/", "/ogc")  # /ogc refuses unknown parameters (OGC core) and varies on Accept: see __call__
MAX_KEY_BYTES = 2048  # longest key stored; a longer URL is answered but not kept
GZIP_MIN_BYTES = 1024  # as the GZip middleware in front: smaller bodies are sent as they are
INLINE_GZIP_BYTES = 64 * 1024  # smaller bodies (tiles) compress in well under a millisecond, on the event loop
COMPRESSIBLE = (b"application/json", b"application/geo+json", b"application/problem+json", b"text/",
                b"application/vnd.mapbox-vector-tile")


@dataclass(frozen=True)
class StoredResponse:
    content: bytes
    gzipped: bytes | None  # the same body gzipped, for clients that accept it; None when not worth it
    headers: list[tuple[bytes, bytes]]
    etag: str
    per_host: bool = False  # a marker: the answer for this URL depends on Host, look it up under the Host key


PER_HOST = StoredResponse(b"", None, [], "", per_host=True)
NOT_STORED = "atlas_response_not_stored"  # key in the request's state (scope["state"]) set by `do_not_store`


def do_not_store(request: Request) -> None:
    """Answer this request without keeping the answer: it is a constant every such URL shares."""
    request.scope.setdefault("state", {})[NOT_STORED] = True


class DeclaredParameters:
    """The query parameters each /api/v1/ path declares (with those of its dependencies), from the OpenAPI
    document, so the list is the one clients are told. Read on first use: middleware is built before the
    routers are included."""

    def __init__(self, openapi: Callable[[], dict]) -> None:
        self._openapi = openapi
        self._paths: list[tuple[re.Pattern[str], frozenset[str]]] | None = None

    def __call__(self, path: str) -> frozenset[str] | None:
        if self._paths is None:
            self._paths = [
                (compile_path(template)[0],
                 frozenset(p["name"] for op in item.values() if isinstance(op, dict)
                           for p in op.get("parameters", []) if p.get("in") == "query"))
                for template, item in self._openapi()["paths"].items() if template.startswith(PREFIX)]
        for pattern, names in self._paths:
            if pattern.match(path):
                return names
        return None


def declared_query(query: bytes, names: frozenset[str]) -> bytes:
    """The query string with only the declared parameters, in the order sent (duplicates kept)."""
    kept = [pair for pair in query.split(b"&")
            if pair and unquote_plus(pair.split(b"=", 1)[0].decode("latin-1")) in names]
    return b"&".join(kept)


class ResponseCache:
    def __init__(self, app: ASGIApp, cache: BoundedCache[str, StoredResponse], parameters: DeclaredParameters):
        self.app = app
        self.cache = cache
        self.parameters = parameters
        self._flights: dict[str, asyncio.Event] = {}  # one per URL being computed: bounded by concurrent requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope["method"] != "GET" or not path.startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        names = self.parameters(path)
        if names is None:  # no such route: the router answers 404 or 405, nothing to store
            await self.app(scope, receive, send)
            return
        query = declared_query(scope.get("query_string", b""), names)
        if path.startswith("/ogc") and (query != scope.get("query_string", b"") or path.endswith("/items")):
            await self.app(scope, receive, send)  # 400 naming an unknown parameter; a page's timeStamp is its own
            return
        scope.setdefault("state", {})  # shared with the copy below, so the route can tell us `do_not_store`
        scope = {**scope, "query_string": query}
        request_headers = Headers(scope=scope)
        key = f"{path}?{query.decode('latin-1')}"
        if path.startswith("/ogc"):  # without f, Accept chooses HTML or JSON
            key += f" accept={request_headers.get('accept', '')}"
        host_key = f"{request_headers.get('host', '')} {key}"
        if len(host_key) > MAX_KEY_BYTES:
            await self.app(scope, receive, send)
            return
        while (flight := self._flights.get(key)) is not None:
            await flight.wait()  # the same URL is being computed: wait for it rather than compute it again
        stored = self._lookup(key, host_key)
        if stored is not None:
            await _replay(stored, request_headers, send)
            return
        flight = self._flights[key] = asyncio.Event()
        try:
            await self.app(scope, receive, self._storing(key, host_key, scope, send))
        finally:
            del self._flights[key]
            flight.set()

    def _lookup(self, key: str, host_key: str) -> StoredResponse | None:
        stored = self.cache.get(key)
        return self.cache.get(host_key) if stored is not None and stored.per_host else stored

    def _storing(self, key: str, host_key: str, scope: Scope, send: Send) -> Send:
        """Pass the app's answer on; a storable one is stored first and then sent as a hit would be (gzipped
        when the client accepts it), so its first client is not served a second compression."""
        start: Message = {}
        started = False

        async def capture(message: Message) -> None:
            nonlocal start, started
            if message["type"] == "http.response.start":
                start = {**message, "headers": list(message["headers"])}  # outer middleware edits the original
                return  # held until the body shows whether it is stored
            if message["type"] != "http.response.body":  # such as the test client's template debug message
                await send(message)
                return
            if not started:
                started = True
                stored = await self._store(key, host_key, scope, start, message)
                if stored is not None:
                    await _replay(stored, Headers(scope=scope), send)
                    return
                await send(start)
            await send(message)

        return capture

    async def _store(self, key: str, host_key: str, scope: Scope, start: Message,
                     message: Message) -> StoredResponse | None:
        headers = Headers(raw=start["headers"])
        if (start["status"] != 200 or message.get("more_body", False) or "etag" not in headers
                or "no-store" in headers.get("cache-control", "") or scope["state"].get(NOT_STORED)):
            return None
        body = message.get("body", b"")
        content_type = headers.get("content-type", "")
        gzipped = (_gzipped(body, content_type) if len(body) < INLINE_GZIP_BYTES  # sooner done than a thread hop
                   else await anyio.to_thread.run_sync(_gzipped, body, content_type))
        stored = StoredResponse(body, gzipped, start["headers"], headers["etag"])
        if "host" in headers.get("vary", "").lower():
            self.cache.put(key, PER_HOST)
            self.cache.put(host_key, stored)
        else:
            self.cache.put(key, stored)
        return stored


def _gzipped(body: bytes, content_type: str) -> bytes | None:
    """Compressed once when stored (an 11 MB layer takes a quarter of a second), never per hit."""
    if len(body) < GZIP_MIN_BYTES or not content_type.encode().startswith(COMPRESSIBLE):
        return None
    return gzip.compress(body, compresslevel=6)


async def _replay(stored: StoredResponse, request_headers: Headers, send: Send) -> None:
    if etag_matches(request_headers.get("if-none-match"), stored.etag):
        headers = [(k, v) for k, v in stored.headers if k.lower() in (b"etag", b"cache-control", b"vary")]
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    body, sent = stored.content, MutableHeaders(raw=list(stored.headers))
    if stored.gzipped is not None:
        sent.add_vary_header("Accept-Encoding")
        if "gzip" in request_headers.get("accept-encoding", ""):
            body = stored.gzipped
            sent["Content-Encoding"] = "gzip"
            sent["Content-Length"] = str(len(body))
    await send({"type": "http.response.start", "status": 200, "headers": sent.raw})
    await send({"type": "http.response.body", "body": body})
