"""Access log lines, request ids, response-size and time limits."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request

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


def test_serve_with_two_workers_answers_from_both(settings, data):
    """`atlas serve --workers 2` forks two worker processes from one load of the atlas (gunicorn preload, so
    they share its memory: bench/workers_memory.py); both answer."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "ATLAS_CACHE_DIR": str(settings.cache_dir), "ATLAS_DATA_DIR": str(settings.data_dir),
           "ATLAS_ACCESS_LOG": "false"}
    process = subprocess.Popen([sys.executable, "-m", "atlas.cli", "serve", "--port", str(port), "--workers", "2"],
                               env=env, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline, answers = time.time() + 90, list[str]()
        while time.time() < deadline and len(answers) < 40:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=5) as response:
                    answers.append(json.loads(response.read())["status"])
            except OSError:
                time.sleep(0.3)
        assert answers.count("ok") == 40
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=30)
    assert errors.count("Booting worker with pid") == 2 and errors.count("Started server process") == 2, errors[-2000:]


def test_cors_origins_may_be_comma_separated(configured):
    client = configured(cors_origins="https://a.nl,https://b.nl")
    for origin in ("https://a.nl", "https://b.nl"):
        answer = client.get("/api/v1/health", headers={"Origin": origin})
        assert answer.headers["access-control-allow-origin"] == origin
    assert "access-control-allow-origin" not in client.get("/api/v1/health", headers={"Origin": "https://c.nl"}).headers
