// `cargo xtask bench`: the numbers the site is judged by. Printed and written
// as JSON to $OUT. Timings are reported, never asserted (the machine is shared).
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { execFileSync } from "node:child_process";
import { DIST, serve, launch, openPage, widgetPages } from "./harness.mjs";

const PAGE = "comparison/throughput.html";
const LOADS = 3;
const MOVES = 20;

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };

function sizes(file) {
  const raw = fs.readFileSync(file);
  return {
    raw: raw.length,
    gzip: zlib.gzipSync(raw, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

const widgetsDir = path.join(DIST, "widgets");
// One module per page's set of widgets, and `all` (every widget and the entry points timed below).
const table = JSON.parse(fs.readFileSync(path.join(widgetsDir, "modules.json"), "utf8"));
const out = {
  modules: Object.entries(table).map(([key, f]) => ({
    key,
    wasm_bytes: sizes(path.join(widgetsDir, f.wasm)),
    glue_js_bytes: sizes(path.join(widgetsDir, f.js)),
  })),
  // `cargo xtask bench` times the book's rebuild around a built module: what a Markdown-only edit costs in `cargo xtask serve`.
  markdown_only_rebuild_ms: process.env.BOOK_REBUILD_MS ? Number(process.env.BOOK_REBUILD_MS) : null,
};

// A file's size as a static host sends it: gzip, level 9, for text and the module; as is otherwise.
const packedSizes = new Map();
function packed(file) {
  if (!packedSizes.has(file)) {
    const p = path.join(DIST, file);
    const body = fs.existsSync(p) && fs.statSync(p).isFile() ? fs.readFileSync(p) : Buffer.alloc(0);
    packedSizes.set(file, /\.(html|js|css|wasm|json|svg)$/.test(file) ? zlib.gzipSync(body, { level: 9 }).length : body.length);
  }
  return packedSizes.get(file);
}

// Interaction to next paint on every visible slider of a page, MOVES
// keyboard presses each, alternating right and left, each awaited to the
// frame after it. INP's own measure is Event Timing: per interaction, the
// longest of its events (keydown, keyup) from the key to the next paint.
// Entries under 16 ms are not reported by the browser; they count as 8 (its
// granularity). `frame_after_keydown` is the older measure: keydown to the
// first task after the next frame (it also counts work queued before that task).
// `only` measures one slider (by test id) after pressing `first` on it (End: its largest setting).
// BENCH_WORKERS=n runs the pages' sliders with n simulation workers instead of one per core.
const SLIDER_WORKERS = process.env.BENCH_WORKERS === undefined ? undefined : Number(process.env.BENCH_WORKERS);

async function interactions(url, { only, first } = {}) {
  const { page, context } = await openPage(browser);
  try {
    if (SLIDER_WORKERS !== undefined) await page.addInitScript((n) => { window.__widgetsWorkers = n; }, SLIDER_WORKERS);
    await page.goto(url);
    await page.waitForFunction(() => [...document.querySelectorAll("[data-widget]")].every((e) => e.dataset.state === "ready"));
    const sliders = only ? page.getByTestId(only).first() : page.locator("input[type=range]:visible");
    if (first) {
      await sliders.focus();
      await page.keyboard.press(first);
      await page.waitForFunction(() => [...document.querySelectorAll("[data-complete]")].every((e) => e.dataset.complete === "true"));
    }
    const count = await sliders.count();
    if (count === 0) return { note: "no slider" };
    await page.evaluate(() => {
      window.__frames = [];
      window.__interactions = {};
      window.__parts = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          if (!e.interactionId) continue;
          window.__interactions[e.interactionId] = Math.max(window.__interactions[e.interactionId] ?? 0, e.duration);
          // Where a slow press's time went: waiting to start, its handlers (and their microtasks), then to the frame presented.
          if (e.name === "keydown") window.__parts.push([e.processingStart - e.startTime, e.processingEnd - e.processingStart, e.startTime + e.duration - e.processingEnd]);
        }
      }).observe({ type: "event", durationThreshold: 16, buffered: true });
      document.addEventListener("keydown", (ev) => {
        const t0 = ev.timeStamp;
        requestAnimationFrame(() => setTimeout(() => window.__frames.push(performance.now() - t0), 0));
      }, true);
    });
    const per = [];
    for (let k = 0; k < count; k++) {
      const slider = sliders.nth(k);
      const slider_id = (await slider.getAttribute("data-testid")) ?? (await slider.getAttribute("aria-label")) ?? `slider ${k + 1}`;
      await page.evaluate(() => { window.__frames = []; window.__interactions = {}; window.__parts = []; });
      await slider.focus();
      for (let i = 0; i < MOVES; i++) {
        await page.keyboard.press(i % 2 ? "ArrowLeft" : "ArrowRight");
        await page.waitForFunction((n) => window.__frames.length >= n, i + 1);
      }
      // Let the last interaction's entry arrive.
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
      const frames = await page.evaluate(() => window.__frames);
      const slow = Object.values(await page.evaluate(() => window.__interactions));
      const parts = await page.evaluate(() => window.__parts);
      const inp = [...slow, ...Array(Math.max(0, MOVES - slow.length)).fill(8)];
      per.push({
        slider: slider_id, moves: MOVES,
        median: median(inp), p95: pct(inp, 0.95), max: Math.max(...inp),
        over_16ms: slow.filter((d) => d > 16).length,
        over_100ms: slow.filter((d) => d > 100).length,
        // Of the presses over 16 ms (keydown): median input delay, handlers and presentation, ms.
        slow_parts: parts.length ? { input_delay: median(parts.map((x) => x[0])), handlers: median(parts.map((x) => x[1])), to_frame: median(parts.map((x) => x[2])) } : null,
        frame_after_keydown: { median: median(frames), p95: pct(frames, 0.95) },
      });
    }
    const worst = per.reduce((a, b) => (b.p95 > a.p95 || (b.p95 === a.p95 && b.max > a.max) ? b : a));
    return { sliders: per, worst: worst.slider, median: worst.median, p95: worst.p95, max: worst.max };
  } finally {
    await context.close();
  }
}

