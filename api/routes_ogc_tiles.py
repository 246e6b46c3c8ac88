"""OGC API - Tiles beside OGC API - Features: the tile matrix sets, and for every collection (a level and
boundary year) map tiles (PNG) and vector tiles (MVT) in WebMercatorQuad and PDOK's NetherlandsRDNewQuad.

A collection holds boundaries; its tiles are a choropleth of one indicator (`indicator=`, default the one
the web page opens with) in that indicator's latest year on the collection's boundaries, classified as
`/api/v1/legend` would with the same `method`, `classes`, `scheme`, `log` and `breaks`. Every tileset
document carries that legend, so a GIS client can show what the colours mean. The tiles themselves come
from the same renderer and caches as `/api/v1/tiles`. Its conformance classes are listed with the
others in api.routes_ogc.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from api import schemas
from api.caching import HttpCacheSettings, etag_matches, http_cache_settings
from api.deps import api_settings, atlas_data
from api.responsecache import do_not_store
from api.routes_ogc import OGC_REL as REL
from api.routes_ogc import _parse_collection, _url
from api.routes_tiles import class_request
from api.settings import ApiSettings
from atlas.data import AtlasData
from atlas.render.classify import ClassRequest, Classification, classification_for
from atlas.render.layers import value_year
from atlas.render.tilegrid import tile_address
from atlas.render.tilematrixsets import GRIDS, TileSet, definition, tile_set, tile_sets
from atlas.render.tiles import TileRequest, get_tile, tile_etag

router = APIRouter(prefix="/ogc", tags=["OGC API - Tiles"])
MEDIA = {"map": "image/png", "vector": "application/vnd.mapbox-vector-tile"}
FORMAT = {"map": "png", "vector": "mvt"}
DEFAULT_INDICATOR = "pct_higher_educated_15_75"  # the indicator the web page opens with
TILE_RESPONSES: dict[int | str, dict] = {200: {"content": {"image/png": {}, "application/vnd.mapbox-vector-tile": {}}},
                                         304: {}}


def _served(settings: ApiSettings) -> dict[str, TileSet]:
    return tile_sets((settings.tile_min_zoom, settings.tile_max_zoom))


def _known(tms_id: str, settings: ApiSettings) -> TileSet:
    return tile_set(tms_id, (settings.tile_min_zoom, settings.tile_max_zoom))


def _link(href: str, rel: str, media_type: str, title: str, **extra: object) -> dict:
    return {"href": href, "rel": rel, "type": media_type, "title": title, **extra}


@router.get("/tileMatrixSets", response_model=schemas.TileMatrixSets)
def tile_matrix_sets(request: Request) -> dict:
    return {"tileMatrixSets": [
        {"id": tms_id, "title": grid.title, "uri": str(grid.uri), "crs": grid.crs.srs,
         "links": [_link(_url(request, "tile_matrix_set", tms_id=tms_id), "self", "application/json", tms_id)]}
        for tms_id, grid in GRIDS.items()]}


@router.get("/tileMatrixSets/{tms_id}", response_model=schemas.TileMatrixSetDefinition)
def tile_matrix_set(tms_id: str) -> dict:
    """The OGC Two Dimensional Tile Matrix Set 2.0 definition (JSON)."""
    return definition(tms_id)


def _choropleth(data: AtlasData, collection_id: str, indicator: str, year: int | None,
                classes: ClassRequest) -> tuple[str, int, int | None, Classification]:
    """Level, boundary year, values year and classification of a collection's tiles."""
    level, boundary_year = _parse_collection(data, collection_id)
    values_year = year if year is not None else value_year(data, indicator, level, boundary_year)
    return level, boundary_year, values_year, classification_for(data, indicator, level, values_year, classes,
                                                                  boundary_year)


def _tileset_summary(request: Request, collection_id: str, kind: str, tms: TileSet, query: str,
                     classification: Classification) -> dict:
    path = {"collection_id": collection_id, "tms_id": tms.id}
    tileset = "map_tileset" if kind == "map" else "vector_tileset"
    template = _url(request, tileset, **path) + "/{tileMatrix}/{tileRow}/{tileCol}" + (f"?{query}" if query else "")
    legend = classification.legend()
    return {
        "title": f"{legend['title']['en']} ({legend['level']} {legend['boundary_year']}, {tms.id}, {kind} tiles)",
        "dataType": kind, "crs": tms.grid.crs.srs, "tileMatrixSetURI": str(tms.grid.uri),
        "links": [
            _link(_url(request, tileset, query, **path), "self", "application/json", "this tileset"),
            _link(_url(request, "tile_matrix_set", tms_id=tms.id), REL + "tiling-scheme", "application/json",
                  f"{tms.id} definition"),
            _link(template, "item", MEDIA[kind], f"{kind} tiles", templated=True),
        ],
    }


def _tileset(request: Request, collection_id: str, kind: str, tms: TileSet, query: str,
             classification: Classification) -> dict:
    limits = []
    for z in range(tms.min_zoom, tms.max_zoom + 1):
        columns, rows = tms.matrix_size(z)
        limits.append({"tileMatrix": str(z), "minTileRow": 0, "maxTileRow": rows - 1, "minTileCol": 0,
                       "maxTileCol": columns - 1})
    document = _tileset_summary(request, collection_id, kind, tms, query, classification)
    document.update({"tileMatrixSetLimits": limits, "atlas_legend": classification.legend()})
    if kind == "vector":
        document["layers"] = [{"id": classification.values.level, "dataType": "polygons",
                               "minTileMatrix": str(tms.min_zoom), "maxTileMatrix": str(tms.max_zoom)}]
    return document


