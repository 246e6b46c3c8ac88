/* Hover, click and the selection outlines from the atlas's own vector tiles (MVT, Leaflet.VectorGrid).
 *
 * The page used to download a whole level as GeoJSON to catch the mouse (1.3 MB gzipped for wijken, 10 s
 * before hover worked) and drew the outline from a 100 m simplification that missed the tile borders at
 * z11+. The vector tiles are the ones the server cuts for the map itself, so only the tiles in view are
 * fetched and an outline follows exactly the geometry the map is coloured from. Works in Web Mercator
 * (/api/v1/tiles ... .mvt) and in RD New (the OGC API - Tiles NetherlandsRDNewQuad vector tiles): the plugin
 * places a tile's features by their tile-local coordinates, so any tile grid of the map's CRS will do.
 *
 * Every shape is transparent; its outline says selected (red), compared (dashed blue) or hovered (black),
 * and a region outside the chosen area is paled with white (area.js decides which are inside).
 */
(function () {
  "use strict";

  const RD = "NetherlandsRDNewQuad";
  const SELECTED = { weight: 3, opacity: 1, color: "#d62728", dashArray: null };
  const COMPARED = { weight: 3, opacity: 1, color: "#1f4e9c", dashArray: "6 4" };
  const HOVERED = { weight: 2, opacity: 1, color: "#000", dashArray: null };
  const PLAIN = { weight: 0, opacity: 0, color: "#000", dashArray: null };

  window.AtlasHover = function (atlas, h) {
    const { api, hoverText, select } = h;
    let layer = null;
    let key = "";
    let hovered = "";
    let hoveredName = "";
    let marked = ""; // a region pointed at elsewhere (a dot in an analysis chart), outlined as if hovered
    let shown = { region: "", compare: "" }; // the outlines drawn last, to undo them
    const seen = new Set(); // codes of the features in the tiles loaded so far
    const extents = new Map(); // region extents asked for, by feature URL (a few per visit)
    const tip = L.tooltip({ sticky: true, className: "hover", direction: "auto", offset: [12, 0] });

    function style(props) {
      const code = props.code;
      const outline = code === atlas.state.region ? SELECTED : code === atlas.state.compare ? COMPARED
        : code === hovered || code === marked ? HOVERED : PLAIN;
      const fillOpacity = atlas.area.contains(code) ? 0 : 0.6; // outside the chosen area: paled
      return { ...outline, fill: true, fillColor: "#ffffff", fillOpacity, stroke: true, interactive: true };
    }

    // Style the given regions again from the page's state (the plugin keeps the style for tiles still to come).
    function restyle(codes) {
      if (!layer) return;
      codes.forEach((code) => { if (code && seen.has(code)) layer.setFeatureStyle(code, style); });
    }

    function tileUrl(legend) {
      const q = new URLSearchParams({ indicator: atlas.state.indicator });
      if (legend.year !== null && legend.year !== undefined) q.set("year", legend.year);
      if (AtlasProjection.isRd(atlas.state)) {
        return `/ogc/collections/${atlas.state.level}_${legend.boundary_year}/tiles/${RD}/{z}/{y}/{x}?${q}`;
      }
      q.set("boundary_year", legend.boundary_year);
      q.set("v", atlas.config.data_version.slice(0, 12));
      return `/api/v1/tiles/${atlas.state.level}/${atlas.state.indicator}/{z}/{x}/{y}.mvt?${q}`;
    }

    // Each shape names its region (data-code) and stays out of the Tab order; the codes are remembered for restyle.
    // The plugin keeps a tile's shapes by feature id only internally (_vectorTiles, _features): web/package.json
    // pins its version, so these names cannot change under the page.
    function tagTile(event) {
      const tile = layer._vectorTiles[layer._tileCoordsToKey(event.coords)];
      if (!tile) return;
      Object.entries(tile._features).forEach(([code, data]) => {
        seen.add(code);
        const path = data.feature._path;
        if (path) { path.dataset.code = code; path.setAttribute("focusable", "false"); }
      });
    }

    function over(event) {
      const p = event.layer.properties;
      const before = hovered;
      hovered = p.code;
      hoveredName = p.name;
      restyle([before, hovered]);
      tip.setContent(hoverText(p.code, p.name));
      tip.setLatLng(event.latlng);
      if (!atlas.map.hasLayer(tip)) atlas.map.openTooltip(tip);
      atlas.map.getContainer().dataset.hovered = `${key.split("/")[0]}/${p.code}`;
    }

    /** The open tooltip written again (the level's values arrived after the mouse came to rest). */
    function retip() {
      if (hovered && atlas.map.hasLayer(tip)) tip.setContent(hoverText(hovered, hoveredName));
    }

    function out(event) {
      if (event.layer.properties.code !== hovered) return;
      const before = hovered;
      hovered = "";
      restyle([before]);
      atlas.map.closeTooltip(tip);
    }

    /** The layer for the page's level on the legend's boundary year; kept while only the indicator changes. */
    function load(legend) {
      const next = `${atlas.state.level}/${legend.boundary_year}/${AtlasProjection.isRd(atlas.state) ? "rd" : "wm"}`;
      if (next === key) return;
      if (layer) atlas.map.removeLayer(layer);
      atlas.map.closeTooltip(tip);
      key = next;
      hovered = "";
      seen.clear();
      layer = L.vectorGrid.protobuf(tileUrl(legend), {
        pane: "hit", interactive: true, minZoom: atlas.zooms.min, maxZoom: atlas.zooms.max,
        getFeatureId: (f) => f.properties.code,
        vectorTileLayerStyles: { [atlas.state.level]: style },
      });
      layer.on("tileload", tagTile);
      layer.on("mouseover", over);
      layer.on("mousemove", (e) => tip.setLatLng(e.latlng));
      layer.on("mouseout", out);
      layer.on("click", (e) => { atlas.a11y.choosing(null); select(e.layer.properties.code); });
      const ready = `${atlas.state.level}/${legend.boundary_year}`;
      // said once the tiles in view have arrived, so a test or benchmark hovering then gets an answer
      const grid = layer;
      grid.once("load", () => { if (layer === grid) atlas.map.getContainer().dataset.hitLayer = ready; });
      layer.addTo(atlas.map);
      atlas.a11y.untab();
    }

    // The selected region in red, the compared one dashed in blue, so both stand out on any class colour.
    function highlight() {
      restyle([shown.region, shown.compare, atlas.state.region, atlas.state.compare]);
      shown = { region: atlas.state.region, compare: atlas.state.compare };
    }

    function mark(code) {
      const before = marked;
      marked = code || "";
      restyle([before, marked]);
    }

    /** Every region styled again, after the area changed. */
    function restyleAll() { restyle([...seen]); }

    function collection() {
      const [level, year] = key.split("/");
      return `/ogc/collections/${level}_${year}/items`;
    }

    /** A region's extent, from its one feature (OGC API - Features), for zooming to a searched region. */
    async function bounds(code) {
      const url = `${collection()}/${encodeURIComponent(code)}?f=json`;
      if (!extents.has(url)) extents.set(url, api(url).then((feature) => L.geoJSON(feature).getBounds()));
      return extents.get(url).catch((error) => { extents.delete(url); throw error; });
    }

    /** Where to write the values on a thinly covered layer (display "labels"): the centre of each region's
     *  box, from the simplified level; fetched only for such a layer, never for hover. */
    async function anchors() {
      const [level, year] = key.split("/");
      const simplify = atlas.config.levels.find((lv) => lv.level === level).hover_simplify_m;
      const geo = await api(`/api/v1/layers/${level}?year=${year}&simplify=${simplify}`);
      return geo.features.map((f) => ({ code: f.properties.code, latlng: L.geoJSON(f).getBounds().getCenter() }));
    }

    /** A point (page coordinates) inside a region's drawn shape, or null while none of its tiles is shown:
     *  sampled over the shape's box, nearest to its centre, and checked to be the shape the mouse would hit. */
    function pointOf(code) {
      const paths = [...atlas.map.getPane("hit").querySelectorAll(`path[data-code="${CSS.escape(code)}"]`)];
      const candidates = [];
      paths.forEach((path) => {
        const box = path.getBBox();
        const matrix = path.getScreenCTM();
        for (let i = 1; i < 12; i += 1) {
          for (let j = 1; j < 12; j += 1) {
            const local = new DOMPoint(box.x + (box.width * i) / 12, box.y + (box.height * j) / 12);
            if (!path.isPointInFill(local)) continue;
            const at = local.matrixTransform(matrix);
            const d = Math.hypot(i - 6, j - 6);
            candidates.push({ x: at.x, y: at.y, d });
          }
        }
      });
      candidates.sort((a, b) => a.d - b.d);
      const hit = candidates.find((c) => {
        const el = document.elementFromPoint(c.x, c.y);
        return el && el.dataset && el.dataset.code === code;
      });
      return hit ? [hit.x, hit.y] : null;
    }

    return { load, retip, highlight, mark, restyleAll, bounds, anchors, pointOf, key: () => key };
  };
})();
