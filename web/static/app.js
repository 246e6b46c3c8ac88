/* Innovation Atlas NL web page: a Leaflet choropleth driven entirely by the atlas API.
 *
 * The map colours come from server-rendered PNG tiles; transparent vector tiles of the same regions
 * (hover.js) catch hover and click. Legend, tiles and hover values come from one classification on the server,
 * so they always agree. The whole view lives in the URL so that a link reproduces it.
 */
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const STATE_KEYS = ["lang", "indicator", "level", "year", "boundary", "method", "classes", "scheme", "log", "breaks",
    "region", "compare", "area", "lat", "lng", "z", "bounds", "bg", "overlays", "topsector", "ntop", "ncolour", "crs",
    "analysis", "pyramid"];
  const DEFAULT_INDICATOR = "pct_higher_educated_15_75";
  const SOURCE_SHORT = 70; // characters of a source line shown before "…"

  const atlas = {
    state: {}, config: null, indicators: [], schemes: [], methods: [], map: null, choropleth: null,
    base: null, hover: null, values: {}, legend: null, ov: null, regions: [],
  };

  // ---------- helpers ----------
  function t(key) { return (ATLAS_TEXT[atlas.state.lang] || ATLAS_TEXT.nl)[key] || key; }

  function status(message) { $("status").textContent = message; }

  // A short message for screen readers ("Profile of Eindhoven opened"), instead of reading whole panels aloud.
  function announce(message) {
    const region = $("announce");
    region.textContent = "";
    setTimeout(() => { region.textContent = message; }, 50);
  }

  async function api(path) {
    const response = await fetch(path, { headers: { Accept: "application/json" } });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(body.detail || response.statusText);
      error.body = body;
      throw error;
    }
    return body;
  }

  function esc(text) {
    return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  // Numbers in the page's language (nl-NL: 3.000 and 2,79; en: 3,000 and 2.79) at the indicator's
  // published precision: a Dutch reader must never read "3,000" as three.
  function num(value, decimals) {
    const locale = atlas.state.lang === "en" ? "en-GB" : "nl-NL";
    const d = decimals ?? 2;
    return Number(value).toLocaleString(locale, { minimumFractionDigits: d, maximumFractionDigits: d });
  }

  // Text the catalogue has only in English is marked so, for screen readers and for honesty.
  function textIn(texts, fallback) {
    const lang = atlas.state.lang;
    const own = texts && texts[lang];
    if (own && (own.length === undefined || own.length)) return esc(own);
    const english = (texts && texts.en) || fallback || "";
    return lang === "en" ? esc(english) : `<span lang="en">${esc(english)}</span>`;
  }

  function enText(text) {
    return atlas.state.lang === "en" ? esc(text) : `<span lang="en">${esc(text)}</span>`;
  }

  function qualifierText(codes) {
    if (!codes || !atlas.qualifiers) return "";
    return codes.split(",").map((c) => (atlas.qualifiers[c] || { nl: c, en: c })[atlas.state.lang]).join(", ");
  }

  // "circa 1.500 mln euro (ten minste, jaar afgeleid)": the qualifier travels with the number, as HTML.
  function fmt(value, unitHtml, decimals, qualifier) {
    if (value === null || value === undefined || Number.isNaN(value)) return esc(t("nodata"));
    const q = qualifierText(qualifier);
    return esc(num(value, decimals)) + (unitHtml ? " " + unitHtml : "") + (q ? ` <span class="qualifier">(${esc(q)})</span>` : "");
  }

  const MISSING_NL = [
    [/^no value for this region in the source \((\w+)\)$/, "geen waarde voor deze regio in de bron ($1)"],
    [/^no value for this region in the source$/, "geen waarde voor deze regio in de bron"],
    [/^withheld: fewer than (\d+) inhabitants \(disclosure rule\)$/, "niet getoond: minder dan $1 inwoners (geheimhoudingsregel)"],
    [/^blank in source: not published by CBS for this region.*$/, "leeg in de bron: niet gepubliceerd door CBS voor deze regio"],
    [/^(\d+) of (\d+) (\w+) regions have no value$/, "$1 van $2 regio's ($3) zonder waarde"],
    [/^no member regions$/, "geen onderliggende regio's"],
  ];

  function missingText(reason) {
    if (!reason) return "";
    if (atlas.state.lang === "en") return esc(reason);
    const hit = MISSING_NL.find(([pattern]) => pattern.test(reason));
    return hit ? esc(reason.replace(hit[0], hit[1])) : enText(reason);
  }

  function indicator() { return atlas.indicators.find((i) => i.id === atlas.state.indicator); }

  function classQuery() {
    const s = atlas.state;
    const q = new URLSearchParams();
    if (s.year) q.set("year", s.year);
    if (s.boundary) q.set("boundary_year", s.boundary);
    if (s.method) q.set("method", s.method);
    if (s.classes) q.set("classes", s.classes);
    if (s.scheme) q.set("scheme", s.scheme);
    if (s.log === "1") q.set("log", "true");
    if (s.breaks && s.method === "user_defined") q.set("breaks", s.breaks);
    return q;
  }

  // ---------- URL state ----------
  function readState() {
    const q = new URLSearchParams(location.search);
    const s = {};
    STATE_KEYS.forEach((k) => { s[k] = q.get(k) || ""; });
    if (!["nl", "en"].includes(s.lang)) s.lang = (navigator.language || "nl").startsWith("nl") ? "nl" : "en";
    s.indicator = s.indicator || DEFAULT_INDICATOR;
    s.bg = s.bg || "1";
    atlas.state = Object.assign(atlas.state, s); // one object throughout, so handlers bound to it see Back's state
  }

  function writeState(replace) {
    if (replace) history.replaceState({}, "");
    atlas.share.write(STATE_KEYS);
  }

  // ---------- controls ----------
  function fillSelect(select, options, selected) {
    select.replaceChildren(...options.map(([value, label, group]) => {
      const option = new Option(label, value, false, value === selected);
      if (group) option.dataset.group = group;
      return option;
    }));
  }

  // Themes in the API's deliberate order (R&D and innovation first); near-duplicates hidden behind their
  // best series and indicators without any year never offered. Each option says its latest year and coverage.
  function offered(i) {
    const dated = Object.values(i.years_by_level).some((years) => years.length);
    return dated && (!i.see_instead || i.id === atlas.state.indicator);
  }

  function pickerLabel(i) {
    const levels = Object.keys(i.latest_coverage);
    const finest = i.latest_coverage[levels[levels.length - 1]];
    if (!finest) return i.title[atlas.state.lang];
    const levelName = t("level_" + finest.level).toLowerCase();
    return `${i.title[atlas.state.lang]} (${finest.year}; ${finest.regions_with_value}/${finest.regions} ${levelName})`;
  }

  function fillIndicators() {
    const select = $("indicator");
    const themes = new Map();
    atlas.indicators.filter(offered).forEach((i) => { if (!themes.has(i.theme)) themes.set(i.theme, []); themes.get(i.theme).push(i); });
    select.replaceChildren(...[...themes.entries()].map(([theme, list]) => {
      const group = document.createElement("optgroup");
      group.label = t("theme_" + theme);
      list.forEach((i) => group.append(new Option(pickerLabel(i), i.id, false, i.id === atlas.state.indicator)));
      return group;
    }));
  }

  function fillIndicatorDependent() {
    const s = atlas.state;
    let ind = indicator();
    if (!ind || !ind.map_levels.length) { s.indicator = DEFAULT_INDICATOR; ind = indicator(); }
    fillExtra();
    $("definition").innerHTML = textIn(ind.definition_text, ind.definition);
    if (!ind.map_levels.includes(s.level)) s.level = ind.map_levels.includes("gemeente") ? "gemeente" : ind.map_levels[ind.map_levels.length - 1];
    fillSelect($("level"), ind.map_levels.map((lv) => [lv, t("level_" + lv)]), s.level);
    const years = ind.years_by_level[s.level] || [];
    const slider = $("year");
    if (years.length) {
      if (!years.includes(Number(s.year))) s.year = String(years[years.length - 1]);
      slider.min = 0; slider.max = years.length - 1; slider.value = years.indexOf(Number(s.year));
      slider.disabled = years.length < 2;
      slider.setAttribute("aria-valuetext", s.year);
      $("year-out").textContent = s.year;
      $("year-range").textContent = years.length > 1 ? `${t("years")}: ${years.join(", ")}` : `${t("onlyYear")} ${years[0]}`;
    } else {
      s.year = ""; slider.disabled = true; $("year-out").textContent = "—"; $("year-range").textContent = "";
    }
    slider.dataset.years = JSON.stringify(years);
    const held = atlas.config.boundary_years[s.level] || [];
    if (s.boundary && !held.includes(Number(s.boundary))) s.boundary = "";
    fillSelect($("boundary-year"), [["", t("ownBoundaries")], ...held.map((y) => [String(y), String(y)])], s.boundary);
    const category = ind.kind === "category";
    const methods = category ? ["categories"] : atlas.methods.filter((m) => m !== "categories");
    if (s.method && !methods.includes(s.method)) s.method = "";
    fillSelect($("method"), [["", `${t("method_" + (category ? "categories" : ind.default_classification))} (${t("default")})`],
      ...methods.map((m) => [m, t("method_" + m)])], s.method);
    const schemeName = s.scheme || ind.default_scheme;
    const scheme = atlas.schemes.find((x) => x.name === schemeName) || atlas.schemes[0];
    fillSelect($("scheme"), [["", `${ind.default_scheme} (${t("default")})`], ...atlas.schemes.map((x) =>
      [x.name, `${x.name} — ${x.kind}${x.colourblind_safe ? ", " + t("cbSafe") : ""}`])], s.scheme);
    const counts = [];
    for (let k = 2; k <= scheme.max_classes; k += 1) counts.push([String(k), String(k)]);
    if (s.classes && Number(s.classes) > scheme.max_classes) s.classes = "";
    fillSelect($("classes"), [["", `5 (${t("default")})`], ...counts], s.classes);
    $("classes").disabled = category;
    $("log").checked = s.log === "1";
    $("log").disabled = category;
    showBreaks();
  }

  // Indicators a download may carry besides the mapped one: those with values at the mapped level.
  function fillExtra() {
    const select = $("download-extra");
    const kept = new Set([...select.selectedOptions].map((o) => o.value));
    select.replaceChildren(...atlas.indicators.filter((i) => offered(i) && i.id !== atlas.state.indicator &&
      i.map_levels.includes(atlas.state.level)).map((i) => new Option(i.title[atlas.state.lang], i.id, false, kept.has(i.id))));
  }

  // Own class limits are typed inline beside the method, kept editable, and a refusal is shown right there.
  function showBreaks() {
    const own = atlas.state.method === "user_defined";
    $("breaks-box").hidden = !own;
    if (own && document.activeElement !== $("breaks")) $("breaks").value = atlas.state.breaks;
  }

  function showError(error) {
    const body = error.body || {};
    if (body.parameter === "breaks") {
      atlas.a11y.fieldError($("breaks"), `${t("error")}: ${error.message}`);
      showBreaks();
    } else {
      $("error").textContent = `${t("error")}: ${error.message}`;
      $("error").hidden = false;
    }
    status(`${t("error")}: ${error.message}`);
  }

  // ---------- map ----------
  async function setupMap() {
    const c = atlas.config;
    const [w, s, e, n] = c.bounds;
    atlas.zooms = AtlasProjection.zooms(atlas.state, c);  // Web Mercator or RD New (projection.js)
    atlas.map = L.map("map", { ...await AtlasProjection.mapOptions(atlas.state, c), zoomSnap: 1,
      maxBounds: [[s - 2, w - 3], [n + 2, e + 3]], keyboard: true });
    atlas.map.getContainer().dataset.crs = AtlasProjection.isRd(atlas.state) ? "EPSG:28992" : "EPSG:3857";
    if (atlas.state.lat && atlas.state.lng && atlas.state.z) {
      atlas.map.setView([Number(atlas.state.lat), Number(atlas.state.lng)], Number(atlas.state.z));
    } else {
      const bounds = atlas.share.initialBounds();
      if (bounds) atlas.map.fitBounds(bounds); else atlas.area.frame();
    }
    atlas.map.createPane("hit").style.zIndex = 450;
    atlas.ov = AtlasOverlays(atlas, { t, esc, num, api, $, fillSelect, enText });
    atlas.ov.panes();  // overlays above the hit pane, so their own tooltips answer the mouse
    atlas.map.on("moveend", () => {
      const centre = atlas.map.getCenter();
      Object.assign(atlas.state, { lat: centre.lat.toFixed(4), lng: centre.lng.toFixed(4), z: String(atlas.map.getZoom()) });
      writeState();
    });
    atlas.legendControl = L.control({ position: "bottomright" });
    atlas.legendControl.onAdd = () => {
      const div = L.DomUtil.create("div", "legend");
      div.id = "legend";
      div.setAttribute("role", "group");
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    atlas.legendControl.addTo(atlas.map);
    setBackground();
  }

  function setBackground() { atlas.basemap.set(); }

  function tileUrl() {
    const q = classQuery();
    q.set("v", atlas.config.data_version.slice(0, 12));
    if (AtlasProjection.isRd(atlas.state)) return AtlasProjection.rdTileUrl(atlas.state, atlas.legend, q);
    return `/api/v1/tiles/${atlas.state.level}/${atlas.state.indicator}/{z}/{x}/{y}{r}.png?${q}`;
  }

  // A layer where too few regions have a value is not a map: the values are written on the regions that
  // have them, with "1 of 40 COROP regions has a value" on the map, instead of a choropleth.
  function setDisplay(legend) {
    const labels = legend.display === "labels";
    if (labels && atlas.choropleth) { atlas.map.removeLayer(atlas.choropleth); atlas.choropleth = null; }
    if (!labels) setChoropleth();
    atlas.map.getContainer().dataset.display = legend.display;
    const note = $("coverage-note");
    note.hidden = !labels;
    note.textContent = labels ? legend.coverage_sentence[atlas.state.lang] : "";
  }

  async function drawValueLabels() {
    if (atlas.labels) { atlas.map.removeLayer(atlas.labels); atlas.labels = null; }
    if (!atlas.legend || atlas.legend.display !== "labels") return;
    const markers = [];
    (await atlas.hover.anchors()).forEach(({ code, latlng }) => {
      const v = atlas.values[code];
      if (!v || (v.value === null && !v.text)) return;
      const shown = v.text ? categoryText(v.text) : fmt(v.value, unitHtml(atlas.legend), atlas.legend.precision, v.qualifier);
      markers.push(L.marker(latlng, { interactive: false, keyboard: false, icon: L.divIcon({
        className: "value-label", html: `<strong>${esc(v.name)}</strong><br>${shown}`, iconSize: null }) }));
    });
    if (atlas.labels) atlas.map.removeLayer(atlas.labels);
    atlas.labels = L.layerGroup(markers).addTo(atlas.map);
  }

  function setChoropleth() {
    if (atlas.pyramid.draw()) return;  // the view comes from a tile pyramid (pyramid.js)
    const url = tileUrl();
    if (atlas.choropleth) {
      atlas.choropleth.setUrl(url);
    } else {
      atlas.choropleth = L.tileLayer(url, { opacity: 0.85, minZoom: atlas.zooms.min, maxZoom: atlas.zooms.max,
        attribution: "CBS, Rathenau Instituut e.a. — zie legenda" }).addTo(atlas.map);
    }
    atlas.map.getContainer().dataset.tiles = url;
  }

  // ---------- legend ----------
  function unitHtml(meta) { return textIn(meta.unit_text, meta.unit); }

  function categoryText(category) {
    const lg = atlas.legend;
    const entry = lg && lg.entries.find((e) => e.label === category);
    return entry && entry.label_text ? textIn(entry.label_text) : enText(category);
  }

  // Class labels are written here, from the numeric limits, so they follow the page's language.
  function classLabel(e, legend) {
    if (e.label_text) return textIn(e.label_text);
    if (e.lower === undefined) return enText(e.label);
    const d = legend.precision;
    return e.lower === e.upper ? esc(num(e.upper, d)) : `${esc(num(e.lower, d))} – ${esc(num(e.upper, d))}`;
  }

  // Where the national reference falls on the ramp, as a share of its width (class by class).
  function referencePosition(legend) {
    const ref = legend.reference;
    if (!ref || ref.value === null || !legend.entries.length || legend.entries[0].lower === undefined) return null;
    const n = legend.entries.length;
    const i = legend.entries.findIndex((e) => ref.value <= e.upper);
    if (i < 0) return 1;
    const e = legend.entries[i];
    const within = e.upper > e.lower ? Math.min(1, Math.max(0, (ref.value - e.lower) / (e.upper - e.lower))) : 0.5;
    return (i + within) / n;
  }

  function referenceHtml(ref, unit, decimals) {
    if (!ref || ref.value === null) return "";
    const where = ref.basis === "median" ? `${esc(ref.label[atlas.state.lang])} (${esc(ref.regions)})` : esc(ref.label[atlas.state.lang]);
    return `${esc(t("national"))}: ${fmt(ref.value, unit, decimals, ref.qualifier)} <small>(${where})</small>`;
  }

  function renderLegend(legend) {
    const L_ = legend;
    const lang = atlas.state.lang;
    const year = L_.year ?? "—";
    const unit = unitHtml(L_);
    const rows = L_.entries.map((e) => `<li><span class="swatch" style="background:${e.colour}"></span>` +
      `<span class="class-label">${classLabel(e, L_)}</span> <span class="count">(${esc(num(e.count, 0))})</span></li>`).join("");
    const nd = `<li><span class="swatch" style="background:${L_.no_data.colour}"></span><span>${t("nodata")}</span> <span class="count">(${esc(num(L_.no_data.count, 0))})</span></li>`;
    const tick = referencePosition(L_);
    const ramp = L_.entries.length && L_.entries[0].lower !== undefined
      ? `<div class="ramp" aria-hidden="true">${L_.entries.map((e) => `<span style="background:${e.colour}"></span>`).join("")}` +
        (tick === null ? "" : `<i class="tick" style="left:${(tick * 100).toFixed(1)}%"></i>`) + `</div>` : "";
    const reference = L_.reference && L_.reference.value !== null ? `<p class="reference">${referenceHtml(L_.reference, unit, L_.precision)}</p>` : "";
    const direction = L_.direction === "lower_is_better" ? `<p class="meta">${t("lowerBetter")}</p>` : "";
    const coverage = L_.display === "labels" ? `<p class="meta coverage">${esc(L_.coverage_sentence[lang])}</p>` : "";
    const caveats = lang === "nl" && L_.caveats_text.nl.length ? L_.caveats_text.nl.map(esc) : L_.caveats.map(enText);
    const notes = [...L_.notes.map(enText), ...caveats].map((n) => `<li>${n}</li>`).join("");
    const breaks = L_.series_breaks.map((b) => `<li>${b.year}: ${textIn(b.reason)}</li>`).join("");
    const aggregated = L_.aggregated_from ? `<p class="meta">${t("aggregated")} ${esc(L_.aggregated_from)}</p>` : "";
    const boundary = `<p class="meta" id="legend-territory">${esc(territory(L_))}</p>`;
    $("legend").innerHTML = `<h2 id="legend-title">${esc(L_.title[lang])}</h2>` +
      `<p class="meta">${unit} · ${esc(t("level_" + L_.level))} · <span id="legend-year">${year}</span></p>` +
      coverage + ramp + `<ul aria-labelledby="legend-title">${rows}${nd}</ul>` + reference + direction +
      `<p class="meta">${t("method_" + L_.method)}${L_.log ? ", log" : ""} · ${esc(L_.scheme.name)}</p>${aggregated}${boundary}` +
      (breaks ? `<details><summary>${t("breaksTitle")}</summary><ul>${breaks}</ul></details>` : "") +
      (notes ? `<details><summary>${t("notes")}</summary><ul>${notes}</ul></details>` : "") +
      `<p class="source">${t("source")}: ${enText(L_.source)}, ${year}</p>`;
  }

  /* Which boundaries the map shows and whether the figures were re-mapped onto them: a planner must
   * never mistake a 2015 figure drawn on a 2023 municipality for a 2023 measurement. */
  function territory(L_) {
    const shown = `${t("shownOn")} ${t("boundariesOf_" + L_.level)} ${L_.boundary_year}`;
    if (!L_.remapped) return `${shown} (${t("ownTerritory")})`;
    return `${shown}; ${t("figuresOf")} ${L_.year ?? "—"} (${t("measuredOn")} ${L_.vintage.boundary_year}) ` +
      `${t("remapped")} (${t("harmonised_" + L_.harmonised)})`;
  }

  // ---------- hover and click ----------
  async function loadValues() {
    const s = atlas.state;
    const q = new URLSearchParams({ level: s.level });
    if (s.year) q.set("year", s.year);
    if (s.boundary) q.set("boundary_year", s.boundary);
    const [body, inArea] = await Promise.all([api(`/api/v1/indicators/${s.indicator}/values?${q}`), atlas.area.loadInside(q)]);
    atlas.values = {};
    body.values.forEach((v) => { atlas.values[v.code] = v; });
    atlas.valuesMeta = body.meta;
    fillRegionLists();
    renderTable(inArea || body);
  }

  function hoverText(code, name) {
    const v = atlas.values[code];
    const meta = atlas.valuesMeta;
    if (!v || !meta) return `<strong>${esc(name)}</strong>`;
    const shown = v.text ? categoryText(v.text) : fmt(v.value, unitHtml(meta), meta.precision, v.qualifier);
    const rank = v.rank ? `<br>${t("rank")} ${v.rank} ${t("of")} ${meta.regions_with_value}` : "";
    const why = v.value === null && !v.text && v.missing_reason ? `<br><em>${missingText(v.missing_reason)}</em>` : "";
    const ref = meta.reference && v.value !== null ? `<br><small>${referenceHtml(meta.reference, unitHtml(meta), meta.precision)}</small>` : "";
    const remapped = v.harmonised && v.harmonised !== "none"
      ? `<br><small>${t("remapped")} ${t("from")} ${v.source_vintage} (${t("harmonised_" + v.harmonised)})</small>` : "";
    return `<strong>${esc(name)}</strong><br>${shown}${rank}${why}${ref}${remapped}`;
  }

  // The region list of the level (search and compare) comes with its values; the shapes from the vector tiles.
  function fillRegionLists() {
    atlas.regions = Object.values(atlas.values).map((v) => ({ code: v.code, name: v.name }))
      .sort((a, b) => a.name.localeCompare(b.name));
    fillSelect($("compare"), [["", t("none")], ...atlas.regions.map((r) => [r.code, r.name])], atlas.state.compare);
    $("region-list").replaceChildren(...atlas.regions.map((r) => new Option(`${r.name} (${r.code})`)));
  }

  function highlight() { atlas.hover.highlight(); }

  // ---------- profile ----------
  // The line is drawn in pieces: it never joins two years across a definition break.
  function sparkline(series, decimals) {
    const points = series.filter((p) => p.value !== null);
    if (points.length < 2) return "";
    const xs = points.map((p) => p.year), ys = points.map((p) => p.value);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const W = 120, H = 32;
    const px = (x) => ((x - x0) / (x1 - x0 || 1)) * (W - 4) + 2;
    const py = (y) => H - 2 - ((y - y0) / (y1 - y0 || 1)) * (H - 4);
    // a point not joined to the one before (a definition break, an estimated re-mapping or a gap) starts a new segment
    const after = new Set(series.filter((p, i) => i && p.joined && series[i - 1].value !== null).map((p) => p.year));
    const path = points.map((p) => `${after.has(p.year) ? "L" : "M"}${px(p.year).toFixed(1)},${py(p.value).toFixed(1)}`).join("");
    const label = points.map((p) => `${p.year}: ${num(p.value, decimals)}`).join("; ");
    return `<svg class="spark" width="${W}" height="${H}" role="img" aria-label="${esc(t("series") + ": " + label)}">` +
      `<title>${esc(label)}</title><path d="${path}" fill="none" stroke="#2c7fb8" stroke-width="1.5"/></svg>`;
  }

  // The first and last values beside the line, so the series can be read without hovering.
  function seriesEnds(series, unit, decimals) {
    const points = series.filter((p) => p.value !== null);
    if (points.length < 2) return "";
    const [first, last] = [points[0], points[points.length - 1]];
    return `<small class="ends">${first.year}: ${num(first.value, decimals)} → ${last.year}: ${num(last.value, decimals)}</small>`;
  }

  // A long source line is cut to its first words; the whole text is one click away.
  function sourceHtml(source) {
    const text = String(source || "");
    if (text.length <= SOURCE_SHORT) return `<small class="meta">${t("source")}: ${enText(text)}</small>`;
    const cut = text.slice(0, text.lastIndexOf(" ", SOURCE_SHORT) > 20 ? text.lastIndexOf(" ", SOURCE_SHORT) : SOURCE_SHORT);
    return `<details class="source"><summary><small class="meta">${t("source")}: ${enText(cut)}…</small></summary>` +
      `<small class="meta">${enText(text)}</small></details>`;
  }

  function profileRow(i, mapped) {
    const l = i.latest;
    const meta = atlas.indicators.find((x) => x.id === i.id) || {};
    const unit = textIn(meta.unit_text, i.unit);
    const shown = l.text ? textIn(meta.category_labels && { nl: meta.category_labels.nl[meta.categories.indexOf(l.text)], en: l.text }, l.text)
      : l.value === null ? missingText(l.missing_reason) : fmt(l.value, unit, meta.precision, l.qualifier);
    const rank = l.rank ? `${t("rank")} ${l.rank} ${t("of")} ${l.peers}` : "";
    const ref = i.reference ? `<br><small class="reference">${referenceHtml(i.reference, unit, meta.precision)}</small>` : "";
    const crossed = i.series.filter((pt) => pt.break_before).flatMap((pt) => pt.break_before);
    const why = crossed.map((b) => `<br><small class="break">${t("breakAt")} ${b.year}: ${textIn(b.reason)}</small>`).join("");
    const badge = mapped ? ` <span class="on-map">${t("onTheMap")}</span>` : "";
    return `<tr data-indicator="${esc(i.id)}"${mapped ? ' class="mapped"' : ""}><th scope="row">${esc(i.title[atlas.state.lang])}${badge}<br>` +
      `${sourceHtml(i.source)}</th><td>${shown}<br><small>${l.year ?? ""} ${rank}</small>${ref}</td>` +
      `<td>${sparkline(i.series, meta.precision)}${seriesEnds(i.series, unit, meta.precision)}${why}</td></tr>`;
  }

  // The mapped indicator first and marked; the others grouped by theme in the catalogue's order.
  function profileHtml(p) {
    const parents = Object.entries(p.parents).map(([lv, x]) => `${t("level_" + lv)} ${esc(x.name)}`).join(", ");
    const mapped = p.indicators.filter((i) => i.id === atlas.state.indicator);
    const themes = new Map();
    p.indicators.filter((i) => i.id !== atlas.state.indicator).forEach((i) => {
      const theme = (atlas.indicators.find((x) => x.id === i.id) || {}).theme || "";
      if (!themes.has(theme)) themes.set(theme, []);
      themes.get(theme).push(i);
    });
    const group = (label, rows) => `<tbody><tr class="theme"><th colspan="3" scope="colgroup">${esc(label)}</th></tr>${rows}</tbody>`;
    const body = (mapped.length ? group(t("onTheMap"), mapped.map((i) => profileRow(i, true)).join("")) : "") +
      [...themes.entries()].map(([theme, list]) => group(t("theme_" + theme), list.map((i) => profileRow(i, false)).join(""))).join("");
    return `<section class="profile-col" data-code="${esc(p.code)}"><h2 class="profile-name" tabindex="-1">${esc(p.name)}</h2>` +
      `<p class="meta">${esc(t("level_" + p.level))} ${esc(p.code)} · ${p.area_km2.toFixed(0)} km²` +
      ` · <span class="profile-territory">${t("shownOn")} ${t("boundariesOf_" + p.level)} ${p.boundary_year}</span>` +
      (parents ? ` · ${t("parents")}: ${parents}` : "") + `</p>` +
      `<table><thead><tr><th scope="col">${t("indicator")}</th><th scope="col">${t("value")}</th>` +
      `<th scope="col">${t("series")}</th></tr></thead>${body}</table></section>`;
  }

  async function showProfile() {
    const s = atlas.state;
    const panel = $("profile");
    const wasHidden = panel.hidden;
    panel.hidden = !s.region;
    if (wasHidden !== panel.hidden) atlas.map.invalidateSize();
    if (!s.region) { atlas.profileFramed = ""; return; }
    $("profile-columns").innerHTML = `<p>${t("loading")}</p>`;
    const year = atlas.legend ? atlas.legend.boundary_year : "";
    const codes = [s.region, s.compare].filter(Boolean);
    panel.classList.toggle("comparing", codes.length > 1);
    atlas.map.invalidateSize();
    try {
      const profiles = await Promise.all(codes.map((c) => api(`/api/v1/regions/${c}?year=${year}`)));
      $("profile-columns").innerHTML = profiles.map(profileHtml).join("");
      atlas.a11y.profileShown(profiles[0].name);
      $("compare").value = s.compare || "";
      // a newly shown region (or the panel widened for a comparison) stays where it can be seen; a change of
      // indicator leaves the view where the user put it
      const shown = `${s.region}|${s.compare}`;
      if (shown !== atlas.profileFramed) { atlas.profileFramed = shown; atlas.phone.keepInView(s.region); }
    } catch (error) {
      $("profile-columns").innerHTML = `<p role="alert">${t("error")}: ${esc(error.message)}</p>`;
    }
  }

  function selectRegion(code) {
    atlas.state.region = code;
    writeState();
    highlight();
    showProfile();
  }

  // ---------- table, downloads, overlays ----------
  function renderTable(body) {
    const m = body.meta;
    const s = atlas.state;
    const rows = body.values.slice().sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9)).map((v) =>
      `<tr><td>${v.rank ?? "—"}</td><th scope="row"><button type="button" class="pick" data-code="${esc(v.code)}">${esc(v.name)}</button></th><td>` +
      `${v.text ? categoryText(v.text) : v.value === null ? missingText(v.missing_reason) : fmt(v.value, "", m.precision, v.qualifier)}</td></tr>`).join("");
    $("table-wrap").innerHTML = `<table><caption>${esc(m.title[atlas.state.lang])} (${textIn(atlas.legend && atlas.legend.unit_text, m.unit)}), ` +
      `${m.year ?? ""}${s.area ? ` (${esc(t("areaTable"))} ${esc(atlas.area.name())})` : ""} — ${t("source")}: ${enText(m.source)}</caption><thead><tr><th scope="col">#</th>` +
      `<th scope="col">${t("region")}</th><th scope="col">${t("value")}</th></tr></thead><tbody>${rows}</tbody></table>`;
  }

  function renderDownloads() {
    const s = atlas.state;
    const by = atlas.legend ? atlas.legend.boundary_year : "";
    const extra = [...$("download-extra").selectedOptions].map((o) => o.value).filter((id) => id !== s.indicator);
    const ids = [s.indicator, ...extra].join(",");
    const layer = (format) => `/api/v1/layers/${s.level}?year=${by}&indicators=${ids}&format=${format}${atlas.area.query()}`;
    const q = classQuery();
    const html = `/export/map.html?indicator=${s.indicator}&level=${s.level}&lang=${s.lang}&${q}${atlas.area.query()}`;
    const style = (format) => `/api/v1/styles/${s.level}/${s.indicator}?format=${format}&${q}`;
    // publication images of the country or the chosen area, drawn by the server with the tiles' classification
    const image = (format, scale) => `/export/map.${format}?indicator=${s.indicator}&level=${s.level}&lang=${s.lang}` +
      `&scale=${scale}&${q}${atlas.area.query()}`;
    const links = [[image("png", 2), t("png2")], [image("png", 3), t("png3")], [image("svg", 1), t("svg")],
      [layer("geojson"), t("geojson")], [layer("gpkg"), t("gpkg")], [layer("csv"), t("csv")], [layer("csv") + "&csv_locale=nl", t("csvNl")],
      [layer("geoparquet"), "GeoParquet"], [layer("flatgeobuf"), "FlatGeobuf"], [layer("xlsx"), t("xlsx")],
      [style("qml"), t("qml")], [style("sld"), t("sld")],
      [`/api/v1/legend/${s.level}/${s.indicator}?${q}`, t("legendJson")], [html, t("html")]];
    $("downloads").innerHTML = links.map(([href, label]) => `<li><a href="${esc(href)}" download>${esc(label)}</a></li>`).join("");
  }

  // Overlay changes run one after another, so two quick clicks never add the same layer twice.
  function setOverlays() {
    atlas.overlayQueue = (atlas.overlayQueue || Promise.resolve()).then(atlas.ov.apply, atlas.ov.apply);
    return atlas.overlayQueue;
  }

  // ---------- refresh ----------
  async function refresh() {
    const s = atlas.state;
    fillIndicatorDependent();
    writeState();
    status(t("loading"));
    try {
      const legend = atlas.pyramid.legend() || await api(`/api/v1/legend/${s.level}/${s.indicator}?${classQuery()}`);
      atlas.legend = legend;
      atlas.a11y.fieldError($("breaks"), "");  // the server accepted the limits: the refusal goes with the old legend
      renderLegend(legend);
      atlas.phone.decorateLegend(legend);
      setDisplay(legend);
      renderDownloads();
      atlas.hover.load(legend);  // hover answers with the name as soon as the tiles in view arrive
      await loadValues();
      atlas.hover.retip();
      await drawValueLabels();
      atlas.area.dim();
      highlight();
      await setOverlays();
      if (s.region && !atlas.values[s.region]) { s.region = ""; s.compare = ""; writeState(true); }
      await showProfile();
      status(`${legend.title[s.lang]} — ${t("level_" + s.level)} ${legend.year ?? ""}`);
      $("error").hidden = true;
    } catch (error) {
      showError(error);
    }
  }

  function applyLanguage() {
    document.documentElement.lang = atlas.state.lang;
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    document.querySelectorAll("[data-i18n-label]").forEach((el) => el.setAttribute("aria-label", t(el.dataset.i18nLabel)));
    $("lang").textContent = atlas.state.lang === "nl" ? "EN" : "NL";
    // the name starts with the visible text, so speech users can say what they see (WCAG 2.5.3)
    $("lang").setAttribute("aria-label", atlas.state.lang === "nl" ? "EN: switch to English" : "NL: schakel naar Nederlands");
    fillIndicators();
    atlas.area.fill();
  }

  function bindControls() {
    const s = atlas.state;
    const on = (id, handler, event = "change") => $(id).addEventListener(event, handler);
    on("indicator", (e) => { s.indicator = e.target.value; s.year = ""; s.method = ""; s.scheme = ""; refresh(); });
    on("level", (e) => {
      // to a coarser level the map refits to the area: a zoomed-in view of one province is one flat colour
      const order = atlas.config.levels.map((lv) => lv.level);
      const coarser = order.indexOf(e.target.value) < order.indexOf(s.level);
      s.level = e.target.value; s.region = ""; s.compare = "";
      if (coarser) atlas.area.frame();
      refresh();
    });
    on("boundary-year", (e) => { s.boundary = e.target.value; refresh(); });
    on("year", (e) => { const years = JSON.parse(e.target.dataset.years); s.year = String(years[e.target.value]); refresh(); });
    on("method", (e) => {
      s.method = e.target.value;
      if (s.method === "user_defined" && !s.breaks) { showBreaks(); $("breaks").focus(); return; }
      refresh();
    });
    on("breaks", (e) => { s.breaks = e.target.value.replace(/\s/g, ""); refresh(); });
    on("classes", (e) => { s.classes = e.target.value; refresh(); });
    on("scheme", (e) => { s.scheme = e.target.value; refresh(); });
    on("log", (e) => { s.log = e.target.checked ? "1" : ""; refresh(); });
    on("bg", (e) => { s.bg = e.target.checked ? "1" : "0"; setBackground(); writeState(); });
    $("crs").checked = AtlasProjection.isRd(s);
    // Leaflet cannot change a map's CRS: the permalink, with the new projection and no old-projection zoom, reloads
    on("crs", (e) => { s.crs = e.target.checked ? "rd" : ""; s.z = ""; writeState(); location.reload(); });
    atlas.ov.KINDS.forEach((kind) => on("ov-" + kind, () => {
      s.overlays = atlas.ov.KINDS.filter((k) => $("ov-" + k).checked).join(",");
      writeState(); setOverlays();
    }));
    on("topsector", (e) => { s.topsector = e.target.value; s.ntop = ""; writeState(); setOverlays(); });
    on("network-top", (e) => { s.ntop = e.target.value; writeState(); atlas.ov.redrawNetwork(); }, "input");
    on("network-colour", (e) => { s.ncolour = e.target.value; writeState(); atlas.ov.redrawNetwork(); });
    on("area", (e) => { s.area = e.target.value; atlas.area.frame(); refresh(); });
    on("whole-country", () => { s.area = ""; $("area").value = ""; atlas.area.frame(); refresh(); }, "click");
    on("download-extra", renderDownloads);
    on("compare", (e) => { s.compare = e.target.value; writeState(); highlight(); showProfile(); });
    on("region-search", (e) => {
      const match = /\(([A-Z]{2}\d+)\)$/.exec(e.target.value);
      const region = match ? atlas.regions.find((r) => r.code === match[1])
        : atlas.regions.find((r) => r.name.toLowerCase() === e.target.value.trim().toLowerCase());
      if (region) {
        atlas.a11y.choosing(e.target);
        selectRegion(region.code);
        // the region with its surroundings: padded and never closer than z10, so the context stays in view
        atlas.phone.keepInView(region.code, true);
      }
    });
    const closeProfile = () => { s.region = ""; s.compare = ""; writeState(); highlight(); showProfile(); atlas.a11y.profileClosed(); };
    on("profile-close", closeProfile, "click");
    on("controls", (event) => event.preventDefault(), "submit"); // here, not inline: the page's policy runs no inline script
    atlas.a11y.bind(closeProfile);
    on("table-wrap", (e) => {
      const pick = e.target.closest("button.pick");
      if (pick) { atlas.a11y.choosing(pick); selectRegion(pick.dataset.code); }
    }, "click");
    on("copy-link", () => atlas.share.copy(STATE_KEYS), "click");
    window.addEventListener("popstate", restore);
    on("lang", () => { s.lang = s.lang === "nl" ? "en" : "nl"; applyLanguage(); refresh(); }, "click");
    on("menu", atlas.phone.toggleControls, "click");
  }

  // Back and Forward: the entry's parameters become the state again, the map returns to its centre and zoom.
  function restore() {
    readState();
    applyLanguage();
    if (atlas.state.lat && atlas.state.lng && atlas.state.z) {
      atlas.map.setView([Number(atlas.state.lat), Number(atlas.state.lng)], Number(atlas.state.z), { animate: false });
    }
    refresh();
  }

  async function start() {
    readState();
    try {
      const [config, indicators, schemes, qualifiers] = await Promise.all([api("/api/v1/config"), api("/api/v1/indicators"),
        api("/api/v1/schemes"), api("/api/v1/qualifiers")]);
      Object.assign(atlas, { config, indicators, schemes: schemes.schemes, methods: schemes.methods, qualifiers });
      atlas.area = AtlasArea(atlas, { t, api, $ });
      atlas.share = AtlasShare(atlas, { t, $, announce });
      atlas.a11y = AtlasA11y(atlas, { t, $, announce });
      atlas.phone = AtlasPhone(atlas, { t, $, esc });
      atlas.basemap = AtlasBasemap(atlas, { t, $ });
      atlas.hover = AtlasHover(atlas, { api, hoverText, select: selectRegion });
      atlas.pyramid = AtlasPyramid(atlas, { classQuery });
      await atlas.pyramid.load();
      await atlas.area.load();
    } catch (error) {
      status(`${t("error")}: ${error.message}`);
      return;
    }
    applyLanguage();
    atlas.phone.start();
    await setupMap();
    bindControls();
    await atlas.ov.probe();
    await refresh();
    document.body.dataset.ready = "1";
  }

  window.atlas = atlas; // for the browser tests and for debugging in the console
  start();
})();
