// The batch figure in real Chromium: its answer, the lab's nearest cell, the sliders and the found switch, the link, a bad link.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, openPage, widgetsSettled } from "./harness.mjs";

let browser, srv;
before(async () => { srv = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); srv?.server.close(); });

const PAGE = "comparison/batches.html";
const complete = (page) => page.waitForFunction(() => document.querySelector("[data-widget=batch-scaling] [data-complete]")?.dataset.complete === "true");
const summary = (page) => page.locator("[data-widget=batch-scaling] [data-testid=summary]").textContent();

async function ready(url) {
  const { page, log, context } = await openPage(browser);
  await page.goto(srv.base + url);
  const states = await widgetsSettled(page);
  assert.ok(states.every((s) => s.state === "ready"), JSON.stringify(states));
  return { page, log, context };
}

test("the batch figure answers at its start, goes to the lab's nearest cell and draws it", async () => {
  const { page, log, context } = await ready(PAGE);
  // The page's answer is first, before the figure.
  const first = await page.locator("main > p").first().textContent();
  assert.match(first, /^A batch of 50 keys read from 4 nodes [\d.]+ ms away, 16 requests in flight\. In the model.s batches per second, /);
  await complete(page);
  assert.match(await summary(page), /^A batch of 50 keys over 4 nodes visits [\d.]+ of them on average\./);
  assert.match(await summary(page), /In the model: (Tokio [\d.]+× the executor's default|the executor's default [\d.]+× Tokio|Tokio and the executor's default closer than the model tells apart)/);
  assert.match(await summary(page), /Simulated p99 at 1,000 keys: Tokio [\d.,]+ ms/);
  assert.doesNotMatch(await summary(page), /Measured here/);
  // The starting wait is not one the lab measured: the nearest cell is offered, and going there draws the lab's batches.
  const nearest = page.getByTestId("batch-nearest");
  await nearest.click();
  await page.waitForFunction(() => /[?&]io=1(\.0\d*)?&/.test(location.search) && /nodes=4/.test(location.search));
  await complete(page);
  assert.match(await summary(page), /Measured here, 50 keys: Tokio \(aerospike-py\) [\d,]+ batches\/s, p99 [\d.]+ ms\./);
  assert.ok(await nearest.isHidden(), "on a measured cell, no nearest cell is offered");
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("the sliders and the found switch write the link, and the link brings them back", async () => {
  const { page, log, context } = await ready(PAGE);
  await complete(page);
  await page.getByTestId("keys-slider").focus();
  await page.keyboard.press("End");
  await page.waitForFunction(() => /keys=5000/.test(location.search));
  await page.getByTestId("nodes-slider").focus();
  await page.keyboard.press("End");
  await page.waitForFunction(() => /nodes=128/.test(location.search));
  await page.getByTestId("found-none").check();
  await page.waitForFunction(() => /found=0(&|$)/.test(location.search));
  await complete(page);
  assert.match(await summary(page), /^A batch of 5,000 keys over 128 nodes visits [\d.]+ of them on average\./);
  const again = await context.newPage();
  await again.goto(page.url());
  await widgetsSettled(again);
  assert.equal(await again.getByTestId("keys-slider-value").textContent(), "5,000");
  assert.equal(await again.getByTestId("nodes-slider-value").textContent(), "128");
  assert.ok(await again.getByTestId("found-none").isChecked());
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("a batch outside the model's range is clamped and said so", async () => {
  const { page, log, context } = await ready(PAGE + "?keys=1e9&nodes=0");
  const note = await page.locator(".widget-note").first().textContent();
  assert.match(note, /keys per batch 1000000000 is outside 1–5000/i);
  await complete(page);
  assert.match(await summary(page), /^A batch of 5,000 keys over 1 node visits 1.00 of them on average\./);
  assert.deepEqual(log.errors, []);
  await context.close();
});
