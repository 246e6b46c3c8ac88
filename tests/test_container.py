"""The Dockerfile's install steps, run in a clean virtual environment (no Docker engine here).

The RUN lines marked `# install:` are executed as written, in a fresh copy of the files the Dockerfile
copies, with a new venv's python first on PATH; then the installed `atlas` must build the data and
answer `info`, and the app must import with the npm packages where the image puts them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

from atlas.settings import REPO_ROOT

COPIED = ["pyproject.toml", "README.md", "atlas", "api", "geodata", "web/package.json", "web/package-lock.json",
          "web/index.html", "web/static"]


def _install_steps() -> dict[str, str]:
    text = (REPO_ROOT / "Dockerfile").read_text()
    return dict(re.findall(r"^# install: (\w+)\nRUN (.+)$", text, flags=re.MULTILINE))


def test_dockerfile_install_steps_work_in_a_clean_venv(tmp_path, settings):
    steps = _install_steps()
    assert set(steps) == {"web", "python"}
    app = tmp_path / "app"
    for name in COPIED:
        source, target = REPO_ROOT / name, app / name
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, target)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {**os.environ, "PATH": f"{venv / 'bin'}:{os.environ['PATH']}", "VIRTUAL_ENV": str(venv),
           "ATLAS_DATA_DIR": str(settings.data_dir), "ATLAS_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("PYTHONPATH", None)
    for name in ("web", "python"):
        done = subprocess.run(steps[name], shell=True, cwd=app, env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, f"{name} step failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    info = subprocess.run([str(venv / "bin" / "atlas"), "info"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert info.returncode == 0, info.stderr[-2000:]
    assert "gemeente" in info.stdout and "342" in info.stdout
    check = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "from api.app import create_app; print(len(create_app().openapi()['paths']))"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert check.returncode == 0 and int(check.stdout.strip().splitlines()[-1]) > 20, check.stderr[-2000:]
