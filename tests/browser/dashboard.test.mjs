// The results dashboard in real Chromium: the shipped runs (the lab's and the
// ten aerospike-py published), and the project's fixture reports (broken and
// partial files) put in their place, their payload computed by the
// preprocessor binary itself (`mdbook-widgets payload`).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import { createRequire } from "node:module";
import { serve, launch, openPage, widgetsSettled, DIST } from "./harness.mjs";

const ROOT = path.resolve(import.meta.dirname, "../..");
const PAGE = "results/dashboard.html";
const FIXTURES = process.env.DASHBOARD_FIXTURES ?? path.join(ROOT, "crates/reports/tests/fixtures");
let browser, srv, payload;

before(async () => {
  srv = await serve();
  browser = await launch();
  const bin = path.join(ROOT, "target/release/mdbook-widgets");
  payload = execFileSync(bin, ["payload", FIXTURES], { encoding: "utf8" }).trim();
});
after(async () => { await browser?.close(); srv?.server.close(); });

/** Open the dashboard with the fixture payload in place of the shipped one. */
async function withFixtures() {
  const { page, log, context } = await openPage(browser);
  await page.route("**/" + PAGE, async (route) => {
    const res = await route.fetch();
    const html = await res.text();
    // The build moves a payload this large out of the page (`data-src`); the fixtures' goes back in.
    const re = /<script type="application\/json" class="widget-bundle"[^>]*>[\s\S]*?<\/script>/;
    assert.match(html, re, "the page names a reports payload");
    const body = html.replace(re, () => INLINE + payload.replace(/<\//g, "<\\/") + "</script>");
    await route.fulfill({ response: res, body });
  });
  await page.goto(srv.base + PAGE);
  const states = await widgetsSettled(page);
  assert.deepEqual(states.map((s) => s.state), ["ready"], JSON.stringify(states));
  return { page, log, context };
}

/** A widget's data as the page carries it inline. */
const INLINE = '<script type="application/json" class="widget-bundle">';

const pick = async (page, label) => {
  const value = await page.getByTestId("run-picker").locator("option", { hasText: label }).getAttribute("value");
  await page.getByTestId("run-picker").selectOption(value);
  await page.waitForFunction((v) => document.querySelector("[data-widget]").dataset.run === v, value);
};

test("the shipped site shows the lab's own reports: the quiet re-run's grid first, the batch grid and the calibrating grid a pick away", async () => {
  const { page, log, context } = await openPage(browser);
  await page.goto(srv.base + PAGE);
  const states = await widgetsSettled(page);
  assert.deepEqual(states.map((s) => s.state), ["ready"], JSON.stringify(states));
  assert.ok((await page.getByTestId("run-picker").locator("option").count()) >= 1);
  assert.match(await page.locator("[data-panel=environment]").textContent(), /mode\s*full/);
  // The newest lab report is the quiet re-run of the grid, with how quiet each cell was.
  assert.ok((await page.locator("[data-panel=io-grid] canvas[data-chart]").count()) >= 6);
  assert.match(await page.locator("[data-panel=environment]").textContent(), /quiet_limit\s*0\.1/);
  // The batch grid: a chart per node count, and the way to the cluster page.
  await pick(page, "2026-12-06 08:20");
  assert.equal(await page.locator("[data-panel=batch-grid] canvas[data-chart]").count(), 3);
  assert.deepEqual(await blankCanvases(page, "[data-panel=batch-grid] canvas[data-chart]"), []);
  assert.equal(await page.locator("[data-panel=batch-grid] a[href$='comparison/batches.html']").count(), 1);
  assert.equal(await page.locator("[data-panel] .widget-error").count(), 0);
  await pick(page, "2026-12-01 20:09");
  assert.ok((await page.locator("[data-panel=io-grid] canvas[data-chart]").count()) >= 6);
  assert.equal(await page.locator("[data-panel] .widget-error").count(), 0);
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("with no reports the dashboard says so and how to add one", async () => {
  const { page, log, context } = await openPage(browser);
  await page.route("**/" + PAGE, async (route) => {
    const res = await route.fetch();
    const html = (await res.text()).replace(/<script type="application\/json" class="widget-bundle"[^>]*>[\s\S]*?<\/script>/,
      () => INLINE + JSON.stringify({ runs: [], folder_errors: [] }) + "</script>");
    await route.fulfill({ response: res, body: html });
  });
  await page.goto(srv.base + PAGE);
  await widgetsSettled(page);
  const empty = await page.getByTestId("no-reports").textContent();
  assert.match(empty, /No reports yet\./);
  assert.match(empty, /book\/reports\/ with an index\.json/);
  assert.equal(await page.getByTestId("run-picker").count(), 0);
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("the newest run shows every panel, its charts drawn, sync against sync and async against async", async () => {
  const { page, log, context } = await withFixtures();
  const options = await page.getByTestId("run-picker").locator("option").allTextContents();
  assert.deepEqual(options, ["2026-11-20 10:00 · Linux x86_64, Python 3.11.7", "2026-11-19 09:00 · Linux x86_64, Python 3.11.7",
    "2026-11-18 07:00 (unreadable)", "2026-11-17 06:00 · Linux x86_64, Python 3.11.7", "2026-11-16 05:00 (unreadable)",
    "2025-06-01 08:00 · Darwin arm64, Python 3.12.0"]);
  // A folder whose index names no source has no groups.
  assert.equal(await page.getByTestId("run-picker").locator("optgroup").count(), 0);
  assert.equal(await page.locator("[data-panel]").count(), 15);
  assert.match(await page.locator("[data-panel=speedup]").textContent(), /in the same mode/);
  // Every canvas has been drawn on (not blank).
  const blank = await page.$$eval("canvas[data-chart]", (cs) => cs.filter((c) => {
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < d.length; i += 4) if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2]) return false;
    return true;
  }).map((c) => c.dataset.chart));
  assert.deepEqual(blank, []);
  assert.ok((await page.locator("canvas[data-chart]").count()) >= 10);
  // Takeaways: emphasis rendered, markup from the report shown as text.
  const take = page.locator("[data-panel=takeaways]");
  assert.equal(await take.locator("strong").first().textContent(), "2.0x");
  assert.equal(await take.locator("script").count(), 0);
  assert.match(await take.textContent(), /<script>alert\(1\)<\/script>/);
  // axe over the filled dashboard (the shipped, empty one is covered by a11y.test.mjs in every theme).
  await page.addScriptTag({ path: createRequire(import.meta.url).resolve("axe-core/axe.min.js") });
  const axe = await page.evaluate(() => window.axe.run({ include: document.querySelectorAll("[data-widget]") }, { resultTypes: ["violations"] }));
  assert.deepEqual(axe.violations.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`), []);
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("picking runs: absent sections, a malformed file and wrong field types stay in their own panel", async () => {
  const { page, log, context } = await withFixtures();
  await pick(page, "2026-11-19 09:00");
  // An absent section is named on the run's one "Not in this report" line.
  assert.equal(await page.locator("[data-panel=absent] [data-panel=data-size]").textContent(), "Data-size scaling");
  await pick(page, "2026-11-18 07:00");
  assert.match(await page.getByTestId("run-error").textContent(), /malformed\.json: not valid JSON/);
  await pick(page, "2026-11-17 06:00");
  assert.match(await page.locator("[data-panel=memory]").textContent(), /wrong-type\.json: field memory_profiling\.data/);
  assert.match(await page.locator("[data-panel=throughput]").textContent(), /field official_sync\.get\.avg_ms/);
  assert.match(await page.locator("[data-panel=operations]").textContent(), /aerospike-py sync/);
  await pick(page, "2026-11-16 05:00");
  assert.match(await page.getByTestId("run-error").textContent(), /not-uploaded\.json: listed in index\.json but not in the reports folder/);
  await pick(page, "2025-06-01 08:00");
  assert.match(await page.locator("[data-panel=operations]").textContent(), /query/);
  // Keyboard: the picker is a native select.
  await page.getByTestId("run-picker").focus();
  await page.keyboard.press("Home");
  await page.waitForFunction(() => document.querySelector("[data-widget]").dataset.run === "0");
  assert.deepEqual(log.errors, []);
  await context.close();
});

/** Every canvas the selector finds has been drawn on (not one flat colour). */
const blankCanvases = (page, selector) => page.$$eval(selector, (cs) => cs.filter((c) => {
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  for (let i = 0; i < d.length; i += 4) if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2]) return false;
  return true;
}).map((c) => c.dataset.chart));

test("the shipped runs are grouped by source: the lab's, then aerospike-py's ten published, each saying where it comes from", async () => {
  const { page, log, context } = await openPage(browser);
  await page.goto(srv.base + PAGE);
  await widgetsSettled(page);
  const groups = await page.$$eval("[data-testid=run-picker] optgroup", (gs) => gs.map((g) => [g.label, g.querySelectorAll("option").length]));
  assert.equal(groups.length, 2, JSON.stringify(groups));
  assert.equal(groups[0][0], "This project's measurement lab");
  assert.deepEqual(groups[1], ["aerospike-py's benchmark suite (published)", 10]);
  await pick(page, "2026-02-28 10:46 · Darwin arm64, Python 3.13.11");
  const env = page.locator("[data-panel=environment]");
  assert.match(await env.textContent(), /aerospike-py's benchmark suite \(published\)\..*commit 81bb94a/s);
  // Its terms ship with it.
  const terms = await env.locator("a", { hasText: "Terms of use" }).getAttribute("href");
  const res = await page.request.get(new URL(terms, page.url()).href);
  assert.equal(res.status(), 200);
  assert.match(await res.text(), /Apache License/);
  // The fullest published run fills every suite panel, every chart drawn.
  for (const id of ["data-size", "latency-sim", "memory", "numpy", "high-concurrency", "mixed", "concurrency", "takeaways"]) {
    assert.equal(await page.locator(`[data-panel=absent] [data-panel=${id}]`).count(), 0, id);
    assert.equal(await page.locator(`section[data-panel=${id}]`).count(), 1, id);
  }
  assert.ok((await page.locator("canvas[data-chart]").count()) >= 10);
  assert.deepEqual(await blankCanvases(page, "canvas[data-chart]"), []);
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("two runs side by side: the comparison first, each panel beside its counterpart, and the pair in the link", async () => {
  const { page, log, context } = await openPage(browser);
  await page.goto(srv.base + PAGE);
  await widgetsSettled(page);
  await pick(page, "2026-02-28 10:46 · Darwin arm64, Python 3.13.11");
  const vs = page.getByTestId("versus-picker");
  const value = await vs.locator("option", { hasText: "2026-02-27 22:26" }).getAttribute("value");
  await vs.selectOption(value);
  await page.waitForFunction((v) => document.querySelector("[data-widget]").dataset.versus === v, value);
  const compare = page.locator("[data-panel=compare]");
  assert.match(await compare.textContent(), /Run A is 2026-02-28 10:46.*run B is 2026-02-27 22:26/s);
  assert.match(await compare.textContent(), /Operations per second, by client: \d+ numbers in both; B ÷ A from/);
  assert.ok((await page.locator(".dash-pair").count()) >= 10);
  // Both sides drawn; sections the short run lacks say so on its side.
  assert.ok((await page.locator("[data-side=a] canvas[data-chart]").count()) >= 10);
  assert.equal(await page.locator("[data-side=b] canvas[data-chart]").count(), 2);
  assert.deepEqual(await blankCanvases(page, "[data-side] canvas[data-chart]"), []);
  assert.match(await page.locator("[data-side=b][data-panel=data-size]").textContent(), /not in this report/);
  const dupes = await page.$$eval("[id]", (els) => { const seen = new Set(), d = []; for (const e of els) { if (seen.has(e.id)) d.push(e.id); seen.add(e.id); } return d; });
  assert.deepEqual(dupes, []);
  await page.addScriptTag({ path: createRequire(import.meta.url).resolve("axe-core/axe.min.js") });
  const axe = await page.evaluate(() => window.axe.run({ include: document.querySelectorAll("[data-widget]") }, { resultTypes: ["violations"] }));
  assert.deepEqual(axe.violations.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`), []);
  // The link reproduces the pair; the scenario's own parameters stay beside it.
  const url = new URL(page.url());
  assert.equal(url.searchParams.get("run"), "2026-02-28_10-46.json");
  assert.equal(url.searchParams.get("vs"), "2026-02-27_22-26.json");
  const again = await browser.newPage();
  again.setDefaultTimeout(0);
  await again.goto(page.url());
  await widgetsSettled(again);
  assert.equal(await again.locator("[data-widget]").getAttribute("data-versus"), value);
  assert.equal(await again.locator("[data-panel=compare]").count(), 1);
  await again.close();
  // Back to one run.
  await vs.selectOption("");
  await page.waitForFunction(() => document.querySelector("[data-widget]").dataset.versus === "");
  assert.equal(await page.locator(".dash-pair").count(), 0);
  assert.equal(new URL(page.url()).searchParams.get("vs"), null);
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("from disk (file://) the runs and the comparison work too", async () => {
  const { page, log, context } = await openPage(browser);
  await page.goto(pathToFileURL(path.join(DIST, PAGE)).href + "?run=2026-02-28_10-46.json&vs=2026-02-28_01-36.json");
  await widgetsSettled(page);
  assert.equal(await page.locator("[data-panel=compare]").count(), 1);
  assert.deepEqual(await blankCanvases(page, "[data-side] canvas[data-chart]"), []);
  assert.deepEqual(log.errors, []);
  await context.close();
});
