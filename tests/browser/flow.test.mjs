// The request-flow widget in real Chromium: play, pause, step, scrub, switch pattern, by keyboard.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, openPage, widgetsSettled, canvasPixels } from "./harness.mjs";

const PAGE = "comparison/requests.html";
let browser, srv;
before(async () => { srv = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); srv?.server.close(); });

async function ready() {
  const { page, log, context } = await openPage(browser);
  await page.goto(srv.base + PAGE);
  const states = await widgetsSettled(page);
  // The page's steps table above, then the flow.
  assert.deepEqual(states.map((s) => [s.name, s.state]), [["request-steps", "ready"], ["request-flow", "ready"]], JSON.stringify(states));
  return { page, log, context };
}
/** The flow widget: the page's other widget has sliders with the same test ids. */
const flow = (page) => page.locator("[data-widget=request-flow]");
const text = (page, id) => flow(page).getByTestId(id).textContent();

test("the flow counts GIL acquisitions and hops from the model and starts at the end of the request", async () => {
  const { page, log, context } = await ready();
  assert.equal(await text(page, "acq-executor"), "4");
  assert.equal(await text(page, "hops-executor"), "2");
  assert.equal(await text(page, "acq-sync"), "2");
  assert.equal(await text(page, "hops-sync"), "0");
  assert.equal(await text(page, "acq-tokio"), "3");
  assert.match(await text(page, "flow-status"), /^Done after [\d.,]+ ms/);
  assert.equal(await flow(page).getByTestId("flow-scrub").inputValue(), "1000");
  assert.match(await text(page, "summary"), /takes the GIL 4 times and moves between threads 2 times/);
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("play advances the playhead, pause stops it, and the steps walk the legs", async () => {
  const { page, log, context } = await ready();
  const pixels = await canvasPixels(page);
  await flow(page).getByTestId("flow-play").click();
  await page.waitForFunction(() => document.querySelector("[data-playing]").dataset.playing === "true");
  // From the end, play restarts at the beginning and moves forward.
  await page.waitForFunction(() => {
    const v = Number(document.querySelector("[data-testid=flow-scrub]").value);
    return v > 0 && v < 1000;
  });
  await page.waitForFunction((p) => document.querySelector("[data-widget] canvas").toDataURL() !== p, pixels);
  await flow(page).getByTestId("flow-play").press("Enter");
  await page.waitForFunction(() => document.querySelector("[data-playing]").dataset.playing === "false");
  const paused = await flow(page).getByTestId("flow-scrub").inputValue();
  // Paused means paused: two animation frames later it has not moved.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  assert.equal(await flow(page).getByTestId("flow-scrub").inputValue(), paused);

  // Scrub to the start with the keyboard, then step leg by leg.
  await flow(page).getByTestId("flow-scrub").focus();
  await page.keyboard.press("Home");
  await page.waitForFunction(() => document.querySelector("[data-testid=flow-scrub]").value === "0");
  assert.match(await text(page, "flow-status"), /^Leg 1 of (\d+): .* — run_in_executor/);
  const legs = Number((await text(page, "flow-status")).match(/of (\d+)/)[1]);
  assert.ok(legs >= 5, `an executor request has at least five legs, got ${legs}`);
  const seen = new Set();
  for (let i = 2; i <= legs; i++) {
    await flow(page).getByTestId("flow-next").press("Enter");
    await page.waitForFunction((i) => document.querySelector("[data-testid=flow-status]").textContent.startsWith(`Leg ${i} of`), i);
    seen.add((await text(page, "flow-status")).split(" — ")[0]);
  }
  assert.ok([...seen].some((s) => /pool worker \d+ blocked on the network/.test(s)), [...seen].join("\n"));
  await flow(page).getByTestId("flow-next").click();
  await page.waitForFunction(() => document.querySelector("[data-testid=flow-status]").textContent.startsWith("Done after"));
  await flow(page).getByTestId("flow-prev").click();
  await page.waitForFunction((n) => document.querySelector("[data-testid=flow-status]").textContent.startsWith(`Leg ${n} of`), legs);
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("switching to Tokio shows the request off every thread during I/O, and the scenario still drives it", async () => {
  const { page, log, context } = await ready();
  await flow(page).getByTestId("flow-tokio").check();
  await page.waitForFunction(() => /^Tokio/.test(document.querySelector("[data-widget=request-flow] [data-testid=summary]").textContent));
  // "Show data" builds its table when opened.
  await flow(page).locator(".widget-data summary").click();
  await page.waitForFunction(() => document.querySelectorAll("[data-widget=request-flow] .widget-data tbody tr").length > 0);
  const rows = await flow(page).locator(".widget-data tbody tr").allTextContents();
  assert.ok(rows.some((r) => r.includes("no thread") && r.includes("awaits the reply")), rows.join("\n"));
  const before = await text(page, "summary");
  await flow(page).getByTestId("io-slider").focus();
  for (let i = 0; i < 30; i++) await page.keyboard.press("ArrowRight");
  await page.waitForFunction((t) => document.querySelector("[data-widget=request-flow] [data-testid=summary]").textContent !== t, before);
  assert.match(page.url(), /io=/);
  assert.deepEqual(log.errors, []);
  await context.close();
});
