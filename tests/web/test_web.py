"""The web page in real headless Chromium (Debian's package), against the atlas server in its own process.

Screenshots go to `screenshots/` (ignored by git) for review.
"""

from __future__ import annotations

import re
import urllib.request
from urllib.parse import parse_qs, urlparse

import pytest
from shapely.ops import polylabel

from atlas.settings import REPO_ROOT

pytestmark = pytest.mark.browser
SHOTS = REPO_ROOT / "screenshots"
READY = "body[data-ready='1']"


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.requested_hosts = set()
    page.errors = []
    page.on("request", lambda r: page.requested_hosts.add(urlparse(r.url).netloc))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return page


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(READY, timeout=60_000)
    page.wait_for_function("document.querySelectorAll('#map img.leaflet-tile-loaded').length > 0", timeout=30_000)


def _tiles(page) -> list[str]:
    return page.eval_on_selector_all("#map img.leaflet-tile-loaded", "els => els.map(e => e.getAttribute('src'))")


def _shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_map_and_legend_appear_with_no_request_beyond_the_server(server, page):
    _open(page, f"{server}/?bg=0&lang=en")
    assert page.inner_text("#legend-title") == "Share of higher educated (hbo/wo), aged 15-75"
    assert page.locator("#legend ul[aria-labelledby] li").count() == 6  # five classes and no data
    assert "Source: CBS" in page.inner_text("#legend .source")
    tiles = _tiles(page)
    assert tiles and all("/api/v1/tiles/gemeente/pct_higher_educated_15_75/" in t for t in tiles)
    assert page.requested_hosts == {urlparse(server).netloc}
    assert page.errors == []
    _shot(page, "01-start")


def test_changing_indicator_level_and_year_changes_tiles_and_legend(server, page):
    _open(page, f"{server}/?bg=0&lang=en")
    page.select_option("#indicator", "rd_expenditure_business")
    page.wait_for_function("document.querySelector('#legend-title').textContent.startsWith('Private (business) R&D')")
    assert page.input_value("#level") == "corop" or page.input_value("#level") == "provincie"
    page.select_option("#level", "corop")
    page.wait_for_function("document.querySelector('#legend-year').textContent === '2019'")
    # 1 of 40 COROP regions has a value: labelled values, not a choropleth (issue 12)
    page.wait_for_function("document.querySelector('#map').dataset.display === 'labels'")
    assert page.inner_text("#coverage-note") == "1 of 40 COROP regions has a value"
    page.focus("#year")
    page.keyboard.press("ArrowLeft")  # the slider steps through 2013, 2015, 2019
    page.wait_for_function("document.querySelector('#legend-year').textContent === '2015'")
    page.wait_for_function("[...document.querySelectorAll('.value-label')].some(e => e.textContent.includes('1,500'))")
    assert page.inner_text("#year-out") == "2015"
    page.select_option("#indicator", "rd_expenditure_total_own_personnel")
    page.select_option("#level", "provincie")
    page.wait_for_function("[...document.querySelectorAll('#map img.leaflet-tile-loaded')].some(e => e.src.includes('/provincie/'))")
    assert "Province" in page.inner_text("#legend") and page.locator("#coverage-note").is_hidden()
    _shot(page, "02-changed")


def test_clicking_a_region_opens_its_profile_and_compare(server, page, data):
    _open(page, f"{server}/?bg=0&lang=en&level=gemeente&lat=52.09&lng=5.12&z=10")
    page.wait_for_function("document.querySelector('#map').dataset.hitLayer === 'gemeente/2022'")
    shape = data.boundaries.get("gemeente", 2022).set_index("code").geometry["GM0344"]
    lon, lat = polylabel(max(getattr(shape, "geoms", [shape]), key=lambda g: g.area), tolerance=0.0001).coords[0]
    point = page.evaluate(f"(() => {{ const p = atlas.map.latLngToContainerPoint([{lat}, {lon}]); return [p.x, p.y]; }})()")
    box = page.locator("#map").bounding_box()
    page.mouse.move(box["x"] + point[0], box["y"] + point[1])
    page.wait_for_selector(".leaflet-tooltip.hover")
    assert page.inner_text(".leaflet-tooltip.hover").startswith("Utrecht")
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    page.wait_for_selector(".profile-name")
    assert page.inner_text(".profile-name") == "Utrecht"
    assert "region=GM0344" in page.url
    assert page.locator(".profile-col tr[data-indicator='pct_higher_educated_15_75']").count() == 1
    # the mapped indicator is pinned first and marked; the rest grouped by theme; series ends written out
    first = page.locator(".profile-col tbody tr:not(.theme)").first
    assert first.get_attribute("data-indicator") == "pct_higher_educated_15_75" and "mapped" in first.get_attribute("class")
    assert "on the map" in first.inner_text()
    themes = page.locator(".profile-col tr.theme th").all_inner_texts()
    assert themes[0] == "on the map" and "Population" in themes and len(themes) == len(set(themes))
    population = page.locator(".profile-col tr[data-indicator='kwb_population'] small.ends").inner_text()
    assert re.fullmatch(r"20\d\d: [\d,.]+ → 20\d\d: [\d,.]+", population), population
    assert page.locator(".profile-col details.source").count() >= 1  # long source lines folded, full text on demand
    page.select_option("#compare", "GM0363")
    page.wait_for_function("document.querySelectorAll('.profile-name').length === 2")
    assert page.locator(".profile-name").all_inner_texts() == ["Utrecht", "Amsterdam"]
    _shot(page, "03-profile-compare")


