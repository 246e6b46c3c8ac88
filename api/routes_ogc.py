"""OGC API - Features (Part 1 core, GeoJSON, HTML; Part 2 CRS): one collection per level and year."""

from __future__ import annotations

import html

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from api.deps import OgcFormat, atlas_data
from atlas.data import AtlasData
from atlas.errors import InvalidChoice
from atlas.features import CRS_URIS, feature_page, parse_bbox
from atlas.settings import get_settings

router = APIRouter(prefix="/ogc", tags=["OGC API - Features"], responses={200: {"content": {
    "application/json": {}, "application/geo+json": {}, "text/html": {}}}})
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GEOJSON = "application/geo+json"


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/ogc"


def _respond(request: Request, body: dict, f: OgcFormat | None, media_type: str = "application/json",
             headers: dict | None = None):
    if f is OgcFormat.html or (f is None and "text/html" in request.headers.get("accept", "")):
        title = html.escape(str(body.get("title", body.get("id", "Innovation Atlas NL"))))
        links = "".join(f'<li><a href="{html.escape(k["href"])}">{html.escape(k.get("title", k["rel"]))}</a></li>'
                        for k in body.get("links", []))
        items = "".join(f"<li>{html.escape(str(x.get('id')))}: {html.escape(str(x.get('properties', {}).get('name', x.get('title', ''))))}</li>"
                        for x in body.get("features", body.get("collections", [])))
        return HTMLResponse(f"<!doctype html><html lang=en><meta charset=utf-8><title>{title}</title>"
                            f"<h1>{title}</h1><ul>{links}</ul><ul>{items}</ul></html>", headers=headers)
    return JSONResponse(body, media_type=media_type, headers=headers)


def _collection_id(level: str, year: int) -> str:
    return f"{level}_{year}"


def _parse_collection(data: AtlasData, collection_id: str) -> tuple[str, int]:
    valid = [_collection_id(lv, y) for (lv, y) in sorted(data.boundaries.layers)]
    level, _, year = collection_id.rpartition("_")
    if collection_id not in valid:
        raise InvalidChoice("collection", collection_id, valid)
    return level, int(year)


def _collection(request: Request, data: AtlasData, level: str, year: int) -> dict:
    cid = _collection_id(level, year)
    base = _base(request)
    bounds = [round(v, 6) for v in data.boundaries.get(level, year).total_bounds]
    return {
        "id": cid, "title": f"{level} {year}", "itemType": "feature",
        "description": f"CBS {level} boundaries {year} (generalised), with parent regions and area. Source: CBS, PDOK.",
        "extent": {"spatial": {"bbox": [bounds], "crs": CRS84}, "temporal": {"interval": [[f"{year}-01-01T00:00:00Z", f"{year}-12-31T23:59:59Z"]]}},
        "crs": list(CRS_URIS), "storageCrs": CRS84,
        "links": [
            {"href": f"{base}/collections/{cid}", "rel": "self", "type": "application/json", "title": cid},
            {"href": f"{base}/collections/{cid}/items", "rel": "items", "type": GEOJSON, "title": f"{cid} items"},
            {"href": f"{base}/collections/{cid}/items?f=html", "rel": "items", "type": "text/html", "title": f"{cid} items (HTML)"},
        ],
    }


@router.get("")
def landing(request: Request, f: OgcFormat | None = None):
    base = _base(request)
    root = str(request.base_url).rstrip("/")
    body = {
        "title": "Innovation Atlas NL", "description": "CBS region boundaries per level and year as OGC API - Features",
        "links": [
            {"href": base, "rel": "self", "type": "application/json", "title": "this document"},
            {"href": f"{root}/openapi.json", "rel": "service-desc", "type": "application/vnd.oai.openapi+json;version=3.0", "title": "API definition"},
            {"href": f"{root}/docs", "rel": "service-doc", "type": "text/html", "title": "API documentation"},
            {"href": f"{base}/conformance", "rel": "conformance", "type": "application/json", "title": "conformance"},
            {"href": f"{base}/collections", "rel": "data", "type": "application/json", "title": "collections"},
        ],
    }
    return _respond(request, body, f)


@router.get("/conformance")
def conformance(request: Request, f: OgcFormat | None = None):
    return _respond(request, {"conformsTo": CONFORMANCE, "links": []}, f)


@router.get("/collections")
def collections(request: Request, f: OgcFormat | None = None, data: AtlasData = Depends(atlas_data)):
    body = {
        "links": [{"href": f"{_base(request)}/collections", "rel": "self", "type": "application/json", "title": "collections"}],
        "crs": list(CRS_URIS),
        "collections": [_collection(request, data, lv, y) for (lv, y) in sorted(data.boundaries.layers)],
    }
    return _respond(request, body, f)


@router.get("/collections/{collection_id}")
def collection(request: Request, collection_id: str, f: OgcFormat | None = None, data: AtlasData = Depends(atlas_data)):
    level, year = _parse_collection(data, collection_id)
    return _respond(request, _collection(request, data, level, year), f)


@router.get("/collections/{collection_id}/items")
def items(
    request: Request,
    collection_id: str,
    limit: int = Query(10, ge=1, description="Page size (at most ATLAS_MAX_PAGE_SIZE)"),
    offset: int = Query(0, ge=0),
    bbox: str | None = Query(None, description="minLon,minLat,maxLon,maxLat in CRS84"),
    crs: str = Query(CRS84, description="Output CRS URI"),
    f: OgcFormat | None = None,
    data: AtlasData = Depends(atlas_data),
):
    maximum = get_settings().max_page_size
    if limit > maximum:
        raise InvalidChoice("limit", limit, [f"1..{maximum}"])
    level, year = _parse_collection(data, collection_id)
    page = feature_page(data, level, year, limit, offset, parse_bbox(bbox) if bbox else None, crs)
    url = f"{_base(request)}/collections/{collection_id}/items"
    keep = "".join(f"&{k}={v}" for k, v in (("bbox", bbox), ("crs", crs if crs != CRS84 else None)) if v)
    links = [{"href": f"{url}?limit={limit}&offset={offset}{keep}", "rel": "self", "type": GEOJSON, "title": "this page"}]
    if offset + limit < page.matched:
        links.append({"href": f"{url}?limit={limit}&offset={offset + limit}{keep}", "rel": "next", "type": GEOJSON, "title": "next page"})
    if offset > 0:
        links.append({"href": f"{url}?limit={limit}&offset={max(0, offset - limit)}{keep}", "rel": "prev", "type": GEOJSON, "title": "previous page"})
    body = {"type": "FeatureCollection", "features": page.features, "numberMatched": page.matched,
            "numberReturned": len(page.features), "links": links, "title": collection_id}
    return _respond(request, body, f, GEOJSON, headers={"Content-Crs": f"<{crs}>"})


@router.get("/collections/{collection_id}/items/{feature_id}")
def item(request: Request, collection_id: str, feature_id: str, crs: str = Query(CRS84), f: OgcFormat | None = None,
         data: AtlasData = Depends(atlas_data)):
    level, year = _parse_collection(data, collection_id)
    codes = list(data.boundaries.get(level, year)["code"])
    if feature_id not in codes:
        raise InvalidChoice("feature", feature_id, codes[:20], hint=f"{len(codes)} features in {collection_id}")
    index = codes.index(feature_id)
    page = feature_page(data, level, year, 1, index, None, crs)
    feature = page.features[0]
    feature["links"] = [{"href": f"{_base(request)}/collections/{collection_id}", "rel": "collection", "type": "application/json", "title": collection_id}]
    return _respond(request, feature, f, GEOJSON, headers={"Content-Crs": f"<{crs}>"})
