// The reader's scenario follows them across pages: stored locally, carried in
// the book's links, reproduced by a shared link, reset from the bar.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { DIST, serve, launch, openPage, widgetsSettled, widgetPages, STORE } from "./harness.mjs";

let browser, srv;
before(async () => {
  srv = await serve();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  srv?.server.close();
});

const ioShown = (page) => page.getByTestId("io-slider-value").first().textContent();
const words = (page) => page.getByTestId("scenario-words").textContent();
const whose = (page) => page.locator(".widget-scenario-whose").textContent();

// "Your service" has computed every figure of its results, simulations included.
const complete = (page) => page.waitForFunction(() => document.querySelector(".widget-body.service")?.dataset.complete === "true");

async function settle(page) {
  await page.waitForLoadState("load");
  await widgetsSettled(page);
}

for (const [how, base] of [["over http", () => srv.base], ["from disk (file://)", () => pathToFileURL(DIST + path.sep).href]]) {
  test(`a changed setting follows the reader through the sidebar, the arrows and a reset, ${how}`, async () => {
    const { page, log, context } = await openPage(browser);
    await page.goto(base() + "comparison/throughput.html");
    await settle(page);
    // Untouched: the page's own starting point, nothing stored, nothing in the address.
    assert.match(await whose(page), /starting point/);
    assert.doesNotMatch(page.url(), /io=/);
    assert.equal(await page.evaluate((k) => localStorage.getItem(k), STORE), null);
    const sidebarHref = await page.locator("#mdbook-sidebar a", { hasText: "Latency scaling" }).getAttribute("href");
    assert.doesNotMatch(sidebarHref, /io=/, "an untouched scenario is not carried");

    // The reader changes the I/O wait and the node's CPU count.
    await page.getByTestId("io-slider-exact").fill("2.5");
    await page.getByTestId("io-slider-exact").press("Enter");
    await page.waitForFunction(() => /io=2\.5(&|$)/.test(location.search));
    await page.locator("details.widget-more summary").first().click();
    await page.getByTestId("ncpu-input").fill("32");
    await page.getByTestId("ncpu-input").press("Enter");
    await page.waitForFunction(() => /ncpu=32/.test(location.search));
    assert.match(await words(page), /2\.50 ms I\/O wait · 50 callers · pool 32 \(Python's default\) · 2 cores · node of 32 CPUs/);
    assert.match(await whose(page), /follows you/);
    assert.match(await page.evaluate((k) => localStorage.getItem(k), STORE), /io=2\.5&n=50&mem=512&ncpu=32/);

    // The sidebar: the next page opens with the same scenario.
    await page.locator("#mdbook-sidebar a", { hasText: "Latency scaling" }).click();
    await settle(page);
    assert.match(page.url(), /latency\.html\?io=2\.5/);
    assert.equal(await ioShown(page), "2.50 ms");
    assert.match(await words(page), /node of 32 CPUs/);
    assert.match(await whose(page), /carried over/);
    // mdBook's keyboard navigation to the next chapter (the right arrow key), twice.
    const next = async () => {
      await page.evaluate(() => document.activeElement?.blur());
      await page.keyboard.press("ArrowRight");
      await settle(page);
    };
    await next();
    assert.match(page.url(), /memory\.html/);
    await next();
    assert.match(page.url(), /takeaway\.html/);
    assert.equal(await ioShown(page), "2.50 ms");

    // A pasted link with its own scenario wins over the stored one, and is kept from then on.
    await page.goto(base() + "comparison/throughput.html?io=7&n=200");
    await settle(page);
    assert.equal(await ioShown(page), "7.00 ms");
    assert.match(await whose(page), /from the link/);
    assert.doesNotMatch(await words(page), /node of/, "the link's scenario, not a mix with the stored one");
    await page.locator("#mdbook-sidebar a", { hasText: "GIL contention patterns" }).click();
    await settle(page);
    assert.equal(await ioShown(page), "7.00 ms");
    assert.doesNotMatch(page.url(), /bg=/, "the reader's scenario, not the page's starting background thread");

    // Reset: forgotten, and the page is back at its own starting point.
    await page.getByTestId("scenario-reset").click();
    await page.waitForFunction(() => !/io=/.test(location.search));
    await settle(page);
    await page.waitForFunction(() => /bg=1/.test(location.search) || document.querySelector(".widget-scenario-whose"));
    assert.match(await whose(page), /starting point/);
    assert.equal(await page.evaluate((k) => localStorage.getItem(k), STORE), null);
    assert.equal(await ioShown(page), "0.064 ms");
    assert.deepEqual(log.errors, []);
    await context.close();
  });
}

test("the scenario bar copies the link, and a page without widgets passes the scenario on", async () => {
  const { page, log, context } = await openPage(browser);
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: srv.base.replace(/\/$/, "") });
  await page.goto(srv.base + "comparison/throughput.html?io=3&n=64&pool=64");
  await settle(page);
  await page.getByTestId("scenario-copy").click();
  await page.getByTestId("scenario-copied").filter({ hasText: /copied|Copy this link/ }).waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(copied, /throughput\.html\?io=3&n=64&mem=512&pool=64$/);
  // The glossary has no widget: its links still carry the scenario on to the next page.
  await page.goto(srv.base + "glossary.html");
  await page.waitForLoadState("load");
  assert.equal(await page.locator("[data-widget]").count(), 0);
  const href = await page.locator("#mdbook-sidebar a", { hasText: "Memory usage" }).first().getAttribute("href");
  assert.match(href, /memory\.html\?io=3&n=64&mem=512&pool=64$/);
  await page.locator("#mdbook-sidebar a", { hasText: "Memory usage" }).first().click();
  await settle(page);
  assert.match(await words(page), /3\.00 ms I\/O wait · 64 callers · 64 pool threads/);
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("on a phone the scenario bar is one line until opened, and then copies and resets as on a desktop", async () => {
  const { page, log, context } = await openPage(browser);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(srv.base + "comparison/throughput.html?io=3&n=64&pool=64");
  await settle(page);
  const bar = page.getByTestId("scenario-bar");
  const toggle = page.getByTestId("scenario-toggle");
  const line = await page.getByTestId("scenario-words").evaluate((el) => parseFloat(getComputedStyle(el.parentElement).lineHeight) || 20);
  const closed = (await bar.boundingBox()).height;
  assert.equal(await toggle.getAttribute("aria-expanded"), "false");
  assert.equal(await page.getByTestId("scenario-copy").isVisible(), false, "the actions wait behind the toggle");
  // One line of words (cut short), the toggle beside it, the bar's padding.
  assert.ok(closed <= line + 44, `closed bar ${closed} px for lines of ${line} px`);
  assert.match(await page.getByTestId("scenario-words").textContent(), /3\.00 ms I\/O wait · 64 callers · 64 pool threads/, "the words are all there, only cut on screen");
  await toggle.click();
  assert.equal(await toggle.getAttribute("aria-expanded"), "true");
  assert.ok((await bar.boundingBox()).height > closed + line, "opened, the bar shows the rest");
  await page.getByTestId("scenario-reset").click();
  await page.waitForURL((u) => !/io=3/.test(u.search));
  await settle(page);
  assert.match(await whose(page), /starting point/);
  assert.ok((await bar.boundingBox()).width <= 390, "the bar fits the phone");
  // On a desktop there is no toggle: the bar is always open.
  await page.setViewportSize({ width: 1280, height: 800 });
  assert.equal(await toggle.isVisible(), false);
  assert.ok(await page.getByTestId("scenario-copy").isVisible());
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("'Your service': an example's verdict, an edit, and the service as the scenario of the next page", async () => {
  const { page, log, context } = await openPage(browser);
  await page.goto(srv.base + "service.html");
  await settle(page);
  await complete(page);
  assert.match(await page.getByTestId("service-verdict").textContent(), /^Switching gains nothing you asked for/);
  assert.equal(await page.getByTestId("svc-preset-lookup-api").getAttribute("aria-pressed"), "true");
  // Cross-region at 500/s: Python's default pool caps the executor, aerospike-py meets the target, so does a pool of 64.
  await page.getByTestId("svc-preset-cross-region").click();
  await page.waitForFunction(() => document.querySelector("[data-testid=svc-rtt]").value === "87");
  await complete(page);
  const verdict = await page.getByTestId("service-verdict").textContent();
  assert.match(verdict, /^aerospike-py's async client meets p99 ≤ 250 ms at 500 requests\/s/);
  assert.match(verdict, /A pool of 64 threads would meet it/);
  assert.match(await page.locator(".service-smallest th").textContent(), /^64 \(smallest that meets it\)/);
  assert.match(await words(page), /87\.1 ms I\/O wait/);
  // An edit by keyboard: a smaller rate; the executor's default pool then carries it.
  await page.getByTestId("svc-load").fill("100");
  await page.getByTestId("svc-load").press("Enter");
  await page.waitForFunction(() => /100 requests\/s/.test(document.querySelector("[data-testid=service-verdict]").textContent));
  await complete(page);
  assert.match(await page.getByTestId("service-verdict").textContent(), /^Switching gains nothing/);
  assert.equal(await page.getByTestId("svc-load").evaluate((el) => el === document.activeElement), true, "focus stays on the field");
  // Text that is not a number is refused with a reason, the value kept.
  await page.getByTestId("svc-target").fill("");
  await page.getByTestId("svc-target").press("Enter");
  await page.locator(".service .widget-note").filter({ hasText: "not a number" }).waitFor();
  // The machine profile is part of the service, and of the scenario it sets.
  await page.getByTestId("svc-machine").selectOption("darwin");
  await page.waitForFunction(() => /costs of Darwin arm64/.test(document.querySelector("[data-testid=scenario-words]").textContent));
  await complete(page);
  // The next page opens with the service as its scenario.
  await page.locator("#mdbook-sidebar a", { hasText: "Throughput scaling" }).click();
  await settle(page);
  assert.equal(await ioShown(page), "87.1 ms");
  assert.match(await words(page), /costs of Darwin arm64/);
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("'Your service' with worker processes: the pod's verdict, kept in the page's link over a reload, and not carried to pages that model one process", async () => {
  const { page, log, context } = await openPage(browser);
  await page.goto(srv.base + "service.html");
  await settle(page);
  await page.getByTestId("svc-preset-uvicorn-workers").click();
  await page.waitForFunction(() => document.querySelector("[data-testid=svc-workers]").value === "4");
  await complete(page);
  assert.match(await page.getByTestId("service-verdict").textContent(), /at 3,000 requests\/s over 4 worker processes/);
  assert.match(await words(page), /4 worker processes/);
  await page.waitForFunction(() => /[?&]workers=4(&|$)/.test(location.search));
  await page.reload();
  await settle(page);
  await page.waitForFunction(() => document.querySelector("[data-testid=svc-workers]")?.value === "4");
  await complete(page);
  assert.match(await page.getByTestId("service-verdict").textContent(), /over 4 worker processes/);
  await page.locator("#mdbook-sidebar a", { hasText: "Throughput scaling" }).click();
  await settle(page);
  assert.doesNotMatch(await words(page), /worker process/);
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("'Your service' says the load as the reader gave it, and awaits a handler's gets together when asked: both kept in the link and over a reload", async () => {
  const { page, log, context } = await openPage(browser);
  await page.goto(srv.base + "service.html");
  await settle(page);
  await complete(page);
  // The page starts from a rate: the bar says the rate per pod, not the callers it implies.
  assert.match(await words(page), /1,000 requests\/s per pod \(about [\d,]+ in flight\)/);
  assert.doesNotMatch(await words(page), /callers/);
  await page.getByTestId("svc-gets").fill("4");
  await page.getByTestId("svc-gets").press("Enter");
  await page.waitForFunction(() => /[?&]gets=4(&|$)/.test(location.search));
  await complete(page);
  await page.getByTestId("svc-gather").selectOption("gather");
  await page.waitForFunction(() => /[?&]gather=1(&|$)/.test(location.search));
  await complete(page);
  assert.match(await words(page), /the calls awaited together/);
  await page.reload();
  await settle(page);
  await page.waitForFunction(() => document.querySelector("[data-testid=svc-gather]")?.value === "gather");
  await complete(page);
  // After the reload the bar still says everything the service is: its web server too.
  assert.match(await words(page), /1,000 requests\/s per pod .* behind a web server .* the calls awaited together/);
  // Requests in flight instead of a rate: the bar says callers again.
  await page.getByTestId("svc-by-flight").click();
  await page.waitForFunction(() => / [\d,]+ callers? · /.test(document.querySelector("[data-testid=scenario-words]").textContent));
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("'Your service' without a web server in front: the choice kept in the page's link over a reload, and a larger capacity", async () => {
  const { page, log, context } = await openPage(browser);
  await page.goto(srv.base + "service.html");
  await settle(page);
  await complete(page);
  assert.equal(await page.getByTestId("svc-front").inputValue(), "fastapi");
  const served = await page.getByTestId("summary").textContent();
  await page.getByTestId("svc-front").selectOption("none");
  await page.waitForFunction(() => /[?&]web=0(&|$)/.test(location.search));
  await complete(page);
  const bare = await page.getByTestId("summary").textContent();
  // Each pattern's capacity by name: none is lower without the server's work, and a plain def endpoint needs a framework.
  const caps = (text) =>
    Object.fromEntries([...text.matchAll(/(Sync|Executor|Threadpool|Tokio) \([^)]*\): capacity ([\d,]+)/g)].map((m) => [m[1], Number(m[2].replaceAll(",", ""))]));
  const [s, b] = [caps(served), caps(bare)];
  assert.deepEqual(Object.keys(s), ["Sync", "Executor", "Threadpool", "Tokio"], served);
  assert.deepEqual(Object.keys(b), ["Sync", "Executor", "Tokio"], bare);
  for (const k of Object.keys(b)) assert.ok(b[k] >= s[k], `${k}: without the server ${b[k]}/s, with it ${s[k]}/s`);
  assert.ok(Object.keys(b).some((k) => b[k] > s[k]), "the server's work lowers some capacity");
  await page.reload();
  await settle(page);
  await page.waitForFunction(() => document.querySelector("[data-testid=svc-front]")?.value === "none");
  await complete(page);
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("'Your service' weighs aerospike-py against the reader's way of calling the official client: a plain def endpoint kept in the link, refused without a framework", async () => {
  const { page, log, context } = await openPage(browser);
  await page.goto(srv.base + "service.html");
  await settle(page);
  await complete(page);
  assert.equal(await page.getByTestId("svc-official").inputValue(), "executor");
  assert.match(await page.getByTestId("service-verdict").textContent(), /the executor \(pool of \d+\)/);
  await page.getByTestId("svc-official").selectOption("def");
  await page.waitForFunction(() => /[?&]call=def(&|$)/.test(location.search));
  await complete(page);
  assert.match(await page.getByTestId("service-verdict").textContent(), /a plain def endpoint \(the framework's 40 threads\)/);
  // Its column in the table and its bar in the chart's words.
  assert.equal(await page.locator("[data-testid=service-table] thead th", { hasText: "Threadpool" }).count(), 1);
  assert.match(await page.getByTestId("capacity-summary").textContent(), /plain def endpoints \(40 threads\) [\d,]+/);
  await page.reload();
  await settle(page);
  await page.waitForFunction(() => document.querySelector("[data-testid=svc-official]")?.value === "def");
  await complete(page);
  assert.match(await page.getByTestId("service-verdict").textContent(), /a plain def endpoint/);
  // A job calling the client directly has no framework to run a def endpoint: back to run_in_executor, with the reason.
  await page.getByTestId("svc-front").selectOption("none");
  await page.waitForFunction(() => document.querySelector("[data-testid=svc-official]")?.value === "executor");
  assert.match(await page.locator(".widget-note").textContent(), /without a web framework; using run_in_executor/);
  await page.waitForFunction(() => !/[?&]call=/.test(location.search));
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("'Your service' answers the reader's objective: the most requests/s within the target, or throughput alone, kept in the link", async () => {
  const { page, log, context } = await openPage(browser);
  await page.goto(srv.base + "service.html");
  await settle(page);
  await complete(page);
  assert.equal(await page.getByTestId("svc-objective").inputValue(), "target");
  assert.equal(await page.getByTestId("service-pools").count(), 1);
  await page.getByTestId("svc-objective").selectOption("most");
  await page.waitForFunction(() => /[?&]goal=most(&|$)/.test(location.search));
  await complete(page);
  const verdict = await page.getByTestId("service-verdict").textContent();
  assert.match(verdict, /^Within p99 ≤ 10\.0 ms, aerospike-py's async client carries up to [\d,]+ requests\/s per pod \(\d+% of its capacity\)/);
  const most = await page.locator("[data-testid=service-table] tr", { hasText: "Most requests/s within the target" }).textContent();
  assert.match(most, /[\d,]+ \(\d+%\)/);
  // Only the target at the load asks the bigger pools.
  assert.equal(await page.getByTestId("service-pools").count(), 0);
  await page.reload();
  await settle(page);
  await page.waitForFunction(() => document.querySelector("[data-testid=svc-objective]")?.value === "most");
  await page.getByTestId("svc-objective").selectOption("throughput");
  await page.waitForFunction(() => /[?&]goal=throughput(&|$)/.test(location.search));
  await complete(page);
  assert.match(await page.getByTestId("service-verdict").textContent(), /^For throughput alone, aerospike-py's async client sustains up to [\d,]+ requests\/s per pod/);
  assert.match(await page.locator("[data-testid=service-table] tr", { hasText: "CPU cores used at your load" }).textContent(), /\d\.\d/);
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("the pool figure goes to the nearest measured cell and overlays the lab's points there", async () => {
  const { page, log, context } = await openPage(browser);
  await page.goto(srv.base + "comparison/pool-size.html?io=3&n=200");
  await settle(page);
  const done = () => page.waitForFunction(() => document.querySelector("[data-widget=pool-size] [data-complete]").dataset.complete === "true");
  await done();
  assert.doesNotMatch(await page.getByTestId("summary").textContent(), /Measured here/);
  await page.getByTestId("pools-nearest").click();
  await page.waitForFunction(() => /Measured here/.test(document.querySelector("[data-testid=summary]").textContent));
  await done();
  const summary = await page.getByTestId("summary").textContent();
  // 3 ms and 200 callers: the nearest measured cell is 2 ms injected at 256 callers.
  assert.match(summary, /256 callers/);
  assert.match(summary, /Measured here: the executor with 6 threads [\d,.]+ requests\/s, p99 [\d,.]+ ms\. Measured here: the executor with 64 threads/);
  assert.match(summary, /Measured here: aerospike-py async/);
  assert.equal(await page.getByTestId("pools-nearest").isHidden(), true);
  assert.ok(await page.getByTestId("pools-table").locator("tr").count() >= 13);
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("'Your service' simulated in Web Workers equals the one simulated on the page", async () => {
  // The cross-region example: an arrival rate, the pool table's every size.
  const final = async (workers) => {
    const { page, log, context } = await openPage(browser);
    await page.addInitScript((n) => { window.__widgetsWorkers = n; }, workers);
    await page.goto(srv.base + "service.html");
    await widgetsSettled(page);
    await page.getByTestId("svc-preset-cross-region").click();
    await page.waitForFunction(() => document.querySelector("[data-testid=svc-rtt]").value === "87");
    await page.waitForFunction(() => document.querySelector("[data-complete]")?.dataset.complete === "true");
    const out = { results: await page.getByTestId("service-results").textContent(), summary: await page.getByTestId("summary").textContent(), workers: page.workers().length };
    assert.deepEqual(log.errors, []);
    await context.close();
    return out;
  };
  const inWorkers = await final(2);
  const onPage = await final(0);
  assert.ok(inWorkers.workers >= 1, "the simulations ran in Web Workers");
  assert.equal(onPage.workers, 0, "no worker was started");
  assert.match(onPage.results, /smallest that meets it/);
  assert.deepEqual({ ...inWorkers, workers: 0 }, onPage, "the same service, whoever simulated it");
});

// The built page holds the bar as the module first draws it, so mounting it
// moves nothing: on every widget page, at the page's own start, the bar the
// build wrote (the module blocked) and the live one say the same words and
// stand the same height, on a desktop where the words wrap and on a phone.
for (const [name, viewport] of [["desktop", { width: 1300, height: 800 }], ["phone", { width: 390, height: 844 }]]) {
  test(`${name}: the scenario bar the build writes is the one the module mounts, word for word and pixel for pixel`, async () => {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    page.setDefaultTimeout(0);
    const bar = () => page.evaluate(() => {
      const host = document.querySelector("[data-scenario-bar]");
      const words = host?.querySelector(".widget-scenario-words span");
      return host && { words: words?.textContent ?? null, height: Math.round(host.getBoundingClientRect().height) };
    });
    const differ = [];
    const pages = widgetPages().filter((p) => !p.endsWith("dashboard.html"));
    assert.ok(pages.length >= 14, `widget pages found: ${pages.length}`);
    for (const p of pages) {
      await page.route("**/widgets-loader-*.js", (r) => r.abort());
      await page.goto(srv.base + p);
      const built = await bar();
      await page.unroute("**/widgets-loader-*.js");
      await page.goto(srv.base + p);
      await settle(page);
      const live = await bar();
      assert.ok(built && live, `${p}: a scenario bar`);
      assert.match(await whose(page), /starting point/, `${p}: opened at the page's own start`);
      if (built.words !== live.words) differ.push(`${p}: built "${built.words}", live "${live.words}"`);
      if (Math.abs(built.height - live.height) > 1) differ.push(`${p}: built ${built.height} px, live ${live.height} px`);
    }
    assert.deepEqual(differ, []);
    await context.close();
  });
}
