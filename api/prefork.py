"""How `atlas serve` runs the app: in one process, or in several worker processes sharing one load of the atlas.

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

import gc
import shutil
import socket
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ClassVar

import anyio
import uvicorn
from fastapi import FastAPI
from gunicorn.app.base import BaseApplication
from uvicorn_worker import UvicornWorker

from api.protocol import HeaderTimeoutProtocol
from atlas.render.layers import prepare_writers

# a worker that answers no heartbeat for this long is replaced; CPU work runs off the event loop, so only a
# hung process misses it
WORKER_TIMEOUT_S = 120


def serve(app: FastAPI, host: str, port: int, workers: int) -> None:
    """Serve `app` as `atlas serve` does: in this process, or in `workers` processes forked from it."""
    prepare_first_requests(app)
    if workers == 1:  # the atlas writes its own JSON access log; incomplete request headers time out
        uvicorn.run(app, host=host, port=port, http=HeaderTimeoutProtocol, access_log=False)
    else:
        PreforkServer(app, host, port, workers).run()


def prepare_first_requests(app: FastAPI) -> None:
    """What every process would otherwise do on its first request, done once before any fork.

    The OpenAPI document (the response cache reads the declared parameters from it) took 0.36 s, so the first
    visitor of each worker waited half a second; the download formats' writers set themselves up on first use;
    anyio imports its asyncio backend on its first use, 19 ms of each worker's first request whatever it asked.
    What that made is then frozen out of the garbage collector, as `create_app` does with the loaded atlas, so
    the workers keep sharing its pages."""
    app.openapi()
    prepare_writers(app.state.data)
    anyio.run(anyio.sleep, 0)
    gc.freeze()


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
            "post_worker_init": self._warm,
            # gunicorn's runtime control socket is one fixed path per user: two atlases would take it from each other
            "control_socket_disable": True,
            "when_ready": self._announce, "on_exit": lambda _arbiter: shutil.rmtree(self.private.parent, True)}
        super().__init__()

    def _listen(self, _arbiter: Any, worker: AtlasWorker) -> None:
        """In a new worker: its own socket on the served address instead of the master's private one. Bound
        only: it listens (and so is given connections) once the worker's server starts serving on it, not while
        the worker still boots and could not answer them."""
        for inherited in worker.sockets:
            inherited.close()
        self.reservation.close()
        worker.sockets = [_reuse_port_socket(*self.address)]

    def _warm(self, worker: AtlasWorker) -> None:
        """In a new worker, before it listens: the writers' first use once more, in a thread of its own as requests
        run. A forked worker shares the master's memory until it writes to it, and its first download wrote to
        some 4,000 shared pages (free lists, reference counts), each copied on a page fault; and its first new PROJ
        object read PROJ's database afresh (15 ms; the master's thread-local objects are no help to new threads).
        Done here, that costs the worker's start 0.1 s instead of its first visitor 25 ms."""
        with ThreadPoolExecutor(1) as thread:
            thread.submit(prepare_writers, self.application.state.data).result()

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
