// Fuzz: hostile and random scenario links on every widget page, and every slider at both
// ends of its range. No console error, no panic, every widget still data-state="ready".
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { DIST, serve, launch, openPage, figuresSettled, allPages } from "./harness.mjs";

const PAGES = allPages().filter((p) => p !== "print.html" && fs.readFileSync(path.join(DIST, p), "utf8").includes("data-widget="));
const KEYS = ["io", "n", "mem", "pool", "cores", "cpu", "bg"];
const HOSTILE = ["", "NaN", "-1", "-0", "1e999", "-1e999", "Infinity", "0x10", "1,5", "%00", "%3Cscript%3E", "9".repeat(400), "1e-320", "２"];
const LINKS_PER_PAGE = 4;

// A small seeded generator (mulberry32): the same links on every run.
function rng(seed) {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function randomLink(r) {
  const parts = [];
  for (const k of KEYS) {
    if (r() < 0.4) continue;
    const v = r() < 0.5 ? HOSTILE[Math.floor(r() * HOSTILE.length)] : String(Math.round(10 ** (r() * 12 - 4) * 1000) / 1000 * (r() < 0.1 ? -1 : 1));
    parts.push(`${k}=${v}`);
  }
  if (r() < 0.3) parts.push("junk=%3Cimg%20src=x%3E");
  return "?" + parts.join("&");
}

let browser, srv;
before(async () => { srv = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); srv?.server.close(); });

/** Wait until no widget is loading and no progressive computation is still running (a failed widget runs none). */
async function quiet(page) {
  await page.waitForFunction(figuresSettled, true, { timeout: 0 });
  return page.$$eval("[data-widget]", (els) => els.map((e) => `${e.dataset.widget}:${e.dataset.state}`));
}

test(`${LINKS_PER_PAGE} seeded hostile links per widget page leave every widget ready`, async (t) => {
  const r = rng(20261125);
  let loads = 0;
  for (const p of PAGES) {
    for (let i = 0; i < LINKS_PER_PAGE; i++) {
      const link = randomLink(r);
      const { page, log, context } = await openPage(browser);
      await page.goto(srv.base + p + link);
      const states = await quiet(page);
      assert.ok(states.every((s) => s.endsWith(":ready")), `${p}${link}: ${states.join(", ")}`);
      assert.deepEqual(log.errors, [], `${p}${link}`);
      loads++;
      await context.close();
    }
  }
  t.diagnostic(`${loads} page loads over ${PAGES.length} pages`);
});

test("every slider at both ends of its range leaves every widget ready", async (t) => {
  let moves = 0;
  for (const p of PAGES) {
    const { page, log, context } = await openPage(browser);
    await page.goto(srv.base + p);
    await quiet(page);
    // Sliders in a tab group's hidden panels are reached by opening each tab.
    const tabs = await page.locator("[role=tab]").count();
    for (let tab = 0; tab < Math.max(tabs, 1); tab++) {
      if (tabs) await page.locator("[role=tab]").nth(tab).click();
      const sliders = page.locator("[data-widget] input[type=range]");
      const count = await sliders.count();
      for (let i = 0; i < count; i++) {
        const s = sliders.nth(i);
        if (!(await s.isVisible())) continue;
        for (const key of ["End", "Home"]) {
          await s.focus();
          await page.keyboard.press(key);
          const states = await quiet(page);
          assert.ok(states.every((x) => x.endsWith(":ready")), `${p} tab ${tab} slider ${i} ${key}: ${states.join(", ")}`);
          moves++;
        }
      }
    }
    assert.deepEqual(log.errors, [], p);
    await context.close();
  }
  t.diagnostic(`${moves} slider moves to an extreme over ${PAGES.length} pages`);
  assert.ok(moves >= 40, `only ${moves} slider moves`);
});

test("switching the theme redraws every visible chart on every widget page in the new colours", async (t) => {
  let charts = 0;
  for (const p of PAGES) {
    const { page, log, context } = await openPage(browser);
    await page.goto(srv.base + p);
    await quiet(page);
    const visible = "[data-widget] canvas:not([hidden])";
    const before = await page.$$eval(visible, (cs) => cs.filter((c) => c.offsetParent !== null).map((c) => c.toDataURL()));
    if (before.length === 0) { await context.close(); continue; }
    await page.click("#mdbook-theme-toggle");
    await page.click("#mdbook-theme-coal");
    await page.waitForFunction(() => document.documentElement.classList.contains("coal"));
    await page.waitForFunction((b) => {
      const now = [...document.querySelectorAll("[data-widget] canvas:not([hidden])")].filter((c) => c.offsetParent !== null);
      return now.length === b.length && now.every((c, i) => c.toDataURL() !== b[i]);
    }, before);
    // Coal's chart background is dark.
    const corners = await page.$$eval(visible, (cs) => cs.filter((c) => c.offsetParent !== null)
      .map((c) => [...c.getContext("2d").getImageData(1, 1, 1, 1).data].slice(0, 3).reduce((a, b) => a + b, 0)));
    assert.ok(corners.every((x) => x < 3 * 80), `${p}: ${corners}`);
    charts += before.length;
    assert.deepEqual(log.errors, [], p);
    await context.close();
  }
  t.diagnostic(`${charts} charts redrawn`);
});
