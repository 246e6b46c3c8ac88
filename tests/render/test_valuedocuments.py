"""The values answers the build renders: each is byte for byte what rendering on request gives, the default year
shares the latest year's body, and the API answers from them without computing (a damaged file makes the build
rebuild: tests/test_selfheal.py)."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from api.app import create_app
from atlas.figures.values import available_levels, available_years, indicator_values
from atlas.render.valuedocuments import values_document


def test_every_held_answer_is_what_rendering_on_request_gives(data):
    held = data.value_documents
    expected: set[tuple[str, str, int | None]] = {
        (i.id, level, year) for i in data.catalogue.indicators.values() for level in available_levels(data, i)
        for year in available_years(data, i, level)}
    expected |= {(i.id, level, None) for i in data.catalogue.indicators.values() if i.undated
                 for level in available_levels(data, i)}
    assert set(held.documents) <= expected and len(held.documents) >= 400
    assert len(held.latest) >= 100
    for key in [*held.documents, *((indicator, level, None) for indicator, level in held.latest)]:
        # rendered now, past the store, from the values the build's table holds
        assert held.get(key) == values_document(data, indicator_values(data, *key)), key


def test_the_default_year_is_the_latest_years_body(data):
    held = data.value_documents
    latest = held.get(("rd_expenditure_business", "corop", None))
    year = json.loads(latest)["meta"]["year"]
    assert latest is held.get(("rd_expenditure_business", "corop", year))
    assert year == available_years(data, data.catalogue.get("rd_expenditure_business"), "corop")[-1] == 2019
    assert held.get(("rd_expenditure_business", "gemeente", None)) is None  # a level it does not reach


def test_the_api_answers_held_values_without_computing_and_computes_the_rest(data):
    client = TestClient(create_app(data))

    def misses() -> int:
        return next(s.misses for s in data.caches.stats() if s.name == "values")

    before = misses()
    held = client.get("/api/v1/indicators/kwb_population/values", params={"level": "gemeente"})
    assert held.status_code == 200 and misses() == before
    body = held.json()
    assert body["meta"]["boundary_year"] == body["meta"]["year"] == 2022 and len(body["values"]) == 345
    assert held.content == data.value_documents.get(("kwb_population", "gemeente", None))
    within = client.get("/api/v1/indicators/kwb_population/values", params={"level": "gemeente", "within": "PV26"})
    assert within.status_code == 200 and len(within.json()["values"]) == 26
    assert within.json()["meta"] == body["meta"]
    other = client.get("/api/v1/indicators/kwb_population/values", params={"level": "gemeente", "boundary_year": 2023})
    assert other.status_code == 200 and other.json()["meta"]["boundary_year"] == 2023
    assert misses() > before
    refused = client.get("/api/v1/indicators/kwb_population/values", params={"level": "gemeente", "year": 1900})
    assert refused.status_code == 400 and "2022" in refused.text
