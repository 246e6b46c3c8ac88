/* History and links: Back and Forward step through the views a user chose, and "Copy link" writes a clean one.
 *
 * A change of indicator, level, year, region or area is a new history entry (pushState); panning, zooming
 * and other settings only replace the current entry, so Back never walks through every map move. The
 * copied link holds only the parameters that differ from the page's defaults, and the view as the chosen
 * area or as the bounds on screen, not the stale centre and zoom of the address bar.
 */
(function () {
  "use strict";

  const STEPS = ["indicator", "level", "year", "region", "area"];
  const VIEW = ["lat", "lng", "z", "bounds"];
  const DEFAULTS = { bg: "1" };

  window.AtlasShare = function (atlas, h) {
    const { t, $ } = h;

    function step(state) { return STEPS.map((k) => state[k] || "").join("|"); }

    function query(keys, state) {
      const q = new URLSearchParams();
      keys.forEach((k) => { if (state[k] && state[k] !== DEFAULTS[k]) q.set(k, state[k]); });
      return q;
    }

    // A new entry when the view the user chose changed, the same entry otherwise.
    function write(keys) {
      const s = atlas.state;
      const q = query(keys.filter((k) => k !== "bounds"), s);
      if (s.bg && s.bg !== DEFAULTS.bg) q.set("bg", s.bg);
      const entry = { step: step(s) };
      const url = "?" + q.toString();
      if (history.state && history.state.step !== entry.step) history.pushState(entry, "", url);
      else history.replaceState(entry, "", url);
    }

    function permalink(keys) {
      const s = atlas.state;
      const q = query(keys.filter((k) => !VIEW.includes(k)), s);
      if (!s.area) {
        const b = atlas.map.getBounds();
        q.set("bounds", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(4)).join(","));
      }
      return `${location.origin}${location.pathname}?${q}`;
    }

    // The link is shown in a field beside the button as well, so it can be copied where the clipboard is refused.
    async function copy(keys) {
      const link = permalink(keys);
      const field = $("share-link");
      field.value = link;
      field.hidden = false;
      try {
        await navigator.clipboard.writeText(link);
        h.announce(t("linkCopied"));
      } catch (error) {
        field.select();
      }
    }

    // Bounds from a copied link frame the map once; after that the view travels as centre and zoom.
    function initialBounds() {
      const parts = (atlas.state.bounds || "").split(",").map(Number);
      atlas.state.bounds = "";
      if (parts.length !== 4 || parts.some((v) => !Number.isFinite(v))) return null;
      return L.latLngBounds([[parts[1], parts[0]], [parts[3], parts[2]]]);
    }

    return { write, permalink, copy, initialBounds };
  };
})();
