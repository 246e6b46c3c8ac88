"""The page in Dutch and English: number formats, Dutch texts, thin layers as labelled values (headless Chromium)."""

from __future__ import annotations

import re

import pytest
from test_web import READY

pytestmark = pytest.mark.browser

# Words that are English and not Dutch: any of them outside an element marked lang="en" is untranslated text.
ENGLISH = {
    "the", "of", "and", "with", "without", "value", "values", "rank", "source", "persons", "people", "share", "approx",
    "inferred", "withheld", "fewer", "than", "regions", "region", "aggregated", "national", "median", "figure",
    "year", "years", "lower", "higher", "better", "classes", "computed", "only", "for", "this", "by", "employed",
    "expenditure", "own", "personnel", "average", "between", "has", "have", "from", "most", "least", "provisional",
    "break", "series", "total", "district", "municipality", "province", "inhabitants", "households", "missing",
}
UNMARKED_TEXT = """(selector) => {
  const out = [];
  document.querySelectorAll(selector).forEach((root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      if (!node.parentElement.closest('[lang="en"]')) out.push(node.textContent);
    }
  });
  return out.join(" ");
}"""


def _open(browser, base: str, query: str, locale: str = "nl-NL"):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale=locale)
    page = context.new_page()
    page.goto(f"{base}/?bg=0&{query}")  # no background map: it is an outside host
    page.wait_for_selector(READY, timeout=60_000)
    return context, page


def _hover(page, code: str) -> str:
    """Move the mouse onto a point inside a region's drawn shape and return the tooltip's HTML."""
    point = page.wait_for_function("(code) => atlas.hover.pointOf(code)", arg=code).json_value()
    page.mouse.move(*point)
    page.wait_for_selector(".leaflet-tooltip", timeout=10_000)
    return page.inner_html(".leaflet-tooltip")


def test_thin_layer_is_labelled_values_with_the_coverage_sentence_in_each_language(server, browser):
    query = "indicator=rd_expenditure_business&level=corop&year=2019"
    context, page = _open(browser, server, query + "&lang=nl")
    try:
        assert page.get_attribute("#map", "data-display") == "labels"
        assert page.inner_text("#coverage-note") == "1 van 40 COROP-regio's heeft een waarde"
        assert page.locator(".leaflet-tile-pane img[src*='/tiles/corop/rd_expenditure_business']").count() == 0
        label = page.inner_text(".value-label")
        assert "Zuidoost-Noord-Brabant" in label and "3.000" in label and "circa" in label
        assert "3.000" in page.inner_text("#legend .class-label")
    finally:
        context.close()
    context, page = _open(browser, server, query + "&lang=en", locale="en-GB")
    try:
        assert page.inner_text("#coverage-note") == "1 of 40 COROP regions has a value"
        assert "3,000" in page.inner_text("#legend .class-label") and "3,000" in page.inner_text(".value-label")
    finally:
        context.close()


@pytest.mark.parametrize("query, code", [
    ("indicator=rd_expenditure_total_own_personnel&level=provincie&year=2016", "PV30"),
    ("indicator=kwb_pct_higher_educated&level=gemeente&year=2022", "GM0344"),
    ("indicator=kwb_urbanity&level=gemeente&year=2022", "GM0363"),
])
def test_dutch_legend_tooltip_and_profile_have_no_unmarked_english(server, browser, query, code):
    context, page = _open(browser, server, f"{query}&lang=nl&region={code}")
    try:
        page.wait_for_selector(f"#profile .profile-col[data-code='{code}']", timeout=30_000)
        tooltip = _hover(page, code)
        assert tooltip
        text = page.evaluate(UNMARKED_TEXT, "#legend, .leaflet-tooltip, #profile, #coverage-note")
        words = set(re.findall(r"[a-z]+", text.lower()))
        assert not words & ENGLISH, f"English outside lang='en': {sorted(words & ENGLISH)}"
        assert page.locator("#legend [lang='en']").count() >= 1  # the source citation stays English, marked
    finally:
        context.close()


def test_numbers_follow_the_page_language(server, browser):
    query = "indicator=rd_expenditure_total_own_personnel&level=provincie&year=2016&region=PV30"
    context, page = _open(browser, server, query + "&lang=nl")
    try:
        page.wait_for_selector("#profile .profile-col[data-code='PV30']", timeout=30_000)
        row = page.inner_text("#profile tr[data-indicator='rd_expenditure_total_own_personnel']")
        assert "3.012" in row and "voorlopig" in row and "Breuk in de reeks vanaf 2011" in row
        assert "14.300" in page.inner_text("#legend .reference")
        assert page.locator("#legend .ramp .tick").count() == 1
    finally:
        context.close()
    context, page = _open(browser, server, query + "&lang=en", locale="en-GB")
    try:
        page.wait_for_selector("#profile .profile-col[data-code='PV30']", timeout=30_000)
        row = page.inner_text("#profile tr[data-indicator='rd_expenditure_total_own_personnel']")
        assert "3,012" in row and "provisional" in row
        assert "14,300" in page.inner_text("#legend .reference")
    finally:
        context.close()
