"""Indicator semantics on the real data: direction, precision, qualifiers, breaks, disclosure, coverage, reference."""

import csv
import io
import json
import tomllib

import mapbox_vector_tile
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from atlas.errors import DataValidationError
from atlas.render.schemes import scheme_colours
from atlas.render.tilegrid import tile_containing
from atlas.sources.catalogue import CATALOGUE_PATH, load_catalogue


@pytest.fixture(scope="module")
def client(data):
    return TestClient(create_app(data))


def _mvt_properties(client, level: str, indicator: str, z: int = 5, **params) -> dict[str, dict]:
    x, y = tile_containing(5.3, 52.2, z)  # at zoom 5 one tile holds the whole country
    response = client.get(f"/api/v1/tiles/{level}/{indicator}/{z}/{x}/{y}.mvt", params=params)
    assert response.status_code == 200
    return {f["properties"]["code"]: f["properties"] for f in mapbox_vector_tile.decode(response.content)[level]["features"]}


def test_ris_rank_map_gives_the_best_region_the_strongest_colour_with_integer_limits(client):
    legend = client.get("/api/v1/legend/provincie/ris2019_rank").json()
    ramp = scheme_colours(legend["scheme"]["name"], legend["classes"])
    tiles = _mvt_properties(client, "provincie", "ris2019_rank")
    utrecht, fryslan = tiles["PV26"], tiles["PV21"]
    assert (utrecht["value"], fryslan["value"]) == (18, 125)
    assert utrecht["colour"] == ramp[-1] and fryslan["colour"] == ramp[0]
    for entry in legend["entries"]:
        assert float(entry["lower"]).is_integer() and float(entry["upper"]).is_integer()
    for later, earlier in zip(legend["entries"][1:], legend["entries"]):
        assert later["lower"] > earlier["upper"], "class limits must not overlap"
    for props in tiles.values():
        if "value" in props:
            entry = legend["entries"][props["class"]]
            assert entry["lower"] <= props["value"] <= entry["upper"] and entry["colour"] == props["colour"]
            assert isinstance(props["value"], int) and "rank" not in props  # 5 of 12 provinces: too thin to rank


def test_lower_is_better_ranks_the_lowest_value_first(client):
    values = client.get("/api/v1/indicators/kwb_income_low/values", params={"level": "gemeente", "year": 2022}).json()
    ranked = sorted((v for v in values["values"] if v["rank"] is not None), key=lambda v: v["rank"])
    assert values["meta"]["direction"] == "lower_is_better"
    assert ranked[0]["value"] == min(v["value"] for v in ranked) and ranked[0]["percentile"] == 100
    assert ranked[-1]["value"] == max(v["value"] for v in ranked)


def test_private_rd_2015_of_cr36_carries_its_qualifier_everywhere(client):
    body = client.get("/api/v1/indicators/rd_expenditure_business/values", params={"level": "corop", "year": 2015}).json()
    cr36 = next(v for v in body["values"] if v["code"] == "CR36")
    assert cr36["value"] == 1500 and isinstance(cr36["value"], int)
    assert set(cr36["qualifier"].split(",")) == {"at_least", "approx", "year_inferred"}
    assert body["meta"]["qualifiers"]["year_inferred"]["nl"] == "jaar afgeleid"
    text = client.get("/api/v1/indicators/rd_expenditure_business/values",
                      params={"level": "corop", "year": 2015, "format": "csv"}).text
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["code"] == "CR36")
    assert row["value"] == "1500" and row["qualifier"] == cr36["qualifier"]
    layer = client.get("/api/v1/layers/corop", params={"year": 2015, "indicators": "rd_expenditure_business",
                                                        "simplify": 500}).json()
    props = next(f["properties"] for f in layer["features"] if f["properties"]["code"] == "CR36")
    assert props["rd_expenditure_business"] == 1500 and props["rd_expenditure_business__qualifier"] == cr36["qualifier"]
    profile = client.get("/api/v1/regions/CR36").json()
    series = next(i for i in profile["indicators"] if i["id"] == "rd_expenditure_business")["series"]
    assert next(p for p in series if p["year"] == 2015)["qualifier"] == cr36["qualifier"]


def test_total_rd_series_of_noord_brabant_breaks_between_2001_and_2014(client):
    profile = client.get("/api/v1/regions/PV30").json()
    entry = next(i for i in profile["indicators"] if i["id"] == "rd_expenditure_total_own_personnel")
    by_year = {p["year"]: p for p in entry["series"]}
    assert by_year[2001]["segment"] != by_year[2014]["segment"] == by_year[2016]["segment"]
    assert [b["year"] for b in by_year[2014]["break_before"]] == [2011]
    assert "2011" in by_year[2014]["break_before"][0]["reason"]["nl"]
    assert "break_before" not in by_year[2015] and by_year[2016]["qualifier"] == "provisional"


