"""Access log lines, request ids, response-size and time limits."""

from __future__ import annotations

import http.client
import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from atlas.settings import REPO_ROOT, get_settings


@pytest.fixture
def configured(data, monkeypatch):
    """An app built with the given ATLAS_* settings, restored afterwards."""
    def build(**env: str) -> TestClient:
        for key, value in env.items():
            monkeypatch.setenv(f"ATLAS_{key.upper()}", value)
        get_settings.cache_clear()
        return TestClient(create_app(data))
    yield build
    get_settings.cache_clear()


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(record.getMessage()))


def test_each_request_writes_one_json_line_with_its_request_id(configured):
    client = configured()
    handler = _Lines()
    logging.getLogger("atlas.access").addHandler(handler)
    try:
        response = client.get("/api/v1/levels", headers={"X-Request-ID": "abc-123"})
        missing = client.get("/api/v1/indicators/nope")
    finally:
        logging.getLogger("atlas.access").removeHandler(handler)
    assert response.headers["x-request-id"] == "abc-123" and len(missing.headers["x-request-id"]) == 32
    first, second = handler.lines
    assert first["request_id"] == "abc-123" and first["method"] == "GET" and first["path"] == "/api/v1/levels"
    assert first["status"] == 200 and first["duration_ms"] > 0 and first["bytes"] == len(response.content)
    assert second["status"] == 404 and second["request_id"] == missing.headers["x-request-id"]


def test_too_large_a_download_gets_413_naming_the_limit(configured):
    client = configured(max_response_mb="1")
    response = client.get("/api/v1/layers/wijk", params={"year": 2022})
    assert response.status_code == 413
    body = response.json()
    assert body["limit"] == 2**20 and body["size"] > 2**20 and "simplify" in body["detail"]
    assert client.get("/api/v1/layers/provincie", params={"simplify": 500}).status_code == 200


def test_a_request_over_the_time_limit_gets_503_problem_json(configured):
    client = configured(request_timeout_s="0.001")
    response = client.get("/api/v1/layers/wijk", params={"year": 2022, "format": "gpkg"})
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json" and "longer than" in response.json()["detail"]


def _listening(port: int) -> int:
    """Sockets listening on the port (/proc/net/tcp, state 0A): one per worker that serves."""
    local = f"0100007F:{port:04X}"
    rows = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]]
    return sum(1 for row in rows if row[1] == local and row[3] == "0A")


def test_serve_with_two_workers_spreads_connections_over_both(settings, data):
    """`atlas serve --workers 2` forks two worker processes from one load of the atlas (gunicorn preload, so
    they share its memory: bench/workers_memory.py), each listening on its own socket: 32 connections opened
    at once reach both, where on one shared socket the first worker to wake often accepted all of them."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "ATLAS_CACHE_DIR": str(settings.cache_dir), "ATLAS_DATA_DIR": str(settings.data_dir),
           "ATLAS_ACCESS_LOG": "false"}
    process = subprocess.Popen([sys.executable, "-m", "atlas.cli", "serve", "--port", str(port), "--workers", "2"],
                               env=env, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=5).close()
                if _listening(port) == 2:  # the first worker answers while the second may still be starting
                    break
            except OSError:
                pass
            time.sleep(0.3)
        with socket.socket() as taken:
            with pytest.raises(OSError):
                taken.bind(("127.0.0.1", port))  # the master keeps the port while workers come and go
        connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(32)]
        for connection in connections:
            connection.connect()
        for connection in connections:
            connection.request("GET", "/api/v1/health")
        statuses = [connection.getresponse().status for connection in connections]
        held = {worker: _connections_on(worker, port) for worker in _children(process.pid)}
        for connection in connections:
            connection.close()
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=30)
    assert statuses == [200] * 32
    assert len(held) == 2 and sum(held.values()) == 32 and min(held.values()) > 0, held
    assert errors.count("Booting worker with pid") == 2 and errors.count("Started server process") == 2, errors[-2000:]


def test_what_each_worker_would_do_on_its_first_request_is_done_before_the_fork(settings, data):
    """In a fresh interpreter, as `atlas serve` starts: before forking, the OpenAPI document is made, the download
    writers and anyio's asyncio backend imported, and what that made frozen out of the garbage collector. Each
    of these was tens of milliseconds of every new worker's first request."""
    env = {**os.environ, "ATLAS_CACHE_DIR": str(settings.cache_dir), "ATLAS_DATA_DIR": str(settings.data_dir)}
    script = """if True:
        import gc, json, sys
        from api.app import create_app
        from api.prefork import prepare_first_requests
        app = create_app()
        modules = ("anyio._backends._asyncio", "geopandas.io._geoarrow", "pandas.io.formats.csvs")
        before = {m: m in sys.modules for m in modules} | {"openapi": app.openapi_schema is not None}
        frozen = gc.get_freeze_count()
        prepare_first_requests(app)
        after = {m: m in sys.modules for m in modules} | {"openapi": app.openapi_schema is not None}
        print(json.dumps({"before": before, "after": after, "frozen": gc.get_freeze_count() - frozen}))
    """
    found = subprocess.run([sys.executable, "-c", script], env=env, cwd=REPO_ROOT, capture_output=True, text=True,
                           timeout=300)
    assert found.returncode == 0, found.stderr[-2000:]
    state = json.loads(found.stdout.splitlines()[-1])
    assert not any(state["before"].values()), state
    assert all(state["after"].values()), state
    assert state["frozen"] > 0


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _connections_on(pid: int, port: int) -> int:
    """Established TCP connections to `port` among the sockets `pid` holds (Linux /proc)."""
    inodes = {os.readlink(fd)[8:-1] for fd in Path(f"/proc/{pid}/fd").iterdir()
              if os.readlink(fd).startswith("socket:[")}
    rows = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]]
    return sum(1 for row in rows if int(row[1].split(":")[1], 16) == port and row[3] == "01" and row[9] in inodes)


def test_cors_origins_may_be_comma_separated(configured):
    client = configured(cors_origins="https://a.nl,https://b.nl")
    for origin in ("https://a.nl", "https://b.nl"):
        answer = client.get("/api/v1/health", headers={"Origin": origin})
        assert answer.headers["access-control-allow-origin"] == origin
    assert "access-control-allow-origin" not in client.get("/api/v1/health", headers={"Origin": "https://c.nl"}).headers
