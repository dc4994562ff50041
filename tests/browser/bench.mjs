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
  await context.close();

  // JS heap (after a forced collection) and the module's linear memory, after
  // load and after 100 slider moves, on every widget page.
  const heapPages = ["comparison/throughput.html", "comparison/requests.html", "limits/gil-contention.html", "limits/io-concurrency.html"];
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
      .every((e) => (e.dataset.complete ?? e.dataset.p99Done) === "true"), null, { timeout: 180_000 });
    const moved = await measure();
    out.memory_after_load_and_100_moves.push({ page: p, js_heap_after_load: loaded.js_heap_bytes, js_heap_after_100_moves: moved.js_heap_bytes });
    await context.close();
  }
} finally {
  await browser.close();
  srv.server.close();
}

try {
  const native = execFileSync("cargo", ["bench", "-q", "-p", "perfmodel"], { cwd: path.resolve(import.meta.dirname, "../.."), encoding: "utf8" });
  out.model_native = JSON.parse(native.trim().split("\n").filter((l) => l.startsWith("{")).pop());
} catch (e) {
  out.model_native = { error: String(e.message).split("\n")[0] };
}

const text = JSON.stringify(out, null, 2);
console.log(text);
if (process.env.OUT) fs.writeFileSync(process.env.OUT, text + "\n");
