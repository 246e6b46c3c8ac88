"""The page in RD New (EPSG:28992): the permalink records the projection, the map uses PDOK's
NetherlandsRDNewQuad grid and draws the atlas's OGC API - Tiles map tiles, hovers and outlines regions on its
vector tiles; PDOK's RD New background is asked for (and aborted: the test machine is offline)."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from PIL import Image

from atlas.settings import REPO_ROOT

pytestmark = pytest.mark.browser
READY = "body[data-ready='1']"
RD_TILES = "/ogc/collections/gemeente_2022/map/tiles/NetherlandsRDNewQuad/"


@pytest.mark.outside_hosts("service.pdok.nl")
def test_switching_to_rd_new_loads_rd_tiles_and_keeps_it_in_the_permalink(server, browser):
    page = browser.new_context(viewport={"width": 1200, "height": 800}, locale="en-GB").new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/?lang=en&year=2022")
    page.wait_for_selector(READY, timeout=60_000)
    assert page.get_attribute("#map", "data-crs") == "EPSG:3857"
    with page.expect_event("load"):  # the reload; not the page's own history.replaceState, which is a navigation too
        page.check("#crs")
    page.wait_for_selector(READY, timeout=60_000)
    assert parse_qs(urlparse(page.url).query)["crs"] == ["rd"]
    assert page.get_attribute("#map", "data-crs") == "EPSG:28992" and page.is_checked("#crs")
    page.wait_for_function(f"[...document.querySelectorAll('#map img.leaflet-tile-loaded')]"
                           f".some(e => e.src.includes('{RD_TILES}'))", timeout=30_000)
    tiles = page.eval_on_selector_all("#map img.leaflet-tile-loaded", "els => els.map(e => e.src)")
    atlas_tiles = [t for t in tiles if RD_TILES in t]
    assert atlas_tiles and all("indicator=pct_higher_educated_15_75" in t for t in atlas_tiles)
    # the tile Leaflet asked for is one the server renders with colour in it (a real RD New tile, not an empty one)
    coloured = 0
    for url in atlas_tiles:
        response = page.request.get(url)
        assert response.status == 200 and response.headers["content-type"] == "image/png"
        image = Image.open(io.BytesIO(response.body())).convert("RGBA")
        coloured += int((np.asarray(image)[:, :, 3] == 255).sum())
    assert coloured > 0
    # hover and click come from the RD New vector tiles of the same collection, and the outline lies on them
    page.wait_for_function("document.querySelector('#map').dataset.hitLayer === 'gemeente/2022'")
    page.mouse.move(*page.wait_for_function("atlas.hover.pointOf('GM0344')").json_value())
    page.wait_for_selector(".leaflet-tooltip.hover")
    assert page.inner_text(".leaflet-tooltip.hover").startswith("Utrecht")
    page.mouse.click(*page.evaluate("atlas.hover.pointOf('GM0344')"))
    page.wait_for_selector("#map .leaflet-tile path[data-code='GM0344'][stroke='#d62728']")
    vector = page.evaluate("performance.getEntriesByType('resource').map((e) => e.name)"
                           ".filter((u) => u.includes('/ogc/collections/gemeente_2022/tiles/NetherlandsRDNewQuad/'))")
    assert vector and not [u for u in page.evaluate("performance.getEntriesByType('resource').map((e) => e.name)")
                           if "/api/v1/layers/" in u]  # no GeoJSON copy of the level
    shots = REPO_ROOT / "screenshots"
    shots.mkdir(exist_ok=True)
    page.screenshot(path=str(shots / "rd-new.png"))
    page.reload()  # the permalink alone brings the RD New map back
    page.wait_for_selector(READY, timeout=60_000)
    assert page.get_attribute("#map", "data-crs") == "EPSG:28992"
    assert errors == []