def test_no_wijk_below_the_disclosure_rule_has_a_value_or_rank(data, client):
    rows = data.observations_of("kwb_population")
    population = dict(rows.loc[(rows["level"] == "wijk") & (rows["year"] == 2022), ["code", "value"]].values)
    for indicator in ("kwb_pct_higher_educated", "kwb_pct_age_0_14", "kwb_employment_rate"):
        body = client.get(f"/api/v1/indicators/{indicator}/values", params={"level": "wijk", "year": 2022}).json()
        minimum = body["meta"]["min_population"]
        small = [v for v in body["values"] if population.get(v["code"], 0) < minimum]
        assert minimum == 200 and len(small) > 100
        assert all(v["value"] is None and v["rank"] is None and v["missing_reason"] for v in small)
        assert any(v["value"] is not None for v in body["values"] if population.get(v["code"], 0) >= minimum)


def test_coverage_reports_one_of_forty_for_corop_business_rd_and_withholds_ranks(client):
    body = client.get("/api/v1/coverage", params={"indicator": "rd_expenditure_business", "level": "corop"}).json()
    assert body["coverage"] and all(r["regions_with_value"] == 1 and r["regions"] == 40 for r in body["coverage"])
    assert body["coverage"][0]["sentence"]["en"] == "1 of 40 COROP regions has a value"
    legend = client.get("/api/v1/legend/corop/rd_expenditure_business", params={"year": 2015}).json()
    assert legend["display"] == "labels" and not legend["coverage"]["sufficient"]
    values = client.get("/api/v1/indicators/rd_expenditure_business/values", params={"level": "corop", "year": 2015}).json()
    assert all(v["rank"] is None and v["percentile"] is None for v in values["values"])
    full = client.get("/api/v1/coverage", params={"indicator": "population", "level": "gemeente", "year": 2022}).json()
    assert full["coverage"][0]["regions_with_value"] == full["coverage"][0]["regions"] == 345


@pytest.mark.parametrize("params, parameter", [
    ({"indicator": "rd_expenditure_business", "level": "wijk"}, "level"),
    ({"indicator": "rd_expenditure_business", "level": "corop", "year": 2014}, "year"),
])
def test_bad_coverage_request_names_the_parameter_and_choices(client, params, parameter):
    response = client.get("/api/v1/coverage", params=params)
    assert response.status_code == 400
    assert response.json()["parameter"] == parameter and response.json()["valid"]
    assert client.get("/api/v1/coverage", params={"indicator": "nope"}).status_code == 404


def test_every_national_figure_in_the_data_is_the_reference(data, client):
    rows = data.observations[(data.observations["level"] == "land") & data.observations["value"].notna()]
    checked = 0
    for (indicator, year), group in rows.groupby(["indicator", "year"]):
        reference = client.get(f"/api/v1/indicators/{indicator}/reference", params={"year": int(year)}).json()
        decimals = data.catalogue.get(indicator).decimals
        assert reference["basis"] == "national_figure" and reference["source"] == group["source"].iloc[0]
        assert reference["value"] == pytest.approx(round(group["value"].iloc[0], decimals))
        checked += 1
    assert checked >= 40
    summed = client.get("/api/v1/indicators/population/reference", params={"year": 2022}).json()
    assert summed["basis"] == "aggregate" and summed["value"] == sum(
        v["value"] for v in client.get("/api/v1/indicators/population/values",
                                       params={"level": "gemeente", "year": 2022}).json()["values"])
    legend = client.get("/api/v1/legend/provincie/rd_expenditure_total_own_personnel", params={"year": 2016}).json()
    assert legend["reference"]["value"] == 14300 and legend["reference"]["qualifier"] == "at_most"


def test_diverging_scheme_only_with_a_midpoint_and_centred_on_it(client):
    legend = client.get("/api/v1/legend/provincie/ris2019_regional_innovation_index",
                        params={"scheme": "RdBu", "classes": 4}).json()
    uppers = [e["upper"] for e in legend["entries"]]
    assert 100 in uppers
    below = uppers.index(100) + 1
    half = max(below, len(uppers) - below)
    ramp = scheme_colours("RdBu", 2 * half)
    assert [e["colour"] for e in legend["entries"]] == list(ramp[half - below:half + len(uppers) - below])
    refused = client.get("/api/v1/legend/gemeente/population", params={"scheme": "RdBu"})
    assert refused.status_code == 400 and refused.json()["parameter"] == "scheme" and "Greys" in refused.json()["valid"]
    default = client.get("/api/v1/legend/provincie/ris2017_score_vs_eu_pct").json()
    assert default["scheme"]["kind"] == "diverging" and default["midpoint"] == 0


