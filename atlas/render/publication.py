"""Publication images of a choropleth: PNG (1x to 3x) and SVG for a policy note, in a fixed padded frame.

The frame holds the title, a subtitle with unit, level and year, the map of the whole country or one area
(RD New, the Dutch national projection), a legend with bordered swatches (pale classes stay visible on
paper), the full source line, the territory and the export date. The legend is put where no land lies
under it (a corner of the map over open sea), or below the map when no corner is free. Colours come from
the same Classification as the tiles and the legend, so a printed map matches the web map.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import numpy as np
import shapely
from PIL import Image, ImageDraw, ImageFont
from PIL.PngImagePlugin import PngInfo
from affine import Affine
from rasterio.features import rasterize

from atlas.data import AtlasData
from atlas.errors import InvalidChoice
from atlas.geography.areas import regions_within
from atlas.render.classify import ClassRequest, Classification, classification_for
from atlas.render.export_html import TEXT, class_label, territory_text
from atlas.render.rastertiles import palette_slots
from atlas.render.schemes import hex_to_rgb

FORMATS = {"png": "image/png", "svg": "image/svg+xml"}
SCALES = (1, 2, 3)
WIDTH, MARGIN, MAP_MAX_H = 900, 28, 960
TITLE_PX, SUB_PX, TEXT_PX, SMALL_PX = 24, 16, 14, 12
SWATCH, ROW = 16, 22
INK, MUTED, BORDER, OUTSIDE, SEA = "#1a1a1a", "#4a4a4a", "#282828", "#e4e4e4", "#ffffff"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
EXPORTED = {"nl": "Geëxporteerd op {date} uit Innovation Atlas NL", "en": "Exported on {date} from Innovation Atlas NL"}
LEVEL_TEXT = {"nl": {"provincie": "provincie", "corop": "COROP-regio", "gemeente": "gemeente", "wijk": "wijk"},
              "en": {"provincie": "province", "corop": "COROP region", "gemeente": "municipality", "wijk": "district"}}


def _font(px: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu where the system has it (Debian's fonts-dejavu), else Pillow's own scalable font."""
    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    return ImageFont.truetype(str(path), px) if path.exists() else ImageFont.load_default(px)


def _wrap(text: str, px: int, width: float, bold: bool = False) -> list[str]:
    """Lines of at most `width` pixels: the whole text is kept, never cut off."""
    font = _font(px, bold)
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and font.getlength(candidate) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines


@dataclass
class Text:
    x: float
    y: float  # top of the line
    text: str
    px: int
    bold: bool = False
    colour: str = INK


@dataclass
class Layout:
    """Everything placed in the frame, in 1x pixels; both writers draw from it."""

    width: float
    height: float
    map_box: tuple[float, float, float, float]  # x, y, width, height
    transform: Affine  # RD New metres to 1x frame pixels
    texts: list[Text] = field(default_factory=list)
    legend_box: tuple[float, float, float, float] = (0, 0, 0, 0)
    swatches: list[tuple[float, float, str]] = field(default_factory=list)
    title: str = ""
    source: str = ""


def _legend_lines(classification: Classification, lang: str) -> tuple[str, list[tuple[str, str]]]:
    legend = classification.legend()
    decimals = classification.values.indicator.decimals
    rows = [(e["colour"], f"{class_label(e, decimals, lang)} ({e['count']})") for e in legend["entries"]]
    rows.append((legend["no_data"]["colour"], f"{TEXT[lang]['no_data']} ({legend['no_data']['count']})"))
    unit = (legend.get("unit_text") or {}).get(lang) or legend["unit"]
    return unit, rows


def _free_corner(land: np.ndarray, box_w: float, box_h: float, map_box: tuple[float, float, float, float]) -> tuple[float, float] | None:
    """Top-left of the first map corner whose box covers no land pixel (north-west first: the North Sea)."""
    x0, y0, w, h = map_box
    inset = 8
    corners = [(x0 + inset, y0 + inset), (x0 + w - box_w - inset, y0 + inset),
               (x0 + inset, y0 + h - box_h - inset), (x0 + w - box_w - inset, y0 + h - box_h - inset)]
    for cx, cy in corners:
        rows = slice(max(0, int(cy - y0) - 2), int(cy - y0 + box_h) + 3)
        cols = slice(max(0, int(cx - x0) - 2), int(cx - x0 + box_w) + 3)
        if cx >= x0 and cy >= y0 and not land[rows, cols].any():
            return cx, cy
    return None


