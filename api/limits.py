"""Request header size limit: a request whose headers together exceed it gets 431 before anything reads them.

The server has already received such headers, but nothing downstream (routing, the access log, the response
cache) keeps or copies them, and the client learns which limit it passed. Outermost middleware.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send


class HeaderLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            size = sum(len(name) + len(value) + 4 for name, value in scope["headers"])  # ": " and CRLF
            if size > self.max_bytes:
                await _too_large(send, size, self.max_bytes)
                return
        await self.app(scope, receive, send)


async def _too_large(send: Send, size: int, limit: int) -> None:
    body = json.dumps({"type": "about:blank", "title": "Request header fields too large", "status": 431,
                       "detail": f"the request headers take {size:,} bytes, over the limit of {limit:,} bytes",
                       "size": size, "limit": limit}).encode()
    await send({"type": "http.response.start", "status": 431, "headers": [
        (b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
