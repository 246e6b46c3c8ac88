"""The HTTP interface on the real data."""

import json

import pyogrio
import pytest
import shapely
import shapely.geometry
from fastapi.testclient import TestClient

from api.app import create_app


@pytest.fixture(scope="module")
def client(data):
    return TestClient(create_app(data))


def test_health_and_levels(client):
    health = client.get("/api/v1/health").json()
    assert health["status"] == "ok" and health["boundary_years"]["gemeente"] == list(range(2014, 2026))
    levels = {lv["level"]: lv["regions_per_year"] for lv in client.get("/api/v1/levels").json()}
    assert levels["provincie"]["2024"] == 12 and levels["wijk"] == {"2022": 3340}


def test_catalogue_entries_carry_source_unit_and_rule(client):
    listing = client.get("/api/v1/indicators").json()
    assert len(listing) == 92  # 74 from CSVs, 15 boundary key figures, 3 H2020 totals from the participation table
    one = client.get("/api/v1/indicators/pct_higher_educated_15_75").json()
    assert one["aggregation"] == {"rule": "weighted_mean", "weight": "population"}
    assert one["title"]["nl"] and one["source"].startswith("CBS") and one["map_levels"] == ["provincie", "corop", "gemeente"]


def test_values_json_has_rank_percentile_and_missing_reasons(client):
    body = client.get("/api/v1/indicators/pct_higher_educated_15_75/values",
                      params={"level": "corop", "year": 2022, "boundary_year": 2021}).json()
    assert body["meta"]["boundary_year"] == 2021 and body["meta"]["unit"] == "% of persons 15-75 (rounded to integer)"
    assert body["meta"]["vintage"]["boundary_year"] == 2022 and body["meta"]["remapped"]
    values = body["values"]
    assert len(values) == 40 and all(v["source_vintage"] == 2022 for v in values)
    missing = [v for v in values if v["value"] is None]
    assert missing and all(v["missing_reason"] and v["rank"] is None for v in missing)
    ranked = sorted(v["rank"] for v in values if v["rank"] is not None)
    assert ranked[0] == 1 and all(v["aggregated"] for v in values)


