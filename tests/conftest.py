"""Shared fixtures: the real shared data, built once per test session into a temporary cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from atlas.data import AtlasData, load_atlas
from atlas.settings import AtlasSettings, get_settings


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> AtlasSettings:
    base = get_settings()
    return AtlasSettings(data_dir=base.data_dir, cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def data(settings: AtlasSettings) -> AtlasData:
    return load_atlas(settings, rebuild=True)


@pytest.fixture(scope="session")
def shared_dir(settings: AtlasSettings) -> Path:
    return settings.data_dir
