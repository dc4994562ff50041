// The core checks in every engine a reader may use: Chromium, Firefox and
// WebKit (Safari's engine). Each page's widgets ready and every staged figure
// complete with no console or page error, a slider moves its figure, two
// pages from disk, and the print page asking to print only once every figure
// on it is finished. One set of checks per engine; each failure names it.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, widgetPages, STORE, figuresSettled as settled } from "./harness.mjs";
import { engines, launchEngine } from "./engines.mjs";

// Each widget's state and error; with an error, the scenario the page ran
// (its scenario bar, address and stored scenario), so a failure seen once
// can be run again.
function states(store) {
  return [...document.querySelectorAll("[data-widget]")].map((el) => {
    const error = el.querySelector(".widget-error")?.textContent ?? null;
    const st = { name: el.dataset.widget, state: el.dataset.state, error };
    if (error !== null) {
      let stored = null;
      try { stored = localStorage.getItem(store); } catch (e) { stored = String(e); }
      Object.assign(st, {
        bar: document.querySelector("[data-testid=scenario-bar]")?.textContent ?? null,
        address: location.href,
        stored,
      });
    }
    return st;
  });
}

let srv;
before(async () => { srv = await serve(); });
after(() => srv?.server.close());

for (const name of engines()) {
  describe(name, () => {
    let engine;
    let started;
    before(async () => {
      started = Date.now();
      engine = await launchEngine(name, srv.base);
      console.error(`${name}: ${engine.version}`);
    });
    after(async () => {
      await engine?.close();
      console.error(`${name}: checks took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });

    // WebKitGTK's page process crashed once in a full run here (the driver
    // answers "session deleted because of page crash or hang"), an engine
    // fault like the miscompiles recheck.rs mends. A check that meets one
    // runs once more in a new browser, and says so; a second crash stands.
    const crashed = (e) => name === "webkit" && /page crash or hang|Could not parse script result/.test(String(e?.message ?? e));
    function check(title, fn) {
      test(title, async () => {
        try {
          await fn();
        } catch (e) {
          if (!crashed(e)) throw e;
          console.error(`${name}: the browser's page crashed (${e.message}); checked again in a new browser`);
          await engine?.close();
          engine = await launchEngine(name, srv.base);
          await fn();
        }
      });
    }

    async function ready(url, opts) {
      const page = await engine.newPage(opts);
      await page.goto(url);
      await page.waitFor(settled);
      return page;
    }

    check(`${name}: every widget page: every widget ready, every figure complete, no error`, async () => {
      for (const p of widgetPages()) {
        const page = await ready(engine.url(p));
        const st = await page.evaluate(states, STORE);
        assert.ok(st.every((s) => s.state === "ready"), `${name}, ${p}: ${JSON.stringify(st)}`);
        assert.deepEqual(await page.errors(), [], `${name}, ${p}: console or page errors`);
        await page.close();
      }
    });

    check(`${name}: the keyboard moves a slider and the readout and chart follow`, async () => {
      const page = await ready(engine.url("comparison/throughput.html"));
      const read = () => ({
        tput: document.querySelector("[data-testid=tput-executor]").textContent,
        pixels: document.querySelector("[data-widget] canvas").toDataURL(),
      });
      const first = await page.evaluate(read);
      await page.press("[data-testid=io-slider]", "ArrowRight", 10);
      await page.waitFor((t) => document.querySelector("[data-testid=tput-executor]").textContent !== t, first.tput);
      await page.waitFor((p) => document.querySelector("[data-widget] canvas").toDataURL() !== p, first.pixels);
      assert.match(await page.evaluate(() => document.querySelector("[data-testid=io-slider-value]").textContent), /ms$/, name);
      assert.deepEqual(await page.errors(), [], `${name}: console or page errors`);
      await page.close();
    });

    check(`${name}: two pages opened from disk (file://) mount their widgets`, async () => {
      for (const p of ["comparison/throughput.html", "limits/conditions.html"]) {
        const page = await ready(engine.fileUrl(p));
        const st = await page.evaluate(states, STORE);
        assert.ok(st.every((s) => s.state === "ready"), `${name}, file://${p}: ${JSON.stringify(st)}`);
        assert.deepEqual(await page.errors(), [], `${name}, file://${p}: console or page errors`);
        await page.close();
      }
    });

    check(`${name}: the print page asks to print only once every figure on it is finished`, async () => {
      // The browser's print is replaced by one that records what the page
      // looked like when it was called (a real print dialog would block).
      const before = () => {
        window.__printed = [];
        window.print = () => {
          const all = [...document.querySelectorAll("[data-widget]")];
          window.__printed.push({
            loading: all.filter((el) => el.dataset.state === "loading").length,
            widgets: all.length,
            incomplete: [...document.querySelectorAll("[data-complete]")].filter((el) => el.dataset.complete !== "true").length,
            tables: [...document.querySelectorAll("[data-widget] details.widget-data")].map((d) => d.open && d.querySelector("tbody tr") !== null),
          });
        };
      };
      const page = await engine.newPage({ before });
      await page.goto(engine.url("print.html"));
      // mdBook's print page asks once; whenever the browser's print is called, look.
      await page.waitFor(() => window.__printed.length > 0);
      const record = await page.evaluate(() => ({
        count: document.documentElement.dataset.printCount,
        printed: window.__printed ?? null,
        // What is not finished now, named by widget: empty when all is.
        unfinished: (() => {
          const all = [...document.querySelectorAll("[data-widget]")];
          const name = (el) => el.closest("[data-widget]")?.dataset.widget?.slice(0, 40) ?? "?";
          return [
            ...(all.length === 0 ? ["no widget"] : []),
            ...all.filter((el) => el.dataset.state !== "ready").map((el) => `${name(el)}: ${el.dataset.state} ${el.querySelector(".widget-error")?.textContent ?? ""}`),
            ...[...document.querySelectorAll("[data-complete]")].filter((el) => el.dataset.complete !== "true").map((el) => `${name(el)}: incomplete`),
          ];
        })(),
      }));
      assert.equal(record.count, "1", `${name}: print asked once`);
      assert.deepEqual(record.unfinished, [], `${name}: every widget ready and every figure complete after print was asked (when printed: ${JSON.stringify(record.printed)})`);
      assert.equal(record.printed.length, 1, `${name}: the browser's print called once`);
      const [at] = record.printed;
      assert.ok(at.widgets > 10, `${name}: the print page carries every chapter's widgets (${at.widgets})`);
      assert.deepEqual([at.loading, at.incomplete], [0, 0], `${name}: nothing loading or simulating when printed: ${JSON.stringify(at)}`);
      assert.ok(at.tables.length > 0 && at.tables.every(Boolean), `${name}: every figure's table open and filled when printed: ${JSON.stringify(at.tables)}`);
      assert.deepEqual(await page.errors(), [], `${name}: console or page errors`);
      await page.close();
    });
  });
}
