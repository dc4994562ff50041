// The benchmark-limitations widgets in real Chromium: the conditions heatmap and the I/O × concurrency cards.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, openPage, widgetsSettled } from "./harness.mjs";

let browser, srv;
before(async () => { srv = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); srv?.server.close(); });

async function ready(url) {
  const { page, log, context } = await openPage(browser);
  await page.goto(srv.base + url);
  const states = await widgetsSettled(page);
  assert.deepEqual(states.map((s) => s.state), ["ready"], JSON.stringify(states));
  return { page, log, context };
}
const complete = (page) => page.waitForFunction(() => document.querySelector("[data-complete]")?.dataset.complete === "true");
const cellText = (page) => page.getByTestId("cell").textContent();

test("the heatmap reads out the benchmark's cell, and keys and the pointer pick others", async () => {
  const { page, log, context } = await ready("limits/conditions.html");
  const url = page.url();
  assert.match(await cellText(page), / ms I\/O wait, 50 callers: executor [\d,]+ requests\/s, Tokio [\d,]+ requests\/s/);
  assert.match(await page.getByTestId("summary").textContent(), /in the map's cell nearest the benchmark .*over the shaded production region/);
  await page.getByTestId("chart").focus();
  for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowUp");
  await page.waitForFunction(() => document.querySelector("[data-testid=cell]").textContent.startsWith("2.00 ms I/O wait, 100 callers"));
  assert.equal(page.url(), url, "arrow keys on the map do not turn the page");
  await page.keyboard.press("Home");
  await page.waitForFunction(() => / 50 callers/.test(document.querySelector("[data-testid=cell]").textContent));
  // The pointer: the top-right corner of the plot is the longest wait and the most callers.
  const box = await page.getByTestId("chart").boundingBox();
  await page.mouse.move(box.x + box.width - 20, box.y + 20);
  await page.waitForFunction(() => document.querySelector("[data-testid=cell]").textContent.startsWith("100 ms I/O wait, 100,000 callers"));
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("the p99 map fills in cell by cell and then summarises", async () => {
  const { page, log, context } = await ready("limits/conditions.html");
  await page.getByTestId("metric-p99").check();
  await page.waitForFunction(() => /^Simulating p99: \d+ of 208 cells/.test(document.querySelector("[data-testid=summary]").textContent));
  await complete(page);
  assert.match(await page.getByTestId("summary").textContent(), /^executor p99 ÷ Tokio p99: [\d.]+× in the map's cell nearest the benchmark/);
  assert.match(await cellText(page), /p99; executor p99 ÷ Tokio p99 = /);
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("the cards name the executor's pool cap, and a bigger pool lifts it", async () => {
  const { page, log, context } = await ready("limits/io-concurrency.html?io=1&n=200");
  await complete(page);
  assert.match(await page.getByTestId("verdict").textContent(), /^Tokio \(aerospike-py\) is ahead here: Tokio completes [\d.,]+× the executor's requests per second\. The executor sits at its pool cap/);
  assert.match(await page.getByTestId("card-p99-executor").textContent(), /^[\d.,]+ ms$/);
  const before = Number((await page.getByTestId("card-tput-executor").textContent()).replace(/,/g, ""));
  await page.getByTestId("pool-slider").focus();
  await page.keyboard.press("End");
  await page.waitForFunction((b) => Number(document.querySelector("[data-testid=card-tput-executor]").textContent.replace(/,/g, "")) > 2 * b, before);
  assert.match(page.url(), /pool=1024/);
  await complete(page);
  assert.doesNotMatch(await page.getByTestId("verdict").textContent(), /pool cap/);
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("the open-load figure: capacities, a rate past one, the lab's points, the rate in the link", async () => {
  const { page, log, context } = await ready("limits/open-closed.html");
  await complete(page);
  const summary = () => page.getByTestId("summary").textContent();
  assert.match(await summary(), /Sync cannot keep up: its capacity is [\d,]+ requests\/s \(the calling thread saturates first\)/);
  assert.match(await summary(), /The executor \(pool of 6\) keeps up, p99 [\d.]+ ms \([\d.]+ ms simulated\)/);
  assert.match(await summary(), /As a closed-loop benchmark \(N = λ·R callers\)/);
  assert.equal(await page.getByTestId("open-table").locator("tbody tr").count(), 3);
  assert.doesNotMatch(await summary(), /Measured here/);
  // The lab measured at other I/O waits: go to one, and its points are drawn and read out.
  await page.getByTestId("open-lab-io").first().click();
  await page.waitForFunction(() => /Measured here/.test(document.querySelector("[data-testid=summary]").textContent));
  await complete(page);
  assert.match(await summary(), /Measured here, aerospike-py \(Tokio\): [\d,.]+\/s (p99 [\d.]+ ms|not kept up)/);
  // A rate typed exactly: past every capacity, written into the address.
  await page.getByTestId("rate-slider-exact").fill("50000");
  await page.getByTestId("rate-slider-exact").press("Enter");
  await page.waitForFunction(() => /rate=50000/.test(location.search));
  await complete(page);
  assert.match(await summary(), /aerospike-py \(Tokio\) cannot keep up/);
  assert.match(await page.getByTestId("open-table").textContent(), /grows/);
  // Bursty arrivals: in the address and the summary, and the lab's Poisson points are not drawn.
  await page.getByTestId("bursts-input").selectOption("4");
  await page.waitForFunction(() => /bursts=4/.test(location.search));
  await complete(page);
  assert.match(await summary(), /arriving in bursts \(gaps' variance 4× Poisson's\)/);
  assert.doesNotMatch(await summary(), /Measured here/);
  // The link reproduces it; a rate outside the range is clamped and said so.
  const again = await context.newPage();
  await again.goto(page.url());
  await widgetsSettled(again);
  assert.equal(await again.getByTestId("rate-slider-value").textContent(), "50,000/s");
  assert.equal(await again.getByTestId("bursts-input").inputValue(), "4");
  await again.goto(srv.base + "limits/open-closed.html?rate=1e9");
  await widgetsSettled(again);
  assert.match(await again.locator(".widget-note").first().textContent(), /arrival rate 1e9 is outside/);
  assert.deepEqual(log.errors, []);
  await context.close();
});

// The p99 map as it ends: its summary and the first rows of its data table.
async function finalMap(page) {
  await complete(page);
  await page.locator(".widget-data summary").first().click();
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=data-table] tbody tr").length > 0);
  return { summary: await page.getByTestId("summary").textContent(), table: await page.getByTestId("data-table").textContent() };
}

test("the p99 map computed in Web Workers equals the one computed on the page, and a newer setting drops the older run", async () => {
  // Two workers, and a change of pool size while the first run is under way.
  const { page, log, context } = await openPage(browser);
  await page.addInitScript(() => { window.__widgetsWorkers = 2; });
  await page.goto(srv.base + "limits/conditions.html");
  await widgetsSettled(page);
  await page.getByTestId("metric-p99").check();
  await page.waitForFunction(() => /^Simulating p99: \d+ of 208 cells/.test(document.querySelector("[data-testid=summary]").textContent));
  assert.ok(page.workers().length >= 1, "the cells are simulated in Web Workers");
  await page.locator(".widget-more summary").click();
  await page.getByTestId("pool-input").fill("8");
  await page.getByTestId("pool-input").press("Enter");
  await page.waitForFunction(() => /pool=8\b/.test(location.search));
  const inWorkers = await finalMap(page);
  const link = new URL(page.url()).search;
  assert.equal(await page.evaluate(() => window.__widgetsPool.size()), 2);
  assert.deepEqual(log.errors, []);
  await context.close();

  // No workers: the page splits the same jobs into tasks, at the setting the first page ended with.
  const b = await openPage(browser);
  await b.page.addInitScript(() => { window.__widgetsWorkers = 0; });
  await b.page.goto(srv.base + "limits/conditions.html" + link);
  await widgetsSettled(b.page);
  await b.page.getByTestId("metric-p99").check();
  const onPage = await finalMap(b.page);
  assert.equal(b.page.workers().length, 0, "no worker was started");
  assert.deepEqual(inWorkers, onPage, "the same cells, whoever computed them");
  assert.deepEqual(b.log.errors, []);
  await b.context.close();
});

test("the open-load figure simulated in Web Workers equals the one simulated on the page", async () => {
  // A rate past one pattern's capacity, bursty arrivals and a timeout: every kind of job and answer.
  const link = "?io=1&rate=3000&timeout=40&bursts=4";
  const final = async (page) => {
    await complete(page);
    return { summary: await page.getByTestId("summary").textContent(), table: await page.getByTestId("open-table").textContent() };
  };
  const a = await openPage(browser);
  await a.page.addInitScript(() => { window.__widgetsWorkers = 2; });
  await a.page.goto(srv.base + "limits/open-closed.html" + link);
  await widgetsSettled(a.page);
  const inWorkers = await final(a.page);
  assert.ok(a.page.workers().length >= 1, "the simulations ran in Web Workers");
  assert.deepEqual(a.log.errors, []);
  await a.context.close();

  const b = await openPage(browser);
  await b.page.addInitScript(() => { window.__widgetsWorkers = 0; });
  await b.page.goto(srv.base + "limits/open-closed.html" + link);
  await widgetsSettled(b.page);
  const onPage = await final(b.page);
  assert.equal(b.page.workers().length, 0, "no worker was started");
  assert.deepEqual(inWorkers, onPage, "the same figure, whoever simulated it");
  assert.match(onPage.summary, /arriving in bursts/);
  assert.deepEqual(b.log.errors, []);
  await b.context.close();
});
