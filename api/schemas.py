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
    url_rd: str  # the same background in RD New (NetherlandsRDNewQuad), for the page's RD New option


class TileMatrixSetZooms(Open):
    min_zoom: int
    max_zoom: int
    href: str


class Config(Open):
    base_map: BaseMap
    min_zoom: int
    max_zoom: int
    bounds: list[float]
    data_version: str
    boundary_years: dict[str, list[int]]
    levels: list[LevelVocabulary]
    tile_matrix_sets: dict[str, TileMatrixSetZooms]


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
    origin: str = "shipped"  # "imported by the user" for a table or point list brought in through atlas.imports


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


class MeasuredDataset(Open):
    """A participation dataset the measured networks are built from, with the choices it offers."""

    id: str
    source: str
    snapshot: str
    programme_parts: list[str]
    years: list[int]
    org_types: dict[str, str]
    topsectors: dict[str, list[str]] = Field(description="topsector -> programme parts: the atlas's own approximation")
    topsector_note: str


class Networks(Open):
    topsectors: list[NetworkSummary]
    measured: list[MeasuredDataset] = []


class MeasuredNode(Open):
    code: str
    name: str
    coordinates: list[float] = Field(description="[lon, lat] of a point inside the region (WGS84)")
    lon: float
    lat: float
    provincie_code: str
    participations: int
    organisations: int
    money: float = Field(description="EC contribution to the placed participants (EUR)")
    internal_projects: int = Field(description="projects shared by organisations inside this region")
    internal_money: float
    degree: int
    strength: float = Field(description="weighted degree: sum of the weights of the node's links to other regions")
    betweenness: float = Field(description="betweenness centrality, distance = 1 / weight")
    community: int | None


class MeasuredLink(Open):
    source: str
    target: str
    source_name: str
    target_name: str
    coordinates: list[list[float]] = Field(description="[[lon, lat] of source, [lon, lat] of target]")
    source_lon: float
    source_lat: float
    target_lon: float
    target_lat: float
    measured: bool
    years: str = Field(description="first-last project start year of the link's projects")
    projects: int
    org_pairs: int
    money: float
    weight: float
    within_region: bool = Field(description="both ends are the same region (draw as a ring or node size)")
    within_province: bool
    programme_parts: dict[str, int] = Field(description="shared projects per programme part")
    main_part: str | None = Field(description="the programme part with most shared projects")
    programme_part: str | None = Field(description="the same as main_part, under the name the page reads")
    first_year: int
    last_year: int


class GemeenteRef(Open):
    code: str
    name: str


class UnplacedOrganisation(Open):
    pic: str
    name: str | None
    city: str | None
    postcode: str | None
    type: str
    participations: int
    money: float
    reason: str
    may_lie_in: list[GemeenteRef]


class PlacementCoverage(Open):
    organisations: int
    organisations_total: int
    participations: int
    participations_total: int
    money: float
    money_total: float


class MeasuredSummary(Open):
    links: int
    links_shown: int
    links_inside_regions: int
    share_links_within_province: float | None
    share_weight_within_province: float | None
    by_part: dict[str, dict] = Field(description="per programme part: links, link_projects, share_within_province")
    projects: int
    participations: int
    org_pairs: int
    org_pairs_unplaced: int


class MeasuredMeta(Open):
    source: str
    snapshot: str
    measured: bool
    weight_rule: str
    money_rule: str
    projects_rule: str
    placement: str
    topsector_note: str | None


class MeasuredNetwork(Open):
    dataset: str
    level: str
    boundary_year: int
    weight: Literal["projects", "money"]
    filters: dict
    nodes: list[MeasuredNode]
    links: list[MeasuredLink]
    summary: MeasuredSummary
    coverage: PlacementCoverage
    unplaced: list[UnplacedOrganisation]
    meta: MeasuredMeta


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
    timeStamp: str  # noqa: N815 - the OGC name
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
# --- OGC API - Tiles (api.routes_ogc_tiles) -----------------------------------------------------------------

class TileMatrixSetRef(Open):
    id: str
    title: str
    uri: str
    crs: str
    links: list[Link]


class TileMatrixSets(Open):
    tileMatrixSets: list[TileMatrixSetRef]  # noqa: N815 - the OGC name


class TileMatrixSetDefinition(Open):
    """OGC Two Dimensional Tile Matrix Set 2.0 (JSON), as morecantile writes it."""

    id: str
    crs: str
    tileMatrices: list[dict]  # noqa: N815 - the OGC name


class TileMatrixLimits(Open):
    tileMatrix: str  # noqa: N815 - the OGC name
    minTileRow: int  # noqa: N815 - the OGC name
    maxTileRow: int  # noqa: N815 - the OGC name
    minTileCol: int  # noqa: N815 - the OGC name
    maxTileCol: int  # noqa: N815 - the OGC name


class TileSetSummary(Open):
    title: str
    dataType: Literal["map", "vector"]  # noqa: N815 - the OGC name
    crs: str
    tileMatrixSetURI: str  # noqa: N815 - the OGC name
    links: list[Link]


