"""Several worker processes sharing one load of the atlas.

uvicorn's own `--workers` spawns fresh interpreters, so every worker loads the whole atlas again (two workers
used twice the memory of one). gunicorn instead builds the app once in its master (preload) and forks the
workers from it: the loaded frames and geometries are shared copy-on-write, and `create_app` has already
frozen them out of the garbage collector, whose sweeps would otherwise touch and so copy every page.

Each worker listens on its own socket (SO_REUSEPORT), so the kernel spreads new connections over the workers.
On gunicorn's one shared socket, asyncio accepts every waiting connection in the worker that wakes first: 32
clients connecting at once all landed in one worker in half the runs of bench/peers.py, the other one idle.
The master keeps the port bound but not listening, so no other program takes it while a worker restarts, and
gives gunicorn a private Unix socket that nobody connects to.
"""

from __future__ import annotations

import shutil
import socket
import tempfile
from pathlib import Path
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
        self.address = host, port
        self.reservation = _reuse_port_socket(host, port)  # fails here, before any fork, if the port is taken
        self.private = Path(tempfile.mkdtemp(prefix="atlas-master-")) / "gunicorn.sock"
        self.application, self.options = app, {
            "bind": f"unix:{self.private}", "workers": workers, "worker_class": f"{__name__}.AtlasWorker",
            "preload_app": True, "timeout": WORKER_TIMEOUT_S, "accesslog": None, "post_fork": self._listen,
            "when_ready": self._announce, "on_exit": lambda _arbiter: shutil.rmtree(self.private.parent, True)}
        super().__init__()

    def _listen(self, _arbiter: Any, worker: AtlasWorker) -> None:
        """In a new worker: its own listener on the served address instead of the master's private socket."""
        for inherited in worker.sockets:
            inherited.close()
        self.reservation.close()
        listener = _reuse_port_socket(*self.address)
        listener.listen(2048)
        worker.sockets = [listener]

    def _announce(self, arbiter: Any) -> None:
        arbiter.log.info("Workers listen at http://%s:%s, each on its own socket (SO_REUSEPORT)", *self.address)

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> FastAPI:
        return self.application


def _reuse_port_socket(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    listener = socket.socket(family, kind, proto)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.bind(address)
    return listener
