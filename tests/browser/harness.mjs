// Shared browser-test harness: a static server for dist/ on 127.0.0.1, Debian's
// headless Chromium, and page helpers that wait on markers (never on sleeps).
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { chromium } from "playwright-core";

export const DIST = process.env.DIST ?? path.resolve(import.meta.dirname, "../../dist");
if (!fs.existsSync(path.join(DIST, "index.html"))) {
  throw new Error(`no built site at ${DIST}: run \`cargo xtask build\` (or \`cargo xtask test\`)`);
}

/**
 * The local-storage item that holds the reader's scenario, as the built
 * loader names it (from widget_props::link::STORAGE_KEY).
 */
export const STORE = (() => {
  const dir = path.join(DIST, "assets/generated");
  const loader = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => /^widgets-loader.*\.js$/.test(f)) : undefined;
  const m = loader && fs.readFileSync(path.join(dir, loader), "utf8").match(/var STORE = "([^"]+)"/);
  if (!m) throw new Error(`the built loader in ${dir} names no scenario storage item`);
  return m[1];
})();

const MIME = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css",
  ".wasm": "application/wasm", ".json": "application/json", ".svg": "image/svg+xml",
  ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".png": "image/png",
};

// What a static host such as GitHub Pages compresses.
const COMPRESSIBLE = new Set([".html", ".js", ".css", ".wasm", ".json", ".svg"]);

/**
 * Serve dist/ on an ephemeral 127.0.0.1 port. With `gzip`, compressible files
 * go out gzip-encoded to clients that accept it, as a static host sends them
 * (Lighthouse's transfer-time model then sees real transfer sizes). With
 * `cache`, every file may be kept ten minutes, as GitHub Pages says
 * (`cache-control: max-age=600`), so a reader's later pages take what an
 * earlier one fetched from the browser's cache; without it, nothing is kept.
 * `counts` tallies the requests that reached the server, by path.
 */
export function serve({ gzip = false, cache = false } = {}) {
  const counts = new Map();
  const packed = new Map();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    let file = path.join(DIST, decodeURIComponent(url.pathname));
    if (!file.startsWith(DIST)) { res.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    fs.readFile(file, (err, body) => {
      if (err) { res.writeHead(404).end("not found"); return; }
      counts.set(url.pathname, (counts.get(url.pathname) ?? 0) + 1);
      const headers = { "content-type": MIME[path.extname(file)] ?? "application/octet-stream" };
      if (cache) headers["cache-control"] = "max-age=600";
      if (gzip && COMPRESSIBLE.has(path.extname(file)) && /\bgzip\b/.test(req.headers["accept-encoding"] ?? "")) {
        if (!packed.has(file)) packed.set(file, zlib.gzipSync(body, { level: 9 }));
        body = packed.get(file);
        headers["content-encoding"] = "gzip";
        headers["vary"] = "accept-encoding";
      }
      res.writeHead(200, headers);
      res.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => {
    resolve({ server, counts, base: `http://127.0.0.1:${server.address().port}/` });
  }));
}

/** Every built page that carries a widget ("comparison/throughput.html"), print.html aside. */
export function widgetPages() {
  return allPages().filter((p) => p !== "print.html" && fs.readFileSync(path.join(DIST, p), "utf8").includes("data-widget=")).sort();
}

export const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
];

export async function launch() {
  // HEADED=1 (under Xvfb: `xvfb-run -a`) shows the browser, for a by-hand look at what headless compositing costs.
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS, headless: !process.env.HEADED });
}

/**
 * The print page asks to print once its figures are finished, which may be in
 * the middle of a test's own work on it; headless Chromium then prints over
 * the page and can lose it. Tests that are not about printing record the
 * request instead (`data-print-dialog` on the html element); engines.test.mjs
 * checks printing itself.
 */
export function withoutPrintDialog(context) {
  return context.addInitScript(() => {
    window.print = () => { document.documentElement.dataset.printDialog = "asked"; };
  });
}

/** A page that records console errors, page errors and every request URL. */
export async function openPage(browser, { deviceScaleFactor = 1 } = {}) {
  const context = await browser.newContext({ deviceScaleFactor, viewport: { width: 1200, height: 900 }, acceptDownloads: true });
  await withoutPrintDialog(context);
  const page = await context.newPage();
  // No wall-clock limit: the machine running the tests is shared, so every
  // wait ends on a marker (a test bounds work, never time).
  page.setDefaultTimeout(0);
  const log = { errors: [], requests: [], badResponses: [] };
  page.on("console", (m) => { if (m.type() === "error") log.errors.push(m.text()); });
  page.on("pageerror", (e) => log.errors.push(String(e)));
  page.on("request", (r) => log.requests.push(r.url()));
  page.on("response", (r) => { if (r.status() >= 400) log.badResponses.push(`${r.status()} ${r.url()}`); });
  // A request the browser abandons because the test navigated away is not a site error.
  page.on("requestfailed", (r) => {
    if (r.failure()?.errorText !== "net::ERR_ABORTED") log.errors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  return { page, log, context };
}

/**
 * Run in the page: every widget out of loading and every staged figure
 * complete (with `p99`, its p99 dots too), or inside a widget that failed: a
 * failed module finishes nothing more, so a wait on this reports the failure
 * instead of waiting for ever (the loader's print gate counts the same way).
 * Self-contained, so any engine can send it to the page.
 */
export function figuresSettled(p99) {
  const all = [...document.querySelectorAll("[data-widget]")];
  if (all.length === 0 || all.some((el) => el.dataset.state === "loading")) return false;
  return [...document.querySelectorAll(p99 ? "[data-complete],[data-p99-done]" : "[data-complete]")]
    .every((el) => (el.dataset.complete ?? el.dataset.p99Done) === "true" || el.closest("[data-widget]")?.dataset.state === "error");
}

/** Wait until every placeholder on the page has left the loading state. */
export async function widgetsSettled(page) {
  await page.waitForFunction(() => {
    const all = document.querySelectorAll("[data-widget]");
    return all.length > 0 && [...all].every((el) => el.dataset.state !== "loading");
  }, null, { timeout: 0 });
  return page.evaluate(() => [...document.querySelectorAll("[data-widget]")].map((el) => ({
    name: el.dataset.widget, state: el.dataset.state,
    error: el.querySelector(".widget-error")?.textContent ?? null,
  })));
}

/** The chart canvas as a data URL: equal strings mean equal pixels. */
export function canvasPixels(page, selector = "[data-widget] canvas") {
  return page.$eval(selector, (c) => c.toDataURL());
}

/** Hosts other than 127.0.0.1 (or none, for file://) that the page asked for. */
export function foreignRequests(urls) {
  return urls.filter((u) => {
    const url = new URL(u);
    if (url.protocol === "file:" || url.protocol === "data:" || url.protocol === "blob:") return false;
    return url.hostname !== "127.0.0.1";
  });
}

/** Every .html page of the site. */
export function allPages() {
  const out = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".html")) out.push(path.relative(DIST, p));
    }
  };
  walk(DIST);
  return out.sort();
}
