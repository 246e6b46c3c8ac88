"""QGIS as a client of a running atlas: run by Debian's /usr/bin/python3 (python3-qgis), headless
(QT_QPA_PLATFORM=offscreen), never imported by pytest. tests/qgis/test_qgis.py calls it once per check:

    qgis_client.py COMMAND BASE_URL OUT_DIR X_RD Y_RD [ARGS...]

Each command loads one kind of atlas layer the way a QGIS user would, renders a 256 x 256 px map centred
on the RD New point (X_RD, Y_RD) to OUT_DIR/COMMAND.png and prints one JSON line with what QGIS saw.
The test, not this script, decides whether the centre pixel has the legend colour.
"""

from __future__ import annotations

import json
import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path

from osgeo import gdal, ogr
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor
from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsDataSourceUri,
    QgsFillSymbol,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsPointXY,
    QgsProject,
    QgsProperty,
    QgsRasterLayer,
    QgsRectangle,
    QgsRuleBasedRenderer,
    QgsSymbolLayer,
    QgsVectorLayer,
    QgsVectorTileBasicRenderer,
    QgsVectorTileBasicRendererStyle,
    QgsVectorTileLayer,
    QgsWkbTypes,
)

SIZE = 256
RD_NEW = QgsCoordinateReferenceSystem("EPSG:28992")
WEB_MERCATOR = QgsCoordinateReferenceSystem("EPSG:3857")


def render(layer, crs: QgsCoordinateReferenceSystem, centre_rd: tuple[float, float], half_width: float,
           path: Path) -> None:
    """A SIZE x SIZE px image of `layer` centred on an RD New point, `half_width` CRS units either side."""
    centre = QgsCoordinateTransform(RD_NEW, crs, QgsProject.instance()).transform(QgsPointXY(*centre_rd))
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(crs)
    settings.setOutputSize(QSize(SIZE, SIZE))
    settings.setBackgroundColor(QColor(255, 255, 255, 0))
    settings.setExtent(QgsRectangle(centre.x() - half_width, centre.y() - half_width,
                                    centre.x() + half_width, centre.y() + half_width))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    job.renderedImage().save(str(path), "PNG")


def features(base: str, out: Path, centre: tuple[float, float], collection: str, code: str, colour: str) -> dict:
    """GDAL's OAPIF driver lists the collections; QGIS's OAPIF provider loads one and draws `code` in `colour`."""
    listed = ogr.Open(f"OAPIF:{base}/ogc")
    names = [listed.GetLayer(i).GetName() for i in range(listed.GetLayerCount())]
    uri = QgsDataSourceUri()
    uri.setParam("url", f"{base}/ogc")
    uri.setParam("typename", collection)
    layer = QgsVectorLayer(uri.uri(False), collection, "OAPIF")
    renderer = QgsRuleBasedRenderer(QgsFillSymbol.createSimple({"color": "0,0,0,0", "outline_style": "no"}))
    root = renderer.rootRule()
    root.removeChildAt(0)
    root.appendChild(QgsRuleBasedRenderer.Rule(QgsFillSymbol.createSimple({"color": colour, "outline_style": "no"}),
                                               filterExp=f"\"code\" = '{code}'"))
    layer.setRenderer(renderer)
    render(layer, RD_NEW, centre, 15000, out / "features.png")
    return {"collections": names, "valid": layer.isValid(), "features": layer.featureCount(),
            "crs": layer.crs().authid(), "fields": layer.fields().names()}


def vector_tiles(base: str, out: Path, centre: tuple[float, float], collection: str) -> dict:
    """The collection's WebMercatorQuad vector tiles as an XYZ vector tile layer, filled with each feature's
    own `colour` property (the legend colour the server put in the tile)."""
    uri = QgsDataSourceUri()
    uri.setParam("type", "xyz")
    uri.setParam("url", f"{base}/ogc/collections/{collection}/tiles/WebMercatorQuad/{{z}}/{{y}}/{{x}}")
    uri.setParam("zmin", "4")
    uri.setParam("zmax", "12")
    layer = QgsVectorTileLayer(bytes(uri.encodedUri()).decode(), collection)
    symbol = QgsFillSymbol.createSimple({"outline_style": "no"})
    symbol.symbolLayer(0).setDataDefinedProperty(QgsSymbolLayer.PropertyFillColor, QgsProperty.fromField("colour"))
    style = QgsVectorTileBasicRendererStyle("choropleth", collection.rsplit("_", 1)[0], QgsWkbTypes.PolygonGeometry)
    style.setSymbol(symbol)
    renderer = QgsVectorTileBasicRenderer()
    renderer.setStyles([style])
    layer.setRenderer(renderer)
    render(layer, WEB_MERCATOR, centre, 20000, out / "vector_tiles.png")
    return {"valid": layer.isValid(), "crs": layer.crs().authid()}


