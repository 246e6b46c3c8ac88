"""Topsector collaboration networks and places of the knowledge economy."""

from __future__ import annotations

from enum import Enum

from fastapi import APIRouter, Depends, Query

from api import schemas
from api.deps import atlas_data
from atlas.data import AtlasData
from atlas.geography.places import KINDS, places
from atlas.networks.links import NETWORK_LEVELS, load_networks, network_geojson, network_summary
from atlas.settings import get_settings

router = APIRouter(prefix="/api/v1", tags=["networks and places"])
PlaceKind = Enum("PlaceKind", {k: k for k in KINDS}, type=str)  # type: ignore[misc]  # members from the core's KINDS


NetworkLevel = Enum("NetworkLevel", {lv: lv for lv in NETWORK_LEVELS}, type=str)  # type: ignore[misc]


def _networks(data: AtlasData):
    return load_networks(data, get_settings().cache_dir / "networks")


@router.get("/networks", response_model=schemas.Networks)
def networks(data: AtlasData = Depends(atlas_data)) -> dict:
    return {"topsectors": network_summary(_networks(data))}


@router.get("/networks/{topsector}", response_model=schemas.FeatureCollection)
def network(
    topsector: str,
    level: NetworkLevel = Query(NetworkLevel["gemeente"], description="Regions the links are aggregated to"),
    min_weight: float = Query(0.0, ge=0, description="Hide measured links lighter than this; qualitative links stay"),
    data: AtlasData = Depends(atlas_data),
) -> dict:
    """GeoJSON: curved links between region points (weight, provenance) and nodes with network metrics."""
    return network_geojson(data, _networks(data), topsector, level.value, min_weight)


@router.get("/places", response_model=schemas.FeatureCollection)
def place_layer(kind: PlaceKind = Query(..., description="kennisstad, campus or rom"),
                data: AtlasData = Depends(atlas_data)) -> dict:
    return places(data, kind.value)
