/* The page's projection: Web Mercator (Leaflet's own, the default) or RD New (EPSG:28992), the Dutch
 * national grid that planners' maps and PDOK's background use.
 *
 * In RD New the map is a Proj4Leaflet CRS built from the server's own NetherlandsRDNewQuad definition
 * (/ogc/tileMatrixSets/NetherlandsRDNewQuad: origin and cell sizes exactly as PDOK publishes them), so
 * the atlas's OGC API - Tiles map tiles and PDOK's BRT background line up tile for tile. Leaflet cannot
 * change a map's CRS in place, so app.js reloads the page with `crs=rd` in the permalink.
 */
(function () {
  "use strict";

  const RD = "NetherlandsRDNewQuad";
  // EPSG:28992 with the datum shift to WGS84 (the EPSG dataset's 7-parameter transformation)
  const RD_PROJ4 = "+proj=sterea +lat_0=52.15616055555555 +lon_0=5.38763888888889 +k=0.9999079 +x_0=155000 " +
    "+y_0=463000 +ellps=bessel +towgs84=565.417,50.3319,465.552,-0.398957,0.343988,-1.8774,4.0725 +units=m +no_defs";

  function isRd(state) { return state.crs === "rd"; }

  async function rdCrs(config) {
    const response = await fetch(config.tile_matrix_sets[RD].href, { headers: { Accept: "application/json" } });
    const tms = await response.json();
    const first = tms.tileMatrices[0];
    const [left, top] = first.pointOfOrigin;
    const span = first.cellSize * first.tileWidth * first.matrixWidth;
    return new L.Proj.CRS("EPSG:28992", RD_PROJ4, {
      origin: [left, top], resolutions: tms.tileMatrices.map((m) => m.cellSize),
      bounds: L.bounds([left, top - span], [left + span, top]),
    });
  }

  // Zoom levels of the map and its choropleth tiles: the server's range per tile matrix set. The page keeps
  // Web Mercator within 5..14 as before; RD New's levels are about 5 lower for the same ground resolution.
  function zooms(state, config) {
    if (!isRd(state)) return { min: Math.max(config.min_zoom, 5), max: Math.min(config.max_zoom, 14) };
    const rd = config.tile_matrix_sets[RD];
    return { min: rd.min_zoom, max: Math.min(rd.max_zoom, 9) };
  }

  window.AtlasProjection = {
    isRd,
    zooms,
    /** Options for L.map: the CRS (RD New only) and the zoom range. */
    async mapOptions(state, config) {
      const z = zooms(state, config);
      const options = { minZoom: z.min, maxZoom: z.max };
      if (isRd(state)) options.crs = await rdCrs(config);
      return options;
    },
    /** The background map's URL in the page's projection ("" for none). */
    baseUrl(state, config) { return isRd(state) ? config.base_map.url_rd : config.base_map.url; },
    /** RD New choropleth tiles from OGC API - Tiles: the collection is the level on the legend's boundary year;
     *  `query` holds the classification parameters (boundary_year is the collection's, so it is left out). */
    rdTileUrl(state, legend, query) {
      const q = new URLSearchParams(query);
      q.delete("boundary_year");
      q.set("indicator", state.indicator);
      if (legend.year !== null && legend.year !== undefined) q.set("year", legend.year);
      return `/ogc/collections/${state.level}_${legend.boundary_year}/map/tiles/${RD}/{z}/{y}/{x}?${q}`;
    },
  };
})();
