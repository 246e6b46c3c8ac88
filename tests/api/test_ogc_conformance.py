"""OGC API - Features conformance, modelled on the OGC executable test suites (ets-ogcapi-features10 for Part 1:
core, GeoJSON, HTML, OpenAPI 3.0; and the Part 2 CRS requirements): one test per requirement, named after its
requirement id (/req/<class>/<name> -> test_req_<class>_<name>), run on the real data.

The OpenAPI document is checked against the OpenAPI 3.0 JSON schema that schemathesis ships (the official
2019-04-02 one); the raw FastAPI document (3.1) fails it, which a test checks too, so the check can fail.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx
import jsonschema_rs
import pytest
import shapely
from fastapi.testclient import TestClient
from schemathesis.specs.openapi.definitions import OPENAPI_30

from api.app import create_app

CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
CLAIMED = [CORE, *(f"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{c}" for c in ("oas30", "geojson", "html")),
           "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
RD = "http://www.opengis.net/def/crs/EPSG/0/28992"
GEOJSON = "application/geo+json"
COLLECTION = "gemeente_2023"
ITEMS = f"/ogc/collections/{COLLECTION}/items"
FEATURE = "GM0344"  # Utrecht
UTRECHT_BOX = "5.05,52.05,5.15,52.12"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@pytest.fixture(scope="module")
def client(data):
    return TestClient(create_app(data))


@pytest.fixture(scope="module")
def api(client) -> dict:
    """The API definition the landing page's service-desc link points to."""
    desc = _link(client.get("/ogc").json()["links"], "service-desc")
    return client.get(_path(desc["href"])).json()


def _link(links: list[dict], rel: str, media_type: str | None = None) -> dict:
    found = [x for x in links if x["rel"] == rel and (media_type is None or x["type"] == media_type)]
    assert found, f"no {rel} link ({media_type}) in {[(x['rel'], x['type']) for x in links]}"
    return found[0]


def _path(href: str) -> str:
    parts = urlsplit(href)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _parameter(api: dict, path: str, name: str) -> dict:
    found = [p for p in api["paths"][path]["get"]["parameters"] if p["name"] == name]
    assert len(found) == 1, f"{name} not declared once on {path}"
    return found[0]


def _codes(client, **params) -> list[str]:
    body = client.get(ITEMS, params={"limit": 1000, **params}).json()
    assert body["numberMatched"] == body["numberReturned"]
    return sorted(f["id"] for f in body["features"])


# --- Part 1, core ---------------------------------------------------------------------------------------------

def test_req_core_http(server):
    """/req/core/http: the server speaks HTTP 1.1."""
    response = httpx.get(f"{server}/ogc")
    assert response.status_code == 200 and response.http_version == "HTTP/1.1"


def test_req_core_http_head(server, client):
    """/req/core/http (HTTP 1.1, RFC 9110 9.3.2): HEAD on every GET resource answers as GET, without a body."""
    for path in ("/ogc", "/ogc/conformance", "/ogc/collections", f"/ogc/collections/{COLLECTION}", f"{ITEMS}?limit=2",
                 f"{ITEMS}/{FEATURE}", "/ogc/api", "/api/v1/health", "/"):
        head, get = httpx.head(f"{server}{path}"), httpx.get(f"{server}{path}")
        assert head.status_code == get.status_code == 200, path
        assert head.content == b"" and head.headers["content-type"] == get.headers["content-type"], path
    assert client.head(f"{ITEMS}/GM0000").status_code == 404


def test_req_core_root_op(client):
    """/req/core/root-op: the landing page answers GET."""
    assert client.get("/ogc").status_code == 200


def test_req_core_root_success(client):
    """/req/core/root-success: links to the API definition, the conformance declaration and the collections."""
    links = client.get("/ogc").json()["links"]
    for rel in ("service-desc", "service-doc", "conformance", "data"):
        assert client.get(_path(_link(links, rel)["href"])).status_code == 200, rel


def test_req_core_api_definition_op(client):
    """/req/core/api-definition-op: the service-desc link answers GET."""
    desc = _link(client.get("/ogc").json()["links"], "service-desc")
    assert client.get(_path(desc["href"])).status_code == 200


