"""The server's settings, one class per concern (as tipg does): HTTP serving and the web page.

Read from ``ATLAS_*`` variables when an app is created and kept on ``app.state``, so each app (and each
test) sees the environment of its own start; lists are accepted comma-separated
(``ATLAS_CORS_ORIGINS=https://a.nl,https://b.nl``) as well as JSON.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from atlas.settings import REPO_ROOT

# one Python process computes on one core at a time (the GIL), so the default is a worker per core; each adds
# about 120 MiB (bench/workers_memory.py), and past 8 the shared machine is better told explicitly
MAX_DEFAULT_WORKERS = 8
ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$")


class _FromEnvironment(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ATLAS_", extra="ignore")


class ApiSettings(_FromEnvironment):
    """How the API serves: address, processes, limits and its caches."""

    host: str = Field(default="127.0.0.1", description="Address the server binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the server listens on.")
    workers: int = Field(default_factory=lambda: min(os.cpu_count() or 1, MAX_DEFAULT_WORKERS), ge=1, le=64,
                         description="Worker processes (default: one per core, at most 8); more than one are forked "
                                     "from one load of the data (gunicorn), sharing it.")
    request_timeout_s: float = Field(default=30.0, gt=0, description="Requests running longer get 503.")
    max_response_mb: int = Field(default=64, ge=1, description="Largest generated download; larger asks get 413.")
    max_header_kb: int = Field(default=32, ge=1, description="Largest request headers (all together); larger get 431.")
    header_timeout_s: float = Field(default=10.0, gt=0,
                                    description="A connection that has not sent a request's headers by then is closed.")
    access_log: bool = Field(default=True, description="Write one JSON line per request to stdout.")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default=["*"], description="Origins allowed to GET from the API, comma-separated or a JSON list.")
    max_upload_mb: int = Field(default=20, ge=1, description="Largest table or point list accepted by an upload.")
    max_page_size: int = Field(default=1000, ge=1, description="Largest `limit` accepted by paged endpoints.")
    tile_min_zoom: int = Field(default=4, ge=0, le=22, description="Lowest zoom level rendered as tiles.")
    tile_max_zoom: int = Field(default=16, ge=0, le=22, description="Highest zoom level rendered as tiles.")

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _listed(cls, raw: object) -> object:
        """`a,b` or `["a","b"]`: an operator types the first, a deployment template writes the second."""
        if isinstance(raw, str):
            text = raw.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return raw


class WebSettings(_FromEnvironment):
    """What the page and the HTML exports need: the background map and the locally installed npm packages."""

    base_map_url: str = Field(
        default="https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/grijs/EPSG:3857/{z}/{x}/{y}.png",
        description="XYZ URL of the optional background map in the web page (default PDOK BRT grey); empty for none.",
    )
    base_map_url_rd: str = Field(
        default="https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/grijs/EPSG:28992/{z}/{x}/{y}.png",
        description="The background map when the page is in RD New: XYZ URL in PDOK's NetherlandsRDNewQuad; empty for none.",
    )
    base_map_attribution: str = Field(default="Kaartgegevens &copy; Kadaster (PDOK, BRT-Achtergrondkaart)",
                                      description="Attribution shown with the background map.")
    web_packages_dir: Path = Field(default=REPO_ROOT / "web" / "node_modules",
                                   description="Where `make setup` installed the front-end packages from npm.")
    pyramid_origins: str = Field(
        default="", description="Origins (https://tiles.example.org, space- or comma-separated) the page may read "
                                "tile pyramids from (`?pyramid=`); its own origin always.")

    @field_validator("pyramid_origins")
    @classmethod
    def _origins(cls, raw: str) -> str:
        """Only bare origins, since they go into the page's Content-Security-Policy as they are."""
        origins = raw.replace(",", " ").split()
        for origin in origins:
            if not ORIGIN.match(origin):
                raise ValueError(f"{origin!r} is not an origin like https://tiles.example.org")
        return " ".join(origins)
