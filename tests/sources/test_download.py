"""The upstream download path, exercised against a local HTTP server on 127.0.0.1 serving the shared files."""

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading

import pytest

from atlas.errors import DataFolderError
from atlas.sources.catalogue import load_catalogue
from atlas.sources.download import download_sources
from atlas.sources.manifest import check_data_folder, load_manifest, sha256_of


@pytest.fixture()
def serve(tmp_path):
    servers = []

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    def start(folder):
        handler = functools.partial(Quiet, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()


def test_download_fetches_and_verifies_every_boundary_file(serve, shared_dir, tmp_path):
    sources = load_manifest()
    target = tmp_path / "data"
    results = download_sources(sources, target, serve(shared_dir), progress=False)
    assert [r.status for r in results] == ["downloaded"] * len(sources)
    for source in sources:
        assert sha256_of(target / source.path) == source.sha256
    again = download_sources(sources, target, serve(shared_dir), progress=False)
    assert {r.status for r in again} == {"present"}


def test_tampered_or_missing_file_is_refused_and_not_written(serve, shared_dir, tmp_path):
    mirror = tmp_path / "mirror"
    shutil.copytree(shared_dir / "geodata", mirror / "geodata")
    tampered = mirror / "geodata/boundaries/provincie_2023.topojson"
    text = tampered.read_text()
    tampered.write_text(text.replace("Utrecht", "Utrekht"))
    (mirror / "geodata/boundaries/gemeente_2025.topojson").unlink()
    sources = [s for s in load_manifest() if s.path.endswith(("provincie_2023.topojson", "gemeente_2025.topojson"))]
    target = tmp_path / "data"
    results = download_sources(sources, target, serve(mirror), progress=False)
    assert [r.status for r in results] == ["unavailable", "unavailable"]
    assert "sha256" in results[0].detail and "404" in results[1].detail
    assert not list(target.rglob("*.topojson")) and not list(target.rglob("*.part"))


def test_missing_data_folder_names_what_is_missing(tmp_path):
    with pytest.raises(DataFolderError, match="does not exist.*ATLAS_DATA_DIR.*atlas data download"):
        check_data_folder(tmp_path / "nowhere", load_manifest(), ["population_gemeente.csv"])
    (tmp_path / "geodata").mkdir()
    with pytest.raises(DataFolderError, match=r"missing 44 file\(s\): geodata/boundaries/provincie_2015.topojson"):
        check_data_folder(tmp_path, load_manifest(), ["population_gemeente.csv"])


def test_download_command_names_a_data_folder_only_when_it_is_complete(serve, shared_dir, tmp_path):
    """The indicator CSVs have no upstream: they come from the configured data folder, or the hint says where."""
    target, base = tmp_path / "data", serve(shared_dir)

    def download(data_dir):
        env = {**os.environ, "ATLAS_DATA_DIR": str(data_dir), "ATLAS_CACHE_DIR": str(tmp_path / "cache")}
        done = subprocess.run([sys.executable, "-m", "atlas.cli", "data", "download", "--to", str(target),
                               "--base-url", base, "--quiet"], capture_output=True, text=True, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()[-1]

    needed = load_catalogue().csv_files()
    hint = download(tmp_path / "no-indicators-here")
    assert f"put {', '.join(needed)} in {target / 'indicators'}" in hint and "complete" not in hint
    with pytest.raises(DataFolderError, match="incomplete"):
        check_data_folder(target, load_manifest(), needed)
    hint = download(shared_dir)
    assert hint.startswith(f"complete data folder in {target}") and hint.endswith(f"ATLAS_DATA_DIR={target}")
    check_data_folder(target, load_manifest(), needed)  # what `atlas build` checks first