def test_req_core_api_definition_success(client):
    """/req/core/api-definition-success: the definition is served in the media type its link announces."""
    desc = _link(client.get("/ogc").json()["links"], "service-desc")
    response = client.get(_path(desc["href"]))
    assert response.headers["content-type"] == desc["type"] == "application/vnd.oai.openapi+json;version=3.0"


def test_req_core_conformance_op(client):
    """/req/core/conformance-op: /conformance answers GET."""
    assert client.get("/ogc/conformance").status_code == 200


def test_req_core_conformance_success(client):
    """/req/core/conformance-success: conformsTo lists core and every class claimed."""
    claimed = client.get("/ogc/conformance").json()["conformsTo"]
    assert [c for c in claimed if "/ogcapi-features-" in c] == CLAIMED  # OGC API - Tiles classes follow (their tests)


@pytest.mark.parametrize("path", ["/ogc", "/ogc/conformance", "/ogc/collections", f"/ogc/collections/{COLLECTION}",
                                  ITEMS, f"{ITEMS}/{FEATURE}"])
def test_req_core_query_param_unknown(client, path):
    """/req/core/query-param-unknown: a parameter the resource does not define is a 400 naming the valid ones."""
    response = client.get(path, params={"unknown_param": "1"})
    assert response.status_code == 400
    assert response.json()["value"] == "unknown_param" and "f" in response.json()["valid"]


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": "ten"}, {"offset": -1}, {"bbox": "5,52,6"},
                                    {"bbox": "5,53,6,52"}, {"datetime": "yesterday"}, {"crs": "EPSG:4326"},
                                    {"bbox": UTRECHT_BOX, "bbox-crs": "EPSG:28992"}, {"f": "xml"}])
def test_req_core_query_param_invalid(client, params):
    """/req/core/query-param-invalid: an invalid value of a known parameter is a 400 naming the parameter."""
    response = client.get(ITEMS, params=params)
    assert response.status_code == 400
    assert response.json()["parameter"] in {*params, *(k.replace("-", "_") for k in params)}


def test_req_core_crs84(client):
    """/req/core/crs84: without a crs parameter, geometries are CRS84 (longitude, latitude)."""
    response = client.get(f"{ITEMS}/{FEATURE}")
    minx, miny, maxx, maxy = shapely.geometry.shape(response.json()["geometry"]).bounds
    assert 4.9 < minx < maxx < 5.3 and 51.9 < miny < maxy < 52.2  # Utrecht, longitude first
    assert response.headers["content-crs"] == f"<{CRS84}>"


def test_req_core_fc_md_op(client):
    """/req/core/fc-md-op: /collections answers GET."""
    assert client.get("/ogc/collections").status_code == 200


def test_req_core_fc_md_success(client, data):
    """/req/core/fc-md-success: a self link and one entry per collection (every level and boundary year)."""
    body = client.get("/ogc/collections").json()
    assert _link(body["links"], "self", "application/json")
    assert [c["id"] for c in body["collections"]] == [f"{lv}_{y}" for lv, y in sorted(data.boundaries.layers)]


def test_req_core_fc_md_links(client):
    """/req/core/fc-md-links: each collection links to its items (GeoJSON and HTML)."""
    for collection in client.get("/ogc/collections").json()["collections"]:
        assert _path(_link(collection["links"], "items", GEOJSON)["href"]) == f"/ogc/collections/{collection['id']}/items"
        assert _link(collection["links"], "items", "text/html")


def test_req_core_fc_md_items(client):
    """/req/core/fc-md-items: every collection has an id and links; its itemType is feature."""
    for collection in client.get("/ogc/collections").json()["collections"]:
        assert collection["id"] and collection["links"] and collection["itemType"] == "feature"


def test_req_core_fc_md_items_links(client):
    """/req/core/fc-md-items-links: the items link of each collection answers with features."""
    collection = client.get(f"/ogc/collections/{COLLECTION}").json()
    items = client.get(_path(_link(collection["links"], "items", GEOJSON)["href"]))
    assert items.status_code == 200 and items.json()["type"] == "FeatureCollection"


