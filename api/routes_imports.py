"""Bring your own data over HTTP: upload a table or a point list (size-limited), list and remove imports.

The work (reading, checking, placing, counting, withholding) is the core's, run in the thread pool; the
answer lists every problem with where it is (422) or describes what was imported, never its rows or points.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile

from api import schemas
from api.deps import PROBLEM, atlas_data
from api.liveimports import refresh
from atlas.data import AtlasData
from atlas.imports.metadata import parse_meta, parse_points_meta
from atlas.imports.points import import_points
from atlas.imports.store import Dataset, ImportStore
from atlas.imports.tables import import_table

router = APIRouter(prefix="/api/v1", tags=["imports"])
UPLOAD_RESPONSES: dict[int | str, dict] = {422: {"description": "Import rejected: every problem listed", **PROBLEM}}


def _saved(request: Request, data: AtlasData, dataset: Dataset) -> dict:
    store = ImportStore(request.app.state.cache_dir)
    store.save(dataset, data.catalogue)
    refresh(request.app.state)
    return next(r for r in store.records() if r["id"] == dataset.id)


@router.post("/imports/indicators", response_model=schemas.ImportedDataset, responses=UPLOAD_RESPONSES)
def import_indicator_table(
    request: Request,
    file: UploadFile = File(description="CSV or XLSX, long (region_code|region_name, year, value) or wide (a column per year)"),
    meta: str = Form(description="META.toml text: id, title, unit, kind, aggregation, direction, source, licence"),
    data: AtlasData = Depends(atlas_data),
) -> dict:
    """Check the whole table (nothing is imported partly) and add it to the catalogue as imported by the user."""
    dataset = import_table(data, file.filename or "upload.csv", file.file.read(), parse_meta(meta))
    return _saved(request, data, dataset)


@router.post("/imports/points", response_model=schemas.ImportedDataset, responses=UPLOAD_RESPONSES)
def import_point_list(
    request: Request,
    file: UploadFile = File(description="CSV or XLSX: lon/lat, x/y (RD New), postcode or city; optional category, year"),
    meta: str = Form(description="META.toml text: id, title, source, licence, year, threshold"),
    postcodes: UploadFile | None = File(None, description="postcode,gemeente_code table for placing by postcode"),
    data: AtlasData = Depends(atlas_data),
) -> dict:
    """Place, count per region and category, withhold small counts; the points themselves are not kept."""
    table = (postcodes.filename or "postcodes.csv", postcodes.file.read()) if postcodes is not None else None
    dataset = import_points(data, file.filename or "points.csv", file.file.read(), parse_points_meta(meta), table)
    return _saved(request, data, dataset)


@router.get("/imports", response_model=schemas.ImportedDatasets)
def imports(request: Request) -> dict:
    """Every imported dataset with its version; the catalogue marks their indicators "imported by the user".
    Unplaced rows are counted, not listed: only the uploader's own answer names them."""
    store = ImportStore(request.app.state.cache_dir)
    datasets = [{**r, "unplaced": [], "unplaced_count": len(r.get("unplaced", []))} for r in store.records()]
    return {"imports_version": store.version(), "datasets": datasets}


@router.delete("/imports/{dataset_id}", status_code=204)
def remove_import(request: Request, dataset_id: str) -> None:
    """Remove an imported dataset and its indicators."""
    ImportStore(request.app.state.cache_dir).remove(dataset_id)
    refresh(request.app.state)
