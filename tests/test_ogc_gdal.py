"""GDAL's OAPIF driver (what QGIS uses) lists and reads the collections from a real server on 127.0.0.1."""

import socket
import threading
import time

import pyogrio
import pytest
import uvicorn

from api.app import create_app


@pytest.fixture(scope="module")
def server_url(data):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(data), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_gdal_oapif_lists_and_reads_collections(server_url):
    layers = [name for name, _ in pyogrio.list_layers(f"OAPIF:{server_url}/ogc")]
    assert len(layers) == 17 and "gemeente_2023" in layers and "wijk_2022" in layers
    frame = pyogrio.read_dataframe(f"OAPIF:{server_url}/ogc", layer="gemeente_2023")
    assert len(frame) == 342 and frame["code"].is_unique
