// Three browser engines behind one small page interface, so one set of checks
// runs in each: Chromium (Debian's, over playwright-core), Firefox (Debian's
// firefox-esr, over puppeteer-core and WebDriver BiDi) and WebKit (Debian's
// WebKitGTK MiniBrowser, over WebKitWebDriver and classic WebDriver, in Xvfb).
// Every wait ends on a marker the page sets, never on a sleep.
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import http from "node:http";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, DIST } from "./harness.mjs";

export const FIREFOX = "/usr/bin/firefox-esr";
export const WEBKIT_DRIVER = "/usr/bin/WebKitWebDriver";
export const MINIBROWSER = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";
export const XVFB = "/usr/bin/Xvfb";

/**
 * The engines to run: those named in ENGINES ("chromium,firefox,webkit"), or
 * all three. WebKit runs with JavaScriptCore's default options, as a
 * reader's browser does: the widgets compute a failed figure once more
 * (wasm-widgets/src/recheck.rs says why).
 */
export function engines() {
  const all = ["chromium", "firefox", "webkit"];
  const want = (process.env.ENGINES ?? "").split(",").map((e) => e.trim()).filter(Boolean);
  const bad = want.filter((e) => !all.includes(e));
  if (bad.length) throw new Error(`ENGINES names ${bad.join(", ")}: the engines are ${all.join(", ")}`);
  return want.length ? want : all;
}

/**
 * An engine: its name and version; url(rel) and fileUrl(rel), where its pages
 * of the built site are (over http on 127.0.0.1, and on disk); newPage({ before })
 * and close(). A page, whatever the engine: goto(url); evaluate(fn, arg) (fn, a
 * function of one argument, run in the page); waitFor(fn, arg) (until fn(arg)
 * is truthy in the page); press(selector, key, times) (keys to that element);
 * errors() (a promise of the console errors and uncaught page errors so far);
 * close(). `before`, a function of no argument, runs in the page before any
 * of the page's own scripts. `base` is the shared server of dist/.
 */
export async function launchEngine(name, base) {
  const site = { url: (rel) => base + rel, fileUrl: (rel) => pathToFileURL(path.join(DIST, rel)).href };
  if (name === "chromium") return { ...(await chromiumEngine()), ...site };
  if (name === "firefox") return { ...(await firefoxEngine()), ...site };
  if (name === "webkit") return webkitEngine();
  throw new Error(`no engine ${name}`);
}

/**
 * The page interface over a playwright-core or puppeteer-core page, whose
 * APIs agree on all it uses but navigation, waiting and the early script.
 */
async function libraryPage(page, close, { goto, waitFor, preload }, before) {
  page.setDefaultTimeout(0);
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  if (before) await preload(before);
  return {
    goto,
    evaluate: (fn, arg) => page.evaluate(fn, arg),
    waitFor,
    async press(selector, key, times = 1) {
      await page.focus(selector);
      for (let i = 0; i < times; i++) await page.keyboard.press(key);
    },
    errors: async () => [...errors],
    close,
  };
}

async function chromiumEngine() {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  return {
    name: "chromium",
    version: `Chromium ${browser.version()}`,
    async newPage({ before } = {}) {
      const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
      const page = await context.newPage();
      return libraryPage(page, () => context.close(), {
        goto: (url) => page.goto(url),
        waitFor: (fn, arg) => page.waitForFunction(fn, arg, { timeout: 0 }),
        preload: (fn) => page.addInitScript(fn),
      }, before);
    },
    close: () => browser.close(),
  };
}

