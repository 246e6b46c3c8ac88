"""Region lists, region profiles and the crosswalks between boundary years."""

from __future__ import annotations

import json
from dataclasses import asdict
from enum import Enum

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response

from api import schemas
from api.deps import Level, ProfileFormat, ValuesFormat, atlas_data
from atlas.data import AtlasData
from atlas.figures.profiles import region_profile
from atlas.geography.areas import areas as area_list
from atlas.render.csvtext import spreadsheet_csv
from atlas.render.workbook import MEDIA_TYPE as WORKBOOK_MEDIA_TYPE
from atlas.render.workbook import profile_workbook

router = APIRouter(prefix="/api/v1", tags=["regions"])


@router.get("/regions", response_model=schemas.Regions)
def regions(
    level: Level = Query(...),
    year: int | None = Query(None, ge=1900, le=2100, description="Boundary year; default the latest"),
    data: AtlasData = Depends(atlas_data),
) -> dict:
    year = year if year is not None else data.boundaries.years(level.value)[-1]
    layer = data.boundaries.get(level.value, year)
    columns = ["code", "name", "gemeente_code", "corop_code", "provincie_code", "area_km2"]
    records = layer[columns].astype(object).where(layer[columns].notna(), None).to_dict(orient="records")
    return {"level": level.value, "year": year, "count": len(records), "regions": records}


@router.get("/areas", response_model=schemas.Areas)
def areas(data: AtlasData = Depends(atlas_data)) -> dict:
    """The areas `within=` accepts (the country, ROMs, provinces, COROP regions) with their extents, for an
    area picker that zooms to each."""
    return {"areas": area_list(data)}


@router.get("/regions/{code}", response_model=schemas.Profile,
            responses={200: {"content": {WORKBOOK_MEDIA_TYPE: {}}}})
def region(code: str, year: int | None = Query(None, ge=1900, le=2100),
           format: ProfileFormat = Query(ProfileFormat.json, description="json, or xlsx (values and metadata sheets)"),
           data: AtlasData = Depends(atlas_data)) -> dict | Response:
    profile = region_profile(data, code, year)
    if format is ProfileFormat.xlsx:
        filename = f"profile_{profile['code']}_{profile['boundary_year']}.xlsx"
        return Response(profile_workbook(data, profile), media_type=WORKBOOK_MEDIA_TYPE,
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    return profile


CrosswalkLevel = Enum("CrosswalkLevel", {"gemeente": "gemeente"}, type=str)


@router.get("/crosswalk", response_class=Response,
            responses={200: {"model": schemas.Crosswalk, "content": {"application/json": {}, "text/csv": {}}}})
def crosswalk(
    level: CrosswalkLevel = Query(CrosswalkLevel.gemeente, description="Only gemeenten change between years"),
    from_year: int = Query(..., alias="from", ge=1900, le=2100, description="Boundary year of the data"),
    to_year: int = Query(..., alias="to", ge=1900, le=2100, description="Boundary year to show it on"),
    format: ValuesFormat = Query(ValuesFormat.json),
    data: AtlasData = Depends(atlas_data),
) -> Response:
    """Which units of one year make up each unit of another: weight is the share of the old unit's quantity
    that goes to the new one; `exact` is false where a split was apportioned by population."""
    table = data.crosswalks.between(from_year, to_year)
    if format is ValuesFormat.csv:
        return Response(spreadsheet_csv(table), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="crosswalk_{level.value}_{from_year}_{to_year}.csv"'})
    changes = data.crosswalks.changes_between(from_year, to_year)
    return JSONResponse({
        "level": level.value, "from": from_year, "to": to_year,
        "method": "derived from the CBS boundary geometries; splits apportioned by CBS wijken 2022 population",
        "changes": [{**asdict(c), "sentence": c.sentence()} for c in changes],
        "rows": json.loads(table.to_json(orient="records")),
    })