def rd_map_tiles(base: str, out: Path, centre: tuple[float, float], collection: str) -> dict:
    """The collection's NetherlandsRDNewQuad PNG tiles, found through the OGC API - Tiles documents and read
    by GDAL's tiled WMS driver (QGIS 3.22's own tile layers know only Web Mercator)."""
    tileset = json.load(urllib.request.urlopen(f"{base}/ogc/collections/{collection}/map/tiles/NetherlandsRDNewQuad"))
    template = next(link["href"] for link in tileset["links"] if link["rel"] == "item")
    scheme = next(link["href"] for link in tileset["links"] if link["rel"].endswith("/tiling-scheme"))
    tms = json.load(urllib.request.urlopen(scheme))
    top = max(int(limit["tileMatrix"]) for limit in tileset["tileMatrixSetLimits"])
    matrix = tms["tileMatrices"][0]
    left, upper = matrix["pointOfOrigin"]
    span = matrix["cellSize"] * matrix["tileWidth"] * matrix["matrixWidth"]
    url = template.replace("{tileMatrix}", "${z}").replace("{tileRow}", "${y}").replace("{tileCol}", "${x}")
    xml = (f"<GDAL_WMS><Service name=\"TMS\"><ServerUrl>{url}</ServerUrl></Service><DataWindow>"
           f"<UpperLeftX>{left}</UpperLeftX><UpperLeftY>{upper}</UpperLeftY><LowerRightX>{left + span}</LowerRightX>"
           f"<LowerRightY>{upper - span}</LowerRightY><TileLevel>{top}</TileLevel><TileCountX>1</TileCountX>"
           f"<TileCountY>1</TileCountY><YOrigin>top</YOrigin></DataWindow><Projection>{tms['crs']}</Projection>"
           f"<BlockSizeX>{matrix['tileWidth']}</BlockSizeX><BlockSizeY>{matrix['tileHeight']}</BlockSizeY>"
           "<BandsCount>4</BandsCount></GDAL_WMS>")  # no <Cache/>: every run asks the server
    path = out / "rd_new_tiles.xml"
    path.write_text(xml)
    layer = QgsRasterLayer(str(path), "RD New tiles", "gdal")
    render(layer, RD_NEW, centre, 128 * 107.52, out / "rd_map_tiles.png")  # 107.52 m per pixel: PDOK level 5
    return {"valid": layer.isValid(), "crs": layer.crs().authid(), "levels": top + 1}


def geopackage(base: str, out: Path, centre: tuple[float, float], layer_url: str, style_url: str) -> dict:
    """A downloaded GeoPackage opened with the downloaded .qml beside it (same name), as a user would."""
    gpkg, qml = out / "layer.gpkg", out / "layer.qml"
    gpkg.write_bytes(urllib.request.urlopen(base + layer_url).read())
    qml.write_bytes(urllib.request.urlopen(base + style_url).read())
    layer = QgsVectorLayer(str(gpkg), "layer", "ogr")
    message, loaded = layer.loadDefaultStyle()
    render(layer, RD_NEW, centre, 15000, out / "geopackage.png")
    return {"valid": layer.isValid(), "features": layer.featureCount(), "crs": layer.crs().authid(),
            "style_loaded": loaded, "style_message": message, "renderer": layer.renderer().type(),
            "rules": [r.label() for r in layer.renderer().rootRule().children()]}


def oapif_paging(base: str, collection: str, page_size: str) -> dict:
    """GDAL's OAPIF driver reads every feature of a collection, page by page."""
    source = gdal.OpenEx(f"OAPIF:{base}/ogc/collections/{collection}", gdal.OF_VECTOR,
                        open_options=[f"PAGE_SIZE={page_size}"])
    layer = source.GetLayer(0)
    codes = [feature.GetField("code") for feature in layer]
    return {"features": len(codes), "distinct": len(set(codes)), "crs": layer.GetSpatialRef().GetAuthorityCode(None)}


COMMANDS: dict[str, Callable[..., dict]] = {"features": features, "vector_tiles": vector_tiles, "rd_map_tiles": rd_map_tiles, "geopackage": geopackage}


def main() -> None:
    command, base, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    if command == "oapif_paging":
        print(json.dumps(oapif_paging(base, *sys.argv[4:])))
        return
    centre = (float(sys.argv[4]), float(sys.argv[5]))
    app = QgsApplication([], False)
    app.initQgis()
    try:
        result = COMMANDS[command](base, out, centre, *sys.argv[6:])
        print(json.dumps({"qgis": Qgis.version(), **result}))
    finally:
        app.exitQgis()


if __name__ == "__main__":
    main()