def _tilesets(request: Request, collection_id: str, kind: str, indicator: str, year: int | None,
              classes: ClassRequest, data: AtlasData, settings: ApiSettings) -> dict:
    *_, classification = _choropleth(data, collection_id, indicator, year, classes)
    query = urlencode(request.query_params)
    return {"tilesets": [_tileset_summary(request, collection_id, kind, tms, query, classification)
                         for tms in _served(settings).values()],
            "links": [_link(str(request.url), "self", "application/json", f"{kind} tilesets of {collection_id}")]}


def _tile(request: Request, collection_id: str, kind: str, tms_id: str, z: int, y: int, x: int, indicator: str,
          year: int | None, classes: ClassRequest, data: AtlasData, settings: ApiSettings,
          caching: HttpCacheSettings) -> Response:
    level, boundary_year, values_year, _ = _choropleth(data, collection_id, indicator, year, classes)
    address = tile_address(z, x, y, 1, settings.tile_min_zoom, settings.tile_max_zoom, tms_id)
    tile_request = TileRequest(indicator, level, values_year, classes, address, FORMAT[kind], boundary_year)
    etag = tile_etag(data, tile_request)
    headers = {"ETag": etag, "Cache-Control": caching.revalidate}
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    found = get_tile(data, tile_request)
    if found.empty:
        do_not_store(request)
    return Response(found.content, media_type=found.media_type, headers=headers)


INDICATOR = Query(DEFAULT_INDICATOR, description="Indicator the tiles are a choropleth of")
YEAR = Query(None, ge=1900, le=2100, description="Year of the values; default the latest on these boundaries")


# Every route below classifies (CPU work), so each is a plain `def` run in FastAPI's thread pool.
@router.get("/collections/{collection_id}/tiles", response_model=schemas.TileSets)
def vector_tilesets(request: Request, collection_id: str, indicator: str = INDICATOR, year: int | None = YEAR,
                    classes: ClassRequest = Depends(class_request), data: AtlasData = Depends(atlas_data),
                    settings: ApiSettings = Depends(api_settings)) -> dict:
    return _tilesets(request, collection_id, "vector", indicator, year, classes, data, settings)


@router.get("/collections/{collection_id}/map/tiles", response_model=schemas.TileSets)
def map_tilesets(request: Request, collection_id: str, indicator: str = INDICATOR, year: int | None = YEAR,
                 classes: ClassRequest = Depends(class_request), data: AtlasData = Depends(atlas_data),
                 settings: ApiSettings = Depends(api_settings)) -> dict:
    return _tilesets(request, collection_id, "map", indicator, year, classes, data, settings)


@router.get("/collections/{collection_id}/tiles/{tms_id}", response_model=schemas.TileSet)
def vector_tileset(request: Request, collection_id: str, tms_id: str, indicator: str = INDICATOR,
                   year: int | None = YEAR, classes: ClassRequest = Depends(class_request),
                   data: AtlasData = Depends(atlas_data), settings: ApiSettings = Depends(api_settings)) -> dict:
    *_, classification = _choropleth(data, collection_id, indicator, year, classes)
    tms = _known(tms_id, settings)
    return _tileset(request, collection_id, "vector", tms, urlencode(request.query_params), classification)


@router.get("/collections/{collection_id}/map/tiles/{tms_id}", response_model=schemas.TileSet)
def map_tileset(request: Request, collection_id: str, tms_id: str, indicator: str = INDICATOR,
                year: int | None = YEAR, classes: ClassRequest = Depends(class_request),
                data: AtlasData = Depends(atlas_data), settings: ApiSettings = Depends(api_settings)) -> dict:
    *_, classification = _choropleth(data, collection_id, indicator, year, classes)
    tms = _known(tms_id, settings)
    return _tileset(request, collection_id, "map", tms, urlencode(request.query_params), classification)


@router.get("/collections/{collection_id}/tiles/{tms_id}/{z}/{y}/{x}", response_class=Response,
            responses=TILE_RESPONSES)
def vector_tile(request: Request, collection_id: str, tms_id: str, z: int = Path(ge=0, le=24),
                y: int = Path(ge=0), x: int = Path(ge=0), indicator: str = INDICATOR, year: int | None = YEAR,
                classes: ClassRequest = Depends(class_request), data: AtlasData = Depends(atlas_data),
                settings: ApiSettings = Depends(api_settings),
                caching: HttpCacheSettings = Depends(http_cache_settings)) -> Response:
    """A Mapbox Vector Tile: {z}/{y}/{x} are tileMatrix, tileRow, tileCol of the set."""
    return _tile(request, collection_id, "vector", tms_id, z, y, x, indicator, year, classes, data, settings, caching)


@router.get("/collections/{collection_id}/map/tiles/{tms_id}/{z}/{y}/{x}", response_class=Response,
            responses=TILE_RESPONSES)
def map_tile(request: Request, collection_id: str, tms_id: str, z: int = Path(ge=0, le=24),
             y: int = Path(ge=0), x: int = Path(ge=0), indicator: str = INDICATOR, year: int | None = YEAR,
             classes: ClassRequest = Depends(class_request), data: AtlasData = Depends(atlas_data),
             settings: ApiSettings = Depends(api_settings),
             caching: HttpCacheSettings = Depends(http_cache_settings)) -> Response:
    """A 256 px PNG map tile: {z}/{y}/{x} are tileMatrix, tileRow, tileCol of the set."""
    return _tile(request, collection_id, "map", tms_id, z, y, x, indicator, year, classes, data, settings, caching)
