"""Standalone HTML choropleths (folium) for reports: one file that opens anywhere, also offline.

The map is coloured by the same Classification as tiles and legends, and the legend inside the file
states unit, source and year. Leaflet is inlined from the locally installed npm package and folium's
CDN links are dropped, so the file needs no network when it is opened.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import cast

import folium
import pandas as pd
from branca.element import Element, Figure

from atlas.data import AtlasData
from atlas.errors import DataFolderError
from atlas.render.classify import NO_CLASS, ClassRequest, Classification, classification_for
from atlas.render.layers import layer_frame

SIMPLIFY_M = {"provincie": 200.0, "corop": 150.0, "gemeente": 80.0, "wijk": 20.0}


def _feature_collection(data: AtlasData, classification: Classification) -> dict:
    values = classification.values
    frame = layer_frame(data, values.level, values.boundary_year, [], "EPSG:4326", SIMPLIFY_M[values.level])
    rows = values.frame.set_index("code")
    slots = dict(zip(values.frame["code"], classification.class_index.tolist()))
    peers = int(values.frame["value"].notna().sum())
    features = []
    for code, name, geometry in zip(frame["code"], frame["name"], frame.geometry):
        row = rows.loc[code]
        slot = slots.get(code, NO_CLASS)
        missing = slot == NO_CLASS
        shown = row["text"] if isinstance(row["text"], str) else f"{row['value']:,.6g} {values.indicator.unit}"
        features.append({
            "type": "Feature", "geometry": geometry.__geo_interface__,
            "properties": {
                "code": code, "name": name,
                "shown": f"no data ({row['missing_reason']})" if missing else shown,
                "rank": "" if missing or pd.isna(row["rank"]) else f"{int(row['rank'])} of {peers}",
                "colour": classification.scheme.no_data if missing else classification.colours[slot],
            },
        })
    return {"type": "FeatureCollection", "features": features}


def _legend_html(classification: Classification) -> str:
    legend = classification.legend()
    rows = "".join(
        f'<li><span class="sw" style="background:{e["colour"]}"></span>{html.escape(e["label"])} ({e["count"]})</li>'
        for e in legend["entries"]
    )
    nd = legend["no_data"]
    rows += f'<li><span class="sw" style="background:{nd["colour"]}"></span>no data ({nd["count"]})</li>'
    year = legend["year"] if legend["year"] is not None else "undated"
    return (
        '<div id="atlas-legend" style="position:fixed;bottom:16px;right:16px;z-index:1000;background:#fff;'
        'padding:8px 12px;border:1px solid #999;font:13px sans-serif;max-width:320px">'
        f'<strong>{html.escape(legend["title"]["en"])}</strong><br>{html.escape(legend["unit"])}, '
        f'{html.escape(legend["level"])}, {year}<ul style="list-style:none;padding:0;margin:6px 0">{rows}</ul>'
        f'<small>Method: {legend["method"]}. Source: {html.escape(legend["source"])}</small>'
        '<style>#atlas-legend .sw{display:inline-block;width:14px;height:14px;margin-right:6px;'
        'vertical-align:middle;border:1px solid #666}</style></div>'
    )


def export_map_html(data: AtlasData, indicator_id: str, level: str, year: int | None, request: ClassRequest,
                    leaflet_dir: Path) -> str:
    """The complete HTML document; raises DataFolderError when the local Leaflet package is missing."""
    classification = classification_for(data, indicator_id, level, year, request)
    if not (leaflet_dir / "leaflet.js").is_file():
        raise DataFolderError(f"Leaflet not found in {leaflet_dir}; run `make setup` to install the web packages")
    collection = _feature_collection(data, classification)
    fmap = folium.Map(tiles=None, control_scale=True, prefer_canvas=True)
    fmap.default_js, fmap.default_css = [], []
    root = cast(Figure, fmap.get_root())  # a map's root is always its Figure
    root.header.add_child(Element(f"<style>{(leaflet_dir / 'leaflet.css').read_text()}</style>"), name="leaflet_css")
    root.header.add_child(Element(f"<script>{(leaflet_dir / 'leaflet.js').read_text()}</script>"), name="leaflet_js")
    legend = classification.legend()
    root.title = f"{legend['title']['en']} ({level}, {legend['year']})"
    folium.GeoJson(
        collection, name=legend["title"]["en"],
        style_function=lambda f: {"fillColor": f["properties"]["colour"], "color": "#444444", "weight": 0.5,
                                  "fillOpacity": 0.9},
        tooltip=folium.GeoJsonTooltip(fields=["name", "shown", "rank"], aliases=["Region", "Value", "Rank"]),
    ).add_to(fmap)
    west, south, east, north = (float(v) for v in data.boundaries.get(level, classification.values.boundary_year).total_bounds)
    fmap.fit_bounds([[south, west], [north, east]])
    root.html.add_child(Element(_legend_html(classification)))
    root.html.add_child(Element(
        f'<script type="application/json" id="atlas-meta">{json.dumps(classification.values.meta())}</script>'))
    return root.render()
