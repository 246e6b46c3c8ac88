"""Health, levels, the indicator catalogue and indicator values."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api import schemas
from api.deps import Level, TableFormat, api_settings, atlas_data, boundary_year, web_settings
from api.settings import ApiSettings, WebSettings
from atlas import __version__
from atlas.data import AtlasData
from atlas.errors import InvalidChoice
from atlas.figures.coverage import coverage_entry, coverage_table
from atlas.figures.reference import national_reference
from atlas.figures.semantics import qualifier_labels, typed_values
from atlas.figures.values import available_levels, available_years, indicator_values
from atlas.geography.areas import regions_within
from atlas.geography.vocabulary import LEVEL_INFO
from atlas.render.csvtext import spreadsheet_csv
from atlas.render.tilegrid import bounds_wgs84
from atlas.render.tilematrixsets import tile_sets
from atlas.render.valuedocuments import indicator_document, values_document
from atlas.render.workbook import MEDIA_TYPE as WORKBOOK_MEDIA_TYPE
from atlas.render.workbook import indicator_metadata, workbook
from atlas.sources.catalogue import THEMES

router = APIRouter(prefix="/api/v1", tags=["indicators"])


@router.get("/health", response_model=schemas.Health)
def health(response: Response, data: AtlasData = Depends(atlas_data)) -> dict:
    """Answered fresh every time: a monitor must learn that the server is up now, not an hour ago."""
    response.headers["Cache-Control"] = "no-store"
    return {
        "status": "ok", "version": __version__, "data_version": data.version,
        "boundary_years": {lv: data.boundaries.years(lv) for lv in data.boundaries.levels()},
    }


@router.get("/config", response_model=schemas.Config)
def config(data: AtlasData = Depends(atlas_data), settings: ApiSettings = Depends(api_settings),
           web: WebSettings = Depends(web_settings)) -> dict:
    """What the web page needs to start: background map, zoom range, the country's extent and the region
    vocabulary (levels, names, code patterns, boundary years), so the page never spells them itself."""
    return {
        "base_map": {"url": web.base_map_url, "attribution": web.base_map_attribution, "url_rd": web.base_map_url_rd},
        "min_zoom": settings.tile_min_zoom, "max_zoom": settings.tile_max_zoom, "bounds": bounds_wgs84(data),
        "data_version": data.version,
        "boundary_years": {lv: data.boundaries.years(lv) for lv in data.boundaries.levels()},
        "levels": [LEVEL_INFO[lv].as_dict() for lv in data.boundaries.levels()],
        "tile_matrix_sets": {tms.id: {"min_zoom": tms.min_zoom, "max_zoom": tms.max_zoom,
                                      "href": f"/ogc/tileMatrixSets/{tms.id}"}
                             for tms in tile_sets((settings.tile_min_zoom, settings.tile_max_zoom)).values()},
    }


@router.get("/levels", response_model=list[schemas.LevelCounts])
def levels(data: AtlasData = Depends(atlas_data)) -> list[dict]:
    return [
        {"level": lv, "regions_per_year": {str(y): len(data.boundaries.get(lv, y)) for y in data.boundaries.years(lv)}}
        for lv in data.boundaries.levels()
    ]


def _describe(data: AtlasData, indicator_id: str) -> dict:
    """Catalogue entry plus what the picker shows: levels, years and how complete the latest year is."""
    indicator = data.catalogue.get(indicator_id)
    described = indicator.as_dict()
    described["map_levels"] = available_levels(data, indicator)
    described["years_by_level"] = {lv: available_years(data, indicator, lv) for lv in described["map_levels"]}
    described["latest_coverage"] = {lv: coverage_entry(data, indicator_id, lv, years[-1])
                                    for lv, years in described["years_by_level"].items() if years}
    return described


@router.get("/indicators", response_model=list[schemas.IndicatorDescription])
def indicators(theme: str | None = None, data: AtlasData = Depends(atlas_data)) -> list[dict]:
    """Themes in the picker's order (R&D and innovation first), catalogue order within a theme."""
    if theme is not None and theme not in THEMES:
        raise InvalidChoice("theme", theme, THEMES)
    chosen = [ind for ind in data.catalogue.indicators.values() if theme in (None, ind.theme)]
    return [_describe(data, ind.id) for ind in sorted(chosen, key=lambda ind: THEMES.index(ind.theme))]


