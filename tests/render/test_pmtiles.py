"""Tile pyramids: `atlas tiles export` writes PMTiles archives whose header, metadata and tiles match what the live
server says and renders, read back with the `pmtiles` package's own reader."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pmtiles.reader import MemorySource, Reader
from pmtiles.tile import Compression, TileType

from api.app import create_app
from api.security import page_policy
from api.settings import WebSettings
from atlas.render.pmtiles_archive import tile_addresses
from atlas.render.rastertiles import empty_png
from atlas.render.tilegrid import bounds_wgs84, tile_containing

SHARE = "kwb_pct_higher_educated"  # every gemeente of 2022 has a value
CLASSES = ("--classes", "4", "--scheme", "YlOrRd", "--method", "equal_interval")  # not the indicator's default
QUERY = "classes=4&scheme=YlOrRd&method=equal_interval"
UTRECHT, NORTH_SEA = (5.12, 52.09), (3.6, 53.45)


def _atlas(settings, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "atlas.cli", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "ATLAS_CACHE_DIR": str(settings.cache_dir)})


@pytest.fixture(scope="module")
def archives(settings, data, tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("pyramids")
    result = _atlas(settings, "tiles", "export", "--indicator", SHARE, "--level", "gemeente", "--year", "2022",
                    "--min-zoom", "5", "--max-zoom", "12", *CLASSES, "-o", str(out))
    assert result.returncode == 0, result.stderr
    return out, result.stdout


@pytest.fixture(scope="module")
def client(data):
    return TestClient(create_app(data))


def _read(path: Path) -> tuple[dict, dict, Reader]:
    reader = Reader(MemorySource(path.read_bytes()))
    return reader.header(), reader.metadata(), reader


@pytest.mark.parametrize("tile_format, tile_type", [("mvt", TileType.MVT), ("png", TileType.PNG)])
def test_header_and_metadata_describe_the_tiles_and_their_classification(archives, client, data, tile_format, tile_type):
    out, printed = archives
    path = out / f"{SHARE}_gemeente.{tile_format}.pmtiles"
    assert str(path) in printed
    header, metadata, _ = _read(path)
    assert header["tile_type"] == tile_type and header["tile_compression"] == Compression.NONE
    assert (header["min_zoom"], header["max_zoom"]) == (5, 12) and header["clustered"]
    west, south, east, north = bounds_wgs84(data)
    assert (header["min_lon_e7"], header["min_lat_e7"], header["max_lon_e7"], header["max_lat_e7"]) == (
        round(west * 1e7), round(south * 1e7), round(east * 1e7), round(north * 1e7))
    live = client.get(f"/api/v1/tiles/gemeente/{SHARE}/tilejson.json?year=2022&format={tile_format}&{QUERY}").json()
    for field in ("tilejson", "name", "attribution", "bounds", "center", "legend", "format", "minzoom", "maxzoom"):
        assert metadata[field] == live[field] if field not in ("minzoom", "maxzoom") else metadata[field] in (5, 12)
    assert "tiles" not in metadata  # only the host knows where the archive lives
    assert ("vector_layers" in metadata) == (tile_format == "mvt")
    legend = client.get(f"/api/v1/legend/gemeente/{SHARE}?year=2022&{QUERY}").json()
    atlas = metadata["atlas"]
    assert atlas["legend"] == legend  # breaks, colours, labels, source, unit, year: the server's own legend
    assert len(legend["entries"]) == 4 and legend["method"] == "equal_interval"
    assert (atlas["indicator"], atlas["level"], atlas["year"], atlas["boundary_year"]) == (SHARE, "gemeente", 2022, 2022)
    assert atlas["request"]["classes"] == 4 and atlas["request"]["scheme"] == "YlOrRd"
    assert atlas["data_version"] == data.version


@pytest.mark.parametrize("tile_format", ["mvt", "png"])
def test_an_archived_tile_is_the_tile_the_server_renders(archives, client, tile_format):
    header, _, reader = _read(archives[0] / f"{SHARE}_gemeente.{tile_format}.pmtiles")
    for z in (5, 8, 12):
        x, y = tile_containing(*UTRECHT, z)
        live = client.get(f"/api/v1/tiles/gemeente/{SHARE}/{z}/{x}/{y}.{tile_format}?year=2022&{QUERY}")
        assert live.status_code == 200 and len(live.content) > 100
        assert reader.get(z, x, y) == live.content, (z, x, y)


@pytest.mark.parametrize("tile_format", ["mvt", "png"])
def test_empty_tiles_are_left_out_and_repeated_tiles_stored_once(archives, client, data, tile_format):
    header, _, reader = _read(archives[0] / f"{SHARE}_gemeente.{tile_format}.pmtiles")
    x, y = tile_containing(*NORTH_SEA, 10)
    live = client.get(f"/api/v1/tiles/gemeente/{SHARE}/10/{x}/{y}.{tile_format}?year=2022&{QUERY}").content
    assert live == (b"" if tile_format == "mvt" else empty_png(256))
    assert reader.get(10, x, y) is None
    addresses = len(tile_addresses(bounds_wgs84(data), 5, 12))
    assert 0 < header["addressed_tiles_count"] < addresses  # sea and abroad left out
    assert header["tile_contents_count"] < header["addressed_tiles_count"]  # one-colour tiles inside regions shared


def test_bad_zoom_range_and_format_are_refused_before_loading(tmp_path):
    for args, message in ((("--max-zoom", "30"), "invalid max_zoom 30; valid: 0..16"),
                          (("--min-zoom", "9", "--max-zoom", "6"), "invalid min_zoom 9; valid: 0..6"),
                          (("--format", "mvt", "--scale", "2"), "invalid scale 2; valid: 1")):
        result = subprocess.run([sys.executable, "-m", "atlas.cli", "tiles", "export", "--indicator", SHARE,
                                 "--level", "gemeente", "-o", str(tmp_path), *args], capture_output=True, text=True,
                                env={**os.environ, "ATLAS_DATA_DIR": str(tmp_path / "none")}, timeout=60)
        assert result.returncode == 2 and result.stderr.startswith(f"atlas: {message}"), result.stderr
    assert list(tmp_path.iterdir()) == []


def test_only_bare_origins_may_be_pyramid_hosts_in_the_page_policy(monkeypatch):
    monkeypatch.setenv("ATLAS_PYRAMID_ORIGINS", "https://tiles.example.org, http://127.0.0.1:8080")
    origins = WebSettings().pyramid_origins
    assert "connect-src 'self' https://tiles.example.org http://127.0.0.1:8080;" in page_policy(pyramid_origins=origins)
    assert "connect-src 'self';" in page_policy()
    monkeypatch.setenv("ATLAS_PYRAMID_ORIGINS", "https://tiles.example.org; script-src *")
    with pytest.raises(ValueError, match="is not an origin"):
        WebSettings()
