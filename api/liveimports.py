"""Imports reach a running server without a restart: each request first checks the imports' VERSION file.

The check is one `stat`; only when the file changed is the merged view rebuilt (off the event loop) and the
stored responses dropped, since every answer may now differ. The same middleware refuses an upload larger
than ``ATLAS_MAX_UPLOAD_MB`` before its body is read.
"""

from __future__ import annotations

import threading
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, State
from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import problem
from atlas.imports.store import VERSION_FILE, ImportStore, with_imports

UPLOAD_PREFIX = "/api/v1/imports/"
_lock = threading.Lock()


def _stamp(cache_dir: Path) -> int:
    path = ImportStore(cache_dir).root / VERSION_FILE
    return path.stat().st_mtime_ns if path.exists() else 0


def refresh(state: State) -> None:
    """Merge the current imports into ``state.data`` if they changed since the last look."""
    with _lock:
        stamp = _stamp(state.cache_dir)
        if stamp == state.imports_stamp:
            return
        state.data = with_imports(state.data, state.cache_dir)
        state.responses.clear()
        state.imports_stamp = stamp


class LiveImports:
    def __init__(self, app: ASGIApp, max_upload_bytes: int):
        self.app = app
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "POST" and scope["path"].startswith(UPLOAD_PREFIX):
            length = Headers(scope=scope).get("content-length")
            if length is None or not length.isdigit() or int(length) > self.max_upload_bytes:
                response = problem(413, "Upload too large", f"uploads must state their Content-Length and be at most "
                                   f"{self.max_upload_bytes // 2**20} MB (ATLAS_MAX_UPLOAD_MB); got {length or 'none'}")
                await response(scope, receive, send)
                return
        state = scope["app"].state
        if _stamp(state.cache_dir) != state.imports_stamp:
            await run_in_threadpool(refresh, state)
        await self.app(scope, receive, send)
