"""Layer styles for GIS clients, written from the same Classification as the tiles and the legend: a QGIS
layer style (.qml) and an OGC Styled Layer Descriptor (SLD 1.0), so a downloaded layer opens in QGIS,
ArcGIS or GeoServer with the atlas's colours, class labels and no-data colour.

Both are rule-based on the layer's indicator column (the column a layer download names after the
indicator): one rule per class with the class's bounds as the classification reads them (the first class
includes its lower bound, every other class holds (lower, upper]), or its category; and one rule for
missing values in the no-data colour, so a missing region is shown as missing, not left out.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, SubElement, register_namespace, tostring

from atlas.render.classify import Classification
from atlas.render.rastertiles import BORDER_RGBA
from atlas.render.schemes import hex_to_rgb

SLD_NS = "http://www.opengis.net/sld"
OGC_NS = "http://www.opengis.net/ogc"
register_namespace("sld", SLD_NS)  # the prefixes SLD documents are read with by people
register_namespace("ogc", OGC_NS)
BORDER_HEX = "#{:02x}{:02x}{:02x}".format(*BORDER_RGBA[:3])
BORDER_OPACITY = round(BORDER_RGBA[3] / 255, 2)
OUTLINE_MM = 0.26
Condition = tuple[str, str | float | None]  # (operator, value): ">=", ">", "<=", "=" or "is null"


def style_rules(classification: Classification) -> list[dict]:
    """Each class as (label, colour, condition), then no data; conditions as (operator, value) pairs."""
    column = classification.values.indicator.id
    rules = []
    conditions: list[Condition]
    for i, (label, colour) in enumerate(zip(classification.labels, classification.colours)):
        if classification.bounds:
            lower, upper = classification.bounds[i]
            conditions = [(">=" if i == 0 else ">", float(lower)), ("<=", float(upper))]
        else:
            conditions = [("=", label)]
        rules.append({"label": label, "colour": colour, "column": column, "conditions": conditions})
    rules.append({"label": "no data", "colour": classification.scheme.no_data, "column": column,
                  "conditions": [("is null", None)]})
    return rules


def _qgis_expression(column: str, conditions: list[Condition]) -> str:
    def one(operator: str, value: str | float | None) -> str:
        if operator == "is null":
            return f'"{column}" IS NULL'
        literal = "'" + str(value).replace("'", "''") + "'" if isinstance(value, str) else repr(value)
        return f'"{column}" {operator} {literal}'

    return " AND ".join(one(op, value) for op, value in conditions)


def qml(classification: Classification) -> bytes:
    """A QGIS layer style (QGIS 3 rule-based renderer, symbology only)."""
    root = Element("qgis", {"version": "3.22.0", "styleCategories": "Symbology"})
    renderer = SubElement(root, "renderer-v2", {"type": "RuleRenderer", "symbollevels": "0", "enableorderby": "0",
                                                "forceraster": "0"})
    rules = SubElement(renderer, "rules", {"key": "root"})
    symbols = SubElement(renderer, "symbols")
    for i, rule in enumerate(style_rules(classification)):
        SubElement(rules, "rule", {"key": f"class{i}", "symbol": str(i), "label": rule["label"],
                                   "filter": _qgis_expression(rule["column"], rule["conditions"])})
        symbol = SubElement(symbols, "symbol", {"type": "fill", "name": str(i), "alpha": "1",
                                                "clip_to_extent": "1", "force_rhr": "0"})
        layer = SubElement(symbol, "layer", {"class": "SimpleFill", "enabled": "1", "pass": "0", "locked": "0"})
        options = SubElement(layer, "Option", {"type": "Map"})
        for name, value in (("color", "{},{},{},255".format(*hex_to_rgb(rule["colour"]))),
                            ("outline_color", "{},{},{},{}".format(*BORDER_RGBA)), ("outline_style", "solid"),
                            ("outline_width", str(OUTLINE_MM)), ("outline_width_unit", "MM"), ("style", "solid")):
            SubElement(options, "Option", {"name": name, "type": "QString", "value": value})
    return b"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + tostring(root, encoding="unicode").encode()


def _sld_filter(parent: Element, column: str, conditions: list[Condition]) -> None:
    names = {">=": "PropertyIsGreaterThanOrEqualTo", ">": "PropertyIsGreaterThan", "<=": "PropertyIsLessThanOrEqualTo",
             "=": "PropertyIsEqualTo", "is null": "PropertyIsNull"}
    holder = SubElement(parent, f"{{{OGC_NS}}}Filter")
    if len(conditions) > 1:
        holder = SubElement(holder, f"{{{OGC_NS}}}And")
    for operator, value in conditions:
        test = SubElement(holder, f"{{{OGC_NS}}}{names[operator]}")
        SubElement(test, f"{{{OGC_NS}}}PropertyName").text = column
        if value is not None:
            SubElement(test, f"{{{OGC_NS}}}Literal").text = str(value)


def sld(classification: Classification, layer_name: str) -> bytes:
    """An SLD 1.0 with one rule per class and one for no data."""
    root = Element(f"{{{SLD_NS}}}StyledLayerDescriptor", {"version": "1.0.0"})
    named = SubElement(root, f"{{{SLD_NS}}}NamedLayer")
    SubElement(named, f"{{{SLD_NS}}}Name").text = layer_name
    user = SubElement(named, f"{{{SLD_NS}}}UserStyle")
    legend = classification.legend()
    SubElement(user, f"{{{SLD_NS}}}Title").text = f"{legend['title']['en']} ({legend['unit']}, {legend['year']})"
    feature_style = SubElement(user, f"{{{SLD_NS}}}FeatureTypeStyle")
    for rule in style_rules(classification):
        element = SubElement(feature_style, f"{{{SLD_NS}}}Rule")
        SubElement(element, f"{{{SLD_NS}}}Name").text = rule["label"]
        SubElement(element, f"{{{SLD_NS}}}Title").text = rule["label"]
        _sld_filter(element, rule["column"], rule["conditions"])
        symbolizer = SubElement(element, f"{{{SLD_NS}}}PolygonSymbolizer")
        fill = SubElement(symbolizer, f"{{{SLD_NS}}}Fill")
        SubElement(fill, f"{{{SLD_NS}}}CssParameter", {"name": "fill"}).text = rule["colour"]
        stroke = SubElement(symbolizer, f"{{{SLD_NS}}}Stroke")
        for name, value in (("stroke", BORDER_HEX), ("stroke-opacity", str(BORDER_OPACITY)), ("stroke-width", "1")):
            SubElement(stroke, f"{{{SLD_NS}}}CssParameter", {"name": name}).text = value
    return tostring(root, encoding="utf-8", xml_declaration=True)


STYLE_FORMATS = {"qml": "application/xml", "sld": "application/vnd.ogc.sld+xml"}
