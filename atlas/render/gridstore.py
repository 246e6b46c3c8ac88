"""Vector-tile grid geometry for every boundary layer and zoom, computed with the build and read per zoom.

Preparing a zoom (simplify, snap to the tile grid, orient) costs about 100 ms for the detailed gemeente years, so
the first tile of every zoom after a start waited for it, and a cold map view (four zooms) spent half its time
there. The build does it once for Web Mercator (the map's and TileJSON's set) at the zooms the API serves by
default, and stores one Arrow IPC file per layer with one WKB column per zoom, uncompressed: a server maps a
zoom's column when its first tile asks (about a millisecond with parsing the WKB; a Parquet column took 2-140 ms)
instead of computing it; what a worker never shows it never reads. Other tile matrix sets and zooms are computed on demand as before (atlas.render.tilegrid).

A stored file that cannot be read is logged and the zoom computed instead: a damaged file costs time, never
a tile.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import shapely

from atlas.geography.store import BoundaryStore
from atlas.geography.vocabulary import WEB_MERCATOR
from atlas.render.tilegrid import grid_shapes, simplified_shapes
from atlas.render.tilematrixsets import WEB_MERCATOR_QUAD

BUILT_TMS = WEB_MERCATOR_QUAD
BUILT_ZOOMS = range(4, 17)  # the API's default tile zoom range (api.settings.ApiSettings.tile_min/max_zoom)
log = logging.getLogger("atlas.render.gridstore")

Layers = dict[tuple[str, int], pa.Table | Path]  # in memory after a build, a file after reading the build


class GridStore:
    def __init__(self, layers: Layers | None = None) -> None:
        self._layers = layers or {}

    def geometries(self, level: str, year: int, z: int, tms: str) -> np.ndarray | None:
        """The layer's grid geometry at zoom z in layer order, or None where the build holds none."""
        found = self._layers.get((level, year))
        if found is None or tms != BUILT_TMS or z not in BUILT_ZOOMS:
            return None
        if isinstance(found, pa.Table):
            return shapely.from_wkb(found[_column(z)].to_numpy(zero_copy_only=False))
        try:
            with pa.memory_map(str(found)) as source:
                wkb = pa.ipc.open_file(source).read_all()[_column(z)].to_numpy(zero_copy_only=False)
        except (OSError, ValueError, KeyError) as exc:  # pyarrow's errors are OSError or ValueError
            log.warning("cannot read the built tile grid %s z%d (%s); computing it", found, z, exc)
            return None
        return shapely.from_wkb(wkb)

    def write(self, folder: Path) -> list[str]:
        names = []
        for (level, year), found in self._layers.items():
            names.append(_file(level, year))
            if isinstance(found, pa.Table):
                with pa.OSFile(str(folder / names[-1]), "wb") as sink, pa.ipc.new_file(sink, found.schema) as writer:
                    writer.write_table(found)
            else:
                shutil.copyfile(found, folder / names[-1])
        return names

    def add_file(self, path: Path) -> None:
        """A grid file of a read build; its footer is read now, so a missing or truncated file is found at load
        (and the build rebuilt) rather than at a first tile."""
        with pa.memory_map(str(path)) as source:
            pa.ipc.open_file(source)
        level, year = path.stem.removeprefix("grid_").rsplit("_", 1)
        self._layers[(level, int(year))] = path


def build_grids(boundaries: BoundaryStore) -> GridStore:
    """Every layer's grid geometry at every built zoom (about 6 s for all layers and years)."""
    layers: Layers = {}
    for level, year in boundaries.layers:
        geometries = boundaries.projected(level, year, WEB_MERCATOR).geometry.to_numpy()
        layers[(level, year)] = pa.table({
            _column(z): pa.array(shapely.to_wkb(grid_shapes(simplified_shapes(geometries, z, BUILT_TMS), z, BUILT_TMS)),
                                 type=pa.binary())
            for z in BUILT_ZOOMS})
    return GridStore(layers)


def _column(z: int) -> str:
    return f"z{z}"


def _file(level: str, year: int) -> str:
    return f"grid_{level}_{year}.arrow"
