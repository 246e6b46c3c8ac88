"""The analysis panel in headless Chromium: it opens from the URL, draws its charts with Observable Plot from
the page's own server, and shows the same numbers as the analysis API."""

from __future__ import annotations

import json
import urllib.request

import pytest

from atlas.settings import REPO_ROOT

pytestmark = pytest.mark.browser
SHOTS = REPO_ROOT / "screenshots"
DONE = "document.querySelector('#analysis-output').dataset.state === 'done'"


def _json(url: str) -> dict:
    with urllib.request.urlopen(url) as response:
        return json.load(response)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1500, "height": 950}, locale="en-GB")
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return page


def test_analysis_panel_reads_the_same_numbers_as_the_api(server, page):
    page.goto(f"{server}/?bg=0&lang=en&indicator=h2020_participations&level=gemeente&analysis=view%3Dconcentration")
    page.wait_for_selector("body[data-ready='1']", timeout=60_000)
    page.wait_for_function(DONE, timeout=60_000)
    api = _json(f"{server}/api/v1/analysis/concentration/gemeente/h2020_participations")
    headline = page.locator("#an-headline")
    assert headline.get_attribute("data-half") == str(api["regions_holding_half"])
    assert headline.inner_text().startswith(f"{api['regions_holding_half']} of {api['regions']} regions hold half")
    assert page.locator("#chart-lorenz svg[role=img]").count() == 1 and page.locator("#chart-lorenz figcaption").inner_text()
    first = page.locator("#analysis-output table tbody tr").first.inner_text()
    assert api["top_regions"][0]["name"] in first
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "analysis-concentration.png"))

    page.select_option("#indicator", "kwb_pct_higher_educated")
    page.click("#tab-clusters")
    page.wait_for_function(DONE, timeout=60_000)
    clusters = _json(f"{server}/api/v1/analysis/clusters/gemeente/kwb_pct_higher_educated")
    assert float(page.locator("#an-headline").get_attribute("data-moran")) == pytest.approx(clusters["moran"]["I"])
    page.wait_for_function("[...document.querySelectorAll('#map img.leaflet-tile-loaded')].some(e => e.src.includes('/analysis/clusters/'))")
    page.screenshot(path=str(SHOTS / "analysis-clusters.png"))

    page.click("#tab-pair")
    page.wait_for_function(DONE, timeout=60_000)
    page.check("#an-per")
    page.click("#an-run")
    page.wait_for_function(DONE + " && document.querySelector('#an-headline').textContent.includes('×')", timeout=60_000)
    assert "y_per=inhabitant" in page.url or "y_per%3Dinhabitant" in page.url
    scatter = _json(f"{server}/api/v1/analysis/scatter/gemeente?x_indicator=kwb_pct_higher_educated"
                    "&y_indicator=h2020_participations&y_per=inhabitant")
    page.wait_for_function(DONE)
    assert float(page.locator("#an-headline").get_attribute("data-spearman")) == pytest.approx(scatter["spearman"]["rho"])
    assert page.locator("#chart-scatter circle").count() == scatter["n"]
    page.screenshot(path=str(SHOTS / "analysis-scatter.png"))

    page.click("#tab-kennissteden")
    page.wait_for_function(DONE, timeout=60_000)
    assert page.locator("#chart-benchmark circle").count() == 13
    assert "Eindhoven" in page.inner_text("#analysis-output table")
    page.screenshot(path=str(SHOTS / "analysis-kennissteden.png"))
    assert page.errors == []


def test_a_shared_composite_url_reproduces_the_index_and_its_map(server, page):
    shared = "view=composite&indicators=kwb_pct_higher_educated,kwb_income_low&weights=2,1&normalisation=zscore"
    page.goto(f"{server}/?bg=0&lang=en&indicator=kwb_pct_higher_educated&level=gemeente&analysis={shared.replace('&', '%26')}")
    page.wait_for_selector("body[data-ready='1']", timeout=60_000)
    page.wait_for_function(DONE, timeout=60_000)
    api = _json(f"{server}/api/v1/analysis/composite/gemeente?indicators=kwb_pct_higher_educated,kwb_income_low"
                "&weights=2,1&normalisation=zscore&sensitivity=0.5&missing=complete")
    top = page.locator("#analysis-output table tbody tr").first.inner_text()
    assert api["rows"][0]["name"] in top and top.startswith("1")
    assert page.input_value("#an-weightlist") == "2,1" and page.input_value("#an-normalisation") == "zscore"
    assert "kwb_income_low 2022 ×1 (↓)" in page.inner_text("#an-headline")
    page.wait_for_function("[...document.querySelectorAll('#map img.leaflet-tile-loaded')].some(e => e.src.includes('/analysis/composite/'))")
    recipe = page.get_attribute("#analysis-output a[download]", "href")
    assert recipe.startswith("/api/v1/analysis/composite/gemeente?") and recipe.endswith("format=csv")

    page.select_option("#indicator", "population")
    page.click("#tab-change")
    page.wait_for_function(DONE + " && document.querySelector('#tab-change').getAttribute('aria-selected') === 'true'",
                           timeout=60_000)
    assert "2014–2022" in page.inner_text("#an-headline")  # a slower answer for the earlier view must not overwrite it
    page.wait_for_function("[...document.querySelectorAll('#map img.leaflet-tile-loaded')].some(e => e.src.includes('/analysis/change/'))")
    page.screenshot(path=str(SHOTS / "analysis-change.png"))
    assert page.errors == []
