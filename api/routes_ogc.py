"""OGC API - Features (Part 1 core, GeoJSON, HTML, OpenAPI 3.0; Part 2 CRS): one collection per level and year.

What the conformance classes ask of the HTTP side lives here: unknown query parameters are refused (400, naming
the valid ones), `limit` above the maximum is clamped to it, every response links to itself and to its other
format, items carry `timeStamp`, `numberMatched` and `numberReturned`, and `/ogc/api` serves the OGC part of the
API definition as OpenAPI 3.0. The filters themselves (bbox, bbox-crs, datetime, crs) are the core's
(atlas.render.features). HEAD is answered on every GET resource by api.head.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from fastapi.templating import Jinja2Templates

from api import schemas
from api.deps import OgcFormat, api_settings, atlas_data
from api.openapi30 import downgrade
from api.settings import ApiSettings
from atlas.data import AtlasData
from atlas.errors import InvalidChoice, UnknownResource
from atlas.geography.vocabulary import CRS84_URI, CRS_URIS
from atlas.render.features import (
    BBOX_FORMS,
    DATETIME_FORMS,
    feature_page,
    layer_features,
    parse_bbox,
    parse_datetime,
)
from atlas.render.jsonbytes import dumps

router = APIRouter(prefix="/ogc", tags=["OGC API - Features"])
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    # OGC API - Tiles and its tile matrix sets (api.routes_ogc_tiles)
    *(f"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/{c}"
      for c in ("core", "tileset", "tilesets-list", "geodata-tilesets", "png", "mvt", "oas30")),
    "http://www.opengis.net/spec/tms/2.0/conf/tilematrixset",
    "http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset",
]
OGC_REL = "http://www.opengis.net/def/rel/ogc/1.0/"
CRS84 = CRS84_URI
GEOJSON = "application/geo+json"
OPENAPI30 = "application/vnd.oai.openapi+json;version=3.0"
ITEMS_PARAMETERS = ("limit", "offset", "bbox", "bbox-crs", "datetime", "crs", "f")
# The parameter forms Part 1 prescribes (bbox an array of four or six numbers, form style, not exploded), which
# FastAPI, reading a comma-separated string, cannot write itself.
OAS_PARAMETERS = {
    "bbox": {"style": "form", "explode": False, "schema": {
        "type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}}},
    "datetime": {"style": "form", "explode": False},
}
TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")  # autoescaped: names come from data


def _only(*names: str) -> Callable[[Request], None]:
    """A dependency refusing query parameters the resource does not define (OGC /req/core/query-param-unknown)."""
    def check(request: Request) -> None:
        for name in request.query_params:
            if name not in names:
                raise InvalidChoice("parameter", name, names or ["(none)"],
                                    hint="this resource takes only the query parameters listed")
    return check


def _documented(model: type, media_type: str) -> dict[int | str, dict]:
    """The JSON schema of an OGC document, and its HTML rendering (f=html)."""
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {200: {"model": model, "content": {media_type: {"schema": schema}, "text/html": {"schema": {"type": "string"}}}}}


def _url(request: Request, name: str, query: str = "", **path: str) -> str:
    """Links come from the routes themselves (url_for), so a mount point or proxy prefix is never lost."""
    return str(request.url_for(name, **path)) + (f"?{query}" if query else "")


def _wants_html(request: Request, f: OgcFormat | None) -> bool:
    return f is OgcFormat.html or (f is None and "text/html" in request.headers.get("accept", ""))


def _self_and_alternate(request: Request, name: str, html: bool, params: dict | None = None,
                        media_type: str = "application/json", title: str = "this document", **path: str) -> list[dict]:
    """`self` in the format served and `alternate` in the other (OGC /req/core/fc-links and the like)."""
    params = {k: v for k, v in (params or {}).items() if v is not None}
    as_json = {"href": _url(request, name, urlencode({**params, "f": "json"}), **path), "type": media_type}
    as_html = {"href": _url(request, name, urlencode({**params, "f": "html"}), **path), "type": "text/html"}
    first, other = (as_html, as_json) if html else (as_json, as_html)
    return [{**first, "rel": "self", "title": title},
            {**other, "rel": "alternate", "title": f"{title} as {'JSON' if html else 'HTML'}"}]


def _respond(request: Request, body: dict, html: bool, media_type: str = "application/json",
             headers: dict | None = None, facts: list[tuple[str, object]] | None = None):
    """JSON or HTML of one document; without f the Accept header chooses, so shared caches must vary on it."""
    headers = {**(headers or {}), "Vary": "Accept"}
    if html:
        entries = [{"id": x.get("id"), "name": x.get("properties", {}).get("name", x.get("title")),
                    "href": next((link["href"] for link in x.get("links", []) if link["rel"] == "self"), None)}
                   for x in body.get("features", body.get("collections", []))]
        context = {"title": body.get("title", body.get("id", "Innovation Atlas NL")),
                   "description": body.get("description"), "links": body.get("links", []), "entries": entries,
                   "facts": facts or []}
        return TEMPLATES.TemplateResponse(request, "ogc.html", context, headers=headers)
    return JSONResponse(body, media_type=media_type, headers=headers)


def _collection_id(level: str, year: int) -> str:
    return f"{level}_{year}"


def _parse_collection(data: AtlasData, collection_id: str) -> tuple[str, int]:
    valid = [_collection_id(lv, y) for (lv, y) in sorted(data.boundaries.layers)]
    level, _, year = collection_id.rpartition("_")
    if collection_id not in valid:
        raise UnknownResource("collection", collection_id, valid)
    return level, int(year)


def _collection(request: Request, data: AtlasData, level: str, year: int, html: bool = False) -> dict:
    """A collection's metadata. Its temporal extent is its boundary year: CBS boundaries as of 1 January,
    used for the figures of that year, so `datetime` on its items filters by that year."""
    cid = _collection_id(level, year)
    bounds = [round(v, 6) for v in data.boundaries.get(level, year).total_bounds]
    return {
        "id": cid, "title": f"{level} {year}", "itemType": "feature",
        "description": f"CBS {level} boundaries {year} (generalised), with parent regions and area. Source: CBS, PDOK.",
        "extent": {"spatial": {"bbox": [bounds], "crs": CRS84},
                   "temporal": {"interval": [[f"{year}-01-01T00:00:00Z", f"{year}-12-31T23:59:59Z"]],
                                "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}},
        "crs": list(CRS_URIS), "storageCrs": CRS84,
        "links": [
            *_self_and_alternate(request, "collection", html, title=cid, collection_id=cid),
            {"href": _url(request, "items", collection_id=cid), "rel": "items", "type": GEOJSON, "title": f"{cid} items"},
            {"href": _url(request, "items", "f=html", collection_id=cid), "rel": "items", "type": "text/html",
             "title": f"{cid} items (HTML)"},
            {"href": _url(request, "map_tilesets", collection_id=cid), "rel": OGC_REL + "tilesets-map",
             "type": "application/json", "title": f"{cid} choropleth map tiles (PNG)"},
            {"href": _url(request, "vector_tilesets", collection_id=cid), "rel": OGC_REL + "tilesets-vector",
             "type": "application/json", "title": f"{cid} vector tiles (MVT)"},
        ],
    }


@router.get("", response_class=JSONResponse, responses=_documented(schemas.Landing, "application/json"),
            dependencies=[Depends(_only("f"))])
def landing(request: Request, f: OgcFormat | None = None):
    html = _wants_html(request, f)
    body = {
        "title": "Innovation Atlas NL", "description": "CBS region boundaries per level and year as OGC API - Features",
        "links": [
            *_self_and_alternate(request, "landing", html),
            {"href": _url(request, "ogc_openapi"), "rel": "service-desc", "type": OPENAPI30, "title": "API definition"},
            {"href": _url(request, "swagger_ui"), "rel": "service-doc", "type": "text/html", "title": "API documentation"},
            {"href": _url(request, "conformance"), "rel": "conformance", "type": "application/json", "title": "conformance"},
            {"href": _url(request, "collections"), "rel": "data", "type": "application/json", "title": "collections"},
            {"href": _url(request, "tile_matrix_sets"), "rel": OGC_REL + "tiling-schemes", "type": "application/json",
             "title": "tile matrix sets"},
        ],
    }
    return _respond(request, body, html)


@router.get("/api", response_class=Response, dependencies=[Depends(_only())],
            responses={200: {"description": "OpenAPI 3.0 definition", "content": {OPENAPI30: {"schema": {"type": "object"}}}}})
def ogc_openapi(request: Request, settings: ApiSettings = Depends(api_settings)):
    """The OGC paths of the API definition in OpenAPI 3.0 (the `oas30` conformance class), relative to /ogc."""
    limit = {"style": "form", "explode": False, "schema": {"maximum": settings.max_page_size}}
    document = downgrade(request.app.openapi(), router.prefix, _url(request, "landing"),
                         parameters={**OAS_PARAMETERS, "limit": limit})
    return JSONResponse(document, media_type=OPENAPI30)


@router.get("/conformance", response_class=JSONResponse, responses=_documented(schemas.Conformance, "application/json"),
            dependencies=[Depends(_only("f"))])
def conformance(request: Request, f: OgcFormat | None = None):
    html = _wants_html(request, f)
    body = {"title": "Conformance", "conformsTo": CONFORMANCE,
            "links": _self_and_alternate(request, "conformance", html)}
    return _respond(request, body, html, facts=[("conforms to", c) for c in CONFORMANCE])


@router.get("/collections", response_class=JSONResponse, responses=_documented(schemas.Collections, "application/json"),
            dependencies=[Depends(_only("f"))])
def collections(request: Request, f: OgcFormat | None = None, data: AtlasData = Depends(atlas_data)):
    html = _wants_html(request, f)
    body = {
        "title": "Collections", "links": _self_and_alternate(request, "collections", html, title="collections"),
        "crs": list(CRS_URIS),
        "collections": [_collection(request, data, lv, y, html) for (lv, y) in sorted(data.boundaries.layers)],
    }
    return _respond(request, body, html, facts=[("crs", c) for c in CRS_URIS])


@router.get("/collections/{collection_id}", response_class=JSONResponse,
            responses=_documented(schemas.Collection, "application/json"), dependencies=[Depends(_only("f"))])
def collection(request: Request, collection_id: str, f: OgcFormat | None = None, data: AtlasData = Depends(atlas_data)):
    html = _wants_html(request, f)
    level, year = _parse_collection(data, collection_id)
    body = _collection(request, data, level, year, html)
    facts = [("extent (CRS84)", body["extent"]["spatial"]["bbox"][0]),
             ("temporal extent", " / ".join(body["extent"]["temporal"]["interval"][0])),
             *[("crs", c) for c in body["crs"]], ("storageCrs", body["storageCrs"])]
    return _respond(request, body, html, facts=facts)


@router.get("/collections/{collection_id}/items", response_class=JSONResponse,
            responses=_documented(schemas.Items, GEOJSON), dependencies=[Depends(_only(*ITEMS_PARAMETERS))])
def items(
    request: Request,
    collection_id: str,
    limit: int = Query(10, ge=1, description="Page size; a value above the maximum (ATLAS_MAX_PAGE_SIZE, declared "
                       "in /ogc/api) is clamped to it"),
    offset: int = Query(0, ge=0),
    bbox: str | None = Query(None, description=f"{' or '.join(BBOX_FORMS)} in `bbox-crs`; in CRS84 minx > maxx "
                             "crosses the antimeridian; the height range does not filter (the regions are flat)"),
    bbox_crs: str = Query(CRS84, alias="bbox-crs", description="CRS of `bbox`, one of the collection's `crs`"),
    datetime_: str | None = Query(None, alias="datetime", description=(
        "RFC 3339 instant or interval (open end `..`), e.g. " + ", ".join(DATETIME_FORMS) + ". The features of "
        "a collection are valid through its boundary year: all match an instant or interval meeting that year, "
        "none match otherwise")),
    crs: str = Query(CRS84, description="Output CRS URI, one of the collection's `crs`"),
    f: OgcFormat | None = None,
    data: AtlasData = Depends(atlas_data),
    settings: ApiSettings = Depends(api_settings),
):
    html = _wants_html(request, f)
    limit = min(limit, settings.max_page_size)
    level, year = _parse_collection(data, collection_id)
    boxes = parse_bbox(bbox, bbox_crs) if bbox else None
    period = parse_datetime(datetime_) if datetime_ is not None else None
    page = feature_page(data, level, year, limit, offset, boxes, crs, period)
    keep = {"bbox": bbox, "bbox-crs": bbox_crs if bbox and bbox_crs != CRS84 else None, "datetime": datetime_,
            "crs": crs if crs != CRS84 else None}
    links = _self_and_alternate(request, "items", html, {"limit": limit, "offset": offset, **keep}, GEOJSON,
                                "this page", collection_id=collection_id)
    page_type = "text/html" if html else GEOJSON
    fmt = {"f": "html" if html else "json"}

    def page_link(rel: str, start: int, title: str) -> dict:
        query = urlencode({k: v for k, v in {"limit": limit, "offset": start, **keep, **fmt}.items() if v is not None})
        return {"href": _url(request, "items", query, collection_id=collection_id), "rel": rel, "type": page_type,
                "title": title}

    if offset + limit < page.matched:
        links.append(page_link("next", offset + limit, "next page"))
    if offset > 0:
        links.append(page_link("prev", max(0, offset - limit), "previous page"))
    links.append({"href": _url(request, "collection", collection_id=collection_id), "rel": "collection",
                  "type": "application/json", "title": collection_id})
    stamp = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    feature_links = [[{"href": _url(request, "item", "f=html" if html else "", collection_id=collection_id,
                                    feature_id=fid), "rel": "self", "type": page_type, "title": fid}]
                     for fid in page.ids]
    facts = [("numberMatched", page.matched), ("numberReturned", len(page.ids)), ("timeStamp", stamp)]
    headers = {"Content-Crs": f"<{crs}>"}
    if html:
        features = [{**json.loads(f + b"}"), "links": own} for f, own in zip(page.features, feature_links)]
        body = {"features": features, "links": links, "title": collection_id}
        return _respond(request, body, html, GEOJSON, headers=headers, facts=facts)
    # the features were serialised once (atlas.render.features); only the links and the envelope are encoded here
    joined = b",".join(f + b',"links":' + dumps(own) + b"}" for f, own in zip(page.features, feature_links))
    content = (b'{"type":"FeatureCollection","features":[' + joined + b"]," + dumps({
        "numberMatched": page.matched, "numberReturned": len(page.ids), "timeStamp": stamp, "links": links,
        "title": collection_id})[1:])
    return Response(content, media_type=GEOJSON, headers={**headers, "Vary": "Accept"})


@router.get("/collections/{collection_id}/items/{feature_id}", response_class=JSONResponse,
            responses=_documented(schemas.Feature, GEOJSON), dependencies=[Depends(_only("crs", "f"))])
def item(request: Request, collection_id: str, feature_id: str,
         crs: str = Query(CRS84, description="Output CRS URI, one of the collection's `crs`"),
         f: OgcFormat | None = None, data: AtlasData = Depends(atlas_data)) -> Response:
    html = _wants_html(request, f)
    level, year = _parse_collection(data, collection_id)
    serialised = layer_features(data, level, year, crs)
    position = serialised.index.get(feature_id)
    if position is None:
        raise UnknownResource("feature", feature_id, serialised.ids[:20],
                              hint=f"{len(serialised.ids)} features in {collection_id}")
    links = [
        *_self_and_alternate(request, "item", html, {"crs": crs if crs != CRS84 else None}, GEOJSON, feature_id,
                             collection_id=collection_id, feature_id=feature_id),
        {"href": _url(request, "collection", collection_id=collection_id), "rel": "collection",
         "type": "application/json", "title": collection_id},
    ]
    headers = {"Content-Crs": f"<{crs}>"}
    if not html:
        content = serialised.features[position] + b',"links":' + dumps(links) + b"}"
        return Response(content, media_type=GEOJSON, headers={**headers, "Vary": "Accept"})
    feature = {**json.loads(serialised.features[position] + b"}"), "links": links}
    body = {**feature, "title": f"{feature['properties'].get('name', feature_id)} ({feature_id})"}
    return _respond(request, body, html, GEOJSON, headers=headers, facts=list(feature["properties"].items()))
