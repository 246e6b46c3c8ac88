"""Regional analysis (atlas.analysis): concentration, spatial clusters, change, composite index, two indicators
together and the kennissteden benchmark, each as JSON and, where it is a map, as PNG tiles.

Every route is a plain `def`: permutations and re-mapping are CPU work, which FastAPI runs in its thread pool so
the event loop keeps answering; results are kept in the core's bounded `analyses` cache.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from api import schemas
from api.deps import Level, ValuesFormat, atlas_data, boundary_year
from api.routes_tiles import TILE_NAME, class_request
from atlas.analysis import benchmark, bivariate
from atlas.analysis import change as change_analysis
from atlas.analysis import clusters as cluster_analysis
from atlas.analysis import composite as composite_analysis
from atlas.analysis.concentration import concentration as concentration_of
from atlas.analysis.inputs import PER_CHOICES
from atlas.analysis.layers import layer_tile
from atlas.data import AtlasData
from atlas.render.classify import ClassRequest, Classification
from atlas.render.tilegrid import TileAddress, tile_address

router = APIRouter(prefix="/api/v1/analysis", tags=["analysis"])
YEAR_TEXT = "Year of the figures; default the latest"
PER_PATTERN, PER_TEXT = "^(" + "|".join(PER_CHOICES) + ")$", "`inhabitant`: a count per 100,000 inhabitants"
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
def concentration(level: Level, indicator: str, year: int | None = Query(None, ge=1900, le=2100, description=YEAR_TEXT),
                  top: int = Query(10, ge=1, le=1000, description="N of the top-N share"),
                  boundaries: int | None = Depends(boundary_year), data: AtlasData = Depends(atlas_data)) -> dict:
    """Share of the top N regions, the fewest regions holding half, Gini, Theil and the Lorenz curve; a share or
    ratio is measured through the count the catalogue names for it, and refused without one."""
    return concentration_of(data, indicator, level.value, year, boundaries, top)


def cluster_params(
    level: Level, indicator: str, year: int | None = Query(None, ge=1900, le=2100, description=YEAR_TEXT),
    weights: str = Query("queen", pattern="^(queen|knn)$", description="queen contiguity, or k nearest neighbours"),
    k: int = Query(6, ge=1, le=50, description="neighbours per region for knn"),
    permutations: int = Query(999, description=f"one of {cluster_analysis.PERMUTATIONS}"),
    per: str = Query("none", pattern=PER_PATTERN, description=PER_TEXT), boundaries: int | None = Depends(boundary_year), data: AtlasData = Depends(atlas_data),
) -> cluster_analysis.ClusterResult:
    return cluster_analysis.clusters(data, indicator, level.value, year, boundaries, weights, k, permutations, per)


ALPHA_TEXT = f"significance of the local pseudo p-value, one of {cluster_analysis.ALPHAS}"


@router.get("/clusters/{level}/{indicator}", response_model=schemas.Clusters)
def clusters(result: cluster_analysis.ClusterResult = Depends(cluster_params), alpha: float = Query(0.05, description=ALPHA_TEXT)) -> dict:
    """Global Moran's I and local Moran (LISA) classes HH, LL, HL, LH and not significant, with the permutations,
    seed and threshold used."""
    return cluster_analysis.summary(result, alpha)


@router.get("/clusters/{level}/{indicator}/tiles/{z}/{x}/{tile}", response_class=Response, responses=PNG)
def cluster_tile(result: cluster_analysis.ClusterResult = Depends(cluster_params), alpha: float = Query(0.05, description=ALPHA_TEXT),
                 address: TileAddress = Depends(tile_at), data: AtlasData = Depends(atlas_data)) -> Response:
    return png(data, cluster_analysis.cluster_layer(data, result, alpha), address)


ChangeParams = tuple[str, str, int, int, int | None]


def change_params(
    level: Level, indicator: str,
    from_year: int = Query(..., alias="from", ge=1900, le=2100, description="The earlier year"),
    to_year: int = Query(..., alias="to", ge=1900, le=2100, description="The later year"),
    boundaries: int | None = Depends(boundary_year),
) -> ChangeParams:
    return indicator, level.value, from_year, to_year, boundaries


@router.get("/change/{level}/{indicator}", response_model=schemas.ChangeAnswer)
def change(params: ChangeParams = Depends(change_params), data: AtlasData = Depends(atlas_data)) -> dict:
    """Difference and relative change between two years on one boundary year (both re-mapped there); refused
    across a definition break."""
    return change_analysis.change(data, *params)


@router.get("/change/{level}/{indicator}/tiles/{z}/{x}/{tile}", response_class=Response, responses=PNG)
def change_tile(params: ChangeParams = Depends(change_params),
                measure: str = Query("difference", pattern="^(difference|relative)$"),
                request: ClassRequest = Depends(class_request), address: TileAddress = Depends(tile_at),
                data: AtlasData = Depends(atlas_data)) -> Response:
    return png(data, change_analysis.change_layer(data, *params, measure, request), address)


@router.get("/change/{level}/{indicator}/legend", response_model=schemas.Legend)
def change_legend(params: ChangeParams = Depends(change_params),
                  measure: str = Query("difference", pattern="^(difference|relative)$"),
                  request: ClassRequest = Depends(class_request), data: AtlasData = Depends(atlas_data)) -> dict:
    """The change layer's classes, on a diverging scheme centred on zero."""
    return change_analysis.change_layer(data, *params, measure, request).legend()


