"""ETag and Cache-Control on every successful GET, with 304 for a matching If-None-Match.

The data never changes while the server runs, so a hash of the body is a strong validator. Written as
plain ASGI middleware (not BaseHTTPMiddleware) because it sits in front of every tile request, where the
extra task and stream per request would cost more than rendering a cached tile. Responses that already
carry an ETag (tiles compute theirs from the request) pass straight through.
"""

from __future__ import annotations

import hashlib

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_AGE = 3600


class ETagMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        wanted = [t.strip() for t in Headers(scope=scope).get("if-none-match", "").split(",") if t.strip()]
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
            await _finish(start, b"".join(chunks), wanted, send)

        await self.app(scope, receive, buffered)


async def _finish(start: Message, body: bytes, wanted: list[str], send: Send) -> None:
    etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
    headers = MutableHeaders(raw=list(start["headers"]))
    headers["ETag"] = etag
    if "cache-control" not in headers:
        headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    if etag in wanted:
        del headers["content-length"]
        if "content-type" in headers:
            del headers["content-type"]
        await send({"type": "http.response.start", "status": 304, "headers": headers.raw})
        await send({"type": "http.response.body", "body": b""})
        return
    headers["content-length"] = str(len(body))
    await send({"type": "http.response.start", "status": 200, "headers": headers.raw})
    await send({"type": "http.response.body", "body": body})