@router.get("/qualifiers", response_model=schemas.Qualifiers)
def qualifiers() -> dict:
    """The codes in a value's `qualifier` field and how to print them."""
    return qualifier_labels()


@router.get("/coverage", response_model=schemas.Coverage)
def coverage(
    indicator: str | None = Query(None, description="Indicator id; default every indicator"),
    level: Level | None = Query(None, description="Region level; default every level the indicator reaches"),
    year: int | None = Query(None, ge=1900, le=2100, description="Year; default every year with values"),
    data: AtlasData = Depends(atlas_data),
) -> dict:
    """Regions with a value out of the regions of the boundary year, per indicator, level and year."""
    rows = coverage_table(data, indicator, level.value if level else None, year)
    return {"threshold": rows[0]["threshold"] if rows else None, "coverage": rows}


@router.get("/indicators/{indicator_id}/reference", response_model=schemas.Reference)
def reference(
    indicator_id: str,
    year: int | None = Query(None, ge=1900, le=2100, description="Year; default the latest with values"),
    level: Level | None = Query(None, description="Regions whose median is the last-resort reference"),
    data: AtlasData = Depends(atlas_data),
) -> dict:
    data.catalogue.get(indicator_id)
    years = sorted(set(data.observations_of(indicator_id)["year"].dropna().astype(int)))
    if year is None and years:
        year = years[-1]
    if year not in years:
        raise InvalidChoice("year", year, years, hint=f"years of {indicator_id}")
    found = national_reference(data, indicator_id, year, level.value if level else None)
    return found or {"indicator": indicator_id, "year": year, "value": None,
                     "missing_reason": "no national figure, no complete set of regions and no regional values"}


@router.get("/indicators/{indicator_id}", response_model=schemas.IndicatorDescription)
def indicator(indicator_id: str, data: AtlasData = Depends(atlas_data)) -> dict:
    return _describe(data, indicator_id)


@router.get("/indicators/{indicator_id}/values", response_class=Response,
            responses={200: {"model": schemas.Values, "content": {"application/json": {}, "text/csv": {},
                                                                  WORKBOOK_MEDIA_TYPE: {}}}})
def values(
    indicator_id: str,
    level: Level = Query(..., description="Region level"),
    year: int | None = Query(None, ge=1900, le=2100, description="Year; default the latest with values"),
    format: TableFormat = Query(TableFormat.json, description="json, csv, or xlsx (a values and a metadata sheet)"),
    within: str | None = Query(None, description="Only regions inside a ROM's area (e.g. BOM) or provinces (PV30,PV31); "
                                                 "ranks stay national"),
    boundaries: int | None = Depends(boundary_year),
    data: AtlasData = Depends(atlas_data),
) -> Response:
    if format is TableFormat.json and not within:
        return Response(indicator_document(data, indicator_id, level.value, year, boundaries),
                        media_type="application/json")
    result = indicator_values(data, indicator_id, level.value, year, boundaries)
    frame = typed_values(result.frame.drop(columns=["note"]), result.indicator.decimals)
    if within:
        frame = frame[frame["code"].isin(regions_within(data, level.value, result.boundary_year, within))]
    if format is TableFormat.csv:
        filename = f"{indicator_id}_{level.value}_{result.year}.csv"
        return Response(spreadsheet_csv(frame), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    if format is TableFormat.xlsx:
        filename = f"{indicator_id}_{level.value}_{result.year}.xlsx"
        metadata = indicator_metadata(data, indicator_id, result.year, result.meta()["territory"], frame["qualifier"])
        return Response(workbook(frame, [metadata]), media_type=WORKBOOK_MEDIA_TYPE,
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    return Response(values_document(data, result, frame), media_type="application/json")
