"""The planner's page in headless Chromium: an own area, share links and Back, at desktop and phone size.

Screenshots go to `screenshots/` (ignored by git) for review.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.request
from pathlib import Path

import pytest
import shapely
from PIL import Image
from PIL.PngImagePlugin import PngImageFile

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
    # the standalone HTML map of the area: Noord-Brabant's gemeenten only
    export = page.locator("#downloads a[href^='/export/map.html']").get_attribute("href")
    assert "within=BOM" in export
    sheet = _page(browser, DESKTOP)
    sheet.goto(server + export)
    sheet.wait_for_selector("#atlas-area")
    shapes = "Object.values(window).find((v) => v instanceof L.GeoJSON).getLayers().length"  # folium's own names
    assert "56 regions" in sheet.inner_text("#atlas-area") and sheet.evaluate(shapes) == 56
    _shot(sheet, "planner-14-export-html-bom")
    page.click("#whole-country")
    page.wait_for_function("document.querySelector('#map').dataset.area === ''")
    assert len(_table_regions(page)) > 300 and "area=" not in page.url
    assert page.errors == []


def _view(page) -> dict:
    return page.evaluate("({indicator: atlas.state.indicator, level: atlas.state.level, year: atlas.state.year, "
                         "title: document.querySelector('#legend-title').textContent})")


def test_back_after_two_changes_restores_the_previous_view_and_the_link_is_clean(server, browser):
    page = _page(browser, DESKTOP)
    _open(page, f"{server}/?bg=0&lang=en")
    # the first view holds the whole country, South Limburg included
    south = page.evaluate("atlas.map.getBounds().getSouth()")
    assert south < 50.76 and page.evaluate("atlas.map.getBounds().contains([50.76, 5.85])")
    start = _view(page)
    page.select_option("#indicator", "rd_expenditure_business")
    page.wait_for_function("document.querySelector('#legend-title').textContent.startsWith('Private (business) R&D')")
    first = _view(page)
    other = "corop" if first["level"] != "corop" else "provincie"
    page.select_option("#level", other)
    page.wait_for_function(f"document.querySelector('#map').dataset.hitLayer.startsWith('{other}/')")
    page.go_back()
    page.wait_for_function(f"atlas.state.level === '{first['level']}' && "
                           f"document.querySelector('#map').dataset.hitLayer.startsWith('{first['level']}/')")
    assert _view(page) == first and page.input_value("#level") == first["level"]
    page.go_back()
    page.wait_for_function(f"document.querySelector('#legend-title').textContent === {start['title']!r}")
    assert _view(page) == start and page.input_value("#indicator") == start["indicator"]
    page.go_forward()
    page.wait_for_function("document.querySelector('#legend-title').textContent.startsWith('Private (business) R&D')")
    page.click("#copy-link")
    link = page.input_value("#share-link")
    params = dict(p.split("=", 1) for p in link.split("?", 1)[1].split("&"))
    assert params["indicator"] == "rd_expenditure_business" and "bounds" in params
    assert not {"lat", "lng", "z", "method", "scheme", "region"} & set(params)
    _shot(page, "planner-02-back-and-link")
    again = _page(browser, DESKTOP)
    again.goto(link)  # a view of labelled values (1 of 40 COROP regions): no tiles to wait for
    again.wait_for_selector(READY, timeout=60_000)
    assert _view(again) == first
    assert abs(again.evaluate("atlas.map.getCenter().lng") - page.evaluate("atlas.map.getCenter().lng")) < 0.5
    assert page.errors == [] and again.errors == []


AXE = REPO_ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _axe_violations(page) -> list[tuple[str, list]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG21_AA)
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]


def test_keyboard_only_reaches_search_opens_a_profile_and_closes_it_with_escape(server, browser):
    page = _page(browser, DESKTOP)
    _open(page, f"{server}/?bg=0&lang=en")
    presses = 0

    def press(key: str) -> None:
        nonlocal presses
        presses += 1
        page.keyboard.press(key)

    page.evaluate("document.activeElement.blur()")  # from the top of the page
    press("Tab")
    press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to region search"
    press("Enter")
    assert page.evaluate("document.activeElement.id") == "region-search"
    for letter in "Eindhoven":
        press(letter)
    press("Enter")
    page.wait_for_function("document.activeElement.classList.contains('profile-name')")
    assert page.inner_text(".profile-name") == "Eindhoven"
    page.wait_for_function("document.querySelector('#announce').textContent === 'Profile of Eindhoven opened'")
    assert page.get_attribute("#profile", "aria-live") is None  # the profile is not read aloud on every change
    press("Escape")
    page.wait_for_selector("#profile", state="hidden")
    assert page.evaluate("document.activeElement.id") == "region-search"
    assert presses < 20
    # the invisible region shapes are no Tab stops
    assert page.eval_on_selector_all("#map path.leaflet-interactive", "els => els.filter(e => e.tabIndex >= 0).length") == 0
    # a table row opens the profile and moves focus there too
    page.click("#table-view summary")
    page.focus("#table-wrap button.pick >> nth=0")
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement.classList.contains('profile-name')")
    page.keyboard.press("Escape")
    page.wait_for_function("document.activeElement.matches('#table-wrap button.pick')")
    assert page.errors == []


def test_own_breaks_are_typed_inline_and_a_refusal_shows_beside_them(server, browser):
    page = _page(browser, DESKTOP)
    _open(page, f"{server}/?bg=0&lang=en")
    page.select_option("#method", "user_defined")
    assert page.evaluate("document.activeElement.id") == "breaks"
    page.fill("#breaks", "50,20")
    page.keyboard.press("Enter")
    page.wait_for_selector("#breaks-error", state="visible")
    assert "strictly increasing" in page.inner_text("#breaks-error")
    assert page.get_attribute("#breaks", "aria-invalid") == "true"
    _shot(page, "planner-03-breaks-error")
    page.fill("#breaks", "20,30,40")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('#legend').textContent.includes('Own breaks')")
    page.wait_for_selector("#breaks-error", state="hidden")
    assert page.get_attribute("#breaks", "aria-invalid") is None and page.input_value("#breaks") == "20,30,40"


def test_axe_finds_no_wcag_21_aa_violation_in_four_page_states(server, browser):
    page = _page(browser, DESKTOP)
    _open(page, f"{server}/?bg=0&lang=en")
    assert _axe_violations(page) == [], "start"
    page.select_option("#area", "BOM")
    page.wait_for_function("document.querySelector('#map').dataset.area === 'BOM'")
    page.click("#table-view summary")
    assert _axe_violations(page) == [], "area with table"
    page.click("#table-wrap button.pick >> nth=0")
    page.wait_for_selector(".profile-name")
    assert _axe_violations(page) == [], "profile"
    _shot(page, "planner-04-profile")
    phone = _page(browser, PHONE)
    _open(phone, f"{server}/?bg=0&lang=nl")
    assert _axe_violations(phone) == [], "phone"
    _shot(phone, "planner-05-phone")


def test_outline_follows_the_tile_geometry_at_close_zoom(server, browser):
    """At z12 the selected municipality is outlined on the vector tile's own shape: the outline's extent on screen
    is the extent of the region's feature (OGC API - Features) to within a pixel or two, not a 100 m simplification."""
    page = _page(browser, DESKTOP)
    _open(page, f"{server}/?bg=0&lang=en&region=GM0344&lat=52.09&lng=5.11&z=12")
    page.wait_for_function("document.querySelector('#map').dataset.hitLayer === 'gemeente/2022'")
    page.wait_for_selector("#map .leaflet-tile path[data-code='GM0344'][stroke='#d62728']")
    # the first outlined tile can arrive before its neighbours; compare once every tile in view has been drawn
    page.wait_for_function("""() => {
        const tiles = [...document.querySelectorAll('#map .leaflet-hit-pane .leaflet-tile')];
        return tiles.length > 0 && tiles.every((t) => t.classList.contains('leaflet-tile-loaded')); }""")
    drawn, exact = page.evaluate("""async () => {
        const boxes = [...document.querySelectorAll("#map .leaflet-tile path[data-code='GM0344']")].map((e) => {
          const tile = e.ownerSVGElement.getBoundingClientRect(), b = e.getBoundingClientRect();
          return [Math.max(b.left, tile.left), Math.max(b.top, tile.top), Math.min(b.right, tile.right), Math.min(b.bottom, tile.bottom)]; });
        const drawn = [Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])),
                       Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))];
        const bounds = await atlas.hover.bounds('GM0344'), box = atlas.map.getContainer().getBoundingClientRect();
        const nw = atlas.map.latLngToContainerPoint(bounds.getNorthWest()), se = atlas.map.latLngToContainerPoint(bounds.getSouthEast());
        return [drawn, [nw.x + box.left, nw.y + box.top, se.x + box.left, se.y + box.top]]; }""")
    assert all(abs(a - b) <= 3 for a, b in zip(drawn, exact)), (drawn, exact)  # stroke half-width plus tile rounding
    _shot(page, "planner-12-outline-z12")
    assert page.errors == []


