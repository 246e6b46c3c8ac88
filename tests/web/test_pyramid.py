"""The page drawing its choropleth from a PMTiles archive on a plain static file server (as an object store or CDN
would serve it: byte ranges and CORS, no Python of the atlas), with the same colours as the live tiles."""

from __future__ import annotations

import copy
import io
import re
import threading
import time
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from PIL import Image
from serving import server_thread
from shapely.ops import polylabel

from api.app import create_app
from atlas.render.classify import ClassRequest, classification_for
from atlas.render.pmtiles_archive import PyramidRequest, write_pyramid
from atlas.render.schemes import hex_to_rgb
from atlas.settings import REPO_ROOT

pytestmark = pytest.mark.browser
SHOTS = REPO_ROOT / "screenshots"
SHARE = "kwb_pct_higher_educated"  # not the page's default indicator: the archive's view must be adopted
CLASSES = ClassRequest(classes=4, scheme="YlOrRd")
UTRECHT = "GM0344"
VIEW = "lat=52.09&lng=5.12&z=9&bg=0&lang=en"


class RangeHandler(SimpleHTTPRequestHandler):
    """The standard library's file server plus single byte ranges (RFC 9110 206 answers) and CORS, which is what a
    PMTiles reader needs from a static host; it remembers the ranges asked for."""

    ranges: list[str]

    def end_headers(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Headers", "Range")
        self.send_header("Access-Control-Expose-Headers", "Content-Range, Content-Length, ETag")
        self.send_header("Accept-Ranges", "bytes")
        super().end_headers()

    def do_OPTIONS(self) -> None:  # noqa: N802 (the handler's naming)
        self.send_response(204)
        self.end_headers()

    def send_head(self) -> Any:
        asked = re.fullmatch(r"bytes=(\d+)-(\d+)", self.headers.get("Range", ""))
        if asked is None:
            return super().send_head()
        self.ranges.append(asked[0])
        content = Path(self.translate_path(self.path)).read_bytes()
        start, end = int(asked[1]), min(int(asked[2]), len(content) - 1)
        if start >= len(content):
            self.send_error(416)
            return None
        self.send_response(206)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Range", f"bytes {start}-{end}/{len(content)}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        return io.BytesIO(content[start:end + 1])

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def static_host(data, tmp_path_factory) -> Iterator[tuple[str, list[str]]]:
    """A built archive on a static file server of its own; the URL of the archive and the ranges read from it."""
    folder = tmp_path_factory.mktemp("static")
    request = PyramidRequest(SHARE, "gemeente", "png", 5, 12, year=2022, classes=CLASSES)
    write_pyramid(data, request, folder / request.file_name())
    stale = copy.copy(data)  # the same tiles, but the metadata of another build
    stale.version = "0" * 16
    write_pyramid(stale, request, folder / "stale.png.pmtiles")
    ranges: list[str] = []
    handler = type("Handler", (RangeHandler,), {"ranges": ranges})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(folder)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/{request.file_name()}", ranges
    httpd.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def pyramid_server(data, static_host) -> Iterator[str]:
    """An atlas server whose page may read pyramids from the static host (ATLAS_PYRAMID_ORIGINS)."""
    origin = "http://" + urlparse(static_host[0]).netloc
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ATLAS_PYRAMID_ORIGINS", origin)
        app = create_app(data)
    with server_thread(app) as base:
        yield base


def _page(browser) -> Any:
    """The page with its Content-Security-Policy in force, so the pyramid host must really be allowed."""
    page = browser.new_context(viewport={"width": 1000, "height": 800}, locale="en-GB", bypass_csp=False).new_page()
    page.requested = []
    page.errors = []
    page.on("request", lambda r: page.requested.append(r.url))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return page


def _settled(page, name: str) -> Image.Image:
    """A screenshot once every tile image has loaded and faded in (polled from outside: the policy forbids the string
    evaluation of `wait_for_function`)."""
    page.wait_for_selector("body[data-ready='1']", timeout=60_000)
    page.wait_for_selector("#map img.leaflet-tile-loaded", timeout=30_000)
    deadline = time.time() + 30
    while not page.evaluate("[...document.querySelectorAll('#map .leaflet-tile-container img')]"
                            ".every((i) => i.complete && i.naturalWidth > 0 || i.style.display === 'none')"):
        assert time.time() < deadline, "tiles never finished loading"
        time.sleep(0.1)
    page.wait_for_timeout(800)  # Leaflet's tile fade-in
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"pyramid-{name}.png"))
    return Image.open(io.BytesIO(page.screenshot())).convert("RGB")


