/* Regional analysis panel: concentration, spatial clusters, change, two indicators, composite index and the
 * kennissteden benchmark, all computed by /api/v1/analysis (the page only draws).
 *
 * Charts come from Observable Plot (npm, served locally under /vendor); each chart has a text alternative
 * (its figcaption) and the numbers in a table beside it, and can be saved as SVG or PNG. Map views (clusters,
 * change, bivariate, composite) are PNG tile layers drawn over the indicator map by the same renderer. The
 * panel's state lives in the page URL (key `analysis`), so a composite or any other view can be shared.
 */
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const TEXT = {
    nl: {
      open: "Analyse", title: "Analyse", concentration: "Concentratie", clusters: "Clusters", change: "Verandering",
      pair: "Twee indicatoren", composite: "Samengestelde index", kennissteden: "Kennissteden", run: "Bereken",
      top: "Top N", weights: "Buren", permutations: "Permutaties", alpha: "Drempel p", from: "Van", to: "Tot",
      measure: "Maat", difference: "verschil", relative: "relatief (%)", other: "Tweede indicator (y)",
      perInhabitant: "per 100.000 inwoners", indicators: "Indicatoren (ids, komma's)", weightList: "Gewichten",
      normalisation: "Normalisatie", missing: "Ontbrekende waarden", svg: "SVG", png: "PNG", csv: "CSV met recept",
      share: "Link naar deze weergave", removeLayer: "Kaartlaag weg", region: "Regio", value: "Waarde", rank: "Positie",
      share_: "Aandeel", cumulative: "Cumulatief", city: "Stad", reference: "Landelijk", indicator: "Indicator",
      score: "Score", rankRange: "Positie bij andere gewichten", sensitivity: "Gevoeligheid: gewichten ± (aandeel)", error: "Fout", loading: "Laden…", of: "van",
    },
    en: {
      open: "Analysis", title: "Analysis", concentration: "Concentration", clusters: "Clusters", change: "Change",
      pair: "Two indicators", composite: "Composite index", kennissteden: "Kennissteden", run: "Compute",
      top: "Top N", weights: "Neighbours", permutations: "Permutations", alpha: "p threshold", from: "From", to: "To",
      measure: "Measure", difference: "difference", relative: "relative (%)", other: "Second indicator (y)",
      perInhabitant: "per 100,000 inhabitants", indicators: "Indicators (ids, commas)", weightList: "Weights",
      normalisation: "Normalisation", missing: "Missing values", svg: "SVG", png: "PNG", csv: "CSV with recipe",
      share: "Link to this view", removeLayer: "Remove map layer", region: "Region", value: "Value", rank: "Rank",
      share_: "Share", cumulative: "Cumulative", city: "City", reference: "National", indicator: "Indicator",
      score: "Score", rankRange: "Rank under other weights", sensitivity: "Sensitivity: weights ± (share)", error: "Error", loading: "Loading…", of: "of",
    },
  };
  const VIEWS = ["concentration", "clusters", "change", "pair", "composite", "kennissteden"];
  const panel = { view: "concentration", params: {}, layer: null, token: 0 };

  const atlasState = () => window.atlas.state;
  const t = (key) => (TEXT[atlasState().lang] || TEXT.nl)[key] || key;
  const esc = (text) => String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const locale = () => (atlasState().lang === "en" ? "en-GB" : "nl-NL");
  const num = (v, d = 2) => (v === null || v === undefined ? "—" : Number(v).toLocaleString(locale(), { minimumFractionDigits: d, maximumFractionDigits: d }));
  const pct = (v) => num(v * 100, 1) + " %";
  const title = (o) => (o.title ? o.title[atlasState().lang] || o.title.en : o.indicator);

  async function get(path) {
    const response = await fetch(path, { headers: { Accept: "application/json" } });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.detail || response.statusText);
    return body;
  }

  // ---------- URL state: one key of the page's URL holds the panel's own query ----------
  function saveState() {
    const q = new URLSearchParams({ view: panel.view, ...panel.params });
    atlasState().analysis = q.toString();
    const page = new URLSearchParams(location.search);
    page.set("analysis", atlasState().analysis);
    history.replaceState(null, "", "?" + page.toString());
  }

  function readState() {
    const q = new URLSearchParams(atlasState().analysis || "");
    panel.view = VIEWS.includes(q.get("view")) ? q.get("view") : "concentration";
    q.delete("view");
    panel.params = Object.fromEntries(q.entries());
  }

  function common() {
    const s = atlasState();
    const q = new URLSearchParams();
    if (s.year) q.set("year", s.year);
    if (s.boundary) q.set("boundary_year", s.boundary);
    return q;
  }

  // ---------- map layer ----------
  function setLayer(path, query) {
    removeLayer();
    const map = window.atlas.map;
    const url = `${path}/tiles/{z}/{x}/{y}{r}.png?${query}`;
    panel.layer = L.tileLayer(url, { opacity: 1, minZoom: window.atlas.config.min_zoom, maxZoom: 14, zIndex: 5 }).addTo(map);
    map.getContainer().dataset.analysisTiles = url;
    map.getContainer().classList.add("analysis-on");  // the indicator's legend would describe the hidden layer
  }

  function removeLayer() {
    if (panel.layer) window.atlas.map.removeLayer(panel.layer);
    panel.layer = null;
    delete window.atlas.map.getContainer().dataset.analysisTiles;
    window.atlas.map.getContainer().classList.remove("analysis-on");
  }

  function highlightRegion(code) {
    if (window.atlas.hover) window.atlas.hover.mark(code);
  }

  // ---------- charts: a figure with a text alternative, the numbers in a table, SVG and PNG export ----------
  function figure(id, chart, caption) {
    const svg = chart.tagName.toLowerCase() === "svg" ? chart : chart.querySelector("svg");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-labelledby", `${id}-caption`);
    const fig = document.createElement("figure");
    fig.id = id;
    fig.append(chart);
    const cap = document.createElement("figcaption");
    cap.id = `${id}-caption`;
    cap.textContent = caption;
    fig.append(cap);
    const tools = document.createElement("p");
    tools.className = "chart-tools";
    for (const kind of ["svg", "png"]) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = t(kind);
      button.addEventListener("click", () => exportChart(svg, id, kind));
      tools.append(button);
    }
    fig.append(tools);
    return fig;
  }

  function exportChart(svg, name, kind) {
    const copy = svg.cloneNode(true);
    copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
    const text = new XMLSerializer().serializeToString(copy);
    const blob = new Blob([text], { type: "image/svg+xml" });
    if (kind === "svg") return download(blob, `${name}.svg`);
    const image = new Image();
    const { width, height } = svg.getBoundingClientRect();
    image.onload = () => {
      const canvas = document.createElement("canvas");
      canvas.width = width * 2; canvas.height = height * 2;
      const context = canvas.getContext("2d");
      context.fillStyle = "#fff"; context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      canvas.toBlob((png) => download(png, `${name}.png`), "image/png");
    };
    image.src = URL.createObjectURL(blob);
  }

  function download(blob, filename) {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = filename;
    link.click();
  }

  function table(caption, headers, rows) {
    const head = headers.map((h) => `<th scope="col">${esc(h)}</th>`).join("");
    const body = rows.map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${esc(c)}</th>` : `<td>${esc(c)}</td>`)).join("")}</tr>`).join("");
    return `<div class="numbers"><table><caption>${esc(caption)}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
  }

  function swatches(entries) {
    return `<ul class="analysis-legend">${entries.map(([colour, label, count]) =>
      `<li><span class="swatch" style="background:${esc(colour)}"></span>${esc(label)}${count === undefined ? "" : ` <span class="count">(${count})</span>`}</li>`).join("")}</ul>`;
  }

  // ---------- views ----------
  const form = {
    concentration: () => field("top", `<input id="an-top" type="number" min="1" max="1000" value="${esc(panel.params.top || 10)}">`),
    clusters: () => field("weights", select("an-weights", ["queen", "knn"], panel.params.weights || "queen")) +
      field("permutations", select("an-permutations", ["99", "199", "499", "999", "9999"], panel.params.permutations || "999")) +
      field("alpha", select("an-alpha", ["0.01", "0.05", "0.1"], panel.params.alpha || "0.05")),
    change: () => {
      const years = indicatorYears();
      return field("from", select("an-from", years, panel.params.from || years[0])) +
        field("to", select("an-to", years, panel.params.to || years[years.length - 1])) +
        field("measure", select("an-measure", ["difference", "relative"], panel.params.measure || "difference", true));
    },
    pair: () => field("other", select("an-other", window.atlas.indicators.map((i) => i.id), panel.params.y || "h2020_participations")) +
      `<label class="check"><input id="an-per" type="checkbox" ${panel.params.y_per === "inhabitant" ? "checked" : ""}> ${t("perInhabitant")}</label>`,
    composite: () => field("indicators", `<input id="an-indicators" value="${esc(panel.params.indicators || atlasState().indicator)}">`) +
      field("weightList", `<input id="an-weightlist" value="${esc(panel.params.weights || "")}" placeholder="1,1">`) +
      field("normalisation", select("an-normalisation", ["minmax", "zscore"], panel.params.normalisation || "minmax")) +
      field("missing", select("an-missing", ["complete", "available"], panel.params.missing || "complete")) +
      field("sensitivity", select("an-sensitivity", ["0.1", "0.25", "0.5"], panel.params.sensitivity || "0.5")),
    kennissteden: () => field("indicator", `<select id="an-benchmark"></select>`),
  };

  function field(key, control) {
    const id = /id="([^"]+)"/.exec(control)[1];
    return `<label for="${id}">${t(key)}</label>${control}`;
  }

  function select(id, options, chosen, translate = false) {
    return `<select id="${id}">${options.map((o) => `<option value="${esc(o)}" ${String(o) === String(chosen) ? "selected" : ""}>${esc(translate ? t(o) : o)}</option>`).join("")}</select>`;
  }

  function indicatorYears() {
    const entry = window.atlas.indicators.find((i) => i.id === atlasState().indicator);
    return ((entry && entry.years_by_level[atlasState().level]) || []).map(String);
  }

  function readForm() {
    const value = (id) => ($(id) ? $(id).value : "");
    const p = {};
    if (panel.view === "concentration") p.top = value("an-top");
    if (panel.view === "clusters") Object.assign(p, { weights: value("an-weights"), permutations: value("an-permutations"), alpha: value("an-alpha") });
    if (panel.view === "change") Object.assign(p, { from: value("an-from"), to: value("an-to"), measure: value("an-measure") });
    if (panel.view === "pair") Object.assign(p, { y: value("an-other"), ...($("an-per").checked ? { y_per: "inhabitant" } : {}) });
    if (panel.view === "composite") {
      Object.assign(p, { indicators: value("an-indicators").replace(/\s/g, ""), normalisation: value("an-normalisation"),
        missing: value("an-missing"), sensitivity: value("an-sensitivity") });
      if (value("an-weightlist").trim()) p.weights = value("an-weightlist").replace(/\s/g, "");
    }
    if (panel.view === "kennissteden" && value("an-benchmark")) p.row = value("an-benchmark");
    panel.params = p;
  }

  const run = {
    async concentration(out) {
      const s = atlasState();
      const q = common();
      q.set("top", panel.params.top || 10);
      const r = await get(`/api/v1/analysis/concentration/${s.level}/${s.indicator}?${q}`);
      const summary = `${r.regions_holding_half} ${t("of")} ${r.regions} — ${title(r)} (${r.measured}, ${r.year}): ` +
        `top ${r.top_n} ${pct(r.top_share)}; Gini ${num(r.gini, 3)}; Theil ${num(r.theil, 3)}`;
      out.innerHTML = `<p class="headline" id="an-headline" data-half="${r.regions_holding_half}" data-gini="${r.gini}">` +
        `${esc(textHalf(r))}</p><p class="meta">${esc(r.basis)}; ${esc(r.territory)}; ${esc(r.source)}</p>`;
      const chart = Plot.plot({
        width: 400, height: 300, x: { label: "regions (cumulative share)", domain: [0, 1] }, y: { label: "value (cumulative share)", domain: [0, 1] },
        marks: [Plot.line([[0, 0], [1, 1]], { stroke: "#999", strokeDasharray: "4,3" }),
          Plot.line(r.lorenz, { x: "population_share", y: "value_share", stroke: "#0b5394", strokeWidth: 2 }),
          Plot.ruleY([0.5], { stroke: "#b8860b" })],
      });
      out.append(figure("chart-lorenz", chart, `Lorenz curve. ${summary}`));
      out.insertAdjacentHTML("beforeend", table(`${title(r)}: top ${r.top_n}`, ["#", t("region"), t("value"), t("share_"), t("cumulative")],
        r.top_regions.map((x, i) => [String(i + 1), x.name, num(x.value, 0), pct(x.share), pct(x.cumulative_share)])));
    },
    async clusters(out) {
      const s = atlasState();
      const q = common();
      ["weights", "permutations", "alpha"].forEach((k) => panel.params[k] && q.set(k, panel.params[k]));
      const path = `/api/v1/analysis/clusters/${s.level}/${s.indicator}`;
      const r = await get(`${path}?${q}`);
      out.innerHTML = `<p class="headline" id="an-headline" data-moran="${r.moran.I}" data-p="${r.moran.p_sim}">Moran's I ` +
        `${num(r.moran.I, 3)} (pseudo p ${num(r.moran.p_sim, 4)}; n ${r.moran.n})</p>` +
        `<p class="meta">${esc(r.legend_note)}; ${esc(r.weights.kind)}${r.weights.islands.length ? "; islands joined: " + esc(r.weights.islands.map((i) => i.name).join(", ")) : ""}</p>` +
        swatches(r.legend.map((e) => [e.colour, e.label, r.counts[e.cluster]])) +
        table(`${title(r)} ${r.year ?? ""}: LISA`, [t("region"), "cluster", "p"],
          r.lisa.filter((x) => x.cluster !== "ns").map((x) => [x.name, x.cluster, num(x.p_sim, 3)]));
      return [path, q];
    },
    async change(out) {
      const s = atlasState();
      const q = new URLSearchParams({ from: panel.params.from, to: panel.params.to });
      if (s.boundary) q.set("boundary_year", s.boundary);
      const path = `/api/v1/analysis/change/${s.level}/${s.indicator}`;
      const r = await get(`${path}?${q}`);
      const lq = new URLSearchParams(q);
      lq.set("measure", panel.params.measure || "difference");
      const legend = await get(`${path}/legend?${lq}`);
      const key = panel.params.measure === "relative" ? "relative" : "difference";
      const ranked = r.rows.filter((x) => x[key] !== null).sort((a, b) => b[key] - a[key]);
      out.innerHTML = `<p class="headline" id="an-headline">${esc(title(r))}: ${r.from_year}–${r.to_year} ` +
        `(${esc(r.territory.to)}; ${esc(r.harmonised)})</p>` +
        swatches(legend.entries.map((e) => [e.colour, e.label + " " + legend.unit, e.count])) +
        table(`${title(r)} ${r.from_year}–${r.to_year}`, [t("region"), r.from_year, r.to_year, t(key)],
          [...ranked.slice(0, 10), ...ranked.slice(-10)].map((x) => [x.name, num(x.from_value, legend.precision), num(x.to_value, legend.precision),
            num(x[key], key === "relative" ? 1 : legend.precision)]));
      return [path, lq];
    },
    async pair(out) {
      const s = atlasState();
      const q = new URLSearchParams({ x_indicator: s.indicator, y_indicator: panel.params.y || "h2020_participations" });
      if (s.year) q.set("x_year", s.year);
      if (s.boundary) q.set("boundary_year", s.boundary);
      if (panel.params.y_per) q.set("y_per", panel.params.y_per);
      const r = await get(`/api/v1/analysis/scatter/${s.level}?${q}`);
      const line = [d3.min(r.points, (p) => p.x), d3.max(r.points, (p) => p.x)].map((x) => ({ x, y: r.line.intercept + r.line.slope * x }));
      const summary = `${title(r.x)} × ${title(r.y)}: n ${r.n}; Pearson ${num(r.pearson.r, 3)}; Spearman ${num(r.spearman.rho, 3)}`;
      out.innerHTML = `<p class="headline" id="an-headline" data-spearman="${r.spearman.rho}" data-pearson="${r.pearson.r}">${esc(summary)}</p>` +
        `<p class="meta">${esc(r.x.unit)} (${r.x.year}) × ${esc(r.y.unit)} (${r.y.year}); ${esc(r.method)}</p>`;
      const chart = Plot.plot({
        width: 400, height: 320, x: { label: `${title(r.x)} (${r.x.unit})` }, y: { label: `${title(r.y)} (${r.y.unit})` },
        marks: [Plot.dot(r.points, { x: "x", y: "y", r: 3, fill: (p) => r.bivariate.colours[p.class], stroke: "#333", strokeWidth: 0.5,
          title: (p) => `${p.name}: ${num(p.x, 1)}; ${num(p.y, 1)}` }),
        Plot.line(line, { x: "x", y: "y", stroke: "#b8860b", strokeWidth: 2 })],
      });
      chart.querySelectorAll("circle").forEach((dot, i) => {
        dot.addEventListener("pointerenter", () => highlightRegion(r.points[i].code));
      });
      out.append(figure("chart-scatter", chart, summary));
      out.insertAdjacentHTML("beforeend", bivariateLegend(r) + table(summary, [t("region"), "x", "y"], r.points.map((p) => [p.name, num(p.x, 2), num(p.y, 2)])));
      return [`/api/v1/analysis/bivariate/${s.level}`, q];
    },
    async composite(out) {
      const s = atlasState();
      const q = new URLSearchParams();
      ["indicators", "weights", "normalisation", "missing", "sensitivity"].forEach((k) => panel.params[k] && q.set(k, panel.params[k]));
      if (s.boundary) q.set("boundary_year", s.boundary);
      const path = `/api/v1/analysis/composite/${s.level}`;
      const r = await get(`${path}?${q}`);
      out.innerHTML = `<p class="headline" id="an-headline">${esc(r.recipe.indicators.map((i) => `${i.id} ${i.year} ×${i.weight}${i.flipped ? " (↓)" : ""}`).join(" + "))}</p>` +
        `<p class="meta">${esc(r.recipe.normalisation_text)}; ${esc(r.recipe.missing_text)}; ${esc(r.sensitivity.text)}</p>` +
        `<p><a href="${path}?${q}&format=csv" download>${t("csv")}</a> · <a href="${esc(location.href)}">${t("share")}</a></p>` +
        table(`${t("composite")} (${r.regions_with_score} ${t("of")} ${r.regions})`, [t("rank"), t("region"), t("score"), t("rankRange")],
          r.rows.filter((x) => x.rank !== null).slice(0, 25).map((x) => [String(x.rank), x.name, num(x.score, 3), `${x.rank_min}–${x.rank_max}`]));
      return [path, q];
    },
    async kennissteden(out) {
      const level = atlasState().level === "corop" ? "corop" : "gemeente";
      const r = await get(`/api/v1/analysis/kennissteden?level=${level}`);
      const choice = $("an-benchmark");
      if (!choice.options.length) {
        choice.innerHTML = r.rows.map((row, i) => `<option value="${i}">${esc(title(row))} — ${esc(row.level)} ${row.year ?? ""}</option>`).join("");
        const wanted = r.rows.findIndex((row) => row.indicator === "kwb_pct_higher_educated");
        choice.value = panel.params.row || String(Math.max(wanted, 0));
        choice.addEventListener("change", () => compute());
      }
      const row = r.rows[Number(choice.value)];
      const present = row.cities.filter((c) => c.value !== null);
      const ref = row.reference && row.reference.value;
      const summary = `${title(row)} (${row.unit}, ${row.level} ${row.year ?? ""}); ${t("reference")}: ${ref === null || ref === undefined ? "—" : num(ref, row.decimals)}`;
      out.innerHTML = `<p class="headline" id="an-headline">${esc(summary)}</p><p><a href="/api/v1/analysis/kennissteden?level=${level}&format=csv" download>CSV</a></p>`;
      const chart = Plot.plot({
        width: 400, height: 340, marginLeft: 90, x: { label: row.unit, grid: true }, y: { label: null },
        marks: [...(ref === null || ref === undefined ? [] : [Plot.ruleX([ref], { stroke: "#b8860b", strokeWidth: 2 })]),
          Plot.dot(present, { x: "value", y: "city", fill: "#0b5394", r: 4, sort: { y: "x", reverse: true }, title: (c) => `${c.city}: ${c.value}` })],
      });
      out.append(figure("chart-benchmark", chart, summary));
      out.insertAdjacentHTML("beforeend", table(summary, [t("city"), t("region"), t("value"), t("rank")],
        [...row.cities.map((c) => [c.city, c.name, c.value === null ? c.missing_reason || "—" : num(c.value, row.decimals), c.rank ?? "—"]),
          [t("reference"), row.reference ? row.reference.label[atlasState().lang] : "—", ref === null || ref === undefined ? "—" : num(ref, row.decimals), ""]]));
    },
  };

  function textHalf(r) {
    return atlasState().lang === "en"
      ? `${r.regions_holding_half} of ${r.regions} regions hold half of ${title(r)}; the top ${r.top_n} hold ${pct(r.top_share)}; Gini ${num(r.gini, 3)}, Theil ${num(r.theil, 3)}`
      : `${r.regions_holding_half} van ${r.regions} regio's hebben samen de helft van ${title(r)}; de top ${r.top_n} heeft ${pct(r.top_share)}; Gini ${num(r.gini, 3)}, Theil ${num(r.theil, 3)}`;
  }

  function bivariateLegend(r) {
    const cells = [2, 1, 0].map((row) => [0, 1, 2].map((col) =>
      `<td style="background:${r.bivariate.colours[3 * row + col]}" title="x ${col + 1}/3, y ${row + 1}/3"></td>`).join("")).map((c) => `<tr>${c}</tr>`).join("");
    return `<div class="bivariate-legend"><table aria-label="bivariate legend: x to the right, y upwards">${cells}</table>` +
      `<p class="meta">→ ${esc(title(r.x))} (${r.bivariate.x_breaks.map((b) => num(b, 1)).join(" | ")})<br>↑ ${esc(title(r.y))} (${r.bivariate.y_breaks.map((b) => num(b, 1)).join(" | ")})</p></div>`;
  }

  async function compute() {
    readForm();
    saveState();
    const out = $("analysis-output");
    const token = ++panel.token;  // only the latest request may draw: an older one can answer later
    out.textContent = t("loading");
    out.dataset.state = "loading";
    removeLayer();
    const box = document.createElement("div");
    try {
      const layer = await run[panel.view](box);
      if (token !== panel.token) return;
      out.replaceChildren(...box.childNodes);
      if (layer) setLayer(...layer);
      out.dataset.state = "done";
    } catch (error) {
      if (token !== panel.token) return;
      out.innerHTML = `<p class="error" role="alert">${esc(t("error"))}: ${esc(error.message)}</p>`;
      out.dataset.state = "error";
    }
  }

  function render() {
    $("analysis-tabs").innerHTML = VIEWS.map((v) =>
      `<button type="button" role="tab" id="tab-${v}" aria-selected="${v === panel.view}" data-view="${v}">${esc(t(v))}</button>`).join("");
    $("analysis-form").innerHTML = form[panel.view]() + `<button id="an-run" type="button">${t("run")}</button> ` +
      `<button id="an-remove" type="button">${t("removeLayer")}</button>`;
    $("an-run").addEventListener("click", compute);
    $("an-remove").addEventListener("click", removeLayer);
    $("analysis-title").textContent = t("title");
  }

  function open(show) {
    $("analysis").hidden = !show;
    $("analysis-toggle").setAttribute("aria-expanded", String(show));
    if (show) { render(); compute(); } else { removeLayer(); atlasState().analysis = ""; const q = new URLSearchParams(location.search); q.delete("analysis"); history.replaceState(null, "", "?" + q); }
    setTimeout(() => window.atlas.map.invalidateSize(), 0);
  }

  function start() {
    $("analysis-toggle").textContent = t("open");
    $("analysis-toggle").addEventListener("click", () => open($("analysis").hidden));
    // Enter in a field must not reload the page; here, not inline: the page's policy runs no inline script
    $("analysis-form").addEventListener("submit", (event) => event.preventDefault());
    $("analysis-tabs").addEventListener("click", (e) => {
      const view = e.target.dataset && e.target.dataset.view;
      if (!view) return;
      panel.view = view;
      panel.params = {};
      render();
      compute();
    });
    $("analysis-close").addEventListener("click", () => open(false));
    const follow = () => setTimeout(() => {  // after the page's own handlers have updated its state
      $("analysis-toggle").textContent = t("open");
      if (!$("analysis").hidden) { render(); compute(); }
    }, 0);
    $("controls").addEventListener("change", follow);
    $("lang").addEventListener("click", follow);
    if (atlasState().analysis) { readState(); open(true); }
  }

  const ready = () => document.body.dataset.ready === "1";
  if (ready()) start();
  else new MutationObserver((_, observer) => { if (ready()) { observer.disconnect(); start(); } }).observe(document.body, { attributes: true });
})();