def test_req_core_fc_md_extent(client, data):
    """/req/core/fc-md-extent: spatial extent in CRS84 covering the features; temporal extent the boundary year."""
    collection = client.get(f"/ogc/collections/{COLLECTION}").json()
    spatial, temporal = collection["extent"]["spatial"], collection["extent"]["temporal"]
    assert spatial["crs"] == CRS84
    box = shapely.box(*spatial["bbox"][0])
    assert box.buffer(1e-6).contains(shapely.box(*data.boundaries.get("gemeente", 2023).total_bounds))
    assert temporal["interval"] == [["2023-01-01T00:00:00Z", "2023-12-31T23:59:59Z"]]


def test_req_core_sfc_md_op(client):
    """/req/core/sfc-md-op: /collections/{collectionId} answers GET; an unknown id is a 404."""
    assert client.get(f"/ogc/collections/{COLLECTION}").status_code == 200
    assert client.get("/ogc/collections/gemeente_1900").status_code == 404


def test_req_core_sfc_md_success(client):
    """/req/core/sfc-md-success: the collection's own document matches its entry in /collections."""
    listed = {c["id"]: c for c in client.get("/ogc/collections").json()["collections"]}[COLLECTION]
    own = client.get(f"/ogc/collections/{COLLECTION}").json()
    assert {k: v for k, v in own.items() if k != "links"} == {k: v for k, v in listed.items() if k != "links"}


def test_req_core_fc_op(client):
    """/req/core/fc-op: /collections/{collectionId}/items answers GET."""
    assert client.get(ITEMS).status_code == 200


def test_req_core_fc_limit_definition(api):
    """/req/core/fc-limit-definition: limit is an integer, minimum 1, with a maximum and a default, form style."""
    limit = _parameter(api, "/collections/{collection_id}/items", "limit")
    assert limit["in"] == "query" and limit["style"] == "form" and limit["explode"] is False
    assert limit["schema"]["type"] == "integer" and limit["schema"]["minimum"] == 1
    assert limit["schema"]["maximum"] == 1000 and limit["schema"]["default"] == 10


def test_req_core_fc_limit_response(client, api):
    """/req/core/fc-limit-response: no more features than limit; a limit above the maximum is clamped, not refused."""
    assert client.get(ITEMS, params={"limit": 7}).json()["numberReturned"] == 7
    maximum = _parameter(api, "/collections/{collection_id}/items", "limit")["schema"]["maximum"]
    response = client.get("/ogc/collections/wijk_2022/items", params={"limit": maximum + 1})
    assert response.status_code == 200 and response.json()["numberReturned"] == maximum
    assert "limit=1000&" in _link(response.json()["links"], "next")["href"]


def test_req_core_fc_bbox_definition(api):
    """/req/core/fc-bbox-definition: bbox is an array of four or six numbers, form style, not exploded."""
    bbox = _parameter(api, "/collections/{collection_id}/items", "bbox")
    assert bbox["style"] == "form" and bbox["explode"] is False and bbox["required"] is False
    schema = bbox["schema"]
    assert (schema["type"], schema["minItems"], schema["maxItems"], schema["items"]) == ("array", 4, 6, {"type": "number"})


def test_req_core_fc_bbox_response(client, data):
    """/req/core/fc-bbox-response: exactly the features whose geometry intersects the box, four or six numbers,
    also across the antimeridian (minLon > maxLon)."""
    layer = data.boundaries.get("gemeente", 2023)
    expected = sorted(layer.loc[layer.intersects(shapely.box(5.05, 52.05, 5.15, 52.12)), "code"])
    assert _codes(client, bbox=UTRECHT_BOX) == expected and "GM0344" in expected
    assert _codes(client, bbox="5.05,52.05,-100,5.15,52.12,100") == expected
    west = set(layer.loc[layer.intersects(shapely.box(-180, 50, 4, 54)), "code"])
    east = set(layer.loc[layer.intersects(shapely.box(7, 50, 180, 54)), "code"])
    assert west and east and _codes(client, bbox="7,50,4,54") == sorted(west | east)
    assert _codes(client, bbox="170,50,-170,54") == []  # the Pacific has no gemeenten