def test_categories_keep_their_order_strongest_first(client):
    urbanity = client.get("/api/v1/legend/gemeente/kwb_urbanity", params={"year": 2022}).json()
    ramp = scheme_colours(urbanity["scheme"]["name"], urbanity["classes"])
    assert urbanity["entries"][0]["label"] == "extremely urbanised" and urbanity["entries"][0]["colour"] == ramp[-1]
    assert urbanity["entries"][0]["label_text"]["nl"] == "zeer sterk stedelijk"
    groups = client.get("/api/v1/indicators/ris_performance_group/values", params={"level": "provincie", "year": 2017}).json()
    by_code = {v["code"]: v for v in groups["values"]}
    for code in ("PV23", "PV24", "PV22"):  # Overijssel, Flevoland, Drenthe from Rathenau 2018 Table 1
        assert by_code[code]["text"] == "strong innovator" and by_code[code]["source"].startswith("Rathenau Instituut (2018)")
    assert all(v["text"] for v in groups["values"])


def test_values_are_served_at_the_published_precision(client):
    share = client.get("/api/v1/indicators/pct_higher_educated_15_75/values", params={"level": "provincie"}).json()
    assert all(isinstance(v["value"], int) for v in share["values"] if v["value"] is not None)
    fte = client.get("/api/v1/indicators/rd_fte_total_own_personnel/values", params={"level": "provincie"}).json()
    assert all(isinstance(v["value"], int) for v in fte["values"] if v["value"] is not None)
    rii = client.get("/api/v1/indicators/ris2019_regional_innovation_index/values", params={"level": "provincie"}).json()
    assert {v["code"]: v["value"] for v in rii["values"]}["PV20"] == 118.7


def test_picker_listing_is_ordered_by_theme_and_marks_duplicates(client):
    listing = client.get("/api/v1/indicators").json()
    themes = [i["theme"] for i in listing]
    assert themes[0] == "rd" and themes.index("innovation") < themes.index("population")
    assert themes == sorted(themes, key=["rd", "innovation", "firms", "collaboration", "education", "labour",
                                         "population"].index)
    by_id = {i["id"]: i for i in listing}
    assert by_id["ris2019_regional_innovation_index_published_rounded"]["see_instead"] == "ris2019_regional_innovation_index"
    assert by_id["rd_expenditure_business"]["latest_coverage"]["corop"]["regions_with_value"] == 1
    assert by_id["rd_expenditure_business_own_personnel"]["source"].startswith("CBS StatLine 72015ned")
    assert "82352NED" not in by_id["rd_fte_higher_education_own_personnel"]["source"]


@pytest.mark.parametrize("change, complaint", [
    ({"direction": "upwards"}, "direction 'upwards'"),
    ({"kind": "amount"}, "kind 'amount'"),
    ({"scheme": "RdBu"}, "needs a midpoint"),
    ({"scheme": "Set2"}, "for categories only"),
    ({"precision": 1.5}, "precision"),
    ({"series_breaks": [{"year": 1900, "reason": "x", "reason_nl": "x"}]}, "outside the indicator's years"),
    ({"classification": "jenks"}, "classification 'jenks'"),
    ({"aggregation": "mean"}, "aggregation 'mean'"),
    ({"classificaton": "quantiles"}, "classificaton 'quantiles': Extra inputs are not permitted"),
    ({"derivation": "average"}, "derivation 'average'"),
    ({"caveats_nl": ["x", "y"]}, "caveats_nl must give a Dutch text for each of the 1 caveats"),
])
def test_catalogue_semantics_are_checked_when_it_loads(tmp_path, change, complaint):
    raw = tomllib.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))
    entry = next(e for e in raw["indicator"] if e["id"] == "rd_expenditure_total_own_personnel")
    entry.update(change)
    path = tmp_path / "catalogue.toml"
    path.write_text(_toml(raw), encoding="utf-8")
    with pytest.raises(DataValidationError, match=complaint):
        load_catalogue(path)


def test_every_caveat_has_a_dutch_text():
    indicators = load_catalogue().indicators.values()
    with_caveats = [ind for ind in indicators if ind.caveats]
    assert len(with_caveats) >= 74
    assert [ind.id for ind in with_caveats if len(ind.caveats_nl) != len(ind.caveats)] == []
    assert all(text.strip() for ind in with_caveats for text in ind.caveats_nl)


def test_a_rank_must_be_lower_is_better(tmp_path):
    raw = tomllib.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))
    next(e for e in raw["indicator"] if e["id"] == "ris2019_rank")["direction"] = "higher_is_better"
    path = tmp_path / "catalogue.toml"
    path.write_text(_toml(raw), encoding="utf-8")
    with pytest.raises(DataValidationError, match="ris2019_rank: a rank is better when lower"):
        load_catalogue(path)


def _toml(raw: dict) -> str:
    """Write the catalogue back: inline tables are JSON objects with '=' separators, which TOML accepts."""
    def value(v):
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{json.dumps(k)} = {value(x)}" for k, x in v.items()) + " }"
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return json.dumps(v, ensure_ascii=False)
    blocks = ["[[indicator]]\n" + "".join(f"{k} = {value(v)}\n" for k, v in e.items()) for e in raw["indicator"]]
    return "\n".join(blocks)
