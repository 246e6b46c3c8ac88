"""All configuration in one typed place, read from ``ATLAS_*`` environment variables.

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
    """Runtime settings; every field can be set as ``ATLAS_<FIELD>`` in the environment."""

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
    host: str = Field(default="127.0.0.1", description="Address the server binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the server listens on.")
    workers: int = Field(default=1, ge=1, le=64, description="uvicorn worker processes (each loads the data once).")
    request_timeout_s: float = Field(default=30.0, gt=0, description="Requests running longer get 503.")
    max_response_mb: int = Field(default=64, ge=1, description="Largest generated download; larger asks get 413.")
    access_log: bool = Field(default=True, description="Write one JSON line per request to stdout.")
    upstream_url: str = Field(
        default="",
        description="Base URL of a mirror laid out like the data folder; empty uses each file's pinned public copy.",
    )
    cors_origins: list[str] = Field(default=["*"], description="Origins allowed to GET from the API.")
    max_page_size: int = Field(default=1000, ge=1, description="Largest `limit` accepted by paged endpoints.")
    tile_min_zoom: int = Field(default=4, ge=0, le=22, description="Lowest zoom level rendered as tiles.")
    tile_max_zoom: int = Field(default=16, ge=0, le=22, description="Highest zoom level rendered as tiles.")
    base_map_url: str = Field(
        default="https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/grijs/EPSG:3857/{z}/{x}/{y}.png",
        description="XYZ URL of the optional background map in the web page (default PDOK BRT grey); empty for none.",
    )
    base_map_attribution: str = Field(default="Kaartgegevens &copy; Kadaster (PDOK, BRT-Achtergrondkaart)",
                                      description="Attribution shown with the background map.")
    web_packages_dir: Path = Field(default=REPO_ROOT / "web" / "node_modules",
                                   description="Where `make setup` installed the front-end packages from npm.")
    tile_cache_mb: int = Field(default=256, ge=0, description="Memory for rendered tiles (least recently used dropped).")


@lru_cache(maxsize=1)
def get_settings() -> AtlasSettings:
    """Settings are read once per process; tests that change the environment call ``cache_clear``."""
    return AtlasSettings()
