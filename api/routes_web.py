"""The web page and its files: `web/` for the atlas's own code, the npm packages under /vendor.

The API documentation (Swagger UI, ReDoc) comes from the same npm packages rather than FastAPI's default CDN,
so `/docs` works offline and no visitor's browser is sent to a third party.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from api.deps import PROBLEM_RESPONSES, Level, atlas_data, boundary_year, web_settings
from api.routes_tiles import class_request
from api.settings import WebSettings
from atlas.data import AtlasData
from atlas.errors import DataFolderError
from atlas.render.classify import ClassRequest
from atlas.render.export_html import content_policy, export_map_html
from atlas.render.export_text import LANGUAGES
from atlas.render.publication import FORMATS as IMAGE_FORMATS
from atlas.render.publication import publication_image
from atlas.settings import IN_CHECKOUT, REPO_ROOT

WEB_DIR = REPO_ROOT / "web" if IN_CHECKOUT else Path(__file__).parent / "web"  # a wheel carries it as api/web
VENDOR = {"leaflet": "leaflet/dist", "proj4": "proj4/dist", "proj4leaflet": "proj4leaflet/src",
          "vectorgrid": "leaflet.vectorgrid/dist",
          "swagger-ui": "swagger-ui-dist", "redoc": "redoc/bundles", "d3": "d3/dist", "plot": "@observablehq/plot/dist",
          "pmtiles": "pmtiles/dist"}
# The documentation pages may load only from this server: ReDoc's bundle always shows a logo from cdn.redoc.ly,
# which this keeps the browser from fetching. Both pages run an inline start-up script and inject their styles.
DOCS_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; worker-src 'self' blob:")

router = APIRouter(tags=["web"])
ExportLanguage = Enum("ExportLanguage", {lang: lang for lang in LANGUAGES}, type=str)  # type: ignore[misc]
ImageFormat = Enum("ImageFormat", {f: f for f in IMAGE_FORMATS}, type=str)  # type: ignore[misc]


@router.get("/", include_in_schema=False)
def page() -> FileResponse:
    return FileResponse(WEB_DIR / "index.html", headers={"Cache-Control": "no-cache"})


@router.get("/docs", include_in_schema=False)
def swagger_ui(request: Request) -> HTMLResponse:
    swagger = f"{request.scope.get('root_path', '')}/vendor/swagger-ui"
    html = get_swagger_ui_html(
        openapi_url=request.app.openapi_url, title=f"{request.app.title} - Swagger UI",
        swagger_js_url=f"{swagger}/swagger-ui-bundle.js", swagger_css_url=f"{swagger}/swagger-ui.css",
        swagger_favicon_url=f"{swagger}/favicon-32x32.png",
        swagger_ui_parameters={"validatorUrl": None},  # Swagger UI would send the schema to validator.swagger.io
    )
    html.headers["Content-Security-Policy"] = DOCS_POLICY
    return html


@router.get("/redoc", include_in_schema=False)
def redoc(request: Request) -> HTMLResponse:
    vendor = f"{request.scope.get('root_path', '')}/vendor"
    html = get_redoc_html(
        openapi_url=request.app.openapi_url, title=f"{request.app.title} - ReDoc",
        redoc_js_url=f"{vendor}/redoc/redoc.standalone.js", redoc_favicon_url=f"{vendor}/swagger-ui/favicon-32x32.png",
        with_google_fonts=False,
    )
    html.headers["Content-Security-Policy"] = DOCS_POLICY
    return html


@router.get("/export/map.html", response_class=HTMLResponse)
def export_map(
    indicator: str, level: Level, year: int | None = Query(None, ge=1900, le=2100),
    request: ClassRequest = Depends(class_request), data: AtlasData = Depends(atlas_data),
    web: WebSettings = Depends(web_settings), boundaries: int | None = Depends(boundary_year),
    lang: ExportLanguage = Query(ExportLanguage["nl"], description="Language of the legend, tooltips and numbers"),
    within: str | None = Query(None, description="Only this area from /api/v1/areas (e.g. BOM); default the country"),
) -> HTMLResponse:
    """A standalone HTML choropleth with legend and tooltips (folium), for reports; works offline. With `within`
    it holds and frames only that area's regions, coloured by the national classes."""
    leaflet = web.web_packages_dir / VENDOR["leaflet"]
    document = export_map_html(data, indicator, level.value, year, request, leaflet, lang.value, boundaries, within)
    filename = f"{indicator}_{level.value}_{year or 'latest'}{'_' + within if within else ''}.html"
    return HTMLResponse(document, headers={"Content-Disposition": f'inline; filename="{filename}"',
                                           "Content-Security-Policy": content_policy(document)})


@router.get("/export/map.{image_format}", response_class=Response,
            responses={200: {"content": {"image/png": {}, "image/svg+xml": {}}}})
def export_image(
    image_format: ImageFormat, indicator: str, level: Level, year: int | None = Query(None, ge=1900, le=2100),
    scale: int = Query(2, ge=1, le=3, description="PNG pixels per layout pixel (900 px wide at 1)"),
    within: str | None = Query(None, description="Only this area from /api/v1/areas (e.g. BOM); default the country"),
    lang: ExportLanguage = Query(ExportLanguage["nl"], description="Language of title, legend and footer"),
    request: ClassRequest = Depends(class_request), data: AtlasData = Depends(atlas_data),
    boundaries: int | None = Depends(boundary_year),
) -> Response:
    """A publication image (PNG or SVG): title, unit and year, legend over open sea, full source and export date;
    coloured by the same classification as the tiles."""
    content = publication_image(data, indicator, level.value, year, request, boundaries, image_format.value, scale,
                                within, lang.value)
    name = f"{indicator}_{level.value}_{year or 'latest'}{'_' + within if within else ''}.{image_format.value}"
    return Response(content, media_type=IMAGE_FORMATS[image_format.value],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def mount_web(app: FastAPI) -> None:
    """Serve the page's files; refuse to start without the npm packages rather than show a broken map."""
    packages = app.state.web_settings.web_packages_dir
    for name, folder in VENDOR.items():
        if not (packages / folder).is_dir():
            raise DataFolderError(f"front-end package {name} missing in {packages}; run `make setup`")
        app.mount(f"/vendor/{name}", StaticFiles(directory=packages / folder), name=f"vendor-{name}")
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    app.include_router(router, responses=PROBLEM_RESPONSES)
