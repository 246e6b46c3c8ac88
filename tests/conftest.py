"""Shared fixtures: the real shared data, built (or copied from `make test`'s build) into a temporary cache once per
test session; a server process and headless Chromium for the browser tests."""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlparse

import pytest
from serving import free_port, running_server

from atlas.cache import AtlasCaches
from atlas.data import BUILD_DIR_NAME, AtlasData, load_atlas
from atlas.settings import REPO_ROOT, AtlasSettings, get_settings

CHROMIUM = "/usr/bin/chromium"
PAYLOAD = "<img src=x onerror=alert(1)>"  # what a hostile data file might carry in any text field
HOSTILE_REGION, HOSTILE_CATEGORY = "PV26", "ris_performance_group"  # Utrecht, and a category indicator it has
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> AtlasSettings:
    base = get_settings()
    return AtlasSettings(data_dir=base.data_dir, cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture
def cli_settings(settings: AtlasSettings, data: AtlasData, monkeypatch: pytest.MonkeyPatch) -> Iterator[AtlasSettings]:
    """The session's build for a CLI command run in this process (it reads `get_settings()`): without it the command
    looks in the default cache folder, and on a fresh clone builds the whole atlas there (two minutes)."""
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(settings.cache_dir))
    monkeypatch.setenv("ATLAS_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def data(settings: AtlasSettings) -> AtlasData:
    """Built here, or read from a copy of the build `make test` made once for every worker (ATLAS_TEST_PREBUILT):
    computing every value takes minutes, and the copy keeps a worker's imports out of the others' way. A copy that
    does not match this data and code is rebuilt by load_atlas, as any stale cache is."""
    prebuilt = os.environ.get("ATLAS_TEST_PREBUILT")
    if not prebuilt:
        return load_atlas(settings, rebuild=True)
    shutil.copytree(Path(prebuilt) / BUILD_DIR_NAME, settings.cache_dir / BUILD_DIR_NAME)
    return load_atlas(settings)


@pytest.fixture(scope="session")
def hostile_data(data: AtlasData) -> AtlasData:
    """The real atlas with one region name and one category value carrying PAYLOAD (copies: `data` is untouched),
    as a data file that slipped past review would bring them. Synthetic text, for escaping tests only."""
    layers = {}
    for key, layer in data.boundaries.layers.items():
        layers[key] = layer
        if key[0] == "provincie":
            layers[key] = layer.copy()
            layers[key].loc[layer["code"] == HOSTILE_REGION, "name"] = f"Utrecht {PAYLOAD}"
    observations = data.observations.copy()
    observations.loc[(observations["indicator"] == HOSTILE_CATEGORY) & (observations["code"] == HOSTILE_REGION),
                     "text"] = PAYLOAD
    return dataclasses.replace(data, boundaries=dataclasses.replace(data.boundaries, layers=layers),
                               observations=observations, caches=AtlasCaches.from_settings())


@pytest.fixture(scope="session")
def shared_dir(settings: AtlasSettings) -> Path:
    return settings.data_dir


@pytest.fixture(scope="module")
def server(data: AtlasData, settings: AtlasSettings) -> Iterator[str]:
    """uvicorn in a subprocess, reading the cache the session already built."""
    port = free_port()
    env = {**os.environ, "ATLAS_CACHE_DIR": str(settings.cache_dir), "ATLAS_DATA_DIR": str(settings.data_dir)}
    command = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", "127.0.0.1",
               "--port", str(port), "--log-level", "warning"]
    with running_server(command, port, env, REPO_ROOT) as base:
        yield base


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: `make test` installs Debian's chromium package")
    with playwright.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield instance
        instance.close()


@pytest.fixture
def browser(chromium: Any, request: pytest.FixtureRequest) -> Iterator[SimpleNamespace]:
    """Chromium that cannot leave the machine: every context it opens lets loopback requests through and aborts
    any other, remembering the host. The test fails unless those hosts are exactly the ones it declares with
    `@pytest.mark.outside_hosts(...)`, so a page that quietly reaches a CDN or the background map is caught."""
    tried: set[str] = set()
    contexts = []

    def guard(route: Any) -> None:
        host = urlparse(route.request.url).hostname
        if host in LOOPBACK:
            route.continue_()
        else:
            tried.add(str(host))
            route.abort("internetdisconnected")

    def new_context(**options: Any) -> Any:
        # Playwright's wait_for_function polls by evaluating a string in the page, which the atlas's policy (no
        # eval) forbids: contexts bypass it unless a test asks for the policy in force (bypass_csp=False).
        context = chromium.new_context(**{"bypass_csp": True, **options})
        context.route("**/*", guard)
        contexts.append(context)
        return context

    yield SimpleNamespace(new_context=new_context)
    for context in contexts:
        context.close()
    marker = request.node.get_closest_marker("outside_hosts")
    meant = set(marker.args) if marker else set()
    assert tried == meant, f"requests to outside hosts {sorted(tried)}; the test means {sorted(meant)}"
