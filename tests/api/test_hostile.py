"""Hostile clients: memory stays within the configured cache bounds whatever keys a client invents, headers
and request ids are capped, health checks are never cached, and links that depend on Host say so.

The memory test runs a real server process with small cache bounds and measures its resident memory from
/proc after each flood of 5,000 distinct requests (padded URLs, Host headers, `breaks=` tiles).
"""

from __future__ import annotations

import csv
import gzip
import http.client
import io
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from fastapi.testclient import TestClient
from serving import free_port, running_server, server_thread

from api.app import create_app
from api.caching import HttpCacheSettings
from api.protocol import HeaderTimeoutProtocol, header_timeout_s
from atlas.cache import CacheSettings
from atlas.render.csvtext import spreadsheet_csv
from atlas.settings import REPO_ROOT, AtlasSettings, get_settings
from atlas.sources.catalogue import load_catalogue
from atlas.sources.indicators import read_indicator_file

MiB = 2**20
FLOOD = 5_000  # an unbounded store would grow past the bound with any of the floods: 35 MB of padded keys alone
CACHE_MB = 1  # every core cache, in the server process of the memory test
RESPONSES_MB = 4
TILE = "/api/v1/tiles/provincie/rd_expenditure_total_own_personnel/7/65/42.png"


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


@pytest.fixture(scope="module")
def small_server(data, settings: AtlasSettings) -> Iterator[tuple[str, int, int]]:
    """A server whose caches may hold CACHE_MB each and RESPONSES_MB of responses; yields (host, port, bound)."""
    port = free_port()
    limits = {f"ATLAS_CACHE_{name.upper()}__MB": str(CACHE_MB) for name in CacheSettings.model_fields}
    env = {**os.environ, **limits, "ATLAS_HTTP_RESPONSES__MB": str(RESPONSES_MB), "ATLAS_ACCESS_LOG": "false",
           "ATLAS_CACHE_DIR": str(settings.cache_dir), "ATLAS_DATA_DIR": str(settings.data_dir)}
    bound = CACHE_MB * MiB * len(CacheSettings.model_fields) + RESPONSES_MB * MiB
    command = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", "127.0.0.1",
               "--port", str(port), "--log-level", "warning"]
    with running_server(command, port, env, REPO_ROOT):
        yield "127.0.0.1", port, bound


def _server_pid(port: int) -> int:
    """The uvicorn process the fixture started, found by the port on its command line."""
    wanted = f"--port\0{port}\0".encode()
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and wanted in (proc / "cmdline").read_bytes():
                return int(proc.name)
        except OSError:
            continue
    raise AssertionError(f"no server process for port {port}")


def _flood(host: str, port: int, requests: Iterator[tuple[str, dict[str, str]]]) -> set[int]:
    """Send every request on one keep-alive connection; the statuses seen."""
    connection = http.client.HTTPConnection(host, port, timeout=60)
    statuses = set()
    for path, headers in requests:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        statuses.add(response.status)
    connection.close()
    return statuses


def _padded_urls(n: int) -> Iterator[tuple[str, dict[str, str]]]:
    pad = "x" * 7000
    for i in range(n):
        yield f"/api/v1/{('schemes', 'health')[i % 2]}?n={i}&pad={pad}", {}


def _hosts(n: int) -> Iterator[tuple[str, dict[str, str]]]:
    for i in range(n):
        yield "/api/v1/tiles/provincie/rd_expenditure_total_own_personnel/tilejson.json", {"Host": f"h{i}.example"}


def _breaks(n: int) -> Iterator[tuple[str, dict[str, str]]]:
    for i in range(n):
        yield f"{TILE}?breaks={i},{i + 1}.5,{10**7 + i}", {}


@pytest.mark.flood
def test_hostile_keys_leave_memory_within_the_configured_bound(small_server):
    host, port, bound = small_server
    pid = _server_pid(port)
    for flood in (_padded_urls, _hosts, _breaks):  # warm every path first: imports and allocator pools
        _flood(host, port, flood(200))
    start = _rss(pid)
    grown = {}
    for flood in (_padded_urls, _hosts, _breaks):
        assert _flood(host, port, flood(FLOOD)) == {200}
        grown[flood.__name__] = _rss(pid) - start
    print(f"RSS at start {start / MiB:.0f} MiB; growth after each flood (MiB): "
          f"{ {k: round(v / MiB) for k, v in grown.items()} }; configured bound {bound / MiB:.0f} MiB")
    assert max(grown.values()) < bound, grown


@pytest.fixture
def client(data) -> Iterator[TestClient]:
    get_settings.cache_clear()
    yield TestClient(create_app(data, HttpCacheSettings()))
    get_settings.cache_clear()


def test_unknown_parameters_and_hosts_share_one_cache_entry(client):
    app = client.app
    before = len(app.state.responses)
    for i in range(5):
        assert client.get(f"/api/v1/schemes?n={i}", headers={"Host": f"h{i}.example"}).status_code == 200
    assert len(app.state.responses) == before + 1
    tilejson = client.get("/api/v1/tiles/provincie/rd_expenditure_total_own_personnel/tilejson.json?n=1&classes=4",
                          headers={"Host": "a.example"})
    assert tilejson.headers["vary"].lower().startswith("host")
    url = tilejson.json()["tiles"][0]
    assert url.startswith("http://a.example/") and "classes=4" in url and "n=1" not in url
    other = client.get("/api/v1/tiles/provincie/rd_expenditure_total_own_personnel/tilejson.json?classes=4",
                       headers={"Host": "b.example"})
    assert other.json()["tiles"][0].startswith("http://b.example/")


def test_health_is_never_cached(client):
    first = client.get("/api/v1/health")
    assert first.headers["cache-control"] == "no-store"
    assert "/api/v1/health?" not in {key.split(" ")[-1] for key in client.app.state.responses._items}