class TileSet(TileSetSummary):
    """OGC API - Tiles tileset metadata; `atlas_legend` is the legend the tiles are drawn with."""

    tileMatrixSetLimits: list[TileMatrixLimits]  # noqa: N815 - the OGC name
    atlas_legend: Legend


class TileSets(Open):
    tilesets: list[TileSetSummary]
    links: list[Link]




# ---------- Regional analysis (issue 20): atlas.analysis, api.routes_analysis ----------

class AnalysedFigures(Open):
    """What every analysis states about the figures it rests on."""

    indicator: str
    title: Text
    unit: str
    level: str
    year: int | None
    boundary_year: int
    source: str
    territory: str
    harmonised: Harmonised
    regions: int
    regions_with_value: int


class RegionShare(Open):
    code: str
    name: str
    value: float
    share: float
    cumulative_share: float


class LorenzPoint(Open):
    population_share: float
    value_share: float


class Concentration(AnalysedFigures):
    asked: str
    measured: str
    basis: str
    method: str
    missing_left_out: int
    total: float
    top_n: int
    top_share: float
    regions_holding_half: int
    share_of_regions_holding_half: float
    gini: float
    theil: float
    lorenz: list[LorenzPoint]
    top_regions: list[RegionShare]
    half_regions: list[RegionShare]


class MoranGlobal(Open):
    moran_i: float = Field(alias="I")
    expected_i: float = Field(alias="expected_I")
    p_sim: float
    z_sim: float
    n: int


class ClusterRegion(Open):
    code: str
    name: str
    value: float
    quadrant: Literal["HH", "LL", "HL", "LH"]
    local_i: float
    p_sim: float
    cluster: Literal["HH", "LL", "HL", "LH", "ns"]


class ClusterLegendEntry(Open):
    cluster: str
    label: str
    colour: str


class Clusters(AnalysedFigures):
    weights: dict
    permutations: int
    seed: int
    alpha: float
    moran: MoranGlobal
    counts: dict[str, int]
    legend: list[ClusterLegendEntry]
    legend_note: str
    lisa: list[ClusterRegion]


class ChangeRow(Open):
    code: str
    name: str
    from_value: Number | None
    to_value: Number | None
    difference: Number | None
    relative: Number | None
    harmonised: Harmonised
    missing_reason: str | None


class ChangeAnswer(Open):
    indicator: str
    title: Text
    unit: str
    level: str
    from_year: int
    to_year: int
    boundary_year: int
    source: str
    territory: dict[str, str]
    harmonised: Harmonised
    regions: int
    regions_with_value: int
    relative_unit: str
    rows: list[ChangeRow]


class CompositeIndicator(Open):
    id: str
    year: int | None
    weight: float
    direction: str
    flipped: bool
    source: str


class CompositeRecipe(Open):
    level: str
    boundary_year: int
    normalisation: Literal["minmax", "zscore"]
    missing: Literal["complete", "available"]
    indicators: list[CompositeIndicator]
    score: str


class CompositeRow(Open):
    code: str
    name: str
    score: float | None
    rank: int | None
    rank_min: int | None
    rank_max: int | None
    indicators: dict[str, float | None]
    missing_reason: str | None


class Composite(Open):
    level: str
    boundary_year: int
    recipe: CompositeRecipe
    inputs: list[AnalysedFigures]
    regions: int
    regions_with_score: int
    sensitivity: dict
    rows: list[CompositeRow]


class ScatterPoint(Open):
    code: str
    name: str
    x: float
    y: float
    class_index: int = Field(alias="class")


class Scatter(Open):
    level: str
    boundary_year: int
    x: AnalysedFigures
    y: AnalysedFigures
    n: int
    left_out: int
    pearson: dict[str, float]
    spearman: dict[str, float]
    line: dict[str, float]
    method: str
    bivariate: dict
    points: list[ScatterPoint]


class BenchmarkCity(Open):
    city: str
    code: str
    name: str
    value: Number | None
    rank: int | None
    missing_reason: str | None


class BenchmarkRow(Open):
    indicator: str
    title: Text
    unit: str
    level: str
    year: int | None
    boundary_year: int
    source: str
    reference: Reference | None
    cities: list[BenchmarkCity]


class Benchmark(Open):
    cities: list[str]
    source: str
    level: str
    rows: list[BenchmarkRow]
    skipped: list[dict]


class ImportedDataset(Open):
    """A table or point list a user imported: what it holds and where it came from, never its rows or points."""

    id: str
    kind: Literal["table", "points"]
    version: str
    origin: Literal["imported by the user"]
    indicators: list[str]
    file: str
    title: str
    source: str
    licence: str
    unplaced: list[str] = Field(default_factory=list, description="point lists: rows not placed, with the reason")


class ImportedDatasets(Open):
    imports_version: str
    datasets: list[ImportedDataset]
