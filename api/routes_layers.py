"""Layer downloads: boundaries joined with indicators, in the formats GIS users expect."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api.deps import LayerFormat, Level, api_settings, atlas_data
from api.settings import ApiSettings
from atlas.data import AtlasData
from atlas.errors import ResponseTooLarge
from atlas.geography.vocabulary import OUTPUT_CRS
from atlas.render.layers import TOO_LARGE_HINT, default_layer_year, layer_file
from atlas.render.workbook import MEDIA_TYPE as WORKBOOK_MEDIA_TYPE

router = APIRouter(prefix="/api/v1", tags=["layers"])


@router.get("/layers/{level}", response_class=Response, responses={200: {"content": {
    "application/geo+json": {"schema": {"$ref": "#/components/schemas/FeatureCollection"}},
    "application/json": {"schema": {"description": "TopoJSON", "type": "object", "required": ["type"],
                                     "properties": {"type": {"const": "Topology"}}}},
    "application/geopackage+sqlite3": {}, "text/csv": {}, "application/vnd.apache.parquet": {},
    "application/flatgeobuf": {}, WORKBOOK_MEDIA_TYPE: {}}}})
def layer(
    level: Level,
    year: int | None = Query(None, ge=1900, le=2100,
                             description="Boundary year; default the latest with values for all requested indicators"),
    indicators: str = Query("", description="Comma-separated indicator ids to join"),
    format: LayerFormat = Query(LayerFormat.geojson),
    crs: str = Query("EPSG:4326", description=f"One of {', '.join(OUTPUT_CRS)}"),
    simplify: float = Query(0.0, description="Topology-preserving simplification tolerance in metres (0-5000)"),
    within: str | None = Query(None, description="Only regions inside an area from /api/v1/areas (e.g. BOM, PV30, CR36)"),
    csv_locale: str = Query("standard", description="CSV only: `nl` for Dutch Excel (semicolons, decimal comma, UTF-8 BOM)"),
    data: AtlasData = Depends(atlas_data), settings: ApiSettings = Depends(api_settings),
) -> Response:
    ids = list(dict.fromkeys(i.strip() for i in indicators.split(",") if i.strip()))  # each indicator once
    year = year if year is not None else default_layer_year(data, level.value, ids)
    limit = settings.max_response_mb * 2**20
    file = layer_file(data, level.value, year, ids, crs, simplify, format.value, within, csv_locale, max_bytes=limit)
    if len(file.content) > limit:
        raise ResponseTooLarge(len(file.content), limit, TOO_LARGE_HINT)
    return Response(file.content, media_type=file.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{file.filename}"'})
