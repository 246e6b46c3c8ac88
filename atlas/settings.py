"""The core's settings: where the data is and where derived caches go, read from ``ATLAS_*`` variables.

HTTP and page settings belong to the API (``api.settings``): the core runs the same from the CLI, a
notebook or the server, and knows nothing of ports or CORS.

The repository root is found from this file so that ``../shared`` resolves the same way whether the
atlas is started by ``make run``, the CLI or the tests. A wheel (``pip install .``) has no repository around it:
it carries ``geodata/`` inside the package (``atlas/geodata``, see ``package-dir`` in pyproject.toml) and caches
in the user's cache folder, never in site-packages.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
IN_CHECKOUT = (REPO_ROOT / "pyproject.toml").is_file()  # also true for an editable install
GEODATA_DIR = REPO_ROOT / "geodata" if IN_CHECKOUT else PACKAGE_DIR / "geodata"


def _default_cache_dir() -> Path:
    if IN_CHECKOUT:
        return REPO_ROOT / ".cache" / "atlas"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "innovation-atlas-nl"


class AtlasSettings(BaseSettings):
    """Data settings; every field can be set as ``ATLAS_<FIELD>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="ATLAS_", extra="ignore")

    data_dir: Path = Field(
        default=REPO_ROOT.parent / "shared",
        description="Folder holding geodata/ and indicators/ (the shared data, or a downloaded copy).",
    )
    cache_dir: Path = Field(
        default_factory=_default_cache_dir,
        description="Where derived GeoParquet caches and downloads are written: .cache/atlas in a checkout (ignored "
                    "by git), otherwise $XDG_CACHE_HOME/innovation-atlas-nl (default ~/.cache/innovation-atlas-nl).",
    )
    upstream_url: str = Field(
        default="",
        description="Base URL of a mirror laid out like the data folder; empty uses each file's pinned public copy.",
    )


@lru_cache(maxsize=1)
def get_settings() -> AtlasSettings:
    """Settings are read once per process; tests that change the environment call ``cache_clear``."""
    return AtlasSettings()