async function firefoxEngine() {
  if (!fs.existsSync(FIREFOX)) throw new Error(`firefox: ${FIREFOX} is missing (cargo xtask test installs Debian's firefox-esr)`);
  const puppeteer = (await import("puppeteer-core")).default;
  // Firefox as a reader has it: puppeteer's automation preferences, none for the site.
  const browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: FIREFOX,
    headless: true,
    protocolTimeout: 0,
    defaultViewport: { width: 1200, height: 900 },
  });
  const version = await browser.version();
  return {
    name: "firefox",
    version: `Firefox ESR ${version.replace(/^firefox\//, "")}`,
    async newPage({ before } = {}) {
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      return libraryPage(page, () => context.close(), {
        goto: (url) => page.goto(url, { waitUntil: "load" }),
        waitFor: (fn, arg) => page.waitForFunction(fn, { timeout: 0, polling: "raf" }, arg),
        preload: (fn) => page.evaluateOnNewDocument(fn),
      }, before);
    },
    close: () => browser.close(),
  };
}

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** Start Xvfb on a display it picks itself; resolves with the display and the process. */
function startXvfb() {
  return new Promise((resolve, reject) => {
    // -displayfd: Xvfb writes the display number it took to fd 3 once it listens.
    const x = spawn(XVFB, ["-displayfd", "3", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"], { stdio: ["ignore", "ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    x.stderr.on("data", (d) => { err += d; });
    x.stdio[3].on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve({ display: `:${out.trim()}`, proc: x });
    });
    x.on("exit", (code) => reject(new Error(`Xvfb exited (${code}) before it listened: ${err.trim()}`)));
  });
}

