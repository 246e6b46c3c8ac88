/* The page on a phone (below 760 px): controls start folded away, the legend is a one-line colour ramp that
 * opens into a bottom sheet with all its notes and caveats, and the profile is a bottom sheet over the map,
 * so the map keeps the screen. The map is told of every size change so it refits.
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
      if (atlas.map) atlas.map.invalidateSize();
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

    return { start, toggleControls, decorateLegend, narrow };
  };
})();