// What a page has received and drawn by its load event, and how far its
// layout moved until every widget was ready (the sum of layout shifts
// without recent input: CLS over the load).
function watchLoad() {
  window.__shifts = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shifts += e.value;
  }).observe({ type: "layout-shift", buffered: true });
  window.addEventListener("load", () => {
    const seen = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
    window.__atLoad = {
      files: performance.getEntriesByType("resource").filter((e) => e.responseEnd <= performance.now()).map((e) => e.name),
      figure: [...document.querySelectorAll("[data-widget]")].some((w) => [...w.querySelectorAll("svg, table, canvas")].some(seen)),
    };
  });
}

const filePath = (u) => decodeURIComponent(new URL(u).pathname).slice(1) || "index.html";

// The reading session of #34: a reader clicking through seven pages in one
// browser whose cache keeps what earlier pages fetched (a static host says
// files may be kept: GitHub Pages ten minutes), each page until its widgets
// are ready. What reached the server, compressed as a static host sends it.
const SESSION = ["index.html", "service.html", "comparison/requests.html", "comparison/throughput.html",
  "comparison/latency.html", "comparison/takeaway.html", "limits/io-concurrency.html"];
async function session() {
  const cached = await serve({ cache: true });
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(0);
  const pages = [];
  try {
    let before = 0;
    const total = () => [...cached.counts].reduce((n, [p, c]) => n + c * packed(decodeURIComponent(p).slice(1) || "index.html"), 0);
    for (const p of SESSION) {
      await page.goto(cached.base + p);
      await page.waitForFunction(() => [...document.querySelectorAll("[data-widget]")].every((e) => e.dataset.state === "ready"));
      await page.waitForLoadState("networkidle");
      const now = total();
      pages.push({ page: p, compressed_bytes: now - before });
      before = now;
    }
    return { pages, compressed_bytes: before, module_fetches: [...cached.counts].filter(([p]) => p.endsWith(".wasm")).reduce((n, [, c]) => n + c, 0) };
  } finally {
    await context.close();
    cached.server.close();
  }
}

