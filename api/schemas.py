"""Response models: what every JSON answer holds, so OpenAPI describes what the page and clients rely on.

Each model names the fields a client may depend on, typed; answers may carry more (``extra="allow"``)
because the catalogue grows, but never less, and never another type: FastAPI validates every answer
against its model, and the schema fuzzing checks the documents against the same models.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

Harmonised = Literal["none", "exact", "estimated"]
Number = int | float


class Open(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Text(Open):
    """A text in the atlas's two languages."""

    nl: str
    en: str


class LevelVocabulary(Open):
    level: str
    name: Text
    code_pattern: str
    code_example: str
    parents: list[str]


class Health(Open):
    status: Literal["ok"]
    version: str
    data_version: str
    boundary_years: dict[str, list[int]]


class BaseMap(Open):
    url: str
    attribution: str


class Config(Open):
    base_map: BaseMap
    min_zoom: int
    max_zoom: int
    bounds: list[float]
    data_version: str
    boundary_years: dict[str, list[int]]
    levels: list[LevelVocabulary]


class LevelCounts(Open):
    level: str
    regions_per_year: dict[str, int]


class IndicatorDescription(Open):
    id: str
    theme: str
    title: Text
    unit: str
    kind: str
    direction: str
    levels: list[str]
    years: list[int]
    definition: str
    source: str
    caveats: list[str]
    aggregation: dict[str, str | float]
    map_levels: list[str]
    years_by_level: dict[str, list[int]]


class Qualifiers(RootModel[dict[str, Text]]):
    """Qualifier code -> how to print it."""


class CoverageRow(Open):
    indicator: str
    level: str
    year: int | None
    boundary_year: int
    regions_with_value: int
    regions: int
    share: float
    sufficient: bool


class Coverage(Open):
    threshold: float | None
    coverage: list[CoverageRow]


class Reference(Open):
    indicator: str
    year: int | None
    value: Number | None


class Vintage(Open):
    boundary_year: int | None
    basis: str | None


class ShownOn(Open):
    """What any view of one indicator states: which figures, on which boundaries, and how they got there."""

    indicator: str
    title: Text
    unit: str
    level: str
    year: int | None
    boundary_year: int
    vintage: Vintage
    remapped: bool
    harmonised: Harmonised
    territory: str
    source: str


class ValuesMeta(ShownOn):
    definition: str
    regions: int
    regions_with_value: int


class ValueRow(Open):
    code: str
    name: str
    value: Number | None
    text: str | None
    unit: str
    missing_reason: str | None
    aggregated: bool
    rank: int | None
    percentile: float | None
    qualifier: str | None
    harmonised: Harmonised
    source_vintage: int | None


class Values(Open):
    meta: ValuesMeta
    values: list[ValueRow]


class RegionRow(Open):
    code: str
    name: str
    gemeente_code: str | None
    corop_code: str | None
    provincie_code: str | None
    area_km2: float


class Regions(Open):
    level: str
    year: int
    count: int
    regions: list[RegionRow]


class Area(Open):
    """An area the atlas can be restricted to; `id` is what `within=` takes."""

    id: str
    kind: Literal["country", "provincie", "rom", "corop"]
    name: str
    extent: list[float] = Field(description="west, south, east, north in WGS84 degrees")


class Areas(Open):
    areas: list[Area]


class SeriesPoint(Open):
    year: int | None
    value: Number | None
    missing_reason: str | None
    harmonised: Harmonised
    source_vintage: int | None


class ProfileSeriesPoint(SeriesPoint):
    joined: bool


class ProfileIndicator(Open):
    id: str
    theme: str
    title: Text
    unit: str
    source: str
    latest: ProfileSeriesPoint
    series: list[ProfileSeriesPoint]


class ParentRef(Open):
    code: str
    name: str | None


class Profile(Open):
    code: str
    name: str
    level: str
    year: int
    boundary_year: int
    territory: str
    parents: dict[str, ParentRef]
    area_km2: float
    membership: str
    derived: str | None
    indicators: list[ProfileIndicator]


