// mdBook's page chrome as this site mends it (xtask/src/chrome.rs,
// assets/chrome.js): the sidebar toggle as a keyboard button, tab stops on
// sideways-scrolling code, and pages the back/forward cache may keep.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, openPage } from "./harness.mjs";

let browser, srv;

before(async () => { srv = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); srv?.server.close(); });

test("the sidebar toggle is a button that works from the keyboard", async () => {
  const { page, log, context } = await openPage(browser);
  await page.goto(srv.base + "comparison/throughput.html");
  const state = () => page.evaluate(() => ({
    tag: document.getElementById("mdbook-sidebar-toggle").tagName,
    expanded: document.getElementById("mdbook-sidebar-toggle").getAttribute("aria-expanded"),
    visible: document.documentElement.classList.contains("sidebar-visible"),
    hidden: document.getElementById("mdbook-sidebar").getAttribute("aria-hidden"),
  }));
  // 1200 px wide: mdBook opens the sidebar.
  assert.deepEqual(await state(), { tag: "BUTTON", expanded: "true", visible: true, hidden: "false" });
  await page.focus("#mdbook-sidebar-toggle");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => !document.documentElement.classList.contains("sidebar-visible"));
  assert.deepEqual(await state(), { tag: "BUTTON", expanded: "false", visible: false, hidden: "true" });
  await page.keyboard.press("Space");
  await page.waitForFunction(() => document.documentElement.classList.contains("sidebar-visible"));
  assert.deepEqual(await state(), { tag: "BUTTON", expanded: "true", visible: true, hidden: "false" });
  // Tab reaches it from the top of the page, before the theme button.
  await page.goto(srv.base + "index.html");
  const order = [];
  for (let i = 0; i < 40 && order.length < 2; i++) {
    await page.keyboard.press("Tab");
    const id = await page.evaluate(() => document.activeElement?.id ?? "");
    if (id === "mdbook-sidebar-toggle" || id === "mdbook-theme-toggle") order.push(id);
  }
  assert.deepEqual(order, ["mdbook-sidebar-toggle", "mdbook-theme-toggle"]);
  // The first Tab stop is the skip link; following it, the next Tab lands in the chapter, past the table of contents.
  await page.goto(srv.base + "index.html");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.className), "skip-link");
  assert.ok(await page.evaluate(() => document.activeElement.getBoundingClientRect().top >= 0), "drawn when focused");
  await page.keyboard.press("Enter");
  await page.keyboard.press("Tab");
  assert.ok(await page.evaluate(() => !!document.activeElement.closest("#mdbook-content main")),
    await page.evaluate(() => document.activeElement.outerHTML.slice(0, 120)));
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("a code block or table that scrolls sideways gets a tab stop, one that fits does not", async () => {
  const { page, context } = await openPage(browser);
  const scrollers = () => page.$$eval("main pre > code, main .table-wrapper", (els) => els.map((el) => ({
    scrolls: el.scrollWidth > el.clientWidth + 1, tab: el.getAttribute("tabindex"),
  })));
  // The build gives every table box a tab stop (for readers without JavaScript).
  const html = await (await fetch(srv.base + "methodology.html")).text();
  assert.ok((html.match(/<div class="table-wrapper" tabindex="0">/g) ?? []).length >= 2, "table boxes focusable in the built page");
  // Both kinds on the methodology page: its tables (boxes that fit next to
  // ones that scroll), and its code, in a collapsed block: opening it shows
  // code wider than its box, which then gets its tab stop.
  await page.goto(srv.base + "methodology.html");
  await page.waitForLoadState("load");
  let all = await scrollers();
  assert.ok(all.some((c) => c.scrolls) && all.some((c) => !c.scrolls), "methodology.html has tables that scroll and that fit");
  for (const c of all) assert.equal(c.tab, c.scrolls ? "0" : null);
  await page.locator("main details summary").first().click();
  await page.waitForFunction(() => [...document.querySelectorAll("main details pre > code")].some((el) => el.scrollWidth > el.clientWidth + 1 && el.getAttribute("tabindex") === "0"));
  all = await scrollers();
  for (const c of all) assert.equal(c.tab, c.scrolls ? "0" : null);
  // Widened until everything fits, the boxes give their tab stops back.
  await page.setViewportSize({ width: 3000, height: 900 });
  await page.evaluate(() => document.querySelectorAll("main").forEach((m) => { m.style.maxWidth = "none"; }));
  await page.evaluate(() => window.dispatchEvent(new Event("resize")));
  await page.waitForFunction(() => [...document.querySelectorAll("main pre > code, main .table-wrapper")].every(
    (el) => (el.scrollWidth > el.clientWidth + 1) === el.hasAttribute("tabindex")));
  await context.close();
});

