"""Regional analysis (atlas.analysis): concentration, spatial clusters, change, composite index, two indicators
together and the kennissteden benchmark, each as JSON and, where it is a map, as PNG tiles.

Every route is a plain `def`: permutations and re-mapping are CPU work, which FastAPI runs in its thread pool so
the event loop keeps answering; results are kept in the core's bounded `analyses` cache.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from api import schemas
from api.deps import Level, atlas_data, boundary_year
from api.routes_tiles import TILE_NAME
from atlas.analysis import clusters as cluster_analysis
from atlas.analysis.concentration import concentration as concentration_of
from atlas.analysis.inputs import PER_CHOICES
from atlas.analysis.layers import layer_tile
from atlas.data import AtlasData
from atlas.render.classify import Classification
from atlas.render.tilegrid import TileAddress, tile_address

router = APIRouter(prefix="/api/v1/analysis", tags=["analysis"])
YEAR = Query(None, ge=1900, le=2100, description="Year of the figures; default the latest")
PER = Query("none", pattern="^(" + "|".join(PER_CHOICES) + ")$", description="`inhabitant`: a count per 100,000 inhabitants")
PNG: dict[int | str, dict[str, Any]] = {200: {"content": {"image/png": {}}}}


def tile_at(http: Request, z: int = Path(ge=0, le=22), x: int = Path(ge=0),
            tile: str = Path(pattern=r"^\d+(@2x)?\.png$", description="{y}.png or {y}@2x.png")) -> TileAddress:
    """The validated tile address of an analysis layer (PNG only)."""
    match = TILE_NAME.match(tile)
    assert match is not None  # the path pattern has already rejected anything else
    settings = http.app.state.api_settings
    return tile_address(z, x, int(match["y"]), 2 if match["retina"] else 1, settings.tile_min_zoom, settings.tile_max_zoom)


def png(data: AtlasData, classification: Classification, address: TileAddress) -> Response:
    return Response(layer_tile(data, classification, address), media_type="image/png")


@router.get("/concentration/{level}/{indicator}", response_model=schemas.Concentration)
def concentration(level: Level, indicator: str, year: int | None = YEAR,
                  top: int = Query(10, ge=1, le=1000, description="N of the top-N share"),
                  boundaries: int | None = Depends(boundary_year), data: AtlasData = Depends(atlas_data)) -> dict:
    """Share of the top N regions, the fewest regions holding half, Gini, Theil and the Lorenz curve; a share or
    ratio is measured through the count the catalogue names for it, and refused without one."""
    return concentration_of(data, indicator, level.value, year, boundaries, top)


def cluster_params(
    level: Level, indicator: str, year: int | None = YEAR,
    weights: str = Query("queen", pattern="^(queen|knn)$", description="queen contiguity, or k nearest neighbours"),
    k: int = Query(6, ge=1, le=50, description="neighbours per region for knn"),
    permutations: int = Query(999, description=f"one of {cluster_analysis.PERMUTATIONS}"),
    per: str = PER, boundaries: int | None = Depends(boundary_year), data: AtlasData = Depends(atlas_data),
) -> cluster_analysis.ClusterResult:
    return cluster_analysis.clusters(data, indicator, level.value, year, boundaries, weights, k, permutations, per)


ALPHA = Query(0.05, description=f"significance of the local pseudo p-value, one of {cluster_analysis.ALPHAS}")


@router.get("/clusters/{level}/{indicator}", response_model=schemas.Clusters)
def clusters(result: cluster_analysis.ClusterResult = Depends(cluster_params), alpha: float = ALPHA) -> dict:
    """Global Moran's I and local Moran (LISA) classes HH, LL, HL, LH and not significant, with the permutations,
    seed and threshold used."""
    return cluster_analysis.summary(result, alpha)


@router.get("/clusters/{level}/{indicator}/tiles/{z}/{x}/{tile}", response_class=Response, responses=PNG)
def cluster_tile(result: cluster_analysis.ClusterResult = Depends(cluster_params), alpha: float = ALPHA,
                 address: TileAddress = Depends(tile_at), data: AtlasData = Depends(atlas_data)) -> Response:
    return png(data, cluster_analysis.cluster_layer(data, result, alpha), address)