def layout(data: AtlasData, classification: Classification, within: str | None, lang: str, today: dt.date) -> tuple[Layout, dict]:
    """Place title, map, legend and footer; returns the layout and the geometry needed to draw the map."""
    legend = classification.legend()
    level, year = legend["level"], legend["boundary_year"]
    layer = data.boundaries.get(level, year)
    rd = layer["geom_rd"].to_numpy()
    codes = layer["code"].to_numpy()
    inside = np.ones(len(codes), bool) if not within else np.isin(codes, list(regions_within(data, level, year, within)))
    minx, miny, maxx, maxy = shapely.total_bounds(rd[inside])
    pad = 0.05 * max(maxx - minx, maxy - miny)
    minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
    inner_w = WIDTH - 2 * MARGIN
    scale = min(inner_w / (maxx - minx), MAP_MAX_H / (maxy - miny))
    map_w, map_h = (maxx - minx) * scale, (maxy - miny) * scale

    title = legend["title"][lang]
    texts, y = [], float(MARGIN)
    for line in _wrap(title, TITLE_PX, inner_w, bold=True):
        texts.append(Text(MARGIN, y, line, TITLE_PX, bold=True))
        y += TITLE_PX * 1.3
    unit, rows = _legend_lines(classification, lang)
    subtitle = f"{unit} · {LEVEL_TEXT[lang][level]} · {legend['year'] if legend['year'] is not None else TEXT[lang]['undated']}"
    for line in _wrap(subtitle, SUB_PX, inner_w):
        texts.append(Text(MARGIN, y + 2, line, SUB_PX, colour=MUTED))
        y += SUB_PX * 1.4
    y += 10
    map_box = (MARGIN + (inner_w - map_w) / 2, y, map_w, map_h)
    transform = Affine(scale, 0, map_box[0] - minx * scale, 0, -scale, y + maxy * scale)

    legend_w = 12 + max(SWATCH + 8 + _font(TEXT_PX).getlength(label) for _, label in rows) + 12
    legend_w = max(legend_w, 12 + _font(TEXT_PX, True).getlength(unit) + 12)
    legend_h = 12 + TEXT_PX * 1.4 + ROW * len(rows) + 6
    land_frame = Affine.translation(-map_box[0], -map_box[1]) * transform
    land = rasterize(((g, 1) for g in rd), out_shape=(int(map_h) + 1, int(map_w) + 1), transform=~land_frame,
                     fill=0, dtype="uint8") > 0
    corner = _free_corner(land, legend_w, legend_h, map_box)
    y = map_box[1] + map_h + 12
    if corner is None:  # no open sea large enough: the legend goes below the map
        corner = (MARGIN, y)
        y += legend_h + 12
    lx, ly = corner
    swatches = []
    texts.append(Text(lx + 12, ly + 10, unit, TEXT_PX, bold=True))
    for i, (colour, label) in enumerate(rows):
        top = ly + 12 + TEXT_PX * 1.4 + i * ROW
        swatches.append((lx + 12, top, colour))
        texts.append(Text(lx + 12 + SWATCH + 8, top, label, TEXT_PX))

    source = f"{TEXT[lang]['source']}: {legend['source']}, {legend['year'] if legend['year'] is not None else ''}".rstrip(", ")
    footer = [source, territory_text(legend, lang), EXPORTED[lang].format(date=today.isoformat())]
    for block in footer:
        for line in _wrap(block, SMALL_PX, inner_w):
            texts.append(Text(MARGIN, y, line, SMALL_PX, colour=MUTED))
            y += SMALL_PX * 1.45
        y += 2
    frame = Layout(WIDTH, y + MARGIN - 8, map_box, transform, texts, (lx, ly, legend_w, legend_h), swatches, title, source)
    return frame, {"geometries": rd, "codes": codes, "inside": inside}


def _colours(classification: Classification, codes: np.ndarray, inside: np.ndarray) -> list[str]:
    slots = palette_slots(classification, codes)
    palette = [classification.scheme.no_data, *classification.colours]
    return [palette[s - 2] if keep else OUTSIDE for s, keep in zip(slots, inside)]


def _png(frame: Layout, geometry: dict, colours: list[str], scale: int, lang: str, today: dt.date) -> bytes:
    width, height = int(round(frame.width * scale)), int(round(frame.height * scale))
    pixel = Affine.scale(scale) * frame.transform
    ids = rasterize(zip(geometry["geometries"], range(1, len(colours) + 1)), out_shape=(height, width),
                    transform=~pixel, fill=0, dtype="uint16")
    mx, my, mw, mh = (int(round(v * scale)) for v in frame.map_box)
    clip = np.ones(ids.shape, bool)
    clip[my:my + mh, mx:mx + mw] = False
    ids[clip] = 0  # the frame around the map stays clear for title and footer
    lookup = np.array([hex_to_rgb(SEA)] + [hex_to_rgb(c) for c in colours], dtype=np.uint8)
    pixels = lookup[ids]
    edge = np.zeros(ids.shape, bool)
    edge[:, :-1] |= ids[:, :-1] != ids[:, 1:]
    edge[:-1, :] |= ids[:-1, :] != ids[1:, :]
    pixels[edge] = (pixels[edge] * 0.45 + np.array(hex_to_rgb(BORDER)) * 0.55).astype(np.uint8)
    image = Image.fromarray(pixels, "RGB")
    draw = ImageDraw.Draw(image)
    lx, ly, lw, lh = (v * scale for v in frame.legend_box)
    draw.rectangle([lx, ly, lx + lw, ly + lh], fill="#ffffff", outline="#9a9a9a", width=scale)
    for x, y, colour in frame.swatches:
        draw.rectangle([x * scale, y * scale, (x + SWATCH) * scale, (y + SWATCH - 2) * scale], fill=colour,
                       outline=BORDER, width=scale)
    for t in frame.texts:
        draw.text((t.x * scale, t.y * scale), t.text, fill=t.colour, font=_font(t.px * scale, t.bold))
    info = PngInfo()
    info.add_text("Title", frame.title)
    info.add_text("Source", frame.source)
    info.add_text("Creation Time", today.isoformat())
    info.add_text("Software", "Innovation Atlas NL")
    info.add_text("atlas:legend-box-rd", json.dumps(_box_rd(frame)))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", pnginfo=info, dpi=(96 * scale, 96 * scale), optimize=False)
    return buffer.getvalue()


