"""Choropleth tiles (PNG and Mapbox Vector Tiles), their TileJSON, legends and the colour schemes."""

from __future__ import annotations

import re
from enum import Enum
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.responses import Response

from api import schemas
from api.caching import HttpCacheSettings, etag_matches, http_cache_settings
from api.deps import Level, atlas_data, boundary_year
from api.responsecache import do_not_store
from atlas.data import AtlasData
from atlas.render.classify import CATEGORY_METHOD, METHODS, ClassRequest, classification_for
from atlas.render.schemes import SCHEMES
from atlas.render.tilegrid import tile_address
from atlas.render.tilejson import tilejson
from atlas.render.tiles import FORMATS, TileRequest, get_tile, tile_classification, tile_etag

# Every route here classifies, which is CPU work (a cold classification of the wijken takes tens of ms), so
# every route is a plain `def`: FastAPI runs it in its thread pool (api.workpool) and the event loop keeps
# answering. Parsing parameters is not CPU work: `class_request` is async, so it needs no thread.
router = APIRouter(prefix="/api/v1", tags=["tiles"])
TILE_NAME = re.compile(r"^(?P<y>\d+)(?P<retina>@2x)?\.(?P<format>png|mvt)$")


# Built from the core's own tables so the API's enums cannot drift from them; mypy cannot list such members.
Method = Enum("Method", {m: m for m in (*METHODS, CATEGORY_METHOD)}, type=str)  # type: ignore[misc]
SchemeName = Enum("SchemeName", {name: name for name in SCHEMES}, type=str)  # type: ignore[misc]
TileFormat = Enum("TileFormat", {f: f for f in FORMATS}, type=str)  # type: ignore[misc]
TILE_QUERY = ("year", "method", "classes", "scheme", "log", "breaks", "boundary_year")  # what a tile URL carries on
BREAKS = r"^-?\d+(\.\d+)?(,-?\d+(\.\d+)?)*$"


async def class_request(
    method: Method | None = Query(None, description="Classification; categories for category indicators"),
    classes: int | None = Query(None, ge=2, le=12, description="Number of classes (up to what the scheme offers)"),
    scheme: SchemeName | None = Query(None, description="ColorBrewer scheme, see /api/v1/schemes"),
    log: bool = Query(False, description="Classify log(1 + value), for skewed counts"),
    breaks: str | None = Query(None, pattern=BREAKS, description="Comma-separated upper class bounds; implies user_defined"),
) -> ClassRequest:
    parsed = tuple(float(b) for b in breaks.split(",")) if breaks else ()
    return ClassRequest(method.value if method else None, classes, scheme.value if scheme else None, log, parsed)


@router.get("/schemes", response_model=schemas.Schemes)
def schemes() -> dict:
    return {"methods": [*METHODS, CATEGORY_METHOD], "schemes": [s.as_dict() for s in SCHEMES.values()]}


@router.get("/legend/{level}/{indicator}", response_model=schemas.Legend)
def legend(level: Level, indicator: str, year: int | None = Query(None, ge=1900, le=2100),
           request: ClassRequest = Depends(class_request), boundaries: int | None = Depends(boundary_year),
           data: AtlasData = Depends(atlas_data)) -> dict:
    return classification_for(data, indicator, level.value, year, request, boundaries).legend()


@router.get("/tiles/{level}/{indicator}/tilejson.json", response_model=schemas.TileJSON)
def tile_json(
    http: Request, response: Response, level: Level, indicator: str, year: int | None = Query(None, ge=1900, le=2100),
    format: TileFormat = Query(TileFormat["png"]),
    request: ClassRequest = Depends(class_request), boundaries: int | None = Depends(boundary_year),
    data: AtlasData = Depends(atlas_data),
) -> dict:
    """The tile URLs are absolute, built from the Host the client used: the answer says `Vary: Host`."""
    classification = classification_for(data, indicator, level.value, year, request, boundaries)
    query = {k: v for k, v in http.query_params.items() if k in TILE_QUERY}
    query["v"] = data.version[:12]
    base = str(http.base_url).rstrip("/")
    response.headers["Vary"] = "Host"
    url = f"{base}/api/v1/tiles/{level.value}/{indicator}/{{z}}/{{x}}/{{y}}.{format.value}?{urlencode(query)}"
    settings = http.app.state.api_settings
    return tilejson(data, classification, url, format.value, settings.tile_min_zoom, settings.tile_max_zoom)


@router.get("/tiles/{level}/{indicator}/{z}/{x}/{tile}", response_class=Response,
            responses={200: {"content": {"image/png": {}, "application/vnd.mapbox-vector-tile": {}}}, 304: {}})
def tile(
    http: Request, level: Level, indicator: str, z: int = Path(ge=0, le=22), x: int = Path(ge=0),
    tile: str = Path(pattern=TILE_NAME.pattern, description="{y}.png, {y}@2x.png or {y}.mvt"),
    year: int | None = Query(None, ge=1900, le=2100),
    v: str | None = Query(None, description="Data version from TileJSON; a matching version makes tiles immutable"),
    request: ClassRequest = Depends(class_request), boundaries: int | None = Depends(boundary_year),
    data: AtlasData = Depends(atlas_data), caching: HttpCacheSettings = Depends(http_cache_settings),
) -> Response:
    """`tile` is `{y}.png`, `{y}@2x.png` (512 px) or `{y}.mvt`."""
    match = TILE_NAME.match(tile)
    assert match is not None  # the path pattern has already rejected anything else
    settings = http.app.state.api_settings
    address = tile_address(z, x, int(match["y"]), 2 if match["retina"] else 1,
                           settings.tile_min_zoom, settings.tile_max_zoom)
    tile_request = TileRequest(indicator, level.value, year, request, address, match["format"], boundaries)
    tile_classification(data, tile_request)
    etag = tile_etag(data, tile_request)
    headers = {"ETag": etag, "Cache-Control": caching.immutable if v == data.version[:12] else caching.revalidate}
    if etag_matches(http.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    found = get_tile(data, tile_request)
    if found.empty:
        do_not_store(http)
    return Response(found.content, media_type=found.media_type, headers=headers)


def declare_zoom_range(app: FastAPI, min_zoom: int, max_zoom: int) -> None:
    """State the zoom levels this server renders (ATLAS_TILE_MIN_ZOOM/MAX_ZOOM) as the `z` range in the OpenAPI
    document; the path itself accepts 0-22 so that a zoom outside the range gets a 400 naming it."""
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            for item in generate()["paths"].values():
                for operation in item.values():
                    for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                        if parameter["name"] == "z" and parameter["in"] == "path":
                            parameter["schema"].update(minimum=min_zoom, maximum=max_zoom)
        return app.openapi_schema or generate()

    app.openapi = openapi  # type: ignore[method-assign]