test("no unload handler keeps pages out of the back/forward cache; a restore in a stale theme reloads", async () => {
  // Playwright turns the cache off in Chromium, so the restore is a synthetic pageshow event.
  const { page, log, context } = await openPage(browser);
  await page.addInitScript(() => { if (!localStorage.getItem("mdbook-theme")) localStorage.setItem("mdbook-theme", "light"); });
  let loads = 0;
  page.on("load", () => { loads += 1; });
  await page.goto(srv.base + "comparison/gil.html");
  assert.equal(await page.evaluate(() => window.onunload), null);
  const restore = () => page.evaluate(() => window.dispatchEvent(new PageTransitionEvent("pageshow", { persisted: true })));
  // Restored in the theme that is stored: stays.
  await restore();
  assert.equal(loads, 1);
  // The reader picked coal on another page meanwhile: the restored page reloads into coal.
  await page.evaluate(() => localStorage.setItem("mdbook-theme", "coal"));
  await Promise.all([page.waitForEvent("load"), restore()]);
  await page.waitForFunction(() => document.documentElement.classList.contains("coal"));
  assert.equal(loads, 2);
  assert.deepEqual(log.errors, []);
  await context.close();
});

test("only a page with a code block loads highlight.js, and its code is highlighted", async () => {
  const { page, log, context } = await openPage(browser);
  await page.goto(srv.base + "index.html");
  await page.waitForFunction(() => document.querySelector("main code")?.classList.contains("hljs"));
  assert.ok(!log.requests.some((u) => /highlight-[0-9a-f]+\.js$/.test(u)), "the overview has no code block and no highlighter");
  // Inline code keeps the colours the stylesheets give it.
  const bg = await page.evaluate(() => getComputedStyle(document.querySelector("main p code")).backgroundColor);
  assert.notEqual(bg, "rgba(0, 0, 0, 0)");
  assert.ok(!log.requests.some((u) => /clipboard-[0-9a-f]+\.min\.js$/.test(u)), "no code block to copy, no clipboard.js");
  // The theme switch still turns the highlight sheets on and off (book.js finds them by id).
  await page.click("#mdbook-theme-toggle");
  await page.click("#mdbook-theme-ayu");
  await page.waitForFunction(() => document.documentElement.classList.contains("ayu"));
  assert.equal(await page.evaluate(() => document.querySelector("#mdbook-ayu-highlight-css").disabled), false);
  await page.goto(srv.base + "methodology.html");
  await page.waitForFunction(() => document.querySelector("pre code.hljs span[class^=hljs-]"));
  assert.ok(log.requests.some((u) => /highlight-[0-9a-f]+\.js$/.test(u)));
  // Where there is code, its copy button works.
  assert.ok(log.requests.some((u) => /clipboard-[0-9a-f]+\.min\.js$/.test(u)));
  assert.ok(await page.locator("pre .clip-button").count() > 0);
  assert.deepEqual(log.errors, []);
  await page.evaluate(() => localStorage.removeItem("mdbook-theme"));
  await context.close();
});

test("a first paint waits for one of the book's stylesheets, besides the highlight sheets", async () => {
  const { page, log, context } = await openPage(browser);
  for (const p of ["index.html", "comparison/throughput.html", "404.html", "toc.html"]) {
    await page.goto(srv.base + p);
    await page.waitForLoadState("load");
    const sheets = await page.evaluate(() => [...document.querySelectorAll("link[rel=stylesheet]")]
      .filter((l) => !l.media || l.media === "all").map((l) => new URL(l.href).pathname.split("/").pop()));
    const own = sheets.filter((h) => !/^(highlight|tomorrow-night|ayu-highlight)-/.test(h));
    assert.equal(own.length, 1, `${p}: ${sheets.join(", ")}`);
    assert.match(own[0], /^site-[0-9a-f]+\.css$/);
    // Every rule arrived: the book's own sheet's variables and the widgets' are both in force.
    for (const v of ["--links", "--widget-sync"]) {
      assert.notEqual(await page.evaluate((v) => getComputedStyle(document.documentElement).getPropertyValue(v).trim(), v), "", `${p}: ${v}`);
    }
  }
  assert.deepEqual(log.errors, []);
  await context.close();
});
