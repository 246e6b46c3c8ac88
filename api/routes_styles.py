"""Layer styles (QGIS .qml, SLD) for the layer downloads, from the classification the tiles are drawn with."""

from __future__ import annotations

from enum import Enum

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api.deps import Level, atlas_data, boundary_year
from api.routes_tiles import class_request
from atlas.data import AtlasData
from atlas.render.classify import ClassRequest, classification_for
from atlas.render.styles import STYLE_FORMATS, qml, sld

router = APIRouter(prefix="/api/v1", tags=["tiles"])
StyleFormat = Enum("StyleFormat", {f: f for f in STYLE_FORMATS}, type=str)  # type: ignore[misc]


@router.get("/styles/{level}/{indicator}", response_class=Response,
            responses={200: {"content": {media: {} for media in STYLE_FORMATS.values()}}})
def style(level: Level, indicator: str, format: StyleFormat = Query(..., description="qml (QGIS) or sld"),
          year: int | None = Query(None, ge=1900, le=2100),
          request: ClassRequest = Depends(class_request), boundaries: int | None = Depends(boundary_year),
          data: AtlasData = Depends(atlas_data)) -> Response:
    """Rules on the layer download's `{indicator}` column: one per legend class and one for no data. A plain
    `def`: classifying is CPU work, run in the thread pool."""
    classification = classification_for(data, indicator, level.value, year, request, boundaries)
    values = classification.values
    name = f"{level.value}_{values.boundary_year}"
    content = qml(classification) if format.value == "qml" else sld(classification, name)
    filename = f"{indicator}_{name}_{values.year or 'undated'}.{format.value}"
    return Response(content, media_type=STYLE_FORMATS[format.value],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
