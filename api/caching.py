"""HTTP caching: ETag and Cache-Control on every successful GET, 304 for a matching If-None-Match.

The data never changes while the server runs, so a hash of the body is a strong validator. Written as
plain ASGI middleware (not BaseHTTPMiddleware) because it sits in front of every tile request, where the
extra task and stream per request would cost more than rendering a cached tile. Responses that already
carry an ETag (tiles compute theirs from the request) pass straight through.

Every place that answers a conditional request (this middleware, the response cache, the tile route)
asks `etag_matches`, so they cannot disagree on what matches.
"""

from __future__ import annotations

import hashlib

from fastapi import Request
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from atlas.cache import CacheLimit


class HttpCacheSettings(BaseSettings):
    """Browser caching and the one cache of finished responses; set as ``ATLAS_HTTP_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="ATLAS_HTTP_", env_nested_delimiter="__", extra="ignore",
                                      nested_model_default_partial_update=True)

    responses: CacheLimit = Field(default=CacheLimit(entries=20_000, mb=256),
                                  description="Finished API responses kept by URL (ATLAS_HTTP_RESPONSES__MB).")
    max_age_s: int = Field(default=3600, ge=0, description="How long browsers may reuse a response unchecked.")
    immutable_max_age_s: int = Field(default=31_536_000, ge=0,
                                     description="The same for tiles whose URL names the current data version.")

    @property
    def revalidate(self) -> str:
        return f"public, max-age={self.max_age_s}"

    @property
    def immutable(self) -> str:
        return f"public, max-age={self.immutable_max_age_s}, immutable"


async def http_cache_settings(request: Request) -> HttpCacheSettings:
    return request.app.state.http_cache_settings


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 If-None-Match: ``*`` or a comma-separated list of entity tags, compared weakly (``W/`` ignored)."""
    if not if_none_match:
        return False
    wanted = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in wanted or etag.removeprefix("W/") in wanted


class ETagMiddleware:
    def __init__(self, app: ASGIApp, cache_control: str):
        self.app = app
        self.cache_control = cache_control

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        if_none_match = Headers(scope=scope).get("if-none-match")
        start: Message | None = None
        chunks: list[bytes] = []

        async def buffered(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = Headers(raw=message["headers"])
                if message["status"] != 200 or "etag" in headers:
                    await send(message)
                    return
                start = message
                return
            if start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            await self._finish(start, b"".join(chunks), if_none_match, send)

        await self.app(scope, receive, buffered)

    async def _finish(self, start: Message, body: bytes, if_none_match: str | None, send: Send) -> None:
        etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
        headers = MutableHeaders(raw=list(start["headers"]))
        headers["ETag"] = etag
        if "cache-control" not in headers:
            headers["Cache-Control"] = self.cache_control
        if etag_matches(if_none_match, etag):
            del headers["content-length"]
            if "content-type" in headers:
                del headers["content-type"]
            await send({"type": "http.response.start", "status": 304, "headers": headers.raw})
            await send({"type": "http.response.body", "body": b""})
            return
        headers["content-length"] = str(len(body))
        await send({"type": "http.response.start", "status": 200, "headers": headers.raw})
        await send({"type": "http.response.body", "body": body})
