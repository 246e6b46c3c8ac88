/* Overlays on the choropleth: kennissteden, campuses, startup ecosystems and a collaboration network.
 *
 * Every overlay sits in its own Leaflet pane ABOVE the invisible hover layer of the regions (pane "hit"),
 * so its own tooltip answers the mouse; the panes' SVG roots let the mouse through where nothing is drawn,
 * so the regions underneath still show theirs. Each kind has its own symbol, explained in the overlay legend.
 *
 * The network is drawn from link and node records, read defensively so that the qualitative Rathenau
 * network and a measured one (weights, programme parts, within/between province) share one drawing:
 * measured links are solid, their width scaled to the weight, the strongest N shown; qualitative links are
 * dashed and all of one width, because nothing in them is a measured quantity.
 */
(function () {
  "use strict";

  // Links lowest; nodes on top, answering the mouse only on their ring, so a kennisstad, campus or startup symbol
  // at the same gemeente point stays reachable through a node's inside.
  const PANES = { "ov-links": 460, "ov-startups": 465, "ov-places": 470, "ov-nodes": 480, "ov-labels": 490 };
  const KINDS = ["kennisstad", "campus", "startup", "network"];
  const QUALITATIVE_COLOUR = "#6a3d9a";
  const PART_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#7f6000", "#000000"];
  const PROVINCE_COLOURS = { within: "#0072B2", between: "#D55E00" };
  const OTHER_COLOUR = "#8a8a8a";
  const DEFAULT_TOP = 25;
  const MEASURED_LEVELS = ["gemeente", "corop", "provincie"];
  const MEASURED_FETCHED = 300; // the slider's range: the strongest links fetched, the strongest DEFAULT_TOP drawn
  const LABELLED_NODES = 8;
  const MIN_WIDTH = 1.2, MAX_WIDTH = 10;

  const SYMBOLS = {
    kennisstad: '<svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true"><path d="M10 1l2.6 5.7 6.2.7-4.6 4.2 1.3 6.1L10 14.6 4.5 17.7l1.3-6.1L1.2 7.4l6.2-.7z" fill="#ffd92f" stroke="#222" stroke-width="1.2"/></svg>',
    campus: '<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true"><path d="M8 1.5L15 14.5H1z" fill="#1b9e77" stroke="#222" stroke-width="1.2"/></svg>',
    startup: '<svg width="32" height="32" viewBox="0 0 32 32" aria-hidden="true"><path d="M16 2L30 16 16 30 2 16z" fill="none" stroke="#e6550d" stroke-width="3.5"/><circle cx="16" cy="16" r="2.5" fill="#e6550d"/></svg>',
    node: '<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true"><circle cx="8" cy="8" r="6" fill="#ffffff" stroke="#3f007d" stroke-width="2"/></svg>',
    ring: '<svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true"><circle cx="10" cy="10" r="8" fill="none" stroke="#3f007d" stroke-width="1.5" stroke-dasharray="3 2"/></svg>',
  };
  const ICON_SIZES = { kennisstad: 20, campus: 16, startup: 32 };

  function first(...values) { return values.find((v) => v !== undefined && v !== null && v !== ""); }

  function asNumber(value) {
    const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
    return typeof n === "number" && Number.isFinite(n) ? n : null;
  }

  function latLng(coords) { return coords && coords.length >= 2 ? [coords[1], coords[0]] : null; }

  // ---------- network records ----------
  /* Nodes and links from a network answer: a GeoJSON FeatureCollection of link (LineString) and node (Point)
   * features, or {links: [...], nodes: [...]} records with coordinates as fields. Fields the drawing uses:
   * source/target code and name, coordinates, weight, and where given programme_part, within_province, years.
   * A link whose two ends are the same region is collaboration inside that region: it goes to the node. */
  function networkRecords(body) {
    const features = body.features || [];
    const rawNodes = body.nodes || features.filter((f) => (f.geometry || {}).type === "Point" || (f.properties || {}).kind === "node");
    const rawLinks = body.links || features.filter((f) => (f.geometry || {}).type === "LineString" || (f.properties || {}).kind === "link");
    const nodes = new Map();
    const node = (code) => {
      if (!nodes.has(code)) nodes.set(code, { code, name: code, at: null, within: 0, withinLinks: 0, strength: 0, links: 0 });
      return nodes.get(code);
    };
    rawNodes.forEach((raw) => {
      const p = raw.properties || raw;
      const code = first(p.code, p.id, p.region_code);
      if (!code) return;
      const n = node(code);
      n.name = first(p.name, p.region_name, p.label, code);
      n.at = latLng(raw.geometry ? raw.geometry.coordinates : [first(p.lon, p.lng, p.x), first(p.lat, p.y)]) || n.at;
      n.within += asNumber(first(p.within_weight, p.internal_weight, p.within_region_weight)) || 0;
      n.withinLinks += asNumber(first(p.within_links, p.internal_links)) || 0;
    });
    const links = [];
    rawLinks.forEach((raw) => {
      const p = raw.properties || raw;
      const source = first(p.source, p.source_code), target = first(p.target, p.target_code);
      if (!source || !target) return;
      const coords = raw.geometry && raw.geometry.coordinates ? raw.geometry.coordinates.map(latLng) : null;
      const a = node(source), b = node(target);
      a.name = first(p.source_name, a.name !== source ? a.name : undefined, source);
      b.name = first(p.target_name, b.name !== target ? b.name : undefined, target);
      a.at = a.at || (coords ? coords[0] : latLng([p.source_lon, p.source_lat]));
      b.at = b.at || (coords ? coords[coords.length - 1] : latLng([p.target_lon, p.target_lat]));
      const weight = asNumber(first(p.weight, p.shared_projects, p.projects));
      const measured = p.measured !== undefined ? Boolean(p.measured) && weight !== null : weight !== null;
      const within = typeof p.within_province === "boolean" ? p.within_province : null;
      const years = first(p.years, p.period, p.year_from && p.year_to ? `${p.year_from}-${p.year_to}` : undefined, body.years, p.year);
      if (source === target || p.within_region === true) {
        a.within += weight || 0;
        a.withinLinks += 1;
        return;
      }
      links.push({ source, target, weight: measured ? weight : null, measured, within, years: years ? String(years) : "",
        part: first(p.programme_part_name, p.programme_part, p.programme) || "", provenance: p.provenance || "",
        coords: coords || null });
    });
    links.forEach((l) => {
      [nodes.get(l.source), nodes.get(l.target)].forEach((n) => { n.links += 1; n.strength += l.weight || 0; });
    });
    return { links, nodes: [...nodes.values()] };
  }

  // A gentle curve, so links that share a place stay apart (as the server draws them).
  function arc(a, b) {
    const [y0, x0] = a, [y1, x1] = b, bend = 0.15;
    const cx = (x0 + x1) / 2 - (y1 - y0) * bend, cy = (y0 + y1) / 2 + (x1 - x0) * bend;
    const out = [];
    for (let i = 0; i <= 16; i += 1) {
      const s = i / 16;
      out.push([(1 - s) ** 2 * y0 + 2 * (1 - s) * s * cy + s * s * y1, (1 - s) ** 2 * x0 + 2 * (1 - s) * s * cx + s * s * x1]);
    }
    return out;
  }

  function niceRound(value) {
    if (value <= 10) return Math.max(1, Math.round(value));
    const step = 10 ** Math.floor(Math.log10(value)) / 2;
    return Math.round(value / step) * step;
  }

  window.AtlasOverlays = function (atlas, h) {
    const { t, esc, num, api, $, enText } = h;
    const layers = {};
    const available = {};
    const network = { body: null, records: null };
    let startupMeta = {};

    function panes() {
      Object.entries(PANES).forEach(([name, z]) => { atlas.map.createPane(name).style.zIndex = z; });
      const control = L.control({ position: "bottomleft" });
      control.onAdd = () => {
        const div = L.DomUtil.create("div", "legend overlay-legend");
        div.id = "overlay-legend";
        div.hidden = true;
        div.setAttribute("role", "group");
        L.DomEvent.disableClickPropagation(div);
        return div;
      };
      control.addTo(atlas.map);
    }

    async function probe() {
      for (const [kind, url] of [["kennisstad", "/api/v1/places?kind=kennisstad"], ["campus", "/api/v1/places?kind=campus"],
        ["startup", "/api/v1/startups"]]) {
        try {
          await api(url);
          available[kind] = true;
          document.querySelector(`[data-overlay="${kind}"]`).hidden = false;
        } catch (error) { /* endpoint not available on this server: keep the switch hidden */ }
      }
      try {
        const networks = await api("/api/v1/networks");
        // Measured networks (by programme part) come first and are the default; the report's qualitative ones follow.
        const measured = (networks.measured || []).flatMap((d) => [
          [`m:${d.id}`, `${t("h2020Network")}: ${t("allParts")}`],
          ...d.programme_parts.map((part) => [`m:${d.id}:${part}`, `${t("h2020Network")}: ${part}`])]);
        const qualitative = networks.topsectors.map((n) => [n.id, `${n.name} (${t("qualitativeShort")})`]);
        const options = [...measured, ...qualitative];
        const chosen = options.some(([value]) => value === atlas.state.topsector) ? atlas.state.topsector : options[0][0];
        h.fillSelect($("topsector"), options, chosen);
        available.network = true;
        document.querySelector('[data-overlay="network"]').hidden = false;
      } catch (error) { /* no network endpoint */ }
    }

    function wanted() { return atlas.state.overlays ? atlas.state.overlays.split(",").filter((k) => KINDS.includes(k)) : []; }

    // A measured network is placed on gemeenten and aggregated to COROP or province; finer levels show gemeenten.
    function networkUrl() {
      const choice = atlas.state.topsector || $("topsector").value;
      if (!choice.startsWith("m:")) return `/api/v1/networks/${encodeURIComponent(choice)}?level=${atlas.state.level}`;
      const [, dataset, part] = choice.split(":");
      const level = MEASURED_LEVELS.includes(atlas.state.level) ? atlas.state.level : "gemeente";
      return `/api/v1/networks/measured?dataset=${encodeURIComponent(dataset)}&level=${level}&top=${MEASURED_FETCHED}` +
        (part ? `&part=${encodeURIComponent(part)}` : "");
    }

    // A campus triangle hangs just below and right of its point, so a kennisstad star in the same gemeente
    // (drawn on top) and the triangle can both be seen and hovered.
    function icon(kind) {
      const size = ICON_SIZES[kind];
      return L.divIcon({ className: `overlay-icon ${kind}-icon place-${kind}`, html: SYMBOLS[kind], iconSize: [size, size],
        iconAnchor: kind === "campus" ? [1, -3] : [size / 2, size / 2] });
    }

    // ---------- places and startups ----------
    function placeTooltip(p) {
      const campuses = (p.campuses || []).map((c) => `<li>${esc(c.name)}${c.status ? ` <small>(${enText(c.status)})</small>` : ""}</li>`).join("");
      const what = p.kind === "kennisstad" ? t("kennisstad") : t("campus");
      return `<strong>${esc(p.name)}</strong> <small>(${esc(what)})</small>` + (campuses ? `<ul class="tip-list">${campuses}</ul>` : "") +
        `<br><small>${t("source")}: ${enText(p.source)}</small>`;
    }

    function placesLayer(geo, kind) {
      return L.geoJSON(geo, {
        pointToLayer: (f, at) => L.marker(at, { icon: icon(kind), pane: "ov-places", keyboard: false,
          zIndexOffset: kind === "kennisstad" ? 1000 : 0 }),
        onEachFeature: (f, layer) => layer.bindTooltip(placeTooltip(f.properties), { className: "overlay-tip place-tip" }),
      });
    }

    function figureText(figure) {
      if (figure.value === null || figure.value === undefined) return esc(t("nodata"));
      if (figure.unit === "EUR") return `€ ${esc(num(figure.value / 1e6, 0))} ${esc(t("million"))}`;
      return esc(num(figure.value, 0));
    }

    function snapshotDate(iso) {
      const d = new Date(iso);
      return Number.isNaN(d.getTime()) ? iso : d.toLocaleDateString(atlas.state.lang === "en" ? "en-GB" : "nl-NL",
        { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
    }

    function startupTooltip(p) {
      const lang = atlas.state.lang;
      const rows = Object.values(p.figures).map((f) => `<tr><th scope="row">${esc(f.title[lang])}</th><td>${figureText(f)}` +
        (f.unit === "EUR" ? ` <small>(${esc(t("periodUnstated"))})</small>` : "") + `</td></tr>`).join("");
      return `<strong>${enText(p.area_name)}</strong> <small>(${esc(t("startupArea"))})</small>` +
        `<table class="tip-table">${rows}</table>` +
        `<small>${esc(t("startupPoint").replace("{city}", p.core_city))}<br>${t("source")}: Dealroom.co, ` +
        `${esc(t("snapshot"))} ${esc(snapshotDate(p.snapshot))}</small>`;
    }

    function startupLayer(geo) {
      const group = L.layerGroup([], { attribution: `${t("startupsShort")}: Dealroom.co` });
      geo.features.forEach((f) => {
        const [lon, lat] = f.geometry.coordinates;
        L.marker([lat, lon], { icon: icon("startup"), pane: "ov-startups", keyboard: false })
          .bindTooltip(startupTooltip(f.properties), { className: "overlay-tip startup-tip" }).addTo(group);
      });
      startupMeta = { snapshot: geo.snapshot };
      return group;
    }

    // ---------- network ----------
    function colourModes(records) {
      const modes = [];
      if (records.links.some((l) => l.measured && l.part)) modes.push("part");
      if (records.links.some((l) => l.measured && l.within !== null)) modes.push("province");
      return modes;
    }

    function colouring(records) {
      const modes = colourModes(records);
      const mode = modes.includes(atlas.state.ncolour) ? atlas.state.ncolour : modes[0] || "";
      if (mode === "part") {
        const parts = [...new Set(records.links.filter((l) => l.measured && l.part).map((l) => l.part))].sort();
        const colour = (l) => PART_COLOURS[parts.indexOf(l.part)] || OTHER_COLOUR;
        return { mode, modes, colour, key: parts.map((p, i) => [PART_COLOURS[i] || OTHER_COLOUR, enText(p)]) };
      }
      if (mode === "province") {
        return { mode, modes, colour: (l) => (l.within === null ? OTHER_COLOUR : PROVINCE_COLOURS[l.within ? "within" : "between"]),
          key: [[PROVINCE_COLOURS.within, esc(t("withinProvince"))], [PROVINCE_COLOURS.between, esc(t("betweenProvinces"))]] };
      }
      return { mode, modes, colour: () => QUALITATIVE_COLOUR, key: [] };
    }

    function linkTooltip(l, names) {
      const ends = `${esc(names.get(l.source))} – ${esc(names.get(l.target))}`;
      if (!l.measured) {
        return `<strong>${ends}</strong>: ${esc(t("qualitativeLink"))}` + (l.provenance ? `<br><small>${enText(l.provenance)}</small>` : "");
      }
      // programme parts are the source's (English) names: marked as such on the Dutch page
      const parts = [`${esc(num(l.weight, 0))} ${esc(network.unit)}`, esc(l.years), l.part ? enText(l.part) : ""].filter(Boolean);
      const province = l.within === null ? "" : `<br><small>${esc(t(l.within ? "withinProvince" : "betweenProvinces"))}</small>`;
      return `<strong>${ends}</strong>: ${parts.join(", ")}${province}`;
    }

    function nodeTooltip(n, measured) {
      if (!measured) {
        const inside = n.withinLinks ? `<br>${esc(num(n.withinLinks, 0))} ${esc(t("qualitativeWithin"))}` : "";
        return `<strong>${esc(n.name)}</strong><br>${esc(num(n.links, 0))} ${esc(t("qualitativeLinks"))}${inside}`;
      }
      return `<strong>${esc(n.name)}</strong><br>${esc(num(n.strength, 0))} ${esc(network.unit)} ${esc(t("withOthers"))} ` +
        `(${esc(num(n.links, 0))} ${esc(t("links"))})<br>${esc(num(n.within, 0))} ${esc(network.unit)} ${esc(t("withinRegion"))}`;
    }

    function networkLayer(body) {
      const records = networkRecords(body);
      network.body = body;
      network.records = records;
      network.unit = first(body.weight_unit && body.weight_unit[atlas.state.lang], t("sharedProjects"));
      const byCode = new Map(records.nodes.map((n) => [n.code, n]));
      const names = new Map(records.nodes.map((n) => [n.code, n.name]));
      const placed = records.nodes.filter((n) => n.at);
      const measured = records.links.filter((l) => l.measured).sort((a, b) => b.weight - a.weight);
      const qualitative = records.links.filter((l) => !l.measured);
      const top = Math.min(measured.length, Number(atlas.state.ntop) || DEFAULT_TOP);
      const shown = measured.slice(0, top);
      const maxWeight = shown.length ? shown[0].weight : 1;
      const width = (w) => MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * (w / maxWeight);
      const colours = colouring(records);
      const group = L.layerGroup();
      // lightest first, so the strongest links lie on top
      [...qualitative, ...shown.slice().reverse()].forEach((l) => {
        const a = byCode.get(l.source).at, b = byCode.get(l.target).at;
        const path = l.coords || (a && b ? arc(a, b) : null);
        if (!path) return;
        L.polyline(path, { pane: "ov-links", color: colours.colour(l), opacity: 0.85, lineCap: "round",
          weight: l.measured ? width(l.weight) : 2.5, dashArray: l.measured ? null : "6 4",
          className: `network-link ${l.measured ? "measured" : "qualitative"}` })
          .bindTooltip(linkTooltip(l, names), { sticky: true, className: "overlay-tip link-tip" })
          .addTo(group);
      });
      const anyMeasured = measured.length > 0;
      const maxWithin = Math.max(0, ...placed.map((n) => n.within));
      const radius = (n) => (anyMeasured && maxWithin > 0 ? 5 + 14 * Math.sqrt(n.within / maxWithin) : 6);
      placed.forEach((n) => {
        if (!anyMeasured && n.withinLinks) {
          L.circleMarker(n.at, { pane: "ov-nodes", radius: 9, color: "#3f007d", weight: 1.5, dashArray: "3 2", fill: false,
            interactive: false, className: "network-ring" }).addTo(group);
        }
        L.circleMarker(n.at, { pane: "ov-nodes", radius: radius(n), color: "#3f007d", weight: 3, fillColor: "#ffffff",
          fillOpacity: anyMeasured ? 0.55 : 0.95, className: "network-node" })
          .bindTooltip(nodeTooltip(n, anyMeasured), { className: "overlay-tip node-tip" })
          .addTo(group);
      });
      const strength = (n) => (anyMeasured ? n.strength + n.within : n.links + n.withinLinks);
      placed.slice().sort((a, b) => strength(b) - strength(a)).slice(0, LABELLED_NODES).filter((n) => strength(n) > 0)
        .forEach((n) => L.marker(n.at, { pane: "ov-labels", interactive: false, keyboard: false,
          icon: L.divIcon({ className: "node-label", html: esc(n.name), iconSize: null }) }).addTo(group));
      network.view = { measured, shown, maxWeight, width, colours, qualitative };
      networkControls(measured.length, top, colours);
      return group;
    }

    function networkControls(count, top, colours) {
      const box = $("network-measured");
      box.hidden = count === 0;
      if (count) {
        const slider = $("network-top");
        slider.min = 1; slider.max = count; slider.value = top;
        $("network-top-out").textContent = `${top} ${t("of")} ${count}`;
      }
      const select = $("network-colour");
      $("network-colour-label").hidden = select.hidden = colours.modes.length < 2;
      h.fillSelect(select, colours.modes.map((m) => [m, t("colourBy_" + m)]), colours.mode);
    }

    /* Only the strongest-N slider or the colour changed: redraw from the network already loaded. */
    function redrawNetwork() {
      if (!layers.network || !network.body) return;
      atlas.map.removeLayer(layers.network.layer);
      layers.network.layer = networkLayer(network.body).addTo(atlas.map);
      renderLegend();
    }

    // ---------- overlay legend ----------
    function widthSamples(view) {
      const weights = [view.maxWeight, view.maxWeight / 2, view.shown[view.shown.length - 1].weight].map(niceRound);
      return [...new Set(weights)].filter((w) => w > 0).sort((a, b) => b - a);
    }

    function lineSample(colour, width, dashed) {
      return `<svg width="40" height="14" aria-hidden="true"><line x1="2" y1="7" x2="38" y2="7" stroke="${colour}" ` +
        `stroke-width="${width.toFixed(1)}" stroke-linecap="round"${dashed ? ' stroke-dasharray="6 4"' : ""}/></svg>`;
    }

    function renderLegend() {
      const div = $("overlay-legend");
      const on = wanted().filter((k) => layers[k]);
      div.hidden = !on.length;
      if (!on.length) { div.innerHTML = ""; return; }
      const items = [];
      if (on.includes("kennisstad")) items.push([SYMBOLS.kennisstad, esc(t("kennisstadSymbol"))]);
      if (on.includes("campus")) items.push([SYMBOLS.campus, esc(t("campusSymbol"))]);
      if (on.includes("startup")) {
        items.push([SYMBOLS.startup, `${esc(t("startupSymbol"))} <small>(Dealroom.co, ${esc(t("snapshot"))} ${esc(snapshotDate(startupMeta.snapshot || ""))})</small>`]);
      }
      let network_ = "";
      if (on.includes("network") && network.view) {
        const v = network.view;
        const lines = [];
        if (v.measured.length) {
          lines.push(`<li class="legend-heading">${esc(t("measuredLinks"))}: ${esc(t("widthIs"))} ${esc(network.unit)} ` +
            `(${esc(t("strongest"))} ${esc(num(v.shown.length, 0))} ${esc(t("of"))} ${esc(num(v.measured.length, 0))})</li>`);
          widthSamples(v).forEach((w) => lines.push(`<li class="width-sample">${lineSample("#444", v.width(w), false)}<span>${esc(num(w, 0))}</span></li>`));
          v.colours.key.forEach(([colour, label]) => lines.push(`<li>${lineSample(colour, 4, false)}<span>${label}</span></li>`));
          lines.push(`<li>${SYMBOLS.node}<span>${esc(t("nodeMeasured"))}</span></li>`);
        }
        if (v.qualitative.length) {
          lines.push(`<li class="qualitative-key">${lineSample(QUALITATIVE_COLOUR, 2.5, true)}<span>${esc(t("dashedMeans"))}</span></li>`);
          lines.push(`<li>${SYMBOLS.node}<span>${esc(t("nodeQualitative"))}</span></li>`);
          if (network.records.nodes.some((n) => n.withinLinks)) lines.push(`<li>${SYMBOLS.ring}<span>${esc(t("ringQualitative"))}</span></li>`);
        }
        const name = network.body.name || "";
        network_ = `<h3>${esc(t("network"))}${name ? ": " + esc(name) : ""}</h3><ul class="network-key">${lines.join("")}</ul>`;
      }
      div.innerHTML = `<h2 id="overlay-legend-title">${esc(t("overlayLegend"))}</h2>` +
        (items.length ? `<ul aria-labelledby="overlay-legend-title">${items.map(([s, label]) => `<li>${s}<span>${label}</span></li>`).join("")}</ul>` : "") +
        network_;
    }

    // ---------- apply ----------
    async function load(kind) {
      if (kind === "network") return networkLayer(await api(networkUrl()));
      if (kind === "startup") return startupLayer(await api("/api/v1/startups"));
      return placesLayer(await api(`/api/v1/places?kind=${kind}`), kind);
    }

    async function apply() {
      const want = wanted();
      for (const kind of KINDS) {
        const box = $("ov-" + kind);
        if (box) box.checked = want.includes(kind);
        const key = kind === "network" ? `network/${atlas.state.topsector}/${atlas.state.level}/${atlas.state.lang}` : `${kind}/${atlas.state.lang}`;
        if (layers[kind] && (!want.includes(kind) || layers[kind].key !== key)) {
          atlas.map.removeLayer(layers[kind].layer);
          delete layers[kind];
        }
        if (!want.includes(kind) || layers[kind] || !available[kind]) continue;
        layers[kind] = { key, layer: (await load(kind)).addTo(atlas.map) };
      }
      $("network-options").hidden = !want.includes("network");
      if (!want.includes("network")) network.view = null;
      renderLegend();
    }

    return { KINDS, panes, probe, apply, redrawNetwork, layers };
  };
})();
