"""TileJSON 3.0.0 documents for the choropleth tile sets, carrying the legend they are drawn with."""

from __future__ import annotations

from atlas.data import AtlasData
from atlas.render.classify import Classification
from atlas.render.tilegrid import bounds_wgs84

VECTOR_FIELDS = {
    "code": "CBS region code", "name": "Region name", "value": "Indicator value (absent when missing)",
    "unit": "Unit of the value", "rank": "Rank among regions, 1 is the best (direction-aware); absent when too few regions have a value",
    "text": "Category or note", "qualifier": "Comma-separated qualifier codes (approx, at_least, at_most, provisional, year_inferred)",
    "class": "Class index in the legend, -1 for no data", "label": "Class label", "colour": "Class colour",
    "missing_reason": "Why the value is missing",
}


def tilejson(data: AtlasData, classification: Classification, tile_url: str, tile_format: str,
             min_zoom: int, max_zoom: int) -> dict:
    """``tile_url`` is the absolute URL template with {z}/{x}/{y}; the server decides how it is spelled."""
    legend = classification.legend()
    west, south, east, north = bounds_wgs84(data)
    summary = "; ".join(f"{e['label']}: {e['colour']}" for e in legend["entries"])
    document = {
        "tilejson": "3.0.0",
        "name": f"{legend['title']['en']} ({legend['level']}, {legend['year'] or 'undated'})",
        "description": legend["definition"],
        "version": "1.0.0",
        "attribution": f"{legend['source']}; boundaries: CBS / Kadaster (PDOK)",
        "scheme": "xyz",
        "tiles": [tile_url],
        "minzoom": min_zoom,
        "maxzoom": max_zoom,
        "bounds": [west, south, east, north],
        "center": [round((west + east) / 2, 5), round((south + north) / 2, 5), max(min_zoom, min(7, max_zoom))],
        "legend": f"{legend['title']['en']} [{legend['unit']}] — {summary}; no data: {legend['no_data']['colour']}",
        "format": tile_format,
        "atlas_legend": legend,
    }
    if tile_format == "mvt":
        document["vector_layers"] = [{"id": legend["level"], "fields": VECTOR_FIELDS, "minzoom": min_zoom,
                                      "maxzoom": max_zoom, "description": legend["title"]["en"]}]
    return document