def _region_pixel(page, data) -> tuple[int, int]:
    """The screen pixel deepest inside Utrecht's gemeente, where only its fill colour shows."""
    shape = data.boundaries.get("gemeente", 2022).set_index("code").geometry[UTRECHT]
    point = polylabel(max(getattr(shape, "geoms", [shape]), key=lambda g: g.area), tolerance=0.0005)
    x, y = page.evaluate(f"(() => {{ const p = atlas.map.latLngToContainerPoint([{point.y}, {point.x}]); "
                         "return [p.x, p.y]; })()")
    box = page.locator("#map").bounding_box()
    return int(box["x"] + x), int(box["y"] + y)


def test_page_draws_the_archive_from_a_static_host_with_the_live_colours(browser, data, server, pyramid_server,
                                                                          static_host):
    url, ranges = static_host
    page = _page(browser)
    page.goto(f"{pyramid_server}/?pyramid={url}&{VIEW}")  # no indicator: the archive's view is adopted
    from_archive = _settled(page, "archive")
    assert page.get_attribute("#map", "data-pyramid") == "loaded"
    tiles = page.eval_on_selector_all("#map img.leaflet-tile-loaded[src]", "els => els.map(e => e.getAttribute('src'))")
    assert tiles and all(t.startswith("blob:") for t in tiles)  # tiles with no region are missing from the archive
    # no choropleth tile or legend from the server (hover's vector tiles, like its values, still come from it)
    assert not [r for r in page.requested if ("/api/v1/tiles/" in r and ".mvt" not in r) or "/api/v1/legend/" in r]
    assert ranges and all(r.startswith("bytes=") for r in ranges)  # read by range requests, not downloaded whole
    legend = page.inner_text("#legend")
    assert page.inner_text("#legend-title") == "Share of higher educated (hbo/wo), aged 15-75" and "2022" in legend
    assert page.locator("#legend ul[aria-labelledby] li").count() == 5  # four classes and no data, as built
    assert "pyramid=" in page.url and "indicator=kwb_pct_higher_educated" in page.url and "classes=4" in page.url
    pixel = _region_pixel(page, data)
    assert page.errors == []

    live = _page(browser)
    live.goto(f"{server}/?indicator={SHARE}&level=gemeente&year=2022&classes=4&scheme=YlOrRd&{VIEW}")
    from_server = _settled(live, "live")
    live_tiles = live.eval_on_selector_all("#map img.leaflet-tile-loaded", "els => els.map(e => e.getAttribute('src'))")
    assert all("/api/v1/tiles/gemeente/kwb_pct_higher_educated/" in t for t in live_tiles)
    assert _region_pixel(live, data) == pixel
    colour: tuple[int, int, int] = from_archive.getpixel(pixel)  # type: ignore[assignment]  # an RGB image
    assert colour == from_server.getpixel(pixel)
    classification = classification_for(data, SHARE, "gemeente", 2022, CLASSES)
    slot = classification.colour_index_by_code()[UTRECHT] - 1
    nearest = min(classification.colours, key=lambda c: sum((int(a) - b) ** 2 for a, b in zip(hex_to_rgb(c), colour)))
    assert nearest == classification.colours[slot]  # Utrecht's class colour (under the layer's opacity)


def test_another_view_other_data_or_a_host_the_policy_does_not_allow_fall_back_to_live_tiles(
        browser, server, pyramid_server, static_host):
    url, _ = static_host
    other = _page(browser)  # the archive is readable, but holds another indicator than the one asked for
    other.goto(f"{pyramid_server}/?pyramid={url}&indicator=pct_higher_educated_15_75&{VIEW}")
    other.wait_for_selector("#map img.leaflet-tile-loaded", timeout=60_000)
    assert other.get_attribute("#map", "data-pyramid") == "loaded"
    assert "/api/v1/tiles/gemeente/pct_higher_educated_15_75/" in other.get_attribute("#map", "data-tiles")
    stale = _page(browser)  # built from other data than the server's: its colours might disagree with the hover values
    stale.goto(f"{pyramid_server}/?pyramid={url.replace(Path(url).name, 'stale.png.pmtiles')}&{VIEW}")
    stale.wait_for_selector("#map img.leaflet-tile-loaded", timeout=60_000)
    assert stale.get_attribute("#map", "data-pyramid") == "unavailable"
    assert "/api/v1/tiles/gemeente/pct_higher_educated_15_75/" in stale.get_attribute("#map", "data-tiles")
    blocked = _page(browser)  # this server's policy lists no pyramid host: the browser refuses, the page carries on
    blocked.goto(f"{server}/?pyramid={url}&{VIEW}")
    blocked.wait_for_selector("#map img.leaflet-tile-loaded", timeout=60_000)
    assert blocked.get_attribute("#map", "data-pyramid") == "unavailable"
    assert "/api/v1/tiles/gemeente/pct_higher_educated_15_75/" in blocked.get_attribute("#map", "data-tiles")