def test_permalink_restores_the_same_view(server, browser, page):
    state = ("?bg=0&lang=nl&indicator=kwb_population&level=gemeente&year=2015&method=natural_breaks&classes=4"
             "&scheme=PuBuGn&region=GM0599&lat=51.9&lng=4.5&z=9")
    _open(page, server + "/" + state)
    page.wait_for_selector(".profile-name")
    first = {"legend": page.inner_text("#legend"), "profile": page.inner_text(".profile-name"), "url": page.url,
             "tiles": sorted(_tiles(page))}
    other = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    _open(other, first["url"])
    other.wait_for_selector(".profile-name")
    assert other.inner_text("#legend") == first["legend"]
    assert other.inner_text(".profile-name") == first["profile"] == "Rotterdam"
    assert other.input_value("#method") == "natural_breaks" and other.input_value("#scheme") == "PuBuGn"
    assert other.input_value("#classes") == "4" and other.inner_text("#year-out") == "2015"
    query = parse_qs(urlparse(other.url).query)
    assert query["z"] == ["9"] and abs(float(query["lat"][0]) - 51.9) < 0.01 and abs(float(query["lng"][0]) - 4.5) < 0.01
    assert "Natuurlijke grenzen" in first["legend"] and first["legend"].count("(") >= 5
    _shot(other, "04-permalink")


def test_downloads_point_at_working_endpoints(server, page):
    _open(page, f"{server}/?bg=0&lang=en&indicator=kwb_pct_higher_educated&level=provincie")
    links = page.eval_on_selector_all("#downloads a", "els => els.map(e => e.getAttribute('href'))")
    assert len(links) == 14  # three publication images, six layer formats plus Dutch CSV, two styles, legend, HTML map
    for link in links:
        with urllib.request.urlopen(server + link, timeout=60) as response:
            assert response.status == 200
            body = response.read()
            assert len(body) > 500
    assert any("format=gpkg" in link for link in links) and any(link.startswith("/export/map.html") for link in links)
    assert {f"format={f}" for f in ("geoparquet", "flatgeobuf", "xlsx", "qml", "sld")} <= {
        part for link in links for part in link.split("?")[1].split("&")}


@pytest.mark.outside_hosts("service.pdok.nl")
def test_background_map_requested_only_when_switched_on_and_page_survives_without_it(server, page):
    _open(page, f"{server}/?lang=en")  # background on by default; the browser fixture aborts its tiles
    assert "service.pdok.nl" in page.requested_hosts
    assert page.locator("#legend ul[aria-labelledby] li").count() == 6 and page.errors == []


def test_keyboard_region_search_and_phone_layout(server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="nl-NL")
    phone = context.new_page()
    _open(phone, f"{server}/?bg=0")
    assert phone.inner_text("#legend-title").startswith("Aandeel")
    phone.click("#menu")  # the controls start folded away on a phone (issue 16)
    phone.focus("#region-search")
    phone.keyboard.type("Maastricht (GM0935)")
    phone.dispatch_event("#region-search", "change")
    phone.wait_for_selector(".profile-name")
    assert phone.inner_text(".profile-name") == "Maastricht"
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page must not scroll sideways on a phone"
    assert re.search(r"region=GM0935", phone.url)
    _shot(phone, "05-phone")
    context.close()


def test_overlays_show_kennissteden_and_the_topsector_network(server, page):
    _open(page, f"{server}/?bg=0&lang=en&level=provincie&indicator=kwb_pct_higher_educated")
    page.check("#ov-kennisstad")
    page.wait_for_function("document.querySelectorAll('.leaflet-ov-places-pane .place-kennisstad').length === 13")
    page.check("#ov-network")
    page.select_option("#topsector", "htsm")
    page.wait_for_function("document.querySelectorAll('.leaflet-ov-links-pane path.network-link').length === 4")
    assert "overlays=kennisstad%2Cnetwork" in page.url or "overlays=kennisstad,network" in page.url
    _shot(page, "06-overlays")


def test_boundary_year_is_shown_and_remapped_figures_say_so(server, page):
    """2014 population on 2023 municipalities: the picker shows 2023, the legend says what was re-mapped,
    the tiles ask for those boundaries, and choosing the data's own boundaries puts it back on 2014."""
    _open(page, f"{server}/?bg=0&lang=nl&indicator=population&level=gemeente&year=2014&boundary=2023")
    assert page.is_visible("#year") and page.is_visible("#boundary-year")
    assert page.input_value("#boundary-year") == "2023" and page.inner_text("#year-out") == "2014"
    territory = page.inner_text("#legend-territory")
    assert territory == ("Getoond op gemeentegrenzen van 2023; cijfers van 2014 (gemeten op grenzen van 2014) "
                         "omgerekend (geschat)")
    assert all("boundary_year=2023" in src for src in _tiles(page))
    page.wait_for_function("document.querySelector('#map').dataset.hitLayer === 'gemeente/2023'")
    page.select_option("#boundary-year", "")
    page.wait_for_function("document.querySelector('#legend-territory').textContent.includes('van 2014 (die van de gegevens)')")
    page.wait_for_function("document.querySelector('#map').dataset.hitLayer === 'gemeente/2014'")
    assert "boundary" not in parse_qs(urlparse(page.url).query)
    _shot(page, "05-boundary-year")
