"""One JSON line per request (method, path, status, duration, bytes, request id), and a time limit.

Plain ASGI so it adds little to a cached tile. The request id comes from the client's X-Request-ID
when it sends one (so a proxy's id carries through) and is returned in the response either way; an id
that is not a short token (REQUEST_ID) is replaced, so a client cannot write megabytes or control
characters into the log through it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from atlas.cache import deadline

log = logging.getLogger("atlas.access")
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")  # what proxies send (UUIDs, trace ids)


def configure_access_log() -> None:
    if not log.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp, timeout_s: float, enabled: bool = True):
        self.app = app
        self.timeout_s = timeout_s
        self.enabled = enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get("x-request-id", "")
        request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        started = time.perf_counter()
        status, size, sent_start = 0, 0, False

        async def tracked(message: Message) -> None:
            nonlocal status, size, sent_start
            if message["type"] == "http.response.start":
                status, sent_start = message["status"], True
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            with deadline(self.timeout_s):  # the request's threads stop starting work once the time is up
                await asyncio.wait_for(self.app(scope, receive, tracked), timeout=self.timeout_s)
        except TimeoutError:
            if not sent_start:
                await _timeout_answer(tracked, self.timeout_s)
        finally:
            if self.enabled:
                log.info(json.dumps({
                    "ts": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "request_id": request_id, "method": scope["method"],
                    "path": scope["path"], "query": scope.get("query_string", b"").decode("latin-1"),
                    "status": status, "duration_ms": round((time.perf_counter() - started) * 1000, 2), "bytes": size,
                    "client": (scope.get("client") or ["", 0])[0],
                }))


async def _timeout_answer(send: Send, timeout_s: float) -> None:
    body = json.dumps({"type": "about:blank", "title": "Timeout", "status": 503,
                       "detail": f"the request took longer than {timeout_s:g} s; narrow it (smaller area, "
                                 "fewer indicators, simplify) or try again"}).encode()
    await send({"type": "http.response.start", "status": 503,
                "headers": [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