const srv = await serve();
const browser = await launch();
try {
  // Every widget page: cold loads (a fresh context, empty cache, each time),
  // what they transfer compressed as a static host sends it, and the slider's
  // interaction to next paint.
  out.pages = [];
  // BENCH_PAGES=a.html,b.html limits this part to those pages and skips the rest (for a quick look by hand).
  const only = process.env.BENCH_PAGES?.split(",");
  for (const p of widgetPages().filter((p) => !only || only.includes(p))) {
    const row = { page: p };
    const ready = [];
    for (let i = 0; i < LOADS; i++) {
      const { page, context } = await openPage(browser);
      const urls = [];
      page.on("requestfinished", (r) => urls.push(r.url()));
      await page.addInitScript(watchLoad);
      await page.goto(srv.base + p);
      await page.waitForFunction(() => [...document.querySelectorAll("[data-widget]")].every((e) => e.dataset.state === "ready"));
      ready.push(await page.evaluate(() => performance.now()));
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const atLoad = await page.evaluate(() => ({ ...window.__atLoad, shifts: window.__shifts }));
      row.figure_at_load = atLoad.figure;
      row.compressed_bytes_by_load = atLoad.files.filter((u) => u.startsWith(srv.base)).reduce((n, u) => n + packed(filePath(u)), 0)
        + packed(p);
      row.layout_shift_until_ready = Math.max(row.layout_shift_until_ready ?? 0, atLoad.shifts);
      await page.waitForLoadState("networkidle");
      const files = urls.filter((u) => u.startsWith(srv.base)).map((u) => decodeURIComponent(new URL(u).pathname).slice(1) || "index.html");
      row.requests = files.length;
      row.compressed_transfer_bytes = files.reduce((n, f) => n + packed(f), 0);
      row.module_compressed_bytes = files.filter((f) => f.startsWith("widgets/")).reduce((n, f) => n + packed(f), 0);
      await context.close();
    }
    row.navigation_to_widgets_ready_ms = { median: median(ready), runs: ready.map((x) => Math.round(x)) };
    row.slider_interaction_to_next_paint_ms = await interactions(srv.base + p);
    out.pages.push(row);
    const inp = row.slider_interaction_to_next_paint_ms;
    console.error(`${p.padEnd(30)} ${(row.compressed_transfer_bytes / 1000).toFixed(0).padStart(4)} kB (module ${(row.module_compressed_bytes / 1000).toFixed(0)} kB; ${(row.compressed_bytes_by_load / 1000).toFixed(0)} kB by load, figure ${row.figure_at_load ? "drawn" : "not drawn"})  CLS ${row.layout_shift_until_ready.toFixed(3)}  ready ${row.navigation_to_widgets_ready_ms.median.toFixed(0)} ms  INP ${inp.median === undefined ? inp.note : `worst slider ${inp.worst}: ${inp.median.toFixed(1)} / ${inp.p95.toFixed(1)} ms, max ${inp.max.toFixed(0)}`}`);
  }
  // Across every page's sliders: the one whose key presses were slowest.
  const everySlider = out.pages.flatMap((r) => (r.slider_interaction_to_next_paint_ms.sliders ?? []).map((x) => ({ page: r.page, ...x })));
  if (everySlider.length) {
    const w = everySlider.reduce((a, b) => (b.p95 > a.p95 || (b.p95 === a.p95 && b.max > a.max) ? b : a));
    out.worst_slider = { page: w.page, slider: w.slider, median: w.median, p95: w.p95, max: w.max };
    out.presses_over_100ms = everySlider.reduce((n, x) => n + x.over_100ms, 0);
    console.error(`worst slider: ${w.page} ${w.slider}: median ${w.median.toFixed(1)} ms, p95 ${w.p95.toFixed(1)} ms, max ${w.max.toFixed(0)} ms; ${out.presses_over_100ms} of ${everySlider.length * MOVES} presses over 100 ms`);
  }
  // The heaviest sliders #34 named: the GIL timeline's callers at 50,000
  // callers, and the burst at its largest (both simulate on every press).
  out.heavy_sliders = [];
  for (const [p, opts] of [["comparison/gil.html?n=50000", { only: "n-slider" }], ["comparison/concurrency.html", { only: "k-slider", first: "End" }]]) {
    const r = await interactions(srv.base + p, opts);
    out.heavy_sliders.push({ page: p, ...r });
    console.error(`heavy slider ${p} ${opts.only}: median ${r.median.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, max ${r.max.toFixed(0)} ms, ${r.sliders[0].over_100ms} of ${MOVES} presses over 100 ms`);
  }
  out.reading_session = await session();
  console.error(`reading session (${SESSION.length} pages, cache kept): ${(out.reading_session.compressed_bytes / 1024).toFixed(0)} KiB, the module fetched ${out.reading_session.module_fetches} time(s)`);

  if (only) {
    // A look by hand: every slider's numbers, where its slow presses' time went.
    for (const r of out.pages) console.error(r.page, JSON.stringify(r.slider_interaction_to_next_paint_ms.sliders ?? []));
    process.exit(0);
  }
  // The worst-case figures below are timed on the throughput page, in the module with every widget.
  const { page, context } = await openPage(browser);
  await page.addInitScript(() => { window.__widgetsModule = "all"; });
  await page.goto(srv.base + PAGE);
  await page.waitForFunction(() => document.querySelector("[data-widget]").dataset.state === "ready");
  out.model_in_wasm = JSON.parse(await page.evaluate(() => wasm_bindgen.widgets_bench_model()));

  // Worst case: every simulating figure's complete computation at every
  // corner of the reachable box (charts::worst), one call per corner.
  const figures = JSON.parse(await page.evaluate(() => wasm_bindgen.widgets_bench_worst_list()));
  out.worst_case_in_wasm = [];
  for (const [i, f] of figures.entries()) {
    const runs = [];
    for (let c = 0; c < f.corners; c++) {
      runs.push(JSON.parse(await page.evaluate(([i, c]) => wasm_bindgen.widgets_bench_worst(i, c), [i, c])));
    }
    const worst = runs.reduce((a, b) => (b.ms > a.ms ? b : a));
    out.worst_case_in_wasm.push({
      figure: f.figure, widget: f.widget, corners: f.corners,
      worst_ms: worst.ms, worst_at: worst.at,
      max_events: Math.max(...runs.map((r) => r.events ?? 0)),
      errors: runs.filter((r) => r.error).map((r) => `${r.at}: ${r.error}`),
    });
    console.error(`worst in wasm: ${f.figure.padEnd(26)} ${worst.ms.toFixed(1).padStart(9)} ms at ${worst.at}`);
  }
  await context.close();

  // The same worst corners as a reader meets them: the page opened with the
  // corner's link, timed from navigation to the figure's completion marker
  // (its tasks, drawing and the page's other widgets included).
  const progressive = [
    { figure: "p99 curve", page: "comparison/latency.html", done: "[data-p99-done]", key: "p99Done" },
    { figure: "p99 curve", page: "limits/gil-contention.html", done: "[data-p99-done]", key: "p99Done" },
    { figure: "cards", page: "limits/io-concurrency.html", done: "[data-complete]", key: "complete" },
    { figure: "p99 heatmap", page: "limits/conditions.html", done: "[data-complete]", key: "complete", click: "metric-p99" },
    // The same in 4 simulation workers (the default is one per core, 2 here) and in none (tasks on the page).
    { figure: "p99 heatmap", page: "limits/conditions.html", done: "[data-complete]", key: "complete", click: "metric-p99", workers: 4 },
    { figure: "p99 heatmap", page: "limits/conditions.html", done: "[data-complete]", key: "complete", click: "metric-p99", workers: 0 },
    { figure: "pool size", page: "comparison/pool-size.html", done: "[data-complete]", key: "complete" },
    { figure: "your service", page: "service.html", done: "[data-complete]", key: "complete" },
    { figure: "open load", page: "limits/open-closed.html", done: "[data-complete]", key: "complete", extra: "&rate=1000000&timeout=600000" },
    { figure: "batches (5,000 keys, 128 nodes)", page: "comparison/batches.html", done: "[data-complete]", key: "complete", extra: "&keys=5000&nodes=128" },
  ];
  out.worst_case_on_page = [];
  for (const w of progressive) {
    const at = out.worst_case_in_wasm.find((f) => f.figure === w.figure).worst_at;
    const q = Object.fromEntries(at.split(" ").map((kv) => kv.split("=")));
    const link = `?io=${q.io}&n=${q.n}&pool=${q.pool}&cores=${q.cores}&cpu=${q.cpu}&bg=${q.bg}&machine=${q.machine}${w.extra ?? ""}`;
    const { page, context } = await openPage(browser);
    if (w.workers !== undefined) await page.addInitScript((n) => { window.__widgetsWorkers = n; }, w.workers);
    await page.goto(srv.base + w.page + link);
    await page.waitForFunction(() => [...document.querySelectorAll("[data-widget]")].every((e) => e.dataset.state === "ready"), null, { timeout: 0 });
    let t0 = 0;
    if (w.click) {
      t0 = await page.evaluate(() => performance.now());
      await page.getByTestId(w.click).check();
    }
    await page.waitForFunction(([sel, key]) => document.querySelector(sel).dataset[key] === "true", [w.done, w.key], { timeout: 0 });
    const t1 = await page.evaluate(() => performance.now());
    const workers = await page.evaluate(() => window.__widgetsPool?.size() ?? 0);
    out.worst_case_on_page.push({ page: w.page, link, ms: t1 - t0, from: w.click ? "switching to p99" : "navigation", workers });
    console.error(`worst on page: ${(w.page + link).padEnd(70)} ${(t1 - t0).toFixed(0)} ms (${workers} workers)`);
    await context.close();
  }

  // JS heap (after a forced collection) and the module's linear memory, after
  // load and after 100 slider moves, on every widget page.
  const heapPages = ["comparison/throughput.html", "comparison/requests.html", "limits/gil-contention.html", "limits/io-concurrency.html", "comparison/pool-size.html"];
  out.memory_after_load_and_100_moves = [];
  for (const p of heapPages) {
    const { page, context } = await openPage(browser);
    const cdp = await context.newCDPSession(page);
    const measure = async () => {
      await cdp.send("HeapProfiler.collectGarbage");
      const { usedSize } = await cdp.send("Runtime.getHeapUsage");
      return { js_heap_bytes: usedSize };
    };
    await page.goto(srv.base + p);
    await page.waitForFunction(() => [...document.querySelectorAll("[data-widget]")].every((e) => e.dataset.state === "ready"));
    const loaded = await measure();
    await page.getByTestId("n-slider").first().focus();
    for (let i = 0; i < 100; i++) await page.keyboard.press(i % 2 ? "ArrowLeft" : "ArrowRight");
    await page.waitForFunction(() => [...document.querySelectorAll("[data-complete],[data-p99-done]")]
      .every((e) => (e.dataset.complete ?? e.dataset.p99Done) === "true"), null, { timeout: 0 });
    const moved = await measure();
    out.memory_after_load_and_100_moves.push({ page: p, js_heap_after_load: loaded.js_heap_bytes, js_heap_after_100_moves: moved.js_heap_bytes });
    await context.close();
  }
} finally {
  await browser.close();
  srv.server.close();
}

const lastJson = (text) => JSON.parse(text.trim().split("\n").filter((l) => l.startsWith("{")).pop());
const root = path.resolve(import.meta.dirname, "../..");
try {
  out.model_native = lastJson(execFileSync("cargo", ["bench", "-q", "-p", "perfmodel"], { cwd: root, encoding: "utf8" }));
} catch (e) {
  out.model_native = { error: String(e.message).split("\n")[0] };
}
try {
  out.worst_case_native = lastJson(execFileSync("cargo", ["bench", "-q", "-p", "charts", "--bench", "worst"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }));
} catch (e) {
  out.worst_case_native = { error: String(e.message).split("\n")[0] };
}

const text = JSON.stringify(out, null, 2);
console.log(text);
if (process.env.OUT) fs.writeFileSync(process.env.OUT, text + "\n");
