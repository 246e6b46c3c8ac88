"""QGIS as a tested client: Debian's QGIS (python3-qgis, `make test` installs it) runs headless against a
server started for these tests, loads each kind of atlas layer as a user would and renders it; the map's
pixel over a known region must have the colour the atlas's own classification gives that region.
GDAL's OAPIF driver reads a whole collection through the paging links."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from atlas.render.classify import ClassRequest, classification_for
from atlas.render.layers import value_year

pytestmark = pytest.mark.qgis

SYSTEM_PYTHON = "/usr/bin/python3"
CLIENT = Path(__file__).with_name("qgis_client.py")
INDICATOR = "pct_higher_educated_15_75"  # the default indicator of the OGC tiles
UTRECHT_CITY_RD = (136000.0, 456000.0)  # the Domtoren, well inside gemeente Utrecht (GM0344)
AMERSFOORT_RD = (155000.0, 463000.0)  # RD New's false origin, inside the province of Utrecht (PV26)
CENTRE = (128, 128)  # the centre pixel of the client's 256 px render: the RD point asked for


def _qgis_present() -> bool:
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core, osgeo.gdal"], capture_output=True, timeout=60)
    return probe.returncode == 0


@pytest.fixture(scope="module", autouse=True)
def qgis_installed() -> None:
    if not Path(SYSTEM_PYTHON).exists() or not _qgis_present():
        pytest.skip("python3-qgis (and python3-gdal) not installed for /usr/bin/python3: `make test` installs them "
                    "with apt-get install --no-install-recommends python3-qgis python3-gdal")


def _client(server: str, tmp_path: Path, command: str, *args: object) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(tmp_path)}
    env.pop("PYTHONPATH", None)  # Debian's python with Debian's packages, not the project's virtual environment
    done = subprocess.run([SYSTEM_PYTHON, str(CLIENT), command, server, str(tmp_path), *map(str, args)],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(command, result)  # the QGIS version and what it saw, in the test log
    return result


def _legend_rgba(data, level: str, year: int | None, boundary_year: int, code: str) -> tuple[int, int, int, int]:
    classification = classification_for(data, INDICATOR, level, year, ClassRequest(), boundary_year)
    slot = classification.colour_index_by_code()[code]
    colour = classification.colours[slot - 1] if slot else classification.scheme.no_data
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16), 255


def _pixel(path: Path, xy: tuple[int, int] = CENTRE) -> tuple[int, ...]:
    return tuple(Image.open(path).convert("RGBA").getpixel(xy))  # type: ignore[arg-type]


def test_qgis_lists_and_loads_ogc_api_features(server, data, tmp_path):
    colour = _legend_rgba(data, "gemeente", 2022, 2022, "GM0344")
    seen = _client(server, tmp_path, "features", *UTRECHT_CITY_RD, "gemeente_2022", "GM0344",
                   ",".join(map(str, colour)))
    assert set(seen["collections"]) == {f"{lv}_{y}" for lv, y in data.boundaries.layers}
    assert seen["valid"] and seen["features"] == 345 and {"code", "name", "area_km2"} <= set(seen["fields"])
    assert _pixel(tmp_path / "features.png") == colour
    assert _pixel(tmp_path / "features.png", (2, 2))[3] == 0  # 15 km west-north-west: another municipality, undrawn


def test_qgis_draws_the_vector_tiles_in_their_legend_colours(server, data, tmp_path):
    seen = _client(server, tmp_path, "vector_tiles", *UTRECHT_CITY_RD, "gemeente_2022")
    assert seen["valid"] and seen["crs"] == "EPSG:3857"
    year = value_year(data, INDICATOR, "gemeente", 2022)
    assert _pixel(tmp_path / "vector_tiles.png") == _legend_rgba(data, "gemeente", year, 2022, "GM0344")


def test_qgis_draws_the_rd_new_png_tiles(server, data, tmp_path):
    seen = _client(server, tmp_path, "rd_map_tiles", *AMERSFOORT_RD, "provincie_2023")
    assert seen["valid"] and seen["crs"] == "EPSG:28992"
    year = value_year(data, INDICATOR, "provincie", 2023)
    assert _pixel(tmp_path / "rd_map_tiles.png") == _legend_rgba(data, "provincie", year, 2023, "PV26")


def test_qgis_opens_a_downloaded_geopackage_with_its_qml(server, data, tmp_path):
    layer = f"/api/v1/layers/gemeente?year=2022&indicators={INDICATOR}&format=gpkg&crs=EPSG:28992"
    style = f"/api/v1/styles/gemeente/{INDICATOR}?format=qml&year=2022&boundary_year=2022"
    seen = _client(server, tmp_path, "geopackage", *UTRECHT_CITY_RD, layer, style)
    assert seen["valid"] and seen["features"] == 345 and seen["crs"] == "EPSG:28992"
    assert seen["style_loaded"] and seen["renderer"] == "RuleRenderer" and seen["rules"][-1] == "no data"
    assert _pixel(tmp_path / "geopackage.png") == _legend_rgba(data, "gemeente", 2022, 2022, "GM0344")


def test_gdal_oapif_reads_every_feature_through_paging(server, data, tmp_path):
    seen = _client(server, tmp_path, "oapif_paging", "gemeente_2022", 50)  # seven pages
    assert seen["features"] == seen["distinct"] == len(data.boundaries.get("gemeente", 2022)) == 345