def _ids(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def composite_params(
    level: Level,
    indicators: str = Query(..., description="Comma-separated indicator ids", examples=["kwb_pct_higher_educated,kwb_income_low"]),
    weights: str | None = Query(None, pattern=r"^\d+(\.\d+)?(,\d+(\.\d+)?)*$", description="Comma-separated weights; default 1 each"),
    years: str | None = Query(None, pattern=r"^(\d{4})?(,(\d{4})?)*$", description="Comma-separated years; empty for the latest"),
    normalisation: str = Query("minmax", pattern="^(minmax|zscore)$"),
    missing: str = Query("complete", pattern="^(complete|available)$",
                         description="complete: only regions with every indicator; available: mean over those present"),
    sensitivity: float = Query(0.5, ge=0, lt=1, description="each weight varies within ± this share for the rank ranges"),
    boundaries: int | None = Depends(boundary_year),
) -> dict:
    return {"level": level.value, "indicators": _ids(indicators),
            "weights": [float(w) for w in weights.split(",")] if weights else None,
            "years": [int(y) if y else None for y in years.split(",")] if years else None,
            "boundary_year": boundaries, "normalisation": normalisation, "missing": missing, "sensitivity": sensitivity}


@router.get("/composite/{level}", response_class=Response,
            responses={200: {"model": schemas.Composite, "content": {"application/json": {}, "text/csv": {}}}})
def composite(params: dict = Depends(composite_params), format: ValuesFormat = Query(ValuesFormat.json),
              data: AtlasData = Depends(atlas_data)) -> Response:
    """Scores and ranks of a weighted composite, the rank range under weight variation, and the recipe;
    `format=csv` downloads the ranked table with the recipe as comment lines."""
    result = composite_analysis.composite(data, **params)
    if format is ValuesFormat.csv:
        return Response(composite_analysis.composite_csv(result), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="composite_{params["level"]}.csv"'})
    return JSONResponse(schemas.Composite.model_validate(result).model_dump(by_alias=True))


@router.get("/composite/{level}/tiles/{z}/{x}/{tile}", response_class=Response, responses=PNG)
def composite_tile(params: dict = Depends(composite_params), request: ClassRequest = Depends(class_request),
                   address: TileAddress = Depends(tile_at), data: AtlasData = Depends(atlas_data)) -> Response:
    return png(data, composite_analysis.composite_layer(data, **params, request=request), address)


@router.get("/composite/{level}/legend", response_model=schemas.Legend)
def composite_legend(params: dict = Depends(composite_params), request: ClassRequest = Depends(class_request),
                     data: AtlasData = Depends(atlas_data)) -> dict:
    return composite_analysis.composite_layer(data, **params, request=request).legend()


def pair_params(
    level: Level, x_indicator: str = Query(..., description="Indicator on the horizontal axis"),
    y_indicator: str = Query(..., description="Indicator on the vertical axis"),
    x_year: int | None = Query(None, ge=1900, le=2100, description=YEAR_TEXT), y_year: int | None = Query(None, ge=1900, le=2100, description=YEAR_TEXT), x_per: str = Query("none", pattern=PER_PATTERN, description=PER_TEXT), y_per: str = Query("none", pattern=PER_PATTERN, description=PER_TEXT),
    boundaries: int | None = Depends(boundary_year),
) -> dict:
    return {"x": x_indicator, "y": y_indicator, "level": level.value, "x_year": x_year, "y_year": y_year, "boundary_year": boundaries,
            "x_per": x_per, "y_per": y_per}


@router.get("/scatter/{level}", response_model=schemas.Scatter)
def scatter(params: dict = Depends(pair_params), data: AtlasData = Depends(atlas_data)) -> dict:
    """Both indicators per region on one boundary year, Pearson and Spearman correlation, the fitted line and
    each region's class in the 3 x 3 bivariate map."""
    return bivariate.correlation(data, **params)


@router.get("/bivariate/{level}/tiles/{z}/{x}/{tile}", response_class=Response, responses=PNG)
def bivariate_tile(params: dict = Depends(pair_params), address: TileAddress = Depends(tile_at),
                   data: AtlasData = Depends(atlas_data)) -> Response:
    return png(data, bivariate.bivariate_layer(data, **params), address)


@router.get("/kennissteden", response_class=Response,
            responses={200: {"model": schemas.Benchmark, "content": {"application/json": {}, "text/csv": {}}}})
def kennissteden(level: str = Query("gemeente", pattern="^(gemeente|corop)$",
                                    description="the cities' gemeenten, or the COROP regions they lie in"),
                 format: ValuesFormat = Query(ValuesFormat.json), data: AtlasData = Depends(atlas_data)) -> Response:
    """The 13 kennissteden side by side on every indicator of the level, with the national reference."""
    table = benchmark.kennissteden(data, level)
    if format is ValuesFormat.csv:
        return Response(benchmark.kennissteden_csv(table), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="kennissteden_{level}.csv"'})
    return JSONResponse(schemas.Benchmark.model_validate(table).model_dump(by_alias=True))
