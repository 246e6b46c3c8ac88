"""A damaged cache heals itself; damaged data is one clear message naming the file.

The cache faults start from a copy of the cache this test session built from the real data. The rebuild they
trigger is the session's own build of that same data (build_atlas is counted, not re-run, so each case costs
seconds rather than a minute); one test runs the whole path for real: `atlas serve` on a truncated cache
rebuilds, says so in one line and answers.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from serving import free_port

import atlas.data
from api.app import create_app
from atlas.cli import main
from atlas.data import BUILD_DIR_NAME, load_atlas, read_cache, remove_stale_staging
from atlas.errors import DataValidationError
from atlas.geography.crosswalk import Crosswalks
from atlas.geography.store import _provinces_by_name
from atlas.settings import REPO_ROOT, AtlasSettings, get_settings
from atlas.sources.catalogue import load_catalogue
from atlas.sources.indicators import load_indicator_csvs


@pytest.fixture
def cache(settings: AtlasSettings, data, tmp_path: Path) -> AtlasSettings:
    """Settings whose cache folder holds a copy of the session's (whole, current) build."""
    target = tmp_path / "cache"
    shutil.copytree(settings.cache_dir / BUILD_DIR_NAME, target / BUILD_DIR_NAME)
    return AtlasSettings(data_dir=settings.data_dir, cache_dir=target)


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch, data) -> list:
    """Each call of build_atlas, answered with the session's build of the same data folder."""
    calls: list = []

    def build(settings=None):
        calls.append(settings)
        return data

    monkeypatch.setattr(atlas.data, "build_atlas", build)
    return calls


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _serves(data) -> None:
    response = TestClient(create_app(data)).get("/ogc/collections/gemeente_2023/items/GM0344")
    assert response.status_code == 200 and response.json()["properties"]["name"] == "Utrecht"


