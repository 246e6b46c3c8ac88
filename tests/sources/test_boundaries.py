import json

import pytest
import shapely

from atlas.geography.vocabulary import PYPROJ_CRS, RD_NEW, WEB_MERCATOR, WGS84
from atlas.sources.manifest import load_manifest
from atlas.sources.topojson import read_topojson


def test_twelve_provinces_and_forty_corop_every_year(data):
    assert data.boundaries.years("provincie") == list(range(2014, 2026))
    for year in data.boundaries.years("provincie"):
        assert len(data.boundaries.get("provincie", year)) == 12
    assert data.boundaries.years("corop") == list(range(2014, 2026))
    for year in data.boundaries.years("corop"):
        assert sorted(data.boundaries.get("corop", year)["code"]) == [f"CR{i:02d}" for i in range(1, 41)]


@pytest.mark.parametrize("source", [s for s in load_manifest() if s.role == "boundary"], ids=lambda s: s.path)
def test_region_count_matches_the_file(data, shared_dir, source):
    """Counted straight from the file's JSON, independent of the decoder: nothing dropped in repair."""
    raw = json.loads((shared_dir / source.path).read_text())
    if source.format == "topojson":
        (obj,) = raw["objects"].values()
        expected = len(obj["geometries"])
    else:
        expected = len(raw["features"])
    assert len(data.boundaries.get(source.level, source.year)) == expected


def test_gemeente_counts_per_year(data):
    counts = {y: len(data.boundaries.get("gemeente", y)) for y in data.boundaries.years("gemeente")}
    assert counts == {2014: 403, 2015: 393, 2016: 390, 2017: 388, 2018: 380, 2019: 355, 2020: 355, 2021: 352, 2022: 345, 2023: 342, 2024: 342, 2025: 342}  # SOURCES.md
    assert len(data.boundaries.get("wijk", 2022)) == 3340


def test_every_geometry_is_valid_polygonal_and_non_empty(data):
    for layer in data.boundaries.layers.values():
        assert layer.geometry.is_valid.all()
        assert not layer.geometry.is_empty.any()
        assert set(layer.geometry.geom_type) == {"MultiPolygon"}


def test_repairs_match_the_documented_invalid_polygons(data):
    repaired = {c.path: c.invalid_repaired for c in data.boundaries.checks}
    assert repaired["geodata/boundaries/gemeente_2023.topojson"] == 5
    assert repaired["geodata/boundaries/gemeente_2024.topojson"] == 3
    assert repaired["geodata/boundaries/provincie_2016.topojson"] == 1


def test_headerless_topology_decodes_with_land_parts_only(shared_dir):
    path = shared_dir / "geodata/cbs-2015/gemeente_kwb_2015.topojson"
    assert not path.read_text()[:40].replace(" ", "").startswith('{"type":"Topology"')
    properties, geometries = read_topojson(path)
    assert len(properties) == 484
    land = [g for p, g in zip(properties, geometries) if p["water"] == "NEE"]
    assert len(land) == 393 and all(g is not None for g in land)


def test_rd_new_projection_is_in_the_dutch_range(data):
    rd = data.boundaries.projected("gemeente", 2023, RD_NEW)
    minx, miny, maxx, maxy = rd.total_bounds
    assert 0 < minx < 20_000 and 270_000 < maxx < 290_000
    assert 300_000 < miny < 310_000 and 610_000 < maxy < 625_000
    assert rd.crs.to_epsg() == 28992


def test_every_layer_read_from_the_build_shares_one_crs_object_per_projection(data):
    """A new thread rebuilds a CRS's PROJ object from its text: from the build's PROJJSON that took 30 ms per
    worker thread and frame CRS, from the shared objects' EPSG codes a millisecond once per thread."""
    for (level, year), layer in data.boundaries.layers.items():
        assert layer.crs is PYPROJ_CRS[WGS84], (level, year)
        assert layer["geom_rd"].crs is PYPROJ_CRS[RD_NEW] and layer["geom_wm"].crs is PYPROJ_CRS[WEB_MERCATOR]
    assert data.boundaries.projected("wijk", 2022, WEB_MERCATOR).crs is PYPROJ_CRS[WEB_MERCATOR]
    assert PYPROJ_CRS[WGS84].srs == WGS84  # made from the code, not from a long text


def test_areas_agree_between_years(data):
    """Land area of the Netherlands is ~35,000 km2 in every year's generalised boundaries."""
    for (level, year), layer in data.boundaries.layers.items():
        assert layer["area_km2"].sum() == pytest.approx(35_050, rel=0.01), (level, year)


def test_rd_geojson_is_reprojected_not_read_as_lonlat(data):
    amsterdam = data.boundaries.get("gemeente", 2022).set_index("code").loc["GM0363"]
    point = amsterdam.geometry.representative_point()
    assert 4.7 < point.x < 5.1 and 52.2 < point.y < 52.5
    assert shapely.get_srid(point) == 0
