// Where a slider move's milliseconds go: CPU-profile MOVES keyboard steps on
// a page's first visible slider and print the self time of the heaviest
// functions, per move. Run by hand (not a test, not the bench):
//   DIST=dist RAW=target/widgets/KEY/widgets_bg.wasm (KEY: the page's module, see dist/widgets/modules.json) node tests/browser/profile.mjs comparison/throughput.html [tab]
// RAW swaps in the unoptimised module, whose function names survive.
// With a tab index, that tab of the page's tab group is opened first.
import fs from "node:fs";
import path from "node:path";
import { DIST, serve, launch, openPage } from "./harness.mjs";

const [pagePath = "comparison/throughput.html", tab] = process.argv.slice(2);
const MOVES = 20;

const srv = await serve();
const browser = await launch();
try {
  const { page, context } = await openPage(browser);
  if (process.env.RAW) {
    const raw = fs.readFileSync(process.env.RAW);
    await page.route(/widgets-[0-9a-f]+\.wasm$/, (route) => route.fulfill({ body: raw, contentType: "application/wasm" }));
  }
  await page.goto(srv.base + pagePath);
  await page.waitForFunction(() => [...document.querySelectorAll("[data-widget]")].every((e) => e.dataset.state === "ready"));
  if (tab !== undefined) await page.getByTestId(`tab-${tab}`).click();
  const slider = page.locator("input[type=range]:visible").first();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
  await page.evaluate(() => {
    window.__done = 0;
    window.__events = [];
    window.__windows = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.interactionId) {
      window.__events.push(`${e.name} ${e.duration} (delay ${Math.round(e.processingStart - e.startTime)}, handlers ${Math.round(e.processingEnd - e.processingStart)})`);
      if (e.name === "keydown") window.__windows.push([e.processingStart, e.processingEnd]);
    } })
      .observe({ type: "event", durationThreshold: 16 });
    document.addEventListener("keydown", () => requestAnimationFrame(() => setTimeout(() => window.__done++, 0)), true);
  });
  await slider.focus();
  await cdp.send("Profiler.start");
  // A marker the profile can be aligned on: its samples are at this performance.now().
  const mark = await page.evaluate(() => { const t = performance.now(); (function __profile_marker() { while (performance.now() - t < 5); })(); return t; });
  for (let i = 0; i < MOVES; i++) {
    await page.keyboard.press(i % 2 ? "ArrowLeft" : "ArrowRight");
    await page.waitForFunction((n) => window.__done >= n, i + 1);
  }
  const { profile } = await cdp.send("Profiler.stop");
  const events = await page.evaluate(() => window.__events);
  const dt = profile.timeDeltas;
  const self = new Map();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  profile.samples.forEach((id, i) => {
    const n = byId.get(id);
    const name = `${n.callFrame.functionName || "(anonymous)"} ${path.basename(n.callFrame.url || "")}`.trim();
    self.set(name, (self.get(name) ?? 0) + (dt[i] ?? 0) / 1000);
  });
  // Only the samples inside keydown handlers (Event Timing's processing window).
  if (process.env.HANDLERS) {
    const windows = await page.evaluate(() => window.__windows);
    let t = profile.startTime;
    const times = dt.map((d) => (t += d));
    const markAt = times[profile.samples.findIndex((id) => byId.get(id).callFrame.functionName === "__profile_marker")];
    console.log(`keydown processing windows: ${windows.length}, ${(windows.reduce((n, [a, b]) => n + b - a, 0) / windows.length).toFixed(1)} ms each on average`);
    self.clear();
    profile.samples.forEach((id, i) => {
      const at = (times[i] - markAt) / 1000 + mark;
      if (!windows.some(([a, b]) => at >= a && at <= b)) return;
      const n = byId.get(id);
      const name = `${n.callFrame.functionName || "(anonymous)"} ${path.basename(n.callFrame.url || "")}`.trim();
      self.set(name, (self.get(name) ?? 0) + (dt[i] ?? 0) / 1000);
    });
  }
  const busy = [...self.entries()].filter(([k]) => !/^\((idle|program|garbage collector)\)/.test(k));
  const total = busy.reduce((n, [, v]) => n + v, 0);
  console.log(`${pagePath}${tab !== undefined ? ` tab ${tab}` : ""}: ${MOVES} moves, ${(total / MOVES).toFixed(1)} ms of script per move; Event Timing entries over 16 ms: ${events.length}`);
  console.log(events.join("\n"));
  // The same time in a few buckets, by function name.
  const BUCKETS = [
    ["simulator", /perfmodel::sim|binary_heap|Event as core::cmp/],
    ["analytic model", /perfmodel::/],
    ["drawing (plotters, canvas)", /plotters|CanvasRenderingContext|__wbg_(fillText|stroke|fill|lineTo|moveTo|beginPath|arc|measureText|set_font|set_fill|set_stroke|set_line)|fillText|stroke|measureText/],
    ["layout reads (forced layout)", /clientWidth|offsetHeight|offsetWidth|getBoundingClientRect/],
    ["DOM updates (Leptos views)", /nodeValue|setAttribute|set_attribute|textContent|tachys|leptos|reactive_graph/],
    ["history and storage", /replaceState|setItem|replace_state|set_item/],
  ];
  const buckets = new Map();
  for (const [k, v] of busy) {
    const b = BUCKETS.find(([, re]) => re.test(k))?.[0] ?? "other";
    buckets.set(b, (buckets.get(b) ?? 0) + v);
  }
  for (const [b, v] of [...buckets.entries()].sort((a, b) => b[1] - a[1])) console.log(`${(v / MOVES).toFixed(2).padStart(7)} ms  [${b}]`);
  console.log("heaviest functions outside the buckets:");
  for (const [k, v] of busy.filter(([k]) => !BUCKETS.some(([, re]) => re.test(k))).sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${(v / MOVES).toFixed(2).padStart(7)} ms  ${k}`);
  for (const k of ["(program)", "(idle)"]) console.log(`${((self.get(k) ?? 0) / MOVES).toFixed(2).padStart(7)} ms  ${k}`);
  const gc = self.get("(garbage collector)") ?? 0;
  console.log(`${(gc / MOVES).toFixed(2).padStart(7)} ms  (garbage collector)`);
  await context.close();
} finally {
  await browser.close();
  srv.server.close();
}