def test_phone_profile_sheet_keeps_the_selected_region_in_the_visible_map(server, browser):
    phone = _page(browser, PHONE)
    _open(phone, f"{server}/?bg=0&lang=en")
    phone.click("#menu")
    phone.fill("#region-search", "Eindhoven")
    phone.keyboard.press("Enter")
    phone.wait_for_selector(".profile-name")
    phone.click("#menu")  # the controls fold away: the map grows back, the sheet stays over it
    phone.evaluate("atlas.hover.bounds('GM0772').then((b) => { window.eindhoven = b; })")
    in_view = """() => {
        const b = window.eindhoven, box = atlas.map.getContainer().getBoundingClientRect();
        const sheet = document.querySelector('#profile').getBoundingClientRect();
        const nw = atlas.map.latLngToContainerPoint(b.getNorthWest()), se = atlas.map.latLngToContainerPoint(b.getSouthEast());
        const r = {left: nw.x + box.left, top: nw.y + box.top, right: se.x + box.left, bottom: se.y + box.top};
        return box.left <= r.left && r.right <= box.right && box.top <= r.top && r.bottom <= Math.min(sheet.top, box.bottom)
          && sheet.top < box.bottom; }"""
    phone.wait_for_function(in_view, timeout=15_000)  # the sheet lies over the map and the region is above it
    _shot(phone, "planner-13-phone-profile-region-in-view")
    phone.click("#profile-close")
    phone.wait_for_selector("#profile", state="hidden")
    assert phone.errors == []


