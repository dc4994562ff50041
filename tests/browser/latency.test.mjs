// Latency against concurrency and GIL contention in real Chromium: the p99 fills in behind a responsive slider.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, openPage, widgetsSettled } from "./harness.mjs";

let browser, srv;
before(async () => { srv = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); srv?.server.close(); });

const p99Done = (page) => page.waitForFunction(() => {
  const all = [...document.querySelectorAll("[data-p99-done]")];
  return all.length > 0 && all.every((e) => e.dataset.p99Done === "true");
});

test("the p99 curve fills in, and a slider move restarts it while the means answer at once", async () => {
  const { page, log, context } = await openPage(browser);
  await page.goto(srv.base + "comparison/latency.html?io=1");
  const states = await widgetsSettled(page);
  assert.deepEqual(states.map((s) => s.state), ["ready"], JSON.stringify(states));
  await p99Done(page);
  const lat = page.locator("[data-widget=latency-scaling]");
  assert.match(await lat.getByTestId("departure").textContent(), /^from [\d,]+ callers$/);
  const summary = await lat.getByTestId("summary").textContent();
  assert.match(summary, /at 50 callers \(aerospike-py's benchmark suite's default\) sync [\d.,]+ ms, executor [\d.,]+ ms, Tokio [\d.,]+ ms/);
  // Move I/O wait to the end of its range.
  await page.getByTestId("io-slider").first().focus();
  await page.keyboard.press("End");
  await page.waitForFunction((s) => {
    const el = document.querySelector("[data-widget=latency-scaling] [data-testid=summary]");
    return el.textContent !== s;
  }, summary);
  await p99Done(page);
  assert.match(await lat.getByTestId("summary").textContent(), /^Simulated p99 at 100 ms I\/O wait/);
  await lat.locator(".widget-data summary").click();
  await page.waitForFunction(() => document.querySelectorAll("[data-widget=latency-scaling] .widget-data tbody tr").length > 0);
  const rows = await lat.locator(".widget-data tbody tr").count();
  assert.ok(rows >= 100, `the data table lists every concurrency (${rows})`);
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("the contention figure starts with a CPU-bound thread on; switching it off and adding loop work change it, and both are in the link", async () => {
  const { page, log, context } = await openPage(browser);
  await page.goto(srv.base + "limits/gil-contention.html");
  await widgetsSettled(page);
  await p99Done(page);
  assert.ok(await page.getByTestId("bg-switch").isChecked(), "contention is on from the first frame");
  // The page's own start is not the reader's scenario yet: the bar shows it, the address does not carry it.
  assert.doesNotMatch(page.url(), /bg=/);
  assert.match(await page.getByTestId("scenario-words").textContent(), /1 background thread/);
  const noisy = await page.getByTestId("summary").textContent();
  await page.getByTestId("bg-switch").uncheck();
  await page.waitForFunction((q) => document.querySelector("[data-testid=summary]").textContent !== q, noisy);
  await p99Done(page);
  const quiet = await page.getByTestId("summary").textContent();
  const p99At50 = (s, who) => Number(s.match(new RegExp(`${who} ([\\d.,]+) ms`))[1].replace(/,/g, ""));
  assert.ok(p99At50(noisy, "Tokio") > 5 * p99At50(quiet, "Tokio"), `${quiet}\n${noisy}`);
  assert.ok(!/bg=/.test(page.url()), page.url());
  // A link that switches it off is kept.
  const again = await browser.newPage();
  again.setDefaultTimeout(0);
  await again.goto(srv.base + "limits/gil-contention.html?io=0.0637&n=50&mem=1024");
  await widgetsSettled(again);
  assert.equal(await again.getByTestId("bg-switch").isChecked(), false);
  await again.close();
  await page.getByTestId("bg-switch").check();
  await page.waitForFunction(() => /bg=1/.test(location.search));
  await page.getByTestId("appcpu-slider").focus();
  for (let i = 0; i < 20; i++) await page.keyboard.press("ArrowRight");
  await page.waitForFunction(() => document.querySelector("[data-testid=appcpu-value]").textContent === "0.20 ms");
  assert.match(page.url(), /cpu=0\.2/);
  await p99Done(page);
  assert.deepEqual(log.errors, []);
  await context.close();
});