DAMAGE = {
    "truncated observations": ("observations.parquet", _truncate),
    "empty layer": ("gemeente_2023.parquet", lambda p: p.write_bytes(b"")),
    "missing observations": ("observations.parquet", Path.unlink),
    "missing layer": ("wijk_2022.parquet", Path.unlink),
    "garbled build.json": ("build.json", lambda p: p.write_bytes(b"\x00\xffnot json{")),
    "build.json not an object": ("build.json", lambda p: p.write_text("[1, 2]")),
    "build.json without its layers": ("build.json", lambda p: p.write_text(json.dumps(
        {k: v for k, v in json.loads(p.read_text()).items() if k != "layers"}))),
    "truncated crosswalk": ("crosswalk.json", _truncate),
    "truncated tile grid": ("grid_gemeente_2022.arrow", _truncate),
    "missing tile grid": ("grid_provincie_2025.arrow", Path.unlink),
    "missing topology": ("topology_corop_2020.json", Path.unlink),
    "truncated topology": ("topology_gemeente_2023.json", _truncate),
    "missing features": ("features_gemeente_2023.geojsonl", Path.unlink),
    "truncated value documents": ("value_documents.parquet", _truncate),
    "truncated features": ("features_corop_2020.geojsonl", _truncate),
    "features out of order": ("features_provincie_2023.geojsonl", lambda p: p.write_bytes(
        b"".join(reversed(p.read_bytes().splitlines(keepends=True))))),
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_damaged_cache_is_rebuilt_logged_and_served(cache, builds, caplog, damage):
    name, harm = DAMAGE[damage]
    harm(cache.cache_dir / BUILD_DIR_NAME / name)
    with caplog.at_level(logging.WARNING, logger="atlas.data"):
        healed = load_atlas(cache)
    assert len(builds) == 1
    assert [r.getMessage() for r in caplog.records if "damaged" in r.getMessage()][0].count(name.split(".")[0]) >= 1
    _serves(healed)
    again = read_cache(cache.cache_dir, healed.version, cache)  # the rewritten cache is whole
    assert again is not None and len(again.observations) == len(healed.observations)


def test_a_whole_cache_is_read_not_rebuilt(cache, builds, caplog):
    with caplog.at_level(logging.WARNING, logger="atlas.data"):
        load_atlas(cache)
    assert builds == [] and not caplog.records


def test_unfinished_staging_folders_are_removed_but_not_a_running_build(cache, builds):
    folders = {name: cache.cache_dir / name for name in (
        f".{BUILD_DIR_NAME}-999999999-1",  # a process that is gone
        f".{BUILD_DIR_NAME}-1700000000000000000",  # the old unnamed form
        f".{BUILD_DIR_NAME}-{os.getpid()}-1",  # this process, which builds nothing before it loads
        f".{BUILD_DIR_NAME}-{os.getpid()}-old-2",
        f".{BUILD_DIR_NAME}-{os.getppid()}-3",  # a running process's build: left alone
    )}
    for folder in folders.values():
        (folder / "part").mkdir(parents=True)
    removed = remove_stale_staging(cache.cache_dir)
    assert sorted(removed) == sorted(list(folders.values())[:4])
    assert [f.name for f in cache.cache_dir.iterdir() if f.name.startswith(".")] == [f".{BUILD_DIR_NAME}-{os.getppid()}-3"]


def test_a_cache_folder_that_cannot_be_created_serves_from_memory(settings, data, builds, tmp_path, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    unwritable = AtlasSettings(data_dir=settings.data_dir, cache_dir=blocker / "cache")
    with caplog.at_level(logging.WARNING, logger="atlas.data"):
        served = load_atlas(unwritable)
    assert len(builds) == 1 and served is data
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 1 and messages[0].startswith(f"cannot write the cache in {blocker / 'cache'}")
    _serves(served)


def test_a_full_disk_leaves_no_staging_and_keeps_the_old_build(cache, builds, monkeypatch, caplog):
    """A stale build (another version) and no room to write the new one: served from memory, old cache untouched."""
    meta_path = cache.cache_dir / BUILD_DIR_NAME / "build.json"
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({**meta, "version": "stale"}))

    def full(self, folder):
        (folder / "crosswalk.json").write_bytes(b"{")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder / "crosswalk.json"))

    monkeypatch.setattr(Crosswalks, "write", full)
    with caplog.at_level(logging.WARNING, logger="atlas.data"):
        served = load_atlas(cache)
    assert len(builds) == 1
    assert [r.getMessage() for r in caplog.records][-1].endswith(
        "(No space left on device); using this build from memory, and the next start builds again")
    assert sorted(p.name for p in cache.cache_dir.iterdir()) == [BUILD_DIR_NAME]  # no staging left behind
    assert json.loads(meta_path.read_text())["version"] == "stale"
    _serves(served)


# --- data faults: one message naming the file ------------------------------------------------------------------

@pytest.fixture
def indicators(settings: AtlasSettings, tmp_path: Path) -> Path:
    target = tmp_path / "indicators"
    shutil.copytree(settings.data_dir / "indicators", target)
    return target


def _problems(folder: Path) -> list[str]:
    with pytest.raises(DataValidationError) as caught:
        load_indicator_csvs(folder, load_catalogue())
    return caught.value.problems


def test_a_stray_non_utf8_csv_is_named(indicators):
    (indicators / "stray.csv").write_bytes("indicator,value\nbevölkerung,1\n".encode("latin-1"))
    problems = _problems(indicators)
    assert len(problems) == 1 and problems[0].startswith("stray.csv: a CSV the catalogue does not describe")


@pytest.mark.parametrize("content", [bytes(range(256)) * 4, b"PK\x03\x04\x00\x00indicator\x00,value\n"],
                         ids=["not UTF-8", "NUL bytes"])
def test_a_binary_file_in_place_of_a_csv_is_named(indicators, content):
    name = load_catalogue().csv_files()[0]
    (indicators / name).write_bytes(content)
    problems = _problems(indicators)
    assert len(problems) == 1 and problems[0].startswith(f"{name}:")