def _rect(page, selector: str) -> dict:
    return page.evaluate(f"document.querySelector({selector!r}).getBoundingClientRect().toJSON()")


def test_phone_keeps_the_map_legend_folded_controls_closed_profile_as_a_sheet(server, browser):
    phone = _page(browser, PHONE)
    _open(phone, f"{server}/?bg=0&lang=nl")
    assert phone.locator("#controls").is_hidden() and phone.get_attribute("#menu", "aria-expanded") == "false"
    legend, map_box = _rect(phone, "#legend"), _rect(phone, "#map")
    share = legend["width"] * legend["height"] / (map_box["width"] * map_box["height"])
    assert share < 0.15, f"legend covers {share:.0%} of the map"
    assert phone.locator("#legend .source").is_hidden()
    _shot(phone, "planner-06-phone-legend-folded")
    phone.click(".legend-toggle")
    assert phone.locator("#legend .source").is_visible() and phone.locator("#legend details").count() >= 1
    _shot(phone, "planner-07-phone-legend-sheet")
    phone.click(".legend-toggle")
    phone.click("#menu")
    phone.fill("#region-search", "Eindhoven")
    phone.keyboard.press("Enter")
    phone.wait_for_selector(".profile-name")
    phone.click("#menu")  # fold the controls again: the profile lies over the map, the map keeps its place
    sheet = _rect(phone, "#profile")
    assert sheet["bottom"] == PHONE["height"] and sheet["height"] < 0.65 * PHONE["height"]
    assert _rect(phone, "#map")["height"] == map_box["height"]
    _shot(phone, "planner-08-phone-profile-sheet")
    assert phone.errors == []