def test_req_core_fc_time_definition(api):
    """/req/core/fc-time-definition: datetime is an optional string query parameter, form style."""
    parameter = _parameter(api, "/collections/{collection_id}/items", "datetime")
    assert parameter["required"] is False and parameter["schema"]["type"] == "string" and parameter["style"] == "form"


@pytest.mark.parametrize(("value", "matches"), [
    ("2023-06-01T12:00:00Z", True), ("2023-06-01", True), ("2024-01-01T00:00:00Z", False),
    ("2023-12-31T23:30:00-01:00", False),  # 2024-01-01T00:30Z
    ("2020-01-01T00:00:00Z/2023-01-01T00:00:00Z", True), ("2020-01-01/2022-12-31", False),
    ("2023-12-31/..", True), ("../2022-12-31T23:59:59Z", False), ("../2023-01-01", True), ("2024-01-01/", False),
])
def test_req_core_fc_time_response(client, value, matches):
    """/req/core/fc-time-response: instants, closed and half-open intervals; the features of a collection are
    valid through its boundary year, so all or none match."""
    body = client.get(ITEMS, params={"datetime": value, "limit": 1}).json()
    assert body["numberMatched"] == (342 if matches else 0)


@pytest.mark.parametrize("value", ["2023", "../..", "2024-01-01/2023-01-01", "2023-06-01T12:00:00", ""])
def test_req_core_fc_time_response_invalid(client, value):
    """/req/core/fc-time-response: a datetime that is no RFC 3339 instant or interval is a 400 with examples."""
    response = client.get(ITEMS, params={"datetime": value})
    assert response.status_code == 400 and response.json()["parameter"] == "datetime" and response.json()["valid"]


def test_req_core_fc_response(client):
    """/req/core/fc-response: a GeoJSON FeatureCollection with a features array."""
    body = client.get(ITEMS).json()
    assert body["type"] == "FeatureCollection" and isinstance(body["features"], list) and len(body["features"]) == 10


def test_req_core_fc_links(client):
    """/req/core/fc-links: a self link and an alternate link per other format, each answering."""
    links = client.get(ITEMS, params={"bbox": UTRECHT_BOX}).json()["links"]
    this, other = _link(links, "self", GEOJSON), _link(links, "alternate", "text/html")
    assert client.get(_path(this["href"])).json()["numberMatched"] == len(_codes(client, bbox=UTRECHT_BOX))
    assert client.get(_path(other["href"])).headers["content-type"].startswith("text/html")


def test_req_core_fc_rel_type(client):
    """/req/core/fc-rel-type: next and prev links page through every feature exactly once."""
    seen, path = [], f"{ITEMS}?limit=100"
    while path:
        body = client.get(path).json()
        seen += [f["id"] for f in body["features"]]
        following = [x for x in body["links"] if x["rel"] == "next"]
        path = _path(following[0]["href"]) if following else ""
    assert len(seen) == len(set(seen)) == 342
    last = client.get(ITEMS, params={"limit": 100, "offset": 300}).json()["links"]
    assert _path(_link(last, "prev")["href"]).endswith("limit=100&offset=200&f=json")


def test_req_core_fc_timestamp(client):
    """/req/core/fc-timeStamp: the time the response was generated, RFC 3339."""
    before = datetime.now(UTC).replace(microsecond=0)
    stamp = client.get(ITEMS).json()["timeStamp"]
    assert RFC3339.match(stamp) and datetime.fromisoformat(stamp) >= before


def test_req_core_fc_numbermatched(client):
    """/req/core/fc-numberMatched: the number of features matching the selection, independent of paging."""
    body = client.get(ITEMS, params={"bbox": UTRECHT_BOX, "limit": 1}).json()
    assert body["numberMatched"] == len(_codes(client, bbox=UTRECHT_BOX)) > 1


def test_req_core_fc_numberreturned(client):
    """/req/core/fc-numberReturned: the number of features in the response."""
    body = client.get(ITEMS, params={"limit": 100, "offset": 300}).json()
    assert body["numberReturned"] == len(body["features"]) == 42