def _box_rd(frame: Layout) -> list[float]:
    """The legend's box in RD New metres, so a reader (or a test) can check it against the land."""
    x, y, w, h = frame.legend_box
    back = ~frame.transform
    (x0, y0), (x1, y1) = back * (x, y + h), back * (x + w, y)
    return [round(v, 1) for v in (x0, y0, x1, y1)]


def _path(geometry, transform: Affine) -> str:
    parts = []
    for polygon in getattr(geometry, "geoms", [geometry]):
        for ring in [polygon.exterior, *polygon.interiors]:
            xy = np.asarray(ring.coords)[:, :2]
            px = xy[:, 0] * transform.a + transform.c
            py = xy[:, 1] * transform.e + transform.f
            parts.append("M" + "L".join(f"{a:.1f},{b:.1f}" for a, b in zip(px, py)) + "Z")
    return "".join(parts)


def _svg(frame: Layout, geometry: dict, colours: list[str], lang: str) -> bytes:
    tolerance = 0.5 / frame.transform.a  # half a pixel, in metres
    shapes = shapely.simplify(geometry["geometries"], tolerance, preserve_topology=True)
    paths = "".join(f'<path d="{_path(g, frame.transform)}" fill="{c}"/>' for g, c in zip(shapes, colours) if not g.is_empty)
    lx, ly, lw, lh = frame.legend_box
    mx, my, mw, mh = frame.map_box
    swatches = "".join(f'<rect x="{x:.1f}" y="{y:.1f}" width="{SWATCH}" height="{SWATCH - 2}" fill="{c}" stroke="{BORDER}"/>'
                       for x, y, c in frame.swatches)
    weight = {True: ' font-weight="bold"', False: ""}
    texts = "".join(f'<text x="{t.x:.1f}" y="{t.y + t.px * 0.85:.1f}" font-size="{t.px}" fill="{t.colour}"'
                    f'{weight[t.bold]}>{escape(t.text)}</text>' for t in frame.texts)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" lang="{lang}" width="{frame.width:.0f}" height="{frame.height:.0f}" '
           f'viewBox="0 0 {frame.width:.1f} {frame.height:.1f}" font-family="DejaVu Sans, Verdana, sans-serif">'
           f'<title>{escape(frame.title)}</title><desc>{escape(frame.source)}</desc>'
           f'<rect width="100%" height="100%" fill="{SEA}"/>'
           f'<clipPath id="map-box"><rect x="{mx:.1f}" y="{my:.1f}" width="{mw:.1f}" height="{mh:.1f}"/></clipPath>'
           f'<g clip-path="url(#map-box)" stroke="{BORDER}" stroke-width="0.4" stroke-opacity="0.6" '
           f'stroke-linejoin="round">{paths}</g>'
           f'<rect x="{lx:.1f}" y="{ly:.1f}" width="{lw:.1f}" height="{lh:.1f}" fill="#ffffff" stroke="#9a9a9a"/>'
           f'{swatches}{texts}</svg>')
    return svg.encode()


def publication_image(data: AtlasData, indicator_id: str, level: str, year: int | None, request: ClassRequest,
                      boundary_year: int | None, fmt: str, scale: int = 2, within: str | None = None,
                      lang: str = "nl", today: dt.date | None = None) -> bytes:
    """A PNG (at `scale` times 900 px wide) or an SVG of one indicator's map, ready for a report."""
    if fmt not in FORMATS:
        raise InvalidChoice("format", fmt, list(FORMATS))
    if scale not in SCALES:
        raise InvalidChoice("scale", scale, list(SCALES))
    if lang not in TEXT:
        raise InvalidChoice("lang", lang, list(TEXT))
    today = today or dt.date.today()
    classification = classification_for(data, indicator_id, level, year, request, boundary_year)
    frame, geometry = layout(data, classification, within, lang, today)
    colours = _colours(classification, geometry["codes"], geometry["inside"])
    if fmt == "svg":
        return _svg(frame, geometry, colours, lang)
    return _png(frame, geometry, colours, scale, lang, today)
