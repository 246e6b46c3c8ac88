"""Data text is shown as text: a region name and a category value carrying `<img src=x onerror=...>` appear
literally in the page's tooltips and legend and in the exported map (served and saved), and Chromium opens
no dialog while the mouse passes over every region.

The hostile text is put into a copy of the real atlas (conftest `hostile_data`); a server thread serves it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import HOSTILE_CATEGORY, HOSTILE_REGION, PAYLOAD
from serving import server_thread
from shapely.geometry import Point
from shapely.ops import polylabel

from api.app import create_app
from api.settings import WebSettings
from atlas.render.classify import ClassRequest
from atlas.render.export_html import export_map_html

pytestmark = pytest.mark.browser
YEAR = 2021  # the latest RIS edition, drawn on the provinces of 2021


@pytest.fixture(scope="module")
def hostile_server(hostile_data) -> Iterator[str]:
    with server_thread(create_app(hostile_data)) as base:
        yield base


def _new_page(browser) -> Any:
    """A page in a context of its own that records (and dismisses) every dialog."""
    page = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-GB", bypass_csp=False).new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    return page


@pytest.fixture
def page(browser) -> Any:
    return _new_page(browser)


def _until(page, function: str, arg: object = None, timeout_s: float = 30) -> None:
    """Poll from outside the page: the export's policy forbids the string evaluation `wait_for_function` uses."""
    deadline = time.time() + timeout_s
    while not page.evaluate(function, arg):
        assert time.time() < deadline, f"never true: {function}"
        time.sleep(0.05)


def _candidates(page, data, code: str, map_expression: str) -> list[tuple[float, float]]:
    """Page coordinates of points inside a province: the pole of inaccessibility of its largest part first, then
    a grid inside it, for when the export's legend or title box lies over the pole."""
    shape = data.boundaries.get("provincie", YEAR).set_index("code").geometry[code]
    largest = max(getattr(shape, "geoms", [shape]), key=lambda g: g.area)
    x0, y0, x1, y1 = largest.bounds
    grid = [Point(x0 + (x1 - x0) * i / 6, y0 + (y1 - y0) * j / 6) for i in range(1, 6) for j in range(1, 6)]
    box = page.locator(".leaflet-container").first.bounding_box()
    points = []
    for point in [polylabel(largest, tolerance=0.001), *(p for p in grid if largest.buffer(-0.01).contains(p))]:
        x, y = page.evaluate(f"(() => {{ const p = ({map_expression}).latLngToContainerPoint([{point.y}, {point.x}]); "
                             "return [p.x, p.y]; })()")
        points.append((box["x"] + x, box["y"] + y))
    return points


def _hover_every_region(page, data, map_expression: str) -> dict[str, str]:
    """Move the mouse to a point inside every province; the tooltip text shown over each, by code."""
    shown = {}
    names = data.boundaries.get("provincie", YEAR).set_index("code")["name"]
    showing = "t => { const e = document.querySelector('.leaflet-tooltip'); return e && e.textContent.includes(t); }"
    for code in names.index:
        points = _candidates(page, data, code, map_expression)
        for n, point in enumerate(points):
            page.mouse.move(*point)
            try:
                _until(page, showing, names[code].split(" ")[0], timeout_s=30 if n == 0 else 3)
                break
            except AssertionError:
                if n == len(points) - 1:
                    raise
        shown[code] = page.inner_text(".leaflet-tooltip")
        assert page.locator(".leaflet-tooltip img").count() == 0
    return shown


def _check_export(page, hostile_data, url: str | None = None, document: str | None = None) -> None:
    if url is not None:
        page.goto(url)
    else:
        page.set_content(document)  # a saved file, opened as it is (the browser fixture blocks file:// URLs)
    folium_map = "window[Object.keys(window).find(k => k.startsWith('map_'))]"  # folium names its map map_<id>
    _until(page, f"() => typeof L !== 'undefined' && ({folium_map}) instanceof L.Map")
    shown = _hover_every_region(page, hostile_data, folium_map)
    assert len(shown) == 12 and f"Utrecht {PAYLOAD}" in shown[HOSTILE_REGION] and PAYLOAD in \
        shown[HOSTILE_REGION].split(f"Utrecht {PAYLOAD}")[1]
    assert page.dialogs == []


def test_served_and_saved_exports_show_hostile_text_as_text(hostile_server, hostile_data, browser, tmp_path: Path):
    query = f"indicator={HOSTILE_CATEGORY}&level=provincie&year={YEAR}&lang=en"
    _check_export(_new_page(browser), hostile_data, f"{hostile_server}/export/map.html?{query}")
    saved = tmp_path / "map.html"
    saved.write_text(export_map_html(hostile_data, HOSTILE_CATEGORY, "provincie", YEAR, ClassRequest(),
                                     WebSettings().web_packages_dir / "leaflet" / "dist", "en"))
    _check_export(_new_page(browser), hostile_data, document=saved.read_text())  # not under the served policy


def test_the_page_shows_hostile_text_as_text(hostile_server, hostile_data, page):
    page.goto(f"{hostile_server}/?bg=0&lang=en&indicator={HOSTILE_CATEGORY}&level=provincie&year={YEAR}")
    page.wait_for_selector("body[data-ready='1']", timeout=60_000)
    _until(page, f"() => document.querySelector('#map').dataset.hitLayer === 'provincie/{YEAR}'")
    shown = _hover_every_region(page, hostile_data, "atlas.map")
    assert len(shown) == 12 and shown[HOSTILE_REGION].startswith(f"Utrecht {PAYLOAD}\n")
    assert PAYLOAD in shown[HOSTILE_REGION].split("\n", 1)[1]  # the category value, after the name
    assert PAYLOAD in page.inner_text("#legend") and page.locator("#legend img, #table-wrap img").count() == 0
    assert page.dialogs == []