def test_req_core_f_op(client):
    """/req/core/f-op: /collections/{collectionId}/items/{featureId} answers GET; an unknown id is a 404."""
    assert client.get(f"{ITEMS}/{FEATURE}").status_code == 200
    assert client.get(f"{ITEMS}/GM9999").status_code == 404


def test_req_core_f_success(client):
    """/req/core/f-success: a GeoJSON Feature with the id asked for."""
    body = client.get(f"{ITEMS}/{FEATURE}").json()
    assert body["type"] == "Feature" and body["id"] == FEATURE and body["properties"]["name"] == "Utrecht"


def test_req_core_f_links(client):
    """/req/core/f-links: self, alternate and collection links, each answering."""
    links = client.get(f"{ITEMS}/{FEATURE}").json()["links"]
    assert client.get(_path(_link(links, "self", GEOJSON)["href"])).json()["id"] == FEATURE
    assert client.get(_path(_link(links, "alternate", "text/html")["href"])).status_code == 200
    assert client.get(_path(_link(links, "collection")["href"])).json()["id"] == COLLECTION


# --- Part 1, GeoJSON ------------------------------------------------------------------------------------------

def test_req_geojson_definition(client):
    """/req/geojson/definition: items and a feature are served as application/geo+json."""
    for path in (ITEMS, f"{ITEMS}/{FEATURE}", f"{ITEMS}?f=json"):
        response = client.get(path, headers={"Accept": GEOJSON})
        assert response.headers["content-type"] == GEOJSON, path


def test_req_geojson_content(client):
    """/req/geojson/content: every feature is a GeoJSON Feature (id, valid geometry, properties object)."""
    for feature in client.get(ITEMS, params={"limit": 50}).json()["features"]:
        assert feature["type"] == "Feature" and isinstance(feature["id"], str)
        assert isinstance(feature["properties"], dict)
        geometry = shapely.geometry.shape(feature["geometry"])
        assert geometry.geom_type in ("Polygon", "MultiPolygon") and geometry.is_valid


# --- Part 1, HTML ---------------------------------------------------------------------------------------------

HTML_PATHS = ["/ogc", "/ogc/conformance", "/ogc/collections", f"/ogc/collections/{COLLECTION}", ITEMS,
              f"{ITEMS}/{FEATURE}"]


@pytest.mark.parametrize("path", HTML_PATHS)
def test_req_html_definition(client, path):
    """/req/html/definition: every resource is also served as HTML, by f=html and by Accept: text/html."""
    for response in (client.get(path, params={"f": "html"}), client.get(path, headers={"Accept": "text/html"})):
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
        assert "accept" in response.headers["vary"].lower()  # one URL, two formats: caches must tell them apart


def test_req_html_content(client):
    """/req/html/content: HTML5 carrying what the JSON says (classes, collections, features and properties)."""
    def html(path: str) -> str:
        text = client.get(path, params={"f": "html"}).text
        assert text.startswith("<!doctype html>")
        return text

    assert all(c in html("/ogc/conformance") for c in CLAIMED)
    collections = html("/ogc/collections")
    assert all(c["id"] in collections for c in client.get("/ogc/collections").json()["collections"])
    items = html(ITEMS)
    assert all(f["id"] in items and f["properties"]["name"] in items for f in client.get(ITEMS).json()["features"])
    feature = html(f"{ITEMS}/{FEATURE}")
    assert "Utrecht" in feature and "PV26" in feature and "area_km2" in feature
    collection = html(f"/ogc/collections/{COLLECTION}")
    assert "2023-01-01T00:00:00Z" in collection and RD in collection


# --- Part 1, OpenAPI 3.0 --------------------------------------------------------------------------------------

def test_req_oas30_oas_definition_1(client, api):
    """/req/oas30/oas-definition-1: the service-desc document is a valid OpenAPI 3.0 definition (the official
    3.0 JSON schema), while FastAPI's own 3.1 document is not, so the check bites."""
    validator = jsonschema_rs.Draft4Validator(OPENAPI_30)
    assert api["openapi"].startswith("3.0.") and [e.message for e in validator.iter_errors(api)] == []
    assert not validator.is_valid(client.get("/openapi.json").json())


