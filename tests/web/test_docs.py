"""The API documentation in headless Chromium with every outside host blocked (see the `browser` fixture):
Swagger UI and ReDoc come from the npm packages the atlas serves itself, so `/docs` and `/redoc` work offline."""

from __future__ import annotations

import json
import urllib.request

import pytest

pytestmark = pytest.mark.browser


def _operations(server: str) -> set[tuple[str, str]]:
    with urllib.request.urlopen(server + "/openapi.json", timeout=30) as response:
        paths = json.load(response)["paths"]
    return {(method.upper(), path) for path, operations in paths.items() for method in operations}


def test_swagger_ui_renders_every_operation_offline(server, browser):
    page = browser.new_context(bypass_csp=False).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=30_000)
    shown = page.eval_on_selector_all(".opblock", """els => els.map(e => [
        e.querySelector('.opblock-summary-method').textContent,
        e.querySelector('.opblock-summary-path').getAttribute('data-path')])""")
    assert {tuple(op) for op in shown} == _operations(server)
    assert page.inner_text(".info .title").startswith("Innovation Atlas NL")
    assert errors == []


def test_redoc_renders_every_operation_offline(server, browser):
    page = browser.new_context(bypass_csp=False).new_page()
    page.goto(f"{server}/redoc")
    page.wait_for_selector("[data-section-id*='/operation/']", timeout=30_000)
    shown = page.locator("[data-section-id*='/operation/']").count()
    assert shown == len(_operations(server))
    assert "Innovation Atlas NL" in page.inner_text("h1")
