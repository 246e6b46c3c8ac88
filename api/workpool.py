"""How much CPU work runs at once: a thread pool the size of the machine, and a quick 503 beyond a queue.

Every route that computes is a plain `def`, which Starlette runs in anyio's default thread pool of 40
threads. On a machine with two cores, 40 threads computing at once do not finish sooner: they take turns
holding the GIL, each request takes 20 times as long, and memory holds 40 half-built answers. So the pool
gets as many threads as the machine has cores (``ATLAS_WORK_THREADS``), set once per event loop, and the
requests that pass the response cache (which answers hits, and makes identical misses wait for the first)
are counted: beyond the threads plus ``ATLAS_WORK_QUEUE`` waiting, a request is refused at once with 503
and ``Retry-After``, instead of queueing until the request time limit answers 503 anyway, 30 s later.
"""

from __future__ import annotations

import json
import os

import anyio.to_thread
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.types import ASGIApp, Receive, Scope, Send


class WorkSettings(BaseSettings):
    """Threads that compute and requests that may wait for one; set as ``ATLAS_WORK_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="ATLAS_WORK_", extra="ignore")

    threads: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1, le=256,
                         description="Threads running route handlers at once (default: the number of cores).")
    queue: int = Field(default=64, ge=0, description="Requests that may wait for a thread; more get 503 at once.")
    retry_after_s: int = Field(default=1, ge=0, description="Retry-After of those 503 answers.")


class WorkLimit:
    """ASGI middleware sizing the thread pool and refusing what would only queue (see the module docstring)."""

    def __init__(self, app: ASGIApp, settings: WorkSettings):
        self.app = app
        self.settings = settings
        self.admitted = 0  # requests inside the app now: running or waiting for a thread

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limiter = anyio.to_thread.current_default_thread_limiter()  # one per event loop
        if limiter.total_tokens != self.settings.threads:
            limiter.total_tokens = self.settings.threads
        if self.admitted >= self.settings.threads + self.settings.queue:
            await self._refuse(send)
            return
        self.admitted += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.admitted -= 1

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({
            "type": "about:blank", "title": "Service Unavailable", "status": 503,
            "detail": f"the server is computing {self.admitted} requests, the most it takes at once; "
                      f"retry after {self.settings.retry_after_s} s"}).encode()
        await send({"type": "http.response.start", "status": 503, "headers": [
            (b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(self.settings.retry_after_s).encode()), (b"cache-control", b"no-store")]})
        await send({"type": "http.response.body", "body": body})
