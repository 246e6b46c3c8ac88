"""Health, levels, the indicator catalogue and indicator values."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response

from api.deps import Level, ValuesFormat, atlas_data, boundary_year
from atlas import __version__
from atlas.data import AtlasData
from atlas.places import regions_within
from atlas.settings import get_settings
from atlas.tilegrid import bounds_wgs84
from atlas.values import available_levels, available_years, indicator_values

router = APIRouter(prefix="/api/v1", tags=["indicators"])


@router.get("/health")
def health(data: AtlasData = Depends(atlas_data)) -> dict:
    return {
        "status": "ok", "version": __version__, "data_version": data.version,
        "boundary_years": {lv: data.boundaries.years(lv) for lv in data.boundaries.levels()},
    }


@router.get("/config")
def config(data: AtlasData = Depends(atlas_data)) -> dict:
    """What the web page needs to start: background map, zoom range and the country's extent."""
    settings = get_settings()
    return {
        "base_map": {"url": settings.base_map_url, "attribution": settings.base_map_attribution},
        "min_zoom": settings.tile_min_zoom, "max_zoom": settings.tile_max_zoom, "bounds": bounds_wgs84(data),
        "data_version": data.version,
        "boundary_years": {lv: data.boundaries.years(lv) for lv in data.boundaries.levels()},
    }


@router.get("/levels")
def levels(data: AtlasData = Depends(atlas_data)) -> list[dict]:
    return [
        {"level": lv, "regions_per_year": {str(y): len(data.boundaries.get(lv, y)) for y in data.boundaries.years(lv)}}
        for lv in data.boundaries.levels()
    ]


def _describe(data: AtlasData, indicator_id: str) -> dict:
    indicator = data.catalogue.get(indicator_id)
    described = indicator.as_dict()
    described["map_levels"] = available_levels(data, indicator)
    described["years_by_level"] = {lv: available_years(data, indicator, lv) for lv in described["map_levels"]}
    return described


@router.get("/indicators")
def indicators(theme: str | None = None, data: AtlasData = Depends(atlas_data)) -> list[dict]:
    return [_describe(data, i) for i, ind in data.catalogue.indicators.items() if theme in (None, ind.theme)]


@router.get("/indicators/{indicator_id}")
def indicator(indicator_id: str, data: AtlasData = Depends(atlas_data)) -> dict:
    return _describe(data, indicator_id)


@router.get("/indicators/{indicator_id}/values", responses={200: {"content": {"application/json": {}, "text/csv": {}}}})
def values(
    indicator_id: str,
    level: Level = Query(..., description="Region level"),
    year: int | None = Query(None, ge=1900, le=2100, description="Year; default the latest with values"),
    format: ValuesFormat = Query(ValuesFormat.json),
    within: str | None = Query(None, description="Only regions inside a ROM's area (e.g. BOM) or provinces (PV30,PV31); "
                                                 "ranks stay national"),
    boundaries: int | None = Depends(boundary_year),
    data: AtlasData = Depends(atlas_data),
) -> Response:
    result = indicator_values(data, indicator_id, level.value, year, boundaries)
    frame = result.frame.drop(columns=["note"])
    if within:
        frame = frame[frame["code"].isin(regions_within(data, level.value, result.boundary_year, within))]
    if format is ValuesFormat.csv:
        filename = f"{indicator_id}_{level.value}_{result.year}.csv"
        return Response(frame.to_csv(index=False), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    return JSONResponse({"meta": result.meta(), "values": json.loads(frame.to_json(orient="records"))})
