/* The background map (PDOK by default): its switch shows whether it loaded or is unavailable.
 *
 * Offline or blocked, every tile fails; after a few failures with none loaded the layer is removed (no more
 * requests, no credit for a map that is not there) and the switch says "background map unavailable" until
 * the user ticks it again. Without a configured background the switch is not offered at all.
 */
(function () {
  "use strict";

  const GIVE_UP_AFTER = 6;

  window.AtlasBasemap = function (atlas, h) {
    const { t, $ } = h;
    const url = AtlasProjection.baseUrl(atlas.state, atlas.config); // the projection is fixed for the page's life

    function note(state) {
      const box = $("bg-state");
      box.dataset.state = state;
      box.textContent = state === "unavailable" ? t("bgUnavailable") : state === "loaded" ? t("bgLoaded") : "";
      box.hidden = !box.textContent;
    }

    function remove() {
      if (atlas.base) { atlas.map.removeLayer(atlas.base); atlas.base = null; }
    }

    function set() {
      $("bg").closest("label").hidden = !url;
      const want = atlas.state.bg === "1" && Boolean(url);
      $("bg").checked = want;
      if (!want) { remove(); note(""); return; }
      if (atlas.base) return;
      let failed = 0, loaded = 0;
      atlas.base = L.tileLayer(url, { attribution: atlas.config.base_map.attribution, maxZoom: 19 });
      atlas.base.on("tileload", () => { loaded += 1; note("loaded"); });
      atlas.base.on("tileerror", () => {
        failed += 1;
        if (!loaded && failed >= GIVE_UP_AFTER) {
          remove();
          $("bg").checked = false;
          note("unavailable");
        }
      });
      atlas.base.addTo(atlas.map).bringToBack();
    }

    return { set };
  };
})();
