/* The area a planner works on: the whole country, a province, a ROM's area or a COROP region.
 *
 * Choosing one zooms the map to it, pales the regions outside it, keeps only its regions in the table and
 * passes `within=` to the downloads and the link. The list and the meaning of each id come from the API
 * (/api/v1/areas), the same vocabulary as its `within=` filter.
 */
(function () {
  "use strict";

  const KIND_ORDER = ["rom", "provincie", "corop"];

  window.AtlasArea = function (atlas, h) {
    const { t, api, $ } = h;
    let list = [];
    let inside = null; // codes of the current level inside the area; null for the whole country

    function chosen() { return list.find((a) => a.id === atlas.state.area) || null; }

    async function load() {
      list = (await api("/api/v1/areas")).areas;
      if (atlas.state.area && !chosen()) atlas.state.area = "";
    }

    function fill() {
      const select = $("area");
      const country = new Option(t("areaCountry"), "", false, !atlas.state.area);
      const groups = KIND_ORDER.map((kind) => {
        const group = document.createElement("optgroup");
        group.label = t("areaKind_" + kind);
        list.filter((a) => a.kind === kind).forEach((a) => group.append(new Option(a.name, a.id, false, a.id === atlas.state.area)));
        return group;
      });
      select.replaceChildren(country, ...groups);
    }

    // The frame a view of the area starts from: its extent with room around it, never closer than z10.
    function bounds() {
      const extent = (chosen() || { extent: atlas.config.bounds }).extent;
      const [w, s, e, n] = extent;
      return L.latLngBounds([[s, w], [n, e]]);
    }

    function frame() { atlas.map.fitBounds(bounds(), { padding: [16, 16], maxZoom: 10 }); }

    // Which regions of the current level lie inside: asked of the API, so its meaning of "BOM" is the page's.
    async function loadInside(query) {
      if (!atlas.state.area) { inside = null; return null; }
      const q = new URLSearchParams(query);
      q.set("within", atlas.state.area);
      const body = await api(`/api/v1/indicators/${atlas.state.indicator}/values?${q}`);
      inside = new Set(body.values.map((v) => v.code));
      return body;
    }

    // the region shapes (hover.js) ask contains() for their fill: outside the area paled with white
    function dim() {
      if (atlas.hover) atlas.hover.restyleAll();
      atlas.map.getContainer().dataset.area = atlas.state.area || "";
    }

    function query() { return atlas.state.area ? `&within=${encodeURIComponent(atlas.state.area)}` : ""; }

    function name() { const a = chosen(); return a ? a.name : ""; }

    return { load, fill, frame, loadInside, dim, query, name, contains: (code) => !inside || inside.has(code) };
  };
})();
