/* Tile pyramids: the choropleth from a PMTiles archive on any static host or CDN, so heavy map traffic needs no
 * Python. `?pyramid=<url of a .png.pmtiles>` names the archive (written by `atlas tiles export`; a host other than
 * the page's must be listed in ATLAS_PYRAMID_ORIGINS and answer range requests with CORS). The npm `pmtiles`
 * package reads its header, metadata and tiles by HTTP range requests. An archive built from other data than the
 * server's is not used.
 *
 * The archive's metadata names the indicator, level, year and classification it was drawn with and carries the
 * server's legend for them. While the page shows exactly that view, tiles and legend come from the archive; any
 * other view (another indicator, year or classification, RD New) falls back to the live tiles, so the page never
 * draws one view's colours under another's legend. A link naming no indicator opens on the archive's view.
 */
(function () {
  "use strict";

  const REQUEST_KEYS = [["year", "year"], ["boundary_year", "boundary"], ["method", "method"], ["classes", "classes"],
    ["scheme", "scheme"], ["log", "log"], ["breaks", "breaks"]];

  window.AtlasPyramid = function (atlas, h) {
    const url = new URLSearchParams(location.search).get("pyramid");
    let archive = null;
    let meta = null;  // the `atlas` block of the archive's metadata
    let attribution = "";
    let zooms = null;
    let layer = null;

    // The archive's classification as the page's classQuery() would spell it.
    function archiveQuery() {
      const q = new URLSearchParams();
      const r = meta.request;
      if (r.year !== null) q.set("year", r.year);
      if (r.boundary_year !== null) q.set("boundary_year", r.boundary_year);
      if (r.method) q.set("method", r.method);
      if (r.classes !== null) q.set("classes", r.classes);
      if (r.scheme) q.set("scheme", r.scheme);
      if (r.log) q.set("log", "true");
      if (r.breaks.length && r.method === "user_defined") q.set("breaks", r.breaks.join(","));
      return q.toString();
    }

    function matches() {
      const s = atlas.state;
      return Boolean(meta) && !AtlasProjection.isRd(s) && s.indicator === meta.indicator && s.level === meta.level &&
        h.classQuery().toString() === archiveQuery();
    }

    // A link without an indicator shows the archive's view rather than the page's default one.
    function adoptView() {
      if (new URLSearchParams(location.search).get("indicator")) return;
      const s = atlas.state;
      Object.assign(s, { indicator: meta.indicator, level: meta.level });
      REQUEST_KEYS.forEach(([key, stateKey]) => {
        const value = meta.request[key];
        if (key === "log") s.log = value ? "1" : "";
        else if (key === "breaks") s.breaks = value.join(",");
        else s[stateKey] = value === null ? "" : String(value);
      });
    }

    async function load() {
      if (!url) return;
      const box = document.getElementById("map");
      try {
        archive = new pmtiles.PMTiles(url);
        const [header, metadata] = await Promise.all([archive.getHeader(), archive.getMetadata()]);
        if (header.tileType !== pmtiles.TileType.Png || !metadata || !metadata.atlas || metadata.atlas.version !== 1) {
          throw new Error("not a PNG choropleth archive written by `atlas tiles export`");
        }
        // hover values, profiles and the table come from the server: an archive of other data would disagree with them
        if (metadata.atlas.data_version !== atlas.config.data_version) {
          throw new Error(`built from data ${metadata.atlas.data_version}, the server has ${atlas.config.data_version}`);
        }
        meta = metadata.atlas;
        attribution = metadata.attribution || "";
        zooms = { min: header.minZoom, max: header.maxZoom };
        adoptView();
        box.dataset.pyramid = "loaded";
      } catch (error) {
        meta = null;
        box.dataset.pyramid = "unavailable";
        console.warn(`tile pyramid ${url} unavailable, drawing live tiles: ${error.message}`);
      }
    }

    // The legend of the view, from the archive when it holds the view, else null (the page asks the API).
    function legend() { return matches() ? meta.legend : null; }

    // Put the archive's layer on the map as atlas.choropleth when it holds the view (true), else take it off (false).
    function draw() {
      if (!matches()) {
        if (layer && atlas.choropleth === layer) { atlas.map.removeLayer(layer); atlas.choropleth = null; }
        return false;
      }
      if (!layer) {
        layer = pmtiles.leafletRasterLayer(archive, { opacity: 0.85, minZoom: atlas.zooms.min, maxZoom: atlas.zooms.max,
          minNativeZoom: zooms.min, maxNativeZoom: zooms.max, attribution });
      }
      if (atlas.choropleth !== layer) {
        if (atlas.choropleth) atlas.map.removeLayer(atlas.choropleth);
        atlas.choropleth = layer.addTo(atlas.map);
      }
      atlas.map.getContainer().dataset.tiles = url;
      return true;
    }

    return { load, legend, draw };
  };
})();
