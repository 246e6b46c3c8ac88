"""The planner's page in headless Chromium: an own area, share links and Back, at desktop and phone size.

Screenshots go to `screenshots/` (ignored by git) for review.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from atlas.settings import REPO_ROOT

pytestmark = pytest.mark.browser
SHOTS = REPO_ROOT / "screenshots"
READY = "body[data-ready='1']"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def _page(browser, viewport: dict):
    page = browser.new_context(viewport=viewport, locale="en-GB", accept_downloads=True).new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return page


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(READY, timeout=60_000)
    page.wait_for_function("document.querySelectorAll('#map img.leaflet-tile-loaded').length > 0", timeout=30_000)


def _shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _table_regions(page) -> list[str]:
    return page.eval_on_selector_all("#table-wrap tbody th", "els => els.map(e => e.textContent)")


def test_choosing_bom_keeps_noord_brabant_in_the_table_and_the_csv(server, browser):
    page = _page(browser, DESKTOP)
    _open(page, f"{server}/?bg=0&lang=en")
    assert len(_table_regions(page)) > 300  # every gemeente before an area is chosen
    page.select_option("#area", "BOM")
    page.wait_for_function("document.querySelector('#map').dataset.area === 'BOM'")
    regions = _table_regions(page)
    assert len(regions) == 56
    assert {"Eindhoven", "Tilburg", "Breda", "'s-Hertogenbosch"} <= set(regions)
    assert "Utrecht" not in regions and "Maastricht" not in regions
    # the map shows Noord-Brabant, not the country
    bounds = page.evaluate("(() => { const b = atlas.map.getBounds(); return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; })()")
    assert bounds[0] < 4.3 and bounds[2] > 5.9 and bounds[1] < 51.3 and bounds[3] > 51.8 and bounds[3] < 53.0
    link = page.locator("#downloads a", has_text="CSV").first
    assert "within=BOM" in link.get_attribute("href")
    with page.expect_download() as download:
        link.click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert len(rows) == 56 and {r["provincie_code"] for r in rows} == {"PV30"}
    assert "area=BOM" in page.url
    _shot(page, "planner-01-area-bom")
    page.click("#whole-country")
    page.wait_for_function("document.querySelector('#map').dataset.area === ''")
    assert len(_table_regions(page)) > 300 and "area=" not in page.url
    assert page.errors == []
