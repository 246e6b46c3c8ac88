"""OGC API - Features (Part 1 core, GeoJSON, HTML; Part 2 CRS): one collection per level and year."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from fastapi.templating import Jinja2Templates

from api import schemas
from api.deps import OgcFormat, api_settings, atlas_data
from api.settings import ApiSettings
from atlas.data import AtlasData
from atlas.errors import InvalidChoice, UnknownResource
from atlas.geography.vocabulary import CRS84_URI, CRS_URIS
from atlas.render.features import feature_page, parse_bbox

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
TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")  # autoescaped: names come from data


def _documented(model: type, media_type: str) -> dict[int | str, dict]:
    """The JSON schema of an OGC document, and its HTML rendering (f=html)."""
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {200: {"model": model, "content": {media_type: {"schema": schema}, "text/html": {}}}}


def _url(request: Request, name: str, query: str = "", **path: str) -> str:
    """Links come from the routes themselves (url_for), so a mount point or proxy prefix is never lost."""
    return str(request.url_for(name, **path)) + (f"?{query}" if query else "")


def _respond(request: Request, body: dict, f: OgcFormat | None, media_type: str = "application/json",
             headers: dict | None = None):
    if f is OgcFormat.html or (f is None and "text/html" in request.headers.get("accept", "")):
        entries = [{"id": x.get("id"), "name": x.get("properties", {}).get("name", x.get("title")),
                    "href": next((link["href"] for link in x.get("links", []) if link["rel"] == "self"), None)}
                   for x in body.get("features", body.get("collections", []))]
        context = {"title": body.get("title", body.get("id", "Innovation Atlas NL")),
                   "description": body.get("description"), "links": body.get("links", []), "entries": entries}
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


def _collection(request: Request, data: AtlasData, level: str, year: int) -> dict:
    cid = _collection_id(level, year)
    bounds = [round(v, 6) for v in data.boundaries.get(level, year).total_bounds]
    return {
        "id": cid, "title": f"{level} {year}", "itemType": "feature",
        "description": f"CBS {level} boundaries {year} (generalised), with parent regions and area. Source: CBS, PDOK.",
        "extent": {"spatial": {"bbox": [bounds], "crs": CRS84}, "temporal": {"interval": [[f"{year}-01-01T00:00:00Z", f"{year}-12-31T23:59:59Z"]]}},
        "crs": list(CRS_URIS), "storageCrs": CRS84,
        "links": [
            {"href": _url(request, "collection", collection_id=cid), "rel": "self", "type": "application/json", "title": cid},
            {"href": _url(request, "items", collection_id=cid), "rel": "items", "type": GEOJSON, "title": f"{cid} items"},
            {"href": _url(request, "items", "f=html", collection_id=cid), "rel": "items", "type": "text/html",
             "title": f"{cid} items (HTML)"},
            {"href": _url(request, "map_tilesets", collection_id=cid), "rel": OGC_REL + "tilesets-map",
             "type": "application/json", "title": f"{cid} choropleth map tiles (PNG)"},
            {"href": _url(request, "vector_tilesets", collection_id=cid), "rel": OGC_REL + "tilesets-vector",
             "type": "application/json", "title": f"{cid} vector tiles (MVT)"},
        ],
    }


@router.get("", response_class=JSONResponse, responses=_documented(schemas.Landing, "application/json"))
def landing(request: Request, f: OgcFormat | None = None):
    body = {
        "title": "Innovation Atlas NL", "description": "CBS region boundaries per level and year as OGC API - Features",
        "links": [
            {"href": _url(request, "landing"), "rel": "self", "type": "application/json", "title": "this document"},
            {"href": _url(request, "openapi"), "rel": "service-desc",
             "type": "application/vnd.oai.openapi+json;version=3.0", "title": "API definition"},
            {"href": _url(request, "swagger_ui"), "rel": "service-doc", "type": "text/html", "title": "API documentation"},
            {"href": _url(request, "conformance"), "rel": "conformance", "type": "application/json", "title": "conformance"},
            {"href": _url(request, "collections"), "rel": "data", "type": "application/json", "title": "collections"},
            {"href": _url(request, "tile_matrix_sets"), "rel": OGC_REL + "tiling-schemes", "type": "application/json",
             "title": "tile matrix sets"},
        ],
    }
    return _respond(request, body, f)


@router.get("/conformance", response_class=JSONResponse, responses=_documented(schemas.Conformance, "application/json"))
def conformance(request: Request, f: OgcFormat | None = None):
    return _respond(request, {"conformsTo": CONFORMANCE, "links": []}, f)


@router.get("/collections", response_class=JSONResponse, responses=_documented(schemas.Collections, "application/json"))
def collections(request: Request, f: OgcFormat | None = None, data: AtlasData = Depends(atlas_data)):
    body = {
        "links": [{"href": _url(request, "collections"), "rel": "self", "type": "application/json", "title": "collections"}],
        "crs": list(CRS_URIS),
        "collections": [_collection(request, data, lv, y) for (lv, y) in sorted(data.boundaries.layers)],
    }
    return _respond(request, body, f)


@router.get("/collections/{collection_id}", response_class=JSONResponse,
            responses=_documented(schemas.Collection, "application/json"))
def collection(request: Request, collection_id: str, f: OgcFormat | None = None, data: AtlasData = Depends(atlas_data)):
    level, year = _parse_collection(data, collection_id)
    return _respond(request, _collection(request, data, level, year), f)


@router.get("/collections/{collection_id}/items", response_class=JSONResponse,
            responses=_documented(schemas.Items, GEOJSON))
def items(
    request: Request,
    collection_id: str,
    limit: int = Query(10, ge=1, description="Page size (at most ATLAS_MAX_PAGE_SIZE)"),
    offset: int = Query(0, ge=0),
    bbox: str | None = Query(None, description="minLon,minLat,maxLon,maxLat in CRS84"),
    crs: str = Query(CRS84, description="Output CRS URI"),
    f: OgcFormat | None = None,
    data: AtlasData = Depends(atlas_data),
    settings: ApiSettings = Depends(api_settings),
):
    maximum = settings.max_page_size
    if limit > maximum:
        raise InvalidChoice("limit", limit, [f"1..{maximum}"])
    level, year = _parse_collection(data, collection_id)
    page = feature_page(data, level, year, limit, offset, parse_bbox(bbox) if bbox else None, crs)
    url = _url(request, "items", collection_id=collection_id)
    keep = "".join(f"&{k}={v}" for k, v in (("bbox", bbox), ("crs", crs if crs != CRS84 else None)) if v)
    links = [{"href": f"{url}?limit={limit}&offset={offset}{keep}", "rel": "self", "type": GEOJSON, "title": "this page"}]
    if offset + limit < page.matched:
        links.append({"href": f"{url}?limit={limit}&offset={offset + limit}{keep}", "rel": "next", "type": GEOJSON, "title": "next page"})
    if offset > 0:
        links.append({"href": f"{url}?limit={limit}&offset={max(0, offset - limit)}{keep}", "rel": "prev", "type": GEOJSON, "title": "previous page"})
    body = {"type": "FeatureCollection", "features": page.features, "numberMatched": page.matched,
            "numberReturned": len(page.features), "links": links, "title": collection_id}
    return _respond(request, body, f, GEOJSON, headers={"Content-Crs": f"<{crs}>"})


@router.get("/collections/{collection_id}/items/{feature_id}", response_class=JSONResponse,
            responses=_documented(schemas.Feature, GEOJSON))
def item(request: Request, collection_id: str, feature_id: str, crs: str = Query(CRS84), f: OgcFormat | None = None,
         data: AtlasData = Depends(atlas_data)):
    level, year = _parse_collection(data, collection_id)
    codes = list(data.boundaries.get(level, year)["code"])
    if feature_id not in codes:
        raise UnknownResource("feature", feature_id, codes[:20], hint=f"{len(codes)} features in {collection_id}")
    index = codes.index(feature_id)
    page = feature_page(data, level, year, 1, index, None, crs)
    feature = page.features[0]
    feature["links"] = [{"href": _url(request, "collection", collection_id=collection_id), "rel": "collection",
                         "type": "application/json", "title": collection_id}]
    return _respond(request, feature, f, GEOJSON, headers={"Content-Crs": f"<{crs}>"})