def test_a_cached_body_is_sent_gzipped_from_the_store(client):
    url = "/api/v1/regions?level=gemeente"
    first = client.get(url)
    stored = client.app.state.responses.get(f"{url}")
    assert stored is not None and stored.gzipped is not None
    again = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert again.headers["content-encoding"] == "gzip" and again.content == first.content
    assert gzip.decompress(stored.gzipped) == first.content
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == first.content


def test_a_one_megabyte_header_gets_431(client):
    response = client.get("/api/v1/levels", headers={"X-Padding": "x" * 2**20})
    assert response.status_code == 431 and response.json()["limit"] == 32 * 1024


def test_a_long_or_odd_request_id_is_replaced_not_echoed(client):
    long = client.get("/api/v1/levels", headers={"X-Request-ID": "a" * 5000})
    assert len(long.headers["x-request-id"]) == 32
    assert client.get("/api/v1/levels", headers={"X-Request-ID": "trace-1.2:3"}).headers["x-request-id"] == "trace-1.2:3"


def test_html_answers_carry_a_strict_policy(client):
    page = client.get("/")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "frame-ancestors 'self'" in policy and "unsafe-inline" not in \
        policy.split("script-src")[1].split(";")[0]
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["referrer-policy"]
    assert "onsubmit" not in page.text and "<script>" not in page.text  # no inline script for the policy to refuse
    assert client.get("/api/v1/levels").headers["x-content-type-options"] == "nosniff"
    docs = client.get("/docs").headers["content-security-policy"]
    assert "frame-ancestors" in docs


def test_twelve_wijk_indicators_in_rd_new_make_a_geopackage_each_asked_once(client, data, tmp_path):
    ids = [ind.id for ind in data.catalogue.indicators.values() if "wijk" in ind.levels][:12]
    assert len(ids) == 12
    response = client.get("/api/v1/layers/wijk", params={
        "indicators": ",".join([*ids, *ids[:3]]), "format": "gpkg", "crs": "EPSG:28992", "year": 2022})
    assert response.status_code == 200, response.text
    assert "12-indicators_epsg28992.gpkg" in response.headers["content-disposition"]
    path = tmp_path / "wijk.gpkg"
    path.write_bytes(response.content)
    frame = pyogrio.read_dataframe(path)
    assert [c for c in frame.columns if c in ids] == ids and frame.crs.to_epsg() == 28992
    assert len(frame) == len(data.boundaries.get("wijk", 2022))


def test_csv_text_cells_a_spreadsheet_would_run_are_neutralised_and_numbers_stay_numbers():
    frame = pd.DataFrame({"name": ['=HYPERLINK("http://x","y")', "+1+2", "@SUM(A1)", "-3.5", "Utrecht"],
                          "value": [-1.5, 2.0, None, -3.5, 4.0]})
    rows = list(csv.reader(io.StringIO(spreadsheet_csv(frame))))[1:]
    assert [r[0] for r in rows] == ['\'=HYPERLINK("http://x","y")', "'+1+2", "'@SUM(A1)", "-3.5", "Utrecht"]
    assert [r[1] for r in rows] == ["-1.5", "2.0", "", "-3.5", "4.0"]


def test_a_category_outside_the_catalogue_is_refused_on_load(tmp_path):
    path = tmp_path / "ris_scores.csv"
    header = "region_level,region_code,region_name,year,indicator,value,unit,source\n"
    row = "nuts2,NL31,Utrecht,2019,ris_performance_group,{},category (RIS 2019),test fixture\n"
    path.write_text(header + row.format("innovation leader") + row.format("<img src=x onerror=alert(1)>").replace(
        "NL31", "NL41"))
    rows, problems = read_indicator_file(path, load_catalogue())
    assert [r["text"] for r in rows] == ["innovation leader"]
    assert len(problems) == 1 and problems[0].startswith("ris_scores.csv:3: category '<img src=x")


def test_the_tile_schema_states_the_zoom_levels_served(client):
    tile = client.get("/openapi.json").json()["paths"]["/api/v1/tiles/{level}/{indicator}/{z}/{x}/{tile}"]["get"]
    z = next(p for p in tile["parameters"] if p["name"] == "z")["schema"]
    settings = client.app.state.api_settings
    assert (z["minimum"], z["maximum"]) == (settings.tile_min_zoom, settings.tile_max_zoom) == (4, 16)
    outside = client.get("/api/v1/tiles/provincie/rd_expenditure_total_own_personnel/3/4/2.png")
    assert outside.status_code == 400 and outside.json()["valid"] == ["4..16"]


def test_a_request_whose_headers_never_finish_gets_408_and_is_closed(data, monkeypatch):
    monkeypatch.setenv("ATLAS_HEADER_TIMEOUT_S", "1")
    header_timeout_s.cache_clear()
    try:
        with server_thread(create_app(data), http=HeaderTimeoutProtocol) as base:
            port = int(base.rsplit(":", 1)[1])
            with socket.create_connection(("127.0.0.1", port), timeout=30) as slow:
                slow.sendall(b"GET /api/v1/levels HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                answer = slow.recv(1024)
                assert slow.recv(1024) == b""  # closed by the server
            with socket.create_connection(("127.0.0.1", port), timeout=30) as quick:
                quick.sendall(b"GET /api/v1/levels HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                assert quick.recv(1024).startswith(b"HTTP/1.1 200")
    finally:
        header_timeout_s.cache_clear()
    assert answer.startswith(b"HTTP/1.1 408")


def test_an_unknown_topsector_is_not_found(client):
    response = client.get("/api/v1/networks/nope", params={"level": "gemeente"})
    assert response.status_code == 404 and response.json()["parameter"] == "topsector"
