"""Corrupt data is refused at load time with precise messages, and a failed rebuild keeps the last good cache."""

from __future__ import annotations

import json
import shutil

import pytest

from atlas.data import BUILD_DIR_NAME, load_atlas, read_cache
from atlas.errors import DataValidationError
from atlas.settings import AtlasSettings

BOUNDARY = "geodata/cbs-2015/provincie_2015.topojson"


@pytest.fixture
def copy(shared_dir, tmp_path):
    target = tmp_path / "shared"
    shutil.copytree(shared_dir, target)
    return target


def _settings(data_dir, tmp_path) -> AtlasSettings:
    return AtlasSettings(data_dir=data_dir, cache_dir=tmp_path / "cache")


def test_truncated_boundary_file_is_named_with_its_size(copy, tmp_path):
    path = copy / BOUNDARY
    if not path.exists():
        pytest.fail(f"{BOUNDARY} is not in the shared data; update this test's file")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(DataValidationError) as raised:
        load_atlas(_settings(copy, tmp_path), rebuild=True)
    assert any(BOUNDARY in p and "truncated" in p for p in raised.value.problems)


def test_bad_indicator_rows_are_reported_with_file_and_line(copy, tmp_path):
    csv = copy / "indicators" / "rd_expenditure.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    broken = lines[1].split(",")
    broken[header.index("value")] = "lots"
    csv.write_text("\n".join([*lines, ",".join(broken), lines[1]]) + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as raised:
        load_atlas(_settings(copy, tmp_path), rebuild=True)
    text = "\n".join(raised.value.problems)
    assert f"rd_expenditure.csv:{len(lines) + 1}" in text and f"rd_expenditure.csv:{len(lines) + 2}" in text


def test_failed_rebuild_keeps_the_last_good_cache_and_refuses_to_start(copy, tmp_path, monkeypatch, data,
                                                                      settings: AtlasSettings):
    # The session's build is the last good one: the copied folder has the same files, sizes and times.
    shutil.copytree(settings.cache_dir / BUILD_DIR_NAME, tmp_path / "cache" / BUILD_DIR_NAME)
    copied = _settings(copy, tmp_path)
    good = load_atlas(copied)
    assert good.version == data.version
    meta = tmp_path / "cache" / BUILD_DIR_NAME / "build.json"
    before = meta.read_text()
    (copy / BOUNDARY).write_bytes(b"{not json")
    with pytest.raises(DataValidationError):
        load_atlas(copied, rebuild=True)
    assert meta.read_text() == before and json.loads(before)["version"] == good.version
    kept = read_cache(tmp_path / "cache", good.version, copied)
    assert kept is not None and len(kept.boundaries.get("gemeente", 2023)) == 342
    monkeypatch.setenv("ATLAS_DATA_DIR", str(copy))
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(tmp_path / "cache"))
    from api.app import create_app
    from atlas.settings import get_settings
    get_settings.cache_clear()
    try:
        with pytest.raises(DataValidationError):
            create_app()  # the server does not start on corrupt data
    finally:
        get_settings.cache_clear()
