"""Standalone HTML choropleths (folium) for reports: one file that opens anywhere, also offline.

The map is coloured by the same Classification as tiles and legends, and the legend inside the file
states unit, source and year. `within` keeps only an area's regions (a ROM, a province, a COROP region),
framed on that area and still coloured by the national classes, as the page and the publication image do. Leaflet is inlined from the locally installed npm package and folium's
CDN links are dropped, so the file needs no network when it is opened.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from pathlib import Path
from typing import cast

import folium
import pandas as pd
from branca.element import Element, Figure

from atlas.data import AtlasData
from atlas.errors import DataFolderError, InvalidChoice
from atlas.figures.semantics import format_number
from atlas.geography.areas import regions_within
from atlas.render.classify import NO_CLASS, ClassRequest, Classification, classification_for
from atlas.render.export_text import HARMONISED_TEXT, LANGUAGES, TEXT
from atlas.render.layers import layer_frame

SIMPLIFY_M = {"provincie": 200.0, "corop": 150.0, "gemeente": 80.0, "wijk": 20.0}


INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)  # executable inline scripts (not JSON blocks)


def _feature_collection(data: AtlasData, classification: Classification, lang: str,
                        within: str | None) -> tuple[dict, list[float]]:
    """The regions (all, or an area's) as GeoJSON with their tooltip text, and their extent (west, south,
    east, north) to frame the map on."""
    values = classification.values
    frame = layer_frame(data, values.level, values.boundary_year, [], "EPSG:4326", SIMPLIFY_M[values.level])
    if within:
        frame = frame[frame["code"].isin(regions_within(data, values.level, values.boundary_year, within))]
    rows = values.frame.set_index("code")
    slots = dict(zip(values.frame["code"], classification.class_index.tolist()))
    peers = int(values.frame["value"].notna().sum())
    text = TEXT[lang]
    unit = values.indicator.unit_nl if lang == "nl" and values.indicator.unit_nl else values.indicator.unit
    features = []
    for code, name, geometry in zip(frame["code"], frame["name"], frame.geometry):
        row = rows.loc[code]
        slot = slots.get(code, NO_CLASS)
        missing = slot == NO_CLASS
        shown = row["text"] if isinstance(row["text"], str) else (
            f"{format_number(row['value'], values.indicator.decimals, lang)} {unit}")
        features.append({
            "type": "Feature", "geometry": geometry.__geo_interface__,
            "properties": {  # folium's tooltip writes these as HTML: data text is escaped here
                "code": html.escape(code), "name": html.escape(name),
                "shown": html.escape(f"{text['no_data']} ({row['missing_reason']})" if missing else shown),
                "rank": "" if missing or pd.isna(row["rank"]) else f"{int(row['rank'])} {text['of']} {peers}",
                "colour": classification.scheme.no_data if missing else classification.colours[slot],
            },
        })
    return {"type": "FeatureCollection", "features": features}, [float(v) for v in frame.total_bounds]


def class_label(entry: dict, decimals: int, lang: str) -> str:
    if "lower" not in entry:  # a category
        return str(entry["label"])
    low, high = (format_number(entry[k], decimals, lang) for k in ("lower", "upper"))
    return low if low == high else f"{low} – {high}"


def territory_text(legend: dict, lang: str) -> str:
    """Which boundaries the map shows and whether its figures were re-mapped onto them (atlas.figures.values)."""
    text = TEXT[lang]
    shown = text["shown_on"].format(level=legend["level"], by=legend["boundary_year"])
    if not legend["remapped"]:
        return shown
    return shown + "; " + text["remapped"].format(year=legend["year"], vintage=legend["vintage"]["boundary_year"],
                                                  harmonised=HARMONISED_TEXT[lang][legend["harmonised"]])


def _legend_html(classification: Classification, lang: str, area: str) -> str:
    legend = classification.legend()
    text = TEXT[lang]
    decimals = classification.values.indicator.decimals
    rows = "".join(
        f'<li><span class="sw" style="background:{e["colour"]}"></span>'
        f'{html.escape(class_label(e, decimals, lang))} ({e["count"]})</li>'
        for e in legend["entries"]
    )
    nd = legend["no_data"]
    rows += f'<li><span class="sw" style="background:{nd["colour"]}"></span>{text["no_data"]} ({nd["count"]})</li>'
    year = legend["year"] if legend["year"] is not None else text["undated"]
    unit = legend.get("unit_text", {}).get(lang) or legend["unit"]
    return (
        f'<div id="atlas-legend" lang="{lang}" style="position:fixed;bottom:16px;right:16px;z-index:1000;'
        'background:#fff;padding:8px 12px;border:1px solid #999;font:13px sans-serif;max-width:320px">'
        f'<strong>{html.escape(legend["title"][lang])}</strong><br>{html.escape(unit)}, '
        f'{html.escape(legend["level"])}, {year}<ul style="list-style:none;padding:0;margin:6px 0">{rows}</ul>'
        f'<small id="atlas-territory">{html.escape(territory_text(legend, lang))}</small><br>'
        f'{area}'
        f'<small>{text["method"]}: {html.escape(legend["method"])}. {text["source"]}: '
        f'<span lang="en">{html.escape(legend["source"])}</span></small>'
        '<style>#atlas-legend .sw{display:inline-block;width:14px;height:14px;margin-right:6px;'
        'vertical-align:middle;border:1px solid #666}</style></div>'
    )


def export_map_html(data: AtlasData, indicator_id: str, level: str, year: int | None, request: ClassRequest,
                    leaflet_dir: Path, lang: str = "nl", boundary_year: int | None = None,
                    within: str | None = None) -> str:
    """The complete HTML document in Dutch (default) or English, on the boundaries asked for, of the whole
    country or only the area `within` (as /api/v1/areas names it); raises InvalidChoice for an unknown area
    and DataFolderError when the local Leaflet package is missing."""
    if lang not in TEXT:
        raise InvalidChoice("lang", lang, LANGUAGES)
    classification = classification_for(data, indicator_id, level, year, request, boundary_year)
    if not (leaflet_dir / "leaflet.js").is_file():
        raise DataFolderError(f"Leaflet not found in {leaflet_dir}; run `make setup` to install the web packages")
    collection, (west, south, east, north) = _feature_collection(data, classification, lang, within)
    fmap = folium.Map(tiles=None, control_scale=True, prefer_canvas=True)
    fmap.default_js, fmap.default_css = [], []
    root = cast(Figure, fmap.get_root())  # a map's root is always its Figure
    root.header.add_child(Element(f"<style>{(leaflet_dir / 'leaflet.css').read_text()}</style>"), name="leaflet_css")
    root.header.add_child(Element(f"<script>{(leaflet_dir / 'leaflet.js').read_text()}</script>"), name="leaflet_js")
    legend = classification.legend()
    text = TEXT[lang]
    root.title = f"{legend['title'][lang]} ({level}, {legend['year']}{', ' + within if within else ''})"
    area = (f'<small id="atlas-area">{html.escape(text["area"].format(area=within, count=len(collection["features"])))}'
            '</small><br>') if within else ""
    folium.GeoJson(
        collection, name=legend["title"][lang],
        style_function=lambda f: {"fillColor": f["properties"]["colour"], "color": "#444444", "weight": 0.5,
                                  "fillOpacity": 0.9},
        tooltip=folium.GeoJsonTooltip(fields=["name", "shown", "rank"], aliases=[text["region"], text["value"], text["rank"]]),
    ).add_to(fmap)
    fmap.fit_bounds([[south, west], [north, east]])
    root.html.add_child(Element(_legend_html(classification, lang, area)))
    meta = json.dumps(classification.values.meta()).replace("<", "\\u003c")  # no `</script>` out of data text
    root.html.add_child(Element(f'<script type="application/json" id="atlas-meta">{meta}</script>'))
    document = root.render().replace("<html>", f'<html lang="{lang}">', 1)  # screen readers read it in its own language
    return with_policy(document)


def content_policy(document: str) -> str:
    """A Content-Security-Policy that runs the document's own inline scripts (by their SHA-256) and nothing
    else: no script written into the page by data (an `onerror` attribute, an injected tag) can run."""
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'"
                      for body in INLINE_SCRIPT.findall(document))
    return (f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; img-src data:; "
            "base-uri 'none'; form-action 'none'")


def with_policy(document: str) -> str:
    """The document with its policy as a meta element, so a saved copy keeps the protection it was served with."""
    meta = f'<meta http-equiv="Content-Security-Policy" content="{content_policy(document)}">'
    return document.replace("<head>", f"<head>\n    {meta}", 1)
