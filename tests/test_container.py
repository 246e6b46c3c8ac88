"""The Dockerfile's install steps, run in a clean virtual environment (no Docker engine here).

The files are copied as the Dockerfile's COPY lines copy them, the RUN lines marked `# install:` run as written
with a new venv's python first on PATH, and then the copied sources are deleted: what remains must work from
the installed wheel alone, from a folder outside the repository, as `pip install .` promises a user.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from serving import free_port, running_server

from atlas.data import BUILD_DIR_NAME
from atlas.settings import REPO_ROOT

pytestmark = pytest.mark.container
DOCKERFILE = (REPO_ROOT / "Dockerfile").read_text()


def _install_steps() -> dict[str, str]:
    return dict(re.findall(r"^# install: (\w+)\nRUN (.+)$", DOCKERFILE, flags=re.MULTILINE))


def _copy_as_the_dockerfile_does(app: Path) -> list[Path]:
    """Both stages work in /app, so every `COPY sources... destination` (not `--from`) lands under one folder."""
    copied = []
    for line in re.findall(r"^COPY (?!--from)(.+)$", DOCKERFILE, flags=re.MULTILINE):
        *sources, destination = line.split()
        for name in sources:
            target = app / destination / Path(name).name if destination.endswith("/") else app / destination
            target.parent.mkdir(parents=True, exist_ok=True)
            source = REPO_ROOT / name
            (shutil.copytree if source.is_dir() else shutil.copy2)(source, target)
            copied.append(target)
    return copied


def test_dockerfile_install_steps_give_a_wheel_that_works_without_the_sources(tmp_path, settings, data):
    steps = _install_steps()
    assert set(steps) == {"web", "python"}
    assert " -e " not in steps["python"] and "requirements.lock" in steps["python"]
    app = tmp_path / "app"
    copied = _copy_as_the_dockerfile_does(app)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {**os.environ, "PATH": f"{venv / 'bin'}:{os.environ['PATH']}", "VIRTUAL_ENV": str(venv),
           "ATLAS_DATA_DIR": str(settings.data_dir), "XDG_CACHE_HOME": str(tmp_path / "user-cache"),
           "ATLAS_WEB_PACKAGES_DIR": str(app / "web" / "node_modules"), "ATLAS_ACCESS_LOG": "false"}
    for name in ("PYTHONPATH", "ATLAS_CACHE_DIR"):
        env.pop(name, None)
    for name in ("web", "python"):
        done = subprocess.run(steps[name], shell=True, cwd=app, env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, f"{name} step failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    for path in copied:
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    # With no ATLAS_CACHE_DIR an installed atlas caches in the user's cache folder, never in site-packages. The
    # checkout's build is put there: the wheel carries the same code and geodata, so it reads it, not rebuilds it.
    user_build = tmp_path / "user-cache" / "innovation-atlas-nl" / BUILD_DIR_NAME
    shutil.copytree(settings.cache_dir / BUILD_DIR_NAME, user_build)
    built = (user_build / "build.json").stat().st_mtime_ns

    info = subprocess.run([str(venv / "bin" / "atlas"), "info"], cwd=outside, env=env, capture_output=True,
                          text=True, timeout=600)
    assert info.returncode == 0, info.stderr[-2000:]
    assert "gemeente" in info.stdout and "342" in info.stdout
    assert (user_build / "build.json").stat().st_mtime_ns == built, "the wheel's fingerprint differs: it rebuilt"
    assert not list(venv.glob("lib/python*/site-packages/.cache"))

    port = free_port()
    command = [str(venv / "bin" / "atlas"), "serve", "--port", str(port), "--workers", "1"]
    with running_server(command, port, env, outside) as base:
        with urllib.request.urlopen(base + "/openapi.json", timeout=30) as response:
            assert len(json.load(response)["paths"]) > 20
        for url, expected in [("/", b'id="map"'), ("/static/app.js", b"fetch("), ("/docs", b"swagger-ui-bundle.js"),
                              ("/vendor/swagger-ui/swagger-ui-bundle.js", b"SwaggerUIBundle")]:
            with urllib.request.urlopen(base + url, timeout=30) as response:
                assert expected in response.read(), url
