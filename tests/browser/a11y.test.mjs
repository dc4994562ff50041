// Accessibility in every mdBook theme: axe-core over whole pages, mdBook's
// own chrome included (zero violations), and the chart palette's contrast (WCAG 2.1: 3:1 for graphics such as curves, 4.5:1
// for text).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { DIST, serve, launch, openPage, allPages, withoutPrintDialog } from "./harness.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const THEMES = ["light", "rust", "coal", "navy", "ayu"];
// Every built page (print.html, 404.html and toc.html, the no-JS sidebar frame's document, included), found rather than listed.
const PAGES = allPages();
const hasWidget = (p) => fs.readFileSync(path.join(DIST, p), "utf8").includes("data-widget=");
let browser, srv;

before(async () => { srv = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); srv?.server.close(); });

/** axe over the page's whole document (axe already injected): its result, after requiring that it checked something. */
async function runAxe(page, label) {
  // axe leaves WCAG 2.2's target size (24 px) off by default: this site holds itself to it.
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"], rules: { "target-size": { enabled: true } } }));
  assert.ok(result.passes.length > 0, `${label}: axe checked nothing`);
  return result;
}

/** One line per violated rule: where, what, the first nodes. */
function findings(result, label) {
  return result.violations.map((v) => `${label}: ${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}

/** axe over the whole document of every page, every tab of a tab group opened in turn. */
async function audit(page, theme) {
  const problems = [];
  for (const p of PAGES) {
    await page.goto(srv.base + p);
    // toc.html runs no script: it shows mdBook's no-JS colours (light, or coal-like when the system is dark).
    if (p !== "toc.html") await page.waitForFunction((t) => document.documentElement.classList.contains(t), theme);
    if (hasWidget(p)) {
      await page.waitForFunction(() => [...document.querySelectorAll("[data-widget]")].every((e) => e.dataset.state === "ready"));
    }
    await page.addScriptTag({ path: AXE });
    const tabs = await page.locator("[role=tab]").count();
    for (let t = 0; t < Math.max(tabs, 1); t++) {
      if (tabs) await page.locator("[role=tab]").nth(t).click();
      const result = await runAxe(page, p);
      // Rules ran and passed: on the page's landmarks, and on the widgets' labelled controls.
      if (p !== "toc.html") assert.ok(result.passes.some((r) => r.id === "region"), `${p}: axe saw no landmarks`);
      assert.ok([...result.passes, ...result.violations].some((r) => r.id === "target-size"), `${p}: axe checked no target size`);
      if (await page.locator("[data-widget] input").count()) {
        assert.ok(result.passes.some((r) => r.id === "label"), `${p}: axe saw no labelled controls`);
      }
      problems.push(...findings(result, `${p}${tabs ? ` tab ${t}` : ""}`));
    }
  }
  return problems;
}

for (const theme of THEMES) {
  test(`no axe violations on any page in the ${theme} theme`, async () => {
    const { page, context } = await openPage(browser);
    await page.addInitScript((t) => localStorage.setItem("mdbook-theme", t), theme);
    const problems = await audit(page, theme);
    assert.ok(PAGES.length >= 17 && PAGES.includes("toc.html"), `pages found: ${PAGES.join(", ")}`);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test("no axe violations on any page at phone width, system dark", async () => {
  // Narrow screens make more code blocks and tables scroll sideways; each must stay keyboard-reachable.
  // A dark system setting also puts toc.html (no script) in mdBook's no-JS dark colours.
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: "dark" });
  await withoutPrintDialog(context);
  const page = await context.newPage();
  page.setDefaultTimeout(90_000);
  await page.addInitScript(() => localStorage.setItem("mdbook-theme", "light"));
  assert.deepEqual(await audit(page, "light"), []);
  await context.close();
});

test("no axe violations on any page without JavaScript, light and dark system settings", async () => {
  // What a reader without JavaScript gets: no script runs (mdBook's no-JS
  // colours, its <noscript> TOC frame and sidebar label) and every
  // <noscript> shows (what needs JavaScript, under each build-time figure). Chromium is told to
  // fetch no script and each page arrives with its scripts removed and its
  // <noscript> elements as plain elements, so axe itself can still run.
  const problems = [];
  for (const colorScheme of ["light", "dark"]) {
    const context = await browser.newContext({ colorScheme, viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(90_000);
    await page.route("**/*", async (route) => {
      if (route.request().resourceType() === "script") return route.abort();
      const response = await route.fetch();
      if (!(response.headers()["content-type"] ?? "").startsWith("text/html")) return route.fulfill({ response });
      const body = (await response.text())
        .replace(/<script\b[\s\S]*?<\/script>/g, "")
        .replace(/<noscript>/g, "<div data-noscript>").replace(/<\/noscript>/g, "</div>");
      return route.fulfill({ response, body });
    });
    for (const p of PAGES) {
      await page.goto(srv.base + p);
      assert.equal(await page.evaluate(() => document.documentElement.classList.contains("js")), false, `${p}: a script ran`);
      if (hasWidget(p)) assert.ok(await page.locator(".widget-first .widget-static, .widget-first table").count() > 0, `${p}: no build-time figure shown`);
      await page.addScriptTag({ path: AXE });
      problems.push(...findings(await runAxe(page, p), `${colorScheme} ${p}`));
    }
    await context.close();
  }
  assert.deepEqual(problems, []);
});

function luminance(hex) {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function contrast(a, b) {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

test("chart colours keep WCAG contrast against the chart background in every theme", async () => {
  const { page, context } = await openPage(browser);
  const low = [];
  for (const theme of THEMES) {
    await page.addInitScript((t) => localStorage.setItem("mdbook-theme", t), theme);
    await page.goto(srv.base + "comparison/throughput.html");
    await page.waitForFunction((t) => document.documentElement.classList.contains(t), theme);
    const v = await page.evaluate(() => {
      const cs = getComputedStyle(document.documentElement);
      const get = (n) => cs.getPropertyValue(n).trim();
      return { bg: get("--widget-bg"), fg: get("--widget-fg"), sync: get("--widget-sync"),
               executor: get("--widget-executor"), tokio: get("--widget-tokio") };
    });
    for (const [name, min] of [["fg", 4.5], ["sync", 3], ["executor", 3], ["tokio", 3]]) {
      const c = contrast(v[name], v.bg);
      if (!(c >= min)) low.push(`${theme}: ${name} ${v[name]} on ${v.bg} is ${c.toFixed(2)}:1, needs ${min}:1`);
    }
  }
  assert.deepEqual(low, []);
  await context.close();
});