def test_publication_png_of_the_country_has_title_full_source_and_legend_over_open_sea(server, data, browser):
    page = _page(browser, DESKTOP)
    _open(page, f"{server}/?bg=0&lang=en")
    href = page.locator("#downloads a", has_text="PNG (2x)").get_attribute("href")
    assert "scale=2" in href and "within" not in href
    with urllib.request.urlopen(server + href, timeout=120) as response:
        assert response.headers["Content-Type"] == "image/png"
        SHOTS.mkdir(exist_ok=True)
        (SHOTS / "planner-09-publication-2x.png").write_bytes(response.read())
    image = Image.open(SHOTS / "planner-09-publication-2x.png")
    assert isinstance(image, PngImageFile)
    assert image.width == 1800 and image.height > 1800
    legend = json.loads(urllib.request.urlopen(f"{server}/api/v1/legend/gemeente/pct_higher_educated_15_75").read())
    assert image.text["Title"] == legend["title"]["en"]
    assert image.text["Source"] == f"Source: {legend['source']}, {legend['year']}"  # the whole line, not cut
    # the legend's box, in RD New metres, touches no land of the real boundaries
    box = shapely.box(*json.loads(image.text["atlas:legend-box-rd"]))
    land = data.boundaries.get("gemeente", legend["boundary_year"])["geom_rd"]
    assert not shapely.intersects(land.to_numpy(), box).any()
    svg = urllib.request.urlopen(server + href.replace("map.png", "map.svg").replace("scale=2", "scale=1")).read().decode()
    assert svg.startswith("<svg") and legend["source"] in svg and 'lang="en"' in svg
    area = urllib.request.urlopen(server + href + "&within=BOM")
    assert Image.open(area).size[0] == 1800


@pytest.mark.outside_hosts("service.pdok.nl")
def test_background_map_unreachable_is_said_and_no_longer_asked_for(server, browser):
    page = _page(browser, DESKTOP)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "pdok" in r.url else None)
    _open(page, f"{server}/?lang=en")  # background on by default; the browser fixture aborts its tiles
    page.wait_for_function("document.querySelector('#bg-state').dataset.state === 'unavailable'")
    assert page.inner_text("#bg-state") == "Background map unavailable" and not page.is_checked("#bg")
    asked = len(requests)
    page.evaluate("atlas.map.panBy([300, 200], {animate: false})")
    page.wait_for_timeout(1000)
    assert len(requests) == asked and "Kadaster" not in page.inner_text(".leaflet-control-attribution")
    _shot(page, "planner-10-background-unavailable")


def test_compared_region_is_outlined_in_a_second_colour_and_a_coarser_level_refits(server, browser):
    page = _page(browser, DESKTOP)
    _open(page, f"{server}/?bg=0&lang=en&region=GM0772&compare=GM0363&lat=52.0&lng=5.2&z=8")
    page.wait_for_selector(".profile-name")
    page.wait_for_function("document.querySelector('#map').dataset.hitLayer === 'gemeente/2022'")
    # the outlines are drawn on the shapes of the vector tiles themselves, in every tile the region crosses
    strokes = page.evaluate("""(() => { const out = {}; for (const c of ['GM0772', 'GM0363', 'GM0344']) {
        out[c] = [...new Set([...document.querySelectorAll(`#map .leaflet-tile path[data-code="${c}"]`)]
          .map((e) => [e.getAttribute('stroke'), e.getAttribute('stroke-opacity'), e.getAttribute('stroke-dasharray')].join()))]; }
      return out; })()""")
    assert strokes == {"GM0772": ["#d62728,1,"], "GM0363": ["#1f4e9c,1,6 4"], "GM0344": ["#000,0,"]}
    _shot(page, "planner-11-selected-and-compared")
    page.select_option("#level", "provincie")
    page.wait_for_function("document.querySelector('#map').dataset.hitLayer.startsWith('provincie/')")
    assert page.evaluate("atlas.map.getZoom()") <= 8  # the whole country again, not one flat province