def test_req_oas30_oas_definition_2(client):
    """/req/oas30/oas-definition-2: the HTML documentation (service-doc) is served too."""
    doc = _link(client.get("/ogc").json()["links"], "service-doc", "text/html")
    assert client.get(_path(doc["href"])).headers["content-type"].startswith("text/html")


def test_req_oas30_oas_impl(client, api):
    """/req/oas30/oas-impl: every path of the definition is implemented at the server URL it names."""
    base = _path(api["servers"][0]["url"])
    for path in api["paths"]:
        concrete = (path.replace("{collection_id}", COLLECTION).replace("{feature_id}", FEATURE)
                    .replace("{tms_id}", "WebMercatorQuad").replace("{z}/{y}/{x}", "7/42/65"))
        assert client.get(base.rstrip("/") + concrete).status_code == 200, path


def test_req_oas30_completeness(api):
    """/req/oas30/completeness: every resource of the conformance classes is in the definition, with its JSON
    (or GeoJSON) and HTML responses."""
    expected = {"/": "application/json", "/conformance": "application/json", "/collections": "application/json",
                "/collections/{collection_id}": "application/json", "/collections/{collection_id}/items": GEOJSON,
                "/collections/{collection_id}/items/{feature_id}": GEOJSON}
    for path, media_type in expected.items():
        content = api["paths"][path]["get"]["responses"]["200"]["content"]
        assert media_type in content and "text/html" in content, path


def test_req_oas30_exceptions_codes(api):
    """/req/oas30/exceptions-codes: the error answers (400, 404) are declared with their problem schema."""
    items = api["paths"]["/collections/{collection_id}/items"]["get"]["responses"]
    assert {"400", "404"} <= set(items) and "application/problem+json" in items["400"]["content"]


# --- Part 2, CRS ----------------------------------------------------------------------------------------------

def test_req_crs_fc_md_crs_list(client):
    """/req/crs/fc-md-crs-list: every collection lists its CRS, CRS84 and RD New among them."""
    for collection in client.get("/ogc/collections").json()["collections"]:
        assert CRS84 in collection["crs"] and RD in collection["crs"]


def test_req_crs_fc_md_crs_list_global(client):
    """/req/crs/fc-md-crs-list-global: /collections lists the CRS all collections share."""
    body = client.get("/ogc/collections").json()
    assert all(set(body["crs"]) <= set(c["crs"]) for c in body["collections"])


def test_req_crs_crs_uri(client):
    """/req/crs/crs-uri: every CRS is named by its OGC URI."""
    body = client.get("/ogc/collections").json()
    uris = {*body["crs"], *(c for x in body["collections"] for c in [*x["crs"], x["storageCrs"]])}
    assert uris and all(re.fullmatch(r"http://www\.opengis\.net/def/crs/(OGC/1\.3/CRS84|EPSG/0/\d+)", u) for u in uris)


def test_req_crs_fc_md_storagecrs(client):
    """/req/crs/fc-md-storageCrs: every collection gives its storageCrs."""
    assert all(c["storageCrs"] == CRS84 for c in client.get("/ogc/collections").json()["collections"])


def test_req_crs_fc_md_storagecrs_valid_value(client):
    """/req/crs/fc-md-storageCrs-valid-value: the storageCrs is one of the collection's CRS."""
    collection = client.get(f"/ogc/collections/{COLLECTION}").json()
    assert collection["storageCrs"] in collection["crs"]


def test_req_crs_fc_crs_definition(api):
    """/req/crs/fc-crs-definition: items and a feature take a crs query parameter (a URI string)."""
    for path in ("/collections/{collection_id}/items", "/collections/{collection_id}/items/{feature_id}"):
        assert _parameter(api, path, "crs")["schema"]["type"] == "string"


def test_req_crs_fc_crs_valid_value(client):
    """/req/crs/fc-crs-valid-value: a crs outside the collection's list is a 400 listing the valid ones."""
    response = client.get(f"{ITEMS}/{FEATURE}", params={"crs": "http://www.opengis.net/def/crs/EPSG/0/2154"})
    assert response.status_code == 400 and RD in response.json()["valid"]