def test_province_names_that_match_no_province_are_named(data):
    provinces = data.boundaries.get("provincie", 2023)
    names = pd.Series(["Utrecht", "Fryslân", "Noord-Hollandia"])
    with pytest.raises(DataValidationError) as caught:
        _provinces_by_name(names, provinces, "cbs/corop_2023.csv column province")
    assert caught.value.problems[0].startswith(
        "cbs/corop_2023.csv column province: province name(s) ['Noord-Hollandia'] match no province")
    assert list(_provinces_by_name(names[:2], provinces, "x")) == ["PV26", "PV21"]


def _atlas(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "atlas.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=300)


@pytest.mark.parametrize("command", ["info", "serve"])
def test_info_and_serve_on_a_binary_csv_say_one_thing_and_exit_3(settings, tmp_path, command):
    folder = tmp_path / "data"
    shutil.copytree(settings.data_dir, folder)
    name = load_catalogue().csv_files()[0]
    (folder / "indicators" / name).write_bytes(bytes(range(256)))
    result = _atlas(command, *(["--port", str(free_port())] if command == "serve" else []),
                    env={"ATLAS_DATA_DIR": str(folder), "ATLAS_CACHE_DIR": str(tmp_path / "cache")})
    assert result.returncode == 3 and "Traceback" not in result.stderr
    assert result.stderr.startswith("atlas: 1 problem(s) in the source data:") and f"  - {name}: not UTF-8" in result.stderr


def test_info_on_a_garbled_build_json_rebuilds(cache, builds, monkeypatch, caplog, capsys):
    """`atlas info` finds build.json garbled, rebuilds, reports and writes a whole cache (the counted build: the
    real rebuild in a child process is the serve test below)."""
    (cache.cache_dir / BUILD_DIR_NAME / "build.json").write_bytes(b"\x00garbled")
    monkeypatch.setenv("ATLAS_DATA_DIR", str(cache.data_dir))
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(cache.cache_dir))
    get_settings.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="atlas.data"):
            assert main(["info", "--json"]) == 0
    finally:
        get_settings.cache_clear()
    assert len(builds) == 1
    first = caplog.records[0].getMessage()
    assert first.startswith("the cache is damaged (") and "build.json" in first
    assert json.loads(capsys.readouterr().out)["boundaries"]["gemeente"]["2023"] == 342
    assert json.loads((cache.cache_dir / BUILD_DIR_NAME / "build.json").read_text())["version"]


def test_serve_on_a_truncated_cache_rebuilds_and_answers(cache, tmp_path):
    """The real path: `atlas serve` with a truncated observations file rebuilds, logs one line and serves."""
    _truncate(cache.cache_dir / BUILD_DIR_NAME / "observations.parquet")
    port = free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "ATLAS_DATA_DIR": str(cache.data_dir), "ATLAS_CACHE_DIR": str(cache.cache_dir),
           "ATLAS_ACCESS_LOG": "false"}
    with log.open("w") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "atlas.cli", "serve", "--port", str(port)], env=env,
                                   cwd=REPO_ROOT, stderr=stderr, stdout=stderr)
        try:
            body = _wait_for(f"http://127.0.0.1:{port}/api/v1/indicators/population/values?level=provincie&year=2022",
                             process)
        finally:
            process.terminate()
            process.wait(timeout=30)
    assert len(json.loads(body)["values"]) == 12
    text = log.read_text()
    assert "atlas: the cache is damaged (" in text and "observations" in text and "Traceback" not in text


def _wait_for(url: str, process: subprocess.Popen, limit_s: float = 600) -> bytes:
    """The answer once the server is up; a bound on waiting, not a timed assertion."""
    deadline = time.monotonic() + limit_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read()
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"server did not answer {url}")
            time.sleep(0.5)
