"""The core's settings: where the data is and where derived caches go, read from ``ATLAS_*`` variables.

HTTP and page settings belong to the API (``api.settings``): the core runs the same from the CLI, a
notebook or the server, and knows nothing of ports or CORS.

The repository root is found from this file so that ``../shared`` resolves the same way whether the
atlas is started by ``make run``, the CLI or the tests.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[1]
GEODATA_DIR = REPO_ROOT / "geodata"


class AtlasSettings(BaseSettings):
    """Data settings; every field can be set as ``ATLAS_<FIELD>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="ATLAS_", extra="ignore")

    data_dir: Path = Field(
        default=REPO_ROOT.parent / "shared",
        description="Folder holding geodata/ and indicators/ (the shared data, or a downloaded copy).",
    )
    cache_dir: Path = Field(
        default=REPO_ROOT / ".cache" / "atlas",
        description="Where derived GeoParquet caches and downloads are written (ignored by git).",
    )
    upstream_url: str = Field(
        default="",
        description="Base URL of a mirror laid out like the data folder; empty uses each file's pinned public copy.",
    )


@lru_cache(maxsize=1)
def get_settings() -> AtlasSettings:
    """Settings are read once per process; tests that change the environment call ``cache_clear``."""
    return AtlasSettings()
