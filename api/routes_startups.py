"""Startup ecosystems: Dealroom's Dutch metro areas as points at their core city."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api import schemas
from api.deps import atlas_data
from atlas.data import AtlasData
from atlas.geography.ecosystems import startup_ecosystems

router = APIRouter(prefix="/api/v1", tags=["networks and places"])


@router.get("/startups", response_model=schemas.StartupEcosystems)
def startups(data: AtlasData = Depends(atlas_data)) -> dict:
    """GeoJSON points for the five Dutch Dealroom metros with VC-backed startups, VC invested, university
    spinouts and unicorns (each with its unit), the area name as Dealroom gives it and the snapshot date.
    The country row and the cross-border New Palo Alto supercluster are listed under `excluded`, with why.
    Figures: Dealroom.co."""
    return startup_ecosystems(data)
