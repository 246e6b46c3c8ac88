"""The tile grids the build stores: every layer at every default zoom, exactly what a server would compute, and a
file damaged after loading costs time, never a tile."""

from __future__ import annotations

import copy
import logging

import pytest
import shapely

from atlas.cache import AtlasCaches
from atlas.geography.store import BoundaryStore
from atlas.geography.vocabulary import WEB_MERCATOR
from atlas.render.classify import ClassRequest
from atlas.render.gridstore import BUILT_ZOOMS, GridStore, build_grids
from atlas.render.tilegrid import TileAddress, grid_shapes, simplified_shapes, tile_containing
from atlas.render.tilematrixsets import RD_NEW_QUAD, WEB_MERCATOR_QUAD
from atlas.render.tiles import TileRequest, get_tile

SHARE = "kwb_pct_higher_educated"


def test_the_build_holds_every_layer_at_every_default_zoom(data):
    assert data.grids is not None
    for level, year in data.boundaries.layers:
        regions = len(data.boundaries.get(level, year))
        for z in (BUILT_ZOOMS.start, BUILT_ZOOMS.stop - 1):
            grid = data.grids.geometries(level, year, z, WEB_MERCATOR_QUAD)
            assert grid is not None and len(grid) == regions, (level, year, z)
    assert data.grids.geometries("gemeente", 2022, BUILT_ZOOMS.stop, WEB_MERCATOR_QUAD) is None
    assert data.grids.geometries("gemeente", 2022, 9, RD_NEW_QUAD) is None


@pytest.mark.parametrize(("level", "year", "z"), [("gemeente", 2022, 7), ("gemeente", 2016, 12), ("wijk", 2022, 14),
                                                  ("provincie", 2025, 4)])
def test_a_stored_grid_is_the_grid_a_server_computes(data, level, year, z):
    projected = data.boundaries.projected(level, year, WEB_MERCATOR).geometry.to_numpy()
    computed = grid_shapes(simplified_shapes(projected, z, WEB_MERCATOR_QUAD), z, WEB_MERCATOR_QUAD)
    stored = data.grids.geometries(level, year, z, WEB_MERCATOR_QUAD)
    assert (shapely.to_wkb(stored) == shapely.to_wkb(computed)).all()


@pytest.mark.parametrize("fmt", ["png", "mvt"])
def test_tiles_from_the_stored_grid_are_the_tiles_computed_without_it(data, fmt):
    computing = copy.copy(data)
    computing.grids, computing.caches = None, AtlasCaches.from_settings()
    tiles = [TileAddress(z, *tile_containing(lon, lat, z)) for z, lon, lat in
             [(7, 5.12, 52.09), (8, 4.3, 52.0), (10, 5.12, 52.09), (12, 6.57, 53.22)]]
    for address in tiles:
        request = TileRequest(SHARE, "gemeente", 2022, ClassRequest(), address, fmt)
        stored, computed = get_tile(data, request), get_tile(computing, request)
        assert not stored.empty and stored.content == computed.content, address


def test_a_grid_file_damaged_after_loading_is_logged_and_left_to_computing(data, tmp_path, caplog):
    provinces = BoundaryStore({("provincie", 2025): data.boundaries.get("provincie", 2025)})
    written = GridStore()
    for name in build_grids(provinces).write(tmp_path):
        written.add_file(tmp_path / name)
    read = written.geometries("provincie", 2025, 6, WEB_MERCATOR_QUAD)
    assert read is not None and len(read) == 12
    path = tmp_path / "grid_provincie_2025.arrow"
    path.write_bytes(path.read_bytes()[:100])
    with caplog.at_level(logging.WARNING, logger="atlas.render.gridstore"):
        assert written.geometries("provincie", 2025, 6, WEB_MERCATOR_QUAD) is None
    assert "grid_provincie_2025.arrow" in caplog.text and "computing it" in caplog.text
