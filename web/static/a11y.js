/* Keyboard and screen-reader use of the map page (WCAG 2.1 AA, required of Dutch public bodies).
 *
 * The invisible region shapes stay out of the Tab order (the table and the search reach every region);
 * choosing a region from the search or the table moves focus to the profile's heading, Esc closes the
 * profile and returns focus where the user was, and a short live message says what happened instead of
 * reading the whole profile aloud. Errors appear next to the control that caused them.
 */
(function () {
  "use strict";

  window.AtlasA11y = function (atlas, h) {
    const { $, t } = h;
    let opener = null; // the control focus returns to when the profile closes
    let opening = false; // a region was just chosen: say so once its profile is shown

    // The invisible region shapes are hidden from screen readers and no Tab stops (hover.js marks each
    // shape focusable=false); every region is reachable through the search and the table.
    function untab() {
      atlas.map.getPane("hit").setAttribute("aria-hidden", "true");
    }

    // Called when a region is chosen; from the keyboard (search, table) focus will move to the profile.
    function choosing(element) {
      opener = element && element !== document.body ? element : null;
      opening = true;
    }

    function profileShown(name) {
      if (!opening) return;
      opening = false;
      const heading = document.querySelector("#profile .profile-name");
      if (opener && heading) heading.focus();
      h.announce(t("profileOpened").replace("{name}", name));
    }

    function profileClosed() {
      const back = opener;
      opener = null;
      if (back && document.contains(back)) back.focus();
      h.announce(t("profileClosed"));
    }

    // A message beside the control that caused it, tied to it by aria-describedby and aria-invalid.
    function fieldError(control, message) {
      const box = $(control.id + "-error");
      box.textContent = message || "";
      box.hidden = !message;
      if (message) { control.setAttribute("aria-invalid", "true"); control.setAttribute("aria-describedby", box.id); }
      else { control.removeAttribute("aria-invalid"); control.removeAttribute("aria-describedby"); }
    }

    function bind(close) {
      document.addEventListener("keydown", (e) => {
        if (e.key === "Escape" && !$("profile").hidden) { e.preventDefault(); close(); }
      });
      // skip links focus their target (following a fragment alone does not focus a form control)
      document.querySelectorAll("a.skip").forEach((a) => a.addEventListener("click", (e) => {
        const target = document.querySelector(a.getAttribute("href"));
        if (target) { e.preventDefault(); target.focus(); }
      }));
    }

    return { untab, choosing, profileShown, profileClosed, fieldError, bind };
  };
})();