def test_values_csv(client):
    response = client.get("/api/v1/indicators/population/values", params={"level": "provincie", "year": 2022, "format": "csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert 'filename="population_provincie_2022.csv"' in response.headers["content-disposition"]
    lines = response.text.splitlines()
    assert len(lines) == 13 and lines[0].startswith("code,name,value")


def test_region_profile(client):
    profile = client.get("/api/v1/regions/GM0772", params={"year": 2022}).json()
    assert profile["name"] == "Eindhoven" and profile["parents"]["provincie"]["code"] == "PV30"
    population = next(i for i in profile["indicators"] if i["id"] == "population")
    assert [s["year"] for s in population["series"]] == [2014, 2019, 2022]
    assert population["latest"]["rank"] >= 1 and population["source"]
    assert client.get("/api/v1/regions", params={"level": "corop", "year": 2023}).json()["count"] == 40


def test_geojson_layer_is_rfc7946(client):
    response = client.get("/api/v1/layers/provincie", params={"year": 2022, "indicators": "population,kwb_pct_higher_educated"})
    assert response.headers["content-type"] == "application/geo+json"
    assert 'filename="innovation-atlas-nl_provincie_2022_population-kwb_pct_higher_educated.geojson"' in response.headers["content-disposition"]
    collection = json.loads(response.content)
    assert "crs" not in collection and len(collection["features"]) == 12
    x, y = collection["features"][0]["geometry"]["coordinates"][0][0][0]
    assert 3 < x < 8 and 50 < y < 54
    assert sum(f["properties"]["population"] for f in collection["features"]) == 17_590_672
    assert collection["metadata"]["indicators"]["population"]["unit"] == "persons"


def test_geojson_layer_holds_the_stored_coordinates_to_the_bit_and_missing_values_as_null(client, data):
    """The layer's JSON is written by orjson: every coordinate reads back as the very float the boundary store
    holds, and a missing value is null with its reason beside it, never a number or the invalid `NaN`."""
    indicator = "population_cbs_70072ned"  # CBS 70072ned has this figure for a few of 2022's gemeenten
    response = client.get("/api/v1/layers/gemeente", params={"year": 2022, "indicators": indicator})
    assert b"NaN" not in response.content
    features = json.loads(response.content)["features"]
    stored = data.boundaries.get("gemeente", 2022).to_crs(4326).set_index("code")
    assert len(features) == len(stored) > 300
    for feature in features:
        geometry = shapely.geometry.shape(feature["geometry"])
        assert shapely.equals_exact(geometry, stored.geometry[feature["properties"]["code"]], tolerance=0)
    missing = [f["properties"] for f in features if f["properties"][indicator] is None]
    assert 0 < len(missing) < len(features) and all(p[f"{indicator}__missing"] for p in missing)


def test_geopackage_in_rd_new(client, tmp_path):
    response = client.get("/api/v1/layers/gemeente", params={"year": 2023, "format": "gpkg", "crs": "EPSG:28992"})
    path = tmp_path / "layer.gpkg"
    path.write_bytes(response.content)
    frame = pyogrio.read_dataframe(path)
    assert len(frame) == 342 and frame.crs.to_epsg() == 28992
    minx, miny, maxx, maxy = frame.total_bounds
    assert 0 <= minx and maxx <= 300_000 and 300_000 <= miny and maxy <= 625_000


def test_csv_and_topojson_layers(client):
    csv_text = client.get("/api/v1/layers/corop", params={"year": 2023, "format": "csv"}).text
    assert len(csv_text.splitlines()) == 41 and "geometry" not in csv_text.splitlines()[0]
    topo = client.get("/api/v1/layers/provincie", params={"year": 2023, "format": "topojson"}).json()
    assert topo["type"] == "Topology" and len(next(iter(topo["objects"].values()))["geometries"]) == 12


def test_simplify_keeps_neighbours_sharing_edges(client, tmp_path):
    response = client.get("/api/v1/layers/gemeente", params={"year": 2023, "format": "gpkg", "crs": "EPSG:28992", "simplify": 500})
    path = tmp_path / "s.gpkg"
    path.write_bytes(response.content)
    frame = pyogrio.read_dataframe(path)
    assert len(frame) == 342 and frame.geometry.is_valid.all()
    overlap = frame.geometry.union_all().area
    assert overlap == pytest.approx(frame.geometry.area.sum(), rel=1e-6), "simplified regions must not overlap"


def test_etag_revalidation_and_gzip(client):
    first = client.get("/api/v1/indicators/population/values", params={"level": "gemeente", "year": 2022})
    etag = first.headers["etag"]
    assert first.headers["cache-control"].startswith("public")
    again = client.get("/api/v1/indicators/population/values", params={"level": "gemeente", "year": 2022},
                       headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    raw = client.get("/api/v1/layers/provincie", headers={"Accept-Encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip"


def test_cors_allows_any_origin(client):
    response = client.get("/api/v1/health", headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"


def test_ogc_landing_conformance_collections(client):
    landing = client.get("/ogc").json()
    assert {link["rel"] for link in landing["links"]} >= {"self", "service-desc", "conformance", "data"}
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in client.get("/ogc/conformance").json()["conformsTo"]
    collections = client.get("/ogc/collections").json()["collections"]
    ids = {c["id"] for c in collections}
    assert {"gemeente_2023", "corop_2022", "wijk_2022", "provincie_2016"} <= ids
    gm = next(c for c in collections if c["id"] == "gemeente_2023")
    assert "http://www.opengis.net/def/crs/EPSG/0/28992" in gm["crs"]
    minx, miny, maxx, maxy = gm["extent"]["spatial"]["bbox"][0]
    assert 3 < minx < maxx < 8 and 50 < miny < maxy < 54


def test_ogc_items_paging_bbox_and_crs(client):
    page = client.get("/ogc/collections/gemeente_2023/items", params={"limit": 100, "offset": 300})
    body = page.json()
    assert page.headers["content-type"] == "application/geo+json"
    assert body["numberMatched"] == 342 and body["numberReturned"] == 42
    assert {link["rel"] for link in body["links"]} == {"self", "alternate", "prev", "collection"}
    utrecht = client.get("/ogc/collections/gemeente_2023/items", params={"bbox": "5.05,52.05,5.15,52.12"}).json()
    assert "GM0344" in {f["id"] for f in utrecht["features"]}
    rd = client.get("/ogc/collections/provincie_2023/items/PV26",
                    params={"crs": "http://www.opengis.net/def/crs/EPSG/0/28992"})
    assert rd.headers["content-crs"] == "<http://www.opengis.net/def/crs/EPSG/0/28992>"
    x, y = rd.json()["geometry"]["coordinates"][0][0][0]
    assert 100_000 < x < 200_000 and 400_000 < y < 500_000
    assert "<html" in client.get("/ogc/collections", params={"f": "html"}).text


def test_openapi_has_typed_enums(client):
    spec = client.get("/openapi.json").json()
    params = spec["paths"]["/api/v1/layers/{level}"]["get"]["parameters"]
    assert "Level" in json.dumps(params) and "LayerFormat" in json.dumps(params)
    assert client.get("/docs").status_code == 200


BAD = [
    ("/api/v1/indicators/unknown", 404, "indicator"),
    ("/api/v1/indicators/unknown/values?level=gemeente", 404, "indicator"),
    ("/api/v1/indicators/population/values?level=country", 400, "level"),
    ("/api/v1/indicators/population/values", 400, "level"),
    ("/api/v1/indicators/population/values?level=gemeente&year=1999", 400, "year"),
    ("/api/v1/indicators/population/values?level=gemeente&year=abc", 400, "year"),
    ("/api/v1/indicators/population/values?level=gemeente&format=pdf", 400, "format"),
    ("/api/v1/indicators/ris2019_regional_innovation_index/values?level=gemeente", 400, "level"),
    ("/api/v1/indicators/population/values?level=wijk", 400, "level"),
    ("/api/v1/regions/GM9998", 404, "code"),
    ("/api/v1/regions/hello", 404, "code"),
    ("/api/v1/regions/GM0363?year=2013", 400, "year"),
    ("/api/v1/regions?level=gemeente&year=2013", 400, "year"),
    ("/api/v1/indicators/population/values?level=gemeente&boundary_year=2013", 400, "boundary_year"),
    ("/api/v1/indicators/kwb_urbanity/values?level=gemeente&boundary_year=2015", 400, "boundary_year"),
    ("/api/v1/crosswalk?from=2015&to=2013", 400, "to"),
    ("/api/v1/crosswalk?from=2015", 400, "to"),
    ("/api/v1/layers/gemeente?format=shp", 400, "format"),
    ("/api/v1/layers/gemeente?crs=EPSG:9999", 400, "crs"),
    ("/api/v1/layers/gemeente?simplify=-5", 400, "simplify"),
    ("/api/v1/layers/gemeente?indicators=population,nope", 404, "indicator"),
    ("/api/v1/layers/land", 400, "level"),
    ("/ogc/collections/gemeente_1999/items", 404, "collection"),
    ("/ogc/collections/gemeente_2023/items?limit=-1", 400, "limit"),
    ("/ogc/collections/gemeente_2023/items?limit=10&foo=1", 400, "parameter"),
    ("/ogc/collections/gemeente_2023/items?offset=-3", 400, "offset"),
    ("/ogc/collections/gemeente_2023/items?bbox=1,2,3", 400, "bbox"),
    ("/ogc/collections/gemeente_2023/items?bbox=0,95,1,96", 400, "bbox"),
    ("/ogc/collections/gemeente_2023/items?bbox=a,b,c,d", 400, "bbox"),
    ("/ogc/collections/gemeente_2023/items?crs=EPSG:4326", 400, "crs"),
    ("/ogc/collections/gemeente_2023/items?f=xml", 400, "f"),
    ("/ogc/collections/gemeente_2023/items/GM0000", 404, "feature"),
]


@pytest.mark.parametrize("url,status,parameter", BAD, ids=[b[0] for b in BAD])
def test_bad_input_gets_a_clear_4xx(client, url, status, parameter):
    response = client.get(url)
    assert response.status_code == status, response.text
    body = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert body["parameter"] == parameter and body["detail"]
    assert "Traceback" not in response.text
    if parameter in ("level", "format", "crs", "year", "collection"):
        assert body.get("valid") or body.get("errors", [{}])[0].get("valid") or "valid" in body["detail"]


def test_layer_without_year_takes_the_latest_year_with_values_for_its_indicators(client):
    plain = client.get("/api/v1/layers/corop", params={"simplify": 500}).json()
    assert {f["properties"]["year"] for f in plain["features"]} == {2025}
    with_values = client.get("/api/v1/layers/corop", params={"indicators": "kwb_population", "simplify": 500}).json()
    assert {f["properties"]["year"] for f in with_values["features"]} == {2022}
    assert all(f["properties"]["kwb_population"] is not None for f in with_values["features"])
    mixed = client.get("/api/v1/layers/gemeente", params={"indicators": "pct_higher_educated_15_75,h2020_organisations",
                                                             "simplify": 200}).json()["features"]
    assert {f["properties"]["year"] for f in mixed} == {2025}  # no year holds both: both re-mapped onto the latest
    assert {f["properties"]["h2020_organisations__vintage"] for f in mixed} == {2021}
    labels = {f["properties"]["code"]: f["properties"]["h2020_organisations__harmonised"] for f in mixed}
    assert labels["GM1980"] == "exact" and labels["GM0363"] == "exact" and labels["GM0599"] == "none"  # 2022 mergers


def test_layer_carries_each_indicator_with_its_own_year(client, data):
    layer = client.get("/api/v1/layers/gemeente", params={"indicators": "h2020_organisations", "simplify": 200}).json()
    features = layer["features"]
    assert len(features) == 352 and {f["properties"]["year"] for f in features} == {2021}  # placed on 2021 boundaries
    assert {f["properties"]["h2020_organisations__year"] for f in features} == {2021}
    rows = data.observations
    placed = rows[(rows["indicator"] == "h2020_organisations") & (rows["level"] == "gemeente") & (rows["year"] == 2021)]
    assert sum(f["properties"]["h2020_organisations"] or 0 for f in features) == placed["value"].sum() > 0


def test_every_json_operation_declares_its_response_schema(client):
    """OpenAPI must describe what clients rely on: no JSON answer documented as a bare object."""
    spec = client.get("/openapi.json").json()
    components = spec["components"]["schemas"]
    undocumented, checked = [], 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            content = operation["responses"].get("200", {}).get("content", {})
            for media_type in ("application/json", "application/geo+json"):
                if media_type not in content:
                    continue
                checked += 1
                schema = content[media_type].get("schema", {})
                ref = (schema.get("$ref") or schema.get("items", {}).get("$ref")
                       or schema.get("additionalProperties", {}).get("$ref"))
                target = components[ref.rsplit("/", 1)[1]] if ref else schema
                if not (target.get("properties") or target.get("additionalProperties", {}).get("$ref")):
                    undocumented.append(f"{method.upper()} {path} {media_type}")
    assert checked >= 25 and not undocumented, undocumented


def test_a_server_side_problem_is_a_5xx_that_names_no_machine_path(data, tmp_path):
    from api.settings import WebSettings

    app = create_app(data)
    client = TestClient(app)
    app.state.web_settings = WebSettings(web_packages_dir=tmp_path / "gone")  # packages removed after start
    response = client.get("/export/map.html", params={"indicator": "population", "level": "provincie"})
    assert response.status_code == 503 and response.headers["content-type"] == "application/problem+json"
    assert str(tmp_path) not in response.text and "/" not in response.json()["detail"]
    missing = client.get("/api/v1/indicators/no_such_thing")
    assert missing.status_code == 404 and missing.json()["parameter"] == "indicator"
