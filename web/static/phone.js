/* The page on a phone (below 760 px): controls start folded away, the legend is a one-line colour ramp that
 * opens into a bottom sheet with all its notes and caveats, and the profile is a bottom sheet over the map,
 * so the map keeps the screen. The map is told of every size change and keeps the chosen region in the part
 * of it that no panel covers (on a desktop the profile lies beside the map, which narrows instead).
 */
(function () {
  "use strict";

  const NARROW = "(max-width: 760px)";

  window.AtlasPhone = function (atlas, h) {
    const { t, $ } = h;
    const narrow = () => window.matchMedia(NARROW).matches;

    function setControls(open) {
      $("controls").classList.toggle("collapsed", !open);
      $("menu").setAttribute("aria-expanded", String(open));
      if (atlas.map) keepInView(atlas.state.region);
    }

    // Pixels at the map's right and bottom edges hidden under what lies over it: the phone's profile sheet
    // (bottom) and the legend in its corner, counted as a strip on whichever side leaves more map free.
    function covered() {
      const m = atlas.map.getContainer().getBoundingClientRect();
      const over = (el) => {
        if (!el || el.hidden || !el.getClientRects().length) return null;
        const r = el.getBoundingClientRect();
        return r.left < m.right && r.right > m.left && r.top < m.bottom && r.bottom > m.top ? r : null;
      };
      const edges = { right: 0, bottom: 0 };
      const sheet = over($("profile"));
      if (sheet) edges.bottom = Math.max(0, m.bottom - sheet.top);
      const legend = over($("legend"));
      if (legend) {
        const right = m.right - legend.left, bottom = m.bottom - legend.top;
        if ((m.width - right) * m.height >= m.width * (m.height - bottom)) edges.right = Math.max(edges.right, right);
        else edges.bottom = Math.max(edges.bottom, bottom);
      }
      return edges;
    }

    /** After a panel opened or closed: the map takes its new size and the region (with the compared one)
     *  stays in the part no panel covers, panned (or zoomed out) only when it is not there already;
     *  `closeUp` frames it anew, as a search does. */
    async function keepInView(code, closeUp) {
      atlas.map.invalidateSize();
      if (!code) return;
      const codes = [code, closeUp ? "" : atlas.state.compare].filter(Boolean);
      let bounds;
      try {
        const all = await Promise.all(codes.map((c) => atlas.hover.bounds(c)));
        bounds = all.reduce((a, b) => L.latLngBounds(a.getSouthWest(), a.getNorthEast()).extend(b));
      } catch (error) { return; } // a region of a level just left
      if (code !== atlas.state.region) return; // another region was chosen meanwhile
      atlas.map.invalidateSize();
      const edges = covered();
      const size = atlas.map.getSize();
      const pad = closeUp ? 60 : 16;
      if (!closeUp) {
        const nw = atlas.map.latLngToContainerPoint(bounds.getNorthWest());
        const se = atlas.map.latLngToContainerPoint(bounds.getSouthEast());
        if (nw.x >= 0 && nw.y >= 0 && se.x <= size.x - edges.right && se.y <= size.y - edges.bottom) return;
      }
      // never closer than z10 (the surroundings stay in view), and never closer than now when only keeping it
      atlas.map.fitBounds(bounds, { paddingTopLeft: [pad, pad], paddingBottomRight: [pad + edges.right, pad + edges.bottom],
        maxZoom: closeUp ? 10 : atlas.map.getZoom(), animate: false });
      atlas.map.getContainer().dataset.framed = code;
    }

    function start() { if (narrow()) setControls(false); }

    function toggleControls() { setControls($("controls").classList.contains("collapsed")); }

    // A button with the ramp opens and closes the full legend; on a wide screen it is not shown.
    function decorateLegend(legend) {
      const box = $("legend");
      const ramp = legend.entries.map((e) => `<span style="background:${e.colour}"></span>`).join("");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "legend-toggle";
      button.setAttribute("aria-expanded", String(box.classList.contains("expanded")));
      button.innerHTML = `<span class="mini-ramp" aria-hidden="true">${ramp}</span><span>${h.esc(t("legend"))}</span>`;
      button.addEventListener("click", () => {
        const open = box.classList.toggle("expanded");
        button.setAttribute("aria-expanded", String(open));
      });
      box.prepend(button);
    }

    return { start, toggleControls, decorateLegend, narrow, keepInView };
  };
})();
