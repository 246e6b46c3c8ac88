"""Shared request helpers: the loaded atlas and the enums that make query parameters typed in OpenAPI."""

from __future__ import annotations

from enum import Enum

from fastapi import Request

from atlas.data import AtlasData


class Level(str, Enum):
    provincie = "provincie"
    corop = "corop"
    gemeente = "gemeente"
    wijk = "wijk"


class ValuesFormat(str, Enum):
    json = "json"
    csv = "csv"


class LayerFormat(str, Enum):
    geojson = "geojson"
    gpkg = "gpkg"
    csv = "csv"
    topojson = "topojson"


def atlas_data(request: Request) -> AtlasData:
    return request.app.state.data
