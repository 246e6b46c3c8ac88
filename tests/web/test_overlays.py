"""Overlays in headless Chromium: their own tooltips above the region hover layer, the overlay legend, the startup
ecosystems and the flow map of a measured network.

The kennisstad, campus, startup and network tooltips must answer the mouse although the invisible region layer
that shows region values covers the whole map (issue 14). Screenshots go to `screenshots/`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_web import READY, _shot
from test_web_locale import ENGLISH, UNMARKED_TEXT

pytestmark = pytest.mark.browser
MEASURED = Path(__file__).parents[1] / "fixtures" / "synthetic_measured_network.geojson"

# The page position of a point on a layer that the pointer would really reach there (the topmost element).
POINT_ON = """([kind, match, dx, dy]) => {
  const box = atlas.map.getContainer().getBoundingClientRect();
  const found = [];
  atlas.ov.layers[kind].layer.eachLayer(function walk(l) {
    if (l.eachLayer) { l.eachLayer(walk); return; }
    found.push(l);
  });
  for (const l of found) {
    const el = l.getElement ? l.getElement() : l._path;
    if (!el || !el.matches(match)) continue;
    const ats = l.getLatLngs ? l.getLatLngs() : [l.getLatLng()];
    // a network node answers only on its ring: try its edge as well
    const offsets = [[dx, dy], ...(l.getRadius ? [[l.getRadius(), 0], [0, l.getRadius()], [-l.getRadius(), 0]] : [])];
    for (const at of ats.slice(Math.floor(ats.length / 3)).concat(ats)) {
      for (const [ox, oy] of offsets) {
        const p = atlas.map.latLngToContainerPoint(at);
        const x = p.x + box.left + ox, y = p.y + box.top + oy;
        const top = document.elementFromPoint(x, y);
        if (top && (top === el || el.contains(top))) return [x, y];
      }
    }
  }
  return null;
}"""


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(READY, timeout=60_000)


def _hover(page, kind: str, match: str, tip: str, dx: float = 0, dy: float = 0) -> str:
    """Move onto the overlay element and return the text of the one tooltip open then, which must be of class `tip`."""
    page.mouse.move(0, 0)
    page.wait_for_function("document.querySelectorAll('.leaflet-tooltip').length === 0")
    point = page.evaluate(POINT_ON, [kind, match, dx, dy])
    assert point, f"no reachable {match} on the {kind} overlay"
    page.mouse.move(*point)
    page.wait_for_selector(".leaflet-tooltip", timeout=10_000)
    assert page.locator(".leaflet-tooltip").count() == 1 and page.locator(f".leaflet-tooltip.{tip}").count() == 1
    return page.inner_text(f".leaflet-tooltip.{tip}")


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return page


def test_link_and_kennisstad_tooltips_answer_above_the_region_layer(server, page):
    _open(page, f"{server}/?bg=0&lang=en&level=provincie&indicator=kwb_pct_higher_educated"
                "&overlays=kennisstad,network&topsector=htsm")
    page.wait_for_function("document.querySelectorAll('.leaflet-ov-links-pane path.network-link.qualitative').length === 4")
    page.wait_for_function("document.querySelectorAll('.leaflet-ov-places-pane .place-kennisstad').length === 13")
    link = _hover(page, "network", "path.network-link", "link-tip")
    assert " – " in link and "qualitative link (named in the report text; no measured weight)" in link
    _shot(page, "14-link-tooltip")
    city = _hover(page, "kennisstad", ".place-kennisstad", "place-tip")
    assert "(knowledge city)" in city and "Netwerk Kennissteden Nederland" in city
    legend = page.inner_text("#overlay-legend")
    assert "Knowledge city (point inside the municipality)" in legend
    assert ("Dashed line: qualitative link, named together in the Rathenau report text; no measured weight and no "
            "network metrics") in legend
    assert page.locator("#overlay-legend .qualitative-key line[stroke-dasharray]").count() == 1
    assert page.locator(".node-label").count() >= 1  # the biggest nodes are named on the map
    # away from the overlays the regions underneath still answer (Fryslân holds no overlay symbol or link)
    page.mouse.move(0, 0)
    page.mouse.move(*page.wait_for_function("atlas.hover.pointOf('PV21')").json_value())
    page.wait_for_selector(".leaflet-tooltip.hover")
    assert page.inner_text(".leaflet-tooltip.hover").startswith("Frysl")  # the 2022 file spells it Fryslan
    assert page.errors == []
    _shot(page, "14-kennisstad-tooltip")


def test_startup_layer_shows_five_metros_with_their_figures(server, page):
    _open(page, f"{server}/?bg=0&lang=en&level=provincie&indicator=kwb_pct_higher_educated&overlays=startup")
    page.wait_for_function("document.querySelectorAll('.leaflet-ov-startups-pane .startup-icon').length === 5")
    # the diamond is an outline around the core city: hover its stroke, halfway up its upper-left edge
    text = _hover(page, "startup", ".startup-icon", "startup-tip", -7, -7)
    assert "VC-backed startups" in text and "University spinouts" in text and "Unicorns" in text
    assert "Dealroom.co, as of 6 September 2025" in text and "period not stated by Dealroom" in text
    names = page.evaluate("""() => { const out = []; atlas.ov.layers.startup.layer.eachLayer((l) => out.push(
        l.getTooltip().getContent().match(/<strong>(?:<span lang="en">)?([^<]+)/)[1])); return out.sort(); }""")
    assert names == ["Amsterdam Metropolitan Area", "Brainport Eindhoven", "Leiden", "Rotterdam Metropolitan Area",
                     "Utrecht Region"]
    assert "Dealroom.co" in page.inner_text(".leaflet-control-attribution")
    assert "Startup ecosystem: Dealroom's area, drawn at its core city" in page.inner_text("#overlay-legend")
    assert page.errors == []
    _shot(page, "14-startups")


def test_measured_network_flow_map_widths_colours_slider_and_tooltips(server, page):
    """A synthetic measured network (fixture) in place of the server's answer: solid links scaled to weight,
    coloured by programme part, the strongest N by a slider, the within-region link drawn on its node."""
    body = MEASURED.read_text(encoding="utf-8")
    page.route(re.compile(r"/api/v1/networks/htsm\?"), lambda route: route.fulfill(
        status=200, content_type="application/json", body=body))
    _open(page, f"{server}/?bg=0&lang=en&level=gemeente&overlays=network&topsector=htsm")
    page.wait_for_function("document.querySelectorAll('path.network-link.measured').length === 10")
    widths = page.eval_on_selector_all("path.network-link.measured", "els => els.map(e => +e.getAttribute('stroke-width'))")
    assert max(widths) == 10 and min(widths) == pytest.approx(1.2 + 8.8 * 5 / 75, abs=0.01)
    colours = set(page.eval_on_selector_all("path.network-link.measured", "els => els.map(e => e.getAttribute('stroke'))"))
    assert len(colours) == 3  # three programme parts
    legend = page.inner_text("#overlay-legend")
    assert "Measured links: width = number of shared projects (strongest 10 of 10)" in legend
    assert page.locator("#overlay-legend .width-sample").count() == 3
    assert "LEIT" in legend and "Circle size: shared projects within the region" in legend
    tip = _hover(page, "network", "path.network-link.measured", "link-tip")
    strongest = "Eindhoven – Delft: 75 shared projects, 2014-2020, LEIT"
    assert any(line.startswith(("Eindhoven – ", "Delft – ", "Amsterdam – ", "Leiden – ", "Wageningen – ", "Enschede – ",
                                "Groningen – ", "Utrecht – ")) for line in tip.splitlines())
    page.evaluate("(() => { const s = document.querySelector('#network-top'); s.value = 1; "
                  "s.dispatchEvent(new Event('input')); })()")
    page.wait_for_function("document.querySelectorAll('path.network-link.measured').length === 1")
    assert "ntop=1" in page.url and page.inner_text("#network-top-out") == "1 of 10"
    assert _hover(page, "network", "path.network-link.measured", "link-tip").splitlines()[0] == strongest
    page.select_option("#network-colour", "province")
    page.wait_for_function("document.querySelector('#overlay-legend').textContent.includes('between provinces')")
    node = _hover(page, "network", "path.network-node", "node-tip")
    assert "shared projects within the region" in node
    nodes = json.loads(body)["features"]
    assert page.locator("path.network-node").count() == sum(f["properties"]["kind"] == "node" for f in nodes)
    assert page.errors == []
    _shot(page, "14-flow-map")


def test_overlay_legend_and_tooltips_in_dutch_mark_what_stays_english(server, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="nl-NL")
    page = context.new_page()
    _open(page, f"{server}/?bg=0&lang=nl&level=provincie&indicator=kwb_pct_higher_educated"
                "&overlays=kennisstad,campus,startup,network&topsector=lsh")
    page.wait_for_function("document.querySelectorAll('.leaflet-ov-startups-pane .startup-icon').length === 5")
    page.wait_for_function("document.querySelectorAll('path.network-link').length > 0")
    legend = page.inner_text("#overlay-legend")
    assert "Stippellijn: kwalitatieve verbinding" in legend and "stand van 6 september 2025" in legend
    for kind, match, tip, dx, dy in [("startup", ".startup-icon", "startup-tip", -7, -7),
                                     ("network", "path.network-link", "link-tip", 0, 0)]:
        text = _hover(page, kind, match, tip, dx, dy)
        assert text
        unmarked = page.evaluate(UNMARKED_TEXT, "#overlay-legend, .leaflet-tooltip")
        words = set(re.findall(r"[a-z]+", unmarked.lower()))
        assert not words & ENGLISH, f"English outside lang='en' in the {kind} tooltip: {sorted(words & ENGLISH)}"
    assert "kwalitatieve verbinding (genoemd in de tekst van het rapport; geen gemeten gewicht)" in text
    _shot(page, "14-overlays-nl")
    context.close()


def test_measured_h2020_network_is_the_default_and_names_its_strongest_link(server, page):
    """The real CORDIS network: offered first, drawn from the measured endpoint, its strongest gemeente pair read
    from the link's own tooltip (Utrecht and Amsterdam share 110 Horizon 2020 projects)."""
    _open(page, f"{server}/?bg=0&lang=en&level=gemeente&indicator=kwb_pct_higher_educated&overlays=network&ntop=1")
    assert page.input_value("#topsector") == "m:cordis-h2020"
    labels = page.eval_on_selector_all("#topsector option", "els => els.map(e => e.textContent)")
    assert labels[0] == "Horizon 2020, measured: all programme parts"
    assert any(label.endswith("(qualitative, report text)") for label in labels)
    page.wait_for_function("document.querySelectorAll('path.network-link.measured').length === 1")
    tip = _hover(page, "network", "path.network-link.measured", "link-tip").splitlines()[0]
    assert re.match(r"(Utrecht – Amsterdam|Amsterdam – Utrecht): 110 shared projects", tip), tip
    assert "Measured links: width = number of shared projects (strongest 1 of " in page.inner_text("#overlay-legend")
    assert page.errors == []
    _shot(page, "14-measured-h2020")
