"""The web page and its files: `web/` for the atlas's own code, the npm packages under /vendor."""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI, Query
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

from api.deps import PROBLEM_RESPONSES, Level, atlas_data, web_settings
from api.settings import WebSettings
from api.routes_tiles import class_request
from atlas.classify import ClassRequest
from atlas.data import AtlasData
from atlas.errors import DataFolderError
from atlas.export_html import export_map_html
from atlas.settings import REPO_ROOT

WEB_DIR = REPO_ROOT / "web"
VENDOR = {"leaflet": "leaflet/dist"}

router = APIRouter(tags=["web"])


@router.get("/", include_in_schema=False)
def page() -> FileResponse:
    return FileResponse(WEB_DIR / "index.html", headers={"Cache-Control": "no-cache"})


@router.get("/export/map.html", response_class=HTMLResponse)
def export_map(
    indicator: str, level: Level, year: int | None = Query(None, ge=1900, le=2100),
    request: ClassRequest = Depends(class_request), data: AtlasData = Depends(atlas_data),
    web: WebSettings = Depends(web_settings),
) -> HTMLResponse:
    """A standalone HTML choropleth with legend and tooltips (folium), for reports; works offline."""
    leaflet = web.web_packages_dir / VENDOR["leaflet"]
    document = export_map_html(data, indicator, level.value, year, request, leaflet)
    filename = f"{indicator}_{level.value}_{year or 'latest'}.html"
    return HTMLResponse(document, headers={"Content-Disposition": f'inline; filename="{filename}"'})


def mount_web(app: FastAPI) -> None:
    """Serve the page's files; refuse to start without the npm packages rather than show a broken map."""
    packages = app.state.web_settings.web_packages_dir
    for name, folder in VENDOR.items():
        if not (packages / folder).is_dir():
            raise DataFolderError(f"front-end package {name} missing in {packages}; run `make setup`")
        app.mount(f"/vendor/{name}", StaticFiles(directory=packages / folder), name=f"vendor-{name}")
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    app.include_router(router, responses=PROBLEM_RESPONSES)