class Change(Open):
    from_year: int
    to_year: int
    kind: Literal["merged", "split", "recoded", "renamed", "boundary_correction"]
    before: list[str]
    after: list[str]
    sentence: str


class CrosswalkRow(Open):
    from_code: str
    from_name: str
    to_code: str
    to_name: str
    weight: float
    exact: bool


class Crosswalk(Open):
    level: str
    from_year: int = Field(alias="from")
    to_year: int = Field(alias="to")
    method: str
    changes: list[Change]
    rows: list[CrosswalkRow]


class SchemeInfo(Open):
    name: str
    kind: str
    max_classes: int
    colourblind_safe: bool


class Schemes(Open):
    methods: list[str]
    schemes: list[SchemeInfo]


class NoData(Open):
    label: str
    colour: str
    count: int


class LegendEntry(NoData):
    class_index: int = Field(alias="class")


class Legend(ShownOn):
    method: str
    classes: int
    entries: list[LegendEntry]
    no_data: NoData


class TileJSON(Open):
    tilejson: str
    tiles: list[str]
    minzoom: int
    maxzoom: int
    bounds: list[float]
    atlas_legend: Legend


class NetworkSummary(Open):
    id: str
    name: str
    links: int
    places: int
    measured_links: int


class Networks(Open):
    topsectors: list[NetworkSummary]


class Feature(Open):
    type: Literal["Feature"]
    geometry: dict | None
    properties: dict


class FeatureCollection(Open):
    type: Literal["FeatureCollection"]
    features: list[Feature]


class Link(Open):
    href: str
    rel: str
    type: str
    title: str


class Landing(Open):
    title: str
    description: str
    links: list[Link]


class Conformance(Open):
    conformsTo: list[str]  # noqa: N815 - the OGC name
    links: list[Link]


class Collection(Open):
    id: str
    title: str
    itemType: str  # noqa: N815 - the OGC name
    description: str
    extent: dict
    crs: list[str]
    storageCrs: str  # noqa: N815 - the OGC name
    links: list[Link]


class Collections(Open):
    links: list[Link]
    crs: list[str]
    collections: list[Collection]


class Items(FeatureCollection):
    numberMatched: int  # noqa: N815 - the OGC name
    numberReturned: int  # noqa: N815 - the OGC name
    links: list[Link]


class PointGeometry(Open):
    type: Literal["Point"]
    coordinates: list[float] = Field(min_length=2, max_length=2, description="longitude, latitude (WGS84)")


class StartupFigure(Open):
    """One Dealroom column: the value (null where the cell is empty: missing, not zero) and its unit."""

    value: Number | None
    unit: str
    unit_note: str | None = Field(description="What the column name leaves open about the unit or period")
    column: str = Field(description="Dealroom's column name")
    title: Text


class StartupEcosystemProperties(Open):
    kind: Literal["startup_ecosystem"]
    name: str = Field(description="Dealroom's location name, e.g. 'Rotterdam - The Hague'")
    area_name: str = Field(description="Dealroom's full area name, e.g. 'Rotterdam Metropolitan Area'")
    core_city: str
    gemeente_code: str
    gemeente: str
    snapshot: str = Field(description="When Dealroom's table was cached (ISO 8601)")
    dealroom_url: str | None
    figures: dict[str, StartupFigure]
    source: str
    attribution: str
    location: str


class StartupEcosystem(Open):
    type: Literal["Feature"]
    geometry: PointGeometry
    properties: StartupEcosystemProperties


class ExcludedEcosystem(Open):
    name: str
    area_name: str
    reason: str


class StartupEcosystems(Open):
    """Dealroom's Dutch metros as points at their core city (never spread over gemeenten)."""

    type: Literal["FeatureCollection"]
    attribution: str
    source: str
    snapshot: str
    boundary_year: int
    features: list[StartupEcosystem]
    excluded: list[ExcludedEcosystem]