def test_req_crs_fc_crs_action(client, data):
    """/req/crs/fc-crs-action: coordinates in the CRS asked for (RD New: easting, northing in metres)."""
    rd = client.get(f"{ITEMS}/{FEATURE}", params={"crs": RD}).json()
    shape = shapely.geometry.shape(rd["geometry"])
    layer = data.boundaries.projected("gemeente", 2023, "EPSG:28992")
    expected = layer.loc[layer["code"] == FEATURE].geometry.iloc[0]
    assert shape.symmetric_difference(expected).area < 1e-3 * expected.area
    assert 120_000 < shape.bounds[0] < 140_000 and 445_000 < shape.bounds[1] < 465_000


def test_req_crs_fc_crs_default_value(client):
    """/req/crs/fc-crs-default-value: without crs, items and a feature are in CRS84."""
    assert client.get(ITEMS).headers["content-crs"] == client.get(f"{ITEMS}/{FEATURE}").headers["content-crs"] == f"<{CRS84}>"


def test_req_crs_geojson(client):
    """/req/crs/geojson: GeoJSON in another CRS than CRS84 keeps its media type and says its CRS in Content-Crs."""
    response = client.get(ITEMS, params={"crs": RD, "limit": 1})
    assert response.headers["content-type"] == GEOJSON and response.headers["content-crs"] == f"<{RD}>"
    assert response.json()["features"][0]["geometry"]["coordinates"][0][0][0][0] > 1000  # metres, not degrees


def test_req_crs_ogc_crs_header(client):
    """/req/crs/ogc-crs-header: items and feature responses carry a Content-Crs header."""
    assert "content-crs" in client.get(ITEMS).headers and "content-crs" in client.get(f"{ITEMS}/{FEATURE}").headers


def test_req_crs_ogc_crs_header_value(client):
    """/req/crs/ogc-crs-header-value: the header is the CRS of the coordinates, as <URI>."""
    assert client.get(ITEMS, params={"crs": RD}).headers["content-crs"] == f"<{RD}>"
    assert client.get(f"{ITEMS}/{FEATURE}").headers["content-crs"] == f"<{CRS84}>"


def test_req_crs_fc_bbox_crs_definition(api):
    """/req/crs/fc-bbox-crs-definition: items take an optional bbox-crs query parameter (a URI string)."""
    parameter = _parameter(api, "/collections/{collection_id}/items", "bbox-crs")
    assert parameter["required"] is False and parameter["schema"]["type"] == "string"


def test_req_crs_fc_bbox_crs_valid_value(client):
    """/req/crs/fc-bbox-crs-valid-value: a bbox-crs outside the collection's list is a 400 listing the valid ones."""
    response = client.get(ITEMS, params={"bbox": UTRECHT_BOX, "bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/4258"})
    assert response.status_code == 400 and response.json()["parameter"] == "bbox-crs" and CRS84 in response.json()["valid"]


def test_req_crs_fc_bbox_crs_valid_defaultvalue(client):
    """/req/crs/fc-bbox-crs-valid-defaultValue: a bbox without bbox-crs is CRS84."""
    assert _codes(client, bbox=UTRECHT_BOX) == _codes(client, bbox=UTRECHT_BOX, **{"bbox-crs": CRS84})
    assert client.get(ITEMS, params={"bbox": "130000,450000,140000,460000"}).status_code == 400  # not degrees


def test_req_crs_fc_bbox_crs_action(client, data):
    """/req/crs/fc-bbox-crs-action: a bbox in RD New selects the features intersecting that box in RD New,
    in four and six numbers; a box with min > max is refused (no antimeridian in a projected CRS)."""
    layer = data.boundaries.projected("gemeente", 2023, "EPSG:28992")
    expected = sorted(layer.loc[layer.intersects(shapely.box(130_000, 450_000, 140_000, 460_000)), "code"])
    assert expected and _codes(client, bbox="130000,450000,140000,460000", **{"bbox-crs": RD}) == expected
    assert _codes(client, bbox="130000,450000,-5,140000,460000,5", **{"bbox-crs": RD}) == expected
    refused = client.get(ITEMS, params={"bbox": "140000,450000,130000,460000", "bbox-crs": RD})
    assert refused.status_code == 400 and refused.json()["parameter"] == "bbox"
