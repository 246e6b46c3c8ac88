"""Shared request helpers: the loaded atlas and the enums that make query parameters typed in OpenAPI.

The dependencies are `async def` although they only read: FastAPI runs a plain `def` dependency in the
thread pool, which is sized to the cores (api.workpool), so each would queue behind the CPU work of other
requests just to return an attribute.
"""

from __future__ import annotations

from enum import Enum

from fastapi import Query, Request
from pydantic import BaseModel

from api.settings import ApiSettings, WebSettings
from atlas.data import AtlasData
from atlas.geography.vocabulary import LEVELS

Level = Enum("Level", {lv: lv for lv in LEVELS}, type=str)  # type: ignore[misc]


class ValuesFormat(str, Enum):
    json = "json"
    csv = "csv"


class TableFormat(str, Enum):
    """Tables a planner may open in Excel: a values sheet and a metadata sheet (atlas.render.workbook)."""

    json = "json"
    csv = "csv"
    xlsx = "xlsx"


class ProfileFormat(str, Enum):
    json = "json"
    xlsx = "xlsx"


class LayerFormat(str, Enum):
    geojson = "geojson"
    gpkg = "gpkg"
    csv = "csv"
    topojson = "topojson"
    geoparquet = "geoparquet"
    flatgeobuf = "flatgeobuf"
    xlsx = "xlsx"


class OgcFormat(str, Enum):
    json = "json"
    html = "html"


class Problem(BaseModel):
    """RFC 7807 problem details; `parameter` and `valid` name what to fix."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    parameter: str | None = None
    value: str | None = None
    valid: list[str] | None = None


PROBLEM = {"model": Problem, "content": {"application/problem+json": {}}}
PROBLEM_RESPONSES: dict[int | str, dict] = {
    400: {"description": "Invalid parameter", **PROBLEM}, 404: {"description": "Not found", **PROBLEM},
    413: {"description": "Response too large", **PROBLEM},
    503: {"description": "Timeout, or an installation problem for the operator", **PROBLEM},
}


async def boundary_year(
    boundary_year: int | None = Query(None, ge=1900, le=2100, description=(
        "Boundary year to show the values on; default the data's own vintage. Other years re-map through the "
        "crosswalk and every value says how (harmonised: none, exact or estimated)")),
) -> int | None:
    return boundary_year


async def api_settings(request: Request) -> ApiSettings:
    return request.app.state.api_settings


async def web_settings(request: Request) -> WebSettings:
    return request.app.state.web_settings


async def atlas_data(request: Request) -> AtlasData:
    return request.app.state.data
