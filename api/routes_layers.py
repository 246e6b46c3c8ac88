"""Layer downloads: boundaries joined with indicators, in the formats GIS users expect."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api.deps import LayerFormat, Level, atlas_data
from atlas.data import AtlasData
from atlas.layers import OUTPUT_CRS, export_layer, layer_frame

router = APIRouter(prefix="/api/v1", tags=["layers"])


@router.get("/layers/{level}")
def layer(
    level: Level,
    year: int | None = Query(None, ge=1900, le=2100, description="Boundary year; default the latest"),
    indicators: str = Query("", description="Comma-separated indicator ids to join"),
    format: LayerFormat = Query(LayerFormat.geojson),
    crs: str = Query("EPSG:4326", description=f"One of {', '.join(OUTPUT_CRS)}"),
    simplify: float = Query(0.0, description="Topology-preserving simplification tolerance in metres (0-5000)"),
    data: AtlasData = Depends(atlas_data),
) -> Response:
    year = year if year is not None else data.boundaries.years(level.value)[-1]
    ids = [i.strip() for i in indicators.split(",") if i.strip()]
    frame = layer_frame(data, level.value, year, ids, crs, simplify)
    file = export_layer(data, frame, format.value, ids)
    return Response(file.content, media_type=file.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{file.filename}"'})
