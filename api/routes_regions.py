"""Region lists and region profiles."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from api.deps import Level, atlas_data
from atlas.data import AtlasData
from atlas.profiles import region_profile

router = APIRouter(prefix="/api/v1", tags=["regions"])


@router.get("/regions")
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


@router.get("/regions/{code}")
def region(code: str, year: int | None = Query(None, ge=1900, le=2100), data: AtlasData = Depends(atlas_data)) -> dict:
    return region_profile(data, code, year)
