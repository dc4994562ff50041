// `cargo xtask bench`: the numbers the site is judged by. Printed and written
// as JSON to $OUT. Timings are reported, never asserted (the machine is shared).
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { execFileSync } from "node:child_process";
import { DIST, serve, launch, openPage } from "./harness.mjs";

const PAGE = "comparison/throughput.html";
const LOADS = 7;
const MOVES = 40;

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
const pick = (re) => path.join(widgetsDir, fs.readdirSync(widgetsDir).find((f) => re.test(f)));
const out = {
  wasm_bytes: sizes(pick(/^widgets-[0-9a-f]+\.wasm$/)),
  glue_js_bytes: sizes(pick(/^widgets-[0-9a-f]+\.js$/)),
};

const srv = await serve();
const browser = await launch();
try {
  // Cold loads: a fresh context (empty cache) each time.
  const ready = [];
  let transferred = 0;
  for (let i = 0; i < LOADS; i++) {
    const { page, context } = await openPage(browser);
    const pending = [];
    page.on("requestfinished", (r) => pending.push(r.sizes()));
    await page.goto(srv.base + PAGE);
    await page.waitForFunction(() => [...document.querySelectorAll("[data-widget]")].every((e) => e.dataset.state === "ready"));
    ready.push(await page.evaluate(() => performance.now()));
    await page.waitForLoadState("networkidle");
    const all = await Promise.all(pending);
    transferred = all.reduce((n, s) => n + s.responseBodySize + s.responseHeadersSize, 0);
    out.page_requests = all.length;
    await context.close();
  }
  out.page = PAGE;
  out.page_transferred_bytes = transferred; // served uncompressed by the test server
  out.navigation_to_widgets_ready_ms = { median: median(ready), runs: ready.map((x) => Math.round(x)) };

  // Interaction to next paint: keydown on a slider until the frame after it.
  const { page, context } = await openPage(browser);
  await page.goto(srv.base + PAGE);
  await page.waitForFunction(() => document.querySelector("[data-widget]").dataset.state === "ready");
  await page.evaluate(() => {
    window.__inp = [];
    window.__events = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.interactionId) window.__events.push(e.duration);
    }).observe({ type: "event", durationThreshold: 16, buffered: true });
    document.addEventListener("keydown", (ev) => {
      const t0 = ev.timeStamp;
      requestAnimationFrame(() => setTimeout(() => window.__inp.push(performance.now() - t0), 0));
    }, true);
  });
  await page.getByTestId("io-slider").focus();
  for (let i = 0; i < MOVES; i++) {
    await page.keyboard.press(i % 2 ? "ArrowLeft" : "ArrowRight");
    await page.waitForFunction((n) => window.__inp.length >= n, i + 1);
  }
  const inp = await page.evaluate(() => window.__inp);
  const events = await page.evaluate(() => window.__events);
  out.slider_interaction_to_next_paint_ms = {
    moves: MOVES, median: median(inp), p95: pct(inp, 0.95),
    event_timing_entries_over_16ms: events.length,
    event_timing_max_ms: events.length ? Math.max(...events) : 0,
  };
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
    { figure: "pool size", page: "comparison/pool-size.html", done: "[data-complete]", key: "complete" },
    { figure: "your service", page: "service.html", done: "[data-complete]", key: "complete" },
    { figure: "open load", page: "limits/open-closed.html", done: "[data-complete]", key: "complete", extra: "&rate=1000000&timeout=600000" },
  ];
  out.worst_case_on_page = [];
  for (const w of progressive) {
    const at = out.worst_case_in_wasm.find((f) => f.figure === w.figure).worst_at;
    const q = Object.fromEntries(at.split(" ").map((kv) => kv.split("=")));
    const link = `?io=${q.io}&n=${q.n}&pool=${q.pool}&cores=${q.cores}&cpu=${q.cpu}&bg=${q.bg}&machine=${q.machine}${w.extra ?? ""}`;
    const { page, context } = await openPage(browser);
    await page.goto(srv.base + w.page + link);
    await page.waitForFunction(() => [...document.querySelectorAll("[data-widget]")].every((e) => e.dataset.state === "ready"), null, { timeout: 0 });
    let t0 = 0;
    if (w.click) {
      t0 = await page.evaluate(() => performance.now());
      await page.getByTestId(w.click).check();
    }
    await page.waitForFunction(([sel, key]) => document.querySelector(sel).dataset[key] === "true", [w.done, w.key], { timeout: 0 });
    const t1 = await page.evaluate(() => performance.now());
    out.worst_case_on_page.push({ page: w.page, link, ms: t1 - t0, from: w.click ? "switching to p99" : "navigation" });
    console.error(`worst on page: ${(w.page + link).padEnd(70)} ${(t1 - t0).toFixed(0)} ms`);
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
