"""Several worker processes sharing one load of the atlas.

uvicorn's own `--workers` spawns fresh interpreters, so every worker loads the whole atlas again (two workers
used twice the memory of one). gunicorn instead builds the app once in its master (preload) and forks the
workers from it: the loaded frames and geometries are shared copy-on-write, and `create_app` has already
frozen them out of the garbage collector, whose sweeps would otherwise touch and so copy every page.
"""

from __future__ import annotations

from typing import Any, ClassVar

from fastapi import FastAPI
from gunicorn.app.base import BaseApplication
from uvicorn_worker import UvicornWorker

from api.protocol import HeaderTimeoutProtocol

# a worker that answers no heartbeat for this long is replaced; CPU work runs off the event loop, so only a
# hung process misses it
WORKER_TIMEOUT_S = 120


class AtlasWorker(UvicornWorker):
    """uvicorn inside a gunicorn worker, with the atlas's protocol (incomplete headers time out) and its own
    JSON access log instead of uvicorn's."""

    CONFIG_KWARGS: ClassVar[dict[str, Any]] = {"loop": "auto", "http": HeaderTimeoutProtocol, "access_log": False}


class PreforkServer(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type information
    """gunicorn configured from the atlas's settings rather than its command line or a config file."""

    def __init__(self, app: FastAPI, host: str, port: int, workers: int) -> None:
        self.application, self.options = app, {
            "bind": f"{host}:{port}", "workers": workers, "worker_class": f"{__name__}.AtlasWorker",
            "preload_app": True, "timeout": WORKER_TIMEOUT_S, "accesslog": None}
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> FastAPI:
        return self.application
