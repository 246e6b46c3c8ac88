"""The FastAPI application: loads the atlas once at start (refusing to start on bad data), then serves it."""

from __future__ import annotations

import gc
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware

from api import (
    routes_analysis,
    routes_catalogue,
    routes_imports,
    routes_layers,
    routes_networks,
    routes_ogc,
    routes_ogc_tiles,
    routes_regions,
    routes_startups,
    routes_styles,
    routes_tiles,
)
from api.accesslog import AccessLogMiddleware, configure_access_log
from api.caching import ETagMiddleware, HttpCacheSettings
from api.deps import PROBLEM_RESPONSES
from api.errors import install_error_handlers
from api.head import HeadAsGet
from api.limits import HeaderLimitMiddleware
from api.liveimports import LiveImports, refresh
from api.responsecache import DeclaredParameters, ResponseCache
from api.routes_web import mount_web
from api.security import SecurityHeadersMiddleware, page_policy
from api.settings import ApiSettings, WebSettings
from api.workpool import WorkLimit, WorkSettings
from atlas import __version__
from atlas.cache import BoundedCache
from atlas.data import AtlasData, load_atlas
from atlas.settings import get_settings


def create_app(data: AtlasData | None = None, http: HttpCacheSettings | None = None,
               cache_dir: Path | None = None, work: WorkSettings | None = None) -> FastAPI:
    """Build the app; the data is loaded here, not per request, so corrupt data stops the start.

    The app holds no state but the loaded atlas (with its caches, atlas.cache), its settings per concern
    and the one cache of finished responses, all bounded by settings."""
    settings, web = ApiSettings(), WebSettings()
    http, work = http or HttpCacheSettings(), work or WorkSettings()
    app = FastAPI(
        title="Innovation Atlas NL", version=__version__, docs_url=None, redoc_url=None,  # served locally: routes_web
        description="Where research and innovation happen in the Netherlands: indicators per region with source, "
                    "year, unit and definition; layer downloads; OGC API - Features and Tiles under /ogc.",
    )
    app.state.data = data if data is not None else load_atlas(get_settings())
    app.state.cache_dir = cache_dir or get_settings().cache_dir  # where imports live (atlas.imports.store)
    app.state.imports_stamp = None
    app.state.api_settings, app.state.web_settings = settings, web
    app.state.http_cache_settings, app.state.work_settings = http, work
    app.state.responses = BoundedCache("responses", http.responses)
    refresh(app.state)
    gc.freeze()  # the loaded data lives as long as the process; keep it out of garbage-collector sweeps
    install_error_handlers(app)
    app.add_middleware(ETagMiddleware, cache_control=http.revalidate)
    app.add_middleware(WorkLimit, settings=work)  # behind the response cache: hits and waiters need no thread
    app.add_middleware(ResponseCache, cache=app.state.responses, parameters=DeclaredParameters(app.openapi))
    app.add_middleware(LiveImports, max_upload_bytes=settings.max_upload_mb * 2**20)
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)  # what the response cache does not store
    app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "HEAD"], allow_headers=["*"])
    app.add_middleware(SecurityHeadersMiddleware, html_policy=page_policy(web.base_map_url, web.base_map_url_rd,
                                                                     pyramid_origins=web.pyramid_origins))
    app.add_middleware(HeadAsGet)  # inside the access log (which records HEAD), outside every cache
    app.add_middleware(AccessLogMiddleware, timeout_s=settings.request_timeout_s, enabled=settings.access_log)
    app.add_middleware(HeaderLimitMiddleware, max_bytes=settings.max_header_kb * 1024)
    configure_access_log()
    for module in (routes_catalogue, routes_regions, routes_layers, routes_ogc, routes_ogc_tiles, routes_tiles,
                   routes_styles, routes_networks, routes_startups, routes_analysis, routes_imports):
        app.include_router(module.router, responses=PROBLEM_RESPONSES)
    routes_tiles.declare_zoom_range(app, settings.tile_min_zoom, settings.tile_max_zoom)
    mount_web(app)
    return app