/** Wait until a TCP port answers (the driver listening); the attempts are bounded by the driver's own exit. */
async function listening(port, proc) {
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`WebKitWebDriver exited (${proc.exitCode}) before it listened`);
    const ok = await new Promise((resolve) => {
      const c = net.connect(port, "127.0.0.1");
      c.on("connect", () => { c.end(); resolve(true); });
      c.on("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

// What a page has not finished: widgets loading or failed, staged figures not complete.
function pending() {
  return {
    address: location.href,
    widgets: [...document.querySelectorAll("[data-widget]")].filter((el) => el.dataset.state !== "ready")
      .map((el) => `${el.dataset.widget}:${el.dataset.state}`),
    incomplete: [...document.querySelectorAll("[data-complete]")].filter((el) => el.dataset.complete !== "true")
      .map((el) => el.closest("[data-widget]")?.dataset.widget ?? "?"),
    errors: window.__engineErrors ?? null,
  };
}

// The WebDriver key code for the keys the checks press.
const KEYS = { ArrowRight: "\uE014", ArrowLeft: "\uE012", Home: "\uE011", End: "\uE010" };

// Classic WebDriver can neither run a script before a page's own nor report
// its console, and MiniBrowser drops its console-to-stdout setting in
// automation mode. So WebKit's pages come from a server of their own that
// puts this recorder (and the page's `before`) first in every page's head;
// pages opened from disk come from a copy of the site with the recorder in.
const RECORDER = `(function () {
  var errors = window.__engineErrors = [];
  addEventListener("error", function (e) { errors.push("page error: " + e.message); });
  addEventListener("unhandledrejection", function (e) { errors.push("unhandled rejection: " + e.reason); });
  var error = console.error;
  console.error = function () { errors.push([].map.call(arguments, String).join(" ")); return error.apply(console, arguments); };
})();`;

const withScript = (html, source) => html.replace(/<head>/i, (h) => `${h}<script>${source}</script>`);

const MIME = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm",
  ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png",
};

/** dist/ on 127.0.0.1 with `head()` put first in every page's head. */
function injectingServer(dist, head) {
  const server = http.createServer((req, res) => {
    let file = path.join(dist, decodeURIComponent(new URL(req.url, "http://127.0.0.1").pathname));
    if (!file.startsWith(dist)) { res.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    fs.readFile(file, (err, body) => {
      if (err) { res.writeHead(404).end("not found"); return; }
      const ext = path.extname(file);
      res.writeHead(200, { "content-type": MIME[ext] ?? "application/octet-stream" });
      res.end(ext === ".html" ? withScript(body.toString("utf8"), head()) : body);
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, base: `http://127.0.0.1:${server.address().port}/` })));
}

async function webkitEngine() {
  for (const [what, file] of [["WebKitWebDriver", WEBKIT_DRIVER], ["MiniBrowser", MINIBROWSER], ["Xvfb", XVFB]]) {
    if (!fs.existsSync(file)) throw new Error(`webkit: ${what} (${file}) is missing (cargo xtask test installs webkit2gtk-driver and xvfb)`);
  }
  const xvfb = await startXvfb();
  const port = await freePort();
  const driver = spawn(WEBKIT_DRIVER, [`--port=${port}`, "--host=127.0.0.1"], {
    env: { ...process.env, DISPLAY: xvfb.display, GDK_BACKEND: "x11" },
    stdio: ["ignore", "ignore", "ignore"],
  });
  await listening(port, driver);
  const base = `http://127.0.0.1:${port}`;
  async function call(method, url, body) {
    const r = await fetch(base + url, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    const j = await r.json();
    if (!r.ok) throw new Error(`WebDriver ${method} ${url}: ${j.value?.error}: ${j.value?.message}`);
    return j.value;
  }
  const version = execFileSync(MINIBROWSER, ["--version"], { env: { ...process.env, DISPLAY: xvfb.display } }).toString().trim();
  let before = "";
  const site = await injectingServer(DIST, () => RECORDER + before);
  let copy = null;
  // One browser for every page: a session starts MiniBrowser.
  const session = await call("POST", "/session", {
    capabilities: {
      alwaysMatch: {
        "webkitgtk:browserOptions": { binary: MINIBROWSER, args: ["--automation"] },
        timeouts: { script: null, pageLoad: 300000, implicit: 0 },
      },
    },
  });
  const s = `/session/${session.sessionId}`;
  const run = (fn, arg) => call("POST", `${s}/execute/sync`, { script: `return (${fn})(arguments[0]);`, args: [arg ?? null] });
  return {
    name: "webkit",
    version,
    url: (rel) => site.base + rel,
    fileUrl(rel) {
      if (!copy) {
        copy = fs.mkdtempSync(path.join(os.tmpdir(), "webkit-site-"));
        process.on("exit", () => fs.rmSync(copy, { recursive: true, force: true }));
        fs.cpSync(DIST, copy, { recursive: true });
        for (const f of fs.readdirSync(copy, { recursive: true }).filter((f) => f.endsWith(".html"))) {
          const file = path.join(copy, f);
          fs.writeFileSync(file, withScript(fs.readFileSync(file, "utf8"), RECORDER));
        }
      }
      return pathToFileURL(path.join(copy, rel)).href;
    },
    async newPage(opts = {}) {
      before = opts.before ? `(${opts.before})();` : "";
      return {
        goto: (url) => call("POST", `${s}/url`, { url }),
        evaluate: run,
        async waitFor(fn, arg) {
          // Each attempt waits in the page for its next animation frame, so
          // the loop follows the page's own frames rather than a clock.
          const frame = `function (a) { return new Promise(function (r) { requestAnimationFrame(function () { r((${fn})(a)); }); }); }`;
          for (let frames = 1; ; frames++) {
            if (await call("POST", `${s}/execute/async`, {
              script: `var done = arguments[arguments.length - 1]; (${frame})(arguments[0]).then(function (v) { done(!!v); }, function () { done(false); });`,
              args: [arg ?? null],
            })) return;
            // No limit (a slow machine is not a failure), but a wait that goes
            // on says what the page is waiting for, every 5,000 frames.
            if (frames % 5000 === 0) console.error(`webkit: still waiting after ${frames} frames:`, JSON.stringify(await run(pending)));
          }
        },
        async press(selector, key, times = 1) {
          const el = await call("POST", `${s}/element`, { using: "css selector", value: selector });
          const id = Object.values(el)[0];
          const k = KEYS[key] ?? key;
          for (let i = 0; i < times; i++) await call("POST", `${s}/element/${id}/value`, { text: k });
        },
        errors: () => run(() => window.__engineErrors ?? ["the page has no error recorder"]),
        close: () => call("POST", `${s}/url`, { url: "about:blank" }),
      };
    },
    async close() {
      await call("DELETE", s).catch(() => {});
      site.server.close();
      driver.kill();
      xvfb.proc.kill();
    },
  };
}
