"""Collaboration networks (qualitative topsector networks and measured Horizon 2020 networks) and places."""

from __future__ import annotations

from enum import Enum

from fastapi import APIRouter, Depends, Query

from api import schemas
from api.deps import atlas_data
from atlas.data import AtlasData
from atlas.geography.places import KINDS, places
from atlas.networks.links import NETWORK_LEVELS, load_networks, network_geojson, network_summary
from atlas.networks.measured import BUILTIN, LEVELS, WEIGHTS, NetworkQuery, datasets_summary, measured_network
from atlas.settings import get_settings

router = APIRouter(prefix="/api/v1", tags=["networks and places"])
PlaceKind = Enum("PlaceKind", {k: k for k in KINDS}, type=str)  # type: ignore[misc]  # members from the core's KINDS


NetworkLevel = Enum("NetworkLevel", {lv: lv for lv in NETWORK_LEVELS}, type=str)  # type: ignore[misc]
MeasuredLevel = Enum("MeasuredLevel", {lv: lv for lv in LEVELS}, type=str)  # type: ignore[misc]
Weight = Enum("Weight", {w: w for w in WEIGHTS}, type=str)  # type: ignore[misc]


def _networks_dir():
    return get_settings().cache_dir / "networks"


def _listed(text: str | None) -> tuple[str, ...]:
    return tuple(sorted({t.strip() for t in (text or "").split(",") if t.strip()}))


@router.get("/networks", response_model=schemas.Networks)
def networks(data: AtlasData = Depends(atlas_data)) -> dict:
    return {"topsectors": network_summary(load_networks(data, _networks_dir())),
            "measured": datasets_summary(data, _networks_dir())}


@router.get("/networks/measured", response_model=schemas.MeasuredNetwork)
def measured(
    dataset: str = Query(BUILTIN, description="participation dataset: cordis-h2020 or an imported file's name"),
    level: MeasuredLevel = Query(MeasuredLevel["gemeente"], description="regions the organisations are placed in"),
    boundary_year: int | None = Query(None, description="gemeente boundaries to place on; default the latest"),
    part: str | None = Query(None, description="programme parts, comma-separated (any of them); default all"),
    topsector: str | None = Query(None, description="a topsector, through the atlas's own concordance of parts"),
    from_year: int | None = Query(None, description="first project start year"),
    to_year: int | None = Query(None, description="last project start year"),
    org_types: str | None = Query(None, description="organisation types, comma-separated (HES, PRC, REC, PUB, OTH)"),
    weight: Weight = Query(Weight["projects"], description="link weight: shared projects or EC money (split rule in meta)"),
    top: int = Query(100, ge=1, le=5000, description="strongest links returned (all nodes are returned)"),
    data: AtlasData = Depends(atlas_data),
) -> dict:
    """Measured links between regions weighted by shared projects or EC money, nodes with metrics, placement
    coverage and every unplaced organisation."""
    return measured_network(data, _networks_dir(), NetworkQuery(
        dataset=dataset, level=level.value, boundary_year=boundary_year, parts=_listed(part), topsector=topsector,
        from_year=from_year, to_year=to_year, org_types=_listed(org_types), weight=weight.value, top=top))


@router.get("/networks/{topsector}", response_model=schemas.FeatureCollection)
def network(
    topsector: str,
    level: NetworkLevel = Query(NetworkLevel["gemeente"], description="Regions the links are aggregated to"),
    min_weight: float = Query(0.0, ge=0, description="Hide measured links lighter than this; qualitative links stay"),
    data: AtlasData = Depends(atlas_data),
) -> dict:
    """GeoJSON: curved links between region points (weight, provenance); nodes carry metrics only when every
    link is measured (the qualitative Rathenau networks get none)."""
    return network_geojson(data, load_networks(data, _networks_dir()), topsector, level.value, min_weight)


@router.get("/places", response_model=schemas.FeatureCollection)
def place_layer(kind: PlaceKind = Query(..., description="kennisstad, campus or rom"),
                data: AtlasData = Depends(atlas_data)) -> dict:
    return places(data, kind.value)
